"""Builders for graph boundary and type ops."""
from __future__ import annotations

import numpy as np

from ..ir.ops import core as spec
from ..ir.types import Type
from ._base import (as_node, builder, check_fits, element_type, is_python_value, named,
                    numeric_array, partial_shape)


@builder(none_allowed=("shape",))  # parameter(None): dynamic rank
def parameter(shape, dtype=np.float32, name=None) -> spec.Parameter:
    """Parameter-1: a model input. ``shape``: list (``-1`` dynamic), PartialShape or string
    (None: a dynamic rank); ``name`` becomes both the friendly name and the tensor name, as in
    OpenVINO."""
    node = spec.Parameter(element_type(dtype, "dtype"), partial_shape(shape, "shape"), name=name)
    if name:
        node.output(0).set_names({name})
    return node


@builder
def constant(value, dtype=None, name=None, shared_memory=False) -> spec.Constant:
    """Constant-1: a constant tensor; ``dtype`` defaults to the value's (Python floats become f32).

    A Python number or list must keep its value in ``dtype``: ``constant(300, np.uint8)`` raises
    rather than wrapping to 44 (a numpy array is converted as numpy converts it)."""
    if isinstance(value, spec.Constant):
        value = value.get_data()
    python_value = is_python_value(value)
    array = numeric_array(value, "value")
    dtype = None if dtype is None else element_type(dtype, "dtype")
    if dtype is None and python_value and array.dtype == np.float64:
        dtype = Type.f32
    if dtype is not None and python_value:
        check_fits(array, dtype, value, "the requested type", "value")
    return spec.Constant(value if not python_value else array, dtype, name=name,
                         shared_memory=shared_memory)


@builder
def result(data, name=None) -> spec.Result:
    """Result-1: a model output."""
    return named(spec.Result(as_node(data, "data")), name)


@builder
def convert(data, destination_type, name=None) -> spec.Convert:
    """Convert-1: ``data`` as ``destination_type`` (an element type, its name or a numpy dtype)."""
    return spec.Convert(as_node(data, "data"),
                        destination_type=element_type(destination_type, "destination_type"),
                        name=name)


@builder
def convert_like(data, like, name=None) -> spec.ConvertLike:
    """ConvertLike-1: ``data`` as the element type of ``like``."""
    return spec.ConvertLike(as_node(data, "data"), as_node(like, "like"), name=name)


@builder
def shape_of(data, output_type="i64", name=None) -> spec.ShapeOf:
    """ShapeOf-3: the shape of ``data`` as a 1-D ``output_type`` (i64 or i32) tensor."""
    return spec.ShapeOf(as_node(data, "data"), output_type=element_type(output_type, "output_type"),
                        name=name)
