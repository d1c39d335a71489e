"""Convolution kernels: Convolution, GroupConvolution and the two transposed (backprop) forms.

Every path is one BLAS matmul (or, for depthwise, a multiply-accumulate per kernel tap) over
numpy stride-trick views; no Python loop runs over batch, channels or spatial positions.

* pointwise (1x1, one group): ``W[O, C] @ x[N, C, H*W]`` -- no im2col at all;
* dense: im2col view ``[N, C, k..., out...]`` copied once to ``[N, C*K, P]``, then ``W[O, C*K] @``;
  3x3 stride-1 ones with 64 channels and more run Winograd F(2x2, 3x3) (``_winograd.py``);
* grouped: the same with a group axis, ``W[G, O/G, C/G*K] @ cols[N, G, C/G*K, P]``;
* depthwise (one input channel per group): sum over taps of ``x_tap * w_tap`` with ``np.einsum``
  (``_depthwise.py``): channels-first on stride phases for large images, channels-last for small
  ones (their result is then a channels-first view of channels-last memory);
* transposed: ``W^T @ x`` gives every tap's contribution, added into the output (col2im).

The result comes out in NCHW directly. For a compile pass:

* prepack once: ``packed = prepare_convolution_weights(filters, grouped=...)`` (or
  ``prepare_backprop_weights``) and call ``convolve(x, packed, ...)`` /
  ``convolve_transposed(...)`` at run time;
* epilogues: ``convolve(..., bias=b, epilogue=f)`` adds ``b`` (shape [C_out]) per channel and then
  calls ``f(y)`` which must update ``y`` in place (e.g. ``lambda y: np.maximum(y, 0, out=y)``);
  ``out=`` names a C-contiguous destination of the output's shape and dtype to write into.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...ir.ops.convolution import backprop_geometry, dilated, resolve_pads
from . import kernel
from ._depthwise import depthwise
from ._onednn_deconvolution import prepare_deconvolution, run_deconvolution
from ._winograd import applies as winograd_applies, winograd_convolve, winograd_weights

__all__ = ["PackedWeights", "prepare_convolution_weights", "prepare_backprop_weights",
           "convolve", "convolve_transposed", "output_sizes"]


def _compute_dtype(dtype):
    """f16 runs in f32: numpy has no f16 BLAS and OpenVINO accumulates f16 in f32."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


class PackedWeights:
    """Filters rearranged for a kernel path. ``kind``: pointwise, dense, grouped or depthwise
    (forward) or transposed; ``matrix`` is the array that path multiplies with."""

    __slots__ = ("kind", "matrix", "groups", "out_channels", "in_channels", "kernel_shape",
                 "_winograd")

    def __init__(self, kind, matrix, groups, out_channels, in_channels, kernel_shape):
        self.kind = kind
        self.matrix = matrix
        self.groups = groups
        self.out_channels = out_channels
        self.in_channels = in_channels
        self.kernel_shape = tuple(kernel_shape)
        self._winograd = None

    def winograd(self):
        """The Winograd-transformed 3x3 filters [16, C, O], made on first use (stride-1 use is
        only known at run time; 16/9 of the filters' memory)."""
        if self._winograd is None:
            self._winograd = winograd_weights(self.matrix, self.in_channels)
        return self._winograd


def prepare_convolution_weights(filters, grouped=False) -> PackedWeights:
    """Pack Convolution filters [O, C, k...] or, ``grouped``, GroupConvolution filters
    [G, O/G, C/G, k...] for :func:`convolve`. Cheap views for contiguous f32 filters."""
    filters = filters.astype(_compute_dtype(filters.dtype), copy=False)
    if not grouped:
        filters = filters[np.newaxis]
    groups, per_out, per_in = filters.shape[:3]
    kernel_shape = filters.shape[3:]
    taps = math.prod(kernel_shape)
    if groups == 1:
        kind = "pointwise" if taps == 1 else "dense"
        matrix = filters.reshape(per_out, per_in * taps)
    elif per_in == 1:
        kind = "depthwise"  # [taps, G, O/G] so that each tap broadcasts over [N, G, O/G, out...]
        matrix = np.ascontiguousarray(filters.reshape(groups, per_out, taps).transpose(2, 0, 1))
    else:
        kind = "grouped"
        matrix = filters.reshape(groups, per_out, per_in * taps)
    return PackedWeights(kind, matrix, groups, groups * per_out, groups * per_in, kernel_shape)


