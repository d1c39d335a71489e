"""ONNX LSTM, GRU and RNN -> LSTMSequence-5, GRUSequence-5, RNNSequence-5.

ONNX's LSTM gate order i, o, f, c becomes OpenVINO's f, i, c, o (GRU's z, r, h is the same);
``B`` holds the input then the recurrence biases, summed per gate (a GRU with
``linear_before_reset`` keeps the recurrence bias of ``h`` apart, as OpenVINO's GRU does); the
sequence-major layout (``layout=0``) is moved to OpenVINO's batch-major one and back. Absent
initial states are zeros, absent sequence lengths the full sequence. Not supported (named in the
error): LSTM peepholes ``P`` that are not zero, ``input_forget=1``, different activations per
direction, activations other than Sigmoid, Tanh and Relu, and activation alpha/beta.
"""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ..registry import onnx_op

_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
_ORDER = {"LSTM": [2, 0, 3, 1], "GRU": [0, 1, 2], "RNN": [0]}
_DEFAULT_ACTIVATIONS = {"LSTM": ["sigmoid", "tanh", "tanh"], "GRU": ["sigmoid", "tanh"],
                        "RNN": ["tanh"]}


def _i64(values):
    return ops.constant(np.asarray(values, dtype=np.int64)).output(0)


def _reorder(value, kind, axis):
    order = _ORDER[kind]
    if order == list(range(len(order))):
        return value
    pieces = ops.split(value, _i64(axis), len(order)).outputs()
    return ops.concat([pieces[i] for i in order], axis).output(0)


def _activations(ctx, kind, directions):
    names = [str(a).lower() for a in ctx.attr("activations", [])]
    count = len(_DEFAULT_ACTIVATIONS[kind])
    if not names:
        return _DEFAULT_ACTIVATIONS[kind]
    if len(names) != count * directions:
        ctx.fail(f"expected {count * directions} activations for {directions} direction(s), "
                 f"got {names}")
    if directions == 2 and names[:count] != names[count:]:
        ctx.fail(f"different activations per direction ({names}) are not supported")
    unsupported = [n for n in names if n not in ("sigmoid", "tanh", "relu")]
    if unsupported or ctx.has_attr("activation_alpha") or ctx.has_attr("activation_beta"):
        ctx.fail(f"activations must be Sigmoid, Tanh or Relu without alpha/beta, got {names}")
    return names[:count]


def _bias(ctx, kind, hidden, directions, element_type, linear_before_reset):
    gates = _GATES[kind]
    bias_index = 3
    if not ctx.has_input(bias_index):
        rows = (gates + 1 if linear_before_reset else gates) * hidden
        return ops.constant(np.zeros((directions, rows), element_type.to_dtype())).output(0)
    b = ctx.input(bias_index)  # [directions, 2 * gates * hidden]: input biases, then recurrence
    w_bias, r_bias = ops.split(b, _i64(1), 2).outputs()
    w_bias, r_bias = _reorder(w_bias, kind, 1), _reorder(r_bias, kind, 1)
    if kind == "GRU" and linear_before_reset:
        w_parts = ops.split(w_bias, _i64(1), 3).outputs()
        r_parts = ops.split(r_bias, _i64(1), 3).outputs()
        return ops.concat([ops.add(w_parts[0], r_parts[0]), ops.add(w_parts[1], r_parts[1]),
                           w_parts[2], r_parts[2]], 1).output(0)
    return ops.add(w_bias, r_bias).output(0)


def _recurrent(ctx, kind):
    hidden = ctx.attr("hidden_size")
    direction = ctx.attr("direction", "forward")
    if direction not in ("forward", "reverse", "bidirectional"):
        ctx.fail(f"direction must be forward, reverse or bidirectional, got {direction!r}")
    directions = 2 if direction == "bidirectional" else 1
    if ctx.attr("input_forget", 0):
        ctx.fail("input_forget=1 (coupled input and forget gates) is not supported")
    batch_major = ctx.attr("layout", 0) == 1
    x = ctx.input(0)
    if not batch_major:
        x = ops.transpose(x, _i64([1, 0, 2])).output(0)  # [batch, seq, input]
    element_type = x.get_element_type()
    linear_before_reset = bool(ctx.attr("linear_before_reset", 0)) if kind == "GRU" else False
    w = _reorder(ctx.input(1), kind, 1)
    r = _reorder(ctx.input(2), kind, 1)
    b = _bias(ctx, kind, hidden, directions, element_type, linear_before_reset)
    shape = ops.shape_of(x)
    batch = ops.gather(shape, _i64([0]), _i64(0))
    if ctx.has_input(4):
        lengths = ctx.input(4)
    else:
        lengths = ops.broadcast(ops.gather(shape, _i64([1]), _i64(0)), batch).output(0)

    def state(index):
        if ctx.has_input(index):  # [directions, batch, hidden] -> [batch, directions, hidden]
            value = ctx.input(index)
            return value if batch_major else ops.transpose(value, _i64([1, 0, 2])).output(0)
        target = ops.concat([batch, _i64([directions, hidden])], 0)
        return ops.broadcast(ops.constant(np.zeros((), element_type.to_dtype())),
                             target).output(0)

    if kind == "LSTM" and ctx.has_input(7):
        peepholes = ctx.value(7)
        if peepholes is None or np.any(peepholes != 0):
            ctx.fail("LSTM peepholes (input P) are not supported")
    activations = _activations(ctx, kind, directions)
    clip = float(ctx.attr("clip", 0.0))
    if kind == "LSTM":
        node = ops.lstm_sequence(x, state(5), state(6), lengths, w, r, b, hidden, direction,
                                 activations, clip=clip)
    elif kind == "GRU":
        node = ops.gru_sequence(x, state(5), lengths, w, r, b, hidden, direction, activations,
                                clip=clip, linear_before_reset=linear_before_reset)
    else:
        node = ops.rnn_sequence(x, state(5), lengths, w, r, b, hidden, direction, activations,
                                clip=clip)
    # Y: [batch, directions, seq, hidden] -> ONNX's [seq, directions, batch, hidden]
    # (layout=1: [batch, seq, directions, hidden]); states -> [directions, batch, hidden]
    y = ops.transpose(node.output(0), _i64([0, 2, 1, 3] if batch_major else [2, 1, 0, 3]))
    outputs = [y.output(0)]
    for index in range(1, node.get_output_size()):
        value = node.output(index)
        outputs.append(value if batch_major else ops.transpose(value, _i64([1, 0, 2])).output(0))
    return outputs


@onnx_op("LSTM")
def lstm(ctx):
    return _recurrent(ctx, "LSTM")


@onnx_op("GRU")
def gru(ctx):
    return _recurrent(ctx, "GRU")


@onnx_op("RNN")
def rnn(ctx):
    return _recurrent(ctx, "RNN")
