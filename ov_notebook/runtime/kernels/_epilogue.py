"""Epilogues of the fused ops: a program of in-place steps on an anchor's fresh output.

``parse_post_ops("add;Relu")`` compiles the ``post_ops`` attribute (see ``runtime/fused_ops.py``)
once; :func:`run_epilogue` applies it in place, split over threads by chunks of the output when it
is big enough for that to pay (numpy ufuncs release the GIL but use one core each).
"""
from __future__ import annotations

import functools

import numpy as np

from ...ir.errors import UnknownOpError
from ...ir.node import get_op_class, registered_ops
from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays

__all__ = ["parse_post_ops", "apply_epilogue", "run_epilogue", "epilogue_token"]


def epilogue_token(node):
    """The ``post_ops`` step that applies ``node`` (an activation whose class is
    ``fusable_activation``) to a fused op's output: its type name, then the values of
    ``epilogue_arguments()`` (``Relu``, ``Clamp:0.0:6.0``); None when it cannot."""
    arguments = node.epilogue_arguments() if node.fusable_activation else None
    if arguments is None:
        return None
    return ":".join([node.get_type_name()] + [v if isinstance(v, str) else repr(float(v))
                                              for v in arguments.values()])


@functools.cache
def _binary_steps() -> dict:
    """``{"add": np.add, ...}``: the ufunc of every binary op class with an ``epilogue_token``."""
    steps = {}
    for type_name in registered_ops():
        op_class = get_op_class(type_name)
        if op_class.epilogue_token:
            steps[op_class.epilogue_token] = op_class.function
    return steps


def _value(text):
    try:
        return float(text)
    except ValueError:
        return text


def _activation_step(token):
    """``y -> compute(y, out=y, **arguments)`` of the activation a token names."""
    name, *values = token.split(":")
    try:
        op_class = get_op_class(name)
    except UnknownOpError:  # reported below as an unknown step
        op_class = None
    if op_class is None or not op_class.fusable_activation:
        raise ValueError(f"unknown epilogue step {token!r}")
    names = op_class.epilogue_params
    if len(values) != len(names):
        raise ValueError(f"epilogue step {token!r} needs {len(names)} values "
                         f"({', '.join(names) or 'none'})")
    arguments = {key: _value(text) for key, text in zip(names, values)}
    return lambda y: op_class.compute(y, out=y, **arguments)


def parse_post_ops(post_ops: str) -> tuple:
    """``"add;Relu"`` -> ((np.add, True), (relu, False)): (function, reads an extra input)."""
    program = []
    binary = _binary_steps()
    for token in filter(None, post_ops.split(";")):
        if token in binary:
            program.append((binary[token], True))
        else:
            program.append((_activation_step(token), False))
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
