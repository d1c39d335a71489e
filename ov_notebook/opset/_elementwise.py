"""Builders for element-wise ops (unary, binary, comparison, logical, activations), with the
signatures of ``openvino.opset*``."""
from __future__ import annotations

from ..ir.ops import elementwise as spec
from ._base import as_node, as_operands, builder


def _binary(op_class, left, right, auto_broadcast, name, arguments=("left_node", "right_node")):
    """``op_class`` over two operands, which errors name by ``arguments``; a Python number takes
    the type of the node operand."""
    left, right = as_operands(**dict(zip(arguments, (left, right))))
    return op_class(left, right, auto_broadcast=auto_broadcast, name=name)


# --- unary: y = f(x), same type and shape ----------------------------------------------------


@builder
def absolute(node, name=None) -> spec.Abs:
    """Abs-1: |x|."""
    return spec.Abs(as_node(node, "node"), name=name)


@builder
def abs(node, name=None) -> spec.Abs:  # noqa: A001 (openvino.opset has both abs and absolute)
    """Abs-1: |x|, as ``absolute``."""
    return spec.Abs(as_node(node, "node"), name=name)


@builder
def negative(node, name=None) -> spec.Negative:
    """Negative-1: -x."""
    return spec.Negative(as_node(node, "node"), name=name)


@builder
def sign(node, name=None) -> spec.Sign:
    """Sign-1: -1, 0 or 1 by the sign of x."""
    return spec.Sign(as_node(node, "node"), name=name)


@builder
def floor(node, name=None) -> spec.Floor:
    """Floor-1: the largest integer not greater than x."""
    return spec.Floor(as_node(node, "node"), name=name)


@builder
def ceiling(node, name=None) -> spec.Ceiling:
    """Ceiling-1: the smallest integer not less than x."""
    return spec.Ceiling(as_node(node, "node"), name=name)


@builder
def ceil(node, name=None) -> spec.Ceiling:
    """Ceiling-1: ``openvino.opset*``'s other spelling of :func:`ceiling` (errors name this one)."""
    return spec.Ceiling(as_node(node, "node"), name=name)


@builder
def sqrt(node, name=None) -> spec.Sqrt:
    """Sqrt-1: the square root of x."""
    return spec.Sqrt(as_node(node, "node"), name=name)


@builder
def exp(node, name=None) -> spec.Exp:
    """Exp-1: e to the power x."""
    return spec.Exp(as_node(node, "node"), name=name)


@builder
def log(node, name=None) -> spec.Log:
    """Log-1: the natural logarithm of x."""
    return spec.Log(as_node(node, "node"), name=name)


@builder
def erf(node, name=None) -> spec.Erf:
    """Erf-1: the Gauss error function of x."""
    return spec.Erf(as_node(node, "node"), name=name)


@builder
def sin(node, name=None) -> spec.Sin:
    """Sin-1: the sine of x."""
    return spec.Sin(as_node(node, "node"), name=name)


@builder
def cos(node, name=None) -> spec.Cos:
    """Cos-1: the cosine of x."""
    return spec.Cos(as_node(node, "node"), name=name)


@builder
def tan(node, name=None) -> spec.Tan:
    """Tan-1: the tangent of x."""
    return spec.Tan(as_node(node, "node"), name=name)


@builder
def asin(node, name=None) -> spec.Asin:
    """Asin-1: the inverse sine of x."""
    return spec.Asin(as_node(node, "node"), name=name)


@builder
def acos(node, name=None) -> spec.Acos:
    """Acos-1: the inverse cosine of x."""
    return spec.Acos(as_node(node, "node"), name=name)


@builder
def atan(node, name=None) -> spec.Atan:
    """Atan-1: the inverse tangent of x."""
    return spec.Atan(as_node(node, "node"), name=name)


@builder
def sinh(node, name=None) -> spec.Sinh:
    """Sinh-1: the hyperbolic sine of x."""
    return spec.Sinh(as_node(node, "node"), name=name)


@builder
def cosh(node, name=None) -> spec.Cosh:
    """Cosh-1: the hyperbolic cosine of x."""
    return spec.Cosh(as_node(node, "node"), name=name)


