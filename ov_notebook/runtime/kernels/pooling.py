"""Pooling kernels: MaxPool (1/8/14), AvgPool (1/14/16), AdaptiveAvgPool-8, AdaptiveMaxPool-8.

Windows are strided views of the padded input, one per kernel tap; the loops run over kernel
taps (or, for separable reductions, over the taps of one axis at a time), never over positions.
Box sums and maxima are separable, so without indices each axis is reduced on its own:
sum(k_i) passes instead of prod(k_i).
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.ops.convolution import dilated, resolve_pads
from ...ir.ops.pooling import pool_output_size
from . import kernel
from ._onednn import global_pool_call, pooling_kernel, run_pooling


def _geometry(x, kernel_shape, strides, dilations, pads_begin, pads_end, auto_pad, rounding,
              first=2):
    """(dilations, pads_begin, padded end, output sizes); the end pad grows to hold ceil windows.
    ``first``: the first spatial axis (2 for NC..., 1 for channels-last N...C)."""
    count = len(kernel_shape)
    sizes = x.shape[first:first + count]
    dilations = list(dilations) if dilations else [1] * count
    begin, end = resolve_pads(auto_pad, sizes, kernel_shape, strides, dilations, pads_begin,
                              pads_end)
    _check_kernel_fits(sizes, kernel_shape, dilations, begin, end)
    out_sizes = [pool_output_size(n, k, s, d, b, e, rounding) for n, k, s, d, b, e
                 in zip(sizes, kernel_shape, strides, dilations, begin, end)]
    reach = [max(e, (o - 1) * s + dilated(k, d) - n - b) for n, k, s, d, b, e, o
             in zip(sizes, kernel_shape, strides, dilations, begin, end, out_sizes)]
    return dilations, begin, reach, out_sizes


def _check_kernel_fits(sizes, kernel_shape, dilations, begin, end):
    """OpenVINO refuses windows larger than the padded input; sizes only run time knows would
    otherwise pool to an empty output silently."""
    for axis, (n, k, d, b, e) in enumerate(zip(sizes, kernel_shape, dilations, begin, end)):
        if n + b + e < dilated(k, d):
            raise ValueError(f"the dilated kernel ({dilated(k, d)}) is larger than the padded "
                             f"input ({n} + pads {b} + {e} = {n + b + e}) at spatial axis {axis}")


def _padded(x, begin, end, fill, first=2):
    if not any(begin) and not any(end):
        return x
    sizes = x.shape[first:first + len(begin)]
    shape = list(x.shape)
    shape[first:first + len(begin)] = [n + b + e for n, b, e in zip(sizes, begin, end)]
    padded = np.full(shape, fill, x.dtype)
    padded[(slice(None),) * first + tuple(slice(b, b + n) for b, n in zip(begin, sizes))] = x
    return padded


def _lowest(dtype):
    # OpenVINO pads with the lowest finite value, so a window of padding only yields it, not -inf
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


def _axis_taps(array, axis, taps, stride, dilation, size):
    """Views of ``array`` along spatial ``axis`` (2 + i) read by each of ``taps`` kernel taps."""
    lead = (slice(None),) * axis
    return [array[lead + (slice(t * dilation, t * dilation + stride * (size - 1) + 1, stride),)]
            for t in range(taps)]


def _separable(array, kernel_shape, strides, dilations, out_sizes, combine, first=2):
    """Reduce one spatial axis at a time with ``combine`` (np.add or np.maximum)."""
    for index, (k, s, d, o) in enumerate(zip(kernel_shape, strides, dilations, out_sizes)):
        views = _axis_taps(array, first + index, k, s, d, o)
        result = views[0].copy()
        for view in views[1:]:
            combine(result, view, out=result)
        array = result
    return array


# --- MaxPool ------------------------------------------------------------------------------------
def _prepare(average=None):
    def prepare(node, attrs):  # the oneDNN primitive, where the backend is oneDNN
        exclude = attrs.get("exclude-pad", False) if average else None
        return dict(attrs, dnnl=pooling_kernel(node, attrs, exclude))
    return prepare


def _onednn_pool(dnnl, x, attrs, channels_last=False):
    """The oneDNN result (geometry by this module's rules, on the NC... view), or None."""
    return run_pooling(dnnl, x, attrs, lambda logical: _geometry(
        logical, attrs["kernel"], attrs["strides"], attrs.get("dilations", ()),
        attrs.get("pads_begin", ()), attrs.get("pads_end", ()), attrs.get("auto_pad", "explicit"),
        attrs.get("rounding_type", "floor")), channels_last)


@kernel("MaxPool", needs_node=True, prepare=_prepare())
def max_pool(x, *, strides, kernel, pads_begin=(), pads_end=(), rounding_type="floor",
             auto_pad="explicit", dilations=(), index_element_type=None, axis=0, node=None,
             dnnl=None):
    if dnnl is not None and (values := _onednn_pool(dnnl, x, locals())) is not None:
        if index_element_type is None:
            return values
        return values, np.zeros(values.shape, np.dtype(index_element_type.to_dtype()))
    dilations, begin, end, out_sizes = _geometry(x, kernel, strides, dilations, pads_begin,
                                                 pads_end, auto_pad, rounding_type)
    padded = _padded(x, begin, end, _lowest(x.dtype))
    if index_element_type is None:  # MaxPool-1: values only
        return _separable(padded, kernel, strides, dilations, out_sizes, np.maximum)
    index_dtype = np.dtype(index_element_type.to_dtype())
    if node is not None and not node.output(1).get_target_inputs():
        # nobody reads the indices: skip the per-tap bookkeeping (the buffer is never observed)
        values = _separable(padded, kernel, strides, dilations, out_sizes, np.maximum)
        return values, np.zeros(values.shape, index_dtype)
    values, best = _max_with_taps(padded, kernel, strides, dilations, out_sizes)
    # OpenVINO reports spatial position 0 for a window of padding only
    empty = _window_counts(x.shape[2:], kernel, strides, dilations, begin, out_sizes) == 0
    indices = _flat_indices(x.shape, best, kernel, strides, dilations, begin, out_sizes, axis,
                            empty if empty.any() else None)
    return values, indices.astype(index_dtype, copy=False)


def _max_with_taps(padded, kernel_shape, strides, dilations, out_sizes):
    """Maxima over every tap and the first tap reaching each maximum.

    The winning tap comes from a second pass scoring each tap ``count - index`` where it equals
    the maximum and keeping the highest score: plain contiguous passes, several times faster than
    masked writes.
    """
    views = [padded[(Ellipsis,) + tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o
                                        in zip(tap, dilations, strides, out_sizes))]
             for tap in np.ndindex(*kernel_shape)]
    values = views[0].copy()
    for view in views[1:]:
        np.maximum(values, view, out=values)
    count = len(views)
    score_type = np.uint8 if count < 256 else np.int32
    score, candidate = np.zeros(values.shape, score_type), np.empty(values.shape, score_type)
    hit = np.empty(values.shape, bool)
    for index, view in enumerate(views):
        np.equal(view, values, out=hit)
        np.multiply(hit, score_type(count - index), out=candidate)
        np.maximum(score, candidate, out=score)
    return values, (count - score.astype(np.int64)) % count  # a NaN window (no score) -> tap 0


