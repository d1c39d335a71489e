"""Arithmetic, comparison and logical translators.

Operands follow torch's type promotion (``_common.promoted``): ``int + float -> float``, an f32
tensor plus a Python float stays f32, a zero-dim f64 tensor does not widen an f32 tensor.
"""
from __future__ import annotations

import math

from .... import opset as ops
from ....ir.node import Output
from ....opset import as_node
from ....ir.ops.elementwise import Divide
from ....ir.types import Type
from .prim_control import list_concatenation
from ..registry import translator
from ._common import (DEFAULT_FLOAT, operand, out, promoted, result_type, to_type)


def _scaled(ctx, value, factor):
    return value if factor == 1 else out(ops.multiply(value, ctx.const_like(factor, value)))


def _times_alpha(ctx, value):
    """``alpha * value``; ``alpha`` may be computed at run time (TorchScript ``x.size(0)``)."""
    if ctx.is_tensor(2, "alpha"):
        return out(ops.multiply(value, to_type(ctx.input(2, "alpha"), value.get_element_type())))
    return _scaled(ctx, value, ctx.arg(2, "alpha", 1))


def float_input(ctx, index=0, name=None):
    """Input ``index``, converted to the default float type when it is an integer or bool tensor:
    torch computes sqrt, exp, sigmoid... of integers in floating point."""
    value = ctx.input(index, name)
    return value if value.get_element_type().is_real else to_type(value, DEFAULT_FLOAT)


@translator("aten.add", "aten::add")
def add(ctx):  # aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
    if (joined := list_concatenation(ctx)) is not None:  # TorchScript's list + list
        return joined
    (lhs, rhs), element_type = promoted(ctx, 0, 1)
    if element_type is Type.boolean:  # bool + bool is logical or in torch
        return out(ops.logical_or(lhs, rhs))
    return out(ops.add(lhs, _times_alpha(ctx, rhs)))


@translator("aten.sub", "aten::sub")
def sub(ctx):  # aten::sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
    (lhs, rhs), _ = promoted(ctx, 0, 1)
    return out(ops.subtract(lhs, _times_alpha(ctx, rhs)))


@translator("aten.rsub", "aten::rsub")
def rsub(ctx):  # aten::rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
    (lhs, rhs), _ = promoted(ctx, 0, 1)
    return out(ops.subtract(rhs, _times_alpha(ctx, lhs)))


@translator("aten.mul", "aten::mul")
def mul(ctx):  # aten::mul.Tensor(Tensor self, Tensor other) -> Tensor
    (lhs, rhs), element_type = promoted(ctx, 0, 1)
    if element_type is Type.boolean:
        return out(ops.logical_and(lhs, rhs))
    return out(ops.multiply(lhs, rhs))


def _divide(lhs, rhs, mode):
    if mode is None:  # true division; the operands are floats by now
        return out(ops.divide(lhs, rhs))
    if mode == "floor" and lhs.get_element_type().is_real:
        return out(ops.floor(ops.divide(lhs, rhs)))
    if mode == "trunc" and lhs.get_element_type().is_real:
        quotient = ops.divide(lhs, rhs)  # trunc(q) = sign(q) * floor(|q|)
        return out(ops.multiply(ops.sign(quotient), ops.floor(ops.absolute(quotient))))
    if mode == "trunc":
        return out(Divide(lhs, rhs, m_pythondiv=False))
    # integer floor division as (a - a mod b) / b, exact in either rounding: OpenVINO's CPU
    # plugin truncates integer Divide even in Python mode
    return out(Divide(ops.subtract(lhs, ops.floor_mod(lhs, rhs)), rhs, m_pythondiv=False))


@translator("aten.div", "aten::div", "aten.true_divide", "aten::true_divide")
def div(ctx):  # aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor
    mode = ctx.arg(2, "rounding_mode", None)
    values = [operand(ctx, 0), operand(ctx, 1)]
    element_type = result_type(values)
    if mode is None and not element_type.is_real:  # true division of integers gives floats
        element_type = DEFAULT_FLOAT
    (lhs, rhs), _ = promoted(ctx, 0, 1, target=element_type)
    return _divide(lhs, rhs, mode)


@translator("aten.floor_divide", "aten::floor_divide", "aten::floordiv")
def floor_divide(ctx):  # aten::floor_divide(Tensor self, Tensor other) -> Tensor
    (lhs, rhs), _ = promoted(ctx, 0, 1)
    return _divide(lhs, rhs, "floor")