def prepare_backprop_weights(filters, grouped=False) -> PackedWeights:
    """Pack ConvolutionBackpropData filters [C, O, k...] (grouped: [G, C/G, O/G, k...]) as
    ``[G, O/G * K, C/G]`` for :func:`convolve_transposed`."""
    filters = filters.astype(_compute_dtype(filters.dtype), copy=False)
    if not grouped:
        filters = filters[np.newaxis]
    groups, per_in, per_out = filters.shape[:3]
    kernel_shape = filters.shape[3:]
    matrix = filters.reshape(groups, per_in, per_out * math.prod(kernel_shape)).transpose(0, 2, 1)
    return PackedWeights("transposed", matrix, groups, groups * per_out, groups * per_in,
                         kernel_shape)


# --- forward ------------------------------------------------------------------------------------
def _pad(x, begin, end):
    """Zero padding, done once and only where needed (negative pads crop)."""
    if not any(begin) and not any(end):
        return x
    crop = tuple(slice(max(-b, 0), n - max(-e, 0)) for b, e, n in zip(begin, end, x.shape[2:]))
    x = x[(Ellipsis,) + crop]
    if all(b <= 0 and e <= 0 for b, e in zip(begin, end)):
        return x
    begin, end = [max(b, 0) for b in begin], [max(e, 0) for e in end]
    shape = x.shape[:2] + tuple(n + b + e for n, b, e in zip(x.shape[2:], begin, end))
    padded = np.zeros(shape, x.dtype)  # zeros + one slice assignment beats np.pad's overhead
    padded[(Ellipsis,) + tuple(slice(b, b + n) for b, n in zip(begin, x.shape[2:]))] = x
    return padded


def _windows(xp, kernel_shape, strides, dilations, out_sizes):
    """A no-copy view [N, C, k..., out...] of every window of the padded input."""
    spatial_strides = xp.strides[2:]
    return as_strided(xp, xp.shape[:2] + tuple(kernel_shape) + tuple(out_sizes),
                      xp.strides[:2] + tuple(s * d for s, d in zip(spatial_strides, dilations))
                      + tuple(s * st for s, st in zip(spatial_strides, strides)), writeable=False)


