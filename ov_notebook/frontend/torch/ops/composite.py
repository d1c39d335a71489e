"""Ops that compose from existing operations: linspace, tensor_split, meshgrid,
repeat_interleave, glu, addcmul, addcdiv, one-argument where / nonzero_numpy (as OpenVINO's
``op/linspace.cpp``, ``tensor_split.cpp``, ``meshgrid.cpp``, ``repeat_interleave.cpp``,
``glu.cpp``, ``addcmul.cpp``, ``addcdiv.cpp``, ``where.cpp``, ``nonzero.cpp``).
"""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (DEFAULT_FLOAT, dims_of, i64, known_arg, normalize_axis, out,
                      ov_type, promoted, rank_of, shape_of, static_rank, to_type)


def _number_or_tensor(ctx, index, name, element_type):
    if ctx.is_tensor(index, name):
        return to_type(out(ops.reshape(ctx.input(index, name), i64([]), False)), element_type)
    return ctx.const(ctx.arg(index, name), element_type.to_dtype())


@translator("aten.linspace", "aten::linspace")
def linspace(ctx):
    # aten::linspace(Scalar start, Scalar end, int steps, *, ScalarType? dtype=None, ...) -> Tensor
    dtype = ctx.arg(None, "dtype", None)
    element_type = DEFAULT_FLOAT if dtype is None else ov_type(dtype)
    work = Type.f64 if element_type in (Type.f64, Type.i64, Type.u64) else Type.f32
    start = _number_or_tensor(ctx, 0, "start", work)
    end = _number_or_tensor(ctx, 1, "end", work)
    steps = known_arg(ctx, 2, "steps")
    steps = to_type(ctx.input(2, "steps"), Type.i64) if steps is None else i64(steps)
    positions = to_type(ops.range(i64(0), steps, i64(1), "i64"), work)
    # step = (end - start) / max(steps - 1, 1); torch fills the second half from the end
    intervals = to_type(ops.maximum(ops.subtract(steps, i64(1)), i64(1)), work)
    step = ops.divide(ops.subtract(end, start), intervals)
    from_start = ops.add(start, ops.multiply(positions, step))
    last = to_type(ops.subtract(steps, i64(1)), work)
    from_end = ops.subtract(end, ops.multiply(ops.subtract(last, positions), step))
    half = ops.divide(to_type(steps, work), ctx.const(2.0, work.to_dtype()))
    values = ops.select(ops.less(positions, half), from_start, from_end)
    return to_type(values, element_type)


def _slice(value, start, stop, axis):
    return out(ops.slice(value, start, stop, i64([1]), i64([axis])))


@translator("aten.tensor_split", "aten::tensor_split")
def tensor_split(ctx):
    # aten::tensor_split.sections(Tensor self, SymInt sections, int dim=0) -> Tensor[]
    # aten::tensor_split.indices(Tensor self, SymInt[] indices, int dim=0) -> Tensor[]
    # aten::tensor_split.tensor_indices_or_sections(Tensor self, Tensor t, int dim=0) -> Tensor[]
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(2, "dim", 0), static_rank(ctx, value))
    split = known_arg(ctx, 1)
    if split is None:
        ctx.fail("the sections or indices of tensor_split must be known at conversion time")
    if isinstance(split, list):  # split points; Slice clamps them to the dimension as torch does
        bounds = [0] + [int(i) for i in split]
        pieces = [_slice(value, i64([a]), i64([b]), axis) for a, b in zip(bounds, bounds[1:])]
        return pieces + [_slice(value, i64([bounds[-1]]), i64([2**62]), axis)]
    if split <= 0:
        ctx.fail(f"the number of sections must be positive, got {split}")
    # piece k starts at k * (n // sections) + min(k, n % sections)
    length = dims_of(value, [axis])
    size = out(ops.divide(length, i64([split])))
    extra = out(ops.floor_mod(length, i64([split])))

    def start(k):
        return ops.add(ops.multiply(size, i64([k])), ops.minimum(extra, i64([k])))
    return [_slice(value, start(k), start(k + 1), axis) for k in range(split)]


@translator("aten.meshgrid", "aten::meshgrid")
def meshgrid(ctx):
    # aten::meshgrid(Tensor[] tensors) -> Tensor[]; .indexing(Tensor[] tensors, *, str indexing)
    tensors = ctx.input_list(0, "tensors")
    indexing = ctx.arg(None, "indexing", "ij")
    if indexing not in ("ij", "xy"):
        ctx.fail(f"indexing={indexing!r} is not 'ij' or 'xy'")
    for tensor in tensors:
        if rank_of(tensor) not in (0, 1):
            ctx.fail("meshgrid takes 0-D or 1-D tensors")
    tensors = [out(ops.reshape(t, i64([-1]), False)) for t in tensors]
    # axes[i]: the output dimension input i runs along; 'xy' swaps the first two (Cartesian)
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    target = out(ops.concat([shape_of(tensors[axes[d]]) for d in range(len(tensors))], 0))
    grids = []
    for tensor, axis in zip(tensors, axes):
        shape = [1] * len(tensors)
        shape[axis] = -1
        grids.append(out(ops.broadcast(ops.reshape(tensor, i64(shape), False), target)))
    return grids


