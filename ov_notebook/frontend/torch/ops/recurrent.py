"""Recurrent layers: aten::lstm, aten::gru, aten::rnn_tanh, aten::rnn_relu -> one LSTMSequence-5 /
GRUSequence-5 / RNNSequence-5 per layer (both directions in one op when bidirectional).

torch's gate order becomes OpenVINO's (LSTM i,f,g,o -> f,i,c,o; GRU r,z,n -> z,r,h), the input
and hidden biases are summed per gate (GRU keeps the hidden bias of its n gate apart:
torch's GRU is OpenVINO's ``linear_before_reset``), and the sequence/batch axes are moved to
OpenVINO's batch-first layout and back. Weights are graph values: as module parameters they are
Constants, so the reordering folds away at compile time.
"""
from __future__ import annotations

from .... import opset as ops
from ..registry import translator
from ._common import i64, out

# torch's gate blocks, in the order OpenVINO wants them
_ORDER = {"lstm": [1, 0, 2, 3], "gru": [1, 0, 2], "rnn": [0]}


def _reorder(value, kind, axis=0):
    """The gate blocks of a torch weight or bias along ``axis`` in OpenVINO's order."""
    order = _ORDER[kind]
    if len(order) == 1:
        return value
    pieces = ops.split(value, i64(axis), len(order)).outputs()
    return out(ops.concat([pieces[i] for i in order], axis))


def _bias(kind, b_ih, b_hh):
    if kind != "gru":
        return out(ops.add(_reorder(b_ih, kind), _reorder(b_hh, kind)))
    # z and r: summed; n: the input bias, then the hidden bias (applied inside the reset)
    ih = ops.split(b_ih, i64(0), 3).outputs()
    hh = ops.split(b_hh, i64(0), 3).outputs()
    return out(ops.concat([ops.add(ih[1], hh[1]), ops.add(ih[0], hh[0]), ih[2], hh[2]], 0))


def _zeros_bias(kind, like_weight):
    """A zero bias for ``has_biases=False``: as many rows as the weight (plus the GRU's 4th)."""
    rows = ops.gather(ops.shape_of(like_weight), i64([0]), i64(0))
    if kind == "gru":
        rows = ops.divide(ops.multiply(rows, i64([4])), i64([3]))
    zero = ops.convert_like(i64(0), like_weight)
    return out(ops.broadcast(zero, rows))


def _layer_weights(ctx, kind, params, has_biases, layer, directions):
    """W, R, B of one layer, each with the leading directions axis."""
    per = 4 if has_biases else 2
    ws, rs, bs = [], [], []
    for direction in range(directions):
        group = params[(layer * directions + direction) * per:][:per]
        w_ih, w_hh = group[0], group[1]
        ws.append(ops.unsqueeze(_reorder(w_ih, kind), i64([0])))
        rs.append(ops.unsqueeze(_reorder(w_hh, kind), i64([0])))
        bias = _bias(kind, group[2], group[3]) if has_biases else _zeros_bias(kind, w_ih)
        bs.append(ops.unsqueeze(bias, i64([0])))

    def joined(values):
        return out(values[0]) if len(values) == 1 else out(ops.concat(values, 0))

    return joined(ws), joined(rs), joined(bs)


def _state(value, layer, directions):
    """``[layers * directions, batch, hidden]`` -> this layer's ``[batch, directions, hidden]``."""
    start = layer * directions
    piece = ops.slice(value, i64([start]), i64([start + directions]), i64([1]), i64([0]))
    return out(ops.transpose(piece, i64([1, 0, 2])))


