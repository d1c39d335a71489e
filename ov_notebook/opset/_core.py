"""Builders for graph boundary and type ops."""
from __future__ import annotations

import numpy as np

from ..ir.ops import core as spec
from ..ir.shape import PartialShape
from ..ir.types import Type
from ._base import as_node, check_fits, is_python_value, named, numeric_array


def parameter(shape, dtype=np.float32, name=None) -> spec.Parameter:
    """A model input. ``shape``: list (``-1`` dynamic), PartialShape or string; ``name`` becomes both
    the friendly name and the tensor name, as in OpenVINO."""
    node = spec.Parameter(Type(dtype), PartialShape(shape), name=name)
    if name:
        node.output(0).set_names({name})
    return node


def constant(value, dtype=None, name=None, shared_memory=False) -> spec.Constant:
    """A constant tensor; ``dtype`` defaults to the value's (Python floats become f32).

    A Python number or list must keep its value in ``dtype``: ``constant(300, np.uint8)`` raises
    rather than wrapping to 44 (a numpy array is converted as numpy converts it)."""
    if isinstance(value, spec.Constant):
        value = value.get_data()
    python_value = is_python_value(value)
    array = numeric_array(value)
    if dtype is None and python_value and array.dtype == np.float64:
        dtype = Type.f32
    if dtype is not None and python_value:
        check_fits(array, Type(dtype), value, "the requested type")
    return spec.Constant(value if not python_value else array,
                         None if dtype is None else Type(dtype), name=name,
                         shared_memory=shared_memory)


def result(data, name=None) -> spec.Result:
    return named(spec.Result(as_node(data)), name)


def convert(data, destination_type, name=None) -> spec.Convert:
    return spec.Convert(as_node(data), destination_type=Type(destination_type), name=name)


def convert_like(data, like, name=None) -> spec.ConvertLike:
    return spec.ConvertLike(as_node(data), as_node(like), name=name)


def shape_of(data, output_type="i64", name=None) -> spec.ShapeOf:
    return spec.ShapeOf(as_node(data), output_type=Type(output_type), name=name)
