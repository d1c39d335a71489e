"""Norms and distances: linalg_norm, linalg_matrix_norm, frobenius_norm, norm with a string order,
outer, cdist, pairwise_distance (as OpenVINO's ``op/norm.cpp``, ``outer.cpp``, ``cdist.cpp``,
``pairwise_distance.cpp``). Vector norms reuse ``reductions._vector_norm``.

Matrix norms that need singular values (``'nuc'``, ord 2 and -2) are refused with the reason: the
OpenVINO operation set has no SVD, and OpenVINO's own frontend refuses them too.
"""
from __future__ import annotations

import math

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import as_list, i64, normalize_axis, out, promoted, static_rank
from .arithmetic import float_input
from .reductions import _vector_norm, _with_dtype

_NEEDS_SVD = "needs singular values (SVD), which the OpenVINO operation set does not have"


def _norm_input(ctx):
    return _with_dtype(ctx, float_input(ctx))


def _keepdim(ctx):
    return bool(ctx.arg(None, "keepdim", False))


def frobenius(value, axes, keepdim):
    """sqrt(sum(x * x)) over ``axes``."""
    return out(ops.sqrt(ops.reduce_sum(ops.multiply(value, value), i64(axes), keepdim)))


def matrix_norm(ctx, value, order, axes, keepdim):
    """torch.linalg.matrix_norm of ``value`` over the two ``axes`` (rows, columns)."""
    rank = static_rank(ctx, value)
    if len(axes) != 2:
        ctx.fail(f"a matrix norm needs 2 dimensions, got dim={axes}")
    rows, columns = (normalize_axis(ctx, axis, rank) for axis in axes)
    if rows == columns:
        ctx.fail(f"a matrix norm needs 2 different dimensions, got dim={axes}")
    if order == "fro":
        return frobenius(value, [rows, columns], keepdim)
    if order == "nuc" or order in (2, -2):
        ctx.fail(f"the matrix norm ord={order!r} {_NEEDS_SVD}")
    if order not in (1, -1, math.inf, -math.inf):
        ctx.fail(f"matrix norm ord={order!r} is not one of 'fro', 'nuc', inf, -inf, 1, -1, 2, -2")
    # ord 1: the largest column sum of |x| (sum over rows); inf: the largest row sum
    summed, extreme = (rows, columns) if abs(order) == 1 else (columns, rows)
    total = ops.reduce_sum(ops.absolute(value), i64([summed]), True)
    builder = ops.reduce_max if order > 0 else ops.reduce_min
    result = out(builder(total, i64([extreme]), True))
    return result if keepdim else out(ops.squeeze(result, i64(sorted([rows, columns]))))


@translator("aten.linalg_matrix_norm", "aten::linalg_matrix_norm")
def linalg_matrix_norm(ctx):
    # aten::linalg_matrix_norm(Tensor self, Scalar ord, int[] dim=[-2,-1], bool keepdim=False, *,
    #   ScalarType? dtype=None); .str_ord(Tensor self, str ord="fro", ...)
    value = _norm_input(ctx)
    axes = as_list(ctx.arg(None, "dim", [-2, -1]))
    return matrix_norm(ctx, value, ctx.arg(None, "ord", "fro"), axes, _keepdim(ctx))


@translator("aten.linalg_norm", "aten::linalg_norm")
def linalg_norm(ctx):
    # aten::linalg_norm(Tensor self, Scalar? ord=None, int[1]? dim=None, bool keepdim=False, *,
    #   ScalarType? dtype=None); .ord_str(Tensor self, str ord, ...)
    value = _norm_input(ctx)
    order, axes, keepdim = ctx.arg(None, "ord", None), as_list(ctx.arg(None, "dim", None)), \
        _keepdim(ctx)
    rank = static_rank(ctx, value)
    if axes is None:
        if order is None:  # the 2-norm of the flattened input
            return _vector_norm(ctx, value, 2, list(range(rank)), keepdim)
        if rank not in (1, 2) or (isinstance(order, str) and rank != 2):
            ctx.fail(f"ord={order!r} without dim needs a {'2' if isinstance(order, str) else '1'}"
                     f"-D input (or dim=), got {rank}-D")
        axes = list(range(rank))
    if isinstance(order, str) or len(axes) == 2:
        return matrix_norm(ctx, value, "fro" if order is None else order, axes, keepdim)
    return _vector_norm(ctx, value, 2 if order is None else order, axes, keepdim)


@translator("aten.frobenius_norm", "aten::frobenius_norm")
def frobenius_norm(ctx):  # aten::frobenius_norm.dim(Tensor self, int[1] dim, bool keepdim=False)
    value = float_input(ctx)
    axes = as_list(ctx.arg(None, "dim", None)) or list(range(static_rank(ctx, value)))
    return frobenius(value, axes, _keepdim(ctx))


@translator("aten.outer", "aten::outer", "aten.ger", "aten::ger")
def outer(ctx):  # aten::outer(Tensor self, Tensor vec2) -> Tensor
    (left, right), element_type = promoted(ctx, 0, 1)
    if element_type is Type.boolean:
        return out(ops.logical_and(ops.unsqueeze(left, i64(1)), right))
    return out(ops.multiply(ops.unsqueeze(left, i64(1)), right))


def _order(ctx, name="p"):
    order = ctx.arg(None, name, 2.0)
    if order < 0:
        ctx.fail(f"{name} must be non-negative, got {order}")
    return order


@translator("aten.cdist", "aten::cdist", "aten._cdist_forward", "aten::_cdist_forward")
def cdist(ctx):
    # aten::cdist(Tensor x1, Tensor x2, float p=2., int? compute_mode=None) -> Tensor
    (left, right), _ = promoted(ctx, 0, 1)
    if not left.get_element_type().is_real:
        ctx.fail(f"cdist needs floating-point inputs, got {left.get_element_type()}")
    rank = static_rank(ctx, left)
    if rank < 2 or static_rank(ctx, right) != rank:
        ctx.fail("cdist needs two inputs of the same rank, at least 2 ([..., P, M] and [..., R, M])")
    # [..., P, 1, M] - [..., 1, R, M] -> norm over M
    difference = ops.subtract(ops.unsqueeze(left, i64(rank - 1)), ops.unsqueeze(right, i64(rank - 2)))
    return _vector_norm(ctx, out(difference), _order(ctx), [rank], False)


@translator("aten.pairwise_distance", "aten::pairwise_distance")
def pairwise_distance(ctx):
    # aten::pairwise_distance(Tensor x1, Tensor x2, float p=2, float eps=1e-06, bool keepdim=False)
    (left, right), _ = promoted(ctx, 0, 1)
    difference = ops.subtract(left, right)
    difference = out(ops.add(difference, ctx.const_like(ctx.arg(None, "eps", 1e-6), left)))
    rank = static_rank(ctx, difference)
    if rank == 0:  # torch takes the norm over dim -1 of a 0-d tensor: the element itself
        return out(ops.absolute(difference))
    return _vector_norm(ctx, difference, _order(ctx), [rank - 1], _keepdim(ctx))
