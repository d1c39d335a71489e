"""Quantization-aware training graphs: aten::fake_quantize_per_tensor_affine and
fake_quantize_per_channel_affine (the learnable variants, the FX ``cachemask`` forms, whose second
output is the in-range mask, and the default QAT observer) -> FakeQuantize-1, as OpenVINO's
frontend translates them: ``levels = quant_max - quant_min + 1`` and the range
``scale * (quant - zero_point)`` at both ends (ordered, for a negative scale), so the model keeps
the quantization torch simulates and an INT8 runtime can execute it."""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, normalize_axis, out, static_rank, to_type


def _bounds(scale, zero_point, quant_min, quant_max):
    low = out(ops.multiply(scale, ops.subtract(quant_min, zero_point)))
    high = out(ops.multiply(scale, ops.subtract(quant_max, zero_point)))
    return out(ops.minimum(low, high)), out(ops.maximum(low, high))


def _fake_quantize(ctx, value, scale, zero_point, quant_min, quant_max):
    if quant_max <= quant_min:
        ctx.fail(f"quant_max ({quant_max}) must be greater than quant_min ({quant_min})")
    element_type = value.get_element_type()
    qmin = ctx.const_like(float(quant_min), value)
    qmax = ctx.const_like(float(quant_max), value)
    low, high = _bounds(to_type(scale, element_type), to_type(zero_point, element_type), qmin,
                        qmax)
    return out(ops.fake_quantize(value, low, high, low, high, quant_max - quant_min + 1))


def _per_channel(ctx, value, values, axis):
    """A 1-D per-channel tensor shaped to broadcast along ``axis`` of ``value``."""
    rank = static_rank(ctx, value)
    shape = [1] * rank
    shape[normalize_axis(ctx, axis, rank)] = -1
    return out(ops.reshape(values, i64(shape), False))


def _scalar_or_tensor(ctx, index, name, value):
    if ctx.is_tensor(index, name):
        return ctx.input(index, name)
    return ctx.const_like(float(ctx.arg(index, name)), value)


def _with_mask(ctx, result, value, scale, zero_point, quant_min, quant_max):
    """The FX ``cachemask`` forms also return where ``round(x / scale) + zero_point`` lies inside
    ``[quant_min, quant_max]`` (what backward uses)."""
    if "cachemask" not in ctx.op:
        return result
    levels = ops.add(ops.round(ops.multiply(value, ops.divide(ctx.const_like(1.0, scale), scale)),
                               "half_to_even"), zero_point)
    inside = ops.logical_and(ops.greater_equal(levels, ctx.const_like(float(quant_min), value)),
                             ops.less_equal(levels, ctx.const_like(float(quant_max), value)))
    return [result, out(inside)]


@translator("aten.fake_quantize_per_tensor_affine", "aten::fake_quantize_per_tensor_affine",
            "aten.fake_quantize_per_tensor_affine_cachemask",
            "aten._fake_quantize_learnable_per_tensor_affine",
            "aten::_fake_quantize_learnable_per_tensor_affine")
def fake_quantize_per_tensor(ctx):
    # aten::fake_quantize_per_tensor_affine(Tensor self, float scale, int zero_point,
    #   int quant_min, int quant_max) (.tensor_qparams: scale and zero_point tensors);
    # the learnable variant rounds and clamps a float zero point as torch does
    value = ctx.input(0)
    if not value.get_element_type().is_real:
        ctx.fail(f"fake quantization needs a floating-point input, got {value.get_element_type()}")
    quant_min, quant_max = ctx.arg(3, "quant_min"), ctx.arg(4, "quant_max")
    scale = _scalar_or_tensor(ctx, 1, "scale", value)
    zero_point = _scalar_or_tensor(ctx, 2, "zero_point", value)
    if "learnable" in ctx.op:
        zero_point = _rounded_zero_point(value, zero_point, quant_min, quant_max)
    result = _fake_quantize(ctx, value, scale, zero_point, quant_min, quant_max)
    return _with_mask(ctx, result, value, scale, zero_point, quant_min, quant_max)


@translator("aten._fake_quantize_per_tensor_affine_cachemask_tensor_qparams")
def fake_quantize_per_tensor_tensor_qparams(ctx):
    # (Tensor self, Tensor scale, Tensor zero_point, Tensor fake_quant_enabled, int quant_min,
    #   int quant_max) -> (Tensor output, Tensor mask)
    value = ctx.input(0)
    if not _flag(ctx, 3, "fake_quant_enabled"):
        ctx.fail("fake_quant_enabled must be a constant 1 (fake quantization switched on)")
    quant_min, quant_max = ctx.arg(4, "quant_min"), ctx.arg(5, "quant_max")
    scale = to_type(ctx.input(1), value.get_element_type())
    zero_point = to_type(ctx.input(2), value.get_element_type())
    result = _fake_quantize(ctx, value, scale, zero_point, quant_min, quant_max)
    return [result, _with_mask(ctx, result, value, scale, zero_point, quant_min, quant_max)[1]]


