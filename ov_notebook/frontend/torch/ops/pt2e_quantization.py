"""PT2E quantization (torch.export graphs quantized with prepare_pt2e/convert_pt2e, or any graph
calling ``torch.ops.quantized_decomposed``): quantize_per_tensor/per_channel and their
dequantize counterparts, computed exactly as torch's reference
(``torch/ao/quantization/fx/_decomposed.py``): ``clamp(round(x * (1 / scale)) + zero_point)``
converted to the integer dtype, and ``(q - zero_point) * scale`` back to float. The integer
tensors stay integer, so a model output that is quantized keeps torch's dtype."""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, normalize_axis, out, ov_type, static_rank, to_type


def _qparam(ctx, index, name, like):
    """scale or zero point: a Python number or a tensor, as ``like``'s element type."""
    if ctx.is_tensor(index, name):
        return to_type(ctx.input(index, name), like.get_element_type())
    return ctx.const_like(float(ctx.arg(index, name)), like)


def _along(ctx, value, values, axis):
    rank = static_rank(ctx, value)
    shape = [1] * rank
    shape[normalize_axis(ctx, axis, rank)] = -1
    return out(ops.reshape(values, i64(shape), False))


def _quantize(ctx, value, inverse_scale, zero_point, quant_min, quant_max, dtype):
    if value.get_element_type() != Type.f32:
        value = to_type(value, Type.f32)  # torch quantizes f16/bf16 inputs through f32
        inverse_scale = to_type(inverse_scale, Type.f32)
        zero_point = to_type(zero_point, Type.f32)
    rounded = ops.add(ops.round(ops.multiply(value, inverse_scale), "half_to_even"), zero_point)
    clamped = ops.clamp(rounded, float(quant_min), float(quant_max))
    return out(ops.convert(clamped, ov_type(dtype)))


def _dequantize(ctx, value, scale, zero_point, out_dtype):
    element_type = ov_type(out_dtype) if out_dtype is not None else Type.f32
    floating = to_type(value, element_type)
    shifted = floating if zero_point is None else ops.subtract(floating,
                                                              to_type(zero_point, element_type))
    return out(ops.multiply(shifted, to_type(scale, element_type)))


_TENSOR_OVERLOADS = (".default", ".tensor", ".tensor2")


@translator(*(f"quantized_decomposed.quantize_per_tensor{o}" for o in _TENSOR_OVERLOADS),
            "quantized_decomposed::quantize_per_tensor")
def quantize_per_tensor(ctx):
    # quantize_per_tensor(Tensor input, float scale, int zero_point, int quant_min,
    #   int quant_max, ScalarType dtype) (.tensor/.tensor2: scale and zero_point tensors)
    value = ctx.input(0)
    scale = _qparam(ctx, 1, "scale", value)
    inverse = out(ops.divide(ctx.const_like(1.0, scale), scale))
    return _quantize(ctx, value, inverse, _qparam(ctx, 2, "zero_point", value),
                     ctx.arg(3, "quant_min"), ctx.arg(4, "quant_max"), ctx.arg(5, "dtype"))


@translator(*(f"quantized_decomposed.dequantize_per_tensor{o}" for o in _TENSOR_OVERLOADS),
            "quantized_decomposed::dequantize_per_tensor")
def dequantize_per_tensor(ctx):
    # dequantize_per_tensor(Tensor input, float scale, int zero_point, int quant_min,
    #   int quant_max, ScalarType dtype, *, ScalarType? out_dtype=None)
    value = ctx.input(0)
    out_dtype = ctx.arg(6, "out_dtype", None)
    like = ctx.const(0.0, Type.f32) if out_dtype is None else \
        ctx.const(0.0, ov_type(out_dtype))
    return _dequantize(ctx, value, _qparam(ctx, 1, "scale", like),
                       _qparam(ctx, 2, "zero_point", like), out_dtype)


@translator("quantized_decomposed.quantize_per_channel.default",
            "quantized_decomposed::quantize_per_channel")
def quantize_per_channel(ctx):
    # quantize_per_channel(Tensor input, Tensor scales, Tensor zero_points, int axis,
    #   int quant_min, int quant_max, ScalarType dtype)
    value = ctx.input(0)
    axis = ctx.arg(3, "axis")
    scales = to_type(ctx.input(1), Type.f32)
    inverse = _along(ctx, value, out(ops.divide(ctx.const(1.0, Type.f32), scales)), axis)
    zero_points = _along(ctx, value, to_type(ctx.input(2), Type.f32), axis)
    return _quantize(ctx, value, inverse, zero_points, ctx.arg(4, "quant_min"),
                     ctx.arg(5, "quant_max"), ctx.arg(6, "dtype"))


@translator("quantized_decomposed.dequantize_per_channel.default",
            "quantized_decomposed::dequantize_per_channel")
def dequantize_per_channel(ctx):
    # dequantize_per_channel(Tensor input, Tensor scales, Tensor? zero_points, int axis,
    #   int quant_min, int quant_max, ScalarType dtype, *, ScalarType? out_dtype=None)
    value = ctx.input(0)
    axis = ctx.arg(3, "axis")
    zero_points = ctx.optional_input(2)
    scales = _along(ctx, value, ctx.input(1), axis)
    if zero_points is not None:
        zero_points = _along(ctx, value, zero_points, axis)
    return _dequantize(ctx, value, scales, zero_points, ctx.arg(7, "out_dtype", None))
