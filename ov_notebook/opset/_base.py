"""Helpers shared by the op builders: turning Python values into Constants, naming nodes."""
from __future__ import annotations

import numbers

import numpy as np

from ..ir.node import Node, Output
from ..ir.ops.core import Constant
from ..ir.types import Type

NodeInput = "Node | Output | int | float | list | numpy.ndarray"


def as_node(value, like=None, dtype=None) -> Output:
    """An Output for ``value``: nodes and outputs pass through, other values become Constants.

    A Python scalar or list takes ``dtype`` if given, else the element type of ``like`` (so
    ``add(x, 1.0)`` adds an f16 constant to an f16 ``x``), else i64 for ints and f32 for floats.
    """
    if isinstance(value, Output):
        return value
    if isinstance(value, Node):
        return value.output(0)
    if dtype is not None:
        return Constant(np.asarray(value), Type(dtype)).output(0)
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return Constant(value).output(0)
    if like is not None:
        like_type = as_node(like).get_element_type()
        if like_type.is_static:
            return Constant(np.asarray(value), like_type).output(0)
    array = np.asarray(value)
    if array.dtype == np.float64:
        return Constant(array, Type.f32).output(0)
    if array.dtype.kind in "iu":
        return Constant(array, Type.i64).output(0)
    return Constant(array).output(0)


def as_nodes(*values):
    """Outputs for operands of an element-wise op: scalars take the type of the first node."""
    like = next((v for v in values if isinstance(v, (Node, Output))), None)
    return [as_node(v, like=like) for v in values]


def named(node, name):
    if name is not None:
        node.set_friendly_name(name)
    return node


def is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
