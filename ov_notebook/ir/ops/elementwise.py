"""Element-wise operations: unary math and activations, binary arithmetic, comparison and logic.

Each op is one class that holds its whole definition: spec (inputs, attributes, type and shape
inference), traits, and its numpy math as ``compute``. Everything else derives from the class:
constant folding (``evaluate``), the runtime's kernel (``runtime/kernels`` falls back to
``compute`` when no special kernel is registered), the fused epilogues of convolutions and MatMuls
(``fusable_activation``, ``epilogue_token``) and channels-last regions (``elementwise``).

``compute(*inputs, out=None, **attributes)`` returns the result with the element type the op
infers. ``out`` is a buffer the caller no longer needs (a dead input, possibly ``inputs[0]``
itself): the math writes its result there when shape and dtype fit and returns it, so a fused
epilogue runs in place with ``compute(y, out=y)``. Ops whose math makes temporaries anyway may
ignore ``out``.
"""
from __future__ import annotations

import math

import numpy as np

from ..node import Attr, Op, register_op
from ..types import Type
from ._fastmath import erf_f32, gelu_erf_f32, relu_float, sigmoid_float, swish_float
from ._util import AUTO_BROADCAST, broadcast_shapes, merge_types


def fitting(out, shape, dtype):
    """``out`` when it can hold a result of ``shape`` and ``dtype`` in place, else None."""
    if out is not None and out.shape == tuple(shape) and out.dtype == dtype and \
            out.flags.writeable:
        return out
    return None


def _as(result, dtype):
    """``result`` as an array of ``dtype`` (numpy promotes 0-d f32 with Python floats to f64 and
    returns scalars from 0-d inputs)."""
    result = np.asarray(result)
    return result if result.dtype == dtype else result.astype(dtype)


def _like(result, x):
    return _as(result, x.dtype)


class ElementwiseOp(Op):
    """Base of the ops of this module. Traits (class attributes) that passes read instead of
    lists of type names:

    - ``elementwise``: each output element depends only on the input elements at the same index
      (numpy broadcasting), so the op commutes with any permutation of axes applied to all its
      inputs (channels-last regions run it on NHWC tensors as it is);
    - ``fusable_activation``: a unary activation a fused epilogue may apply in place
      (``compute(y, out=y, **epilogue_arguments())``);
    - ``epilogue_token``: for a binary op, the epilogue step that applies it with an extra input
      (``add``, ``sub``, ``mul``); ``commutative``: its operands may be swapped.
    """

    elementwise = True

    def epilogue_arguments(self):
        """Keyword arguments of ``compute`` for this node as a fused epilogue step (only the data
        input, attributes from ``epilogue_params``), or None when it cannot be one."""
        return self.activation_arguments() if self.fusable_activation else None

    def activation_arguments(self):
        """Keyword arguments of ``compute`` that apply this node to its data input alone
        (attributes from ``epilogue_params``), or None when another input is not constant."""
        if self.get_input_size() != 1:
            return None
        return {name: self._attrs[name] for name in self.epilogue_params}


# ----------------------------------------------------------------------------------------------
# unary
# ----------------------------------------------------------------------------------------------


class UnaryOp(ElementwiseOp):
    """y = f(x), same type and shape. ``float_only`` ops reject integer inputs."""

    inputs_spec = ("data",)
    float_only = False

    def infer(self):
        element_type = self.get_input_element_type(0)
        if self.float_only and element_type.is_static and not element_type.is_real():
            self.fail(f"input must be a floating-point tensor, got {element_type}")
        if element_type is Type.boolean:
            self.fail("input must be numeric, got boolean")
        self.set_output_type(0, element_type, self.get_input_partial_shape(0))


def unary_math(function, round_integers=False):
    """``compute(x, *, out=None)`` of a numpy function: written into ``out`` when x is a float
    array (``function`` is a ufunc keeping its dtype); integers compute as numpy does and
    truncate back to x's type, or round to nearest with ``round_integers`` (OpenVINO's
    Asinh/Acosh/Atanh)."""

    def compute(x, *, out=None):
        if x.dtype.kind == "f":
            return np.asarray(function(x, out=fitting(out, x.shape, x.dtype)))
        if round_integers:
            return _like(np.round(function(x.astype(np.float64))), x)
        return _like(function(x), x)

    compute.__doc__ = f"{function.__name__} of x, as an array of x's type."
    return staticmethod(compute)


@register_op
class Abs(UnaryOp):
    """Abs-1: |x|."""

    type_name = "Abs"
    compute = unary_math(np.abs)


