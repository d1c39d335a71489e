"""MaxPool-14 (and -1/-8), AvgPool-16 (and -1/-14), AdaptiveAvgPool-8 and AdaptiveMaxPool-8 against
real OpenVINO: outputs (indices exact), shape inference, rejected inputs and IR round trips."""
import os
import tempfile

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import read_model
from ov_notebook.ir.ops.convolution import dilated
from oracle import assert_outputs_match, run_openvino, run_ours

from .opcheck import (assert_rejected, assert_round_trip, assert_same_inference,
                      compare_with_openvino, openvino)

ROUNDING = ["floor", "ceil", "ceil_torch"]
AUTO_PADS = ["explicit", "valid", "same_upper", "same_lower"]


@st.composite
def pool_config(draw):
    rank = draw(st.integers(1, 3))

    def axes(low, high):
        return draw(st.lists(st.integers(low, high), min_size=rank, max_size=rank))

    config = dict(kernel=axes(1, 3), strides=axes(1, 3), dilations=axes(1, 2),
                  pads_begin=axes(0, 2), pads_end=axes(0, 2),
                  rounding=draw(st.sampled_from(ROUNDING)),
                  auto_pad=draw(st.sampled_from(AUTO_PADS)),
                  batch=draw(st.integers(1, 2)), channels=draw(st.integers(1, 3)))
    extents = [dilated(k, d) for k, d in zip(config["kernel"], config["dilations"])]
    config["spatial"] = [draw(st.integers(e, e + 5)) for e in extents]
    config["pads_fit"] = all(b < e and p < e for b, p, e in
                             zip(config["pads_begin"], config["pads_end"], extents))
    return config


def _data(config, seed):
    shape = [config["batch"], config["channels"]] + config["spatial"]
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@settings(max_examples=60, deadline=None)
@given(config=pool_config(), axis=st.integers(-4, 3), index_type=st.sampled_from(["i32", "i64"]))
def test_max_pool_matches_openvino(config, axis, index_type):
    c = config
    rank = len(c["spatial"]) + 2
    axis = axis % rank if axis >= 0 else max(axis, -rank)
    compare_with_openvino(lambda p: ops.max_pool(
        p, c["strides"], c["dilations"], c["pads_begin"], c["pads_end"], c["kernel"], c["rounding"],
        c["auto_pad"], index_type, axis), [_data(c, 1)])


@settings(max_examples=60, deadline=None)
@given(config=pool_config(), exclude_pad=st.booleans())
def test_avg_pool_matches_openvino(config, exclude_pad):
    c = config
    # exclude-pad forbids a kernel that fits in the padding (a spec check, tested below)
    assume(c["pads_fit"] or not exclude_pad or c["auto_pad"] != "explicit")
    compare_with_openvino(lambda p: ops.avg_pool(
        p, c["strides"], c["pads_begin"], c["pads_end"], c["kernel"], exclude_pad, c["rounding"],
        c["auto_pad"], c["dilations"]), [_data(c, 2)], atol=1e-6)


def test_values_only_max_pool_skips_indices_but_matches():
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 8)).astype(np.float32)
    param = ops.parameter(list(x.shape), np.float32, name="x")
    pool = ops.max_pool(param, [2, 2], [1, 1], [1, 0], [1, 1], [3, 3], "ceil")
    model = ov.Model([pool.output(0)], [param])
    assert_outputs_match(run_ours(model, [x]), run_openvino(model, [x]))


@pytest.mark.parametrize("dtype, tolerance", [(np.float16, 2e-3), (np.int32, 0)])
def test_other_element_types(dtype, tolerance):
    x = (np.random.default_rng(4).standard_normal((1, 2, 7, 6)) * 10).astype(dtype)
    compare_with_openvino(lambda p: ops.max_pool(p, [2, 2], [1, 1], [1, 1], [1, 1], [3, 3],
                                                 index_element_type="i32"), [x])
    if dtype == np.float16:
        compare_with_openvino(lambda p: ops.avg_pool(p, [2, 2], [1, 1], [0, 0], [3, 3], True,
                                                     "ceil"),
                              [x], rtol=tolerance, atol=tolerance)