def _repeat_positions(ctx, repeats, length):
    """The source index of every output element: ``arange(length).repeat_interleave(repeats)``."""
    # one repeat count serves every element, as torch broadcasts a 1-element repeats
    repeats = out(ops.broadcast(to_type(repeats, Type.i64), length))
    ends = out(ops.cumsum(repeats, i64(0)))
    total = out(ops.reduce_sum(repeats, i64([0]), False))
    positions = ops.range(i64(0), total, i64(1), "i64")
    # the number of ends <= position: the piece that position falls in
    return out(ops.bucketize(positions, ends, "i64", False))


@translator("aten.repeat_interleave", "aten::repeat_interleave")
def repeat_interleave(ctx):
    # aten::repeat_interleave.self_int(Tensor self, SymInt repeats, int? dim=None, *,
    #   SymInt? output_size=None); .self_Tensor(Tensor self, Tensor repeats, ...);
    # .Tensor(Tensor repeats, *, SymInt? output_size=None): the indices
    if "self" not in ctx.node.schema_names:
        repeats = ctx.input(0, "repeats")
        return _repeat_positions(ctx, repeats, dims_of(repeats, [0]))
    value = ctx.input(0)
    dim = ctx.arg(None, "dim", None)
    if dim is None:
        value, axis = out(ops.reshape(value, i64([-1]), False)), 0
    else:
        axis = normalize_axis(ctx, dim, static_rank(ctx, value))
    if ctx.is_tensor(1, "repeats"):
        positions = _repeat_positions(ctx, ctx.input(1, "repeats"), dims_of(value, [axis]))
        return out(ops.gather(value, positions, i64(axis)))
    repeats = ctx.arg(1, "repeats")
    # [.., n, ..] -> [.., n, repeats, ..] -> [.., n * repeats, ..]
    rank = static_rank(ctx, value)
    expanded = ops.unsqueeze(value, i64(axis + 1))
    tiles = [1] * (rank + 1)
    tiles[axis + 1] = repeats
    tiled = ops.tile(expanded, i64(tiles))
    shape = ops.concat([dims_of(value, range(axis)), i64([-1]),
                        dims_of(value, range(axis + 1, rank))], 0)
    return out(ops.reshape(tiled, shape, False))


@translator("aten.glu", "aten::glu")
def glu(ctx):  # aten::glu(Tensor self, int dim=-1) -> Tensor
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(1, "dim", -1), static_rank(ctx, value))
    length = value.get_partial_shape()[axis]
    if length.is_static and length.get_length() % 2:
        ctx.fail(f"glu halves dimension {axis}, whose size {length.get_length()} is odd")
    first, second = ops.split(value, i64(axis), 2).outputs()
    return out(ops.multiply(first, ops.sigmoid(second)))


def _add_scaled_product(ctx, combine):
    # aten::addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor
    (base, left, right), element_type = promoted(ctx, 0, 1, 2)
    product = out(combine(left, right))
    scale = ctx.arg(None, "value", 1)
    if scale != 1:
        product = out(ops.multiply(product, ctx.const_like(scale, product)))
    return out(ops.add(base, product))


@translator("aten.addcmul", "aten::addcmul")
def addcmul(ctx):  # aten::addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1)
    return _add_scaled_product(ctx, ops.multiply)


@translator("aten.addcdiv", "aten::addcdiv")
def addcdiv(ctx):  # aten::addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1)
    for index in (1, 2):
        if not ctx.input(index).get_element_type().is_real:
            ctx.fail("addcdiv of integer tensors is not supported by torch either; use floats")
    return _add_scaled_product(ctx, ops.divide)


def nonzero_tuple(ctx, value):
    """``torch.nonzero(value, as_tuple=True)``: one 1-D i64 index tensor per dimension."""
    rank = static_rank(ctx, value)
    if rank == 0:  # torch treats a 0-d tensor as 1-D here
        value, rank = out(ops.reshape(value, i64([1]), False)), 1
    found = ops.non_zero(value, "i64")  # [rank, count]
    return [out(ops.gather(found, i64(axis), i64(0))) for axis in range(rank)]


@translator("aten::nonzero_numpy", "aten.nonzero_numpy")
def nonzero_numpy(ctx):  # aten::nonzero_numpy(Tensor self) -> Tensor[]
    return nonzero_tuple(ctx, ctx.input(0))

