"""ONNX neural-network ops: convolutions, pooling, normalization, Gemm/MatMul, softmax."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ..registry import onnx_op

_AUTO_PAD = {"NOTSET": "explicit", "VALID": "valid", "SAME_UPPER": "same_upper",
             "SAME_LOWER": "same_lower"}


def _spatial_rank(ctx, x, kernel_from=None):
    shape = x.get_partial_shape()
    if shape.rank_is_static:
        return len(shape) - 2
    if kernel_from is not None and kernel_from.get_partial_shape().rank_is_static:
        return len(kernel_from.get_partial_shape()) - 2
    if ctx.has_attr("kernel_shape"):
        return len(ctx.attr("kernel_shape"))
    ctx.fail("the input rank must be known")


def _window(ctx, rank):
    """strides, dilations, pads_begin, pads_end, auto_pad from ONNX attributes."""
    pads = list(ctx.attr("pads", [0] * (2 * rank)))
    return (list(ctx.attr("strides", [1] * rank)), list(ctx.attr("dilations", [1] * rank)),
            pads[:rank], pads[rank:], _AUTO_PAD.get(ctx.attr("auto_pad", "NOTSET"), "explicit"))


def _add_channel_bias(output, bias, rank):
    # bias [C] broadcast over N, C, spatial...: reshape to [1, C, 1, ...]
    shape = ops.constant(np.array([1, -1] + [1] * rank, dtype=np.int64))
    return ops.add(output, ops.reshape(bias, shape, False)).output(0)


def _grouped_filters(weights, group):
    # [C_out, C_in/g, k...] -> [g, C_out/g, C_in/g, k...]
    shape = weights.get_partial_shape()
    head = ops.constant(np.array([group, -1], dtype=np.int64))
    tail = ops.slice(ops.shape_of(weights), [1], [np.iinfo(np.int64).max], [1])
    return ops.reshape(weights, ops.concat([head, tail], 0), False).output(0) \
        if not shape.is_static else ops.reshape(
            weights, [group, shape[0].get_length() // group] + [d.get_length() for d in shape][1:],
            False).output(0)


@onnx_op("Conv")
def conv(ctx):  # Y = conv(X, W) + B
    x, weights = ctx.input(0), ctx.input(1)
    rank = _spatial_rank(ctx, x, weights)
    strides, dilations, begin, end, auto_pad = _window(ctx, rank)
    group = ctx.attr("group", 1)
    if group == 1:
        y = ops.convolution(x, weights, strides, begin, end, dilations, auto_pad).output(0)
    else:
        y = ops.group_convolution(x, _grouped_filters(weights, group), strides, begin, end,
                                  dilations, auto_pad).output(0)
    return _add_channel_bias(y, ctx.input(2), rank) if ctx.has_input(2) else y


@onnx_op("ConvTranspose")
def conv_transpose(ctx):
    x, weights = ctx.input(0), ctx.input(1)
    rank = _spatial_rank(ctx, x, weights)
    strides, dilations, begin, end, auto_pad = _window(ctx, rank)
    output_padding = list(ctx.attr("output_padding", [0] * rank))
    group = ctx.attr("group", 1)
    output_shape = ctx.attr("output_shape", None)
    shape_input = ops.constant(np.array(output_shape[-rank:], dtype=np.int64)) if output_shape else None
    if output_shape and auto_pad == "explicit":
        auto_pad = "same_upper"  # ONNX computes the pads from output_shape as SAME_UPPER does
    if group == 1:
        y = ops.convolution_backprop_data(x, weights, strides, shape_input, begin, end, dilations,
                                          auto_pad, output_padding).output(0)
    else:
        # [C_in, C_out/g, k...] -> [g, C_in/g, C_out/g, k...]
        y = ops.group_convolution_backprop_data(x, _grouped_filters(weights, group), strides,
                                                shape_input, begin, end, dilations, auto_pad,
                                                output_padding).output(0)
    return _add_channel_bias(y, ctx.input(2), rank) if ctx.has_input(2) else y


def _rounding(ctx):
    return "ceil" if ctx.attr("ceil_mode", 0) else "floor"


@onnx_op("MaxPool")
def max_pool(ctx):
    x = ctx.input(0)
    kernel = list(ctx.attr("kernel_shape"))
    strides, dilations, begin, end, auto_pad = _window(ctx, len(kernel))
    if ctx.attr("storage_order", 0):
        ctx.fail("storage_order=1 (column-major indices) is not supported")
    pool = ops.max_pool(x, strides, dilations, begin, end, kernel, _rounding(ctx), auto_pad, "i64")
    return [pool.output(0), pool.output(1)]


@onnx_op("AveragePool")
def average_pool(ctx):
    x = ctx.input(0)
    kernel = list(ctx.attr("kernel_shape"))
    strides, dilations, begin, end, auto_pad = _window(ctx, len(kernel))
    if any(d != 1 for d in dilations):
        ctx.fail("dilated AveragePool is not supported")
    exclude_pad = not ctx.attr("count_include_pad", 0)
    return ops.avg_pool(x, strides, begin, end, kernel, exclude_pad, _rounding(ctx),
                        auto_pad).output(0)


def _spatial_axes(ctx, x):
    shape = x.get_partial_shape()
    if not shape.rank_is_static:
        ctx.fail("global pooling needs an input of known rank")
    return list(range(2, len(shape)))


@onnx_op("GlobalAveragePool")
def global_average_pool(ctx):
    x = ctx.input(0)
    return ops.reduce_mean(x, _spatial_axes(ctx, x), True).output(0)


@onnx_op("GlobalMaxPool")
def global_max_pool(ctx):
    x = ctx.input(0)
    return ops.reduce_max(x, _spatial_axes(ctx, x), True).output(0)


@onnx_op("BatchNormalization")
def batch_normalization(ctx):  # inference form only
    if ctx.attr("training_mode", 0):
        ctx.fail("training_mode=1 is not supported (export the model in eval mode)")
    x = ctx.input(0)
    return ops.batch_norm_inference(x, ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4),
                                    ctx.attr("epsilon", 1e-5)).output(0)


@onnx_op("InstanceNormalization")
def instance_normalization(ctx):  # MVN over spatial axes, then per-channel scale and bias
    x = ctx.input(0)
    axes = ops.constant(np.array(_spatial_axes(ctx, x), dtype=np.int64))
    normalized = ops.mvn(x, axes, True, ctx.attr("epsilon", 1e-5), "inside_sqrt").output(0)
    rank = len(x.get_partial_shape()) - 2
    scaled = ops.multiply(normalized, ops.reshape(ctx.input(1), [1, -1] + [1] * rank, False))
    return _add_channel_bias(scaled.output(0), ctx.input(2), rank)


@onnx_op("LayerNormalization", since=17)
def layer_normalization(ctx):  # MVN over axes [axis, rank) then scale and bias
    x = ctx.input(0)
    shape = x.get_partial_shape()
    if not shape.rank_is_static:
        ctx.fail("LayerNormalization needs an input of known rank")
    axis = ctx.attr("axis", -1)
    axis = axis + len(shape) if axis < 0 else axis
    axes = ops.constant(np.arange(axis, len(shape), dtype=np.int64))
    y = ops.mvn(x, axes, True, ctx.attr("epsilon", 1e-5), "inside_sqrt").output(0)
    y = ops.multiply(y, ctx.input(1)).output(0)
    return ops.add(y, ctx.input(2)).output(0) if ctx.has_input(2) else y


@onnx_op("GroupNormalization", since=18)
def group_normalization(ctx):
    x = ctx.input(0)
    groups = ctx.attr("num_groups")
    scale, bias = ctx.input(1), ctx.input(2)
    if ctx.opset < 21:  # opset 18 scales per group: expand to per channel
        channels = x.get_partial_shape()[1].get_length()
        repeat = ops.constant(np.array([channels // groups], dtype=np.int64))
        scale = ops.reshape(ops.tile(ops.unsqueeze(scale, [1]), ops.concat(
            [ops.constant(np.array([1], np.int64)), repeat], 0)), [-1], False).output(0)
        bias = ops.reshape(ops.tile(ops.unsqueeze(bias, [1]), ops.concat(
            [ops.constant(np.array([1], np.int64)), repeat], 0)), [-1], False).output(0)
    return ops.group_normalization(x, scale, bias, groups, ctx.attr("epsilon", 1e-5)).output(0)


@onnx_op("LRN")
def lrn(ctx):
    return ops.lrn(ctx.input(0), ops.constant(np.array([1], np.int64)), ctx.attr("alpha", 1e-4),
                   ctx.attr("beta", 0.75), ctx.attr("bias", 1.0), ctx.attr("size")).output(0)


@onnx_op("Gemm")
def gemm(ctx):  # alpha * A' B' + beta * C
    a, b = ctx.input(0), ctx.input(1)
    y = ops.matmul(a, b, bool(ctx.attr("transA", 0)), bool(ctx.attr("transB", 0))).output(0)
    alpha, beta = ctx.attr("alpha", 1.0), ctx.attr("beta", 1.0)
    if alpha != 1.0:
        y = ops.multiply(y, ctx.const_like(alpha, y)).output(0)
    if ctx.has_input(2) and beta != 0.0:
        c = ctx.input(2)
        if beta != 1.0:
            c = ops.multiply(c, ctx.const_like(beta, c)).output(0)
        y = ops.add(y, c).output(0)
    return y


@onnx_op("MatMul")
def matmul(ctx):
    return ops.matmul(ctx.input(0), ctx.input(1), False, False).output(0)


@onnx_op("Einsum")
def einsum(ctx):
    return ops.einsum([v for v in ctx.inputs() if v is not None],
                      ctx.attr("equation").replace(" ", "")).output(0)


def _softmax_family(op_type, builder_name):
    @onnx_op(op_type)
    def coerced(ctx):  # before opset 13 the input is flattened to 2-D at axis
        x = ctx.input(0)
        axis = ctx.attr("axis", 1)
        if axis < 0:
            if not x.get_partial_shape().rank_is_static:
                ctx.fail("a negative axis needs an input of known rank")
            axis += len(x.get_partial_shape())
        shape = ops.shape_of(x)
        flat = ops.reshape(x, ops.concat([ops.slice(shape, [0], [axis], [1]), ops.constant(
            np.array([-1], np.int64))], 0), False) if axis > 0 else ops.reshape(x, [1, -1], False)
        y = getattr(ops, builder_name)(flat, -1)
        return ops.reshape(y, shape, False).output(0)

    @onnx_op(op_type, since=13)
    def single_axis(ctx):
        return getattr(ops, builder_name)(ctx.input(0), ctx.attr("axis", -1)).output(0)

    return coerced, single_axis


_softmax_family("Softmax", "softmax")
_softmax_family("LogSoftmax", "log_softmax")


@onnx_op("Flatten")
def flatten(ctx):  # 2-D: [prod(shape[:axis]), prod(shape[axis:])]
    x = ctx.input(0)
    axis = ctx.attr("axis", 1)
    shape = x.get_partial_shape()
    if axis < 0:
        if not shape.rank_is_static:
            ctx.fail("a negative axis needs an input of known rank")
        axis += len(shape)
    if axis == 0:
        return ops.reshape(x, [1, -1], False).output(0)
    head = ops.reduce_prod(ops.slice(ops.shape_of(x), [0], [axis], [1]), [0], True)
    return ops.reshape(x, ops.concat([head, ops.constant(np.array([-1], np.int64))], 0),
                       False).output(0)