@register_op
class Negative(UnaryOp):
    """Negative-1: -x."""

    type_name = "Negative"
    compute = unary_math(np.negative)


@register_op
class Sign(UnaryOp):
    """Sign-1: -1, 0 or 1 (NaN stays NaN)."""

    type_name = "Sign"
    compute = unary_math(np.sign)


@register_op
class Floor(UnaryOp):
    """Floor-1: the largest integer not greater than x."""

    type_name = "Floor"
    compute = unary_math(np.floor)


@register_op
class Ceiling(UnaryOp):
    """Ceiling-1: the smallest integer not less than x."""

    type_name = "Ceiling"
    compute = unary_math(np.ceil)


@register_op
class Sqrt(UnaryOp):
    """Sqrt-1: square root."""

    type_name = "Sqrt"
    compute = unary_math(np.sqrt)


@register_op
class Exp(UnaryOp):
    """Exp-1: e to the x."""

    type_name = "Exp"
    compute = unary_math(np.exp)


@register_op
class Log(UnaryOp):
    """Log-1: natural logarithm."""

    type_name = "Log"
    compute = unary_math(np.log)


def erf(x, out=None):
    """erf of any numeric array, as an array of x's type."""
    if x.dtype == np.float32:  # 7x scipy's double-precision erf, within a few float32 ulp
        return erf_f32(x, out=fitting(out, x.shape, x.dtype))
    if x.dtype.kind != "f":
        return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)
    from scipy.special import erf as erf_f64  # a dependency of the package; loaded on first use

    return _like(erf_f64(x), x)


@register_op
class Erf(UnaryOp):
    """Erf-1: the Gauss error function."""

    type_name = "Erf"
    compute = staticmethod(erf)


@register_op
class Sin(UnaryOp):
    """Sin-1."""

    type_name = "Sin"
    compute = unary_math(np.sin)


@register_op
class Cos(UnaryOp):
    """Cos-1."""

    type_name = "Cos"
    compute = unary_math(np.cos)


@register_op
class Tan(UnaryOp):
    """Tan-1."""

    type_name = "Tan"
    compute = unary_math(np.tan)


@register_op
class Asin(UnaryOp):
    """Asin-1: arcsine."""

    type_name = "Asin"
    compute = unary_math(np.arcsin)


@register_op
class Acos(UnaryOp):
    """Acos-1: arccosine."""

    type_name = "Acos"
    compute = unary_math(np.arccos)


@register_op
class Atan(UnaryOp):
    """Atan-1: arctangent."""

    type_name = "Atan"
    compute = unary_math(np.arctan)


@register_op
class Asinh(UnaryOp):
    """Asinh-3: inverse hyperbolic sine; integers round to the nearest integer."""

    type_name = "Asinh"
    version = "opset4"  # the op is v3; OpenVINO's IR lists it in opset4
    compute = unary_math(np.arcsinh, round_integers=True)


@register_op
class Acosh(UnaryOp):
    """Acosh-3: inverse hyperbolic cosine (NaN below 1); integers round to the nearest integer."""

    type_name = "Acosh"
    version = "opset4"  # the op is v3; OpenVINO's IR lists it in opset4
    compute = unary_math(np.arccosh, round_integers=True)


@register_op
class Atanh(UnaryOp):
    """Atanh-3: inverse hyperbolic tangent (+-inf at +-1, NaN beyond); integers round to the
    nearest integer."""

    type_name = "Atanh"
    version = "opset4"  # the op is v3; OpenVINO's IR lists it in opset4
    compute = unary_math(np.arctanh, round_integers=True)


@register_op
class Sinh(UnaryOp):
    """Sinh-1."""

    type_name = "Sinh"
    compute = unary_math(np.sinh)


@register_op
class Cosh(UnaryOp):
    """Cosh-1."""

    type_name = "Cosh"
    compute = unary_math(np.cosh)


@register_op
class Tanh(UnaryOp):
    """Tanh-1."""

    type_name = "Tanh"
    fusable_activation = True
    onednn_eltwise = ("tanh", 0.0, 0.0)
    compute = unary_math(np.tanh)


@register_op
class Relu(UnaryOp):
    """Relu-1: max(x, 0)."""

    type_name = "Relu"
    xml_type = "ReLU"
    fusable_activation = True
    onednn_eltwise = ("relu", 0.0, 0.0)

    @staticmethod
    def compute(x, *, out=None):
        target = fitting(out, x.shape, x.dtype)
        if x.dtype.kind == "f":
            return relu_float(x, out=target)
        return np.maximum(x, x.dtype.type(0), out=target)


