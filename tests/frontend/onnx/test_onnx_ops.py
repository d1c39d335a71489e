"""ONNX translators, one graph per op and attribute variant, compared with onnxruntime."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import ov_notebook as ov  # noqa: E402

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def _model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _info(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def _check(model, feeds, rtol=1e-5, atol=1e-5):
    ours = ov.compile_model(ov.convert_model(model))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    got = ours(list(feeds.values()))
    for index, reference in enumerate(expected):
        value = got[index]
        assert value.shape == reference.shape, (index, value.shape, reference.shape)
        assert value.dtype == reference.dtype, (index, value.dtype, reference.dtype)
        if reference.dtype.kind == "f":
            np.testing.assert_allclose(value, reference, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(value, reference)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


UNARY = ["Abs", "Neg", "Floor", "Ceil", "Exp", "Erf", "Sin", "Cos", "Tanh", "Relu", "Sigmoid",
         "Sign", "Softplus", "Softsign", "HardSwish", "Reciprocal", "Atan"]


@pytest.mark.parametrize("op_type", UNARY)
def test_unary(op_type):
    model = _model([helper.make_node(op_type, ["x"], ["y"])], [_info("x", F, [2, 5])],
                   [_info("y", F, [2, 5])])
    _check(model, {"x": _x(2, 5)})


@pytest.mark.parametrize("op_type", ["Sqrt", "Log"])
def test_unary_positive(op_type):
    model = _model([helper.make_node(op_type, ["x"], ["y"])], [_info("x", F, [3, 4])],
                   [_info("y", F, [3, 4])])
    _check(model, {"x": np.abs(_x(3, 4)) + 0.1})


@pytest.mark.parametrize("op_type", ["Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean"])
def test_binary_broadcast(op_type):
    model = _model([helper.make_node(op_type, ["a", "b"], ["y"])],
                   [_info("a", F, [2, 3, 4]), _info("b", F, [3, 1])], [_info("y", F, [2, 3, 4])])
    _check(model, {"a": _x(2, 3, 4), "b": _x(3, 1, seed=1) + 3.0})


@pytest.mark.parametrize("fmod", [0, 1])
def test_mod_integers(fmod):
    model = _model([helper.make_node("Mod", ["a", "b"], ["y"], fmod=fmod)],
                   [_info("a", I64, [6]), _info("b", I64, [6])], [_info("y", I64, [6])])
    _check(model, {"a": np.array([-7, 7, -7, 7, 5, -5]), "b": np.array([3, -3, -3, 3, 2, 2])})


def test_integer_div_truncates():
    model = _model([helper.make_node("Div", ["a", "b"], ["y"])],
                   [_info("a", I64, [4]), _info("b", I64, [4])], [_info("y", I64, [4])])
    _check(model, {"a": np.array([-7, 7, -8, 9]), "b": np.array([2, -2, 3, 4])})


@pytest.mark.parametrize("op_type", ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"])
def test_comparisons(op_type):
    model = _model([helper.make_node(op_type, ["a", "b"], ["y"])],
                   [_info("a", F, [4, 3]), _info("b", F, [3])], [_info("y", TensorProto.BOOL, [4, 3])])
    a = np.round(_x(4, 3))
    _check(model, {"a": a, "b": a[1]})


def test_where_cast_and_clip():
    nodes = [helper.make_node("Greater", ["x", "zero"], ["mask"]),
             helper.make_node("Where", ["mask", "x", "zero"], ["relu"]),
             helper.make_node("Clip", ["relu", "", "six"], ["clipped"]),
             helper.make_node("Cast", ["clipped"], ["y"], to=TensorProto.INT32)]
    inits = [numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(np.array(1.5, np.float32), "six")]
    model = _model(nodes, [_info("x", F, [3, 4])], [_info("y", TensorProto.INT32, [3, 4])], inits)
    _check(model, {"x": _x(3, 4) * 2})


@pytest.mark.parametrize("op_type,attrs", [("LeakyRelu", {"alpha": 0.2}), ("Elu", {"alpha": 0.7}),
                                           ("Selu", {}), ("HardSigmoid", {"alpha": 0.3}),
                                           ("Gelu", {}), ("Gelu", {"approximate": "tanh"})])
def test_activations(op_type, attrs):
    opset = 20 if op_type == "Gelu" else 17
    model = _model([helper.make_node(op_type, ["x"], ["y"], **attrs)], [_info("x", F, [2, 6])],
                   [_info("y", F, [2, 6])], opset=opset)
    _check(model, {"x": _x(2, 6)})


def test_pow_with_integer_exponent():
    model = _model([helper.make_node("Pow", ["x", "e"], ["y"])], [_info("x", F, [5])],
                   [_info("y", F, [5])], [numpy_helper.from_array(np.array(2, np.int64), "e")])
    _check(model, {"x": _x(5)})
