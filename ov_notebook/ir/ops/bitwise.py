"""Bitwise operations: BitwiseAnd/Or/Xor/Not-13 (integer or boolean tensors) and
BitwiseLeftShift/RightShift-15 (integer tensors).

A shift by a negative amount or by the bit width or more is undefined in OpenVINO (its CPU plugin
shifts as the machine does); the PyTorch frontend guards such shifts to give torch's results.
"""
from __future__ import annotations

import numpy as np

from ..node import Op, register_op
from ..types import Type
from .elementwise import BinaryOp


def _check_bitwise_type(node, element_type, allow_boolean):
    if not element_type.is_static:
        return
    if element_type.is_integral_number() or (allow_boolean and element_type is Type.boolean):
        return
    expected = "integer or boolean" if allow_boolean else "integer"
    node.fail(f"inputs must be {expected} tensors, got {element_type}")


class _BitwiseBinary(BinaryOp):
    """z = f(x, y) bitwise with numpy broadcasting; the type checks differ from BinaryOp's."""

    accepts = "any"
    allow_boolean = True

    def infer(self):
        for index in (0, 1):
            _check_bitwise_type(self, self.get_input_element_type(index), self.allow_boolean)
        super().infer()


def _bitwise(type_name, version, function, allow_boolean):
    cls = type(type_name, (_BitwiseBinary,), {
        "type_name": type_name, "version": version, "allow_boolean": allow_boolean,
        "function": staticmethod(function),
        "__doc__": f"{type_name}-{version[5:]}: element-wise with numpy broadcasting.",
        "__module__": __name__,
    })
    globals()[type_name] = register_op(cls)
    return cls


# (type name, version, function for constant folding, accepts booleans)
_BINARY = [
    ("BitwiseAnd", "opset13", np.bitwise_and, True),
    ("BitwiseOr", "opset13", np.bitwise_or, True),
    ("BitwiseXor", "opset13", np.bitwise_xor, True),
    ("BitwiseLeftShift", "opset15", np.left_shift, False),
    ("BitwiseRightShift", "opset15", np.right_shift, False),
]
for _name, _version, _function, _boolean in _BINARY:
    _bitwise(_name, _version, _function, _boolean)
del _name, _version, _function, _boolean


@register_op
class BitwiseNot(Op):
    """BitwiseNot-13: ~x for integers, logical not for booleans."""

    type_name = "BitwiseNot"
    version = "opset13"
    inputs_spec = ("data",)

    def infer(self):
        element_type = self.get_input_element_type(0)
        _check_bitwise_type(self, element_type, True)
        self.set_output_type(0, element_type, self.get_input_partial_shape(0))

    def evaluate(self, values):
        return [np.invert(values[0])]