def _binary(builder_name):
    def translate(ctx):
        (lhs, rhs), _ = promoted(ctx, 0, 1)
        return out(getattr(ops, builder_name)(lhs, rhs))
    translate.__name__ = builder_name
    return translate


# element-wise binary ops on promoted operands: builder -> aten names
_BINARY = {
    "power": ("aten.pow", "aten::pow"),  # aten::pow.Tensor_Scalar(Tensor self, Scalar exponent)
    "maximum": ("aten.maximum", "aten::maximum", "aten.max.other", "aten.fmax"),
    "minimum": ("aten.minimum", "aten::minimum", "aten.min.other", "aten.fmin"),
    "floor_mod": ("aten.remainder", "aten::remainder"),  # sign of the divisor, like Python %
    "mod": ("aten.fmod", "aten::fmod"),  # sign of the dividend, like C fmod
}
for _builder, _names in _BINARY.items():
    translator(*_names)(_binary(_builder))


def _comparison(builder_name):
    def translate(ctx):
        (lhs, rhs), element_type = promoted(ctx, 0, 1)
        if element_type is Type.boolean and builder_name not in ("equal", "not_equal"):
            lhs, rhs = to_type(lhs, Type.i32), to_type(rhs, Type.i32)  # False < True
        return out(getattr(ops, builder_name)(lhs, rhs))
    translate.__name__ = builder_name
    return translate


# aten::eq.Tensor(Tensor self, Tensor other) -> Tensor (bool); .Scalar overloads alike
# (torch's long spellings, torch.greater etc., are aliases TorchScript keeps as written)
_COMPARISONS = {
    "equal": ("aten.eq", "aten::eq"),
    "not_equal": ("aten.ne", "aten::ne", "aten.not_equal", "aten::not_equal"),
    "less": ("aten.lt", "aten::lt", "aten.less", "aten::less"),
    "less_equal": ("aten.le", "aten::le", "aten.less_equal", "aten::less_equal"),
    "greater": ("aten.gt", "aten::gt", "aten.greater", "aten::greater"),
    "greater_equal": ("aten.ge", "aten::ge", "aten.greater_equal", "aten::greater_equal"),
}
for _builder, _names in _COMPARISONS.items():
    translator(*_names)(_comparison(_builder))


def _bool(ctx, index):
    return to_type(ctx.input(index, dtype=Type.boolean), Type.boolean)


def _logical(builder_name, bitwise_name):
    def translate(ctx):  # on bool tensors bitwise and logical ops agree
        if bitwise_name and not all(_is_bool(ctx, i) for i in (0, 1)):
            (lhs, rhs), _ = promoted(ctx, 0, 1)
            return out(getattr(ops, bitwise_name)(lhs, rhs))
        return out(getattr(ops, builder_name)(_bool(ctx, 0), _bool(ctx, 1)))
    translate.__name__ = builder_name
    return translate


def _is_bool(ctx, index):
    value = operand(ctx, index)
    if isinstance(value, Output):
        return value.get_element_type() is Type.boolean
    return isinstance(value, bool)


# aten::logical_and(Tensor self, Tensor other) -> Tensor; aten::__and__.Tensor(Tensor self, Tensor other)
_LOGICAL = {
    ("logical_and", None): ("aten.logical_and", "aten::logical_and"),
    ("logical_or", None): ("aten.logical_or", "aten::logical_or"),
    ("logical_xor", None): ("aten.logical_xor", "aten::logical_xor"),
    ("logical_and", "bitwise_and"): ("aten.bitwise_and", "aten::bitwise_and", "aten::__and__",
                                     "aten.__and__", "aten::__iand__", "aten.__iand__"),
    ("logical_or", "bitwise_or"): ("aten.bitwise_or", "aten::bitwise_or", "aten::__or__",
                                   "aten.__or__", "aten::__ior__", "aten.__ior__"),
    ("logical_xor", "bitwise_xor"): ("aten.bitwise_xor", "aten::bitwise_xor", "aten::__xor__",
                                     "aten.__xor__", "aten::__ixor__", "aten.__ixor__"),
}
for (_builder, _bitwise), _names in _LOGICAL.items():
    translator(*_names)(_logical(_builder, _bitwise))


@translator("aten.logical_not", "aten::logical_not")
def logical_not(ctx):  # aten::logical_not(Tensor self) -> Tensor
    return out(ops.logical_not(to_type(ctx.input(0), Type.boolean)))


