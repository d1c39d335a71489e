"""Scatter translators: scatter (src, value, reduce), scatter_add, scatter_reduce, index_add ->
ScatterElementsUpdate-12 with its reductions (as OpenVINO's ``op/scatter.cpp``,
``index_add.cpp``). The in-place forms (``scatter_``, ``index_add_``) translate like these.
"""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, normalize_axis, out, rank_of, shape_of, static_rank, to_type

# scatter(reduce=...) and scatter_reduce(reduce=...) -> ScatterElementsUpdate-12 reduction
_SCATTER_REDUCE = {"add": "sum", "multiply": "prod"}
_SCATTER_REDUCE_TWO = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "max",
                       "amin": "min"}


def _updates(ctx, data, index, source_position):
    """The ``src`` tensor cut to the index's shape (torch reads only that corner of it), or the
    scalar ``value`` broadcast to it; in the data's type."""
    if ctx.is_tensor(source_position):
        source = to_type(ctx.input(source_position), data.get_element_type())
        if rank_of(source) != 0:
            rank = rank_of(index)
            if rank is None:
                ctx.fail("the index of a scatter must have a known rank")
            zeros, ones = i64([0] * rank), i64([1] * rank)
            return out(ops.slice(source, zeros, shape_of(index), ones))
    else:
        value, element_type = ctx.arg(source_position), data.get_element_type()
        if element_type == Type.boolean:
            value = bool(value)
        elif not element_type.is_real:
            value = int(value)  # torch casts the scalar to self's type, truncating
        source = ctx.const_like(value, data)
    return out(ops.broadcast(source, shape_of(index)))


def _scatter(ctx, data, axis, index, updates, reduction, include_self=True):
    axis = normalize_axis(ctx, axis, static_rank(ctx, data))
    index = to_type(index, Type.i64)
    if reduction == "mean" and not data.get_element_type().is_real:
        ctx.fail("scatter_reduce 'mean' of integer tensors is not supported (torch divides with "
                 "floor rounding); convert the tensor to floating point first")
    return out(ops.scatter_elements_update(data, index, updates, i64(axis), reduction,
                                           include_self))


@translator("aten.scatter", "aten::scatter")
def scatter(ctx):
    # aten::scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor
    # aten::scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor
    # aten::scatter.reduce(Tensor self, int dim, Tensor index, Tensor src, *, str reduce) -> Tensor
    data, index = ctx.input(0), ctx.input(2)
    reduce = ctx.arg(None, "reduce", None)
    if reduce is not None and reduce not in _SCATTER_REDUCE:
        ctx.fail(f"reduce={reduce!r} is not one of {sorted(_SCATTER_REDUCE)}")
    updates = _updates(ctx, data, index, 3)
    return _scatter(ctx, data, ctx.arg(1, "dim"), index, updates,
                    _SCATTER_REDUCE.get(reduce, "none"))


@translator("aten.scatter_add", "aten::scatter_add")
def scatter_add(ctx):  # aten::scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor
    data, index = ctx.input(0), ctx.input(2)
    return _scatter(ctx, data, ctx.arg(1, "dim"), index, _updates(ctx, data, index, 3), "sum")


@translator("aten.scatter_reduce", "aten::scatter_reduce")
def scatter_reduce(ctx):
    # aten::scatter_reduce.two(Tensor self, int dim, Tensor index, Tensor src, str reduce, *,
    #   bool include_self=True) -> Tensor
    data, index = ctx.input(0), ctx.input(2)
    reduce = ctx.arg(4, "reduce")
    if reduce not in _SCATTER_REDUCE_TWO:
        ctx.fail(f"reduce={reduce!r} is not one of {sorted(_SCATTER_REDUCE_TWO)}")
    return _scatter(ctx, data, ctx.arg(1, "dim"), index, _updates(ctx, data, index, 3),
                    _SCATTER_REDUCE_TWO[reduce], bool(ctx.arg(None, "include_self", True)))


@translator("aten.index_add", "aten::index_add")
def index_add(ctx):
    # aten::index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1)
    data, index = ctx.input(0), to_type(ctx.input(2), Type.i64)
    source = to_type(ctx.input(3), data.get_element_type())
    rank = static_rank(ctx, data)
    axis = normalize_axis(ctx, ctx.arg(1, "dim"), rank)
    if rank_of(source) != rank:  # torch accepts a 0-d source for a 0-d self (or 1 index)
        source = out(ops.reshape(source, shape_of(data) if rank == 0 else
                                 i64([1] * rank), False))
    alpha = ctx.arg(None, "alpha", 1)
    if alpha != 1:
        source = out(ops.multiply(source, ctx.const_like(alpha, source)))
    # index [n] -> [1, .., n, .., 1] broadcast to the source's shape: element-wise positions
    if rank:
        shape = [1] * rank
        shape[axis] = -1
        index = out(ops.broadcast(ops.reshape(index, i64(shape), False), shape_of(source)))
    else:
        index = out(ops.reshape(index, i64([]), False))
    return out(ops.scatter_elements_update(data, index, source, i64(axis), "sum", True))
