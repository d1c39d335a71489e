"""Builders for the bitwise ops (``openvino.opset13.bitwise_*``, ``openvino.opset15``'s shifts)."""
from __future__ import annotations

from ..ir.ops import bitwise as spec
from ._base import as_node, builder
from ._elementwise import _binary


@builder
def bitwise_and(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.BitwiseAnd:
    """BitwiseAnd-13: left_node & right_node, element-wise (logical and for booleans)."""
    return _binary(spec.BitwiseAnd, left_node, right_node, auto_broadcast, name)


@builder
def bitwise_or(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.BitwiseOr:
    """BitwiseOr-13: left_node | right_node, element-wise (logical or for booleans)."""
    return _binary(spec.BitwiseOr, left_node, right_node, auto_broadcast, name)


@builder
def bitwise_xor(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.BitwiseXor:
    """BitwiseXor-13: left_node ^ right_node, element-wise (logical xor for booleans)."""
    return _binary(spec.BitwiseXor, left_node, right_node, auto_broadcast, name)


@builder
def bitwise_left_shift(arg0, arg1, auto_broadcast="NUMPY", name=None) -> spec.BitwiseLeftShift:
    """BitwiseLeftShift-15: arg0 << arg1, element-wise on integers."""
    return _binary(spec.BitwiseLeftShift, arg0, arg1, auto_broadcast, name, ("arg0", "arg1"))


@builder
def bitwise_right_shift(arg0, arg1, auto_broadcast="NUMPY", name=None) -> spec.BitwiseRightShift:
    """BitwiseRightShift-15: arg0 >> arg1, element-wise on integers (arithmetic for signed)."""
    return _binary(spec.BitwiseRightShift, arg0, arg1, auto_broadcast, name, ("arg0", "arg1"))


@builder
def bitwise_not(node, name=None) -> spec.BitwiseNot:
    """BitwiseNot-13: ~x (logical not for booleans)."""
    return spec.BitwiseNot(as_node(node, "node"), name=name)
