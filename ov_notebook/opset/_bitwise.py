"""Builders for the bitwise ops (``openvino.opset13.bitwise_*``, ``openvino.opset15``'s shifts)."""
from __future__ import annotations

from ..ir.ops import bitwise as spec
from ._base import as_node, as_nodes


def _binary_builder(op_class, builder_name):
    def build(left_node, right_node, auto_broadcast="NUMPY", name=None):
        left, right = as_nodes(left_node, right_node)
        return op_class(left, right, auto_broadcast=auto_broadcast, name=name)

    build.__name__ = build.__qualname__ = builder_name
    build.__doc__ = f"{op_class.type_name}: {op_class.__doc__}"
    build.__module__ = __name__
    return build


_BINARY_NAMES = {"BitwiseAnd": "bitwise_and", "BitwiseOr": "bitwise_or",
                 "BitwiseXor": "bitwise_xor", "BitwiseLeftShift": "bitwise_left_shift",
                 "BitwiseRightShift": "bitwise_right_shift"}
for _type, _builder in _BINARY_NAMES.items():
    globals()[_builder] = _binary_builder(getattr(spec, _type), _builder)
del _type, _builder


def bitwise_not(node, name=None):
    """BitwiseNot-13: ~x (logical not for booleans)."""
    return spec.BitwiseNot(as_node(node), name=name)