@register_op
class Sigmoid(UnaryOp):
    """Sigmoid-1: 1 / (1 + exp(-x)); integers round the result."""

    type_name = "Sigmoid"
    fusable_activation = True
    onednn_eltwise = ("logistic", 0.0, 0.0)

    @staticmethod
    def compute(x, *, out=None):
        if x.dtype.kind in "iu":
            return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).round().astype(x.dtype)
        return sigmoid_float(x, out=fitting(out, x.shape, x.dtype))


@register_op
class HSwish(UnaryOp):
    """HSwish-4: x * min(max(x + 3, 0), 6) / 6."""

    type_name = "HSwish"
    version = "opset4"
    float_only = True
    fusable_activation = True
    onednn_eltwise = ("hardswish", 1 / 6, 0.5)

    @staticmethod
    def compute(x, *, out=None):
        gate = np.add(x, x.dtype.type(3))
        np.clip(gate, 0, 6, out=gate)
        gate *= x.dtype.type(1 / 6)
        target = fitting(out, x.shape, x.dtype)
        return np.multiply(x, gate, out=gate if target is None else target)


@register_op
class HSigmoid(UnaryOp):
    """HSigmoid-5: min(max(x + 3, 0), 6) / 6."""

    type_name = "HSigmoid"
    version = "opset5"
    float_only = True
    fusable_activation = True
    onednn_eltwise = ("hardsigmoid", 1 / 6, 0.5)

    @staticmethod
    def compute(x, *, out=None):
        result = np.add(x, x.dtype.type(3), out=fitting(out, x.shape, x.dtype))
        np.clip(result, 0, 6, out=result)
        result *= x.dtype.type(1 / 6)
        return result


@register_op
class Mish(UnaryOp):
    """Mish-4: x * tanh(softplus(x))."""

    type_name = "Mish"
    version = "opset4"
    float_only = True
    onednn_eltwise = ("mish", 0.0, 0.0)

    @staticmethod
    def compute(x, *, out=None):
        return _like(x * np.tanh(np.logaddexp(x, x.dtype.type(0))), x)


@register_op
class SoftPlus(UnaryOp):
    """SoftPlus-4: log(1 + exp(x)), linear above the threshold where exp overflows."""

    type_name = "SoftPlus"
    version = "opset4"
    float_only = True
    onednn_eltwise = ("soft_relu", 1.0, 0.0)  # log(1 + exp(alpha x)) / alpha

    @staticmethod
    def compute(x, *, out=None):
        return _like(np.logaddexp(x, x.dtype.type(0)), x)


@register_op
class SoftSign(UnaryOp):
    """SoftSign-9: x / (1 + |x|)."""

    type_name = "SoftSign"
    version = "opset9"
    float_only = True

    @staticmethod
    def compute(x, *, out=None):
        return _like(x / (1 + np.abs(x)), x)


@register_op
class LogicalNot(ElementwiseOp):
    """LogicalNot-1: boolean in, boolean out."""

    type_name = "LogicalNot"
    inputs_spec = ("data",)

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and element_type is not Type.boolean:
            self.fail(f"input must be boolean, got {element_type}")
        self.set_output_type(0, Type.boolean, self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, *, out=None):
        return np.logical_not(x, out=fitting(out, x.shape, np.dtype(np.bool_)))


@register_op
class Elu(ElementwiseOp):
    """Elu-1: x if x > 0 else alpha * (exp(x) - 1)."""

    type_name = "Elu"
    inputs_spec = ("data",)
    attrs = (Attr("alpha", "float"),)
    onednn_eltwise = ("elu", "alpha", 0.0)
    epilogue_params = ("alpha",)

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, *, alpha, out=None):
        return _like(np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0))), x)


@register_op
class Clamp(ElementwiseOp):
    """Clamp-1: min(max(x, min), max); integers clamp to [ceil(min), floor(max)]."""

    type_name = "Clamp"
    inputs_spec = ("data",)
    attrs = (Attr("min", "float"), Attr("max", "float"))
    fusable_activation = True
    onednn_eltwise = ("clip_v2", "min", "max")
    epilogue_params = ("min", "max")

    def infer(self):
        if self._attrs["min"] > self._attrs["max"]:
            self.fail(f"min {self._attrs['min']} must not exceed max {self._attrs['max']}")
        if self.get_input_element_type(0) is Type.boolean:
            self.fail("input must be numeric, got boolean")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, *, min, max, out=None):  # noqa: A002  (attribute names of the spec)
        low, high = min, max
        if x.dtype.kind in "iu":
            info = np.iinfo(x.dtype)
            low = np.clip(math.ceil(low), info.min, info.max)
            high = np.clip(math.floor(high), info.min, info.max)
        return np.clip(x, x.dtype.type(low), x.dtype.type(high),
                       out=fitting(out, x.shape, x.dtype))


