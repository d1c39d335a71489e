"""Fused convolutions and MatMuls split over threads, each chunk one single-threaded BLAS call
followed by its share of the epilogue while it is still in cache.

BLAS libraries thread a GEMM internally, but OpenBLAS's worker hand-off stalls for a scheduler
slice (20-50 ms per call measured here) whenever the machine is busier than its cores, and numpy
work between GEMMs (epilogues, depthwise taps) would stay on one core anyway. The runtime
therefore runs BLAS single-threaded inside a compiled model's run and splits the work itself
(``parallel.parallel_for``: a late helper only takes fewer chunks). Splits, all output-disjoint:

* batch: images ``[n0:n1]`` (any conv kind, when there are enough images);
* pointwise 1x1 conv: output rows of the image, i.e. column blocks of ``W[O, C] @ x[C, H*W]``;
* depthwise: channel blocks;
* other convs: output rows, each reading its input rows plus the kernel's halo;
* MatMul: column blocks of B (rows of A for a 2-D A with few columns).

Each function returns None when the work is too small to split or the shapes are unusual; the
caller then runs the plain kernel.
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.ops.convolution import dilated
from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays
from ._epilogue import apply_epilogue

__all__ = ["convolve_parallel", "matmul_parallel"]

# pieces smaller than this many multiply-adds cost more to hand to a thread than they save
MIN_CHUNK_MACS = 1 << 22
# chunks per thread: more balance the load when a helper starts late, but each chunk re-reads
# what it shares with the others (the weights, or the input rows of a kernel's halo)
CHUNKS_PER_THREAD = 2


def _chunk_count(macs: int, length: int) -> int:
    return min(length, CHUNKS_PER_THREAD * current_threads(), max(1, macs // MIN_CHUNK_MACS))


def _fits(extras, shape) -> bool:
    return all(e.ndim <= len(shape) and np.broadcast_shapes(shape, e.shape) == tuple(shape)
               for e in extras)


def _finish(out, index, bias, program, extras, channel_axis=1):
    """Bias and epilogue on the chunk ``out[index]`` (extras broadcast to the full output)."""
    part = out[index]
    if bias is not None:
        shape = [1] * out.ndim
        shape[channel_axis] = -1
        part += np.broadcast_to(bias.reshape(shape), out.shape)[index]
    apply_epilogue(part, program, [np.broadcast_to(e, out.shape)[index] for e in extras])


def _output_shape(x, packed, strides, dilations, begin, end):
    from .convolution import output_sizes  # raises for an input smaller than the kernel

    sizes = output_sizes(x.shape[2:], packed.kernel_shape, strides, dilations, begin, end)
    return (x.shape[0], packed.out_channels) + tuple(sizes)


def convolve_parallel(x, packed, geometry, bias, program, extras):
    """The fused convolution on ``current_threads()`` threads, or None (not worth splitting)."""
    shape = _output_shape(x, packed, *geometry)
    macs = math.prod(shape) * (packed.in_channels // packed.groups) * math.prod(packed.kernel_shape)
    if len(shape) < 3 or macs < 2 * MIN_CHUNK_MACS or not _fits(extras, shape) or \
            x.dtype != packed.matrix.dtype or not splitting_pays():
        return None
    out = np.empty(shape, x.dtype)
    bounds, run_chunk = _choose_split(x, packed, geometry, shape)(
        x, packed, geometry, out, _chunk_count(macs, macs))
    parallel_for(len(bounds), lambda i: run_chunk(*bounds[i], bias, program, extras))
    return out


def _choose_split(x, packed, geometry, shape):
    """The split that duplicates the least work: images when there are enough; otherwise output
    rows when the weights are smaller than the im2col matrix (each row chunk re-reads all the
    weights), else output channels (each channel chunk redoes the im2col of the whole input)."""
    if shape[0] >= 2 * current_threads():
        return _by_batch
    if packed.kind == "depthwise":
        return _depthwise_by_channels
    positions = math.prod(shape[2:])
    columns_size = packed.matrix.size // packed.out_channels * positions  # im2col, per image
    weights_larger = packed.matrix.size > columns_size
    if packed.kind == "pointwise" and x.ndim == 4 and list(geometry[0]) == [1, 1] and \
            not any(geometry[2]) and not any(geometry[3]):
        return _pointwise_by_channels if weights_larger else _pointwise_by_rows
    if packed.kind == "dense" and _winograd_applies(packed, geometry):
        return _by_output_rows  # a channel split would redo the input tile transform per chunk
    return _dense_by_channels if weights_larger and packed.kind != "grouped" else _by_output_rows


def _winograd_applies(packed, geometry) -> bool:
    try:
        from .convolution import winograd_applies
    except ImportError:  # a convolution kernel without Winograd
        return False
    return winograd_applies(packed, *geometry)


def _by_batch(x, packed, geometry, out, chunks):
    from .convolution import convolve

    def run_chunk(start, stop, bias, program, extras):
        convolve(x[start:stop], packed, *geometry, out=out[start:stop])
        _finish(out, (slice(start, stop),), bias, program, extras)
    return chunk_bounds(x.shape[0], chunks), run_chunk


def _pointwise_by_rows(x, packed, geometry, out, chunks):
    """W[O, C] @ x[n, C, rows*W] straight into out[n, :, rows] (a column block, no copy)."""
    width = x.shape[3]

    def run_chunk(start, stop, bias, program, extras):
        for image in range(x.shape[0]):
            columns = x[image, :, start:stop].reshape(x.shape[1], -1)
            target = out[image, :, start:stop].reshape(out.shape[1], (stop - start) * width)
            np.matmul(packed.matrix, columns, out=target)
        _finish(out, (slice(None), slice(None), slice(start, stop)), bias, program, extras)
    return chunk_bounds(x.shape[2], chunks), run_chunk


def _pointwise_by_channels(x, packed, geometry, out, chunks):
    """W[o0:o1] @ x[n, C, H*W] into out[n, o0:o1]: each chunk reads only its rows of W."""
    columns = x.reshape(x.shape[0], x.shape[1], -1)
    target = out.reshape(out.shape[0], out.shape[1], -1)

    def run_chunk(start, stop, bias, program, extras):
        np.matmul(packed.matrix[start:stop], columns, out=target[:, start:stop])
        _finish(out, (slice(None), slice(start, stop)), bias, program, extras)
    return chunk_bounds(packed.out_channels, chunks), run_chunk


def _dense_by_channels(x, packed, geometry, out, chunks):
    from .convolution import PackedWeights, convolve

    def run_chunk(start, stop, bias, program, extras):
        part = PackedWeights(packed.kind, packed.matrix[start:stop], 1, stop - start,
                             packed.in_channels, packed.kernel_shape)
        convolve(x, part, *geometry, out=out[:, start:stop])
        _finish(out, (slice(None), slice(start, stop)), bias, program, extras)
    return chunk_bounds(packed.out_channels, chunks), run_chunk


def _depthwise_by_channels(x, packed, geometry, out, chunks):
    from .convolution import PackedWeights, convolve

    per_out = packed.out_channels // packed.groups

    def run_chunk(start, stop, bias, program, extras):
        part = PackedWeights("depthwise", packed.matrix[:, start:stop], stop - start,
                             (stop - start) * per_out, stop - start, packed.kernel_shape)
        channels = (slice(None), slice(start * per_out, stop * per_out))
        out[channels] = convolve(x[:, start:stop], part, *geometry)
        _finish(out, channels, bias, program, extras)
    return chunk_bounds(packed.groups, chunks), run_chunk


def _by_output_rows(x, packed, geometry, out, chunks):
    """Output rows [r0, r1) read input rows [r0*s - pad, (r1-1)*s - pad + reach): the chunk's
    own rows of the input plus the kernel's halo, padded only where they leave the image."""
    from .convolution import convolve

    strides, dilations, begin, end = geometry
    reach = dilated(packed.kernel_shape[0], dilations[0])
    height = x.shape[2]

    def run_chunk(start, stop, bias, program, extras):
        first = start * strides[0] - begin[0]
        last = (stop - 1) * strides[0] - begin[0] + reach
        rows = x[:, :, max(first, 0):min(last, height)]
        pads_begin = [max(-first, 0)] + list(begin[1:])
        pads_end = [max(last - height, 0)] + list(end[1:])
        out[:, :, start:stop] = convolve(rows, packed, strides, dilations, pads_begin, pads_end)
        _finish(out, (slice(None), slice(None), slice(start, stop)), bias, program, extras)
    return chunk_bounds(out.shape[2], chunks), run_chunk


