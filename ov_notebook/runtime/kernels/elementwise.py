"""Element-wise kernels: unary math and activations, binary arithmetic, comparison, logic, Convert.

Float results keep the input dtype (numpy would promote f16 * python-float to f16, but
f32 ops on 0-d arrays can promote to f64, so results are cast back explicitly).
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.ops.core import convert_values
from ...ir.types import Type
from . import kernel
from ._fastmath import erf_f32, gelu_erf_f32_


def _same(result, like):
    return result if result.dtype == like.dtype else result.astype(like.dtype, copy=False)


def _into(out, result_shape, dtype):
    """``out`` when it can hold the result in place, else None."""
    if out is not None and out.shape == result_shape and out.dtype == dtype and out.flags.writeable:
        return out
    return None


# --- unary -------------------------------------------------------------------------------------
def _unary(type_name, ufunc_like):
    @kernel(type_name, inplace=True)
    def run(x, *, out=None):
        target = _into(out, x.shape, x.dtype)
        if target is not None and isinstance(ufunc_like, np.ufunc):
            return ufunc_like(x, out=target)
        return _same(np.asarray(ufunc_like(x)), x)

    run.__name__ = type_name.lower()
    return run


def _erf(x):
    if x.dtype == np.float32:  # 7x scipy's double-precision erf, within a few float32 ulp
        return erf_f32(x)
    if x.dtype.kind != "f":
        return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)
    try:
        from scipy.special import erf
    except ImportError:  # scipy is optional: fall back to a vectorised math.erf
        return np.vectorize(math.erf, otypes=[x.dtype])(x) if x.size else x.copy()
    return erf(x).astype(x.dtype, copy=False)


def _sign(x):
    return np.sign(x)


_UNARY = {
    "Abs": np.abs, "Negative": np.negative, "Sign": _sign, "Floor": np.floor, "Ceiling": np.ceil,
    "Sqrt": np.sqrt, "Exp": np.exp, "Log": np.log, "Erf": _erf, "Sin": np.sin, "Cos": np.cos,
    "Tan": np.tan, "Asin": np.arcsin, "Acos": np.arccos, "Atan": np.arctan, "Sinh": np.sinh,
    "Cosh": np.cosh, "Tanh": np.tanh,
}
for _name, _fn in _UNARY.items():
    _unary(_name, _fn)


@kernel("Relu", inplace=True)
def relu(x, *, out=None):  # max(x, 0)
    target = _into(out, x.shape, x.dtype)
    return np.maximum(x, x.dtype.type(0), out=target) if target is not None else np.maximum(
        x, x.dtype.type(0))


@kernel("Sigmoid", inplace=True)
def sigmoid(x, *, out=None):  # 1 / (1 + exp(-x))
    if x.dtype.kind in "iu":
        return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).round().astype(x.dtype)
    target = _into(out, x.shape, x.dtype)
    result = np.negative(x, out=target)
    np.exp(result, out=result)
    result += 1
    return np.reciprocal(result, out=result)


@kernel("HSwish", inplace=True)
def hswish(x, *, out=None):  # x * min(max(x + 3, 0), 6) / 6
    gate = np.clip(x + x.dtype.type(3), 0, 6)
    gate *= x.dtype.type(1 / 6)
    target = _into(out, x.shape, x.dtype)
    return np.multiply(x, gate, out=target if target is not None else gate)


@kernel("HSigmoid", inplace=True)
def hsigmoid(x, *, out=None):  # min(max(x + 3, 0), 6) / 6
    result = np.clip(x + x.dtype.type(3), 0, 6)
    result *= x.dtype.type(1 / 6)
    return result


@kernel("SoftPlus")
def softplus(x):  # log(1 + exp(x)), linear above the threshold where exp overflows
    return _same(np.logaddexp(x, x.dtype.type(0)), x)


@kernel("Mish")
def mish(x):  # x * tanh(softplus(x))
    return _same(x * np.tanh(np.logaddexp(x, x.dtype.type(0))), x)


@kernel("SoftSign")
def softsign(x):  # x / (1 + |x|)
    return _same(x / (1 + np.abs(x)), x)


@kernel("LogicalNot")
def logical_not(x):
    return np.logical_not(x)


@kernel("Elu")
def elu(x, *, alpha):  # x if x > 0 else alpha * (exp(x) - 1)
    return _same(np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0))), x)


@kernel("Clamp", inplace=True)
def clamp(x, *, min, max, out=None):  # noqa: A002  (attribute names of the spec)
    if x.dtype.kind in "iu":
        low, high = math.ceil(min), math.floor(max)
        info = np.iinfo(x.dtype)
        low, high = np.clip(low, info.min, info.max), np.clip(high, info.min, info.max)
    else:
        low, high = min, max
    target = _into(out, x.shape, x.dtype)
    return np.clip(x, x.dtype.type(low), x.dtype.type(high), out=target)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


@kernel("Gelu", inplace=True)
def gelu(x, *, approximation_mode="ERF", out=None):
    if x.dtype == np.float16:  # in f32, as OpenVINO: f16 underflows small tails to -0
        return gelu(x.astype(np.float32), approximation_mode=approximation_mode).astype(x.dtype)
    if x.dtype == np.float32 and approximation_mode != "TANH":  # in place on a dead input
        return gelu_erf_f32_(x if out is x and _into(out, x.shape, x.dtype) is not None
                             else x.copy())
    if approximation_mode == "TANH":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        inner = x * x
        inner *= x.dtype.type(0.044715)
        inner += 1
        inner *= x
        inner *= x.dtype.type(_SQRT_2_OVER_PI)
        np.tanh(inner, out=inner)
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        inner = _erf(x * x.dtype.type(1 / math.sqrt(2)))
    inner += 1
    inner *= x
    inner *= x.dtype.type(0.5)
    return inner


@kernel("Swish")
def swish(x, beta=None):  # x * sigmoid(beta * x)
    scaled = x if beta is None else x * beta.reshape(()).astype(x.dtype)
    return _same(x / (1 + np.exp(-scaled)), x)


def _broadcasts_to(shape, target) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


@kernel("PRelu")
def prelu(x, slope):  # x if x >= 0 else slope * x; a 1-D slope matches the channel axis
    if slope.ndim == 1 and x.ndim >= 2 and slope.shape[0] == x.shape[1] and slope.shape[0] != x.shape[-1]:
        slope = slope.reshape((1, -1) + (1,) * (x.ndim - 2))
    elif not _broadcasts_to(slope.shape, x.shape):
        raise ValueError(f"slope of shape {list(slope.shape)} matches neither the channels (axis 1) "
                         f"nor broadcasts to the data {list(x.shape)}")
    return _same(np.where(x < 0, x * slope, x), x)


@kernel("Selu")
def selu(x, alpha, lambda_):  # lambda * (x if x > 0 else alpha * (exp(x) - 1))
    alpha = alpha.reshape(()).astype(x.dtype)
    lam = lambda_.reshape(()).astype(x.dtype)
    return _same(lam * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), x)


# --- binary ------------------------------------------------------------------------------------
def _binary(type_name, ufunc, boolean_result=False):
    @kernel(type_name, inplace=True)
    def run(a, b, *, auto_broadcast="numpy", out=None):
        if auto_broadcast == "none" and a.shape != b.shape:
            raise ValueError(f"shapes {a.shape} and {b.shape} differ and auto_broadcast is 'none'")
        # a comparison of floats must not be written into the float buffer it read
        dtype = np.dtype(np.bool_) if boolean_result else a.dtype
        target = _into(out, a.shape, dtype) if a.shape == b.shape or b.ndim <= a.ndim else None
        if target is not None and np.broadcast_shapes(a.shape, b.shape) == a.shape:
            return ufunc(a, b, out=target)
        result = ufunc(a, b)
        return result if result.dtype == a.dtype or result.dtype == np.bool_ else result.astype(a.dtype)

    run.__name__ = type_name.lower()
    return run


for _name, _fn in {"Add": np.add, "Subtract": np.subtract, "Multiply": np.multiply,
                   "Maximum": np.maximum, "Minimum": np.minimum}.items():
    _binary(_name, _fn)


@kernel("Divide")
def divide(a, b, *, auto_broadcast="numpy", m_pythondiv=True):
    if a.dtype.kind in "iu":
        if m_pythondiv:
            return np.floor_divide(a, b)
        quotient = np.abs(a) // np.abs(b)
        return (np.sign(a) * np.sign(b) * quotient).astype(a.dtype)
    return _same(np.divide(a, b), a)


@kernel("Power")
def power(a, b, *, auto_broadcast="numpy"):
    if a.dtype.kind in "iu":
        return np.power(a.astype(np.float64), b).astype(a.dtype)
    return _same(np.power(a, b), a)


@kernel("SquaredDifference")
def squared_difference(a, b, *, auto_broadcast="numpy"):  # (a - b)^2
    difference = np.subtract(a, b)
    return _same(np.multiply(difference, difference, out=difference), a)


@kernel("FloorMod")
def floor_mod(a, b, *, auto_broadcast="numpy"):  # a - floor(a / b) * b, sign of the divisor
    return _same(np.mod(a, b), a)


@kernel("Mod")
def mod(a, b, *, auto_broadcast="numpy"):  # truncated: sign of the dividend
    return _same(np.fmod(a, b), a)


for _name, _fn in {"Equal": np.equal, "NotEqual": np.not_equal, "Less": np.less,
                   "LessEqual": np.less_equal, "Greater": np.greater,
                   "GreaterEqual": np.greater_equal, "LogicalAnd": np.logical_and,
                   "LogicalOr": np.logical_or, "LogicalXor": np.logical_xor}.items():
    _binary(_name, _fn, boolean_result=True)


# --- type conversion -----------------------------------------------------------------------
@kernel("Convert")
def convert(x, *, destination_type):
    return convert_values(x, Type(destination_type))


@kernel("ConvertLike", needs_node=True)
def convert_like(x, like, *, node):
    return convert_values(x, node.get_output_element_type(0))


@kernel("ShapeOf")
def shape_of(x, *, output_type=Type.i64):
    return np.array(x.shape, dtype=Type(output_type).to_dtype())
