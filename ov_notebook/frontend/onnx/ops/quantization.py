"""ONNX QuantizeLinear and DequantizeLinear (per tensor, per axis; int8/uint8 and, from opset 21,
int16/uint16 zero points): ``saturate(round(x / scale) + zero_point)`` (round half to even) and
``(x - zero_point) * scale``, exactly as the ONNX specification computes them; the integer tensor
stays integer. Blocked quantization (``block_size``) is refused by name."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import onnx_op

_RANGES = {Type.u8: (0, 255), Type.i8: (-128, 127), Type.u16: (0, 65535),
           Type.i16: (-32768, 32767), Type.i32: (-(2 ** 31), 2 ** 31 - 1)}


def _along_axis(ctx, value, parameter):
    """A 1-D per-axis scale or zero point shaped to broadcast along ``axis`` of ``value``."""
    if len(parameter.get_partial_shape()) != 1:
        return parameter
    if ctx.attr("block_size", 0):
        ctx.fail("blocked quantization (block_size) is not supported")
    shape = value.get_partial_shape()
    if not shape.rank_is_static:
        ctx.fail("per-axis quantization needs an input of known rank")
    rank = len(shape)
    axis = ctx.attr("axis", 1)
    if not -rank <= axis < rank:
        ctx.fail(f"axis {axis} is out of range for rank {rank}")
    target = [1] * rank
    target[axis % rank] = -1
    return ops.reshape(parameter, np.asarray(target, np.int64), False).output(0)


@onnx_op("QuantizeLinear", since=10)
def quantize_linear(ctx):
    x = ctx.input(0)
    scale = ctx.input(1)
    zero_point = ctx.input(2) if ctx.has_input(2) else None
    target = zero_point.get_element_type() if zero_point is not None else Type.u8
    if ctx.has_attr("output_dtype") and zero_point is None:
        ctx.fail("output_dtype without a zero point is not supported; give y_zero_point")
    if target not in _RANGES:
        ctx.fail(f"quantizing to {target} is not supported (int8, uint8, int16, uint16, int32)")
    low, high = _RANGES[target]
    element_type = x.get_element_type()
    scaled = ops.round(ops.divide(x, ops.convert_like(_along_axis(ctx, x, scale), x)),
                       "half_to_even")
    if zero_point is not None:
        scaled = ops.add(scaled, ops.convert(_along_axis(ctx, x, zero_point), element_type))
    return ops.convert(ops.clamp(scaled, float(low), float(high)), target).output(0)


@onnx_op("DequantizeLinear", since=10)
def dequantize_linear(ctx):
    x = ctx.input(0)
    scale = ctx.input(1)
    element_type = scale.get_element_type()
    value = ops.convert(x, element_type).output(0)
    if ctx.has_input(2):
        zero_point = ops.convert(_along_axis(ctx, x, ctx.input(2)), element_type)
        value = ops.subtract(value, zero_point).output(0)
    return ops.multiply(value, _along_axis(ctx, x, scale)).output(0)