def _flat_indices(shape, best, kernel_shape, strides, dilations, begin, out_sizes, axis, empty):
    """Row-major index of each maximum within the input dims from ``axis`` on: the window's
    start plus the winning tap's offset (a table lookup). ``empty`` windows (padding only) report
    spatial position 0."""
    rank = len(shape)
    axis = axis + rank if axis < 0 else axis
    step = [int(np.prod(shape[d + 1:], dtype=np.int64)) if d >= axis else 0 for d in range(rank)]
    table = np.array([sum(t * d * step[2 + a] for a, (t, d) in enumerate(zip(tap, dilations)))
                      for tap in np.ndindex(*kernel_shape)], np.int64)
    spatial = table[best]
    channels = np.zeros((1,) * rank, np.int64)
    for dim in range(rank):
        ones = (1,) * (rank - 1 - dim)
        if dim < 2:
            channels = channels + (np.arange(shape[dim]) * step[dim]).reshape((-1,) + ones)
        else:
            start = np.arange(out_sizes[dim - 2]) * strides[dim - 2] - begin[dim - 2]
            spatial += (start * step[dim]).reshape((-1,) + ones)
    if empty is not None:
        spatial[..., empty] = 0
    return spatial + channels


# --- AvgPool ------------------------------------------------------------------------------------
@kernel("AvgPool", prepare=_prepare(average=True))
def avg_pool(x, *, strides, kernel, pads_begin=(), pads_end=(), rounding_type="floor",
             auto_pad="explicit", dilations=(), dnnl=None, **hyphenated):
    if dnnl is not None and (y := _onednn_pool(dnnl, x, dict(locals(), **hyphenated))) is not None:
        return y
    # the IR attribute is spelled "exclude-pad", which no Python parameter can be
    exclude_pad = hyphenated.get("exclude-pad", False)
    dtype = x.dtype
    work = x.astype(np.float32) if dtype.kind != "f" or dtype == np.float16 else x
    dilations, begin, end, out_sizes = _geometry(x, kernel, strides, dilations, pads_begin,
                                                 pads_end, auto_pad, rounding_type)
    if list(kernel) == list(x.shape[2:]) and not any(begin) and not any(end) and \
            all(d == 1 for d in dilations):  # global pooling: one reduction
        mean = _global_mean(work)
        return mean.astype(dtype) if dtype.kind in "iu" else mean.astype(dtype, copy=False)
    padded = _padded(work, begin, end, 0)
    sums = _separable(padded, kernel, strides, dilations, out_sizes, np.add)
    counts = _divisors(x.shape[2:], kernel, strides, dilations, begin, out_sizes, exclude_pad,
                       any(begin) or any(resolve_pads(auto_pad, x.shape[2:], kernel, strides,
                                                      dilations, pads_begin, pads_end)[1]))
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-padding window is 0/0 = NaN
        result = sums / counts.astype(sums.dtype)
    return result.astype(dtype) if dtype.kind in "iu" else result.astype(dtype, copy=False)


