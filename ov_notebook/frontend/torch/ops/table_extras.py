"""More ops of OpenVINO's op table, composed from existing IR operations: isnan, isinf,
isfinite, atan2, pixel_shuffle / pixel_unshuffle (DepthToSpace / SpaceToDepth, depth_first),
channel_shuffle (ShuffleChannels), take_along_dim, aminmax, fill (TorchScript's functional
form). (_shape_as_tensor is with the detection translators.)
"""
from __future__ import annotations

import math

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from .creation import fill
from ._common import i64, normalize_axis, out, promoted, rank_of, shape_of, static_rank, to_type


def _special_values(ctx):
    value = ctx.input(0)
    return value, value.get_element_type().is_real


@translator("aten.isnan", "aten::isnan")
def isnan(ctx):  # aten::isnan(Tensor self) -> Tensor: NaN is the only value unequal to itself
    value, real = _special_values(ctx)
    if not real:
        return out(ops.broadcast(ctx.const(False), shape_of(value)))
    return out(ops.not_equal(value, value))


@translator("aten.isinf", "aten::isinf")
def isinf(ctx):  # aten::isinf(Tensor self) -> Tensor
    value, real = _special_values(ctx)
    if not real:
        return out(ops.broadcast(ctx.const(False), shape_of(value)))
    return out(ops.equal(ops.absolute(value), ctx.const_like(math.inf, value)))


@translator("aten.isfinite", "aten::isfinite")
def isfinite(ctx):  # aten::isfinite(Tensor self) -> Tensor: x - x is 0 unless x is inf or NaN
    value, real = _special_values(ctx)
    if not real:
        return out(ops.broadcast(ctx.const(True), shape_of(value)))
    return out(ops.equal(ops.subtract(value, value), ctx.const_like(0, value)))


@translator("aten.atan2", "aten::atan2", "aten.arctan2", "aten::arctan2")
def atan2(ctx):  # aten::atan2(Tensor self, Tensor other) -> Tensor: the angle of (other, self)
    (y, x), element_type = promoted(ctx, 0, 1)
    if not element_type.is_real:
        y, x = to_type(y, Type.f32), to_type(x, Type.f32)
    zero, pi = ctx.const_like(0, y), ctx.const_like(math.pi, y)
    base = ops.atan(ops.divide(y, x))  # x == 0: +-inf -> +-pi/2
    # x < 0: shift by pi towards y's side (y >= 0: +pi, else -pi)
    shift = ops.select(ops.greater_equal(y, zero), pi, ops.negative(pi))
    angle = ops.select(ops.less(x, zero), ops.add(base, shift), base)
    both_zero = ops.logical_and(ops.equal(x, zero), ops.equal(y, zero))
    return out(ops.select(both_zero, zero, angle))


def _factor(ctx, name):
    factor = ctx.arg(1, name)
    if factor <= 0:
        ctx.fail(f"{name} must be positive, got {factor}")
    return factor


@translator("aten::pixel_shuffle", "aten.pixel_shuffle")
def pixel_shuffle(ctx):  # aten::pixel_shuffle(Tensor self, int upscale_factor) -> Tensor
    value = ctx.input(0)
    if static_rank(ctx, value) != 4:
        ctx.fail("pixel_shuffle of tensors other than 4-D [N, C*r*r, H, W] is not supported")
    return out(ops.depth_to_space(value, "depth_first", _factor(ctx, "upscale_factor")))


@translator("aten::pixel_unshuffle", "aten.pixel_unshuffle")
def pixel_unshuffle(ctx):  # aten::pixel_unshuffle(Tensor self, int downscale_factor) -> Tensor
    value = ctx.input(0)
    if static_rank(ctx, value) != 4:
        ctx.fail("pixel_unshuffle of tensors other than 4-D [N, C, H*r, W*r] is not supported")
    return out(ops.space_to_depth(value, "depth_first", _factor(ctx, "downscale_factor")))


@translator("aten::channel_shuffle", "aten.channel_shuffle", "aten::native_channel_shuffle",
            "aten.native_channel_shuffle")
def channel_shuffle(ctx):  # aten::channel_shuffle(Tensor self, SymInt groups) -> Tensor
    return out(ops.shuffle_channels(ctx.input(0), 1, _factor(ctx, "groups")))


@translator("aten::take_along_dim", "aten.take_along_dim")
def take_along_dim(ctx):  # aten::take_along_dim(Tensor self, Tensor indices, int? dim=None)
    value, indices = ctx.input(0), to_type(ctx.input(1), Type.i64)
    dim = ctx.arg(2, "dim", None)
    if dim is None:  # over the flattened input
        value, indices, axis = out(ops.reshape(value, i64([-1]), False)), \
            out(ops.reshape(indices, i64([-1]), False)), 0
        return out(ops.gather_elements(value, indices, axis))
    rank = static_rank(ctx, value)
    if rank_of(indices) != rank:
        ctx.fail("indices must have the rank of the input")
    axis = normalize_axis(ctx, dim, rank)
    # both broadcast against each other except along dim, as torch does
    ones = i64([1] * rank)
    value_shape = ops.scatter_update(shape_of(value), i64([axis]), i64([1]), i64(0))
    index_shape = ops.scatter_update(shape_of(indices), i64([axis]), i64([1]), i64(0))
    common = ops.maximum(ops.maximum(value_shape, index_shape), ones)
    value_target = ops.scatter_update(common, i64([axis]), ops.gather(shape_of(value), i64([axis]),
                                                                      i64(0)), i64(0))
    index_target = ops.scatter_update(common, i64([axis]),
                                      ops.gather(shape_of(indices), i64([axis]), i64(0)), i64(0))
    value = out(ops.broadcast(value, value_target))
    indices = out(ops.broadcast(indices, index_target))
    # negative indices count from the end, as torch allows
    length = ops.gather(shape_of(value), i64([axis]), i64(0))
    indices = out(ops.select(ops.less(indices, i64(0)), ops.add(indices, length), indices))
    return out(ops.gather_elements(value, indices, axis))


@translator("aten::aminmax", "aten.aminmax")
def aminmax(ctx):  # aten::aminmax(Tensor self, *, int? dim=None, bool keepdim=False) -> (min, max)
    value = ctx.input(0)
    dim, keepdim = ctx.arg(None, "dim", None), bool(ctx.arg(None, "keepdim", False))
    if dim is None:
        value, axes, keepdim = out(ops.reshape(value, i64([-1]), False)), [0], False
    else:
        axes = [normalize_axis(ctx, dim, static_rank(ctx, value))]
    return [out(ops.reduce_min(value, i64(axes), keepdim)),
            out(ops.reduce_max(value, i64(axes), keepdim))]


translator("aten::fill")(fill)  # the functional form of aten::fill_
