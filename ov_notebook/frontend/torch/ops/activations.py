"""Activation translators, mapped to OpenVINO's activation ops where one matches exactly
(silu -> Swish, hardswish -> HSwish, gelu -> Gelu, leaky_relu -> PRelu with a scalar slope)."""
from __future__ import annotations

from .... import opset as ops
from ..registry import translator
from ._common import DEFAULT_FLOAT, normalize_axis, ov_type, out, rank_of, to_type
from .arithmetic import register_unary


# aten::relu(Tensor self) -> Tensor, and the like: builder -> (aten names, computes in float)
_UNARY = {
    "relu": (("aten.relu", "aten::relu"), False),
    "sigmoid": (("aten.sigmoid", "aten::sigmoid"), True),
    "tanh": (("aten.tanh", "aten::tanh"), True),
    "swish": (("aten.silu", "aten::silu"), False),
    "hswish": (("aten.hardswish", "aten::hardswish"), False),
    "hsigmoid": (("aten.hardsigmoid", "aten::hardsigmoid"), False),
    "mish": (("aten.mish", "aten::mish"), False),
}
register_unary(_UNARY)


def _clamped(ctx, value, low, high):
    if value.get_element_type().is_real:
        return out(ops.clamp(value, float(low), float(high)))
    return out(ops.minimum(ops.maximum(value, ctx.const_like(low, value)),
                           ctx.const_like(high, value)))


@translator("aten.relu6", "aten::relu6")
def relu6(ctx):  # aten::relu6(Tensor self) -> Tensor
    return _clamped(ctx, ctx.input(0), 0, 6)


@translator("aten.hardtanh", "aten::hardtanh")
def hardtanh(ctx):  # aten::hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor
    return _clamped(ctx, ctx.input(0), ctx.arg(1, "min_val", -1), ctx.arg(2, "max_val", 1))


@translator("aten.gelu", "aten::gelu")
def gelu(ctx):  # aten::gelu(Tensor self, *, str approximate='none') -> Tensor
    approximate = ctx.arg(1, "approximate", "none")
    if approximate not in ("none", "tanh"):
        ctx.fail(f"unknown gelu approximation {approximate!r}; expected 'none' or 'tanh'")
    return out(ops.gelu(ctx.input(0), "erf" if approximate == "none" else "tanh"))


@translator("aten.softplus", "aten::softplus")
def softplus(ctx):  # aten::softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor
    value = ctx.input(0)
    beta, threshold = ctx.arg(1, "beta", 1), ctx.arg(2, "threshold", 20)
    scaled = value if beta == 1 else out(ops.multiply(value, ctx.const_like(beta, value)))
    result = out(ops.softplus(scaled))
    if beta != 1:
        result = out(ops.divide(result, ctx.const_like(beta, value)))
    # torch reverts to the identity where beta * x > threshold
    linear = ops.greater(scaled, ctx.const_like(threshold, value))
    return out(ops.select(linear, value, result))


@translator("aten.elu", "aten::elu")
def elu(ctx):  # aten::elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1)
    value = ctx.input(0)
    alpha, scale = ctx.arg(1, "alpha", 1), ctx.arg(2, "scale", 1)
    input_scale = ctx.arg(3, "input_scale", 1)
    if input_scale != 1:
        value = out(ops.multiply(value, ctx.const_like(input_scale, value)))
    result = out(ops.elu(value, float(alpha)))
    return result if scale == 1 else out(ops.multiply(result, ctx.const_like(scale, value)))


@translator("aten.celu", "aten::celu")
def celu(ctx):  # aten::celu(Tensor self, Scalar alpha=1.0) -> Tensor
    value, alpha = ctx.input(0), ctx.arg(1, "alpha", 1.0)
    # celu(x) = alpha * elu(x / alpha, 1)
    scaled = ops.divide(value, ctx.const_like(alpha, value))
    return out(ops.multiply(ops.elu(scaled, 1.0), ctx.const_like(alpha, value)))


@translator("aten.selu", "aten::selu")
def selu(ctx):  # aten::selu(Tensor self) -> Tensor
    value = ctx.input(0)
    return out(ops.selu(value, ctx.const_like([1.6732632423543772848170429916717], value),
                        ctx.const_like([1.0507009873554804934193349852946], value)))


@translator("aten.leaky_relu", "aten::leaky_relu")
def leaky_relu(ctx):  # aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor
    value = ctx.input(0)
    return out(ops.prelu(value, ctx.const_like([ctx.arg(1, "negative_slope", 0.01)], value)))


@translator("aten.prelu", "aten::prelu", "aten._prelu_kernel")
def prelu(ctx):  # aten::prelu(Tensor self, Tensor weight) -> Tensor
    value, slope = ctx.input(0), ctx.input(1)
    rank, slope_rank = rank_of(value), rank_of(slope)
    if rank is not None and rank >= 2 and slope_rank == 1:
        # one slope per channel (axis 1): shape it [C, 1, ...] for numpy broadcasting
        slope = out(ops.unsqueeze(slope, ctx.const(list(range(1, rank - 1)), "i64"))) \
            if rank > 2 else slope
    return out(ops.prelu(value, slope))


def _softmax(builder_name):
    def translate(ctx):
        # aten::softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor
        # aten::_softmax(Tensor self, int dim, bool half_to_float) -> Tensor
        value = ctx.input(0)
        dtype = ctx.arg(2, None, None)
        if isinstance(dtype, bool):  # _softmax's half_to_float
            dtype = "float32" if dtype else None
        if dtype is not None:
            value = to_type(value, ov_type(dtype))
        elif not value.get_element_type().is_real:
            value = to_type(value, DEFAULT_FLOAT)
        rank = rank_of(value)
        axis = ctx.arg(1, "dim")
        axis = normalize_axis(ctx, axis, rank) if rank is not None else axis
        return out(getattr(ops, builder_name)(value, axis))
    translate.__name__ = builder_name
    return translate


translator("aten.softmax", "aten._softmax", "aten::softmax", "aten::_softmax")(_softmax("softmax"))
translator("aten.log_softmax", "aten._log_softmax", "aten::log_softmax",
           "aten::_log_softmax")(_softmax("log_softmax"))