def _divisors(sizes, kernel_shape, strides, dilations, begin, out_sizes, exclude_pad, padded):
    """What each window's sum is divided by, as OpenVINO's CPU plugin does: the whole kernel
    (ceil overhang included) when padding counts and there is padding; else the data elements."""
    if padded and not exclude_pad:
        return np.full(out_sizes, math.prod(kernel_shape), np.int64)
    return _window_counts(sizes, kernel_shape, strides, dilations, begin, out_sizes, signed=True)


def _window_counts(sizes, kernel_shape, strides, dilations, begin, out_sizes, signed=False):
    """How many input (non-padding) elements each window covers, per axis multiplied.

    ``signed`` reproduces OpenVINO's divisor for undilated axes, ``min(end, n) - max(start, 0)``,
    which turns negative for a window starting past the data (a -0 average instead of NaN).
    """
    counts = np.ones((), np.int64)
    for n, k, s, d, b, o in zip(sizes, kernel_shape, strides, dilations, begin, out_sizes):
        start = np.arange(o) * s - b
        if signed and d == 1:
            per_axis = np.minimum(start + k, n) - np.maximum(start, 0)
        else:
            positions = start[:, None] + np.arange(k) * d
            per_axis = ((positions >= 0) & (positions < n)).sum(axis=1)
        counts = np.multiply.outer(counts, per_axis)
    return counts


def _global_mean(x):
    """Mean over every spatial axis, keeping them as 1s. For floats one BLAS matrix-vector
    product with a 1/P vector: 3-6x faster than ``ndarray.mean``, which reduces each channel's
    short row on its own (2048 channels of 7x7: 9 us against 58 us, torch 17 us)."""
    rows, positions = x.shape[0] * x.shape[1], math.prod(x.shape[2:])
    kept = x.shape[:2] + (1,) * (x.ndim - 2)
    if x.dtype.kind != "f" or not rows or not positions:
        return x.mean(axis=tuple(range(2, x.ndim)), keepdims=True, dtype=x.dtype)
    weights = np.full(positions, 1 / positions, x.dtype)
    return np.matmul(x.reshape(rows, positions), weights).reshape(kept)


# --- channels-last variants (the layout pass's MaxPoolNHWC / AvgPoolNHWC) ------------------------
@kernel("MaxPoolNHWC", prepare=_prepare())
def max_pool_nhwc(x, *, strides, kernel, pads_begin=(), pads_end=(), rounding_type="floor",
                  auto_pad="explicit", dilations=(), index_element_type=None, axis=0, dnnl=None):
    """MaxPool of x [N, H, W, C]; the pass only moves MaxPools whose indices nobody reads."""
    if dnnl is not None and (values := _onednn_pool(dnnl, x, locals(), True)) is not None:
        return values if index_element_type is None else (values, _unread(values, index_element_type))
    dilations, begin, end, out_sizes = _geometry(x, kernel, strides, dilations, pads_begin,
                                                 pads_end, auto_pad, rounding_type, first=1)
    padded = _padded(x, begin, end, _lowest(x.dtype), first=1)
    values = _separable(padded, kernel, strides, dilations, out_sizes, np.maximum, first=1)
    return values if index_element_type is None else (values, _unread(values, index_element_type))


def _unread(values, element_type):
    """The indices output of a MaxPoolNHWC, which nobody reads (the pass moves no other): zeros
    of its shape that take no memory (a broadcast view; an array was 12 MiB in resnet50 at
    batch 8)."""
    return np.broadcast_to(np.zeros((), np.dtype(element_type.to_dtype())), values.shape)


