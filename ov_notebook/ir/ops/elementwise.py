"""Element-wise operations: unary math and activations, binary arithmetic, comparison and logic.

Unary and binary ops are tables plus a factory: each row is (type name, version, evaluate function,
kind); the kind states which element types the op accepts and what type it produces.
"""
from __future__ import annotations

import math

import numpy as np

from ..node import Attr, Op, register_op
from ..types import Type
from ._util import AUTO_BROADCAST, broadcast_shapes, merge_types

# ----------------------------------------------------------------------------------------------
# unary
# ----------------------------------------------------------------------------------------------


def _erf(x):
    return np.vectorize(math.erf, otypes=[x.dtype])(x) if x.size else x


class UnaryOp(Op):
    """y = f(x), same type and shape. ``float_only`` ops reject integer inputs."""

    inputs_spec = ("data",)
    float_only = False
    function = None

    def infer(self):
        element_type = self.get_input_element_type(0)
        if self.float_only and element_type.is_static and not element_type.is_real:
            self.fail(f"input must be a floating-point tensor, got {element_type}")
        if element_type is Type.boolean and self.type_name not in ("LogicalNot",):
            self.fail("input must be numeric, got boolean")
        self.set_output_type(0, element_type, self.get_input_partial_shape(0))

    def evaluate(self, values):
        if type(self).function is None:
            return None
        return [type(self).function(values[0])]


def _unary(type_name, function=None, version="opset1", float_only=False, xml_type=None):
    cls = type(type_name, (UnaryOp,), {
        "type_name": type_name, "version": version, "float_only": float_only,
        "function": staticmethod(function) if function else None, "xml_type": xml_type,
        "__doc__": f"{type_name}-{version[5:]}: element-wise, same type and shape as the input.",
        "__module__": __name__,
    })
    globals()[type_name] = register_op(cls)
    return cls


# (type name, version, evaluate function for constant folding of small values, float-only)
_UNARY = [
    ("Abs", "opset1", np.abs, False),
    ("Negative", "opset1", np.negative, False),
    ("Sign", "opset1", np.sign, False),
    ("Floor", "opset1", np.floor, False),
    ("Ceiling", "opset1", np.ceil, False),
    ("Sqrt", "opset1", np.sqrt, False),
    ("Exp", "opset1", np.exp, False),
    ("Log", "opset1", np.log, False),
    ("Erf", "opset1", _erf, False),
    ("Sin", "opset1", np.sin, False),
    ("Cos", "opset1", np.cos, False),
    ("Tan", "opset1", np.tan, False),
    ("Asin", "opset1", np.arcsin, False),
    ("Acos", "opset1", np.arccos, False),
    ("Atan", "opset1", np.arctan, False),
    ("Sinh", "opset1", np.sinh, False),
    ("Cosh", "opset1", np.cosh, False),
    ("Tanh", "opset1", np.tanh, False),
    ("Relu", "opset1", lambda x: np.maximum(x, 0).astype(x.dtype), False),
    ("Sigmoid", "opset1", None, False),
    ("HSwish", "opset4", None, True),
    ("HSigmoid", "opset5", None, True),
    ("Mish", "opset4", None, True),
    ("SoftPlus", "opset4", None, True),
    ("SoftSign", "opset9", None, True),
]
for _name, _version, _fn, _float_only in _UNARY:
    _unary(_name, _fn, _version, _float_only, xml_type="ReLU" if _name == "Relu" else None)


@register_op
class LogicalNot(Op):
    """LogicalNot-1: boolean in, boolean out."""

    type_name = "LogicalNot"
    inputs_spec = ("data",)

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and element_type is not Type.boolean:
            self.fail(f"input must be boolean, got {element_type}")
        self.set_output_type(0, Type.boolean, self.get_input_partial_shape(0))

    def evaluate(self, values):
        return [np.logical_not(values[0])]


@register_op
class Elu(Op):
    """Elu-1: x if x > 0 else alpha * (exp(x) - 1)."""

    type_name = "Elu"
    inputs_spec = ("data",)
    attrs = (Attr("alpha", "float"),)

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


@register_op
class Clamp(Op):
    """Clamp-1: min(max(x, min), max)."""

    type_name = "Clamp"
    inputs_spec = ("data",)
    attrs = (Attr("min", "float"), Attr("max", "float"))

    def infer(self):
        if self._attrs["min"] > self._attrs["max"]:
            self.fail(f"min {self._attrs['min']} must not exceed max {self._attrs['max']}")
        if self.get_input_element_type(0) is Type.boolean:
            self.fail("input must be numeric, got boolean")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    def evaluate(self, values):
        x = values[0]
        low, high = self._attrs["min"], self._attrs["max"]
        if x.dtype.kind in "iu":
            low, high = math.ceil(low), math.floor(high)
        return [np.clip(x, low, high).astype(x.dtype)]


