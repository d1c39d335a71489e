"""Inputs at the edges of the number line and of shapes: results are right (as PyTorch computes
them, for models converted from PyTorch), or an error; never silently wrong.

- NaN propagates as torch propagates it (OpenVINO's CPU plugin drops NaN in Maximum, Relu, Clamp,
  ReduceMax and MaxPool - an artifact of its SIMD min/max - and ranks NaN arbitrarily in TopK).
- 0-size dimensions run through every kernel cheaply covered here and give the inferred shape.
- f16 models accumulate like OpenVINO does (in f32), checked against OpenVINO.
"""
from __future__ import annotations

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import assert_outputs_match, run_openvino, run_ours

torch = pytest.importorskip("torch")

NAN, INF = np.nan, np.inf
SPECIAL = np.array([1, NAN, -INF, INF, 0, -1], np.float32)
OTHER = np.array([NAN, 1, NAN, -INF, 0, 2], np.float32)


def unary(build, data, element_type=np.float32):
    x = ops.parameter(list(data.shape), element_type, name="x")
    return run_ours(ov.Model([build(x)], [x]), [data])


def binary(build, a, b):
    x, y = ops.parameter([6], np.float32, name="x"), ops.parameter([6], np.float32, name="y")
    return run_ours(ov.Model([build(x, y)], [x, y]), [a, b])[0]


def same(ours, reference):
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(reference))


T = torch.from_numpy
NAN_CASES = {
    "maximum": (lambda: binary(ops.maximum, SPECIAL, OTHER), lambda: torch.maximum(T(SPECIAL),
                                                                                   T(OTHER))),
    "minimum": (lambda: binary(ops.minimum, SPECIAL, OTHER), lambda: torch.minimum(T(SPECIAL),
                                                                                   T(OTHER))),
    "greater": (lambda: binary(ops.greater, SPECIAL, OTHER), lambda: T(SPECIAL) > T(OTHER)),
    "not_equal": (lambda: binary(ops.not_equal, SPECIAL, SPECIAL), lambda: T(SPECIAL) != T(SPECIAL)),
    "relu": (lambda: unary(ops.relu, SPECIAL)[0], lambda: torch.relu(T(SPECIAL))),
    "clamp": (lambda: unary(lambda x: ops.clamp(x, -0.5, 0.5), SPECIAL)[0],
              lambda: torch.clamp(T(SPECIAL), -0.5, 0.5)),
    "reduce_max": (lambda: unary(lambda x: ops.reduce_max(x, [0]), SPECIAL)[0],
                   lambda: torch.amax(T(SPECIAL), 0)),
    "max_pool": (lambda: unary(lambda x: ops.max_pool(x, [1], [1], [0], [0], [2]).output(0),
                               SPECIAL.reshape(1, 1, 6))[0],
                 lambda: torch.nn.functional.max_pool1d(T(SPECIAL).reshape(1, 1, 6), 2, 1)),
    "softmax": (lambda: unary(lambda x: ops.softmax(x, 0), SPECIAL)[0],
                lambda: torch.softmax(T(SPECIAL), 0)),
    "softmax of +inf": (lambda: unary(lambda x: ops.softmax(x, 0), np.array([INF, 1, 2],
                                                                            np.float32))[0],
                        lambda: torch.softmax(torch.tensor([INF, 1, 2]), 0)),
    "topk max": (lambda: unary(lambda x: ops.topk(x, 3, 0, "max", "value").output(0), SPECIAL)[0],
                 lambda: torch.topk(T(SPECIAL), 3).values),
    "topk min": (lambda: unary(lambda x: ops.topk(x, 3, 0, "min", "value").output(0), SPECIAL)[0],
                 lambda: torch.topk(T(SPECIAL), 3, largest=False).values),
    "topk argmax with NaN": (lambda: unary(lambda x: ops.topk(x, 1, 0, "max", "value").output(1),
                                           SPECIAL)[0].astype(np.int64),
                             lambda: torch.topk(T(SPECIAL), 1).indices),
}


@pytest.mark.parametrize("ours, reference", NAN_CASES.values(), ids=NAN_CASES.keys())
def test_nan_and_inf_as_torch(ours, reference):
    same(ours(), reference().numpy())


def test_topk_with_nan_on_a_long_axis_as_torch():
    data = np.random.default_rng(0).standard_normal(300).astype(np.float32)
    data[[7, 150, 299]] = NAN
    values = unary(lambda x: ops.topk(x, 5, 0, "max", "value").output(0), data)[0]
    same(values, torch.topk(T(data), 5).values.numpy())