@builder
def tanh(node, name=None) -> spec.Tanh:
    """Tanh-1: the hyperbolic tangent of x."""
    return spec.Tanh(as_node(node, "node"), name=name)


@builder
def asinh(node, name=None) -> spec.Asinh:
    """Asinh-4: the inverse hyperbolic sine of x."""
    node = as_node(node, "node")
    return spec.Asinh(node, name=name)


@builder
def acosh(node, name=None) -> spec.Acosh:
    """Acosh-4: the inverse hyperbolic cosine of x."""
    node = as_node(node, "node")
    return spec.Acosh(node, name=name)


@builder
def atanh(node, name=None) -> spec.Atanh:
    """Atanh-4: the inverse hyperbolic tangent of x."""
    node = as_node(node, "node")
    return spec.Atanh(node, name=name)


@builder
def relu(node, name=None) -> spec.Relu:
    """Relu-1: max(x, 0)."""
    return spec.Relu(as_node(node, "node"), name=name)


@builder
def sigmoid(data, name=None) -> spec.Sigmoid:
    """Sigmoid-1: 1 / (1 + exp(-x))."""
    return spec.Sigmoid(as_node(data, "data"), name=name)


@builder
def hswish(data, name=None) -> spec.HSwish:
    """HSwish-4: x * min(max(x + 3, 0), 6) / 6."""
    return spec.HSwish(as_node(data, "data"), name=name)


@builder
def hsigmoid(data, name=None) -> spec.HSigmoid:
    """HSigmoid-5: min(max(x + 3, 0), 6) / 6."""
    return spec.HSigmoid(as_node(data, "data"), name=name)


@builder
def mish(data, name=None) -> spec.Mish:
    """Mish-4: x * tanh(softplus(x))."""
    return spec.Mish(as_node(data, "data"), name=name)


@builder
def softplus(data, name=None) -> spec.SoftPlus:
    """SoftPlus-4: log(1 + exp(x))."""
    return spec.SoftPlus(as_node(data, "data"), name=name)


@builder
def softsign(node, name=None) -> spec.SoftSign:
    """SoftSign-9: x / (1 + |x|)."""
    return spec.SoftSign(as_node(node, "node"), name=name)


@builder
def logical_not(node, name=None) -> spec.LogicalNot:
    """LogicalNot-1: not x, for booleans."""
    return spec.LogicalNot(as_node(node, "node"), name=name)


# --- binary, with numpy broadcasting by default ------------------------------------------------


