"""Tensor creation and dtype conversion: zeros/ones/full/empty (and _like/new_ variants),
arange, eye, tril/triu, fill, to/_to_copy.

Factory functions take ``dtype`` as a keyword-only argument whose position differs between
overloads (and TorchScript passes it positionally), so it is asked for by name.
"""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import (DEFAULT_FLOAT, dims_of, i64, known_arg, out, ov_type, shape_of,
                      sizes_input, static_rank, to_type)


def _dtype(ctx, default):
    dtype = ctx.arg(None, "dtype", None)
    return default if dtype is None else ov_type(dtype)


def _scalar_type(value):
    """The dtype torch gives a tensor made from a Python number."""
    if isinstance(value, bool):
        return Type.boolean
    return Type.i64 if isinstance(value, (int, np.integer)) else DEFAULT_FLOAT


def _filled(ctx, fill, element_type, shape):
    """A tensor of ``shape`` (a 1-D i64 Output) filled with ``fill`` (Python or 0-d tensor)."""
    if not hasattr(fill, "get_element_type"):
        fill = ctx.const(np.array(fill, element_type.to_dtype()))
    return out(ops.broadcast(to_type(fill, element_type), shape))


def _fill_value(ctx, index, name):
    return ctx.input(index, name) if ctx.is_tensor(index, name) else ctx.arg(index, name)


_FILLS = {"zeros": 0, "ones": 1, "empty": 0}


@translator("aten.zeros", "aten::zeros", "aten.ones", "aten::ones", "aten.empty",
            "aten::empty", "aten.full", "aten::full")
def full(ctx):
    # aten::zeros(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None,
    #   bool? pin_memory=None) -> Tensor; aten::full(SymInt[] size, Scalar fill_value, *, ...)
    kind = ctx.op.replace("::", ".").split(".")[1]
    fill = _FILLS[kind] if kind in _FILLS else _fill_value(ctx, 1, "fill_value")
    default = _scalar_type(fill) if kind == "full" and not hasattr(fill, "get_element_type") \
        else DEFAULT_FLOAT
    return _filled(ctx, fill, _dtype(ctx, default), sizes_input(ctx, 0, "size"))


@translator("aten.zeros_like", "aten::zeros_like", "aten.ones_like", "aten::ones_like",
            "aten.empty_like", "aten::empty_like", "aten.full_like", "aten::full_like")
def full_like(ctx):
    # aten::zeros_like(Tensor self, *, ScalarType? dtype=None, ...) -> Tensor;
    # aten::full_like(Tensor self, Scalar fill_value, *, ScalarType? dtype=None, ...)
    value = ctx.input(0)
    kind = ctx.op.replace("::", ".").split(".")[1][:-len("_like")]
    fill = _FILLS[kind] if kind in _FILLS else _fill_value(ctx, 1, "fill_value")
    return _filled(ctx, fill, _dtype(ctx, value.get_element_type()), shape_of(value))


@translator("aten.new_zeros", "aten::new_zeros", "aten.new_ones", "aten::new_ones",
            "aten.new_empty", "aten::new_empty", "aten.new_full", "aten::new_full")
def new_full(ctx):
    # aten::new_zeros(Tensor self, SymInt[] size, *, ScalarType? dtype=None, ...) -> Tensor
    value = ctx.input(0)
    kind = ctx.op.replace("::", ".").split(".")[1][len("new_"):]
    fill = _FILLS[kind] if kind in _FILLS else _fill_value(ctx, 2, "fill_value")
    return _filled(ctx, fill, _dtype(ctx, value.get_element_type()), sizes_input(ctx, 1, "size"))


@translator("aten.scalar_tensor", "aten::scalar_tensor")
def scalar_tensor(ctx):  # aten::scalar_tensor(Scalar s, *, ScalarType? dtype=None, ...) -> Tensor
    value = _fill_value(ctx, 0, "s")
    return _filled(ctx, value, _dtype(ctx, DEFAULT_FLOAT), i64([]))


@translator("aten.fill", "aten::fill_", "aten.zero", "aten::zero_")
def fill(ctx):  # aten::fill.Scalar(Tensor self, Scalar value) -> Tensor; aten::zero_(Tensor self)
    value = ctx.input(0)
    fill_value = 0 if "zero" in ctx.op else _fill_value(ctx, 1, "value")
    return _filled(ctx, fill_value, value.get_element_type(), shape_of(value))


