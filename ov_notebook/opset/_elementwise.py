"""Builders for element-wise ops (unary, binary, comparison, logical, activations)."""
from __future__ import annotations

from ..ir.ops import elementwise as spec
from ._base import as_node, as_nodes


def _unary_builder(op_class, builder_name):
    def build(node, name=None):
        return op_class(as_node(node), name=name)

    build.__name__ = build.__qualname__ = builder_name
    build.__doc__ = f"{op_class.type_name}: {op_class.__doc__}"
    build.__module__ = __name__
    return build


def _binary_builder(op_class, builder_name, module=__name__):
    """The builder ``builder_name(left, right, auto_broadcast="NUMPY", name=None)`` of a binary
    op with broadcasting, presented as a function of ``module``."""
    def build(left_node, right_node, auto_broadcast="NUMPY", name=None):
        left, right = as_nodes(left_node, right_node)
        return op_class(left, right, auto_broadcast=auto_broadcast, name=name)

    build.__name__ = build.__qualname__ = builder_name
    build.__doc__ = f"{op_class.type_name}: {op_class.__doc__}"
    build.__module__ = module
    return build


_UNARY_NAMES = {
    "Abs": "absolute", "Negative": "negative", "Sign": "sign", "Floor": "floor",
    "Ceiling": "ceiling", "Sqrt": "sqrt", "Exp": "exp", "Log": "log", "Erf": "erf", "Sin": "sin",
    "Cos": "cos", "Tan": "tan", "Asin": "asin", "Acos": "acos", "Atan": "atan", "Sinh": "sinh",
    "Cosh": "cosh", "Tanh": "tanh", "Relu": "relu", "Sigmoid": "sigmoid", "HSwish": "hswish",
    "HSigmoid": "hsigmoid", "Mish": "mish", "SoftPlus": "softplus", "SoftSign": "softsign",
    "LogicalNot": "logical_not",
}
_BINARY_NAMES = {
    "Add": "add", "Subtract": "subtract", "Multiply": "multiply", "Divide": "divide",
    "Power": "power", "Maximum": "maximum", "Minimum": "minimum",
    "SquaredDifference": "squared_difference", "FloorMod": "floor_mod", "Mod": "mod",
    "Equal": "equal", "NotEqual": "not_equal", "Less": "less", "LessEqual": "less_equal",
    "Greater": "greater", "GreaterEqual": "greater_equal", "LogicalAnd": "logical_and",
    "LogicalOr": "logical_or", "LogicalXor": "logical_xor",
}
for _type, _builder in _UNARY_NAMES.items():
    globals()[_builder] = _unary_builder(getattr(spec, _type), _builder)
for _type, _builder in _BINARY_NAMES.items():
    globals()[_builder] = _binary_builder(getattr(spec, _type), _builder)
abs = absolute  # noqa: A001  (openvino.opset exports both names)


def elu(data, alpha, name=None):
    return spec.Elu(as_node(data), alpha=alpha, name=name)


def clamp(data, min_value, max_value, name=None):
    return spec.Clamp(as_node(data), min=min_value, max=max_value, name=name)


def gelu(data, approximation_mode="erf", name=None):
    return spec.Gelu(as_node(data), approximation_mode=approximation_mode, name=name)


def swish(data, beta=None, name=None):
    inputs = [as_node(data)] + ([] if beta is None else [as_node(beta, like=data)])
    return spec.Swish(*inputs, name=name)


def prelu(data, slope, name=None):
    return spec.PRelu(as_node(data), as_node(slope, like=data), name=name)


def selu(data, alpha, lambda_value, name=None):
    return spec.Selu(as_node(data), as_node(alpha, like=data), as_node(lambda_value, like=data),
                     name=name)