@builder
def add(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Add:
    """Add-1: left_node + right_node, element-wise."""
    return _binary(spec.Add, left_node, right_node, auto_broadcast, name)


@builder
def subtract(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Subtract:
    """Subtract-1: left_node - right_node, element-wise."""
    return _binary(spec.Subtract, left_node, right_node, auto_broadcast, name)


@builder
def multiply(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Multiply:
    """Multiply-1: left_node * right_node, element-wise."""
    return _binary(spec.Multiply, left_node, right_node, auto_broadcast, name)


@builder
def divide(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Divide:
    """Divide-1: left_node / right_node, element-wise (integers: floor division)."""
    return _binary(spec.Divide, left_node, right_node, auto_broadcast, name)


@builder
def power(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Power:
    """Power-1: left_node ** right_node, element-wise."""
    return _binary(spec.Power, left_node, right_node, auto_broadcast, name)


@builder
def maximum(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Maximum:
    """Maximum-1: the larger of left_node and right_node, element-wise."""
    return _binary(spec.Maximum, left_node, right_node, auto_broadcast, name)


@builder
def minimum(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Minimum:
    """Minimum-1: the smaller of left_node and right_node, element-wise."""
    return _binary(spec.Minimum, left_node, right_node, auto_broadcast, name)


@builder
def squared_difference(x1, x2, auto_broadcast="NUMPY", name=None) -> spec.SquaredDifference:
    """SquaredDifference-1: (x1 - x2) ** 2, element-wise."""
    return _binary(spec.SquaredDifference, x1, x2, auto_broadcast, name, ("x1", "x2"))


@builder
def floor_mod(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.FloorMod:
    """FloorMod-1: left_node % right_node, element-wise, signed as the divisor (Python's %)."""
    return _binary(spec.FloorMod, left_node, right_node, auto_broadcast, name)


@builder
def mod(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Mod:
    """Mod-1: left_node % right_node, element-wise, with the sign of the dividend (C's fmod)."""
    return _binary(spec.Mod, left_node, right_node, auto_broadcast, name)


@builder
def equal(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Equal:
    """Equal-1: left_node == right_node, element-wise; gives booleans."""
    return _binary(spec.Equal, left_node, right_node, auto_broadcast, name)


@builder
def not_equal(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.NotEqual:
    """NotEqual-1: left_node != right_node, element-wise; gives booleans."""
    return _binary(spec.NotEqual, left_node, right_node, auto_broadcast, name)


@builder
def less(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Less:
    """Less-1: left_node < right_node, element-wise; gives booleans."""
    return _binary(spec.Less, left_node, right_node, auto_broadcast, name)


@builder
def less_equal(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.LessEqual:
    """LessEqual-1: left_node <= right_node, element-wise; gives booleans."""
    return _binary(spec.LessEqual, left_node, right_node, auto_broadcast, name)


@builder
def greater(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.Greater:
    """Greater-1: left_node > right_node, element-wise; gives booleans."""
    return _binary(spec.Greater, left_node, right_node, auto_broadcast, name)


@builder
def greater_equal(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.GreaterEqual:
    """GreaterEqual-1: left_node >= right_node, element-wise; gives booleans."""
    return _binary(spec.GreaterEqual, left_node, right_node, auto_broadcast, name)


@builder
def logical_and(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.LogicalAnd:
    """LogicalAnd-1: left_node and right_node, element-wise on booleans."""
    return _binary(spec.LogicalAnd, left_node, right_node, auto_broadcast, name)


@builder
def logical_or(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.LogicalOr:
    """LogicalOr-1: left_node or right_node, element-wise on booleans."""
    return _binary(spec.LogicalOr, left_node, right_node, auto_broadcast, name)


@builder
def logical_xor(left_node, right_node, auto_broadcast="NUMPY", name=None) -> spec.LogicalXor:
    """LogicalXor-1: left_node xor right_node, element-wise on booleans."""
    return _binary(spec.LogicalXor, left_node, right_node, auto_broadcast, name)


# --- activations with attributes or extra inputs ---------------------------------------------


@builder
def elu(data, alpha, name=None) -> spec.Elu:
    """Elu-1: x if x > 0 else alpha * (exp(x) - 1)."""
    return spec.Elu(as_node(data, "data"), alpha=alpha, name=name)


@builder
def clamp(data, min_value, max_value, name=None) -> spec.Clamp:
    """Clamp-1: min(max(x, min_value), max_value)."""
    return spec.Clamp(as_node(data, "data"), min=min_value, max=max_value, name=name)


@builder
def gelu(data, approximation_mode="erf", name=None) -> spec.Gelu:
    """Gelu-7: x * Phi(x); ``approximation_mode`` erf (exact) or tanh."""
    return spec.Gelu(as_node(data, "data"), approximation_mode=approximation_mode, name=name)


@builder
def swish(data, beta=None, name=None) -> spec.Swish:
    """Swish-4: x * sigmoid(beta * x); ``beta`` (a scalar) defaults to 1."""
    data = as_node(data, "data")
    inputs = [data] + ([] if beta is None else [as_node(beta, "beta", like=data)])
    return spec.Swish(*inputs, name=name)


@builder
def prelu(data, slope, name=None) -> spec.PRelu:
    """PRelu-1: x if x >= 0 else slope * x (``slope`` per channel or broadcast)."""
    data = as_node(data, "data")
    return spec.PRelu(data, as_node(slope, "slope", like=data), name=name)


@builder
def selu(data, alpha, lambda_value, name=None) -> spec.Selu:
    """Selu-1: lambda_value * (x if x > 0 else alpha * (exp(x) - 1))."""
    data = as_node(data, "data")
    return spec.Selu(data, as_node(alpha, "alpha", like=data),
                     as_node(lambda_value, "lambda_value", like=data), name=name)
