"""Convolutions on channels-last (NHWC) tensors, for the ops of the channels-last layout pass.

With the channels innermost every path writes its output straight in the layout it returns:

* pointwise (1x1, one group): ``x [N*H*W, C] @ W [C, O]`` -- one GEMM, no im2col, the whole batch;
* dense: the im2col copy ``[N*H_out*W_out, kh*kw*C]`` of a window view, ``@ W [kh*kw*C, O]``;
  3x3 stride-1 ones with 64 channels and more run Winograd F(2x2, 3x3), whose tile transforms
  are channels-last already (``_winograd.py``);
* grouped: the same per group, ``cols [G, P, kh*kw*C/G] @ W [G, kh*kw*C/G, O/G]``;
* depthwise (channel multiplier 1): one einsum over every tap (``_nhwc_depthwise.py``).

:func:`convolve_nhwc` runs the output in blocks, of whole images when they are small and of an
image's output rows otherwise, each the convolution of its input rows (the kernel's halo
included, padded only where they leave the image) followed by the bias and epilogue while the
block is in cache; blocks are spread over the run's threads. A 1x1 convolution whose weights
outweigh its input, and a convolution whose row blocks would make GEMMs too thin (small images:
resnet50's 7x7 stage), are split by output channels instead.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...ir.ops.convolution import dilated
from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays
from ._nhwc_depthwise import depthwise_rows, supports as depthwise_supports, tap_rows, \
    tap_view
from ._epilogue import run_epilogue
from ._tiling import MIN_CHUNK_MACS, _finish, _fits
from ._winograd import applies as winograd_applies, winograd_convolve, winograd_weights

__all__ = ["ChannelsLastWeights", "prepare_channels_last_weights", "convolve_nhwc"]


class ChannelsLastWeights:
    """Filters packed for the NHWC paths. ``kind``: pointwise ([C, O]), dense ([kh*kw*C, O]),
    grouped ([G, kh*kw*C/G, O/G]) or depthwise (taps [kh, kw, C]; tiled per output width on
    first use)."""

    __slots__ = ("kind", "matrix", "groups", "out_channels", "in_channels", "kernel_shape",
                 "_winograd", "_rows")

    def __init__(self, kind, matrix, groups, out_channels, in_channels, kernel_shape):
        self.kind, self.matrix, self.groups = kind, matrix, groups
        self.out_channels, self.in_channels = out_channels, in_channels
        self.kernel_shape = tuple(kernel_shape)
        self._winograd, self._rows = None, {}

    def winograd(self):
        """Winograd filters [16, C, O] (from the [3*3*C, O] matrix), made on first use."""
        if self._winograd is None:
            filters = self.matrix.reshape(3, 3, self.in_channels, -1).transpose(3, 2, 0, 1)
            self._winograd = winograd_weights(
                filters.reshape(self.out_channels, -1), self.in_channels)
        return self._winograd

    def tap_rows(self, strides, width):
        """Depthwise taps tiled along an output row of ``width`` pixels (cached per width)."""
        key = (strides[1], width)
        if key not in self._rows:  # concurrent runs may both make it: the same array
            self._rows[key] = tap_rows(self.matrix, strides, width)
        return self._rows[key]


def prepare_channels_last_weights(filters, grouped=False) -> ChannelsLastWeights:
    """Pack 2-D Convolution filters [O, C, kh, kw] or, ``grouped``, GroupConvolution filters
    [G, O/G, C/G, kh, kw] for :func:`convolve_nhwc` (owned, C-contiguous, f16 as f32)."""
    dtype = np.float32 if filters.dtype == np.float16 else filters.dtype
    filters = filters.astype(dtype, copy=False)
    if not grouped:
        filters = filters[np.newaxis]
    groups, per_out, per_in, kh, kw = filters.shape
    if groups == 1:
        kind = "pointwise" if kh == kw == 1 else "dense"
        matrix = filters[0].transpose(2, 3, 1, 0).reshape(kh * kw * per_in, per_out)
    elif per_in == 1 and per_out == 1:
        kind = "depthwise"
        matrix = filters.reshape(groups, kh, kw).transpose(1, 2, 0)
    else:
        kind = "grouped"
        matrix = filters.transpose(0, 3, 4, 2, 1).reshape(groups, kh * kw * per_in, per_out)
    return ChannelsLastWeights(kind, np.array(matrix, order="C", copy=True), groups,
                               groups * per_out, groups * per_in, (kh, kw))


# --- the paths: each computes the whole convolution of its x into out -------------------------
def _padded(x, begin, end):
    """x [N, H, W, C] zero-padded (negative pads crop); x itself without padding."""
    crop = tuple(slice(max(-b, 0), n - max(-e, 0)) for b, e, n in zip(begin, end, x.shape[1:3]))
    x = x[(slice(None),) + crop]
    if all(b <= 0 and e <= 0 for b, e in zip(begin, end)):
        return x
    (top, left), (bottom, right) = [[max(p, 0) for p in pads] for pads in (begin, end)]
    batch, height, width, channels = x.shape
    padded = np.empty((batch, height + top + bottom, width + left + right, channels), x.dtype)
    padded[:, :top] = padded[:, top + height:] = 0  # zero only the border
    padded[:, top:top + height, :left] = padded[:, top:top + height, left + width:] = 0
    padded[:, top:top + height, left:left + width] = x
    return padded


def _windows(xp, kernel_shape, strides, dilations, out_sizes, groups=None):
    """A no-copy view [N, H_out, W_out, kh, kw, C] (or [..., G, C/G]) of every window."""
    n, row, column, item = xp.strides
    channels = xp.shape[3] if groups is None else (groups, xp.shape[3] // groups)
    channel_strides = (item,) if groups is None else (item * channels[1], item)
    return as_strided(xp, xp.shape[:1] + tuple(out_sizes) + tuple(kernel_shape)
                      + ((channels,) if groups is None else channels),
                      (n, row * strides[0], column * strides[1], row * dilations[0],
                       column * dilations[1]) + channel_strides, writeable=False)


def _gemm(columns, matrix, out):
    """``columns`` [N, H, W, K] @ ``matrix`` [K, O] into ``out`` [N, H, W, O]: one GEMM when
    ``out`` is contiguous (whole images or one image's rows), else one per image."""
    if out.flags.c_contiguous:
        np.matmul(columns.reshape(-1, columns.shape[3]), matrix,
                  out=out.reshape(-1, matrix.shape[1]))
    else:
        for image in range(out.shape[0]):
            _gemm(columns[image:image + 1], matrix, out[image:image + 1])


def _dense(x, packed, geometry, out_sizes, out):
    strides, dilations, begin, end = geometry
    if packed.kind == "pointwise" and not any(begin) and not any(end):
        columns = x[:, ::strides[0], ::strides[1]][:, :out_sizes[0], :out_sizes[1]]
    else:  # the reshape in _gemm copies the window view: this is the im2col
        windows = _windows(_padded(x, begin, end), packed.kernel_shape, strides, dilations,
                           out_sizes)
        columns = windows.reshape(windows.shape[:3] + (-1,))
    _gemm(columns, packed.matrix, out)


def _grouped(x, packed, geometry, out_sizes, out):
    strides, dilations, begin, end = geometry
    groups, per_out = packed.groups, packed.out_channels // packed.groups
    windows = _windows(_padded(x, begin, end), packed.kernel_shape, strides, dilations,
                       out_sizes, groups)  # [N, H, W, kh, kw, G, C/G] -> [G, N*H*W, kh*kw*C/G]
    columns = np.ascontiguousarray(windows.transpose(5, 0, 1, 2, 3, 4, 6))
    product = np.matmul(columns.reshape(groups, -1, packed.matrix.shape[1]), packed.matrix)
    np.copyto(out.reshape(windows.shape[:3] + (groups, per_out)),
              np.moveaxis(product.reshape((groups,) + windows.shape[:3] + (per_out,)), 0, 3))


def _depthwise(x, packed, geometry, out_sizes, out):
    strides, dilations, begin, _ = geometry
    taps = packed.tap_rows(strides, out_sizes[1])
    view = tap_view(x, packed.kernel_shape, strides, dilations, begin, out_sizes, taps.shape[1:3])
    depthwise_rows(view, taps, out.reshape(out.shape[0], out_sizes[0], -1), 0, out_sizes[0])


def _convolve(x, packed, geometry, out_sizes, out):
    """The convolution of ``x`` [n, H, W, C] into ``out`` [n, H_out, W_out, O]."""
    strides, dilations, begin, end = geometry
    if packed.kind == "depthwise" and depthwise_supports(strides, dilations):
        _depthwise(x, packed, geometry, out_sizes, out)
    elif winograd_applies(packed, strides, dilations, begin, end):
        winograd_convolve(x, packed.winograd(), begin, end, out, channels_last=True)
    elif packed.kind in ("dense", "pointwise"):
        _dense(x, packed, geometry, out_sizes, out)
    else:
        if packed.kind == "depthwise":  # a strided, dilated column: the grouped path, C/G = 1
            packed = ChannelsLastWeights("grouped", packed.matrix.reshape(-1, packed.groups, 1)
                                         .transpose(1, 0, 2), packed.groups, packed.out_channels,
                                         packed.in_channels, packed.kernel_shape)
        _grouped(x, packed, geometry, out_sizes, out)


# --- the driver: blocks of images and output rows ----------------------------------------------
def convolve_nhwc(x, packed, strides, dilations, pads_begin, pads_end, bias=None, program=(),
                  extras=()):
    """The convolution of ``x`` [N, H, W, C] as a fresh [N, H_out, W_out, O], plus ``bias`` [O]
    and the epilogue ``program`` (``_epilogue.parse_post_ops``) reading ``extras``."""
    from .convolution import output_sizes  # raises for an input smaller than the kernel

    out_sizes = output_sizes(x.shape[1:3], packed.kernel_shape, strides, dilations, pads_begin,
                             pads_end)
    shape = (x.shape[0],) + tuple(out_sizes) + (packed.out_channels,)
    x = x.astype(packed.matrix.dtype, copy=False)
    geometry = (strides, dilations, pads_begin, pads_end)
    if x.size == 0 or 0 in shape:  # an empty batch: nothing to multiply
        return _finish_whole(np.zeros(shape, x.dtype), bias, program, extras)
    out = np.empty(shape, x.dtype)
    if not _fits(extras, shape):  # a dynamic broadcast grows the output: no room in place
        _convolve(x, packed, geometry, out_sizes, out)
        return _finish_whole(out, bias, program, extras)
    macs = math.prod(shape) * packed.in_channels // packed.groups * math.prod(packed.kernel_shape)
    split = macs >= 2 * MIN_CHUNK_MACS and splitting_pays()
    if split and packed.kind == "pointwise" and packed.matrix.size > x[0].size and \
            not any(pads_begin) and not any(pads_end):
        blocks, compute = _by_channels(x, packed, strides, out, macs)
    elif split and _thin_blocks(packed, geometry, shape, macs):
        blocks, compute = _im2col_by_channels(x, packed, geometry, out_sizes, out, macs)
    else:
        blocks, compute = _by_blocks(x, packed, geometry, out, split, macs)

    def run(index):
        compute(*blocks[index])
        _finish(out, blocks[index][-1], bias, program, extras, channel_axis=-1)
    parallel_for(len(blocks), run, threads=None if split else 1)
    return out


def _finish_whole(out, bias, program, extras):
    if bias is not None:
        out += bias
    return run_epilogue(out, program, extras)


# A block's output (and the im2col, phases or input rows it reads) stays in cache while its bias
# and epilogue run. efficientnet_b0 batch 8, 1 thread, CPU time: whole batch 199 ms, blocks of
# 256 KiB 203, 1 MiB 187, 4 MiB 190; mobilenet_v3_large batch 1: 14.0, 15.0, 14.0, 14.0.
BLOCK_BYTES = 1 << 20


def _block_sizes(shape, itemsize, wanted):
    """(images, rows) per block: about BLOCK_BYTES of output (whole images when they are small),
    and at least ``wanted`` blocks where the output has that many rows."""
    batch, height = shape[:2]
    row_bytes = math.prod(shape[2:]) * itemsize
    images = max(1, min(batch, BLOCK_BYTES // (row_bytes * height), batch // wanted))
    rows = height if images > 1 else max(1, min(height, BLOCK_BYTES // row_bytes))
    image_blocks = -(-batch // images)
    if image_blocks * -(-height // rows) < wanted:
        rows = max(1, -(-height // -(-wanted // image_blocks)))
    return images, rows


def _by_blocks(x, packed, geometry, out, split, macs):
    """Blocks of whole images or of one image's output rows, each a convolution of its input
    rows (the kernel's halo included, padded only where they leave the image)."""
    strides, dilations, begin, end = geometry
    batch, height, width = out.shape[:3]
    wanted = min(2 * current_threads(), macs // MIN_CHUNK_MACS) if split else 1
    images, rows = _block_sizes(out.shape, out.itemsize, wanted)
    blocks = [(n, min(n + images, batch), h, min(h + rows, height))
              for n in range(0, batch, images) for h in range(0, height, rows)]
    reach, rows_in = dilated(packed.kernel_shape[0], dilations[0]), x.shape[1]

    def compute(n0, n1, h0, h1, index):
        first = h0 * strides[0] - begin[0]
        last = (h1 - 1) * strides[0] - begin[0] + reach
        pads = ([max(-first, 0), begin[1]], [max(last - rows_in, 0), end[1]])
        _convolve(x[n0:n1, max(first, 0):min(last, rows_in)], packed,
                  (strides, dilations) + pads, [h1 - h0, width], out[n0:n1, h0:h1])
    return [block + ((slice(block[0], block[1]), slice(block[2], block[3])),)
            for block in blocks], compute


# Below this many output positions per row block, the blocks' GEMMs are too thin for BLAS to run
# at speed and splitting by output channels pays. 2 threads, ms per convolution (rows, columns):
# 3x3 512->512 on 7x7: 2.86 -> 1.60, its stride-2 twin 2.61 -> 1.62, 3x3 256->256 stride 2 on
# 14x14 1.75 -> 1.45; 3x3 128->128 on 28x28 (784 positions) 1.33 rows vs 1.61 channels.
MIN_BLOCK_POSITIONS = 64
# Winograd keeps its row blocks down to this many output positions (3x3 256->256 on 14x14: rows
# with Winograd 1.11 ms, channels with im2col 1.43); on 7x7 the padding to whole 2x2 tiles and
# 4-tile GEMMs make it lose (2.86 vs 1.60)
MIN_WINOGRAD_POSITIONS = 128


def _thin_blocks(packed, geometry, shape, macs) -> bool:
    """Whether a dense (im2col) convolution's row blocks would be too thin (see above)."""
    if packed.kind not in ("dense", "pointwise"):
        return False
    strides, dilations, begin, end = geometry
    positions = math.prod(shape[:3])
    wanted = min(2 * current_threads(), macs // MIN_CHUNK_MACS)
    if winograd_applies(packed, strides, dilations, begin, end):
        return positions < MIN_WINOGRAD_POSITIONS
    return positions < MIN_BLOCK_POSITIONS * wanted and packed.out_channels >= 2 * wanted


def _im2col_by_channels(x, packed, geometry, out_sizes, out, macs):
    """One im2col copy of the whole input, then W[:, o0:o1] per block of output channels."""
    strides, dilations, begin, end = geometry
    windows = _windows(_padded(x, begin, end), packed.kernel_shape, strides, dilations,
                       out_sizes)
    columns = windows.reshape(-1, math.prod(windows.shape[3:]))  # the copy: every window once
    return _channel_blocks(columns, packed, out, macs)


def _by_channels(x, packed, strides, out, macs):
    """W[:, o0:o1] per block: a 1x1 convolution whose weights outweigh its input reads only its
    columns of them."""
    return _channel_blocks(x[:, ::strides[0], ::strides[1]].reshape(-1, x.shape[3]), packed,
                           out, macs)


def _channel_blocks(columns, packed, out, macs):
    """(blocks, compute): ``columns @ W[:, o0:o1]`` into ``out``'s channels o0:o1 per block."""
    target = out.reshape(-1, out.shape[3])
    count = min(2 * current_threads(), macs // MIN_CHUNK_MACS)

    def compute(start, stop, index):
        np.matmul(columns, packed.matrix[:, start:stop], out=target[:, start:stop])
    return [(start, stop, (Ellipsis, slice(start, stop)))
            for start, stop in chunk_bounds(packed.out_channels, count)], compute