_SQRT_HALF = 1 / math.sqrt(2)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


@register_op
class Gelu(ElementwiseOp):
    """Gelu-7: x * Phi(x), exactly (erf) or with the tanh approximation."""

    type_name = "Gelu"
    version = "opset7"
    inputs_spec = ("data",)
    attrs = (Attr("approximation_mode", "str", "ERF", choices=("ERF", "TANH")),)
    fusable_activation = True
    onednn_eltwise = ({"ERF": "gelu_erf", "TANH": "gelu_tanh"}, 0.0, 0.0)
    epilogue_params = ("approximation_mode",)

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and not element_type.is_real():
            self.fail(f"input must be a floating-point tensor, got {element_type}")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, *, approximation_mode="ERF", out=None):
        if x.dtype == np.float16:  # in f32, as OpenVINO: f16 underflows small tails to -0
            return Gelu.compute(x.astype(np.float32),
                                approximation_mode=approximation_mode).astype(x.dtype)
        target = fitting(out, x.shape, x.dtype)
        if approximation_mode.upper() == "TANH":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            gate = np.multiply(x, x)
            gate *= x.dtype.type(0.044715)
            gate += 1
            gate *= x
            gate *= x.dtype.type(_SQRT_2_OVER_PI)
            np.tanh(gate, out=gate)
        elif x.dtype == np.float32:
            return gelu_erf_f32(x, out=target)
        else:  # 0.5 x (1 + erf(x / sqrt(2)))
            gate = erf(x * x.dtype.type(_SQRT_HALF))
        gate += 1
        gate *= x.dtype.type(0.5)
        return np.multiply(x, gate, out=gate if target is None else target)


@register_op
class Swish(ElementwiseOp):
    """Swish-4: x * sigmoid(beta * x); beta is an optional scalar input (default 1)."""

    type_name = "Swish"
    version = "opset4"
    inputs_spec = ("data", "beta?")
    fusable_activation = True
    onednn_eltwise = ("swish", "beta", 0.0)
    epilogue_params = ("beta",)

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and not element_type.is_real():
            self.fail(f"input must be a floating-point tensor, got {element_type}")
        if len(self._inputs) == 2:
            beta = self.get_input_partial_shape(1)
            if beta.rank_is_static and len(beta) not in (0, 1):
                self.fail(f"beta must be a scalar, got shape {beta}")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, beta=1.0, *, out=None):
        beta = float(np.asarray(beta).reshape(-1)[0])
        return swish_float(x, beta, out=fitting(out, x.shape, x.dtype))

    def activation_arguments(self):
        """beta as a number: the default 1, or a one-element constant input."""
        if self.get_input_size() == 1:
            return {"beta": 1.0}
        beta = self.input_value(1).get_node()
        if beta.get_type_name() != "Constant" or beta.get_value().size != 1:
            return None
        return {"beta": float(beta.get_value().reshape(-1)[0])}


@register_op
class PRelu(Op):
    """PRelu-1: x if x >= 0 else slope * x, slope broadcast to the channel axis (1) or numpy-style.

    Not ``elementwise``: a 1-D slope follows the channel axis, not numpy broadcasting."""

    type_name = "PRelu"
    xml_type = "PReLU"
    inputs_spec = ("data", "slope")

    def infer(self):
        merge_types(self, [self.get_input_element_type(0), self.get_input_element_type(1)])
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, slope, *, out=None):
        if slope.ndim == 1 and x.ndim >= 2 and slope.shape[0] == x.shape[1] and \
                slope.shape[0] != x.shape[-1]:
            slope = slope.reshape((1, -1) + (1,) * (x.ndim - 2))
        elif not _broadcasts_to(slope.shape, x.shape):
            raise ValueError(f"slope of shape {list(slope.shape)} matches neither the channels "
                             f"(axis 1) nor broadcasts to the data {list(x.shape)}")
        return _like(np.where(x < 0, x * slope, x), x)


def _broadcasts_to(shape, target) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


