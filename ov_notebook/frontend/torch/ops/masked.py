"""Indexed and masked writes and selections: ``x[i, j] = v`` and ``x[mask] = v`` (index_put),
masked_scatter, masked_select, nonzero.

A mask selects as many elements as it has True values, which only run time knows: NonZero gives
``[rank, ?]`` indices, and the ops after it (GatherND, ScatterNDUpdate, Slice) keep that ``?``.
"""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import dims_of, i64, out, rank_of, shape_of, static_rank, to_type
from .indexing import _non_negative, mask_indices


@translator("aten.index_put", "aten::index_put", "aten._unsafe_index_put",
            "aten::_unsafe_index_put")
def index_put(ctx):
    # aten::index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False)
    value = ctx.input(0)
    entries = ctx.optional_input_list(1, "indices")
    values = to_type(ctx.input(2, like=value), value.get_element_type())
    accumulate = bool(ctx.arg(3, "accumulate", False))
    if not accumulate and _selects(ctx, value, entries, values):
        return _select_write(value, entries, values)
    entries = mask_indices(ctx, entries)
    positions = [i for i, e in enumerate(entries) if e is not None]
    if not positions:
        ctx.fail("index_put needs at least one index tensor")
    indices = [to_type(entries[i], Type.i64) for i in positions]
    return _scatter(ctx, value, positions, indices, values, "sum" if accumulate else None)


def _selects(ctx, value, entries, values):
    """Whether the write is a Select: one boolean mask, and ``values`` the same for every element
    it picks (no dimension of its own for the selected elements)."""
    used = [e for e in entries if e is not None]
    if len(used) != 1 or used[0].get_element_type() is not Type.boolean:
        return False
    rank, values_rank = rank_of(value), rank_of(values)
    mask_rank, start = rank_of(used[0]), next(i for i, e in enumerate(entries) if e is not None)
    if None in (rank, values_rank, mask_rank):
        return False
    return values_rank <= rank - start - mask_rank


def _select_write(value, entries, values):
    """``x[:, mask] = v`` as ``where(mask, v, x)``, the mask shaped to broadcast against ``x``."""
    start = next(i for i, e in enumerate(entries) if e is not None)
    mask = entries[start]
    trailing = list(range(rank_of(mask), rank_of(value) - start))
    if trailing:  # numpy broadcasting supplies the leading axes
        mask = ops.unsqueeze(mask, i64(trailing))
    return out(ops.select(mask, values, value))


def _scatter(ctx, value, positions, indices, values, reduction):
    """ScatterNDUpdate of ``values`` (broadcast to the shape of ``value[indices]``) at the index
    tuples, the indexed axes moved to the front and back."""
    rank = static_rank(ctx, value)
    others = [a for a in range(rank) if a not in positions]
    order = positions + others
    moved = out(ops.transpose(value, i64(order))) if order != list(range(rank)) else value
    zeros = None  # sum of 0 * index: the broadcast of all index shapes
    for index_value in indices:
        zero = ops.multiply(index_value, i64(0))
        zeros = zero if zeros is None else ops.add(zeros, zero)
    tuples = [out(ops.unsqueeze(_non_negative(ctx, ops.add(index_value, zeros), moved, axis),
                                i64([-1]))) for axis, index_value in enumerate(indices)]
    updates = _updates(ctx, value, positions, others, out(zeros), values)
    result = out(ops.scatter_nd_update(moved, ops.concat(tuples, -1), updates, reduction))
    if order == list(range(rank)):
        return result
    inverse = [order.index(axis) for axis in range(rank)]
    return out(ops.transpose(result, i64(inverse)))


def _updates(ctx, value, positions, others, zeros, values):
    """``values`` broadcast as torch does, to the shape of ``value[indices]`` (the index
    dimensions in place of adjacent indexed axes not at the front, else first), then laid out
    index dimensions first, as ScatterNDUpdate takes them."""
    start, index_rank = positions[0], static_rank(ctx, zeros)
    in_place = start > 0 and positions == list(range(start, start + len(positions)))
    before = [a for a in others if a < start] if in_place else []
    after = [a for a in others if a not in before]
    parts = ([dims_of(value, before)] if before else []) + [shape_of(zeros)] + \
        ([dims_of(value, after)] if after else [])
    updates = out(ops.broadcast(values, ops.concat(parts, 0)))
    if not before:
        return updates
    order = list(range(len(before), len(before) + index_rank)) + list(range(len(before))) + \
        list(range(len(before) + index_rank, len(before) + index_rank + len(after)))
    return out(ops.transpose(updates, i64(order)))


def _broadcast_together(first, second):
    """Both tensors broadcast to their common (numpy) shape."""
    first = out(ops.broadcast(first, shape_of(second), broadcast_spec="BIDIRECTIONAL"))
    second = out(ops.broadcast(second, shape_of(first), broadcast_spec="BIDIRECTIONAL"))
    return first, second


def _true_positions(mask):
    """``[count, rank]`` indices of the True elements, in row-major order."""
    return out(ops.transpose(ops.non_zero(mask, "i64"), i64([1, 0])))


@translator("aten.masked_scatter", "aten::masked_scatter")
def masked_scatter(ctx):  # aten::masked_scatter(Tensor self, Tensor mask, Tensor source) -> Tensor
    value = ctx.input(0)
    value, mask = _broadcast_together(value, to_type(ctx.input(1), Type.boolean))
    positions = _true_positions(mask)
    # the first count elements of source, in order, go where mask is True (row-major)
    source = to_type(ctx.input(2), value.get_element_type())
    flat = ops.reshape(source, i64([-1]), False)
    updates = ops.slice(flat, i64([0]), dims_of(positions, [0]), i64([1]), i64([0]))
    return out(ops.scatter_nd_update(value, positions, updates))


@translator("aten.masked_select", "aten::masked_select")
def masked_select(ctx):  # aten::masked_select(Tensor self, Tensor mask) -> Tensor
    value, mask = _broadcast_together(ctx.input(0), to_type(ctx.input(1), Type.boolean))
    if rank_of(value) == 0:
        value, mask = out(ops.unsqueeze(value, i64([0]))), out(ops.unsqueeze(mask, i64([0])))
    return out(ops.gather_nd(value, _true_positions(mask)))


@translator("aten.nonzero", "aten::nonzero", "aten.argwhere", "aten::argwhere")
def nonzero(ctx):  # aten::nonzero(Tensor self) -> Tensor: [count, rank] int64 indices
    value = ctx.input(0)
    if rank_of(value) == 0:
        ctx.fail("nonzero of a 0-d tensor is not supported")
    return _true_positions(value)
