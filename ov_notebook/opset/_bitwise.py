"""Builders for the bitwise ops (``openvino.opset13.bitwise_*``, ``openvino.opset15``'s shifts)."""
from __future__ import annotations

from ..ir.ops import bitwise as spec
from ._base import as_node
from ._elementwise import _binary_builder


_BINARY_NAMES = {"BitwiseAnd": "bitwise_and", "BitwiseOr": "bitwise_or",
                 "BitwiseXor": "bitwise_xor", "BitwiseLeftShift": "bitwise_left_shift",
                 "BitwiseRightShift": "bitwise_right_shift"}
for _type, _builder in _BINARY_NAMES.items():
    globals()[_builder] = _binary_builder(getattr(spec, _type), _builder, __name__)
del _type, _builder


def bitwise_not(node, name=None):
    """BitwiseNot-13: ~x (logical not for booleans)."""
    return spec.BitwiseNot(as_node(node), name=name)
