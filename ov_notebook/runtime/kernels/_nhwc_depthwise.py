"""Depthwise convolution in channels-last (NHWC) layout: y[n, h, w, c] = sum over taps (i, j) of
x[n, h*s + i*d, w*s + j*d, c] * k[i, j, c] (one input channel per group, channel multiplier 1).

One ``np.einsum`` runs every tap: for each output row its inner loop is the whole row, ``W_out * C``
contiguous elements of input, weights and output (the weights of a tap tiled along the row once,
at compile time per output width), and the row stays in cache while all taps add into it. The
padded input is written once, zero borders included; with a column stride it is written as column
phases (``x[..., b::s, :]`` side by side), so that every tap still reads a contiguous row. Taps
are then indexed (row i, column quotient q, column phase r) with column ``q*s + r``; grid points
past the kernel get zero weights.

Measured against the channels-first kernel (planes / pixels with their layout transposes), 1
thread, CPU time, mobilenet_v3_large and efficientnet_b0 layers: 9.65 -> 7.41 ms summed.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["supports", "tap_rows", "tap_view", "depthwise_rows", "depthwise_nhwc"]


def supports(strides, dilations) -> bool:
    """2-D, and a column stride and a column dilation not both above 1 (the phase grid)."""
    return len(strides) == 2 and (strides[1] == 1 or dilations[1] == 1)


def tap_rows(taps, strides, width):
    """Weights ``taps`` [kh, kw, C] as [kh, q, r, width*C]: tap (i, q*s + r) tiled along an
    output row of ``width`` pixels; zero where ``q*s + r`` is past the kernel."""
    kh, kw, channels = taps.shape
    phases = strides[1]
    quotients = -(-kw // phases)
    grid = np.zeros((kh, quotients * phases, channels), taps.dtype)
    grid[:, :kw] = taps
    grid = grid.reshape(kh, quotients, phases, 1, channels)
    return np.ascontiguousarray(np.broadcast_to(
        grid, (kh, quotients, phases, width, channels))).reshape(kh, quotients, phases, -1)


def tap_view(x, kernel_shape, strides, dilations, pads_begin, out_sizes, grid):
    """[N, H_out, kh, q, r, W_out * C]: for each output row and tap (row i, column q*s + r), the
    input row that tap reads, over the zero-padded input written once; ``grid`` is (q, r)."""
    batch, channels = x.shape[0], x.shape[3]
    phases = _phases(x, kernel_shape, strides, dilations, pads_begin, out_sizes)
    row, phase, column = phases.strides[1], phases.strides[2], phases.strides[3]
    column_step = column * (dilations[1] if strides[1] == 1 else 1)
    return as_strided(phases, (batch, out_sizes[0], kernel_shape[0]) + tuple(grid)
                      + (out_sizes[1] * channels,),
                      (phases.strides[0], row * strides[0], row * dilations[0], column_step,
                       phase, x.itemsize), writeable=False)


def depthwise_rows(view, rows, target, start, stop):
    """Output rows [start, stop) of every image: ``target`` [N, H_out, W_out * C]."""
    np.einsum("nhiqrl,iqrl->nhl", view[:, start:stop], rows, out=target[:, start:stop])


def depthwise_nhwc(x, rows, kernel_shape, strides, dilations, pads_begin, out_sizes, out):
    """Write into ``out`` [N, H_out, W_out, C] the depthwise convolution of ``x`` [N, H, W, C];
    ``rows`` is :func:`tap_rows` of the weights for W_out."""
    view = tap_view(x, kernel_shape, strides, dilations, pads_begin, out_sizes, rows.shape[1:3])
    target = out.reshape(out.shape[0], out_sizes[0], -1)
    depthwise_rows(view, rows, target, 0, out_sizes[0])
    return out


def _phases(x, kernel_shape, strides, dilations, pads_begin, out_sizes):
    """The zero-padded input as [N, rows, s, columns / s, C]: column phase r of row y holds
    padded columns r, r + s, ...; enough rows and columns for every tap of every output."""
    batch, height, width, channels = x.shape
    phases = strides[1]
    rows = (out_sizes[0] - 1) * strides[0] + (kernel_shape[0] - 1) * dilations[0] + 1
    reach = (kernel_shape[1] - 1) * (dilations[1] if phases == 1 else 1)
    columns = out_sizes[1] + -(-reach // phases) if phases > 1 else out_sizes[1] + reach
    result = np.empty((batch, rows, phases, columns, channels), x.dtype)
    top, left = pads_begin
    low, high = min(rows, max(0, top)), min(rows, max(0, top + height))
    result[:, :low] = 0
    result[:, high:] = 0
    source_rows = slice(low - top, high - top)
    for residue in range(phases):  # phase column q holds padded column q*s + residue
        first = min(columns, max(0, -((residue - left) // phases)))
        last = max(first, min(columns, (width - 1 + left - residue) // phases + 1))
        target = result[:, low:high, residue]
        target[:, :, :first] = 0
        target[:, :, last:] = 0
        if last > first:
            start = residue + phases * first - left
            target[:, :, first:last] = x[:, source_rows, start:start + phases * (last - first - 1)
                                         + 1:phases]
    return result