def _rounded_zero_point(value, zero_point, quant_min, quant_max):
    rounded = ops.round(to_type(zero_point, value.get_element_type()), "half_to_even")
    return out(ops.clamp(rounded, float(quant_min), float(quant_max)))


@translator("aten.fake_quantize_per_channel_affine", "aten::fake_quantize_per_channel_affine",
            "aten.fake_quantize_per_channel_affine_cachemask",
            "aten._fake_quantize_learnable_per_channel_affine",
            "aten::_fake_quantize_learnable_per_channel_affine")
def fake_quantize_per_channel(ctx):
    # aten::fake_quantize_per_channel_affine(Tensor self, Tensor scale, Tensor zero_point,
    #   int axis, int quant_min, int quant_max)
    value = ctx.input(0)
    axis = ctx.arg(3, "axis")
    quant_min, quant_max = ctx.arg(4, "quant_min"), ctx.arg(5, "quant_max")
    scale = _per_channel(ctx, value, to_type(ctx.input(1), value.get_element_type()), axis)
    zero_point = to_type(ctx.input(2), Type.f32 if value.get_element_type().is_dynamic
                         else value.get_element_type())
    if "learnable" in ctx.op:
        zero_point = _rounded_zero_point(value, zero_point, quant_min, quant_max)
    zero_point = _per_channel(ctx, value, zero_point, axis)
    result = _fake_quantize(ctx, value, scale, zero_point, quant_min, quant_max)
    return _with_mask(ctx, result, value, scale, zero_point, quant_min, quant_max)


def _flag(ctx, index, name):
    """The 0/1 value of a flag tensor (a module buffer), which must be known when converting."""
    value = ctx.input(index, name).get_known_value()
    if value is None:
        ctx.fail(f"{name} must be a constant (a module buffer) to convert a fused observer")
    return bool(value.reshape(-1)[0])


@translator("aten.fused_moving_avg_obs_fake_quant", "aten::fused_moving_avg_obs_fake_quant",
            "aten._fused_moving_avg_obs_fq_helper_functional",
            "aten._fused_moving_avg_obs_fq_helper")
def fused_moving_avg_obs_fake_quant(ctx):
    # aten::fused_moving_avg_obs_fake_quant(Tensor self, Tensor observer_on, Tensor fake_quant_on,
    #   Tensor running_min, Tensor running_max, Tensor scale, Tensor zero_point,
    #   float averaging_const, int quant_min, int quant_max, int ch_axis,
    #   bool per_row_fake_quant=False, bool symmetric_quant=False) -> Tensor
    # (the export route's _functional helper also returns mask, running_min, running_max, scale,
    # zero_point). The default QAT observer: with the observer off (after
    # torch.ao.quantization.disable_observer) it is fake quantization with the stored scale and
    # zero point; with it on, every call would change the scale, which a converted model cannot.
    value = ctx.input(0)
    if _flag(ctx, 1, "observer_on"):
        ctx.fail("the fake-quantize observer is still on (it updates scale and zero point on "
                 "every call); call model.apply(torch.ao.quantization.disable_observer) "
                 "before converting")
    quant_min, quant_max = ctx.arg(8, "quant_min"), ctx.arg(9, "quant_max")
    scale = to_type(ctx.input(5, "scale"), value.get_element_type())
    zero_point = to_type(ctx.input(6, "zero_point"), value.get_element_type())
    if ctx.arg(11, "per_row_fake_quant", False):
        axis = ctx.arg(10, "ch_axis")
        scale, zero_point = (_per_channel(ctx, value, scale, axis),
                             _per_channel(ctx, value, zero_point, axis))
    if _flag(ctx, 2, "fake_quant_on"):
        result = _fake_quantize(ctx, value, scale, zero_point, quant_min, quant_max)
    else:
        result = value
    if "helper" not in ctx.op:
        return result
    # mask: where the quantized value lies inside [quant_min, quant_max] (what backward uses)
    quantized = ops.round(ops.add(ops.divide(value, scale), zero_point), "half_to_even")
    mask = out(ops.logical_and(ops.greater_equal(quantized, ctx.const_like(float(quant_min), value)),
                               ops.less_equal(quantized, ctx.const_like(float(quant_max), value))))
    return [result, mask, ctx.input(3), ctx.input(4), ctx.input(5), ctx.input(6)]
