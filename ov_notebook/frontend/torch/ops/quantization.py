"""Fake quantization and quantize/dequantize pairs, composed exactly as torch computes them.

``fake_quantize_per_tensor_affine``/``_per_channel_affine`` (and the FX ``cachemask`` forms, whose
second output is the in-range mask): ``(clamp(round(x * (1 / scale)) + zero_point, qmin, qmax) -
zero_point) * scale``, round half to even like ``std::nearbyint``. OpenVINO builds FakeQuantize
for these; the composition computes the same numbers with operations the IR already has.

TorchScript ``aten::quantize_per_tensor``/``_per_channel`` give a quantized tensor that only
``aten::dequantize`` reads in the models OpenVINO converts (QDQ pairs): as in OpenVINO, quantize
becomes the fake-quantized float tensor and dequantize passes it on. The FX
``quantized_decomposed`` ops are plain integer arithmetic and are translated exactly.
Quantized weights (``quantized::conv2d`` packed parameters) are not supported.
"""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, normalize_axis, out, ov_type, static_rank, to_type

# TorchScript ScalarType numbers of the quantized dtypes -> (qmin, qmax)
_QUANTIZED_RANGES = {12: (-128, 127), 13: (0, 255), 14: (-2**31, 2**31 - 1),
                     "qint8": (-128, 127), "quint8": (0, 255), "qint32": (-2**31, 2**31 - 1)}


def _parameter(ctx, index, name, like, axis=None, rank=None):
    """A scale or zero point (Python number or tensor) as a tensor of ``like``'s type; per-channel
    ones reshaped to broadcast along ``axis``."""
    if ctx.is_tensor(index, name):
        value = to_type(ctx.input(index, name), like.get_element_type())
    else:
        value = ctx.const(np.asarray(ctx.arg(index, name), like.get_element_type().to_dtype()))
    if axis is not None:
        shape = [1] * rank
        shape[axis] = -1
        value = out(ops.reshape(value, i64(shape), False))
    return value


def _quantized_levels(ctx, value, scale, zero_point, low, high):
    """``round(x * (1 / scale)) + zero_point`` (unclamped) and it clamped to [low, high]."""
    inverse = ops.divide(ctx.const_like(1, scale), scale)
    levels = out(ops.add(ops.round(ops.multiply(value, inverse), "half_to_even"), zero_point))
    return levels, out(ops.clamp(levels, float(low), float(high)))


def _fake_quantize(ctx, axis_index=None, first_range=3):
    value = ctx.input(0)
    if not value.get_element_type().is_real:
        ctx.fail(f"fake quantization needs a floating-point input, got {value.get_element_type()}")
    axis = rank = None
    if axis_index is not None:
        rank = static_rank(ctx, value)
        axis = normalize_axis(ctx, ctx.arg(axis_index, "axis"), rank)
    scale = _parameter(ctx, 1, "scale", value, axis, rank)
    zero_point = _parameter(ctx, 2, "zero_point", value, axis, rank)
    low, high = ctx.arg(first_range, "quant_min"), ctx.arg(first_range + 1, "quant_max")
    levels, clamped = _quantized_levels(ctx, value, scale, zero_point, low, high)
    result = out(ops.multiply(ops.subtract(clamped, zero_point), scale))
    if "cachemask" not in ctx.op:
        return result
    inside = ops.logical_and(ops.greater_equal(levels, ctx.const_like(low, levels)),
                             ops.less_equal(levels, ctx.const_like(high, levels)))
    return [result, out(inside)]


@translator("aten.fake_quantize_per_tensor_affine", "aten::fake_quantize_per_tensor_affine",
            "aten.fake_quantize_per_tensor_affine_cachemask")
def fake_quantize_per_tensor(ctx):
    # aten::fake_quantize_per_tensor_affine(Tensor self, float scale, int zero_point,
    #   int quant_min, int quant_max) -> Tensor (also .tensor_qparams with tensor scale/zero_point)
    return _fake_quantize(ctx)


@translator("aten._fake_quantize_per_tensor_affine_cachemask_tensor_qparams")
def fake_quantize_per_tensor_tensor_qparams(ctx):
    # (Tensor self, Tensor scale, Tensor zero_point, Tensor fake_quant_enabled, int quant_min,
    #   int quant_max) -> (Tensor output, Tensor mask)
    enabled = ctx.input(3)
    known = enabled.get_known_value()
    if known is None or not known.all():
        ctx.fail("fake_quant_enabled must be a constant 1 (fake quantization switched on)")
    return _fake_quantize(ctx, first_range=4)


