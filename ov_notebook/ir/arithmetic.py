"""``a + b``, ``a - b``, ``a * b``, ``a / b`` on nodes build Add/Subtract/Multiply/Divide, with
OpenVINO's operand rules (its ``Node.__add__`` ... bindings):

- a Node is used as it is; an Output is refused, as OpenVINO refuses it;
- an int or a bool (numpy's integer and bool scalars too) becomes an i64 scalar Constant, a Python
  float an f64 one, a numpy array a Constant of its dtype (so ``f32_node + 1`` fails type
  checking, as in OpenVINO: use an f32 array);
- a numpy floating-point scalar becomes a Constant of its dtype (OpenVINO makes an i64 Constant of
  a float32 or float16 scalar, truncating it; that is the one difference, on purpose);
- anything else (lists, strings, None) is not an operand: Python raises TypeError.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["binary"]


def _operand(value):
    from .node import Node
    from .ops.core import Constant
    from .types import Type

    if isinstance(value, Node):
        return value
    if isinstance(value, (bool, np.bool_, numbers.Integral)):  # numpy's integer scalars too
        return Constant(int(value), Type.i64)
    if isinstance(value, (np.ndarray, np.floating)) and value.dtype.kind in "biuf":
        return Constant(np.asarray(value))
    if isinstance(value, float):
        return Constant(value, Type.f64)
    return None


def binary(type_name, left, right):
    """The ``type_name`` op of two operands, or NotImplemented when one is not an operand."""
    from .op import get_op_class

    left, right = _operand(left), _operand(right)
    if left is None or right is None:
        return NotImplemented
    return get_op_class(type_name)(left, right)
