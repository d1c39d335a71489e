"""Depthwise convolution (one input channel per group): y[n, g, m] = sum over taps of
x_tap[n, g] * w[tap, g, m].

Nothing is summed across channels, so no BLAS product fits: every tap is a multiply-add over
the output. ``np.einsum`` does a tap in one pass (load, multiply, add, store: ~8 multiply-adds per
ns here) where ``np.multiply`` then ``np.add`` take two passes and a temporary (~4 per ns). How
fast einsum runs depends on its innermost loop being long and contiguous, so there are two
layouts, chosen by output size:

* planes (channels-first, images of 2048 output positions and more): the padded input is split
  into stride phases (``x[..., a::s, b::s]``), each tap then reads its phase at a fixed offset
  with unit stride, and every output row is computed as wide as the phase row (the extra columns
  are cropped at the end), so a channel's whole image is one contiguous inner loop;
* pixels (channels-last, smaller images): the inner loop runs over the channels of one pixel.

Planes run in blocks of channels sized to stay in L2; blocks (planes) and output rows (pixels)
are spread over the run's thread budget (``runtime/parallel.py``; one thread inside a chunk the
fused ops already split): einsum releases the GIL, so blocks compute concurrently.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..parallel import chunk_bounds, current_threads, parallel_for

__all__ = ["depthwise", "PLANES_FROM_POSITIONS"]

# From this many output positions per channel the channels-first planes beat channels-last
# pixels (e.g. 56x56: 1.2x torch against 2.8x; 28x28 with 5x5 taps: 4.7x against 2.9x).
PLANES_FROM_POSITIONS = 2048
# A block's phase planes and output fit in L2, so a block's taps re-read cached data.
BLOCK_BYTES = 1 << 20
_TAP_LABELS = "ijk"
_POSITION_LABELS = "abc"


def depthwise(x, matrix, kernel_shape, strides, dilations, pads_begin, pads_end, out_sizes,
              result=None):
    """The depthwise convolution of ``x`` [N, G, spatial...] with ``matrix`` [taps, G, M] as
    [N, G*M, out...], written into ``result`` (C-contiguous) when given. Without ``result`` small
    images come back channels-last in memory (a transposed view): copying them to channels-first
    would cost 10-25% more, and what follows (elementwise epilogues, a 1x1 convolution's BLAS
    product, which takes the transposed operand as is) reads either layout."""
    weights = matrix.reshape(tuple(kernel_shape) + matrix.shape[1:])
    shape = (x.shape[0], matrix.shape[1] * matrix.shape[2]) + tuple(out_sizes)
    if math.prod(out_sizes) >= PLANES_FROM_POSITIONS:
        result = np.empty(shape, x.dtype) if result is None else result
        _planes(x, weights, strides, dilations, pads_begin, out_sizes, result)
        return result
    return _pixels(x, weights, strides, dilations, pads_begin, pads_end, out_sizes, result)


# --- planes: channels-first, one stride phase at a time ------------------------------------------
def _phase_taps(kernel_shape, strides, dilations):
    """{phase residues: per axis (first tap, tap step, tap count, first offset, offset step)}.

    The taps ``t`` of an axis whose position ``t * d`` falls in phase ``r`` (``t * d % s == r``)
    form an arithmetic progression, and so do their offsets ``t * d // s`` within the phase."""
    per_axis = []
    for k, s, d in zip(kernel_shape, strides, dilations):
        step = s // math.gcd(s, d)
        groups = {}
        for t in range(min(step, k)):
            count = len(range(t, k, step))
            groups[t * d % s] = (t, step, count, t * d // s, step * d // s)
        per_axis.append(groups)
    phases = {}
    for residues in np.ndindex(*[len(g) for g in per_axis]):
        keys = [sorted(g)[r] for g, r in zip(per_axis, residues)]
        phases[tuple(keys)] = [g[key] for g, key in zip(per_axis, keys)]
    return phases


def _fill_phase(plane, x, residues, strides, pads_begin):
    """``plane`` [n, g, shape...] = phase ``residues`` of the zero-padded ``x``, zero beyond it."""
    inner = []
    for axis, (r, s, b, n) in enumerate(zip(residues, strides, pads_begin, x.shape[2:])):
        size = plane.shape[2 + axis]
        low = min(size, max(0, -((r - b) // s)))  # first row whose input index r + s*i - b >= 0
        high = max(low, min(size, (n - 1 + b - r) // s + 1))
        lead = (slice(None),) * (2 + axis)
        plane[lead + (slice(0, low),)] = 0
        plane[lead + (slice(high, None),)] = 0
        start = r + s * low - b
        inner.append((slice(low, high), slice(start, start + s * (high - low - 1) + 1, s)))
    if all(target.stop > target.start for target, _ in inner):
        targets, sources = zip(*inner)
        plane[(Ellipsis,) + targets] = x[(Ellipsis,) + sources]


def _planes(x, weights, strides, dilations, pads_begin, out_sizes, result):
    batch, groups = x.shape[:2]
    kernel_shape, per_out = weights.shape[:-2], weights.shape[-1]
    phases = _phase_taps(kernel_shape, strides, dilations)
    reach = [((k - 1) * d) // s for k, s, d in zip(kernel_shape, strides, dilations)]
    shape = [o + r for o, r in zip(out_sizes, reach)]
    shape[0] += 1  # a spare row: the wide rows of the last output row run past the image
    planes = {}
    for residues in phases:
        planes[residues] = np.empty((batch, groups) + tuple(shape), x.dtype)
        _fill_phase(planes[residues], x, residues, strides, pads_begin)
    length = out_sizes[0] * math.prod(shape[1:])
    channel_bytes = (len(phases) * math.prod(shape) + per_out * length) * x.itemsize
    blocks = _blocks(groups, channel_bytes, batch)
    output = result.reshape((batch, groups, per_out) + tuple(out_sizes))
    wide_shape = (per_out, out_sizes[0]) + tuple(shape[1:])
    crop = (Ellipsis,) + tuple(slice(0, o) for o in out_sizes[1:])

    def run(index):
        n, first, last = blocks[index]
        wide = np.empty((last - first,) + wide_shape, x.dtype)
        _accumulate_phases(planes, phases, weights[..., first:last, :], n, first, last,
                           shape, length, wide.reshape(last - first, per_out, length))
        output[n, first:last] = wide[crop]
    parallel_for(len(blocks), run)


def _accumulate_phases(planes, phases, weights, n, first, last, shape, length, wide):
    """wide [g, m, L] = sum over phases of one einsum over the phase's taps (one pass each)."""
    taps = _TAP_LABELS[:len(shape)]
    scratch = None
    for index, (residues, axes) in enumerate(phases.items()):
        view = _tap_view(planes[residues][n, first:last], axes, shape, length)
        tap_weights = weights[tuple(slice(t0, None, step) for t0, step, _, _, _ in axes)]
        if index == 0:
            target = wide
        else:
            target = scratch = np.empty_like(wide) if scratch is None else scratch
        # order="F" iterates the first output label fastest: the long contiguous wide row
        np.einsum(f"g{taps}l,{taps}gm->lmg", view, tap_weights, order="F",
                  out=target.transpose(2, 1, 0))
        if index:
            wide += target


def _tap_view(plane, axes, shape, length):
    """[g, taps..., L]: for each of the phase's taps, the L elements of ``plane`` [g, shape...]
    from that tap's offset on (rows run on into the next: the wide rows)."""
    itemsize = plane.itemsize
    steps = [math.prod(shape[a + 1:]) for a in range(len(shape))]  # flat elements per axis step
    start = sum(axis[3] * step for axis, step in zip(axes, steps))
    flat = plane.reshape(plane.shape[0], -1)[:, start:]
    return as_strided(flat, (flat.shape[0],) + tuple(axis[2] for axis in axes) + (length,),
                      (flat.strides[0],) + tuple(axis[4] * step * itemsize
                                                 for axis, step in zip(axes, steps))
                      + (itemsize,), writeable=False)


def _blocks(groups, channel_bytes, batch):
    """(image, first channel, end channel) blocks: at least one per thread, each near
    BLOCK_BYTES, never across images."""
    per_image = max(1, -(-current_threads() // batch))
    count = min(groups, max(per_image, -(-groups * channel_bytes // BLOCK_BYTES)))
    edges = [groups * i // count for i in range(count + 1)]
    return [(n, edges[i], edges[i + 1]) for n in range(batch) for i in range(count)]


# --- pixels: channels-last, one einsum over a window view ---------------------------------------
def _pixels(x, weights, strides, dilations, pads_begin, pads_end, out_sizes, result):
    """Channels-last einsum into [N, out..., G, M]; ``result`` or a transposed view of it."""
    rank = len(out_sizes)
    kernel_shape = weights.shape[:rank]
    padded = _channels_last_padded(x, pads_begin, pads_end)
    spatial = padded.strides[1:-1]
    windows = as_strided(
        padded, padded.shape[:1] + tuple(out_sizes) + tuple(kernel_shape) + padded.shape[-1:],
        padded.strides[:1] + tuple(s * st for s, st in zip(spatial, strides))
        + tuple(s * d for s, d in zip(spatial, dilations)) + padded.strides[-1:], writeable=False)
    positions, taps = _POSITION_LABELS[:rank], _TAP_LABELS[:rank]
    # channels stay innermost in the product too: a channels-first destination would make
    # einsum's inner loop stride across pixels (4x slower)
    equation = f"n{positions}{taps}g,{taps}gm->n{positions}gm"
    pixels = np.empty(x.shape[:1] + tuple(out_sizes) + weights.shape[-2:], x.dtype)
    work = pixels.size * math.prod(kernel_shape)
    bounds = chunk_bounds(out_sizes[0], 1 if work < 1 << 20 else current_threads())

    def run(index):  # a block of output rows (first spatial axis)
        start, stop = bounds[index]
        np.einsum(equation, windows[:, start:stop], weights, out=pixels[:, start:stop])
    parallel_for(len(bounds), run)  # tiny layers stay on this thread: no hand-off
    channels_first = np.moveaxis(pixels.reshape(pixels.shape[:-2] + (-1,)), -1, 1)
    if result is None:
        return channels_first
    np.copyto(result, channels_first)
    return result


def _channels_last_padded(x, pads_begin, pads_end):
    """x [N, C, spatial...] as [N, padded spatial..., C]; negative pads crop."""
    crop = tuple(slice(max(-b, 0), n - max(-e, 0))
                 for b, e, n in zip(pads_begin, pads_end, x.shape[2:]))
    x = x[(Ellipsis,) + crop]
    begin, end = [max(b, 0) for b in pads_begin], [max(e, 0) for e in pads_end]
    shape = (x.shape[0],) + tuple(n + b + e for n, b, e in zip(x.shape[2:], begin, end)) \
        + (x.shape[1],)
    padded = np.zeros(shape, x.dtype)
    padded[(slice(None),) + tuple(slice(b, b + n) for b, n in zip(begin, x.shape[2:]))] = \
        np.moveaxis(x, 1, -1)
    return padded
