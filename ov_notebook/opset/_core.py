"""Builders for graph boundary and type ops."""
from __future__ import annotations

import numpy as np

from ..ir.ops import core as spec
from ..ir.shape import PartialShape
from ..ir.types import Type
from ._base import as_node, named


def parameter(shape, dtype=np.float32, name=None) -> spec.Parameter:
    """A model input. ``shape``: list (``-1`` dynamic), PartialShape or string; ``name`` becomes both
    the friendly name and the tensor name, as in OpenVINO."""
    node = spec.Parameter(Type(dtype), PartialShape(shape), name=name)
    if name:
        node.output(0).set_names({name})
    return node


def constant(value, dtype=None, name=None, shared_memory=False) -> spec.Constant:
    """A constant tensor; ``dtype`` defaults to the value's (Python floats become f32)."""
    if dtype is None and isinstance(value, (float, list, tuple)):
        array = np.asarray(value)
        dtype = Type.f32 if array.dtype == np.float64 else None
    return spec.Constant(value, None if dtype is None else Type(dtype), name=name,
                         shared_memory=shared_memory)


def result(data, name=None) -> spec.Result:
    return named(spec.Result(as_node(data)), name)


def convert(data, destination_type, name=None) -> spec.Convert:
    return spec.Convert(as_node(data), destination_type=Type(destination_type), name=name)


def convert_like(data, like, name=None) -> spec.ConvertLike:
    return spec.ConvertLike(as_node(data), as_node(like), name=name)


def shape_of(data, output_type="i64", name=None) -> spec.ShapeOf:
    return spec.ShapeOf(as_node(data), output_type=Type(output_type), name=name)
