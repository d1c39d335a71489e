"""RNN/GRU/LSTM cells and sequences against OpenVINO: every direction, sequence lengths shorter
than the sequence (and zero), clip, activations, GRU's linear_before_reset; shape inference
with dynamic dimensions equal to OpenVINO's; bad weights refused."""
import numpy as np
import pytest

from ov_notebook import opset as ops
from ov_notebook.ir.errors import OpValidationError

from .opcheck import assert_same_inference, compare_with_openvino

GATES = {"rnn": 1, "gru": 3, "lstm": 4}
BATCH, STEPS, INPUT, HIDDEN = 3, 5, 4, 6


def weights(kind, directions=None, linear_before_reset=False, seed=0):
    rng = np.random.default_rng(seed)
    gates = GATES[kind]
    lead = () if directions is None else (directions,)
    bias_rows = (gates + 1 if linear_before_reset else gates) * HIDDEN

    def w(*shape):
        return (rng.standard_normal(lead + shape) * 0.5).astype(np.float32)

    return w(gates * HIDDEN, INPUT), w(gates * HIDDEN, HIDDEN), w(bias_rows)


def states(kind, shape, seed=1):
    rng = np.random.default_rng(seed)
    count = 2 if kind == "lstm" else 1
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(count)]


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
@pytest.mark.parametrize("lengths", [[5, 5, 5], [5, 2, 0], [1, 3, 4]], ids=["full", "short", "mixed"])
def test_sequences_match_openvino(kind, direction, lengths):
    directions = 2 if direction == "bidirectional" else 1
    w, r, b = weights(kind, directions)
    x = np.random.default_rng(2).standard_normal((BATCH, STEPS, INPUT)).astype(np.float32)
    initial = states(kind, (BATCH, directions, HIDDEN))
    seq = np.array(lengths, np.int32)

    def build(x, *state):
        builder = getattr(ops, f"{kind}_sequence")
        return builder(x, *state, seq, w, r, b, HIDDEN, direction)

    outputs = compare_with_openvino(build, [x, *initial], atol=1e-5)
    assert outputs[0].shape == (BATCH, directions, STEPS, HIDDEN)


@pytest.mark.parametrize("clip", [0.0, 0.7])
@pytest.mark.parametrize("activations", [None, ["relu", "sigmoid", "relu"]])
def test_lstm_cell_clip_and_activations(clip, activations):
    w, r, b = weights("lstm")
    x = np.random.default_rng(3).standard_normal((BATCH, INPUT)).astype(np.float32)
    h, c = states("lstm", (BATCH, HIDDEN))
    compare_with_openvino(lambda x, h, c: ops.lstm_cell(x, h, c, w, r, b, HIDDEN, activations,
                                                        clip=clip), [x, h, c])


@pytest.mark.parametrize("linear_before_reset", [False, True])
@pytest.mark.parametrize("clip", [0.0, 0.5])
def test_gru_cell(linear_before_reset, clip):
    w, r, b = weights("gru", linear_before_reset=linear_before_reset)
    x = np.random.default_rng(4).standard_normal((BATCH, INPUT)).astype(np.float32)
    (h,) = states("gru", (BATCH, HIDDEN))
    compare_with_openvino(lambda x, h: ops.gru_cell(x, h, w, r, b, HIDDEN, clip=clip,
                                                    linear_before_reset=linear_before_reset),
                          [x, h])


def test_gru_sequence_linear_before_reset():
    w, r, b = weights("gru", 2, linear_before_reset=True)
    x = np.random.default_rng(5).standard_normal((BATCH, STEPS, INPUT)).astype(np.float32)
    (h,) = states("gru", (BATCH, 2, HIDDEN))
    seq = np.array([5, 3, 1], np.int64)
    compare_with_openvino(lambda x, h: ops.gru_sequence(x, h, seq, w, r, b, HIDDEN,
                                                        "bidirectional",
                                                        linear_before_reset=True), [x, h])


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_rnn_cell(activation):
    w, r, b = weights("rnn")
    x = np.random.default_rng(6).standard_normal((BATCH, INPUT)).astype(np.float32)
    (h,) = states("rnn", (BATCH, HIDDEN))
    compare_with_openvino(lambda x, h: ops.rnn_cell(x, h, w, r, b, HIDDEN, [activation], [], [],
                                                    clip=1.5), [x, h])


@pytest.mark.parametrize("shapes", [
    ("[?,?,4]", "[?,1,6]", "[?,1,6]", "[?]"),
    ("[2,?,?]", "[?,?,6]", "[2,1,?]", "[...]"),
    ("[...]", "[...]", "[...]", "[...]"),
])
def test_lstm_sequence_inference_is_openvinos(shapes):
    w, r, b = weights("lstm", 1)
    types = [np.float32, np.float32, np.float32, np.int32]
    assert_same_inference(
        lambda opset, x, h, c, s: opset.lstm_sequence(x, h, c, s, w, r, b, HIDDEN, "forward"),
        *zip(shapes, types))


def test_gru_cell_inference_is_openvinos():
    w, r, b = weights("gru")
    assert_same_inference(lambda opset, x, h: opset.gru_cell(x, h, w, r, b, HIDDEN),
                          ("[?,4]", np.float32), ("[...]", np.float32))


def test_bad_weights_are_refused():
    w, r, b = weights("lstm")
    x = ops.parameter([BATCH, INPUT], np.float32)
    h = ops.parameter([BATCH, HIDDEN], np.float32)
    with pytest.raises(OpValidationError, match="W rows"):
        ops.lstm_cell(x, h, h, w[:-1], r, b, HIDDEN)
    with pytest.raises(OpValidationError, match="hidden size"):
        ops.lstm_cell(x, ops.parameter([BATCH, 5], np.float32), h, w, r, b, HIDDEN)
    with pytest.raises(OpValidationError, match="needs 3 activations"):
        ops.lstm_cell(x, h, h, w, r, b, HIDDEN, ["tanh"])
    with pytest.raises(ValueError, match="must be one of"):
        ops.lstm_cell(x, h, h, w, r, b, HIDDEN, ["tanh", "tanh", "swish"])
    w2, r2, b2 = weights("lstm", 1)
    xs = ops.parameter([BATCH, STEPS, INPUT], np.float32)
    hs = ops.parameter([BATCH, 1, HIDDEN], np.float32)
    with pytest.raises(OpValidationError, match="directions"):
        ops.lstm_sequence(xs, hs, hs, np.full(BATCH, STEPS, np.int32), w2, r2, b2, HIDDEN,
                          "bidirectional")