@register_op
class Gelu(Op):
    """Gelu-7: x * Phi(x), exactly (erf) or with the tanh approximation."""

    type_name = "Gelu"
    version = "opset7"
    inputs_spec = ("data",)
    attrs = (Attr("approximation_mode", "str", "ERF", choices=("ERF", "TANH")),)

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and not element_type.is_real():
            self.fail(f"input must be a floating-point tensor, got {element_type}")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


@register_op
class Swish(Op):
    """Swish-4: x * sigmoid(beta * x); beta is an optional scalar input (default 1)."""

    type_name = "Swish"
    version = "opset4"
    inputs_spec = ("data", "beta?")

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and not element_type.is_real():
            self.fail(f"input must be a floating-point tensor, got {element_type}")
        if len(self._inputs) == 2:
            beta = self.get_input_partial_shape(1)
            if beta.rank_is_static and len(beta) not in (0, 1):
                self.fail(f"beta must be a scalar, got shape {beta}")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


@register_op
class PRelu(Op):
    """PRelu-1: x if x >= 0 else slope * x, slope broadcast to the channel axis (1) or numpy-style."""

    type_name = "PRelu"
    xml_type = "PReLU"
    inputs_spec = ("data", "slope")

    def infer(self):
        merge_types(self, [self.get_input_element_type(0), self.get_input_element_type(1)])
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


@register_op
class Selu(Op):
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


# ----------------------------------------------------------------------------------------------
# binary (numpy broadcasting by default)
# ----------------------------------------------------------------------------------------------


class BinaryOp(Op):
    """z = f(x, y) with ``auto_broadcast`` (numpy by default). ``result`` is "same" or "boolean";
    ``accepts`` is "any", "numeric" or "boolean"."""

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

    def evaluate(self, values):
        if type(self).function is None:
            return None
        return [type(self).function(values[0], values[1])]


def _binary(type_name, function, result="same", accepts="numeric", version="opset1", extra_attrs=()):
    cls = type(type_name, (BinaryOp,), {
        "type_name": type_name, "version": version, "result": result, "accepts": accepts,
        "function": staticmethod(function) if function else None,
        "attrs": BinaryOp.attrs + tuple(extra_attrs),
        "__doc__": f"{type_name}-{version[5:]}: element-wise with numpy broadcasting.",
        "__module__": __name__,
    })
    globals()[type_name] = register_op(cls)
    return cls


_BINARY = [
    ("Add", np.add, "same", "numeric"),
    ("Subtract", np.subtract, "same", "numeric"),
    ("Multiply", np.multiply, "same", "numeric"),
    ("Power", np.power, "same", "numeric"),
    ("Maximum", np.maximum, "same", "numeric"),
    ("Minimum", np.minimum, "same", "numeric"),
    ("SquaredDifference", lambda a, b: np.square(a - b), "same", "numeric"),
    ("FloorMod", np.mod, "same", "numeric"),  # sign of the divisor, as Python's %
    ("Mod", np.fmod, "same", "numeric"),  # truncated: sign of the dividend
    ("Equal", np.equal, "boolean", "any"),
    ("NotEqual", np.not_equal, "boolean", "any"),
    ("Less", np.less, "boolean", "numeric"),
    ("LessEqual", np.less_equal, "boolean", "numeric"),
    ("Greater", np.greater, "boolean", "numeric"),
    ("GreaterEqual", np.greater_equal, "boolean", "numeric"),
    ("LogicalAnd", np.logical_and, "boolean", "boolean"),
    ("LogicalOr", np.logical_or, "boolean", "boolean"),
    ("LogicalXor", np.logical_xor, "boolean", "boolean"),
]
for _name, _fn, _result, _accepts in _BINARY:
    _binary(_name, _fn, _result, _accepts)



@register_op
class Divide(BinaryOp):
    """Divide-1: a / b; integer division floors when ``m_pythondiv`` (the default), else truncates."""

    type_name = "Divide"
    attrs = BinaryOp.attrs + (Attr("m_pythondiv", "bool", True),)

    def evaluate(self, values):
        a, b = values
        if a.dtype.kind not in "iu":
            return [np.divide(a, b)]
        if self._attrs["m_pythondiv"]:
            return [np.floor_divide(a, b)]
        return [(np.trunc(a / b)).astype(a.dtype)]

del _name, _version, _fn, _float_only, _result, _accepts