E = [0, 3, 4, 4]  # an empty batch: every kernel must give the inferred (empty) shape
EMPTY = {
    "relu": lambda x: ops.relu(x),
    "add": lambda x: ops.add(x, x),
    "softmax": lambda x: ops.softmax(x, 1),
    "softmax over the empty axis": lambda x: ops.softmax(x, 0),
    "reduce_sum over the empty axis": lambda x: ops.reduce_sum(x, [0]),
    "reduce_mean over other axes": lambda x: ops.reduce_mean(x, [1, 2]),
    "matmul": lambda x: ops.matmul(x, ops.constant(np.ones((4, 5), np.float32)), False, False),
    "mvn": lambda x: ops.mvn(x, [2, 3], True, 1e-5, "inside_sqrt"),
    "batch_norm": lambda x: ops.batch_norm_inference(x, *[np.ones(3, np.float32)] * 4, 1e-5),
    "group_norm": lambda x: ops.group_normalization(x, np.ones(3, np.float32),
                                                    np.ones(3, np.float32), 3, 1e-5),
    "normalize_l2": lambda x: ops.normalize_l2(x, [1], 1e-6, "add"),
    "interpolate": lambda x: ops.interpolate(x, np.array([2.0, 2.0], np.float32), "linear",
                                             "scales", axes=[2, 3]),
    "transpose": lambda x: ops.transpose(x, [3, 2, 1, 0]),
    "reshape": lambda x: ops.reshape(x, [-1, 16], False),
    "concat": lambda x: ops.concat([x, x], 0),
    "split": lambda x: ops.split(x, 1, 3).output(2),
    "gather": lambda x: ops.gather(x, [0, 1], 1),
    "gather from the empty axis": lambda x: ops.gather(x, [0], 0),
    "topk": lambda x: ops.topk(x, 2, 1, "max", "value").output(0),
    "cumsum": lambda x: ops.cumsum(x, 0),
    "pad": lambda x: ops.pad(x, [1, 0, 0, 0], [0, 0, 0, 0], "constant"),
    "tile": lambda x: ops.tile(x, [2, 1, 1, 1]),
    "broadcast": lambda x: ops.broadcast(x, [2, 0, 3, 4, 4]),
    "space_to_depth": lambda x: ops.space_to_depth(x, "blocks_first", 2),
    "shuffle_channels": lambda x: ops.shuffle_channels(x, 1, 3),
    "roll": lambda x: ops.roll(x, [1], [0]),
    "slice": lambda x: ops.slice(x, [0], [2], [1], [1]),
    "select": lambda x: ops.select(ops.greater(x, 0.0), x, x),
    "convert": lambda x: ops.convert(x, "f16"),
    "attention": lambda x: ops.scaled_dot_product_attention(x, x, x),
    "einsum": lambda x: ops.einsum([x, x], "abcd,abcd->ab"),
    "prelu": lambda x: ops.prelu(x, ops.constant(np.ones(3, np.float32))),
    "non_zero": lambda x: ops.non_zero(x),
}


@pytest.mark.parametrize("build", EMPTY.values(), ids=EMPTY.keys())
def test_empty_tensors_give_the_inferred_shape(build):
    x = ops.parameter(E, np.float32, name="x")
    node = build(x)
    model = ov.Model([node], [x])
    result = run_ours(model, [np.zeros(E, np.float32)])[0]
    inferred = model.output(0).get_partial_shape()
    assert inferred.compatible(list(result.shape)), (inferred, result.shape)
    assert result.dtype == model.output(0).get_element_type().to_dtype()


F16 = {
    "reduce_sum of 4096": (lambda x: ops.reduce_sum(x, [0]), np.full(4096, 10, np.float16)),
    "reduce_mean of 4096": (lambda x: ops.reduce_mean(x, [0]), np.full(4096, 30, np.float16)),
    "cumsum of 4096": (lambda x: ops.cumsum(x, 0), np.full(4096, 1, np.float16)),
    "softmax": (lambda x: ops.softmax(x, 0), np.array([10, 11, 12, 9, 8, 1], np.float16)),
    "mvn": (lambda x: ops.mvn(x, [1], True, 1e-5, "inside_sqrt"),
            np.linspace(100, 200, 512).astype(np.float16).reshape(1, 512)),
    "reduce_l2": (lambda x: ops.reduce_l2(x, [1]), np.full((1, 512), 300, np.float16)),
    "normalize_l2": (lambda x: ops.normalize_l2(x, [1], 1e-6, "add"),
                     np.full((1, 512), 300, np.float16)),
}


@pytest.mark.parametrize("mode", ["erf", "tanh"])
def test_f16_gelu_tails_do_not_underflow(mode):
    pytest.importorskip("openvino")
    data = np.linspace(-6, 0, 49).astype(np.float16)  # gelu(-3.7) is -4e-4, 0 if computed in f16
    x = ops.parameter([49], np.float16, name="x")
    model = ov.Model([ops.gelu(x, mode)], [x])
    assert_outputs_match(run_ours(model, [data]), run_openvino(model, [data]), rtol=2e-3,
                         atol=2e-5)


@pytest.mark.parametrize("build, data", F16.values(), ids=F16.keys())
def test_f16_accumulates_like_openvino(build, data):
    pytest.importorskip("openvino")
    x = ops.parameter(list(data.shape), np.float16, name="x")
    model = ov.Model([build(x)], [x])
    assert_outputs_match(run_ours(model, [data]), run_openvino(model, [data]), rtol=2e-3, atol=1e-3)
