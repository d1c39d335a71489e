"""Builders for the recurrent cells and sequences (RNNCell-1, GRUCell-3, LSTMCell-4 and the
opset5 sequences), with openvino.opset13's signatures."""
from __future__ import annotations

from ..ir.ops import recurrent as spec
from ._base import as_node, builder


def _activations(activations, activations_alpha, activations_beta):
    out = {}
    if activations is not None:
        out["activations"] = list(activations)
    out["activations_alpha"] = [] if activations_alpha is None else list(activations_alpha)
    out["activations_beta"] = [] if activations_beta is None else list(activations_beta)
    return out


def _nodes(**values):
    return [as_node(value, name) for name, value in values.items()]


@builder
def rnn_cell(X, initial_hidden_state, W, R, B, hidden_size, activations, activations_alpha,
             activations_beta, clip=0.0, name=None) -> spec.RNNCell:
    """RNNCell-1: ``H = f(X W^T + H R^T + B)``; ``W [hidden, input]``, ``R [hidden, hidden]``,
    ``B [hidden]``."""
    return spec.RNNCell(*_nodes(X=X, initial_hidden_state=initial_hidden_state, W=W, R=R, B=B),
                        hidden_size=hidden_size, clip=clip, name=name,
                        **_activations(activations, activations_alpha, activations_beta))


@builder
def gru_cell(X, initial_hidden_state, W, R, B, hidden_size, activations=None,
             activations_alpha=None, activations_beta=None, clip=0.0, linear_before_reset=False,
             name=None) -> spec.GRUCell:
    """GRUCell-3: gates z, r, h; ``W [3*hidden, input]``, ``R [3*hidden, hidden]``, ``B [3*hidden]``
    (``[4*hidden]`` with ``linear_before_reset``)."""
    return spec.GRUCell(*_nodes(X=X, initial_hidden_state=initial_hidden_state, W=W, R=R, B=B),
                        hidden_size=hidden_size, clip=clip,
                        linear_before_reset=linear_before_reset, name=name,
                        **_activations(activations, activations_alpha, activations_beta))


@builder
def lstm_cell(X, initial_hidden_state, initial_cell_state, W, R, B, hidden_size,
              activations=None, activations_alpha=None, activations_beta=None, clip=0.0,
              name=None) -> spec.LSTMCell:
    """LSTMCell-4: gates f, i, c, o; ``W [4*hidden, input]``, ``R [4*hidden, hidden]``,
    ``B [4*hidden]``; outputs H and C."""
    return spec.LSTMCell(*_nodes(X=X, initial_hidden_state=initial_hidden_state,
                                 initial_cell_state=initial_cell_state, W=W, R=R, B=B),
                         hidden_size=hidden_size, clip=clip, name=name,
                         **_activations(activations, activations_alpha, activations_beta))


@builder
def rnn_sequence(X, initial_hidden_state, sequence_lengths, W, R, B, hidden_size, direction,
                 activations=None, activations_alpha=None, activations_beta=None, clip=0.0,
                 name=None) -> spec.RNNSequence:
    """RNNSequence-5: ``X [batch, seq, input]``, states ``[batch, directions, hidden]``; outputs
    Y ``[batch, directions, seq, hidden]`` and H."""
    return spec.RNNSequence(*_nodes(X=X, initial_hidden_state=initial_hidden_state,
                                    sequence_lengths=sequence_lengths, W=W, R=R, B=B),
                            hidden_size=hidden_size, direction=direction, clip=clip, name=name,
                            **_activations(activations, activations_alpha, activations_beta))


@builder
def gru_sequence(X, initial_hidden_state, sequence_lengths, W, R, B, hidden_size, direction,
                 activations=None, activations_alpha=None, activations_beta=None, clip=0.0,
                 linear_before_reset=False, name=None) -> spec.GRUSequence:
    """GRUSequence-5: GRUCell over a sequence; outputs Y and H."""
    return spec.GRUSequence(*_nodes(X=X, initial_hidden_state=initial_hidden_state,
                                    sequence_lengths=sequence_lengths, W=W, R=R, B=B),
                            hidden_size=hidden_size, direction=direction, clip=clip,
                            linear_before_reset=linear_before_reset, name=name,
                            **_activations(activations, activations_alpha, activations_beta))


@builder
def lstm_sequence(X, initial_hidden_state, initial_cell_state, sequence_lengths, W, R, B,
                  hidden_size, direction, activations=None, activations_alpha=None,
                  activations_beta=None, clip=0.0, name=None) -> spec.LSTMSequence:
    """LSTMSequence-5: LSTMCell over a sequence; outputs Y, H and C."""
    return spec.LSTMSequence(*_nodes(X=X, initial_hidden_state=initial_hidden_state,
                                     initial_cell_state=initial_cell_state,
                                     sequence_lengths=sequence_lengths, W=W, R=R, B=B),
                             hidden_size=hidden_size, direction=direction, clip=clip, name=name,
                             **_activations(activations, activations_alpha, activations_beta))