@settings(max_examples=40, deadline=None)
@given(spatial=st.lists(st.integers(1, 9), min_size=1, max_size=3), data=st.data())
def test_adaptive_pools_match_openvino(spatial, data):
    out = [data.draw(st.integers(1, n + 2)) for n in spatial]
    x = np.random.default_rng(5).standard_normal([2, 3] + spatial).astype(np.float32)
    compare_with_openvino(lambda p: ops.adaptive_avg_pool(p, out), [x], atol=1e-6)
    # OpenVINO's CPU plugin cannot compile i64 indices here ("does not support i64 for oneDNN")
    compare_with_openvino(lambda p: ops.adaptive_max_pool(p, out, "i32"), [x])


@pytest.mark.parametrize("shape", [[2, 3, 7], [1, 5, 7, 6], [1, 2, 3, 4, 5]])
def test_global_average_pooling(shape):
    x = np.random.default_rng(8).standard_normal(shape).astype(np.float32)
    spatial, zeros = shape[2:], [0] * (len(shape) - 2)
    compare_with_openvino(lambda p: ops.avg_pool(p, [1] * len(spatial), zeros, zeros, spatial,
                                                 False), [x], atol=1e-6)
    compare_with_openvino(lambda p: ops.adaptive_avg_pool(p, [1] * len(spatial)), [x], atol=1e-6)


def test_adaptive_max_pool_i64_indices_equal_i32():
    x = np.random.default_rng(6).standard_normal((1, 2, 7, 5)).astype(np.float32)
    results = []
    for index_type in ("i32", "i64"):
        param = ops.parameter(list(x.shape), np.float32)
        node = ops.adaptive_max_pool(param, [3, 2], index_type)
        results.append(run_ours(ov.Model(node.outputs(), [param]), [x]))
    assert results[1][1].dtype == np.int64
    np.testing.assert_array_equal(results[0][1], results[1][1])


OLDER_VERSIONS = {
    "MaxPool-1": (1, lambda o, x: o.max_pool(x, [2, 2], [1, 1], [1, 1], [2, 2], "ceil")),
    "MaxPool-8": (8, lambda o, x: o.max_pool(x, [2, 2], [2, 1], [1, 1], [1, 1], [2, 2], "ceil",
                                              None, "i32", 2)),
    "AvgPool-1": (1, lambda o, x: o.avg_pool(x, [2, 2], [1, 1], [1, 0], [3, 3], False, "ceil")),
    "AvgPool-14": (14, lambda o, x: o.avg_pool(x, [2, 2], [1, 1], [1, 0], [3, 3], True,
                                               "ceil_torch")),
}


@pytest.mark.parametrize("name", sorted(OLDER_VERSIONS))
def test_older_versions_written_by_openvino_read_and_run(name):
    import importlib
    number, make = OLDER_VERSIONS[name]
    module = importlib.import_module(f"openvino.opset{number}")
    x = module.parameter([1, 2, 8, 7], np.float32)
    path = os.path.join(tempfile.mkdtemp(prefix="ovn_pool_"), "m.xml")
    openvino.save_model(openvino.Model(make(module, x).outputs(), [x]), path)
    model = read_model(path)
    assert [n.get_version() for n in model.get_ordered_ops() if "Pool" in n.get_type_name()] == \
        [f"opset{number}"]
    data = np.random.default_rng(7).standard_normal((1, 2, 8, 7)).astype(np.float32)
    compiled = openvino.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    theirs = [np.asarray(compiled([data])[i]) for i in range(len(compiled.outputs))]
    assert_outputs_match(run_ours(model, [data]), theirs)