@translator("aten.fake_quantize_per_channel_affine", "aten::fake_quantize_per_channel_affine",
            "aten.fake_quantize_per_channel_affine_cachemask")
def fake_quantize_per_channel(ctx):
    # aten::fake_quantize_per_channel_affine(Tensor self, Tensor scale, Tensor zero_point,
    #   int axis, int quant_min, int quant_max) -> Tensor
    return _fake_quantize(ctx, axis_index=3, first_range=4)


def _quantized_range(ctx, dtype):
    key = dtype if isinstance(dtype, int) else str(dtype).replace("torch.", "")
    if key not in _QUANTIZED_RANGES:
        ctx.fail(f"dtype {dtype!r} is not a quantized dtype (quint8, qint8, qint32)")
    return _QUANTIZED_RANGES[key]


@translator("aten::quantize_per_tensor", "aten::quantize_per_channel", "aten.quantize_per_tensor",
            "aten.quantize_per_channel")
def quantize(ctx):
    # aten::quantize_per_tensor(Tensor self, float scale, int zero_point, ScalarType dtype)
    # aten::quantize_per_channel(Tensor self, Tensor scales, Tensor zero_points, int axis,
    #   ScalarType dtype)
    value = ctx.input(0)
    per_channel = "per_channel" in ctx.op
    axis = rank = None
    if per_channel:
        rank = static_rank(ctx, value)
        axis = normalize_axis(ctx, ctx.arg(3, "axis"), rank)
    low, high = _quantized_range(ctx, ctx.arg(4 if per_channel else 3, "dtype"))
    scale = _parameter(ctx, 1, "scales" if per_channel else "scale", value, axis, rank)
    zero_point = _parameter(ctx, 2, "zero_points" if per_channel else "zero_point", value, axis,
                            rank)
    _, clamped = _quantized_levels(ctx, value, scale, zero_point, low, high)
    return out(ops.multiply(ops.subtract(clamped, zero_point), scale))


@translator("aten::dequantize", "aten.dequantize")
def dequantize(ctx):  # aten::dequantize.self(Tensor self) -> Tensor: after quantize (above)
    value = ctx.input(0)
    if not value.get_element_type().is_real:
        ctx.fail("dequantize reads the output of quantize_per_tensor/_per_channel; quantized "
                 "tensors of the model itself are not supported")
    return value


def _decomposed_parameters(ctx, value, per_channel):
    axis = rank = None
    if per_channel:
        rank = static_rank(ctx, value)
        axis = normalize_axis(ctx, ctx.arg(3, "axis"), rank)
    first = 4 if per_channel else 3
    scale = _parameter(ctx, 1, "scales" if per_channel else "scale", value, axis, rank)
    zero_point = _parameter(ctx, 2, "zero_points" if per_channel else "zero_point", value, axis,
                            rank)
    return scale, zero_point, ctx.arg(first, "quant_min"), ctx.arg(first + 1, "quant_max"), \
        ov_type(ctx.arg(first + 2, "dtype"))


@translator("quantized_decomposed.quantize_per_tensor.default",
            "quantized_decomposed.quantize_per_channel.default",
            "quantized_decomposed::quantize_per_tensor", "quantized_decomposed::quantize_per_channel")
def quantize_decomposed(ctx):
    # quantize_per_tensor(Tensor input, float scale, int zero_point, int quant_min,
    #   int quant_max, ScalarType dtype) -> Tensor; per_channel: (.., Tensor scales,
    #   Tensor zero_points, int axis, ...)
    value = ctx.input(0)
    scale, zero_point, low, high, dtype = _decomposed_parameters(
        ctx, value, "per_channel" in ctx.op)
    _, clamped = _quantized_levels(ctx, value, scale, zero_point, low, high)
    return to_type(clamped, dtype)


@translator("quantized_decomposed.dequantize_per_tensor.default",
            "quantized_decomposed.dequantize_per_channel.default",
            "quantized_decomposed::dequantize_per_tensor",
            "quantized_decomposed::dequantize_per_channel")
def dequantize_decomposed(ctx):
    # dequantize_per_tensor(Tensor input, float scale, int zero_point, int quant_min,
    #   int quant_max, ScalarType dtype, *, ScalarType? out_dtype=None) -> Tensor
    out_dtype = ctx.arg(None, "out_dtype", None)
    result_type = Type.f32 if out_dtype is None else ov_type(out_dtype)
    value = to_type(ctx.input(0), result_type)
    scale, zero_point, *_ = _decomposed_parameters(ctx, value, "per_channel" in ctx.op)
    return out(ops.multiply(ops.subtract(value, zero_point), scale))