@register_op
class Selu(ElementwiseOp):
    """Selu-1: lambda * (x if x > 0 else alpha * (exp(x) - 1)); alpha and lambda are inputs."""

    type_name = "Selu"
    inputs_spec = ("data", "alpha", "lambda")

    def infer(self):
        types = [self.get_input_element_type(i) for i in range(3)]
        static = [t for t in types if t.is_static]
        if len(set(static)) > 1:
            self.fail(f"data, alpha and lambda must have the same element type, got "
                      f"{', '.join(str(t) for t in types)}")
        if static and not static[0].is_real():
            self.fail(f"inputs must be floating-point tensors, got {static[0]}")
        for index, what in ((1, "alpha"), (2, "lambda")):
            shape = self.get_input_partial_shape(index)
            if shape.is_static and int(np.prod(shape.to_list())) != 1:
                self.fail(f"{what} (input {index}) must hold one value, got shape {shape}")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, alpha, lambda_, *, out=None):
        alpha = alpha.reshape(()).astype(x.dtype)
        scale = lambda_.reshape(()).astype(x.dtype)
        return _like(scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), x)


# ----------------------------------------------------------------------------------------------
# binary (numpy broadcasting by default)
# ----------------------------------------------------------------------------------------------


class BinaryOp(ElementwiseOp):
    """z = f(x, y) with ``auto_broadcast`` (numpy by default). ``result`` is "same" or "boolean";
    ``accepts`` is "any", "numeric" or "boolean"; ``function`` is the numpy ufunc of the op."""

    inputs_spec = ("a", "b")
    attrs = (Attr("auto_broadcast", "str", "numpy", choices=AUTO_BROADCAST),)
    result = "same"
    accepts = "numeric"
    function = None

    def infer(self):
        left, right = self.get_input_element_type(0), self.get_input_element_type(1)
        element_type = merge_types(self, [left, right], "both inputs")
        if self.accepts == "boolean" and element_type.is_static and element_type is not Type.boolean:
            self.fail(f"inputs must be boolean, got {element_type}")
        if self.accepts == "numeric" and element_type is Type.boolean:
            self.fail("inputs must be numeric, got boolean")
        shape = broadcast_shapes(self, [self.get_input_partial_shape(0),
                                        self.get_input_partial_shape(1)],
                                 self._attrs["auto_broadcast"])
        self.set_output_type(0, Type.boolean if self.result == "boolean" else element_type, shape)

    @classmethod
    def result_target(cls, a, b, out, auto_broadcast):
        """(dtype of the result, ``out`` when the result fits it, else None)."""
        if auto_broadcast == "none" and a.shape != b.shape:
            raise ValueError(f"shapes {list(a.shape)} and {list(b.shape)} differ and "
                             "auto_broadcast is 'none'")
        dtype = np.dtype(np.bool_) if cls.result == "boolean" else a.dtype
        if out is None:
            return dtype, None
        return dtype, fitting(out, np.broadcast_shapes(a.shape, b.shape), dtype)

    @classmethod
    def compute(cls, a, b, *, auto_broadcast="numpy", out=None):
        dtype, target = cls.result_target(a, b, out, auto_broadcast)
        return _as(cls.function(a, b, out=target), dtype)


@register_op
class Add(BinaryOp):
    """Add-1: a + b."""

    type_name = "Add"
    function = np.add
    right_identity = 0
    commutative = True
    epilogue_token = "add"
    onednn_binary = "add"


@register_op
class Subtract(BinaryOp):
    """Subtract-1: a - b."""

    type_name = "Subtract"
    function = np.subtract
    right_identity = 0
    epilogue_token = "sub"
    onednn_binary = "sub"


@register_op
class Multiply(BinaryOp):
    """Multiply-1: a * b."""

    type_name = "Multiply"
    function = np.multiply
    right_identity = 1
    commutative = True
    epilogue_token = "mul"
    onednn_binary = "mul"


@register_op
class Maximum(BinaryOp):
    """Maximum-1: max(a, b)."""

    type_name = "Maximum"
    function = np.maximum
    commutative = True
    onednn_binary = "max"


@register_op
class Minimum(BinaryOp):
    """Minimum-1: min(a, b)."""

    type_name = "Minimum"
    function = np.minimum
    commutative = True
    onednn_binary = "min"


@register_op
class Power(BinaryOp):
    """Power-1: a to the b; integers through double precision, as OpenVINO's reference."""

    type_name = "Power"

    @classmethod
    def compute(cls, a, b, *, auto_broadcast="numpy", out=None):
        cls.result_target(a, b, None, auto_broadcast)
        if a.dtype.kind in "iu":
            return np.power(a.astype(np.float64), b).astype(a.dtype)
        return _like(np.power(a, b), a)


