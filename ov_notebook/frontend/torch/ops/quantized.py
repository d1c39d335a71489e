"""Eager-mode quantized models (torch.ao.quantization.convert, scripted or traced):
aten::quantize_per_tensor/per_channel, aten::dequantize and the ``quantized::`` ops (conv1d-3d
and their _relu forms, linear and linear_relu, add, add_relu, mul, mul_relu, cat, hardswish,
relu6, leaky_relu, sigmoid). Not translated: quantized transposed convolutions (torch's x86
kernel disagrees with the float convolution of its own unpacked weights, so there is no
reference to match) and dynamic quantization (quantized::linear_dynamic).

As in OpenVINO's frontend, a quantized tensor is carried as float values on its quantization
grid: quantizing is a FakeQuantize-1 with the tensor's scale, zero point and dtype range, every
``quantized::`` op computes in float on those values (weights are dequantized constants, unpacked
from the module's packed parameters) and requantizes its result with its output scale and zero
point, and dequantize is the identity. An INT8 runtime reads the FakeQuantize ranges; the numbers
equal torch's except where float rounding meets a half step (one level at most)."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ..registry import translator
from ._common import i64, normalize_axis, out, static_rank
from .conv_pool import convolution

# torch quantized ScalarType numbers (and names) -> (quant_min, quant_max)
_RANGES = {12: (-128, 127), 13: (0, 255), 14: (-(2 ** 31), 2 ** 31 - 1),
           "qint8": (-128, 127), "quint8": (0, 255), "qint32": (-(2 ** 31), 2 ** 31 - 1),
           "torch.qint8": (-128, 127), "torch.quint8": (0, 255)}


def _range(ctx, dtype):
    key = dtype if isinstance(dtype, (int, str)) else str(dtype)
    if key not in _RANGES:
        ctx.fail(f"unsupported quantized dtype {dtype!r} (expected quint8, qint8 or qint32)")
    return _RANGES[key]


def requantize(ctx, value, scale, zero_point, quant_range=(0, 255)):
    """``value`` snapped to the grid of ``scale``/``zero_point`` (floats or per-channel tensors
    already shaped to broadcast), as torch's quantize then dequantize."""
    quant_min, quant_max = quant_range
    scale = scale if not isinstance(scale, (int, float)) else ctx.const_like(float(scale), value)
    zero_point = zero_point if not isinstance(zero_point, (int, float)) else \
        ctx.const_like(float(zero_point), value)
    low = ops.multiply(scale, ops.subtract(ctx.const_like(float(quant_min), value), zero_point))
    high = ops.multiply(scale, ops.subtract(ctx.const_like(float(quant_max), value), zero_point))
    low, high = ops.minimum(low, high), ops.maximum(low, high)
    return out(ops.fake_quantize(value, low, high, low, high, quant_max - quant_min + 1))


def _output_qparams(ctx, scale_index, zero_point_index):
    return float(ctx.arg(scale_index, "scale")), int(ctx.arg(zero_point_index, "zero_point"))


def _packed(ctx, index, unpack):
    """The float weight and bias (Constants) of a module's packed parameters."""
    import torch

    packed = ctx.arg(index)
    if not isinstance(packed, torch.ScriptObject):
        ctx.fail(f"expected the module's packed parameters, got {type(packed).__name__}")
    weight, bias = unpack(packed)
    weight = ctx.const(weight.dequantize().numpy().astype(np.float32))
    bias = None if bias is None else ctx.const(bias.detach().numpy().astype(np.float32))
    return packed, weight, bias


# --- quantize / dequantize ------------------------------------------------------------------
@translator("aten::quantize_per_tensor", "aten.quantize_per_tensor")
def quantize_per_tensor(ctx):
    # aten::quantize_per_tensor(Tensor self, float scale, int zero_point, ScalarType dtype)
    value = ctx.input(0)
    return requantize(ctx, value, float(ctx.arg(1, "scale")), int(ctx.arg(2, "zero_point")),
                      _range(ctx, ctx.arg(3, "dtype")))


@translator("aten::quantize_per_channel", "aten.quantize_per_channel")
def quantize_per_channel(ctx):
    # aten::quantize_per_channel(Tensor self, Tensor scales, Tensor zero_points, int axis,
    #   ScalarType dtype)
    value = ctx.input(0)
    rank = static_rank(ctx, value)
    shape = [1] * rank
    shape[normalize_axis(ctx, ctx.arg(3, "axis"), rank)] = -1

    def along(tensor):
        return out(ops.reshape(ops.convert_like(tensor, value), i64(shape), False))

    return requantize(ctx, value, along(ctx.input(1)), along(ctx.input(2)),
                      _range(ctx, ctx.arg(4, "dtype")))