def output_sizes(sizes, kernel_shape, strides, dilations, pads_begin, pads_end) -> list:
    """Output size per spatial axis. A padded input smaller than the dilated kernel (a size only
    run time knows) is an error naming the sizes, not a numpy reshape failure further on."""
    result = []
    for axis, (n, k, s, d, b, e) in enumerate(zip(sizes, kernel_shape, strides, dilations,
                                                  pads_begin, pads_end)):
        extent = dilated(k, d)
        if n + b + e < extent:
            raise ValueError(f"the padded input ({n} + pads {b} + {e} = {n + b + e}) is smaller "
                             f"than the dilated kernel ({extent}) at spatial axis {axis}")
        result.append((n + b + e - extent) // s + 1)
    return result


def convolve(x, packed: PackedWeights, strides, dilations, pads_begin, pads_end, bias=None,
             epilogue=None, out=None):
    """Convolution of ``x`` [N, C, spatial...] with prepacked weights; see the module docstring."""
    dtype = x.dtype
    work = x.astype(packed.matrix.dtype, copy=False)
    out_sizes = output_sizes(x.shape[2:], packed.kernel_shape, strides, dilations, pads_begin,
                             pads_end)
    batch = x.shape[0]
    target = out if out is not None and out.dtype == packed.matrix.dtype else None
    shape = (batch, packed.out_channels) + tuple(out_sizes)
    if x.size == 0 or 0 in shape:  # an empty batch: the paths' reshapes cannot infer sizes of 0
        result = np.zeros(shape, work.dtype)
    elif packed.kind == "depthwise":
        result = depthwise(work, packed.matrix, packed.kernel_shape, strides, dilations,
                           pads_begin, pads_end, out_sizes,
                           None if target is None else target.reshape(shape))
    elif winograd_applies(packed, strides, dilations, pads_begin, pads_end):
        result = np.empty(shape, work.dtype) if target is None else target.reshape(shape)
        winograd_convolve(work, packed.winograd(), pads_begin, pads_end, result)
    else:
        xp = _pad(work, pads_begin, pads_end)
        result = _gemm_convolution(xp, packed, strides, dilations, out_sizes, target)
    result = result.reshape(shape)
    if bias is not None:
        result += bias.reshape((-1,) + (1,) * len(out_sizes)).astype(result.dtype, copy=False)
    if epilogue is not None:
        epilogue(result)
    if out is not None:
        if not np.shares_memory(result, out):
            np.copyto(out, result.reshape(out.shape))
        return out
    return result.astype(dtype, copy=False)


# Below this many output positions per image one GEMM over the whole batch beats a GEMM per
# image, whose few columns BLAS runs inefficiently (batch 8, 1 thread, ours/torch: 512->512 14x14
# stride 2 1.46 -> 1.19, 2048->512 7x7 1x1 0.82 -> 0.73, 1024->2048 stride 2 1x1 1.20 -> 0.94).
# A 1x1 convolution pays an extra copy of its input for it, which 14x14 images do not win back.
MERGE_BATCH_BELOW = {"dense": 256, "pointwise": 64}
MERGE_MIN_MACS = 1 << 18  # tinier products: the copies cost more than BLAS loses


def _merge_batch(packed, batch, positions) -> bool:
    return batch > 1 and positions < MERGE_BATCH_BELOW[packed.kind] and \
        packed.matrix.size * batch * positions >= MERGE_MIN_MACS


def _gemm_convolution(xp, packed, strides, dilations, out_sizes, out):
    batch, positions = xp.shape[0], math.prod(out_sizes)
    destination = None if out is None else out.reshape(batch, packed.out_channels, positions)
    if packed.kind == "pointwise":
        picked = xp[(Ellipsis,) + tuple(slice(0, s * (o - 1) + 1, s)
                                        for s, o in zip(strides, out_sizes))]
        if _merge_batch(packed, batch, positions):
            windows = picked.reshape(picked.shape[:2] + (1,) * len(out_sizes) + picked.shape[2:])
            return _batch_gemm(packed.matrix, windows, destination)
        columns = picked.reshape(batch, packed.in_channels, positions)
        return np.matmul(packed.matrix, columns, out=destination)
    windows = _windows(xp, packed.kernel_shape, strides, dilations, out_sizes)
    if packed.kind == "dense":  # reshape copies the strided view once: this is the im2col
        if _merge_batch(packed, batch, positions):
            return _batch_gemm(packed.matrix, windows, destination)
        columns = windows.reshape(batch, -1, positions)
        return np.matmul(packed.matrix, columns, out=destination)
    columns = windows.reshape(batch, packed.groups, -1, positions)
    return np.matmul(packed.matrix, columns)  # [N, G, O/G, P]; convolve copies it into out=


def _batch_gemm(matrix, windows, destination):
    """``W [O, C*K] @ columns [C*K, N*P]`` with the im2col copy of ``windows`` [N, C, k..., out...]
    putting the batch beside the positions, then the product copied back to [N, O, P]."""
    batch, channels = windows.shape[:2]
    rank = (windows.ndim - 2) // 2
    order = (1,) + tuple(range(2, 2 + rank)) + (0,) + tuple(range(2 + rank, windows.ndim))
    columns = np.empty([windows.shape[i] for i in order], windows.dtype)
    np.copyto(columns, windows.transpose(order))
    product = matrix @ columns.reshape(matrix.shape[1], -1)
    if destination is None:
        destination = np.empty((batch, matrix.shape[0], product.shape[1] // batch), matrix.dtype)
    np.copyto(destination, product.reshape(matrix.shape[0], batch, -1).transpose(1, 0, 2))
    return destination


# --- transposed ---------------------------------------------------------------------------------
def convolve_transposed(x, packed: PackedWeights, strides, dilations, begin, out_sizes):
    """Transposed convolution: the output window [begin, begin + out_sizes) of the full result."""
    dtype = x.dtype
    batch, spatial = x.shape[0], x.shape[2:]
    work = x.astype(packed.matrix.dtype, copy=False)
    inputs = work.reshape(batch, packed.groups, packed.in_channels // packed.groups,
                          math.prod(spatial))  # not -1: a batch of 0 leaves it undetermined
    columns = np.matmul(packed.matrix, inputs)  # [N, G, O/G * K, P]
    columns = columns.reshape((batch, packed.out_channels) + packed.kernel_shape + spatial)
    full = [(n - 1) * s + dilated(k, d) for n, s, k, d
            in zip(spatial, strides, packed.kernel_shape, dilations)]
    low = [min(0, b) for b in begin]
    high = [max(f, b + o) for f, b, o in zip(full, begin, out_sizes)]
    result = np.zeros((batch, packed.out_channels) + tuple(h - lo for h, lo in zip(high, low)),
                      columns.dtype)
    geometry = list(zip(dilations, low, strides, spatial))
    for tap in np.ndindex(*packed.kernel_shape):  # col2im: each tap adds a strided block
        target = tuple(slice(t * d - lo, t * d - lo + s * (n - 1) + 1, s)
                       for t, (d, lo, s, n) in zip(tap, geometry))
        result[(Ellipsis,) + target] += columns[(slice(None), slice(None)) + tap]
    window = (Ellipsis,) + tuple(slice(b - lo, b - lo + o) for b, lo, o in zip(begin, low, out_sizes))
    return np.ascontiguousarray(result[window]).astype(dtype, copy=False)


# --- registered kernels -------------------------------------------------------------------------
def _filled(values, count, default):
    return list(values) if values else [default] * count


@kernel("Convolution")
def convolution(x, filters, *, strides, dilations, pads_begin, pads_end, auto_pad="explicit"):
    packed = prepare_convolution_weights(filters)
    return _forward(x, packed, strides, dilations, pads_begin, pads_end, auto_pad)


@kernel("GroupConvolution")
def group_convolution(x, filters, *, strides, dilations, pads_begin, pads_end,
                      auto_pad="explicit"):
    packed = prepare_convolution_weights(filters, grouped=True)
    return _forward(x, packed, strides, dilations, pads_begin, pads_end, auto_pad)


def _forward(x, packed, strides, dilations, pads_begin, pads_end, auto_pad):
    count = x.ndim - 2
    dilations = _filled(dilations, count, 1)
    begin, end = resolve_pads(auto_pad, x.shape[2:], packed.kernel_shape, strides, dilations,
                              pads_begin, pads_end)
    return convolve(x, packed, strides, dilations, begin, end)


@kernel("ConvolutionBackpropData", prepare=prepare_deconvolution)
def convolution_backprop_data(x, filters, output_shape=None, *, strides, dilations, pads_begin,
                              pads_end, auto_pad="explicit", output_padding=(), dnnl=None):
    return _backward(x, filters, False, output_shape, strides, dilations, pads_begin, pads_end,
                     auto_pad, output_padding, dnnl)


@kernel("GroupConvolutionBackpropData", prepare=prepare_deconvolution)
def group_convolution_backprop_data(x, filters, output_shape=None, *, strides, dilations,
                                    pads_begin, pads_end, auto_pad="explicit", output_padding=(),
                                    dnnl=None):
    return _backward(x, filters, True, output_shape, strides, dilations, pads_begin, pads_end,
                     auto_pad, output_padding, dnnl)


def _backward(x, filters, grouped, output_shape, strides, dilations, pads_begin, pads_end,
              auto_pad, output_padding, dnnl=None):
    if dnnl is not None:  # the oneDNN backend (None back: a case it has no fast primitive for)
        y = run_deconvolution(dnnl, x, output_shape, dict(
            strides=strides, dilations=dilations, pads_begin=pads_begin, pads_end=pads_end,
            auto_pad=auto_pad, output_padding=output_padding))
        if y is not None:
            return y
    packed = prepare_backprop_weights(filters, grouped=grouped)
    count = x.ndim - 2
    dilations = _filled(dilations, count, 1)
    begin, out_sizes = backprop_geometry(
        auto_pad, x.shape[2:], packed.kernel_shape, strides, dilations, pads_begin, pads_end,
        output_padding, None if output_shape is None else output_shape.reshape(-1).tolist())
    return convolve_transposed(x, packed, strides, dilations, begin, out_sizes)
