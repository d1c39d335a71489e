"""Reductions, scans and sorting: Reduce*, TopK (max.dim, argmax, topk, sort), CumSum.

Keyword-only arguments (``dtype``, ``correction``, ``keepdim``) are asked for by name because
their positions differ between overloads.
"""
from __future__ import annotations

import math

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (as_list, dims_of, i64, normalize_axis, out, ov_type, promoted,
                      static_rank, to_type)
from .arithmetic import float_input


def _axes(ctx, value, dims):
    """Reduction axes: all of them when ``dims`` is None or empty (torch's convention)."""
    dims = as_list(dims)
    if not dims:
        return list(range(static_rank(ctx, value)))
    return dims


def _with_dtype(ctx, value, integer_type=None):
    """``value`` in the ``dtype`` argument's type; without one, integers and bools become
    ``integer_type`` when given (sum and prod accumulate them in int64)."""
    dtype = ctx.arg(None, "dtype", None)
    if dtype is not None:
        return to_type(value, ov_type(dtype))
    if integer_type is not None and not value.get_element_type().is_real:
        return to_type(value, integer_type)
    return value


def _reduction(builder_name, integer_type=None):
    def translate(ctx):
        # aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype)
        value = _with_dtype(ctx, ctx.input(0), integer_type)
        axes = _axes(ctx, value, ctx.arg(None, "dim", None))
        keepdim = bool(ctx.arg(None, "keepdim", False))
        return out(getattr(ops, builder_name)(value, i64(axes), keepdim))
    translate.__name__ = builder_name
    return translate


_REDUCTIONS = {
    ("reduce_mean", None): ("aten.mean", "aten::mean"),
    ("reduce_sum", Type.i64): ("aten.sum", "aten::sum"),
    ("reduce_prod", Type.i64): ("aten.prod", "aten::prod"),
    ("reduce_max", None): ("aten.amax", "aten::amax"),
    ("reduce_min", None): ("aten.amin", "aten::amin"),
}
for (_builder, _integer_type), _names in _REDUCTIONS.items():
    translator(*_names)(_reduction(_builder, _integer_type))


def _logical_reduction(builder_name):
    def translate(ctx):  # aten::any.dims(Tensor self, int[]? dim=None, bool keepdim=False)
        source = ctx.input(0)
        value = to_type(source, Type.boolean)
        axes = _axes(ctx, value, ctx.arg(None, "dim", None))
        result = out(getattr(ops, builder_name)(value, i64(axes), bool(ctx.arg(None, "keepdim",
                                                                                  False))))
        # torch keeps uint8 for uint8 inputs (a legacy of masks), bool for everything else
        return to_type(result, Type.u8) if source.get_element_type() == Type.u8 else result
    translate.__name__ = builder_name
    return translate


translator("aten.any", "aten::any")(_logical_reduction("reduce_logical_or"))
translator("aten.all", "aten::all")(_logical_reduction("reduce_logical_and"))


def _top1(ctx, value, dim, keepdim, mode):
    """Values and i64 indices of the first extreme element along ``dim`` (TopK k=1, stable)."""
    axis = normalize_axis(ctx, dim, static_rank(ctx, value))
    node = ops.topk(value, i64(1), axis, mode, "value", "i64", True)
    if keepdim:
        return node.output(0), node.output(1)
    return out(ops.squeeze(node.output(0), i64([axis]))), out(ops.squeeze(node.output(1),
                                                                            i64([axis])))


def _extreme(ctx, mode):
    # aten::max(Tensor self) | max.dim(Tensor self, int dim, bool keepdim=False) -> (values,
    # indices) | max.other(Tensor self, Tensor other) (TorchScript names all three aten::max)
    value = ctx.input(0)
    if ctx.is_tensor(1):
        (lhs, rhs), _ = promoted(ctx, 0, 1)
        return out((ops.maximum if mode == "max" else ops.minimum)(lhs, rhs))
    if ctx.is_none(1, "dim"):
        builder = ops.reduce_max if mode == "max" else ops.reduce_min
        return out(builder(value, i64(_axes(ctx, value, None)), False))
    return list(_top1(ctx, value, ctx.arg(1, "dim"), ctx.arg(2, "keepdim", False), mode))


@translator("aten.max", "aten::max")
def max_(ctx):
    return _extreme(ctx, "max")


@translator("aten.min", "aten::min")
def min_(ctx):
    return _extreme(ctx, "min")


def _arg_extreme(mode):
    def translate(ctx):  # aten::argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor
        value, keepdim = ctx.input(0), ctx.arg(2, "keepdim", False)
        if ctx.is_none(1, "dim"):  # over the flattened tensor
            rank = static_rank(ctx, value)
            _, index = _top1(ctx, out(ops.reshape(value, i64([-1]), False)), 0, False, mode)
            return out(ops.reshape(index, i64([1] * rank), False)) if keepdim else index
        return _top1(ctx, value, ctx.arg(1, "dim"), keepdim, mode)[1]
    translate.__name__ = f"arg{mode}"
    return translate


translator("aten.argmax", "aten::argmax")(_arg_extreme("max"))
translator("aten.argmin", "aten::argmin")(_arg_extreme("min"))


def _correction(ctx):
    """The divisor's correction: ``correction`` (var.correction) or ``unbiased`` (var.dim)."""
    correction = ctx.arg(None, "correction", None)
    if correction is not None:
        return correction
    unbiased = ctx.arg(None, "unbiased", None)
    return 1 if unbiased is None or unbiased else 0


