"""Joining, slicing, gathering and padding translators (splitting: splitting.py)."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (as_list, dims_of, i64, known_arg, normalize_axis, out, rank_of,
                      result_type, shape_of, sizes_input, static_rank, to_type)

_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min


@translator("aten.cat", "aten::cat", "aten.concat", "aten::concat", "aten.concatenate",
            "aten::concatenate")
def cat(ctx):  # aten::cat(Tensor[] tensors, int dim=0) -> Tensor
    values = ctx.input_list(0)
    element_type = result_type(values)  # torch.cat promotes mixed dtypes, empty inputs included
    # torch skips 1-D empty tensors whatever the other ranks (legacy behaviour that caches
    # rely on: transformers' DynamicCache starts from torch.tensor([]) and cats on dim -2)
    kept = [v for v in values if not _empty_vector(v)] or values[:1]
    values = [to_type(v, element_type) for v in kept]
    if len(values) == 1:
        return values[0]
    rank = rank_of(values[0])
    axis = ctx.arg(1, "dim", 0)
    return out(ops.concat(values, axis if rank is None else normalize_axis(ctx, axis, rank)))


def _empty_vector(value):
    shape = value.get_partial_shape()
    return shape.rank_is_static and len(shape) == 1 and shape[0].is_static and \
        shape[0].get_length() == 0


@translator("aten.stack", "aten::stack")
def stack(ctx):  # aten::stack(Tensor[] tensors, int dim=0) -> Tensor
    values = ctx.input_list(0)
    element_type = result_type(values)
    rank = static_rank(ctx, values[0])
    axis = normalize_axis(ctx, ctx.arg(1, "dim", 0), rank + 1)
    expanded = [out(ops.unsqueeze(to_type(v, element_type), i64([axis]))) for v in values]
    return out(ops.concat(expanded, axis))


def _bound(ctx, index, name, default):
    """A slice bound as a 1-element i64 tensor (Python ints or scalar tensors)."""
    if ctx.is_none(index, name):
        return i64([default])
    if ctx.is_tensor(index, name):
        return out(ops.reshape(to_type(ctx.input(index, name), Type.i64), i64([1]), False))
    return i64([max(min(ctx.arg(index, name), _INT64_MAX), _INT64_MIN)])


@translator("aten.slice", "aten::slice")
def slice_(ctx):
    # aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None,
    #   SymInt step=1) -> Tensor(a); TorchScript's slice.t(t[] l, ...) slices a list
    if not ctx.is_tensor(0) or ctx.node.schema_names[:1] == ["l"]:  # a list, maybe a shape
        value = ctx.input(0) if ctx.is_tensor(0) else \
            out(ops.concat([out(ops.reshape(to_type(v, Type.i64), i64([1]), False))
                            for v in ctx.input_list(0)], 0))
        return out(ops.slice(value, _bound(ctx, 1, "start", 0), _bound(ctx, 2, "end", _INT64_MAX),
                             i64([ctx.arg(3, "step", 1)]), i64([0])))
    value = ctx.input(0)
    return out(ops.slice(value, _bound(ctx, 2, "start", 0), _bound(ctx, 3, "end", _INT64_MAX),
                         _bound(ctx, 4, "step", 1), i64([ctx.arg(1, "dim", 0)])))


@translator("aten.narrow", "aten::narrow")
def narrow(ctx):  # aten::narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)
    start = _bound(ctx, 2, "start", 0)
    end = out(ops.add(start, _bound(ctx, 3, "length", 0)))
    return out(ops.slice(ctx.input(0), start, end, i64([1]), i64([ctx.arg(1, "dim")])))


@translator("aten.select", "aten::select")
def select(ctx):  # aten::select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)
    index = to_type(ctx.input(2, "index"), Type.i64)
    return out(ops.gather(ctx.input(0), index, i64(ctx.arg(1, "dim"))))


@translator("aten.index_select", "aten::index_select")
def index_select(ctx):  # aten::index_select(Tensor self, int dim, Tensor index) -> Tensor
    index = to_type(ctx.input(2, "index"), Type.i64)
    return out(ops.gather(ctx.input(0), index, i64(ctx.arg(1, "dim"))))


@translator("aten.gather", "aten::gather")
def gather(ctx):  # aten::gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False)
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(1, "dim"), static_rank(ctx, value))
    return out(ops.gather_elements(value, to_type(ctx.input(2, "index"), Type.i64), axis))


@translator("aten.index", "aten::index", "aten._unsafe_index", "aten::_unsafe_index")
def index(ctx):  # aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor
    value = ctx.input(0)
    entries = mask_indices(ctx, ctx.optional_input_list(1, "indices"))
    positions = [i for i, e in enumerate(entries) if e is not None]
    indices = [to_type(entries[i], Type.i64) for i in positions]
    if len(positions) == 1:  # x[:, :, idx]: one gather along that axis
        return out(ops.gather(value, indices[0], i64(positions[0])))
    return _gather_tuples(ctx, value, positions, indices)


def mask_indices(ctx, entries):
    """``Tensor?[]`` indices with each boolean mask replaced by the indices of its True elements,
    one index tensor per mask axis, as torch defines it (``x[m] == x[m.nonzero().unbind(1)]``).
    Their length, the count of True elements, is known only at run time."""
    expanded = []
    for entry in entries:
        if entry is None or entry.get_element_type() is not Type.boolean:
            expanded.append(entry)
            continue
        rank = static_rank(ctx, entry, "a boolean mask index")
        if rank == 0:
            ctx.fail("indexing with a 0-d boolean mask (x[True]) is not supported")
        found = ops.non_zero(entry, "i64")  # [rank, count]
        expanded.extend(out(ops.gather(found, i64(axis), i64(0))) for axis in range(rank))
    return expanded


def _gather_tuples(ctx, value, positions, indices):
    """``x[..., i, j, ...]`` with several index tensors: GatherND over the indexed axes moved to
    the front. torch puts the broadcast index dimensions where the indexed axes were when those
    are adjacent, and first otherwise (as GatherND does)."""
    rank = static_rank(ctx, value)
    others = [a for a in range(rank) if a not in positions]
    if positions != list(range(len(positions))):
        value = out(ops.transpose(value, i64(positions + others)))
    zeros = None  # sum of 0 * index: the broadcast of all index shapes
    for index_value in indices:
        zero = ops.multiply(index_value, i64(0))
        zeros = zero if zeros is None else ops.add(zeros, zero)
    tuples = [out(ops.unsqueeze(_non_negative(ctx, ops.add(i, zeros), value, axis), i64([-1])))
              for axis, i in enumerate(indices)]
    result = out(ops.gather_nd(value, ops.concat(tuples, -1)))
    start = positions[0]
    if start == 0 or positions != list(range(start, start + len(positions))):
        return result
    index_rank = static_rank(ctx, out(zeros))
    order = list(range(index_rank, index_rank + start)) + list(range(index_rank)) + list(
        range(index_rank + start, index_rank + len(others)))
    return out(ops.transpose(result, i64(order)))


def _non_negative(ctx, index_value, value, axis):
    """``index`` with negative entries counted from the end of ``axis`` (GatherND wants >= 0)."""
    size = out(ops.squeeze(ops.gather(shape_of(value), i64([axis]), i64(0)), i64([0])))
    negative = ops.less(index_value, i64(0))
    return out(ops.select(negative, ops.add(index_value, size), index_value))


@translator("aten.roll", "aten::roll")
def roll(ctx):  # aten::roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor
    value = ctx.input(0)
    shifts, dims = as_list(ctx.arg(1, "shifts")), as_list(ctx.arg(2, "dims", []))
    if dims:
        return out(ops.roll(value, i64(shifts), i64(dims)))
    flat = ops.reshape(value, i64([-1]), False)  # no dims: roll the flattened tensor
    return out(ops.reshape(ops.roll(flat, i64(shifts), i64([0])), shape_of(value), False))


@translator("aten.flip", "aten::flip")
def flip(ctx):  # aten::flip(Tensor self, int[] dims) -> Tensor
    dims = as_list(ctx.arg(1, "dims"))
    count = len(dims)
    return out(ops.slice(ctx.input(0), i64([-1] * count), i64([_INT64_MIN] * count),
                         i64([-1] * count), i64(dims)))


@translator("aten.slice_scatter", "aten::slice_scatter")
def slice_scatter(ctx):
    # aten::slice_scatter(Tensor self, Tensor src, int dim=0, SymInt? start=None,
    #   SymInt? end=None, SymInt step=1) -> Tensor: self with self[start:end:step] = src on dim
    value, source = ctx.input(0), ctx.input(1)
    axis = normalize_axis(ctx, ctx.arg(2, "dim", 0), static_rank(ctx, value))
    source = to_type(source, value.get_element_type())
    return out(ops.scatter_update(value, _slice_positions(ctx, value, axis), source, i64(axis)))


def _slice_positions(ctx, value, axis):
    """The indices ``range(size)[start:end:step]`` along ``axis``; Slice applies Python's
    clamping of the bounds, so sizes and bounds known only at run time work too."""
    length = value.get_partial_shape()[axis]
    bounds = [known_arg(ctx, i, n) for i, n in ((3, "start"), (4, "end"), (5, "step"))]
    if length.is_static and all(ctx.is_none(i, n) or b is not None for b, (i, n) in zip(
            bounds, ((3, "start"), (4, "end"), (5, "step")))):
        return i64(np.arange(length.get_length())[slice(*bounds)])
    size = out(ops.squeeze(dims_of(value, [axis]), i64([0])))
    positions = ops.range(i64(0), size, i64(1), "i64")
    return out(ops.slice(positions, _bound(ctx, 3, "start", 0), _bound(ctx, 4, "end", _INT64_MAX),
                         _bound(ctx, 5, "step", 1), i64([0])))


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}


def _pad_amounts(ctx, index, name, rank):
    """Pad-12's pads_begin/pads_end from torch's pad list (last axis first, begin/end pairs);
    a list computed at run time (TorchScript's Swin pads to a window multiple) is gathered."""
    pads = known_arg(ctx, index, name)
    if pads is not None:
        begins, ends = [0] * rank, [0] * rank
        for i in range(len(pads) // 2):
            begins[rank - 1 - i], ends[rank - 1 - i] = pads[2 * i], pads[2 * i + 1]
        return i64(begins), i64(ends)
    flat = sizes_input(ctx, index, name)
    pairs = flat.get_partial_shape()[0].get_length() // 2
    leading = [i64([0] * (rank - pairs))] if rank > pairs else []
    return [out(ops.concat(leading + [out(ops.gather(flat, i64(
        [2 * (pairs - 1 - axis) + side for axis in range(pairs)]), i64(0)))], 0))
        for side in (0, 1)]


def _circular_pad(ctx, value, index, name):
    """torch's circular padding, axis by axis from the last: negative amounts crop, then the last
    ``begin`` elements wrap around before and the first ``end`` after (Slice + Concat)."""
    pads = known_arg(ctx, index, name)
    if pads is None:
        ctx.fail("circular padding needs pad amounts known at conversion time")
    rank = static_rank(ctx, value)
    for pair in range(len(pads) // 2):
        axis, begin, end = rank - 1 - pair, pads[2 * pair], pads[2 * pair + 1]
        length = value.get_partial_shape()[axis]
        kept = length.get_length() - max(-begin, 0) - max(-end, 0) if length.is_static else None
        if kept is not None and max(begin, end) > kept:
            # torch checks the uncropped size and then reads outside the cropped tensor
            ctx.fail(f"circular padding of dimension {axis} by {max(begin, end)} wraps around "
                     f"more than its {kept} elements (after cropping)")
        value = _wrap_around(value, axis, begin, end)
    return value


def _wrap_around(value, axis, begin, end):
    def part(start, stop):
        return out(ops.slice(value, i64([start]), i64([stop]), i64([1]), i64([axis])))

    if begin < 0 or end < 0:
        value = part(max(-begin, 0), end if end < 0 else _INT64_MAX)
    pieces = ([part(-begin, _INT64_MAX)] if begin > 0 else []) + [value] + \
        ([part(0, end)] if end > 0 else [])
    return out(ops.concat(pieces, axis)) if len(pieces) > 1 else value


def pad(ctx, value, index, name, mode, fill=None):
    """Pad-12 of ``value`` by the torch pad list in argument ``index``/``name``."""
    if mode == "circular":
        return _circular_pad(ctx, value, index, name)
    if _PAD_MODES.get(mode) is None:
        ctx.fail(f"padding mode {mode!r} is not supported (constant, reflect, replicate, "
                 "circular)")
    begins, ends = _pad_amounts(ctx, index, name, static_rank(ctx, value))
    fill_value = None
    if mode == "constant":
        fill_value = to_type(ctx.const_like(0 if fill is None else fill, value),
                             value.get_element_type())
    return out(ops.pad(value, begins, ends, _PAD_MODES[mode], fill_value))


@translator("aten.pad", "aten::pad")
def pad_(ctx):  # aten::pad(Tensor self, SymInt[] pad, str mode="constant", float? value=None)
    return pad(ctx, ctx.input(0), 1, "pad", ctx.arg(2, "mode", "constant"),
               ctx.arg(3, "value", None))


@translator("aten.constant_pad_nd", "aten::constant_pad_nd")
def constant_pad_nd(ctx):  # aten::constant_pad_nd(Tensor self, SymInt[] pad, Scalar value=0)
    return pad(ctx, ctx.input(0), 1, "pad", "constant", ctx.arg(2, "value", 0))


def _pad_family(mode):
    def translate(ctx):  # aten::reflection_pad2d(Tensor self, SymInt[4] padding) -> Tensor
        return pad(ctx, ctx.input(0), 1, "padding", mode)
    translate.__name__ = f"{mode}_pad"
    return translate


for _rank in (1, 2, 3):
    translator(f"aten.reflection_pad{_rank}d", f"aten::reflection_pad{_rank}d")(
        _pad_family("reflect"))
    translator(f"aten.replication_pad{_rank}d", f"aten::replication_pad{_rank}d")(
        _pad_family("replicate"))