@translator("aten::dequantize", "aten.dequantize")
def dequantize(ctx):
    # aten::dequantize.self(Tensor self) / dequantize.tensors(Tensor[] tensors): the values are
    # already the dequantized ones
    values = [ctx.input(0)] if ctx.is_tensor(0) else ctx.input_list(0)
    for value in values:
        if not value.get_element_type().is_real:
            ctx.fail("dequantize reads quantized tensors made by quantize_per_tensor/_per_channel "
                     f"or quantized:: operations, got a {value.get_element_type()} tensor")
    return values[0] if ctx.is_tensor(0) else values


# --- quantized:: ops ------------------------------------------------------------------------
def _conv(ctx, relu):
    # quantized::conv2d(Tensor qx, __torch__.torch.classes.quantized.Conv2dPackedParamsBase
    #   packed_weight, float output_scale, int output_zero_point) -> Tensor
    import torch

    kind = ctx.op.split("::")[1].replace("_relu", "")  # conv2d, conv_transpose1d, ...
    packed, weight, bias = _packed(ctx, 1, getattr(torch.ops.quantized, f"{kind}_unpack"))
    spatial = len(weight.get_partial_shape()) - 2

    def last(values):  # conv1d packs as a 2-D convolution: its parameters have a leading 1
        return list(values)[-spatial:]

    result = convolution(ctx, ctx.input(0), weight, bias, last(packed.stride()),
                         last(packed.padding()), last(packed.dilation()), False, 0,
                         packed.groups())
    if relu:
        result = out(ops.relu(result))
    return requantize(ctx, result, *_output_qparams(ctx, 2, 3))


@translator("quantized::conv2d", "quantized::conv3d", "quantized::conv1d")
def quantized_conv(ctx):
    return _conv(ctx, relu=False)


@translator("quantized::conv2d_relu", "quantized::conv3d_relu", "quantized::conv1d_relu")
def quantized_conv_relu(ctx):
    return _conv(ctx, relu=True)


def _linear(ctx, relu):
    # quantized::linear(Tensor X, __torch__.torch.classes.quantized.LinearPackedParamsBase
    #   W_prepack, float Y_scale_i, int Y_zero_point_i) -> Tensor Y
    import torch

    _, weight, bias = _packed(ctx, 1, torch.ops.quantized.linear_unpack)
    result = out(ops.matmul(ctx.input(0), weight, False, True))
    if bias is not None:
        result = out(ops.add(result, bias))
    if relu:
        result = out(ops.relu(result))
    return requantize(ctx, result, *_output_qparams(ctx, 2, 3))


@translator("quantized::linear")
def quantized_linear(ctx):
    return _linear(ctx, relu=False)


@translator("quantized::linear_relu")
def quantized_linear_relu(ctx):
    return _linear(ctx, relu=True)


def _binary(ctx, build, relu):
    # quantized::add(Tensor qa, Tensor qb, float scale, int zero_point) -> Tensor qc
    result = out(build(ctx.input(0), ctx.input(1)))
    if relu:
        result = out(ops.relu(result))
    return requantize(ctx, result, *_output_qparams(ctx, 2, 3))


_BINARY = {"quantized::add": (ops.add, False), "quantized::add_relu": (ops.add, True),
           "quantized::mul": (ops.multiply, False), "quantized::mul_relu": (ops.multiply, True)}


@translator(*_BINARY)
def quantized_binary(ctx):
    build, relu = _BINARY[ctx.op]
    return _binary(ctx, build, relu)


@translator("quantized::cat")
def quantized_cat(ctx):
    # quantized::cat(Tensor[] qx, int dim, float? scale, int? zero_point) -> Tensor
    values = ctx.input_list(0)
    axis = ctx.arg(1, "dim")
    rank = static_rank(ctx, values[0])
    result = out(ops.concat(values, normalize_axis(ctx, axis, rank)))
    if ctx.arg(2, "scale", None) is None:
        return result
    return requantize(ctx, result, *_output_qparams(ctx, 2, 3))


@translator("quantized::hardswish")
def quantized_hardswish(ctx):
    # quantized::hardswish(Tensor input, float output_scale, int output_zero_point) -> Tensor
    return requantize(ctx, out(ops.hswish(ctx.input(0))), *_output_qparams(ctx, 1, 2))


@translator("quantized::sigmoid")
def quantized_sigmoid(ctx):
    # quantized::sigmoid(Tensor qx, float output_scale, int output_zero_point) -> Tensor
    return requantize(ctx, out(ops.sigmoid(ctx.input(0))), *_output_qparams(ctx, 1, 2))


@translator("quantized::leaky_relu")
def quantized_leaky_relu(ctx):
    # quantized::leaky_relu(Tensor qx, Scalar negative_slope, bool inplace, float output_scale,
    #   int output_zero_point) -> Tensor
    value = ctx.input(0)
    slope = ctx.const_like(float(ctx.arg(1, "negative_slope")), value)
    return requantize(ctx, out(ops.prelu(value, slope)), *_output_qparams(ctx, 3, 4))


@translator("quantized::relu6")
def quantized_relu6(ctx):
    # quantized::relu6(Tensor qx, bool inplace=False) -> Tensor (keeps the input's grid)
    return out(ops.clamp(ctx.input(0), 0.0, 6.0))