def _range_bound(ctx, name, default):
    if ctx.is_none(None, name):
        return default
    return ctx.input(None, name) if ctx.is_tensor(None, name) else ctx.arg(None, name)


@translator("aten.arange", "aten::arange")
def arange(ctx):
    # aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None,
    #   ...) -> Tensor; arange.default(Scalar end, *, ...); arange.start(Scalar start, Scalar end)
    bounds = [_range_bound(ctx, "start", 0), _range_bound(ctx, "end", None),
              _range_bound(ctx, "step", 1)]
    tensors = [b for b in bounds if hasattr(b, "get_element_type")]
    any_float = any(isinstance(b, float) for b in bounds) or any(
        t.get_element_type().is_real for t in tensors)
    element_type = _dtype(ctx, DEFAULT_FLOAT if any_float else Type.i64)
    if not tensors:
        start, end, step = bounds
        return ctx.const(np.arange(start, end, step).astype(element_type.to_dtype()))
    # Range in the computation type, then the result type (torch counts in double)
    work = Type.f64 if any_float else Type.i64
    start, end, step = [to_type(b, work) if hasattr(b, "get_element_type")
                        else ctx.const(np.array(b, work.to_dtype())) for b in bounds]
    return to_type(out(ops.range(start, end, step, work.get_type_name())), element_type)


@translator("aten.eye", "aten::eye")
def eye(ctx):  # aten::eye.m(SymInt n, SymInt m, *, ScalarType? dtype=None, ...) -> Tensor
    element_type = _dtype(ctx, DEFAULT_FLOAT)
    rows, columns = known_arg(ctx, 0, "n"), known_arg(ctx, None, "m")
    if ctx.is_none(None, "m"):
        columns = rows
    if rows is not None and columns is not None:
        return ctx.const(np.eye(rows, columns, dtype=element_type.to_dtype()))
    # sizes known at run time: Eye-9, which makes no booleans (u8 ones, then converted)
    sizes = [_run_time_size(ctx, 0, "n")]
    sizes.append(sizes[0] if ctx.is_none(None, "m") else _run_time_size(ctx, None, "m"))
    made = Type.u8 if element_type is Type.boolean else element_type
    return to_type(out(ops.eye(sizes[0], sizes[1], i64(0), made.get_type_name())), element_type)


def _run_time_size(ctx, index, name):
    if ctx.is_tensor(index, name):
        return to_type(ctx.input(index, name), Type.i64)
    return i64(ctx.arg(index, name))


def _triangle(lower):
    def translate(ctx):  # aten::tril(Tensor self, int diagonal=0) -> Tensor
        value = ctx.input(0)
        rank = static_rank(ctx, value)
        diagonal = ctx.arg(1, "diagonal", 0)
        rows = ops.unsqueeze(ops.range(i64(0), ops.squeeze(dims_of(value, [rank - 2]), i64([0])),
                                       i64(1), "i64"), i64([1]))
        columns = ops.range(i64(0), ops.squeeze(dims_of(value, [rank - 1]), i64([0])), i64(1),
                            "i64")
        offset = ops.subtract(columns, rows)  # column - row, compared with the diagonal
        keep = (ops.less_equal if lower else ops.greater_equal)(offset, i64(diagonal))
        zero = to_type(ctx.const(np.array(0)), value.get_element_type())
        return out(ops.select(keep, value, zero))
    translate.__name__ = "tril" if lower else "triu"
    return translate


translator("aten.tril", "aten::tril")(_triangle(True))
translator("aten.triu", "aten::triu")(_triangle(False))


@translator("aten._to_copy", "aten.to", "aten::to")
def to(ctx):
    # aten::to.dtype(Tensor self, ScalarType dtype, bool non_blocking=False, bool copy=False, ...)
    # aten::to.other(Tensor self, Tensor other, ...); aten::_to_copy(Tensor self, *, dtype=None, ...)
    value = ctx.input(0)
    if ctx.is_tensor(1):  # to(other): the other tensor's dtype
        return to_type(value, ctx.input(1).get_element_type())
    dtype = known_arg(ctx, None, "dtype")
    if dtype is None and not ctx.is_none(1) and not isinstance(ctx.arg(1), (str, bool)):
        dtype = ctx.arg(1)  # TorchScript to(Tensor, ScalarType, ...) given positionally
    return value if dtype is None else to_type(value, ov_type(dtype))