@translator("aten.bitwise_not", "aten::bitwise_not")
def bitwise_not(ctx):  # aten::bitwise_not(Tensor self) -> Tensor
    value = ctx.input(0)
    if value.get_element_type() is Type.boolean:
        return out(ops.logical_not(value))
    return out(ops.bitwise_not(value))


def _shift(builder_name):
    def translate(ctx):  # aten::bitwise_left_shift.Tensor(Tensor self, Tensor other) -> Tensor
        (value, amount), element_type = promoted(ctx, 0, 1)
        if not element_type.is_integral_number():
            ctx.fail(f"shifts need integer tensors, got {element_type}")
        shifted = out(getattr(ops, builder_name)(value, amount))
        left = builder_name.endswith("left_shift")
        return _torch_out_of_range_shift(shifted, value, amount, left)
    translate.__name__ = builder_name
    return translate


def _torch_out_of_range_shift(shifted, value, amount, left):
    """``shifted`` where ``0 <= amount < bits``; elsewhere torch's answer (0, or the sign bits of a
    right shift), which OpenVINO leaves undefined (its CPU plugin shifts by amount mod 32)."""
    element_type = value.get_element_type()
    bits = element_type.bitwidth
    known = amount.get_known_value()
    if known is not None and known.size and known.min() >= 0 and known.max() < bits:
        return shifted
    inside = ops.logical_and(ops.greater_equal(amount, as_node(0, like=amount)),
                             ops.less(amount, as_node(bits, like=amount)))
    if left or not element_type.is_signed:
        fill = as_node(0, like=value)
    else:  # x >> (bits - 1): -1 for negative x, 0 otherwise
        fill = ops.bitwise_right_shift(value, as_node(bits - 1, like=value))
    return out(ops.select(inside, shifted, fill))


_SHIFTS = {
    "bitwise_left_shift": ("aten.bitwise_left_shift", "aten::bitwise_left_shift",
                           "aten.__lshift__", "aten::__lshift__", "aten.__ilshift__",
                           "aten::__ilshift__"),
    "bitwise_right_shift": ("aten.bitwise_right_shift", "aten::bitwise_right_shift",
                            "aten.__rshift__", "aten::__rshift__", "aten.__irshift__",
                            "aten::__irshift__"),
}
for _builder, _names in _SHIFTS.items():
    translator(*_names)(_shift(_builder))


def _unary(builder_name, to_float):
    def translate(ctx):
        value = float_input(ctx) if to_float else ctx.input(0)
        return out(getattr(ops, builder_name)(value))
    translate.__name__ = builder_name
    return translate


def register_unary(table):
    """Register a translator per entry of ``{builder: (aten names, computes in float)}``."""
    for builder, (names, to_float) in table.items():
        translator(*names)(_unary(builder, to_float))


# aten::neg(Tensor self) -> Tensor, and the like: builder -> (aten names, computes in float)
_UNARY = {
    "negative": (("aten.neg", "aten::neg"), False),
    "absolute": (("aten.abs", "aten::abs"), False),
    "sign": (("aten.sign", "aten::sign"), False),
    "floor": (("aten.floor", "aten::floor"), False),
    "ceiling": (("aten.ceil", "aten::ceil"), False),
    "sqrt": (("aten.sqrt", "aten::sqrt"), True),
    "exp": (("aten.exp", "aten::exp"), True),
    "log": (("aten.log", "aten::log"), True),
    "erf": (("aten.erf", "aten::erf"), True),
    "sin": (("aten.sin", "aten::sin"), True),
    "cos": (("aten.cos", "aten::cos"), True),
    "tan": (("aten.tan", "aten::tan"), True),
    "atan": (("aten.atan", "aten::atan"), True),
    "asin": (("aten.asin", "aten::asin"), True),
    "acos": (("aten.acos", "aten::acos"), True),
    "sinh": (("aten.sinh", "aten::sinh"), True),
    "cosh": (("aten.cosh", "aten::cosh"), True),
    "asinh": (("aten.asinh", "aten::asinh"), True),
    "acosh": (("aten.acosh", "aten::acosh"), True),
    "atanh": (("aten.atanh", "aten::atanh"), True),
}
register_unary(_UNARY)


@translator("aten.rsqrt", "aten::rsqrt")
def rsqrt(ctx):  # aten::rsqrt(Tensor self) -> Tensor
    value = float_input(ctx)
    return out(ops.divide(ctx.const_like(1, value), ops.sqrt(value)))