def _recurrent(ctx, kind, activation, x, states, params, has_biases, layers, bidirectional,
               batch_first):
    directions = 2 if bidirectional else 1
    per = 4 if has_biases else 2
    if len(params) != layers * directions * per:
        ctx.fail(f"expected {layers * directions * per} weight tensors for {layers} layer(s), "
                 f"{directions} direction(s) and has_biases={has_biases}, got {len(params)} "
                 "(LSTM projections, proj_size > 0, are not supported)")
    hidden = params[1].get_partial_shape()  # w_hh: [gates * hidden, hidden]
    if not hidden.rank_is_static or len(hidden) != 2 or not hidden[1].is_static:
        ctx.fail(f"the hidden-to-hidden weight must have a known [gates * hidden, hidden] shape, "
                 f"got {hidden}")
    hidden_size = hidden[1].get_length()
    value = x if batch_first else out(ops.transpose(x, i64([1, 0, 2])))  # [batch, seq, input]
    finals = [[] for _ in states]
    for layer in range(layers):
        w, r, b = _layer_weights(ctx, kind, params, has_biases, layer, directions)
        shape = ops.shape_of(value)
        lengths = ops.broadcast(ops.gather(shape, i64([1]), i64(0)),
                                ops.gather(shape, i64([0]), i64(0)))
        layer_states = [_state(s, layer, directions) for s in states]
        direction = "bidirectional" if bidirectional else "forward"
        if kind == "lstm":
            node = ops.lstm_sequence(value, *layer_states, lengths, w, r, b, hidden_size,
                                     direction)
        elif kind == "gru":
            node = ops.gru_sequence(value, *layer_states, lengths, w, r, b, hidden_size,
                                    direction, linear_before_reset=True)
        else:
            node = ops.rnn_sequence(value, *layer_states, lengths, w, r, b, hidden_size,
                                    direction, [activation])
        # Y [batch, directions, seq, hidden] -> [batch, seq, directions * hidden]
        y = ops.transpose(node.output(0), i64([0, 2, 1, 3]))
        value = out(ops.reshape(y, i64([0, 0, -1]), True))
        for index in range(len(states)):
            finals[index].append(ops.transpose(node.output(1 + index), i64([1, 0, 2])))
    output = value if batch_first else out(ops.transpose(value, i64([1, 0, 2])))
    results = [output]
    for pieces in finals:
        results.append(out(pieces[0]) if len(pieces) == 1 else out(ops.concat(pieces, 0)))
    return results


@translator("aten.lstm.input", "aten::lstm")
def lstm(ctx):
    # aten::lstm.input(Tensor input, Tensor[] hx, Tensor[] params, bool has_biases,
    #   int num_layers, float dropout, bool train, bool bidirectional, bool batch_first)
    #   -> (Tensor, Tensor, Tensor)
    if not ctx.is_tensor(0) or ctx.num_args() != 9:
        ctx.fail("packed sequences (aten::lstm.data) are not supported; pass a padded tensor")
    states = ctx.input_list(1)
    if len(states) != 2:
        ctx.fail(f"an LSTM takes (h0, c0), got {len(states)} state tensors")
    return _recurrent(ctx, "lstm", None, ctx.input(0), states, ctx.input_list(2),
                      ctx.arg(3), ctx.arg(4), ctx.arg(7), ctx.arg(8))


def _gru_or_rnn(ctx, kind, activation):
    # aten::gru.input(Tensor input, Tensor hx, Tensor[] params, bool has_biases, int num_layers,
    #   float dropout, bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor)
    if ctx.num_args() != 9 or not ctx.is_tensor(1):
        ctx.fail("packed sequences (the .data overload) are not supported; pass a padded tensor")
    return _recurrent(ctx, kind, activation, ctx.input(0), [ctx.input(1)], ctx.input_list(2),
                      ctx.arg(3), ctx.arg(4), ctx.arg(7), ctx.arg(8))


@translator("aten.gru.input", "aten::gru")
def gru(ctx):
    return _gru_or_rnn(ctx, "gru", None)


@translator("aten.rnn_tanh.input", "aten::rnn_tanh")
def rnn_tanh(ctx):
    return _gru_or_rnn(ctx, "rnn", "tanh")


@translator("aten.rnn_relu.input", "aten::rnn_relu")
def rnn_relu(ctx):
    return _gru_or_rnn(ctx, "rnn", "relu")
