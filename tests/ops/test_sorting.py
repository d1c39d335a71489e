"""TopK-11 and CumSum-3 against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir.ops.sorting import CumSum
from oracle import run_openvino, run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino


@st.composite
def topk_cases(draw, max_length=8):
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    shape[axis] = draw(st.integers(1, max_length))
    k = draw(st.integers(1, shape[axis]))
    return shape, axis, k


def _values(shape, dtype, ties, seed):
    rng = np.random.default_rng(seed)
    if ties:  # few distinct values: many equal elements to order
        return rng.integers(0, 4, shape).astype(dtype)
    flat = rng.permutation(int(np.prod(shape))) - int(np.prod(shape)) // 2
    return flat.reshape(shape).astype(dtype)


@settings(max_examples=40, deadline=None)
@given(case=topk_cases(), mode=st.sampled_from(["max", "min"]),
       sort=st.sampled_from(["value", "index", "none"]), index_type=st.sampled_from(["i32", "i64"]),
       dtype=st.sampled_from([np.float32, np.int32, np.int64, np.uint8]))
def test_topk_with_distinct_values_matches_openvino(case, mode, sort, index_type, dtype):
    shape, axis, k = case
    data = _values(shape, dtype, ties=False, seed=k) if dtype != np.uint8 else \
        (_values(shape, np.int64, False, k) % 256).astype(np.uint8)
    compare_with_openvino(lambda p: ops.topk(p, k, axis, mode, sort, index_type), [data])


@settings(max_examples=40, deadline=None)
@given(case=topk_cases(max_length=300), mode=st.sampled_from(["max", "min"]),
       dtype=st.sampled_from([np.float32, np.int32]))
def test_stable_topk_orders_ties_like_openvino(case, mode, dtype):
    shape, axis, k = case
    data = _values(shape, dtype, ties=True, seed=k)
    compare_with_openvino(lambda p: ops.topk(p, k, axis, mode, "value", stable=True), [data])


@settings(max_examples=20, deadline=None)
@given(case=topk_cases(max_length=100), mode=st.sampled_from(["max", "min"]))
def test_stable_topk_by_index_selects_what_sort_by_value_selects(case, mode):
    # OpenVINO's CPU plugin honours ``stable`` only with sort "value" (with sort "index" it may
    # drop a different tied element); ours selects the same elements either way, index-ordered
    shape, axis, k = case
    data = _values(shape, np.float32, ties=True, seed=k)
    param = ops.parameter(shape, np.float32)
    outputs = [ops.topk(param, k, axis, mode, sort, stable=True).outputs() for sort in ("value", "index")]
    model = ov.Model(outputs[0] + outputs[1], [param])
    values, indices, index_values, index_indices = run_ours(model, [data])
    order = np.argsort(indices, axis=axis)
    np.testing.assert_array_equal(np.take_along_axis(indices, order, axis), index_indices)
    np.testing.assert_array_equal(np.take_along_axis(values, order, axis), index_values)


@settings(max_examples=15, deadline=None)
@given(case=topk_cases(max_length=200), mode=st.sampled_from(["max", "min"]))
def test_unstable_topk_picks_the_same_values(case, mode):
    # OpenVINO orders ties any way it likes without ``stable``: values must still agree
    shape, axis, k = case
    data = _values(shape, np.float32, ties=True, seed=k)
    param = ops.parameter(shape, np.float32)
    model = ov.Model(ops.topk(param, k, axis, mode, "value").outputs(), [param])
    ours, theirs = run_ours(model, [data]), run_openvino(model, [data])
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(np.take_along_axis(data, ours[1], axis), ours[0])


def test_topk_with_zero_k_gives_empty_outputs():
    param = ops.parameter([2, 5], np.float32)
    values, indices = run_ours(ov.Model(ops.topk(param, 0, 1, "max", "value").outputs(), [param]),
                               [np.ones((2, 5), np.float32)])
    assert values.shape == indices.shape == (2, 0) and indices.dtype == np.int32


def test_topk_with_k_beyond_the_axis_fails_at_run_time():
    param = ops.parameter([2, 3], np.float32)
    model = ov.Model(ops.topk(param, 5, 1, "max", "value").outputs(), [param])
    with pytest.raises(Exception, match=r"k \(5\) exceeds the length 3"):
        run_ours(model, [np.ones((2, 3), np.float32)])


TOPK_SHAPES = [
    ("[2,10]", 3, 1), ("[2,10]", ("[]", np.int64), 1), ("[2,2..10]", ("[]", np.int64), -1),
    ("[2,?]", ("[]", np.int32), 1), ("[2,3..]", ("[]", np.int64), 1), ("[...]", 2, 0),
    ("[?,?,4]", 20, 2), ("[?,?,4]", 0, 0),
]


@pytest.mark.parametrize("data, k, axis", TOPK_SHAPES)
@pytest.mark.parametrize("index_type", ["i32", "i64"])
def test_topk_shape_inference_matches_openvino(data, k, axis, index_type):
    if isinstance(k, tuple):  # k only known at run time: a second parameter
        assert_same_inference(lambda o, x, kk: o.topk(x, kk, axis, "max", "value", index_type),
                              (data, np.float32), k)
    else:
        assert_same_inference(lambda o, x: o.topk(x, np.int64(k), axis, "min", "none", index_type),
                              (data, np.float32))


@pytest.mark.parametrize("length", ["10", "4..20", "2..10", "?", "3.."])
@pytest.mark.parametrize("k_from", ["3..5", "?", "7"])
def test_topk_with_k_from_a_shape_matches_openvino(length, k_from):
    def build(o, x, sized):  # k = the first dim of another input's shape
        k = o.squeeze(o.gather(o.shape_of(sized), np.array([0]), np.int64(0)), np.int64(0))
        return o.topk(x, k, 1, "max", "value")

    assert_same_inference(build, (f"[2,{length}]", np.float32), (f"[{k_from},3]", np.float32))


def test_topk_bad_inputs_are_rejected():
    x = ops.parameter([2, 3], np.float32)
    assert_rejected(lambda: ops.topk(ops.parameter([], np.float32), 1, 0, "max", "value"), r"rank 1 or more")
    assert_rejected(lambda: ops.topk(x, [1], 1, "max", "value"), r"k \(input 1\) must be a scalar")
    assert_rejected(lambda: ops.topk(x, np.float32(1), 1, "max", "value"),
                    r"k \(input 1\) must be an integer")
    assert_rejected(lambda: ops.topk(x, -1, 1, "max", "value"), r"k must be non-negative")
    assert_rejected(lambda: ops.topk(x, 1, 2, "max", "value"), r"axis 2 is out of range for rank 2")
    assert_rejected(lambda: ops.topk(x, 1, 1, "max", "value", "f32"),
                    r"index_element_type must be i32 or i64")
    assert_rejected(lambda: ops.topk(x, 1, 1, "max", "none", stable=True), r"stable=True needs sort")
    assert_rejected(lambda: ops.topk(x, 1, 1, "largest", "value"), r"mode")


@pytest.mark.parametrize("mode, sort, index_type, stable", [
    ("max", "value", "i32", False), ("min", "index", "i64", True), ("max", "none", "i32", False)])
def test_topk_round_trip(mode, sort, index_type, stable):
    assert_round_trip(lambda o, x: o.topk(x, np.int64(2), -1, mode, sort, index_type, stable),
                      ("[3,5]", np.float32))


def test_older_topk_versions_read_without_stable():
    from ov_notebook.ir import get_op_class
    for version in ("opset1", "opset3"):
        cls = get_op_class("TopK", version)
        node = cls(ops.parameter([3, 5], np.float32), ops.constant(np.int64(2)), axis=1, mode="max",
                   sort="value")
        assert "stable" not in node.get_attributes() and str(node.get_output_partial_shape(1)) == "[3,2]"


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=4), data=st.data(),
       exclusive=st.booleans(), reverse=st.booleans(),
       dtype=st.sampled_from([np.float32, np.int32, np.int64]),
       axis_type=st.sampled_from([np.int32, np.int64]))
def test_cumsum_matches_openvino(shape, data, exclusive, reverse, dtype, axis_type):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = (np.random.default_rng(len(shape)).standard_normal(shape) * 10).astype(dtype)
    compare_with_openvino(lambda p: ops.cumsum(p, axis_type(axis), exclusive, reverse), [x],
                          atol=1e-5)


def test_cumsum_without_axis_sums_along_axis_0():
    # OpenVINO 2026.4 fails reading a one-input CumSum from IR, so this is checked alone
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    param = ops.parameter([3, 4], np.float32)
    (result,) = run_ours(ov.Model([CumSum(param, exclusive=True)], [param]), [x])
    np.testing.assert_array_equal(result, np.cumsum(x, axis=0) - x)
    # a 1-element axis is valid IR, though OpenVINO's CPU plugin runs only a scalar one
    (result,) = run_ours(ov.Model([ops.cumsum(param, np.array([1]))], [param]), [x])
    np.testing.assert_array_equal(result, np.cumsum(x, axis=1))


@pytest.mark.parametrize("data, axis", [("[2,?,4]", np.int64(-1)), ("[...]", np.int32(3)),
                                        ("[2,3]", ("[]", np.int64))])
def test_cumsum_shape_inference_matches_openvino(data, axis):
    if isinstance(axis, tuple):
        assert_same_inference(lambda o, x, a: o.cumsum(x, a, True, False), (data, np.float32), axis)
    else:
        assert_same_inference(lambda o, x: o.cumsum(x, axis, False, True), (data, np.int32))


def test_cumsum_bad_inputs_are_rejected():
    x = ops.parameter([2, 3], np.float32)
    assert_rejected(lambda: ops.cumsum(x, np.float32(1)), r"axis \(input 1\) must be i32 or i64")
    assert_rejected(lambda: ops.cumsum(x, np.array([0, 1])), r"axis \(input 1\) must be a scalar")
    assert_rejected(lambda: ops.cumsum(x, 2), r"axis 2 is out of range for rank 2")


@pytest.mark.parametrize("exclusive, reverse", [(False, False), (True, True)])
def test_cumsum_round_trip(exclusive, reverse):
    assert_round_trip(lambda o, x: o.cumsum(x, np.int64(1), exclusive, reverse), ("[2,3]", np.float32))
