"""Recurrent cells and sequences: RNNCell-1, GRUCell-3, LSTMCell-4, RNNSequence-5, GRUSequence-5,
LSTMSequence-5.

Gate order is OpenVINO's: LSTM ``f, i, c, o``, GRU ``z, r, h``. ``B`` holds the sum of the input
and recurrence biases per gate, except for a GRU with ``linear_before_reset``, whose ``B`` has a
fourth block (the recurrence bias of the ``h`` gate, applied before the reset gate multiplies).
``clip`` (> 0) clamps every gate's pre-activation to ``[-clip, clip]`` (not the cell state).

Sequences take ``X [batch, seq, input]``, states ``[batch, directions, hidden]``,
``sequence_lengths [batch]`` and weights with a leading ``directions`` axis; ``direction`` is
forward, reverse or bidirectional (2 directions). Steps past a row's length give zeros in ``Y``,
the final states are those of its last step (zeros for a length of 0), and the reverse direction
reads each row's first ``length`` steps backwards - as OpenVINO's reference.
"""
from __future__ import annotations

import numpy as np

from ..attributes import Attr
from ..node import Op, register_op
from ..shape import Dimension, PartialShape

ACTIVATIONS = ("sigmoid", "tanh", "relu")
DIRECTIONS = ("forward", "reverse", "bidirectional")


def _activation(name):
    if name == "sigmoid":
        return lambda x: 1.0 / (1.0 + np.exp(-x))
    if name == "tanh":
        return np.tanh
    return lambda x: np.maximum(x, 0)


def _clipped(x, clip, activation):
    if clip > 0:
        x = np.clip(x, -clip, clip)
    return _activation(activation)(x)


def _recurrent_attrs(default_activations, sequence=False, gru=False):
    attrs = []
    if sequence:
        attrs.append(Attr("direction", "str", "forward", choices=DIRECTIONS))
    if gru:
        attrs.append(Attr("linear_before_reset", "bool", False))
    attrs += [Attr("hidden_size", "int"),
              Attr("activations", "strs", list(default_activations), choices=ACTIVATIONS),
              Attr("activations_alpha", "floats", []),
              Attr("activations_beta", "floats", []),
              Attr("clip", "float", 0.0)]
    return tuple(attrs)


# --- one step, shared by cells and sequences ---------------------------------------------------
def lstm_step(x, h, c, w, r, b, activations, clip):
    """One LSTM step: ``x [batch, input]``, ``h, c [batch, hidden]``, ``w [4h, input]``,
    ``r [4h, hidden]``, ``b [4h]`` -> ``(h, c)``."""
    gates = x @ w.T + (h @ r.T + b)
    f, i, g, o = np.split(gates, 4, axis=-1)
    f = _clipped(f, clip, activations[0])
    i = _clipped(i, clip, activations[0])
    g = _clipped(g, clip, activations[1])
    o = _clipped(o, clip, activations[0])
    c_new = f * c + i * g
    return (o * _activation(activations[2])(c_new)).astype(x.dtype), c_new.astype(x.dtype)


def gru_step(x, h, w, r, b, activations, clip, linear_before_reset):
    """One GRU step (gates z, r, h); ``b`` is ``[3h]`` or, with linear_before_reset, ``[4h]``."""
    hidden = h.shape[-1]
    xw = x @ w.T
    wz, wr, wh = np.split(xw, 3, axis=-1)
    rz, rr, rh = r[:hidden], r[hidden:2 * hidden], r[2 * hidden:]
    bz, br, bh = b[:hidden], b[hidden:2 * hidden], b[2 * hidden:3 * hidden]
    z = _clipped(wz + (h @ rz.T) + bz, clip, activations[0])
    reset = _clipped(wr + (h @ rr.T) + br, clip, activations[0])
    if linear_before_reset:
        candidate = wh + reset * (h @ rh.T + b[3 * hidden:]) + bh
    else:
        candidate = wh + (reset * h) @ rh.T + bh
    candidate = _clipped(candidate, clip, activations[1])
    return ((1 - z) * candidate + z * h).astype(x.dtype)


def rnn_step(x, h, w, r, b, activations, clip):
    return _clipped(x @ w.T + h @ r.T + b, clip, activations[0]).astype(x.dtype)