def matmul_parallel(a, b, bias, program, extras):
    """``a @ b`` (b 2-D, transposes already applied as views) plus bias and epilogue on
    ``current_threads()`` threads, or None when not worth splitting."""
    if b.ndim != 2 or a.ndim < 2 or a.dtype != b.dtype or a.dtype.kind != "f" or \
            not a.flags.c_contiguous or current_threads() <= 1:
        return None
    rows, inner, columns = math.prod(a.shape[:-1]), a.shape[-1], b.shape[1]
    shape = a.shape[:-1] + (columns,)
    macs = rows * inner * columns
    if macs < 2 * MIN_CHUNK_MACS or not _fits(extras, shape) or not splitting_pays():
        return None
    out = np.empty(shape, a.dtype)
    flat_a, flat_out = a.reshape(rows, inner), out.reshape(rows, columns)
    chunks = _chunk_count(macs, macs)
    if a.ndim == 2 and rows > columns:  # tall and narrow: blocks of rows
        def run_chunk(start, stop):
            np.matmul(flat_a[start:stop], b, out=flat_out[start:stop])
            _finish(out, (slice(start, stop),), bias, program, extras, channel_axis=-1)
        bounds = chunk_bounds(rows, chunks)
    else:  # blocks of columns: each thread reads only its part of B
        def run_chunk(start, stop):
            np.matmul(flat_a, b[:, start:stop], out=flat_out[:, start:stop])
            _finish(out, (Ellipsis, slice(start, stop)), bias, program, extras, channel_axis=-1)
        bounds = chunk_bounds(columns, chunks)
    parallel_for(len(bounds), lambda i: run_chunk(*bounds[i]))
    return out