@translator("aten.reciprocal", "aten::reciprocal")
def reciprocal(ctx):  # aten::reciprocal(Tensor self) -> Tensor
    value = float_input(ctx)
    return out(ops.divide(ctx.const_like(1, value), value))


@translator("aten.log2", "aten::log2", "aten.log10", "aten::log10")
def log_base(ctx):  # aten::log2(Tensor self) -> Tensor
    value = float_input(ctx)
    base = 2.0 if "log2" in ctx.op else 10.0
    return out(ops.divide(ops.log(value), ctx.const_like(math.log(base), value)))


@translator("aten.log1p", "aten::log1p")
def log1p(ctx):  # aten::log1p(Tensor self) -> Tensor
    value = float_input(ctx)
    return out(ops.log(ops.add(value, ctx.const_like(1, value))))


@translator("aten.expm1", "aten::expm1")
def expm1(ctx):  # aten::expm1(Tensor self) -> Tensor
    value = float_input(ctx)
    return out(ops.subtract(ops.exp(value), ctx.const_like(1, value)))


@translator("aten.square", "aten::square")
def square(ctx):  # aten::square(Tensor self) -> Tensor
    (value,), _ = promoted(ctx, 0)
    return out(ops.multiply(value, value))


@translator("aten.round", "aten::round")
def round_(ctx):  # aten::round.decimals(Tensor self, *, int decimals) -> Tensor
    value = ctx.input(0)
    if not value.get_element_type().is_real:
        return value
    decimals = ctx.arg(1, "decimals", 0)
    if decimals == 0:
        return out(ops.round(value, "half_to_even"))
    scale = ctx.const_like(10.0 ** decimals, value)
    return out(ops.divide(ops.round(ops.multiply(value, scale), "half_to_even"), scale))


@translator("aten.clamp", "aten::clamp")
def clamp(ctx):  # aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor
    bounds = [i for i, n in ((1, "min"), (2, "max")) if not ctx.is_none(i, n)]
    if not bounds:
        ctx.fail("torch.clamp needs min or max")
    values, element_type = promoted(ctx, 0, *bounds)
    if (element_type.is_real and len(bounds) == 2 and not any(ctx.is_tensor(i) for i in bounds)
            and ctx.arg(1, "min") <= ctx.arg(2, "max")):
        return out(ops.clamp(values[0], float(ctx.arg(1, "min")), float(ctx.arg(2, "max"))))
    result = values[0]
    for index, bound in zip(bounds, values[1:]):  # max(x, min) first, then min(., max)
        result = out((ops.maximum if index == 1 else ops.minimum)(result, bound))
    return result


@translator("aten.clamp_min", "aten::clamp_min")
def clamp_min(ctx):  # aten::clamp_min(Tensor self, Scalar min) -> Tensor
    (value, bound), _ = promoted(ctx, 0, 1)
    return out(ops.maximum(value, bound))


@translator("aten.clamp_max", "aten::clamp_max")
def clamp_max(ctx):  # aten::clamp_max(Tensor self, Scalar max) -> Tensor
    (value, bound), _ = promoted(ctx, 0, 1)
    return out(ops.minimum(value, bound))


@translator("aten.where", "aten::where")
def where(ctx):  # aten::where.self(Tensor condition, Tensor self, Tensor other) -> Tensor
    if ctx.num_args() < 3 and ctx.is_none(1, "self"):  # aten::where(Tensor condition) -> Tensor[]
        from .composite import nonzero_tuple

        return nonzero_tuple(ctx, ctx.input(0))
    condition = to_type(ctx.input(0), Type.boolean)
    (then_value, else_value), _ = promoted(ctx, 1, 2)
    return out(ops.select(condition, then_value, else_value))


@translator("aten.masked_fill", "aten::masked_fill")
def masked_fill(ctx):  # aten::masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor
    value = ctx.input(0)
    fill = to_type(ctx.input(2, like=value), value.get_element_type())
    return out(ops.select(to_type(ctx.input(1), Type.boolean), fill, value))


@translator("aten.copy", "aten::copy_")
def copy(ctx):  # aten::copy(Tensor self, Tensor src, bool non_blocking=False) -> Tensor
    target = ctx.input(0)
    source = to_type(ctx.input(1, like=target), target.get_element_type())
    return out(ops.broadcast(source, ops.shape_of(target)))
