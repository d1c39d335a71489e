"""Concat-1, Split-1, VariadicSplit-1 against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

I64 = np.int64


def _data(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).integers(-9, 9, size=shape).astype(dtype)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data(),
       dtype=st.sampled_from([np.float32, np.int64, np.bool_]))
def test_concat_matches_openvino(shape, data, dtype):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    inputs = []
    for seed in range(data.draw(st.integers(1, 3))):
        part = list(shape)
        part[axis] = data.draw(st.integers(0, 3))
        inputs.append(_data(part, dtype, seed))
    compare_with_openvino(lambda *p: ops.concat(p, axis), inputs)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_split_matches_openvino(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = data.draw(st.integers(1, 3))
    shape[axis] *= parts
    compare_with_openvino(lambda p: ops.split(p, axis, parts), [_data(shape)])


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=4), data=st.data(),
       axis_type=st.sampled_from([np.int32, np.int64]))
def test_variadic_split_matches_openvino(shape, data, axis_type):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    cuts = sorted(data.draw(st.lists(st.integers(0, shape[axis]), max_size=3)))
    lengths = list(np.diff([0] + cuts + [shape[axis]]))
    if data.draw(st.booleans()):
        lengths[data.draw(st.integers(0, len(lengths) - 1))] = -1
    compare_with_openvino(
        lambda p: ops.variadic_split(p, np.array(axis, axis_type), np.array(lengths, I64)),
        [_data(shape, np.int32)])


@pytest.mark.parametrize("shapes, axis", [
    (["[2,1..3]", "[?,4]", "[2,2..5]"], 1), (["[2,3]", "[...]"], 1), (["[...]", "[...]"], 0),
    (["[?,3]", "[2,?]"], -1), (["[1..4,3]", "[2..6,3]"], 0),
])
def test_concat_inference_matches_openvino(shapes, axis):
    assert_same_inference(lambda o, *p: o.concat(p, axis), *[(s, np.float32) for s in shapes])


@pytest.mark.parametrize("shape, axis, parts", [("[4,2..10,?]", 1, 2), ("[4,2..10,?]", 2, 2),
                                                ("[...]", 0, 3), ("[6,?]", -2, 3)])
def test_split_inference_matches_openvino(shape, axis, parts):
    assert_same_inference(lambda o, x: o.split(x, np.array(axis, I64), parts), (shape, np.float32))


@pytest.mark.parametrize("shape, axis, lengths", [
    ("[4,2..10,?]", 1, [1, -1]), ("[4,2..10,?]", 2, [1, -1, 2]), ("[4,6]", 1, [2, -1, 1]),
    ("[...]", 0, [1, 2]), ("[4,?]", -1, [0, 3]),
])
def test_variadic_split_inference_matches_openvino(shape, axis, lengths):
    assert_same_inference(
        lambda o, x: o.variadic_split(x, np.array(axis, I64), np.array(lengths, I64)),
        (shape, np.float32))


def test_unknown_axis_or_lengths_match_openvino():
    assert_same_inference(lambda o, x, a: o.split(x, a, 2), ("[4,2..10,?]", np.float32), ("[]", I64))
    assert_same_inference(lambda o, x, n: o.variadic_split(x, np.array(1, I64), n),
                          ("[4,2..10,?]", np.float32), ("[3]", I64))
    assert_same_inference(lambda o, x, a: o.variadic_split(x, a, np.array([1, -1], I64)),
                          ("[4,2..10,?]", np.float32), ("[]", I64))


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3], np.float32)
    y = ops.parameter([2, 3, 1], np.float32)
    assert_rejected(lambda: ops.concat([x, y], 0), "same rank")
    assert_rejected(lambda: ops.concat([x, ops.parameter([3, 3], np.float32)], 1), "does not match")
    assert_rejected(lambda: ops.concat([x, ops.parameter([2, 3], np.int32)], 0), "element type")
    assert_rejected(lambda: ops.concat([x], 2), "out of range")
    assert_rejected(lambda: ops.split(x, 1, 2), "not divisible")
    assert_rejected(lambda: ops.split(x, 1, 0), "positive")
    assert_rejected(lambda: ops.variadic_split(x, 1, np.array([1, 1], I64)), "sum to")
    assert_rejected(lambda: ops.variadic_split(x, 1, np.array([-1, -1], I64)), "one -1")
    assert_rejected(lambda: ops.variadic_split(x, 1, np.array([4, -1], I64)), "exceed")


@pytest.mark.parametrize("build", [
    lambda o, x: o.concat([x, x], -1),
    lambda o, x: o.split(x, np.array(1, I64), 2),
    lambda o, x: o.variadic_split(x, np.array(1, I64), np.array([1, -1], I64)),
])
def test_round_trip(build):
    assert_round_trip(build, ("[2,4]", np.float32))


def test_split_outputs_are_views_that_stay_private():
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    first, second = compare_with_openvino(lambda p: ops.split(p, 1, 2), [x])
    first[...] = -1
    np.testing.assert_array_equal(x, np.arange(8, dtype=np.float32).reshape(2, 4))
    assert second.flags.writeable
