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
         "Sign", "Softplus", "Softsign", "HardSwish", "Reciprocal", "Atan", "Asinh"]


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


@pytest.mark.parametrize("op_type, low, high", [("Acosh", 1.0, 20.0), ("Atanh", -0.99, 0.99),
                                                ("Asin", -1.0, 1.0), ("Acos", -1.0, 1.0)])
def test_unary_in_domain(op_type, low, high):
    model = _model([helper.make_node(op_type, ["x"], ["y"])], [_info("x", F, [3, 4])],
                   [_info("y", F, [3, 4])])
    _check(model, {"x": np.random.default_rng(0).uniform(low, high, (3, 4)).astype(np.float32)})


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


# --- nn ---------------------------------------------------------------------------------------
def _init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


@pytest.mark.parametrize("attrs", [{}, {"pads": [1, 1, 1, 1]}, {"strides": [2, 2], "pads": [1, 0, 1, 0]},
                                   {"group": 2}, {"dilations": [2, 2]}, {"auto_pad": "SAME_UPPER"},
                                   {"group": 4, "pads": [1, 1, 1, 1]}])
def test_conv(attrs):
    group = attrs.get("group", 1)
    weight = _x(6 if group != 4 else 4, 4 // group, 3, 3, seed=2)
    model = _model([helper.make_node("Conv", ["x", "w", "b"], ["y"], **attrs)],
                   [_info("x", F, [1, 4, 9, 9])], [_info("y", F, None or [1, weight.shape[0], None, None])],
                   [_init("w", weight), _init("b", _x(weight.shape[0], seed=3))])
    _check(model, {"x": _x(1, 4, 9, 9)}, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("attrs", [{}, {"strides": [2, 2]}, {"strides": [2, 2], "output_padding": [1, 1]},
                                   {"pads": [1, 1, 1, 1], "strides": [2, 2]}, {"group": 2}])
def test_conv_transpose(attrs):
    group = attrs.get("group", 1)
    model = _model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], **attrs)],
                   [_info("x", F, [1, 4, 5, 5])], [_info("y", F, [1, None, None, None])],
                   [_init("w", _x(4, 6 // group, 3, 3, seed=2))])
    _check(model, {"x": _x(1, 4, 5, 5)}, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("op_type,attrs", [
    ("MaxPool", {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("MaxPool", {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1}),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1}),
    ("AveragePool", {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("AveragePool", {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1}),
    ("GlobalAveragePool", {}), ("GlobalMaxPool", {}),
])
def test_pooling(op_type, attrs):
    model = _model([helper.make_node(op_type, ["x"], ["y"], **attrs)], [_info("x", F, [2, 3, 7, 7])],
                   [_info("y", F, [2, 3, None, None])])
    _check(model, {"x": _x(2, 3, 7, 7)})


def test_batch_and_instance_and_layer_norm():
    nodes = [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["bn"], epsilon=1e-3),
             helper.make_node("InstanceNormalization", ["bn", "s", "b"], ["inorm"]),
             helper.make_node("LayerNormalization", ["inorm", "ls", "lb"], ["y"], axis=-1)]
    inits = [_init("s", _x(3, seed=1)), _init("b", _x(3, seed=2)), _init("m", _x(3, seed=3)),
             _init("v", np.abs(_x(3, seed=4)) + 0.5), _init("ls", _x(5, seed=5)),
             _init("lb", _x(5, seed=6))]
    model = _model(nodes, [_info("x", F, [2, 3, 4, 5])], [_info("y", F, [2, 3, 4, 5])], inits)
    _check(model, {"x": _x(2, 3, 4, 5)}, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("attrs,a_shape,b_shape", [
    ({}, [3, 4], [4, 5]),
    ({"transA": 1}, [4, 3], [4, 5]),
    ({"transB": 1, "alpha": 0.5, "beta": 2.0}, [3, 4], [5, 4]),
])
def test_gemm(attrs, a_shape, b_shape):
    model = _model([helper.make_node("Gemm", ["a", "b", "c"], ["y"], **attrs)],
                   [_info("a", F, a_shape)], [_info("y", F, [3, 5])],
                   [_init("b", _x(*b_shape, seed=1)), _init("c", _x(5, seed=2))])
    _check(model, {"a": _x(*a_shape)})


@pytest.mark.parametrize("opset,axis", [(11, 1), (11, 2), (11, -1), (13, 1), (13, -1)])
@pytest.mark.parametrize("op_type", ["Softmax", "LogSoftmax"])
def test_softmax_versions(op_type, opset, axis):
    model = _model([helper.make_node(op_type, ["x"], ["y"], axis=axis)], [_info("x", F, [2, 3, 4])],
                   [_info("y", F, [2, 3, 4])], opset=opset)
    _check(model, {"x": _x(2, 3, 4)})


def test_matmul_einsum_flatten():
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Einsum", ["m", "m"], ["e"], equation="bij,bkj->bik"),
             helper.make_node("Flatten", ["e"], ["y"], axis=1)]
    model = _model(nodes, [_info("x", F, [2, 3, 4])], [_info("y", F, [2, 9])],
                   [_init("w", _x(4, 5, seed=1))])
    _check(model, {"x": _x(2, 3, 4)}, rtol=1e-4, atol=1e-4)


# --- shape ops ----------------------------------------------------------------------------------
@pytest.mark.parametrize("opset", [11, 13])
def test_squeeze_unsqueeze_versions(opset):
    if opset < 13:
        nodes = [helper.make_node("Unsqueeze", ["x"], ["u"], axes=[0, 3]),
                 helper.make_node("Squeeze", ["u"], ["y"], axes=[0])]
        inits = []
    else:
        nodes = [helper.make_node("Unsqueeze", ["x", "ua"], ["u"]),
                 helper.make_node("Squeeze", ["u", "sa"], ["y"])]
        inits = [_init("ua", np.array([0, 3])), _init("sa", np.array([0]))]
    model = _model(nodes, [_info("x", F, [2, 3, 4])], [_info("y", F, [2, 3, 1, 4])], inits, opset)
    _check(model, {"x": _x(2, 3, 4)})


@pytest.mark.parametrize("opset", [11, 13, 18])
def test_split_versions(opset):
    if opset < 13:
        node = helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3])
        inits = []
    elif opset < 18:
        node = helper.make_node("Split", ["x", "s"], ["a", "b"], axis=1)
        inits = [_init("s", np.array([1, 3]))]
    else:
        node = helper.make_node("Split", ["x"], ["a", "b"], axis=1, num_outputs=2)
        inits = []
    second = 3 if opset < 18 else 2
    model = _model([node], [_info("x", F, [2, 4])],
                   [_info("a", F, [2, 4 - second]), _info("b", F, [2, second])], inits, opset)
    _check(model, {"x": _x(2, 4)})


def test_shape_subgraph_reshape_expand_concat():
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
             helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"]),
             helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["flat"]),
             helper.make_node("Expand", ["one", "s"], ["ones"]),
             helper.make_node("Transpose", ["ones"], ["t"], perm=[0, 2, 1]),
             helper.make_node("Slice", ["t", "st", "en", "ax"], ["sl"]),
             helper.make_node("ReduceSum", ["sl", "rax"], ["r"], keepdims=0),
             helper.make_node("Unsqueeze", ["r", "ax"], ["r1"]),
             helper.make_node("Add", ["flat", "r1"], ["y"])]
    inits = [_init("zero", np.array(0)), _init("axes0", np.array([0])),
             _init("minus1", np.array([-1])), _init("one", np.ones((1, 1, 1), np.float32)),
             _init("st", np.array([1])), _init("en", np.array([3])), _init("ax", np.array([1])),
             _init("rax", np.array([1, 2]))]
    model = _model(nodes, [_info("x", F, ["N", 3, 4])], [_info("y", F, ["N", 12])], inits)
    _check(model, {"x": _x(2, 3, 4)})


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_pad(mode):
    model = _model([helper.make_node("Pad", ["x", "p", "v"], ["y"], mode=mode)],
                   [_info("x", F, [2, 3, 4])], [_info("y", F, [2, 5, 7])],
                   [_init("p", np.array([0, 1, 1, 0, 1, 2])), _init("v", np.array(1.5, np.float32))])
    _check(model, {"x": _x(2, 3, 4)})


def test_gather_scatter_where_topk_cumsum():
    nodes = [helper.make_node("Gather", ["x", "idx"], ["g"], axis=1),
             helper.make_node("GatherElements", ["x", "ge"], ["gel"], axis=1),
             helper.make_node("ScatterElements", ["x", "ge", "upd"], ["sc"], axis=1),
             helper.make_node("TopK", ["x", "k"], ["vals", "inds"], axis=1),
             helper.make_node("CumSum", ["x", "axis"], ["cs"], reverse=1),
             helper.make_node("ArgMax", ["x"], ["am"], axis=1, keepdims=0)]
    inits = [_init("idx", np.array([[0, 2], [1, 1]])), _init("ge", np.array([[0, 1, 2, 0]] * 3)),
             _init("upd", _x(3, 4, seed=3)), _init("k", np.array([2])), _init("axis", np.array(1))]
    outputs = [_info("g", F, [3, 2, 2]), _info("gel", F, [3, 4]), _info("sc", F, [3, 4]),
               _info("vals", F, [3, 2]), _info("inds", I64, [3, 2]), _info("cs", F, [3, 4]),
               _info("am", I64, [3])]
    model = _model(nodes, [_info("x", F, [3, 4])], outputs, inits)
    _check(model, {"x": _x(3, 4)})


@pytest.mark.parametrize("op_type", ["ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                                     "ReduceL2", "ReduceL1", "ReduceSumSquare", "ReduceLogSumExp"])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_reductions_attribute_axes(op_type, keepdims):
    model = _model([helper.make_node(op_type, ["x"], ["y"], axes=[1, -1], keepdims=keepdims)],
                   [_info("x", F, [2, 3, 4])], [_info("y", F, None or ([2, 1, 1] if keepdims else [2]))],
                   opset=17)
    _check(model, {"x": _x(2, 3, 4)})


@pytest.mark.parametrize("mode,transform", [("nearest", "asymmetric"), ("nearest", "half_pixel"),
                                            ("linear", "half_pixel"), ("linear", "align_corners"),
                                            ("linear", "pytorch_half_pixel"), ("cubic", "half_pixel")])
def test_resize(mode, transform):
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode=mode,
                            coordinate_transformation_mode=transform,
                            nearest_mode="floor" if mode == "nearest" else "round_prefer_floor")
    model = _model([node], [_info("x", F, [1, 2, 4, 5])], [_info("y", F, [1, 2, 8, 10])],
                   [_init("scales", np.array([1, 1, 2, 2], np.float32))])
    _check(model, {"x": _x(1, 2, 4, 5)}, rtol=1e-4, atol=1e-5)


def test_resize_sizes_and_constant_of_shape_range_trilu():
    nodes = [helper.make_node("Resize", ["x", "", "", "sizes"], ["r"], mode="linear"),
             helper.make_node("ConstantOfShape", ["cs"], ["c"],
                              value=helper.make_tensor("v", F, [1], [2.5])),
             helper.make_node("Range", ["start", "limit", "delta"], ["rg"]),
             helper.make_node("Trilu", ["sq"], ["tl"], upper=0)]
    inits = [_init("sizes", np.array([1, 2, 3, 7])), _init("cs", np.array([2, 3])),
             _init("start", np.array(1)), _init("limit", np.array(10)), _init("delta", np.array(3)),
             _init("sq", _x(4, 4, seed=5))]
    outputs = [_info("r", F, [1, 2, 3, 7]), _info("c", F, [2, 3]), _info("rg", I64, [3]),
               _info("tl", F, [4, 4])]
    model = _model(nodes, [_info("x", F, [1, 2, 4, 5])], outputs, inits)
    _check(model, {"x": _x(1, 2, 4, 5)}, rtol=1e-4, atol=1e-5)
