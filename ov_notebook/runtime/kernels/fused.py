"""Kernels of the runtime-internal fused ops (see ``runtime/fused_ops.py``): run the anchor's
kernel (with its prepacked weights), then the epilogue in place on its freshly made output."""
from __future__ import annotations

import math

import numpy as np

from . import get_kernel, kernel
from ._fastmath import erf_f32, relu_, sigmoid_, swish_

_SQRT_HALF = 1 / math.sqrt(2)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _gelu_erf(y):  # y * 0.5 * (1 + erf(y / sqrt(2)))
    gate = np.multiply(y, y.dtype.type(_SQRT_HALF))
    if gate.dtype == np.float32:
        erf_f32(gate, out=gate)
    else:  # f64 and f16 keep scipy's double-precision erf
        from scipy.special import erf

        erf(gate, out=gate)
    gate += 1
    gate *= y.dtype.type(0.5)
    return np.multiply(y, gate, out=y)


def _gelu_tanh(y):  # y * 0.5 * (1 + tanh(sqrt(2/pi) * (y + 0.044715 y^3)))
    gate = np.multiply(y, y)
    gate *= y.dtype.type(0.044715)
    gate += 1
    gate *= y
    gate *= y.dtype.type(_SQRT_2_OVER_PI)
    np.tanh(gate, out=gate)
    gate += 1
    gate *= y.dtype.type(0.5)
    return np.multiply(y, gate, out=y)


def _swish(beta):  # y * sigmoid(beta * y)
    return lambda y: swish_(y, beta)


def _hswish(y):  # y * min(max(y + 3, 0), 6) / 6
    gate = y + y.dtype.type(3)
    np.clip(gate, 0, 6, out=gate)
    gate *= y.dtype.type(1 / 6)
    return np.multiply(y, gate, out=y)


def _hsigmoid(y):  # min(max(y + 3, 0), 6) / 6
    y += y.dtype.type(3)
    np.clip(y, 0, 6, out=y)
    y *= y.dtype.type(1 / 6)
    return y


def _clamp(low, high):
    return lambda y: np.clip(y, y.dtype.type(low), y.dtype.type(high), out=y)


_ACTIVATIONS = {
    "Relu": relu_,
    "Sigmoid": sigmoid_,
    "Tanh": lambda y: np.tanh(y, out=y),
    "HSwish": _hswish,
    "HSigmoid": _hsigmoid,
}
_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


def parse_post_ops(post_ops: str) -> tuple:
    """``"add;Relu"`` -> ((np.add, True), (relu, False)): (function, reads an extra input)."""
    program = []
    for token in filter(None, post_ops.split(";")):
        name, *params = token.split(":")
        if name in _BINARY:
            program.append((_BINARY[name], True))
        elif name in _ACTIVATIONS:
            program.append((_ACTIVATIONS[name], False))
        elif name == "Clamp":
            program.append((_clamp(float(params[0]), float(params[1])), False))
        elif name == "Swish":
            program.append((_swish(float(params[0]) if params else 1.0), False))
        elif name == "Gelu":
            program.append((_gelu_tanh if params and params[0] == "TANH" else _gelu_erf, False))
        else:
            raise ValueError(f"unknown epilogue step {token!r}")
    return tuple(program)


def apply_epilogue(y: np.ndarray, program, extras) -> np.ndarray:
    """Run ``program`` on ``y`` in place (``y`` must be a fresh array the caller owns)."""
    extras = iter(extras)
    for function, reads_input in program:
        if not reads_input:
            y = function(y)
            continue
        other = next(extras)
        if other.ndim <= y.ndim and np.broadcast_shapes(y.shape, other.shape) == y.shape:
            function(y, other, out=y)
        else:  # a dynamic shape broadcast y to something bigger: no room in place
            y = function(y, other).astype(y.dtype, copy=False)
    return y


def _owned_result(y, inputs):
    """``y`` if the epilogue may write into it: writeable and sharing no memory with an input."""
    if isinstance(y, np.ndarray) and y.flags.writeable and not any(
            np.may_share_memory(y, a) for a in inputs):
        return y
    return np.array(y, copy=True)


# --- compile time: parse the epilogue, lift a leading constant bias, prepack the weights ---------
def _leading_bias(node, program):
    """The constant of a leading ``add`` as a per-channel vector (the anchor adds it itself)."""
    from ..passes.affine_folding import channel_axis, per_channel  # passes import kernels

    if not program or program[0][0] is not np.add:
        return None
    source = node.input_value(node.anchor_inputs).get_node()
    if source.get_type_name() != "Constant":
        return None
    vector = per_channel(source.get_value(), node.output(0), channel_axis(node))
    dtype = node.get_output_element_type(0).to_dtype()
    return None if vector is None else vector.astype(dtype)


