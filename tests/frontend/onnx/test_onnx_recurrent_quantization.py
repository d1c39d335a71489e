"""ONNX LSTM/GRU/RNN and QuantizeLinear/DequantizeLinear against onnxruntime (and, for the
batch-major ``layout=1`` that onnxruntime refuses, against onnx's reference evaluator)."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import ov_notebook as ov  # noqa: E402

F = TensorProto.FLOAT
T, B, IN, H = 5, 3, 4, 6  # steps, batch, input size, hidden size
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def _model(nodes, inputs, outputs, initializers, opset):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _reference(model, feeds, batch_major=False):
    if batch_major:
        from onnx.reference import ReferenceEvaluator

        return ReferenceEvaluator(model).run(None, feeds)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _check(model, feeds, batch_major=False, atol=1e-5):
    expected = _reference(model, feeds, batch_major)
    got = ov.compile_model(ov.convert_model(model))(list(feeds.values()))
    for index, reference in enumerate(expected):
        assert got[index].dtype == reference.dtype and got[index].shape == reference.shape
        np.testing.assert_allclose(got[index], reference, atol=atol, rtol=1e-5)


def _recurrent(kind, direction="forward", layout=0, states=True, lengths=None, **attributes):
    directions = 2 if direction == "bidirectional" else 1
    gates = GATES[kind]
    rng = np.random.default_rng(0)

    def weight(*shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.5).astype(np.float32))

    initializers = [weight(directions, gates * H, IN), weight(directions, gates * H, H),
                    weight(directions, 2 * gates * H)]
    for tensor, name in zip(initializers, "WRB"):
        tensor.name = name
    x_shape = [B, T, IN] if layout else [T, B, IN]
    state_shape = [B, directions, H] if layout else [directions, B, H]
    inputs = ["x", "W", "R", "B", ""]
    graph_inputs = [helper.make_tensor_value_info("x", F, x_shape)]
    feeds = {"x": rng.standard_normal(x_shape).astype(np.float32)}
    if lengths is not None:
        initializers.append(numpy_helper.from_array(np.asarray(lengths, np.int32), "lengths"))
        inputs[4] = "lengths"
    for name in (["h0", "c0"] if kind == "LSTM" else ["h0"]) if states else []:
        inputs.append(name)
        graph_inputs.append(helper.make_tensor_value_info(name, F, state_shape))
        feeds[name] = rng.standard_normal(state_shape).astype(np.float32)
    outputs = ["y", "y_h"] + (["y_c"] if kind == "LSTM" else [])
    y_shape = [B, T, directions, H] if layout else [T, directions, B, H]
    node = helper.make_node(kind, inputs, outputs, hidden_size=H, direction=direction,
                            layout=layout, **attributes)
    graph_outputs = [helper.make_tensor_value_info(o, F, y_shape if o == "y" else state_shape)
                     for o in outputs]
    return _model([node], graph_inputs, graph_outputs, initializers, 14), feeds


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
@pytest.mark.parametrize("states, lengths", [(True, None), (False, [5, 2, 3])],
                         ids=["states", "lengths"])
def test_recurrent_sequence_major(kind, direction, states, lengths):
    _check(*_recurrent(kind, direction, states=states, lengths=lengths))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("direction", ["forward", "bidirectional"])
def test_recurrent_batch_major(kind, direction):
    _check(*_recurrent(kind, direction, layout=1), batch_major=True)


def test_gru_linear_before_reset_and_lstm_clip_activations():
    _check(*_recurrent("GRU", "bidirectional", linear_before_reset=1))
    _check(*_recurrent("LSTM", clip=0.5, activations=["Sigmoid", "Relu", "Tanh"]))


def test_unsupported_recurrent_attributes_are_named():
    model, _ = _recurrent("LSTM", input_forget=1)
    with pytest.raises(ov.ConversionError, match="input_forget"):
        ov.convert_model(model)
    model, _ = _recurrent("RNN", activations=["Affine"], activation_alpha=[0.5])
    with pytest.raises(ov.ConversionError, match="Sigmoid, Tanh or Relu"):
        ov.convert_model(model)


def _quantize_model(scale, zero_point, axis=None, dequantize=True):
    initializers = [numpy_helper.from_array(np.asarray(scale, np.float32), "s")]
    names = ["x", "s"]
    if zero_point is not None:
        initializers.append(numpy_helper.from_array(zero_point, "z"))
        names.append("z")
    kwargs = {} if axis is None else {"axis": axis}
    nodes = [helper.make_node("QuantizeLinear", names, ["q"], **kwargs)]
    q_type = TensorProto.UINT8 if zero_point is None else \
        helper.np_dtype_to_tensor_dtype(zero_point.dtype)
    outputs = [helper.make_tensor_value_info("q", q_type, [2, 3, 4])]
    if dequantize:
        nodes.append(helper.make_node("DequantizeLinear", ["q"] + names[1:], ["y"], **kwargs))
        outputs.append(helper.make_tensor_value_info("y", F, [2, 3, 4]))
    return _model(nodes, [helper.make_tensor_value_info("x", F, [2, 3, 4])], outputs,
                  initializers, 13)


@pytest.mark.parametrize("scale, zero_point, axis", [
    (0.05, np.array(128, np.uint8), None),
    (0.05, np.array(-3, np.int8), None),
    ([0.05, 0.1, 0.02], np.array([0, 5, -4], np.int8), 1),
    ([0.3, 0.1, 0.2, 0.4], np.array([1, 2, 3, 250], np.uint8), -1),
    (0.05, None, None),
])
def test_quantize_dequantize_linear(scale, zero_point, axis):
    x = (np.random.default_rng(0).standard_normal((2, 3, 4)) * 5).astype(np.float32)
    _check(_quantize_model(scale, zero_point, axis), {"x": x}, atol=0)