def variance(ctx, value, axes, keepdim, correction):
    """``sum((x - mean)^2) / max(N - correction, 0)`` and the mean, both reduced over ``axes``."""
    mean = out(ops.reduce_mean(value, i64(axes), True))
    centered = ops.subtract(value, mean)
    squares = ops.reduce_sum(ops.multiply(centered, centered), i64(axes), keepdim)
    count = to_type(out(ops.reduce_prod(dims_of(value, axes), i64([0]), False)),
                    value.get_element_type())
    divisor = ops.maximum(ops.subtract(count, ctx.const_like(correction, value)),
                          ctx.const_like(0, value))
    if not keepdim:
        mean = out(ops.squeeze(mean, i64(axes)))
    return out(ops.divide(squares, divisor)), mean


def _variance_family(name):
    def translate(ctx):
        # aten::var.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None,
        #   bool keepdim=False) -> Tensor; var.dim(Tensor self, int[1]? dim, bool unbiased=True,
        #   bool keepdim=False); var_mean/std/std_mean alike
        value = float_input(ctx)
        dims = ctx.arg(None, "dim", None)
        axes = _axes(ctx, value, None if isinstance(dims, bool) else dims)
        var, mean = variance(ctx, value, axes, bool(ctx.arg(None, "keepdim", False)),
                             _correction(ctx))
        result = out(ops.sqrt(var)) if name.startswith("std") else var
        return [result, mean] if name.endswith("_mean") else result
    translate.__name__ = name
    return translate


for _name in ("var", "std", "var_mean", "std_mean"):
    translator(f"aten.{_name}", f"aten::{_name}")(_variance_family(_name))


def _vector_norm(ctx, value, order, axes, keepdim):
    magnitude = out(ops.absolute(value))
    if order == 2:
        return out(ops.reduce_l2(value, i64(axes), keepdim))
    if order == 1:
        return out(ops.reduce_l1(value, i64(axes), keepdim))
    if order in (math.inf, -math.inf):
        builder = ops.reduce_max if order > 0 else ops.reduce_min
        return out(builder(magnitude, i64(axes), keepdim))
    if order == 0:
        nonzero = to_type(ops.not_equal(value, ctx.const_like(0, value)), value.get_element_type())
        return out(ops.reduce_sum(nonzero, i64(axes), keepdim))
    powered = ops.power(magnitude, ctx.const_like(order, value))
    return out(ops.power(ops.reduce_sum(powered, i64(axes), keepdim),
                         ctx.const_like(1.0 / order, value)))


@translator("aten.linalg_vector_norm", "aten::linalg_vector_norm")
def linalg_vector_norm(ctx):
    # aten::linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False,
    #   *, ScalarType? dtype=None) -> Tensor
    value = _with_dtype(ctx, float_input(ctx))
    axes = _axes(ctx, value, ctx.arg(None, "dim", None))
    return _vector_norm(ctx, value, ctx.arg(None, "ord", 2), axes,
                        bool(ctx.arg(None, "keepdim", False)))


@translator("aten.norm", "aten::norm")
def norm(ctx):
    # aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor
    value = _with_dtype(ctx, float_input(ctx))
    order = ctx.arg(None, "p", 2)
    axes = _axes(ctx, value, ctx.arg(None, "dim", None))
    if order == "fro":  # sqrt(sum(x * x)) over dim, however many dimensions it names
        squares = ops.multiply(value, value)
        return out(ops.sqrt(ops.reduce_sum(squares, i64(axes), bool(ctx.arg(None, "keepdim",
                                                                            False)))))
    if isinstance(order, str):
        ctx.fail(f"norm p={order!r} is not supported (p='nuc' needs singular values, which the "
                 "OpenVINO operation set does not have); expected a number or 'fro'")
    return _vector_norm(ctx, value, 2 if order is None else order, axes,
                        bool(ctx.arg(None, "keepdim", False)))


@translator("aten.logsumexp", "aten::logsumexp")
def logsumexp(ctx):  # aten::logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor
    value = float_input(ctx)
    axes, keepdim = _axes(ctx, value, ctx.arg(1, "dim")), bool(ctx.arg(2, "keepdim", False))
    # shift by the maximum so exp cannot overflow
    peak = out(ops.reduce_max(value, i64(axes), True))
    total = ops.reduce_sum(ops.exp(ops.subtract(value, peak)), i64(axes), keepdim)
    shift = peak if keepdim else out(ops.squeeze(peak, i64(axes)))
    return out(ops.add(ops.log(total), shift))


@translator("aten.cumsum", "aten::cumsum")
def cumsum(ctx):  # aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor
    value = _with_dtype(ctx, ctx.input(0), Type.i64)
    return out(ops.cumsum(value, i64(ctx.arg(1, "dim"))))


@translator("aten.topk", "aten::topk")
def topk(ctx):
    # aten::topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True)
    #   -> (Tensor values, Tensor indices)
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(2, "dim", -1), static_rank(ctx, value))
    mode = "max" if ctx.arg(3, "largest", True) else "min"
    node = ops.topk(value, to_type(ctx.input(1), Type.i64), axis, mode, "value", "i64", True)
    return [node.output(0), node.output(1)]


def _sorted(ctx):
    # aten::sort(Tensor self, int dim=-1, bool descending=False) | sort.stable(Tensor self, *,
    #   bool? stable, int dim=-1, bool descending=False): TopK over the whole axis, stable
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(None, "dim", -1), static_rank(ctx, value))
    mode = "max" if ctx.arg(None, "descending", False) else "min"
    count = dims_of(value, [axis])
    node = ops.topk(value, out(ops.squeeze(count, i64([0]))), axis, mode, "value", "i64", True)
    return node.output(0), node.output(1)


@translator("aten.sort", "aten::sort")
def sort(ctx):
    return list(_sorted(ctx))


@translator("aten.argsort", "aten::argsort")
def argsort(ctx):  # aten::argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor
    return _sorted(ctx)[1]