@kernel("AvgPoolNHWC", prepare=_prepare(average=True))
def avg_pool_nhwc(x, *, strides, kernel, pads_begin=(), pads_end=(), rounding_type="floor",
                  auto_pad="explicit", dilations=(), dnnl=None, **hyphenated):
    """AvgPool of float x [N, H, W, C] (the pass moves float pools only)."""
    if dnnl is not None and (y := _onednn_pool(dnnl, x, dict(locals(), **hyphenated),
                                               True)) is not None:
        return y
    dilations, begin, end, out_sizes = _geometry(x, kernel, strides, dilations, pads_begin,
                                                 pads_end, auto_pad, rounding_type, first=1)
    sizes = x.shape[1:3]
    if list(kernel) == list(sizes) and not any(begin) and not any(end) and \
            all(d == 1 for d in dilations):
        return global_mean_nhwc(x)
    padded = _padded(x, begin, end, 0, first=1)
    sums = _separable(padded, kernel, strides, dilations, out_sizes, np.add, first=1)
    counts = _divisors(sizes, kernel, strides, dilations, begin, out_sizes,
                       hyphenated.get("exclude-pad", False),
                       any(begin) or any(resolve_pads(auto_pad, sizes, kernel, strides, dilations,
                                                      pads_begin, pads_end)[1]))
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-padding window is 0/0 = NaN
        return sums / counts[..., np.newaxis].astype(sums.dtype)


def global_mean_nhwc(x):
    """Mean over H and W of x [N, H, W, C] as [N, 1, 1, C]: one BLAS product with a 1/P vector
    per image (a reduction whose inner loop runs along the contiguous channels)."""
    batch, positions, channels = x.shape[0], x.shape[1] * x.shape[2], x.shape[3]
    if not positions or not x.size:
        return x.mean(axis=(1, 2), keepdims=True)
    weights = np.full((1, positions), 1 / positions, x.dtype)
    return np.matmul(weights, x.reshape(batch, positions, channels)).reshape(batch, 1, 1, -1)


def _prepare_global_pool(node, attrs):
    return dict(attrs, fast_call=global_pool_call(node))  # oneDNN, for a static f32 input


@kernel("AdaptiveAvgPoolNHWC", prepare=_prepare_global_pool)
def adaptive_avg_pool_nhwc(x, output_shape):
    """Global AdaptiveAvgPool of x [N, H, W, C] (the pass moves only those with 1x1 outputs)."""
    return global_mean_nhwc(x)


# --- adaptive pooling ---------------------------------------------------------------------------
def _bins(size, count):
    """Start and end of each adaptive bin: [floor(i*L/n), ceil((i+1)*L/n))."""
    index = np.arange(count)
    return (index * size) // count, -((-(index + 1) * size) // count)


@kernel("AdaptiveAvgPool")
def adaptive_avg_pool(x, output_shape):  # AdaptiveAvgPool-8
    dtype = x.dtype
    result = x.astype(np.float32) if dtype == np.float16 else x
    if all(int(v) == 1 for v in output_shape.reshape(-1)):  # global pooling: one reduction
        return _global_mean(result).astype(dtype, copy=False)
    for axis, count in enumerate(int(v) for v in output_shape.reshape(-1)):
        size = x.shape[2 + axis]
        start, end = _bins(size, count)
        positions = np.arange(size)
        inside = (positions >= start[:, None]) & (positions < end[:, None])
        averaging = (inside / (end - start)[:, None]).astype(result.dtype)  # [count, size]
        result = np.moveaxis(np.matmul(averaging, np.moveaxis(result, 2 + axis, -2)), -2, 2 + axis)
    return np.ascontiguousarray(result).astype(dtype, copy=False)


@kernel("AdaptiveMaxPool")
def adaptive_max_pool(x, output_shape, *, index_element_type):  # AdaptiveMaxPool-8
    counts = [int(v) for v in output_shape.reshape(-1)]
    spatial = x.shape[2:]
    rank = len(spatial)
    gathers = []
    for axis, (size, count) in enumerate(zip(spatial, counts)):
        start, end = _bins(size, count)
        width = int((end - start).max()) if count else 1
        # windows narrower than the widest repeat their last element, which leaves max unchanged
        index = np.minimum(start[:, None] + np.arange(width), (end - 1)[:, None])
        shape = [1] * (2 * rank)
        shape[axis], shape[rank + axis] = count, width
        gathers.append(index.reshape(shape))
    windows = x[(Ellipsis,) + tuple(gathers)]  # [N, C, out..., window...]
    flat = windows.reshape(x.shape[:2] + tuple(counts) + (-1,))
    best = np.argmax(flat, axis=-1)
    values = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    coordinates = np.unravel_index(best, [g.shape[rank + i] for i, g in enumerate(gathers)])
    flat_index = np.zeros(best.shape, np.int64)
    for axis, gather in enumerate(gathers):
        per_axis = gather.reshape(counts[axis], -1)
        offset = np.arange(counts[axis]).reshape((-1,) + (1,) * (rank - 1 - axis))
        flat_index = flat_index * spatial[axis] + per_axis[offset, coordinates[axis]]
    return values, flat_index.astype(np.dtype(index_element_type.to_dtype()), copy=False)
