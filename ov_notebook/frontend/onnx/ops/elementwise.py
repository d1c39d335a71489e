"""ONNX element-wise ops: unary math and activations, binary arithmetic, comparison, logic, casts."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..loader import ONNX_TYPES
from ..registry import onnx_op


def _unary(op_type, builder_name):
    @onnx_op(op_type)
    def translate(ctx):
        return getattr(ops, builder_name)(ctx.input(0)).output(0)

    translate.__name__ = f"translate_{op_type.lower()}"
    return translate


for _op, _builder in {
    "Abs": "absolute", "Neg": "negative", "Floor": "floor", "Ceil": "ceiling", "Sqrt": "sqrt",
    "Exp": "exp", "Log": "log", "Erf": "erf", "Sin": "sin", "Cos": "cos", "Tan": "tan",
    "Asin": "asin", "Acos": "acos", "Atan": "atan", "Sinh": "sinh", "Cosh": "cosh", "Tanh": "tanh",
    "Asinh": "asinh", "Acosh": "acosh", "Atanh": "atanh",
    "Relu": "relu", "Sigmoid": "sigmoid", "Sign": "sign", "Softplus": "softplus",
    "Softsign": "softsign", "Mish": "mish", "HardSwish": "hswish", "Not": "logical_not",
}.items():
    _unary(_op, _builder)


def _binary(op_type, builder_name):
    @onnx_op(op_type)
    def translate(ctx):
        return getattr(ops, builder_name)(ctx.input(0), ctx.input(1)).output(0)

    translate.__name__ = f"translate_{op_type.lower()}"
    return translate


for _op, _builder in {
    "Add": "add", "Sub": "subtract", "Mul": "multiply", "Equal": "equal", "Less": "less",
    "Greater": "greater", "LessOrEqual": "less_equal", "GreaterOrEqual": "greater_equal",
    "And": "logical_and", "Or": "logical_or", "Xor": "logical_xor",
}.items():
    _binary(_op, _builder)


@onnx_op("Div")
def div(ctx):  # integer division truncates toward zero in ONNX
    a, b = ctx.input(0), ctx.input(1)
    integral = a.get_element_type().is_integral_number()
    return ops.divide(a, b).output(0) if not integral else \
        _truncating_divide(a, b)


def _truncating_divide(a, b):
    from ....ir.ops.elementwise import Divide

    return Divide(a, b, m_pythondiv=False).output(0)


@onnx_op("Pow")
def pow_(ctx):  # the exponent may have another type than the base
    base, exponent = ctx.input(0), ctx.input(1)
    if exponent.get_element_type() != base.get_element_type():
        exponent = ops.convert(exponent, base.get_element_type()).output(0)
    return ops.power(base, exponent).output(0)


@onnx_op("Mod")
def mod(ctx):  # fmod=1: sign of the dividend (C fmod); fmod=0: sign of the divisor (Python %)
    a, b = ctx.input(0), ctx.input(1)
    return (ops.mod(a, b) if ctx.attr("fmod", 0) else ops.floor_mod(a, b)).output(0)


@onnx_op("Reciprocal")
def reciprocal(ctx):  # 1 / x
    x = ctx.input(0)
    return ops.divide(ctx.const_like(1, x), x).output(0)


def _variadic(op_type, builder_name):
    @onnx_op(op_type)
    def translate(ctx):
        values = [v for v in ctx.inputs() if v is not None]
        result = values[0]
        for value in values[1:]:
            result = getattr(ops, builder_name)(result, value).output(0)
        if op_type == "Mean":
            result = ops.divide(result, ctx.const_like(len(values), result)).output(0)
        return result

    translate.__name__ = f"translate_{op_type.lower()}"
    return translate


for _op, _builder in {"Max": "maximum", "Min": "minimum", "Sum": "add", "Mean": "add"}.items():
    _variadic(_op, _builder)


@onnx_op("Clip")
def clip_attributes(ctx):  # Clip-1/6: min and max attributes
    return ops.clamp(ctx.input(0), ctx.attr("min", -3.4028234663852886e38),
                     ctx.attr("max", 3.4028234663852886e38)).output(0)


@onnx_op("Clip", since=11)
def clip(ctx):  # Clip-11+: optional min and max inputs (constants become Clamp)
    x = ctx.input(0)
    low, high = ctx.value(1), ctx.value(2)
    if (low is not None or not ctx.has_input(1)) and (high is not None or not ctx.has_input(2)):
        dtype = x.get_element_type()
        info = np.finfo(np.float32) if dtype.is_real else np.iinfo(dtype.to_dtype())
        return ops.clamp(x, float(low) if low is not None else float(info.min),
                         float(high) if high is not None else float(info.max)).output(0)
    if ctx.has_input(1):
        x = ops.maximum(x, ctx.input(1)).output(0)
    if ctx.has_input(2):
        x = ops.minimum(x, ctx.input(2)).output(0)
    return x


@onnx_op("LeakyRelu")
def leaky_relu(ctx):  # x if x >= 0 else alpha * x
    x = ctx.input(0)
    return ops.prelu(x, ctx.const_like([ctx.attr("alpha", 0.01)], x)).output(0)


@onnx_op("PRelu")
def prelu(ctx):
    return ops.prelu(ctx.input(0), ctx.input(1)).output(0)


@onnx_op("Elu")
def elu(ctx):
    return ops.elu(ctx.input(0), ctx.attr("alpha", 1.0)).output(0)


@onnx_op("Selu")
def selu(ctx):
    x = ctx.input(0)
    return ops.selu(x, ctx.const_like([ctx.attr("alpha", 1.67326319217681884765625)], x),
                    ctx.const_like([ctx.attr("gamma", 1.05070102214813232421875)], x)).output(0)


@onnx_op("HardSigmoid")
def hard_sigmoid(ctx):  # max(0, min(1, alpha * x + beta))
    x = ctx.input(0)
    scaled = ops.add(ops.multiply(x, ctx.const_like(ctx.attr("alpha", 0.2), x)),
                     ctx.const_like(ctx.attr("beta", 0.5), x))
    return ops.clamp(scaled, 0.0, 1.0).output(0)


@onnx_op("Gelu", since=20)
def gelu(ctx):
    mode = ctx.attr("approximate", "none")
    return ops.gelu(ctx.input(0), "tanh" if mode == "tanh" else "erf").output(0)


@onnx_op("Where")
def where(ctx):
    return ops.select(ctx.input(0), ctx.input(1), ctx.input(2)).output(0)


@onnx_op("Cast")
def cast(ctx):
    target = ONNX_TYPES.get(ctx.attr("to"))
    if target is None:
        ctx.fail(f"cast to ONNX type {ctx.attr('to')} is not supported")
    return ops.convert(ctx.input(0), Type(target)).output(0)


@onnx_op("CastLike")
def cast_like(ctx):
    return ops.convert_like(ctx.input(0), ctx.input(1)).output(0)


@onnx_op("Identity")
def identity(ctx):
    return ctx.input(0)


@onnx_op("Dropout")
def dropout(ctx):  # inference: identity; the optional mask output is all true
    x = ctx.input(0)
    mask = ops.broadcast(ctx.const(True, dtype=Type.boolean), ops.shape_of(x)).output(0) \
        if len(ctx.node.output) > 1 and ctx.node.output[1] else None
    return [x, mask]


@onnx_op("IsNaN")
def is_nan(ctx):  # NaN is the only value not equal to itself
    x = ctx.input(0)
    return ops.not_equal(x, x).output(0)


@onnx_op("IsInf")
def is_inf(ctx):
    x = ctx.input(0)
    positive = ops.equal(x, ctx.const_like(np.inf, x))
    negative = ops.equal(x, ctx.const_like(-np.inf, x))
    if not ctx.attr("detect_positive", 1):
        return negative.output(0)
    if not ctx.attr("detect_negative", 1):
        return positive.output(0)
    return ops.logical_or(positive, negative).output(0)


@onnx_op("Round")
def round_(ctx):  # ONNX rounds halves to even
    return ops.round(ctx.input(0), "half_to_even").output(0)