def _run_sequence(step, x, states, lengths, reverse):
    """Runs ``step(x_t, *states) -> states`` over ``x [batch, seq, input]`` with per-row lengths;
    returns ``(y [batch, seq, hidden], final states)``."""
    batch, steps = x.shape[0], x.shape[1]
    lengths = np.clip(lengths.astype(np.int64), 0, steps)
    if reverse:  # each row's first `length` steps, backwards
        order = np.arange(steps)[None, :].repeat(batch, 0)
        order = np.where(order < lengths[:, None], lengths[:, None] - 1 - order, order)
        x = np.take_along_axis(x, order[:, :, None], axis=1)
    y = np.zeros((batch, steps, states[0].shape[-1]), x.dtype)
    for t in range(steps):
        new = step(x[:, t], *states)
        new = new if isinstance(new, tuple) else (new,)
        valid = (t < lengths)[:, None]
        states = tuple(np.where(valid, n, s) for n, s in zip(new, states))
        y[:, t] = np.where(valid, new[0], 0)
    states = tuple(np.where((lengths == 0)[:, None], 0, s).astype(x.dtype) for s in states)
    if reverse:
        y = np.take_along_axis(y, order[:, :, None], axis=1)
    return y, states


# --- shape inference --------------------------------------------------------------------------
class _Recurrent(Op):
    gates = 1
    n_activations = 1
    states = 1  # H (and C for LSTM)
    sequence = False

    def _merge(self, dim, other, what):
        merged = dim.merge(other)
        if merged is None:
            self.fail(f"{what}: {other} does not match {dim}")
        return merged

    def infer(self):
        attrs = self._attrs
        hidden = attrs["hidden_size"]
        self.check(hidden > 0, f"hidden_size must be positive, got {hidden}")
        self.check(len(attrs["activations"]) == self.n_activations,
                   f"needs {self.n_activations} activations, got {attrs['activations']}")
        element_type = self.get_input_element_type(0)
        if element_type.is_static and not element_type.is_real:
            self.fail(f"X must be a float tensor, got {element_type}")
        names = self.inputs_spec
        shapes = {name.rstrip("?"): self.get_input_partial_shape(i)
                  for i, name in enumerate(names) if i < self.get_input_size()}
        for index, name in enumerate(names[:self.get_input_size()]):
            other = self.get_input_element_type(index)
            if name != "sequence_lengths" and other.is_static and element_type.is_static and \
                    other != element_type:
                self.fail(f"{name} must be {element_type} like X, got {other}")
        directions = Dimension(2 if attrs.get("direction") == "bidirectional" else 1)
        batch, steps, size = Dimension(), Dimension(), Dimension()
        gate_rows = self.gates * hidden
        bias_rows = (self.gates + 1) * hidden if attrs.get("linear_before_reset") else gate_rows
        lead = 1 if self.sequence else 0  # the directions axis of sequence weights and states
        expected_rank = {"X": 2 + lead, "W": 2 + lead, "R": 2 + lead, "B": 1 + lead,
                         "sequence_lengths": 1}
        for name, shape in shapes.items():
            if not shape.rank_is_static:
                continue
            rank = expected_rank.get(name, 2 + lead)
            self.check(len(shape) == rank, f"{name} must have rank {rank}, got {shape}")
            if name == "X":
                batch = self._merge(batch, shape[0], "X batch")
                if self.sequence:
                    steps = shape[1]
                size = self._merge(size, shape[-1], "X input size")
            elif name == "sequence_lengths":
                batch = self._merge(batch, shape[0], "sequence_lengths batch")
            elif name in ("W", "R", "B"):
                if lead:
                    self._merge(directions, shape[0], f"{name} directions")
                rows = bias_rows if name == "B" else gate_rows
                self._merge(Dimension(rows), shape[lead], f"{name} rows ({self.gates} gates x "
                            f"hidden_size {hidden})")
                if name == "W":
                    size = self._merge(size, shape[-1], "W input size")
                if name == "R":
                    self._merge(Dimension(hidden), shape[-1], "R columns (hidden_size)")
            else:  # initial states
                batch = self._merge(batch, shape[0], f"{name} batch")
                if lead:
                    self._merge(directions, shape[1], f"{name} directions")
                self._merge(Dimension(hidden), shape[-1], f"{name} hidden size")
        state = [batch, directions, Dimension(hidden)] if self.sequence else \
            [batch, Dimension(hidden)]
        outputs = []
        if self.sequence:
            outputs.append(PartialShape([batch, directions, steps, Dimension(hidden)]))
        outputs += [PartialShape(state)] * self.states
        self._set_output_count(len(outputs))
        for index, shape in enumerate(outputs):
            self.set_output_type(index, element_type, shape)


# --- cells ------------------------------------------------------------------------------------
@register_op
class RNNCell(_Recurrent):
    """RNNCell-1: ``H = f(X W^T + H R^T + B)``."""

    type_name = "RNNCell"
    inputs_spec = ("X", "H", "W", "R", "B")
    attrs = _recurrent_attrs(["tanh"])

    @staticmethod
    def compute(x, h, w, r, b, out=None, *, activations, clip, **_):
        return rnn_step(x, h, w, r, b, activations, clip)