def _pack_convolution(node, anchor_type):
    """The conv engineer's prepacked filters, or None (non-constant filters, older kernels)."""
    try:
        from .convolution import prepare_convolution_weights
    except ImportError:
        return None
    filters = node.input_value(1).get_node()
    if filters.get_type_name() != "Constant":
        return None
    return prepare_convolution_weights(_owned_copy(filters.get_value()),
                                       grouped=anchor_type == "GroupConvolution")


def _owned_copy(weights: np.ndarray) -> np.ndarray:
    """Weights in fresh anonymous memory: constants read from IR map the .bin file, whose 4 KiB
    pages make BLAS ~1.6x slower than numpy's own (huge-page advised) allocations."""
    return np.array(weights, dtype=np.float32 if weights.dtype == np.float16 else weights.dtype,
                    order="C", copy=True)


def _pack_matmul(node, attrs):
    """A constant B as an owned [..., K, N] C-contiguous copy (transpose_b applied once)."""
    weights = node.input_value(1).get_node()
    if weights.get_type_name() != "Constant" or weights.get_value().ndim < 2:
        return None
    value = weights.get_value()
    if attrs.get("transpose_b"):
        value = np.swapaxes(value, -1, -2)
        attrs["transpose_b"] = False
    return _owned_copy(value)


def _prepare(anchor_type):
    def prepare(node, attrs):
        attrs = dict(attrs)
        program = parse_post_ops(attrs.pop("post_ops"))
        bias = _leading_bias(node, program)
        if bias is not None:
            program = program[1:]
        attrs.update(post_ops=program, bias=bias, extras_from=0 if bias is None else 1)
        if anchor_type in _CONVOLUTIONS:
            attrs["packed"] = _pack_convolution(node, anchor_type)
            if attrs["packed"] is not None:  # visible in CompiledModel.get_runtime_model()
                node.rt_info["prepacked_weights"] = attrs["packed"].kind
        elif anchor_type == "MatMul" and \
                node.get_input_element_type(1) == node.get_output_element_type(0):
            attrs["weights"] = _pack_matmul(node, attrs)
            if attrs["weights"] is not None:
                node.rt_info["prepacked_weights"] = "matrix"
        anchor = get_kernel(anchor_type)
        if anchor.needs_node:
            attrs["node"] = node
        return attrs
    return prepare


# --- run time ------------------------------------------------------------------------------------
_CONVOLUTIONS = ("Convolution", "GroupConvolution")


def _convolve(x, packed, extras, program, bias, strides, dilations, pads_begin, pads_end,
              auto_pad="explicit"):
    """Prepacked convolution; bias and epilogue run inside, on its fresh NC... output."""
    from ...ir.ops.convolution import resolve_pads
    from .convolution import convolve

    dilations = list(dilations) or [1] * (x.ndim - 2)
    begin, end = resolve_pads(auto_pad, x.shape[2:], packed.kernel_shape, strides, dilations,
                              pads_begin, pads_end)
    grown = []  # apply_epilogue returns a new array only when a dynamic broadcast grew y

    def epilogue(y):
        result = apply_epilogue(y, program, extras)
        if result is not y:
            grown.append(result)
    y = convolve(x, packed, strides, dilations, begin, end, bias=bias, epilogue=epilogue)
    return grown[0] if grown else y


def _fused_kernel(anchor_type, anchor_inputs=2):
    @kernel(f"Fused{anchor_type}", prepare=_prepare(anchor_type))
    def run(*inputs, post_ops="", bias=None, extras_from=0, packed=None, weights=None, **attrs):
        program = parse_post_ops(post_ops) if isinstance(post_ops, str) else post_ops
        anchor_args, extras = inputs[:anchor_inputs], inputs[anchor_inputs + extras_from:]
        if weights is not None:  # prepacked constant B (transpose_b already applied)
            anchor_args = (anchor_args[0], weights)
        if packed is not None:
            return _convolve(anchor_args[0], packed, extras, program, bias, **attrs)
        y = _owned_result(get_kernel(anchor_type).function(*anchor_args, **attrs), anchor_args)
        if bias is not None:  # per channel: axis 1 of a convolution, the last axis of a MatMul
            y += bias if anchor_type == "MatMul" else bias.reshape((-1,) + (1,) * (y.ndim - 2))
        return apply_epilogue(y, program, extras)

    run.__name__ = f"fused_{anchor_type.lower()}"
    return run


for _anchor in ("Convolution", "GroupConvolution", "MatMul"):
    _fused_kernel(_anchor)