@register_op
class SquaredDifference(BinaryOp):
    """SquaredDifference-1: (a - b)^2."""

    type_name = "SquaredDifference"
    commutative = True

    @classmethod
    def compute(cls, a, b, *, auto_broadcast="numpy", out=None):
        _, target = cls.result_target(a, b, out, auto_broadcast)
        difference = np.subtract(a, b, out=target)
        return _like(np.multiply(difference, difference, out=difference), a)


def _integer_divisor(b):
    """Refuse a zero integer divisor, as OpenVINO's reference does ("integer division by zero"):
    numpy would return 0 with a warning."""
    if b.dtype.kind in "iu" and not np.all(b):
        raise ZeroDivisionError("integer division by zero: the divisor (input 1) holds 0")


@register_op
class Divide(BinaryOp):
    """Divide-1: a / b; integer division floors when ``m_pythondiv`` (the default), else truncates.

    Integers are divided exactly in their own type (OpenVINO's reference and its constant folding
    do this; its CPU plugin divides i32 in float32, inexact beyond 2^24)."""

    type_name = "Divide"
    attrs = BinaryOp.attrs + (Attr("m_pythondiv", "bool", True),)
    right_identity = 1
    onednn_binary = "div"  # floats only: integers take compute's exact division

    @classmethod
    def compute(cls, a, b, *, auto_broadcast="numpy", m_pythondiv=True, out=None):
        _, target = cls.result_target(a, b, out, auto_broadcast)
        if a.dtype.kind not in "iu":
            return _like(np.divide(a, b, out=target), a)
        _integer_divisor(b)
        if m_pythondiv:
            return np.floor_divide(a, b, out=target)
        # truncate: a - fmod(a, b) lies between 0 and a (no overflow) and b divides it exactly
        return np.floor_divide(a - np.fmod(a, b), b, out=target)


@register_op
class FloorMod(BinaryOp):
    """FloorMod-1: a - floor(a / b) * b, the sign of the divisor (Python's %)."""

    type_name = "FloorMod"

    @classmethod
    def compute(cls, a, b, *, auto_broadcast="numpy", out=None):
        _, target = cls.result_target(a, b, out, auto_broadcast)
        _integer_divisor(b)
        return _like(np.mod(a, b, out=target), a)


@register_op
class Mod(BinaryOp):
    """Mod-1: truncated remainder, the sign of the dividend (C's fmod)."""

    type_name = "Mod"

    @classmethod
    def compute(cls, a, b, *, auto_broadcast="numpy", out=None):
        _, target = cls.result_target(a, b, out, auto_broadcast)
        _integer_divisor(b)
        return _like(np.fmod(a, b, out=target), a)


class ComparisonOp(BinaryOp):
    """A comparison: boolean result."""

    result = "boolean"


@register_op
class Equal(ComparisonOp):
    """Equal-1: a == b."""

    type_name = "Equal"
    accepts = "any"
    function = np.equal
    commutative = True


@register_op
class NotEqual(ComparisonOp):
    """NotEqual-1: a != b."""

    type_name = "NotEqual"
    accepts = "any"
    function = np.not_equal
    commutative = True


@register_op
class Less(ComparisonOp):
    """Less-1: a < b."""

    type_name = "Less"
    function = np.less


@register_op
class LessEqual(ComparisonOp):
    """LessEqual-1: a <= b."""

    type_name = "LessEqual"
    function = np.less_equal


@register_op
class Greater(ComparisonOp):
    """Greater-1: a > b."""

    type_name = "Greater"
    function = np.greater


@register_op
class GreaterEqual(ComparisonOp):
    """GreaterEqual-1: a >= b."""

    type_name = "GreaterEqual"
    function = np.greater_equal


class LogicalOp(ComparisonOp):
    """A logical operation: boolean inputs and result."""

    accepts = "boolean"
    commutative = True


@register_op
class LogicalAnd(LogicalOp):
    """LogicalAnd-1: a and b."""

    type_name = "LogicalAnd"
    function = np.logical_and


@register_op
class LogicalOr(LogicalOp):
    """LogicalOr-1: a or b."""

    type_name = "LogicalOr"
    function = np.logical_or


@register_op
class LogicalXor(LogicalOp):
    """LogicalXor-1: a xor b."""

    type_name = "LogicalXor"
    function = np.logical_xor