# --- shape inference ----------------------------------------------------------------------------
SHAPES = ["[?,3,?,?]", "[1,3,1..10,?]", "[2,?,2..9,5..]", "[...]", "[1,2,7,8]"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rounding", ROUNDING)
@pytest.mark.parametrize("auto_pad", AUTO_PADS)
def test_max_pool_shape_inference_matches_openvino(shape, rounding, auto_pad):
    assert_same_inference(lambda o, x: o.max_pool(x, [2, 3], [1, 2], [1, 0], [0, 1], [2, 2],
                                                   rounding, auto_pad, "i32"), (shape, np.float32))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rounding", ROUNDING)
@pytest.mark.parametrize("auto_pad", AUTO_PADS)
def test_avg_pool_shape_inference_matches_openvino(shape, rounding, auto_pad):
    assert_same_inference(lambda o, x: o.avg_pool(x, [3, 2], [1, 1], [1, 0], [3, 2], False,
                                                  rounding, auto_pad, [1, 2]), (shape, np.float32))


@pytest.mark.parametrize("shape", ["[?,3,?,?]", "[...]", "[2,3,4..9,7]"])
@pytest.mark.parametrize("known", [True, False])
def test_adaptive_shape_inference_matches_openvino(shape, known):
    def build(o, x):
        target = o.constant(np.array([3, 5], np.int64)) if known else o.parameter([2], np.int64)
        return [o.adaptive_avg_pool(x, target), o.adaptive_max_pool(x, target, "i32")]

    def both(o, x):
        avg, mx = build(o, x)
        return type("Both", (), {"outputs": lambda self: avg.outputs() + mx.outputs()})()

    assert_same_inference(both, (shape, np.float32))


# --- rejected inputs ----------------------------------------------------------------------------
def test_bad_inputs_are_rejected():
    x = ops.parameter([1, 3, 8, 8], np.float32)
    flat = ops.parameter([3, 8], np.float32)
    assert_rejected(lambda: ops.max_pool(flat, [1], [1], [0], [0], [2]),
                    r"3D, 4D or 5D")
    assert_rejected(lambda: ops.max_pool(x, [1], [1], [0], [0], [2]),
                    r"kernel \[2\] must have one value per spatial axis \(2\)")
    assert_rejected(lambda: ops.max_pool(x, [1, 0], [1, 1], [0, 0], [0, 0], [2, 2]),
                    r"strides \[1, 0\] must be positive")
    assert_rejected(lambda: ops.max_pool(x, [1, 1], [1, 1], [0, 0], [0, 0], [2, 9]),
                    r"dilated kernel \(9\) is larger than the padded data \(8\)")
    assert_rejected(lambda: ops.max_pool(x, [1, 1], [1, 1], [0, 0], [0, 0], [2, 2],
                                         index_element_type="f32"), r"i32 or i64")
    assert_rejected(lambda: ops.max_pool(x, [1, 1], [1, 1], [0, 0], [0, 0], [2, 2], axis=4),
                    r"axis 4 is out of range for rank 4")
    assert_rejected(lambda: ops.avg_pool(x, [1, 1], [2, 0], [0, 0], [2, 2], True),
                    r"fits entirely in the padding")
    assert_rejected(lambda: ops.adaptive_avg_pool(x, [2, 2, 2]),
                    r"output_shape has 3 values, expected one per spatial axis \(2\)")
    assert_rejected(lambda: ops.adaptive_max_pool(x, [2, 2], "f32"), r"i32 or i64")
    from ov_notebook.ir.ops.pooling import AvgPool1
    assert_rejected(lambda: AvgPool1(x, strides=[1, 1], kernel=[2, 2], rounding_type="ceil_torch"),
                    r"rounding_type' must be one of floor, ceil, got 'ceil_torch'")


# --- IR round trips -----------------------------------------------------------------------------
ROUND_TRIPS = {
    "max_pool": lambda o, x: o.max_pool(x, [2, 1], [1, 2], [1, 0], [0, 1], [2, 2], "ceil_torch",
                                        None, "i32", -2),
    "max_pool_same": lambda o, x: o.max_pool(x, [2, 2], [1, 1], [0, 0], [0, 0], [3, 3],
                                             auto_pad="same_upper"),
    "avg_pool": lambda o, x: o.avg_pool(x, [2, 2], [1, 1], [0, 1], [3, 3], True, "ceil", None,
                                        [1, 2]),
    "avg_pool_default_dilations": lambda o, x: o.avg_pool(x, [1, 1], [0, 0], [0, 0], [2, 2], False),
    "adaptive_avg_pool": lambda o, x: o.adaptive_avg_pool(
        x, o.constant(np.array([3, 2], np.int64))),
    "adaptive_max_pool": lambda o, x: o.adaptive_max_pool(
        x, o.constant(np.array([3, 2], np.int32)), "i32"),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_round_trip(name):
    assert_round_trip(ROUND_TRIPS[name], ("[1,2,8,9]", np.float32))
