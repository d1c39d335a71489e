"""Other spellings of ops that already have a translator, and small compositions of them, from
OpenVINO's op table (``op_table.cpp``): the FX ``*_copy`` view ops, ``multiply``, ``clip``,
``special_expit``, ``mv``, ``lift``/``alias_copy``, ``copy``, ``zero``, ``tile``, ``erfc``,
``rad2deg``, ``movedim``, ``dot``, ``logaddexp``, ``log_sigmoid``, ``lerp``, ``hstack``/``vstack``.
"""
from __future__ import annotations

import math

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (as_list, i64, normalize_axis, out, promote_types, promoted, rank_of,
                      static_rank, to_type)
from .activations import _UNARY as _ACTIVATIONS
from .arithmetic import _unary, clamp, copy, float_input, mul
from .indexing import select, slice_
from .linear import matmul
from .shape_ops import as_strided, identity, permute, repeat, reshape, squeeze, unsqueeze
from .splitting import split

# the functional copies torch.export writes for views (aten.permute_copy...) compute the view
translator("aten.permute_copy")(permute)
translator("aten.view_copy")(reshape)
translator("aten.select_copy")(select)
translator("aten.slice_copy")(slice_)
translator("aten.as_strided_copy")(as_strided)
translator("aten.squeeze_copy")(squeeze)
translator("aten.unsqueeze_copy")(unsqueeze)
translator("aten.split_with_sizes_copy")(split)
translator("aten::multiply", "aten.multiply")(mul)
translator("aten::clip", "aten.clip")(clamp)
translator("aten::mv", "aten.mv")(matmul)
translator("aten::tile", "aten.tile")(repeat)  # tile pads missing leading repeats like repeat
translator("aten::lift", "aten.lift", "aten::lift_fresh_copy", "aten::alias_copy",
           "aten.alias_copy")(identity)
translator("aten::copy")(copy)
translator("aten::special_expit", "aten.special_expit")(_unary("sigmoid", True))
assert "sigmoid" in _ACTIVATIONS  # the table special_expit is an alias of


@translator("aten::zero")
def zero(ctx):  # aten::zero(Tensor self) -> Tensor
    value = ctx.input(0)
    return out(ops.broadcast(ctx.const_like(0, value), ops.shape_of(value)))


@translator("aten.erfc", "aten::erfc")
def erfc(ctx):  # aten::erfc(Tensor self) -> Tensor
    value = float_input(ctx)
    return out(ops.subtract(ctx.const_like(1, value), ops.erf(value)))


@translator("aten.rad2deg", "aten::rad2deg")
def rad2deg(ctx):  # aten::rad2deg(Tensor self) -> Tensor
    value = float_input(ctx)
    return out(ops.multiply(value, ctx.const_like(180.0 / math.pi, value)))


@translator("aten.movedim", "aten::movedim")
def movedim(ctx):  # aten::movedim.intlist(Tensor(a) self, int[] source, int[] destination)
    value = ctx.input(0)
    rank = static_rank(ctx, value)
    sources = [normalize_axis(ctx, a, rank) for a in as_list(ctx.arg(1, "source"))]
    targets = [normalize_axis(ctx, a, rank) for a in as_list(ctx.arg(2, "destination"))]
    if len(sources) != len(targets) or len(set(sources)) != len(sources):
        ctx.fail(f"source {sources} and destination {targets} must be distinct and as many")
    order = [None] * rank
    for source, target in zip(sources, targets):
        order[target] = source
    rest = iter(a for a in range(rank) if a not in sources)
    order = [next(rest) if a is None else a for a in order]
    return out(ops.transpose(value, i64(order)))


@translator("aten.dot", "aten::dot")
def dot(ctx):  # aten::dot(Tensor self, Tensor tensor) -> Tensor
    (left, right), _ = promoted(ctx, 0, 1)
    return out(ops.reduce_sum(ops.multiply(left, right), i64([0]), False))


