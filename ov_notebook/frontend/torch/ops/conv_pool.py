"""Convolution and pooling translators: (Group)Convolution, (Group)ConvolutionBackpropData,
MaxPool-14, AvgPool-16 and the adaptive pools.

torch weights are ``[O, I/groups, k...]`` (transposed: ``[I, O/groups, k...]``); grouped
convolutions reshape them to OpenVINO's ``[groups, O/groups, I/groups, k...]``. Unbatched inputs
(``[C, spatial...]``) get a batch axis for the op and lose it afterwards, as in torch.
"""
from __future__ import annotations

import re

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (as_list, dims_of, i64, known_arg, out, rank_of, sizes_input,
                      static_rank, to_type)


def _per_axis(ctx, value, count, what):
    values = as_list(value)
    if len(values) == 1:
        values = values * count
    if len(values) != count:
        ctx.fail(f"{what} {value} must have 1 or {count} values")
    return [int(v) for v in values]


def _batched(value, spatial):
    """``value`` with a batch axis, and whether one was added (torch accepts unbatched input)."""
    if rank_of(value) == spatial + 1:
        return out(ops.unsqueeze(value, i64([0]))), True
    return value, False


def _unbatched(value, added):
    return out(ops.squeeze(value, i64([0]))) if added else value


def _grouped_weight(ctx, weight, groups):
    """``[O, I/g, k...]`` -> ``[g, O/g, I/g, k...]``; a weight whose shape only run time knows
    (computed, or an input) is reshaped to ``[g, -1, shape[1:]...]`` then."""
    shape = weight.get_partial_shape()
    if shape.is_static:
        dims = list(shape.to_shape())
        return out(ops.reshape(weight, i64([groups, dims[0] // groups] + dims[1:]), False))
    rank = static_rank(ctx, weight, "weight")
    target = ops.concat([i64([groups, -1]), dims_of(weight, range(1, rank))], 0)
    return out(ops.reshape(weight, target, False))


def _explicit_same_pads(weight, dilations):
    """torch's ``padding='same'``: total ``d * (k - 1)``, the odd element at the end."""
    kernel = list(weight.get_partial_shape().to_shape())[2:]
    totals = [d * (k - 1) for k, d in zip(kernel, dilations)]
    return [t // 2 for t in totals], [t - t // 2 for t in totals]


def _add_bias(ctx, value, bias, spatial):
    if bias is None:
        return value
    bias = out(ops.unsqueeze(bias, i64(list(range(1, spatial + 1))))) if spatial else bias
    return out(ops.add(value, bias))


def convolution(ctx, data, weight, bias, stride, padding, dilation, transposed=False,
                output_padding=0, groups=1):
    """The shared body of every convolution translator."""
    spatial = static_rank(ctx, weight, "weight") - 2
    strides = _per_axis(ctx, stride, spatial, "stride")
    dilations = _per_axis(ctx, dilation, spatial, "dilation")
    if padding == "valid":
        pads_begin = pads_end = [0] * spatial
    elif padding == "same":
        pads_begin, pads_end = _explicit_same_pads(weight, dilations)
    else:
        pads_begin = pads_end = _per_axis(ctx, padding, spatial, "padding")
    data, added = _batched(data, spatial)
    if groups != 1:
        weight = _grouped_weight(ctx, weight, groups)
    if transposed:
        builder = ops.group_convolution_backprop_data if groups != 1 else \
            ops.convolution_backprop_data
        result = builder(data, weight, strides, pads_begin=pads_begin, pads_end=pads_end,
                         dilations=dilations,
                         output_padding=_per_axis(ctx, output_padding, spatial, "output_padding"))
    else:
        builder = ops.group_convolution if groups != 1 else ops.convolution
        result = builder(data, weight, strides, pads_begin, pads_end, dilations)
    return _unbatched(_add_bias(ctx, out(result), bias, spatial), added)


@translator("aten.convolution", "aten::_convolution", "aten::convolution")
def convolution_(ctx):
    # aten::convolution(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride,
    #   SymInt[] padding, SymInt[] dilation, bool transposed, SymInt[] output_padding, SymInt groups)
    return convolution(ctx, ctx.input(0), ctx.input(1), ctx.optional_input(2), ctx.arg(3, "stride"),
                       ctx.arg(4, "padding"), ctx.arg(5, "dilation"), ctx.arg(6, "transposed"),
                       ctx.arg(7, "output_padding"), ctx.arg(8, "groups"))


@translator("aten.conv1d", "aten.conv2d", "aten.conv3d", "aten::conv1d", "aten::conv2d",
            "aten::conv3d", "aten::_convolution_mode")
def conv_nd(ctx):
    # aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=1,
    #   SymInt[2] padding=0, SymInt[2] dilation=1, SymInt groups=1); padding may be "same"/"valid"
    return convolution(ctx, ctx.input(0), ctx.input(1), ctx.optional_input(2),
                       ctx.arg(3, "stride", 1), ctx.arg(4, "padding", 0), ctx.arg(5, "dilation", 1),
                       groups=ctx.arg(6, "groups", 1))


@translator("aten.conv_transpose1d", "aten.conv_transpose2d", "aten.conv_transpose3d",
            "aten::conv_transpose1d", "aten::conv_transpose2d", "aten::conv_transpose3d")
def conv_transpose_nd(ctx):
    # aten::conv_transpose2d.input(Tensor input, Tensor weight, Tensor? bias=None,
    #   SymInt[2] stride=1, SymInt[2] padding=0, SymInt[2] output_padding=0, SymInt groups=1,
    #   SymInt[2] dilation=1)
    return convolution(ctx, ctx.input(0), ctx.input(1), ctx.optional_input(2),
                       ctx.arg(3, "stride", 1), ctx.arg(4, "padding", 0), ctx.arg(7, "dilation", 1),
                       True, ctx.arg(5, "output_padding", 0), ctx.arg(6, "groups", 1))


def _spatial_rank(ctx):
    match = re.search(r"(\d)d", ctx.op)
    return int(match.group(1))


def _window(ctx, spatial):
    kernel = _per_axis(ctx, ctx.arg(1, "kernel_size"), spatial, "kernel_size")
    stride = ctx.arg(2, "stride", None)
    strides = _per_axis(ctx, stride, spatial, "stride") if as_list(stride) else kernel
    pads = _per_axis(ctx, ctx.arg(3, "padding", 0), spatial, "padding")
    return kernel, strides, pads


@translator("aten.max_pool1d", "aten.max_pool2d", "aten.max_pool3d",
            "aten.max_pool1d_with_indices", "aten.max_pool2d_with_indices",
            "aten.max_pool3d_with_indices", "aten::max_pool1d", "aten::max_pool2d",
            "aten::max_pool3d", "aten::max_pool1d_with_indices", "aten::max_pool2d_with_indices",
            "aten::max_pool3d_with_indices")
def max_pool(ctx):
    # aten::max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0,
    #   int[2] dilation=1, bool ceil_mode=False) -> Tensor (_with_indices: also the indices)
    spatial = _spatial_rank(ctx)
    kernel, strides, pads = _window(ctx, spatial)
    dilations = _per_axis(ctx, ctx.arg(4, "dilation", 1), spatial, "dilation")
    rounding = "ceil_torch" if ctx.arg(5, "ceil_mode", False) else "floor"
    data, added = _batched(ctx.input(0), spatial)
    # axis=2: torch numbers the indices within each (batch, channel) plane
    node = ops.max_pool(data, strides, dilations, pads, pads, kernel, rounding_type=rounding,
                        index_element_type="i64", axis=2)
    values = _unbatched(node.output(0), added)
    if "with_indices" not in ctx.op:
        return values
    return [values, _unbatched(node.output(1), added)]


@translator("aten.avg_pool1d", "aten.avg_pool2d", "aten.avg_pool3d", "aten::avg_pool1d",
            "aten::avg_pool2d", "aten::avg_pool3d")
def avg_pool(ctx):
    # aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0,
    #   bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None)
    spatial = _spatial_rank(ctx)
    kernel, strides, pads = _window(ctx, spatial)
    ceil = bool(ctx.arg(4, "ceil_mode", False))
    include_pad = bool(ctx.arg(5, "count_include_pad", True))
    divisor = ctx.arg(6, "divisor_override", None)
    data, added = _batched(ctx.input(0), spatial)
    exclude_pad, factor = not include_pad, None
    if divisor is not None or (ceil and include_pad and any(pads)):
        exclude_pad, factor = _rescaling(ctx, data, kernel, strides, pads, ceil, divisor)
    node = out(ops.avg_pool(data, strides, pads, pads, kernel, exclude_pad,
                            rounding_type="ceil_torch" if ceil else "floor"))
    if factor is not None:
        node = out(ops.multiply(node, to_type(ctx.const(np.asarray(factor, np.float32)),
                                              node.get_element_type())))
    return _unbatched(node, added)


def _rescaling(ctx, data, kernel, strides, pads, ceil, divisor):
    """``(exclude_pad, factor)``: AvgPool's means times ``factor`` are torch's window sums divided
    by ``divisor_override``, or, in ceil mode counting the padding, by the window clipped to the
    padded input (AvgPool-14 divides a window overhanging it by the whole kernel)."""
    if not ceil:  # every window lies in the padded input and AvgPool divides by the kernel area
        return False, float(np.prod(kernel)) / divisor
    inside, padded = _window_counts(ctx, data, kernel, strides, pads)
    if divisor is not None:
        return True, inside / divisor
    if np.all(padded == np.prod(kernel)):  # no window overhangs: AvgPool agrees with torch
        return False, None
    return True, inside / padded


def _window_counts(ctx, data, kernel, strides, pads):
    """Per output position of a ceil-mode pool, the elements of its window inside the input and
    inside the padded input (torch's ``count_include_pad`` divisor), as [spatial...] arrays."""
    shape = data.get_partial_shape()
    if not all(d.is_static for d in list(shape)[2:]):
        ctx.fail("avg_pool in ceil mode with divisor_override or with padding it counts "
                 "(count_include_pad) needs static spatial sizes")
    inside, padded = np.ones([], np.float32), np.ones([], np.float32)
    for length, size, stride, pad in zip([d.get_length() for d in list(shape)[2:]], kernel,
                                         strides, pads):
        outputs = -(-(length + 2 * pad - size) // stride) + 1
        if (outputs - 1) * stride >= length + pad:  # the last window must start inside
            outputs -= 1
        starts = np.arange(outputs) * stride - pad
        ends = np.minimum(starts + size, length + pad)
        inside = np.multiply.outer(inside, np.minimum(ends, length) - np.maximum(starts, 0))
        padded = np.multiply.outer(padded, ends - starts)
    return inside.astype(np.float32), padded.astype(np.float32)


@translator("aten.adaptive_avg_pool1d", "aten.adaptive_avg_pool2d", "aten.adaptive_avg_pool3d",
            "aten._adaptive_avg_pool2d", "aten._adaptive_avg_pool3d", "aten::adaptive_avg_pool1d",
            "aten::adaptive_avg_pool2d", "aten::adaptive_avg_pool3d")
def adaptive_avg_pool(ctx):  # aten::adaptive_avg_pool2d(Tensor self, SymInt[2] output_size)
    spatial = _spatial_rank(ctx)
    data, added = _batched(ctx.input(0), spatial)
    sizes = _output_size(ctx, spatial)
    return _unbatched(out(ops.adaptive_avg_pool(data, sizes)), added)


def _output_size(ctx, spatial):
    sizes = None if ctx.is_tensor(1) else known_arg(ctx, 1, "output_size")
    if sizes is not None:
        return i64(_per_axis(ctx, sizes, spatial, "output_size"))
    return sizes_input(ctx, 1, "output_size")


@translator("aten.adaptive_max_pool1d", "aten.adaptive_max_pool2d", "aten.adaptive_max_pool3d",
            "aten::adaptive_max_pool1d", "aten::adaptive_max_pool2d", "aten::adaptive_max_pool3d")
def adaptive_max_pool(ctx):
    # aten::adaptive_max_pool2d(Tensor self, int[2] output_size) -> (Tensor, Tensor)
    spatial = _spatial_rank(ctx)
    data, added = _batched(ctx.input(0), spatial)
    # i32 indices, as OpenVINO's frontend makes them (its CPU plugin has no i64 kernel here)
    node = ops.adaptive_max_pool(data, _output_size(ctx, spatial), "i32")
    indices = to_type(node.output(1), Type.i64)
    return [_unbatched(node.output(0), added), _unbatched(indices, added)]