@register_op
class GRUCell(_Recurrent):
    """GRUCell-3 (gates z, r, h)."""

    type_name = "GRUCell"
    version = "opset3"
    gates, n_activations = 3, 2
    inputs_spec = ("X", "H", "W", "R", "B")
    attrs = _recurrent_attrs(["sigmoid", "tanh"], gru=True)

    @staticmethod
    def compute(x, h, w, r, b, out=None, *, activations, clip, linear_before_reset, **_):
        return gru_step(x, h, w, r, b, activations, clip, linear_before_reset)


@register_op
class LSTMCell(_Recurrent):
    """LSTMCell-4 (gates f, i, c, o): two outputs, H and C."""

    type_name = "LSTMCell"
    version = "opset4"
    gates, n_activations, states = 4, 3, 2
    inputs_spec = ("X", "H", "C", "W", "R", "B")
    attrs = _recurrent_attrs(["sigmoid", "tanh", "tanh"])

    @staticmethod
    def compute(x, h, c, w, r, b, out=None, *, activations, clip, **_):
        return lstm_step(x, h, c, w, r, b, activations, clip)


# --- sequences --------------------------------------------------------------------------------
def _sequence(step, x, states, lengths, weights, direction):
    """Runs each direction: ``states`` ``[batch, dirs, hidden]``, ``weights`` ``[dirs, ...]``;
    returns ``Y [batch, dirs, seq, hidden]`` and the final states."""
    passes = ["forward", "reverse"] if direction == "bidirectional" else [direction]
    ys, finals = [], []
    for d, name in enumerate(passes):
        chosen = [w[d] for w in weights]
        y, final = _run_sequence(lambda x_t, *s, chosen=chosen: step(x_t, *s, *chosen),
                                 x, tuple(s[:, d] for s in states), lengths, name == "reverse")
        ys.append(y)
        finals.append(final)
    y = np.stack(ys, axis=1)
    return (y,) + tuple(np.stack([f[k] for f in finals], axis=1) for k in range(len(states)))


@register_op
class RNNSequence(_Recurrent):
    """RNNSequence-5: RNNCell over a sequence; outputs Y and H."""

    type_name = "RNNSequence"
    version = "opset5"
    sequence = True
    inputs_spec = ("X", "H", "sequence_lengths", "W", "R", "B")
    attrs = _recurrent_attrs(["tanh"], sequence=True)

    @staticmethod
    def compute(x, h, lengths, w, r, b, out=None, *, direction, activations, clip, **_):
        return _sequence(lambda x_t, h_t, w_d, r_d, b_d: rnn_step(x_t, h_t, w_d, r_d, b_d,
                                                                  activations, clip),
                         x, (h,), lengths, (w, r, b), direction)


@register_op
class GRUSequence(_Recurrent):
    """GRUSequence-5: GRUCell over a sequence; outputs Y and H."""

    type_name = "GRUSequence"
    version = "opset5"
    sequence = True
    gates, n_activations = 3, 2
    inputs_spec = ("X", "H", "sequence_lengths", "W", "R", "B")
    attrs = _recurrent_attrs(["sigmoid", "tanh"], sequence=True, gru=True)

    @staticmethod
    def compute(x, h, lengths, w, r, b, out=None, *, direction, activations, clip,
                linear_before_reset, **_):
        return _sequence(lambda x_t, h_t, w_d, r_d, b_d: gru_step(
            x_t, h_t, w_d, r_d, b_d, activations, clip, linear_before_reset),
            x, (h,), lengths, (w, r, b), direction)


@register_op
class LSTMSequence(_Recurrent):
    """LSTMSequence-5: LSTMCell over a sequence; outputs Y, H and C."""

    type_name = "LSTMSequence"
    version = "opset5"
    sequence = True
    gates, n_activations, states = 4, 3, 2
    inputs_spec = ("X", "H", "C", "sequence_lengths", "W", "R", "B")
    attrs = _recurrent_attrs(["sigmoid", "tanh", "tanh"], sequence=True)

    @staticmethod
    def compute(x, h, c, lengths, w, r, b, out=None, *, direction, activations, clip, **_):
        return _sequence(lambda x_t, h_t, c_t, w_d, r_d, b_d: lstm_step(
            x_t, h_t, c_t, w_d, r_d, b_d, activations, clip),
            x, (h, c), lengths, (w, r, b), direction)