@translator("aten.logaddexp", "aten::logaddexp")
def logaddexp(ctx):  # aten::logaddexp(Tensor self, Tensor other) -> Tensor
    (left, right), element_type = promoted(ctx, 0, 1)
    if not element_type.is_real:
        left, right = to_type(left, Type.f32), to_type(right, Type.f32)
    # max + log(1 + exp(-|a - b|)): no overflow for large inputs
    peak = ops.maximum(left, right)
    gap = ops.negative(ops.absolute(ops.subtract(left, right)))
    return out(ops.add(peak, ops.log(ops.add(ops.exp(gap), ctx.const_like(1, left)))))


@translator("aten.log_sigmoid", "aten::log_sigmoid")
def log_sigmoid(ctx):  # aten::log_sigmoid(Tensor self) -> Tensor
    value = float_input(ctx)
    # log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|))
    zero = ctx.const_like(0, value)
    tail = ops.log(ops.add(ops.exp(ops.negative(ops.absolute(value))), ctx.const_like(1, value)))
    return out(ops.subtract(ops.minimum(value, zero), tail))


@translator("aten.lerp", "aten::lerp")
def lerp(ctx):  # aten::lerp.Scalar(Tensor self, Tensor end, Scalar weight); .Tensor(..., Tensor)
    (start, end), _ = promoted(ctx, 0, 1)
    weight = ctx.input(2, like=start)
    weight = to_type(weight, start.get_element_type())
    return out(ops.add(start, ops.multiply(weight, ops.subtract(end, start))))


def _promoted_list(ctx):
    """The ``Tensor[]`` argument in the type torch promotes the tensors to."""
    tensors = ctx.input_list(0, "tensors")
    target = tensors[0].get_element_type()
    for tensor in tensors[1:]:
        target = promote_types(target, tensor.get_element_type())
    if any(rank_of(t) is None for t in tensors):
        ctx.fail("the tensors must have known ranks")
    return [to_type(t, target) for t in tensors]


@translator("aten.hstack", "aten::hstack")
def hstack(ctx):  # aten::hstack(Tensor[] tensors) -> Tensor: along dim 1 (dim 0 for 1-D)
    tensors = [out(ops.reshape(t, i64([1]), False)) if rank_of(t) == 0 else t
               for t in _promoted_list(ctx)]
    return out(ops.concat(tensors, 0 if rank_of(tensors[0]) == 1 else 1))


@translator("aten.vstack", "aten::vstack")
def vstack(ctx):  # aten::vstack(Tensor[] tensors) -> Tensor: 0/1-D tensors become rows first
    rows = [out(ops.reshape(t, i64([1, -1]), False)) if rank_of(t) <= 1 else t
            for t in _promoted_list(ctx)]
    return out(ops.concat(rows, 0))


@translator("aten::diff", "aten.diff")
def diff(ctx):
    # aten::diff(Tensor self, int n=1, int dim=-1, Tensor? prepend=None, Tensor? append=None):
    # ``n`` times x[1:] - x[:-1] along ``dim`` (!= for bool tensors), after prepend/append
    value = ctx.input(0)
    rank = static_rank(ctx, value)
    axis = normalize_axis(ctx, ctx.arg(2, "dim", -1), rank)
    pieces = [ctx.optional_input(3, "prepend"), value, ctx.optional_input(4, "append")]
    pieces = [p for p in pieces if p is not None]
    if len(pieces) > 1:
        pieces = [to_type(p, value.get_element_type()) for p in pieces]
        value = out(ops.concat(pieces, axis))
    boolean = value.get_element_type() == Type.boolean
    for _ in range(ctx.arg(1, "n", 1)):
        later = ops.slice(value, i64([1]), i64([2 ** 62]), i64([1]), i64([axis]))
        earlier = ops.slice(value, i64([0]), i64([-1]), i64([1]), i64([axis]))
        value = out(ops.not_equal(later, earlier) if boolean else ops.subtract(later, earlier))
    return value
