"""Shape translators: views and reshapes, permutations, broadcasting, tensor sizes, and the ops
that are the identity in an inference graph (contiguous, clone, dropout in eval mode...)."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (dims_of, i64, known_arg, normalize_axis, out, ov_type, rank_of, shape_of,
                      sizes_input, static_rank, to_type)


@translator("aten.contiguous", "aten::contiguous", "aten.clone", "aten::clone", "aten.detach",
            "aten::detach", "aten.alias", "aten::alias", "aten.lift_fresh_copy",
            "aten::lift_fresh", "aten.lift_fresh", "aten.dropout", "aten::dropout",
            "aten.feature_dropout", "aten::feature_dropout", "aten.alpha_dropout",
            "aten::alpha_dropout", "aten::feature_alpha_dropout", "aten.feature_alpha_dropout",
            "aten.resolve_conj", "aten::resolve_conj", "aten.resolve_neg", "aten::resolve_neg")
def identity(ctx):  # aten::dropout(Tensor input, float p, bool train) -> Tensor (eval: identity)
    if "dropout" in ctx.op and ctx.arg(2, "train", False):
        ctx.fail("dropout in training mode is random; convert the model in eval() mode")
    return ctx.input(0)


@translator("aten.native_dropout", "aten::native_dropout")
def native_dropout(ctx):  # aten::native_dropout(Tensor input, float p, bool? train) -> (Tensor, Tensor)
    if ctx.arg(2, "train", False):
        ctx.fail("dropout in training mode is random; convert the model in eval() mode")
    value = ctx.input(0)
    keep = ops.broadcast(ctx.const(np.array(True)), shape_of(value))
    return [value, out(keep)]


@translator("aten.view", "aten.reshape", "aten._unsafe_view", "aten::view", "aten::reshape",
            "aten::_unsafe_view")
def reshape(ctx):  # aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)
    target = known_arg(ctx, 1, "size")
    if isinstance(target, str) or (isinstance(target, int) and not isinstance(target, bool)):
        return view_dtype(ctx, ctx.input(0), ov_type(target))  # TorchScript: a ScalarType
    return out(ops.reshape(ctx.input(0), sizes_input(ctx, 1, "size"), False))


def view_dtype(ctx, value, target):
    """aten::view.dtype(Tensor(a) self, ScalarType dtype): the same bytes read as ``target``.
    Between integers of one size that is Convert, which wraps modulo 2^bits (two's complement)
    in OpenVINO as in C++; bool to 8-bit integers too. Float bits have no OpenVINO operation."""
    source = value.get_element_type()
    if source == target:
        return value
    if Type.boolean in (source, target) and {source, target} <= {Type.boolean, Type.u8, Type.i8}:
        return to_type(value, target)  # bool bytes are 0 or 1 (other bytes are invalid bools)
    if source.bitwidth != target.bitwidth:
        ctx.fail(f"view({target}) of a {source} tensor reinterprets bytes as elements of another "
                 "size (the last dimension changes): not supported")
    if not (source.is_integral_number() and target.is_integral_number()):
        ctx.fail(f"view({target}) of a {source} tensor reinterprets floating-point bits, which no "
                 "OpenVINO operation does (integers of one size and bool are supported)")
    return to_type(value, target)


@translator("aten.view_as", "aten::view_as", "aten.reshape_as", "aten::reshape_as")
def reshape_as(ctx):  # aten::view_as(Tensor(a) self, Tensor other) -> Tensor(a)
    return out(ops.reshape(ctx.input(0), shape_of(ctx.input(1)), False))


def _merged_shape(value, start, end, middle):
    """``shape[:start] + middle + shape[end + 1:]`` as a 1-D i64 tensor (``middle``: a list of
    ints or a 1-D tensor)."""
    shape = value.get_partial_shape()
    rank = len(shape)
    if isinstance(middle, list) and shape.is_static:
        dims = list(shape.to_shape())
        return i64(dims[:start] + middle + dims[end + 1:])
    parts = [dims_of(value, range(start))] if start else []
    parts.append(i64(middle) if isinstance(middle, list) else middle)
    if end + 1 < rank:
        parts.append(dims_of(value, range(end + 1, rank)))
    return out(ops.concat(parts, 0))


@translator("aten.flatten", "aten::flatten")
def flatten(ctx):  # aten::flatten.using_ints(Tensor self, int start_dim=0, int end_dim=-1)
    value = ctx.input(0)
    rank = static_rank(ctx, value)
    if rank == 0:
        return out(ops.reshape(value, i64([1]), False))
    start = normalize_axis(ctx, ctx.arg(1, "start_dim", 0), rank)
    end = normalize_axis(ctx, ctx.arg(2, "end_dim", -1), rank)
    # flattened dims of known size give a known size ([?,8,1,1] -> [?,8], not [?,?])
    merged = value.get_partial_shape()[start:end + 1]
    middle = [int(np.prod(merged.to_shape()))] if merged.is_static else [-1]
    return out(ops.reshape(value, _merged_shape(value, start, end, middle), False))


@translator("aten.unflatten", "aten::unflatten")
def unflatten(ctx):  # aten::unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(1, "dim"), static_rank(ctx, value))
    sizes = known_arg(ctx, 2, "sizes")
    middle = list(sizes) if sizes is not None else sizes_input(ctx, 2, "sizes")
    return out(ops.reshape(value, _merged_shape(value, axis, axis, middle), False))


@translator("aten.squeeze", "aten::squeeze")
def squeeze(ctx):  # aten::squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a); also .dim, .default
    value = ctx.input(0)
    shape = value.get_partial_shape()
    dims = ctx.arg(None, "dim", None)
    if dims is None:
        if not shape.rank_is_static:
            return out(ops.squeeze(value))
        dims = list(range(len(shape)))
        # squeezing every axis keeps those that are not (statically) 1
        dims = [d for d in dims if not shape[d].is_static or shape[d].get_length() == 1]
    rank = static_rank(ctx, value)
    axes = [normalize_axis(ctx, d, rank) for d in (dims if isinstance(dims, list) else [dims])]
    # torch leaves axes whose size is not 1 in place
    axes = [a for a in axes if not shape[a].is_static or shape[a].get_length() == 1]
    return out(ops.squeeze(value, i64(axes))) if axes else value


@translator("aten.unsqueeze", "aten::unsqueeze")
def unsqueeze(ctx):  # aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)
    value = ctx.input(0)
    rank = rank_of(value)
    axis = ctx.arg(1, "dim")
    if rank is not None:
        axis = normalize_axis(ctx, axis, rank + 1)
    return out(ops.unsqueeze(value, i64([axis])))


@translator("aten.permute", "aten::permute")
def permute(ctx):  # aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)
    value = ctx.input(0)
    rank = static_rank(ctx, value)
    order = [normalize_axis(ctx, d, rank) for d in ctx.arg(1, "dims")]
    return out(ops.transpose(value, i64(order)))


def swap(ctx, value, first, second):
    rank = static_rank(ctx, value)
    order = list(range(rank))
    first, second = normalize_axis(ctx, first, rank), normalize_axis(ctx, second, rank)
    order[first], order[second] = order[second], order[first]
    return out(ops.transpose(value, i64(order)))


@translator("aten.transpose", "aten::transpose", "aten.swapaxes", "aten::swapaxes",
            "aten.swapdims", "aten::swapdims")
def transpose(ctx):  # aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)
    return swap(ctx, ctx.input(0), ctx.arg(1), ctx.arg(2))


@translator("aten.t", "aten::t", "aten.numpy_T", "aten::numpy_T")
def t(ctx):  # aten::t(Tensor(a) self) -> Tensor(a): transposes 2-D, leaves 0/1-D alone
    value = ctx.input(0)
    rank = static_rank(ctx, value)
    if rank < 2:
        return value
    return out(ops.transpose(value, i64(list(range(rank))[::-1])))


def _expand_target(ctx, index, name):
    # -1 keeps a dimension: |-1| = 1 broadcasts bidirectionally to the input's size
    sizes = known_arg(ctx, index, name)
    if sizes is not None:
        return i64([abs(s) for s in sizes])
    target = sizes_input(ctx, index, name)
    if not ctx.is_tensor(index, name) and target.get_node().get_type_name() == "Concat":
        # literals and sizes (TorchScript ``x.size(0)``): |x| per element, as OpenVINO sinks
        # it, since OpenVINO cannot bound Abs(Concat(size, -1, ...)) for a Broadcast target
        return out(ops.concat([_absolute(part) for part in target.get_node().input_values()], 0))
    return out(ops.absolute(target))


def _absolute(part):
    known = part.get_known_value()  # a literal, Unsqueezed: folded here rather than left to a pass
    return i64(np.abs(known)) if known is not None else out(ops.absolute(part))


@translator("aten.expand", "aten::expand", "aten.broadcast_to", "aten::broadcast_to")
def expand(ctx):  # aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False)
    return out(ops.broadcast(ctx.input(0), _expand_target(ctx, 1, "size"),
                             broadcast_spec="BIDIRECTIONAL"))


@translator("aten.expand_as", "aten::expand_as")
def expand_as(ctx):  # aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)
    return out(ops.broadcast(ctx.input(0), shape_of(ctx.input(1)),
                             broadcast_spec="BIDIRECTIONAL"))


@translator("aten.repeat", "aten::repeat")
def repeat(ctx):  # aten::repeat(Tensor self, SymInt[] repeats) -> Tensor
    return out(ops.tile(ctx.input(0), sizes_input(ctx, 1, "repeats")))


@translator("aten::size", "aten.size")
def size(ctx):  # aten::size(Tensor self) -> int[]; aten::size.int(Tensor self, int dim) -> int
    value = ctx.input(0)
    if ctx.is_none(1, "dim"):
        return shape_of(value)
    dim = ctx.arg(1, "dim")
    return out(ops.squeeze(dims_of(value, [dim]), i64([0])))


@translator("aten::dim", "aten.dim")
def dim(ctx):  # aten::dim(Tensor self) -> int
    return ctx.const(np.int64(static_rank(ctx, ctx.input(0))))


@translator("aten::numel", "aten.numel")
def numel(ctx):  # aten::numel(Tensor self) -> int
    return out(ops.reduce_prod(shape_of(ctx.input(0)), i64([0]), False))


@translator("aten.type_as", "aten::type_as")
def type_as(ctx):  # aten::type_as(Tensor self, Tensor other) -> Tensor
    return to_type(ctx.input(0), ctx.input(1).get_element_type())


def _contiguous_strides(sizes):
    strides, step = [], 1
    for size in reversed(sizes):
        strides.append(step)
        step *= size
    return strides[::-1]


@translator("aten.as_strided", "aten::as_strided")
def as_strided(ctx):
    # aten::as_strided(Tensor(a) self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None)
    # Indexes the input as if it were contiguous storage, which it is in the graphs that use it
    # (core ATen's adaptive_avg_pool2d decomposition restrides the [N, C, 1, 1] mean).
    value = ctx.input(0)
    sizes, strides = list(ctx.arg(1, "size")), list(ctx.arg(2, "stride"))
    offset = ctx.arg(3, "storage_offset", None) or 0
    relevant = [(s, d) for s, d, c in zip(sizes, strides, _contiguous_strides(sizes)) if s != 1]
    if offset == 0 and all(d == c for (s, d), c in zip(relevant, _contiguous_strides(
            [s for s, _ in relevant]))):
        return out(ops.reshape(value, i64(sizes), False))  # the same elements, in order
    grids = np.meshgrid(*[np.arange(s) * d for s, d in zip(sizes, strides)], indexing="ij")
    flat_index = offset + sum(grids) if grids else np.array(offset)
    flat = ops.reshape(value, i64([-1]), False)
    return out(ops.gather(flat, i64(flat_index), i64(0)))
