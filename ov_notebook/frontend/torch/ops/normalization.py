"""Normalization translators, as OpenVINO's PyTorch frontend builds them: batch_norm (eval) ->
BatchNormInference; layer/group/instance norm and training-mode batch norm -> MVN (eps inside
the square root, like torch) followed by Multiply/Add with the affine parameters."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ..registry import translator
from ._common import i64, out, shape_of, static_rank


def _per_channel(value, rank):
    """A ``[C]`` parameter shaped ``[C, 1, ...]`` to broadcast against ``[N, C, spatial...]``."""
    return out(ops.unsqueeze(value, i64(list(range(1, rank - 1))))) if rank > 2 else value


def _affine(value, weight, bias, rank=None):
    """``value * weight + bias``; per channel when ``rank`` is given, else on the last axes."""
    if weight is not None:
        value = out(ops.multiply(value, weight if rank is None else _per_channel(weight, rank)))
    if bias is not None:
        value = out(ops.add(value, bias if rank is None else _per_channel(bias, rank)))
    return value


def _mvn(value, axes, eps):
    return out(ops.mvn(value, i64(axes), True, float(eps), "inside_sqrt"))


def _filled_channels(ctx, value, fill):
    """A ``[C]`` tensor of ``fill`` for a missing affine parameter (C from ``value``'s axis 1)."""
    channels = value.get_partial_shape()[1]
    if channels.is_static:
        return ctx.const(np.full(channels.get_length(), fill, value.get_element_type().to_dtype()))
    return out(ops.broadcast(ctx.const_like(fill, value), ops.gather(
        shape_of(value), i64([1]), i64(0))))


def batch_norm(ctx, value, weight, bias, mean, var, training, eps):
    """The body of every batch-norm variant; training mode normalizes with batch statistics."""
    rank = static_rank(ctx, value)
    if training or mean is None or var is None:
        normalized = _mvn(value, [0] + list(range(2, rank)), eps)
        return _affine(normalized, weight, bias, rank)
    gamma = weight if weight is not None else _filled_channels(ctx, value, 1)
    beta = bias if bias is not None else _filled_channels(ctx, value, 0)
    return out(ops.batch_norm_inference(value, gamma, beta, mean, var, float(eps)))


def _empty(ctx, like):
    return ctx.const(np.zeros(0, like.get_element_type().to_dtype()))


@translator("aten.batch_norm", "aten::batch_norm")
def batch_norm_(ctx):
    # aten::batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean,
    #   Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled)
    return batch_norm(ctx, ctx.input(0), ctx.optional_input(1), ctx.optional_input(2),
                      ctx.optional_input(3), ctx.optional_input(4), ctx.arg(5, "training"),
                      ctx.arg(7, "eps"))


@translator("aten._native_batch_norm_legit_no_training")
def native_batch_norm_no_training(ctx):
    # aten::_native_batch_norm_legit_no_training(Tensor input, Tensor? weight, Tensor? bias,
    #   Tensor running_mean, Tensor running_var, float momentum, float eps) -> (Tensor, Tensor, Tensor)
    value = ctx.input(0)
    result = batch_norm(ctx, value, ctx.optional_input(1), ctx.optional_input(2), ctx.input(3),
                        ctx.input(4), False, ctx.arg(6, "eps"))
    return [result, _empty(ctx, value), _empty(ctx, value)]  # no saved statistics in inference


@translator("aten.native_batch_norm", "aten._native_batch_norm_legit")
def native_batch_norm(ctx):
    # aten::native_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean,
    #   Tensor? running_var, bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor);
    # _native_batch_norm_legit.no_stats has no running statistics, so arguments go by name
    value = ctx.input(0)
    result = batch_norm(ctx, value, ctx.optional_input(1), ctx.optional_input(2),
                        ctx.optional_input(None, "running_mean"),
                        ctx.optional_input(None, "running_var"), ctx.arg(None, "training"),
                        ctx.arg(None, "eps"))
    return [result, _empty(ctx, value), _empty(ctx, value)]


def _last_axes(ctx, index):
    count = len(ctx.arg(index, "normalized_shape"))
    return list(range(-count, 0))


@translator("aten.layer_norm", "aten::layer_norm")
def layer_norm(ctx):
    # aten::layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None,
    #   Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True) -> Tensor
    normalized = _mvn(ctx.input(0), _last_axes(ctx, 1), ctx.arg(4, "eps", 1e-5))
    return _affine(normalized, ctx.optional_input(2), ctx.optional_input(3))


def _statistics(ctx, value, axes, eps):
    """Mean and 1 / sqrt(var + eps) over ``axes`` (kept), as torch's native norms return them."""
    mean = out(ops.reduce_mean(value, i64(axes), True))
    centered = ops.subtract(value, mean)
    variance = ops.reduce_mean(ops.multiply(centered, centered), i64(axes), True)
    rstd = ops.divide(ctx.const_like(1, value),
                      ops.sqrt(ops.add(variance, ctx.const_like(eps, value))))
    return mean, out(rstd)


@translator("aten.native_layer_norm")
def native_layer_norm(ctx):
    # aten::native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight,
    #   Tensor? bias, float eps) -> (Tensor, Tensor, Tensor)
    value, axes, eps = ctx.input(0), _last_axes(ctx, 1), ctx.arg(4, "eps")
    result = _affine(_mvn(value, axes, eps), ctx.optional_input(2), ctx.optional_input(3))
    return [result, *_statistics(ctx, value, axes, eps)]


def _grouped(value, groups):
    # [N, C, *] -> [N, groups, C / groups * prod(*)]
    return out(ops.reshape(value, i64([0, groups, -1]), True))


@translator("aten.group_norm", "aten::group_norm")
def group_norm(ctx):
    # aten::group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None,
    #   float eps=1e-05, bool cudnn_enabled=True) -> Tensor
    value = ctx.input(0)
    normalized = _mvn(_grouped(value, ctx.arg(1, "num_groups")), [2], ctx.arg(4, "eps", 1e-5))
    restored = out(ops.reshape(normalized, shape_of(value), False))
    return _affine(restored, ctx.optional_input(2), ctx.optional_input(3),
                   static_rank(ctx, value))


@translator("aten.native_group_norm")
def native_group_norm(ctx):
    # aten::native_group_norm(Tensor input, Tensor? weight, Tensor? bias, SymInt N, SymInt C,
    #   SymInt HxW, int group, float eps) -> (Tensor, Tensor, Tensor)
    value, eps = ctx.input(0), ctx.arg(7, "eps")
    grouped = _grouped(value, ctx.arg(6, "group"))
    restored = out(ops.reshape(_mvn(grouped, [2], eps), shape_of(value), False))
    result = _affine(restored, ctx.optional_input(1), ctx.optional_input(2),
                     static_rank(ctx, value))
    mean, rstd = _statistics(ctx, grouped, [2], eps)
    return [result, out(ops.squeeze(mean, i64([2]))), out(ops.squeeze(rstd, i64([2])))]


@translator("aten.instance_norm", "aten::instance_norm")
def instance_norm(ctx):
    # aten::instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean,
    #   Tensor? running_var, bool use_input_stats, float momentum, float eps, bool cudnn_enabled)
    value, eps = ctx.input(0), ctx.arg(7, "eps")
    weight, bias = ctx.optional_input(1), ctx.optional_input(2)
    if not ctx.arg(5, "use_input_stats"):
        return batch_norm(ctx, value, weight, bias, ctx.input(3), ctx.input(4), False, eps)
    rank = static_rank(ctx, value)
    return _affine(_mvn(value, list(range(2, rank)), eps), weight, bias, rank)


@translator("aten.rms_norm", "aten::rms_norm")
def rms_norm(ctx):
    # aten::rms_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None,
    #   float? eps=None) -> Tensor; eps defaults to the dtype's machine epsilon
    value = ctx.input(0)
    eps = ctx.arg(3, "eps", None)
    if eps is None:
        eps = float(np.finfo(value.get_element_type().to_dtype()).eps)
    mean_square = ops.reduce_mean(ops.multiply(value, value), i64(_last_axes(ctx, 1)), True)
    scale = ops.sqrt(ops.add(mean_square, ctx.const_like(eps, value)))
    return _affine(out(ops.divide(value, scale)), ctx.optional_input(2), None)
