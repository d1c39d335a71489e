"""Epilogues of the fused ops: a program of in-place steps on an anchor's fresh output.

``parse_post_ops("add;Relu")`` compiles the ``post_ops`` attribute (see ``runtime/fused_ops.py``)
once; :func:`run_epilogue` applies it in place, split over threads by chunks of the output when it
is big enough for that to pay (numpy ufuncs release the GIL but use one core each).
"""
from __future__ import annotations

import math

import numpy as np

from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays
from ._fastmath import gelu_erf_f32_, relu_, sigmoid_, swish_

__all__ = ["parse_post_ops", "apply_epilogue", "run_epilogue"]

_SQRT_HALF = 1 / math.sqrt(2)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _gelu_erf(y):  # y * 0.5 * (1 + erf(y / sqrt(2)))
    if y.dtype == np.float32:
        return gelu_erf_f32_(y)
    from scipy.special import erf  # f64 and f16 keep scipy's double-precision erf

    gate = np.multiply(y, y.dtype.type(_SQRT_HALF))
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


# chunks of fewer elements than this cost more to hand to a thread than they save
PARALLEL_CHUNK = 1 << 16


def _split_axis(shape) -> int:
    """The first axis with more than one element (rows of a MatMul, channels of a conv)."""
    return next((axis for axis, size in enumerate(shape) if size > 1), 0)


def run_epilogue(y: np.ndarray, program, extras) -> np.ndarray:
    """:func:`apply_epilogue`, over chunks of ``y`` on several threads when ``y`` is big."""
    threads = current_threads()
    if not program or threads <= 1 or y.size < 2 * PARALLEL_CHUNK or any(
            e.ndim > y.ndim or np.broadcast_shapes(y.shape, e.shape) != y.shape
            for e in extras) or not splitting_pays():
        return apply_epilogue(y, program, extras)
    axis = _split_axis(y.shape)
    chunks = min(4 * threads, max(threads, y.size // PARALLEL_CHUNK))
    bounds = chunk_bounds(y.shape[axis], chunks)
    full = [np.broadcast_to(e, y.shape) for e in extras]

    def run_chunk(index):
        part = (slice(None),) * axis + (slice(*bounds[index]),)
        apply_epilogue(y[part], program, [e[part] for e in full])

    parallel_for(len(bounds), run_chunk)
    return y
