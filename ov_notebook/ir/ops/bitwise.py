"""Bitwise operations: BitwiseAnd/Or/Xor/Not-13 (integer or boolean tensors) and
BitwiseLeftShift/RightShift-15 (integer tensors).

A shift by a negative amount or by the bit width or more is undefined in OpenVINO (its CPU plugin
shifts as the machine does); the PyTorch frontend guards such shifts to give torch's results.
"""
from __future__ import annotations

import numpy as np

from ..node import Op, register_op
from ..types import Type
from .elementwise import BinaryOp, fitting


def _check_bitwise_type(node, element_type, allow_boolean):
    if not element_type.is_static:
        return
    if element_type.is_integral_number() or (allow_boolean and element_type is Type.boolean):
        return
    expected = "integer or boolean" if allow_boolean else "integer"
    node.fail(f"inputs must be {expected} tensors, got {element_type}")


class _BitwiseBinary(BinaryOp):
    """z = f(x, y) bitwise with numpy broadcasting; the type checks differ from BinaryOp's.
    ``function`` is the numpy ufunc that ``BinaryOp.compute`` applies (constant folding, kernel);
    ``allow_boolean`` says whether boolean tensors are accepted (the shifts take integers only)."""

    accepts = "any"
    allow_boolean = True

    def infer(self):
        for index in (0, 1):
            _check_bitwise_type(self, self.get_input_element_type(index), self.allow_boolean)
        super().infer()


@register_op
class BitwiseAnd(_BitwiseBinary):
    """BitwiseAnd-13: element-wise with numpy broadcasting."""

    type_name = "BitwiseAnd"
    version = "opset13"
    function = staticmethod(np.bitwise_and)


@register_op
class BitwiseOr(_BitwiseBinary):
    """BitwiseOr-13: element-wise with numpy broadcasting."""

    type_name = "BitwiseOr"
    version = "opset13"
    function = staticmethod(np.bitwise_or)


@register_op
class BitwiseXor(_BitwiseBinary):
    """BitwiseXor-13: element-wise with numpy broadcasting."""

    type_name = "BitwiseXor"
    version = "opset13"
    function = staticmethod(np.bitwise_xor)


@register_op
class BitwiseLeftShift(_BitwiseBinary):
    """BitwiseLeftShift-15: element-wise with numpy broadcasting."""

    type_name = "BitwiseLeftShift"
    version = "opset15"
    allow_boolean = False
    function = staticmethod(np.left_shift)


@register_op
class BitwiseRightShift(_BitwiseBinary):
    """BitwiseRightShift-15: element-wise with numpy broadcasting."""

    type_name = "BitwiseRightShift"
    version = "opset15"
    allow_boolean = False
    function = staticmethod(np.right_shift)


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

    elementwise = True

    @staticmethod
    def compute(x, *, out=None):  # numpy's invert of a bool array is its logical not
        return np.invert(x, out=fitting(out, x.shape, x.dtype))
