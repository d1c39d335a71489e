"""Select-1, NonZero-3, Bucketize-3, OneHot-1/16 against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops
from ov_notebook.ir import get_op_class

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

I64 = np.int64
shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3)


def _data(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).integers(-2, 3, size=shape).astype(dtype)


def _broadcastable(data, shape):
    """A shape numpy-broadcastable to ``shape``: a suffix with some dimensions set to 1."""
    suffix = shape[data.draw(st.integers(0, len(shape))):]
    return [data.draw(st.sampled_from([1, d])) for d in suffix]


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from([np.float32, np.int32, np.bool_]))
def test_select_matches_openvino(shape, data, dtype):
    shapes_ = [_broadcastable(data, shape) for _ in range(3)]
    condition = _data(shapes_[0], seed=1) > 0
    compare_with_openvino(lambda c, a, b: ops.select(c, a, b),
                          [condition, _data(shapes_[1], dtype, 2), _data(shapes_[2], dtype, 3)])


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       dtype=st.sampled_from([np.float32, np.int32, np.bool_, np.uint8]),
       output_type=st.sampled_from(["i32", "i64"]))
def test_non_zero_matches_openvino(shape, dtype, output_type):
    compare_with_openvino(lambda p: ops.non_zero(p, output_type), [_data(shape, dtype)])


@settings(max_examples=25, deadline=None)
@given(shape=shapes, buckets=st.lists(st.integers(-3, 3), max_size=5),
       output_type=st.sampled_from(["i32", "i64"]), right=st.booleans(),
       dtype=st.sampled_from([np.float32, np.int32]))
def test_bucketize_matches_openvino(shape, buckets, output_type, right, dtype):
    boundaries = np.array(sorted(buckets), dtype)
    compare_with_openvino(lambda p, b: ops.bucketize(p, b, output_type, right),
                          [_data(shape, dtype) * 2, boundaries])


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data(), mode=st.sampled_from([None, "normalize", "opset1"]),
       index_type=st.sampled_from([np.int32, I64]), value_type=st.sampled_from([np.float32, np.int32]))
def test_one_hot_matches_openvino(shape, data, mode, index_type, value_type):
    depth = data.draw(st.integers(1, 4))
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    indices = np.random.default_rng(depth).integers(-depth - 1, depth + 2, size=shape).astype(index_type)
    on, off = np.array(5, value_type), np.array(-1, value_type)
    if mode == "opset1":
        one_hot1 = get_op_class("OneHot", "opset1")
        build = lambda i: one_hot1(i, ops.constant(np.array(depth, I64)), ops.constant(on),  # noqa: E731
                                   ops.constant(off), axis=axis)
    else:
        build = lambda i: ops.one_hot(i, np.array(depth, I64), on, off, axis, mode)  # noqa: E731
    compare_with_openvino(build, [indices])


@pytest.mark.parametrize("build, shapes", [
    (lambda o, c, a, b: o.select(c, a, b),
     [("[?,1,3]", np.bool_), ("[2,1]", np.float32), ("[1..4,?]", np.float32)]),
    (lambda o, c, a, b: o.select(c, a, b), [("[...]", np.bool_), ("[2,1]", np.float32), ("[3]", np.float32)]),
    (lambda o, x: o.non_zero(x), [("[2,3,4,6]", np.float32)]),
    (lambda o, x: o.non_zero(x, "i32"), [("[?,3]", np.float32)]),
    (lambda o, x: o.non_zero(x), [("[1..4,3]", np.float32)]),
    (lambda o, x: o.non_zero(x), [("[]", np.float32)]),
    (lambda o, x: o.non_zero(x), [("[...]", np.float32)]),
    (lambda o, i: o.one_hot(i, np.array(5, I64), np.array(1.0, np.float32), np.array(0.0, np.float32), -1),
     [("[2,?]", I64)]),
    (lambda o, i, d: o.one_hot(i, d, np.array(1.0, np.float32), np.array(0.0, np.float32), 0),
     [("[2,?]", I64), ("[]", I64)]),
    (lambda o, i, x: o.one_hot(i, o.gather(o.shape_of(x), np.array(0, I64), np.array(0, I64)),
                               np.array(1, np.int32), np.array(0, np.int32), 1),
     [("[2,?]", I64), ("[1..8,3]", np.float32)]),
])
def test_inference_matches_openvino(build, shapes):
    assert_same_inference(build, *shapes)


def test_non_zero_of_constants_is_static():
    node = ops.non_zero(ops.constant(np.array([[0, 3], [1, 0]], np.float32)))
    assert str(node.get_output_partial_shape(0)) == "[2,2]"


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3], np.float32)
    c = ops.parameter([2, 3], np.bool_)
    assert_rejected(lambda: ops.select(x, x, x), "must be boolean")
    assert_rejected(lambda: ops.select(c, x, ops.parameter([2, 3], np.int32)), "element type")
    assert_rejected(lambda: ops.select(c, x, ops.parameter([4], np.float32)), "cannot be broadcast")
    assert_rejected(lambda: ops.non_zero(x, "f32"), "i32 or i64")
    i = ops.parameter([2], I64)
    one, zero = np.array(1.0, np.float32), np.array(0.0, np.float32)
    assert_rejected(lambda: ops.one_hot(x, 3, one, zero, -1), "integer")
    assert_rejected(lambda: ops.one_hot(i, np.array(-3, I64), one, zero, -1), "negative")
    assert_rejected(lambda: ops.one_hot(i, 3, one, zero, 2), "out of range")
    assert_rejected(lambda: ops.one_hot(i, 3, one, np.array(0, np.int32), 0), "element type")
    assert_rejected(lambda: ops.one_hot(i, 3, one, zero, 0, "wrap"), "must be one of")


@pytest.mark.parametrize("build, shapes", [
    (lambda o, c, a, b: o.select(c, a, b), [("[2,1]", np.bool_), ("[3]", np.float32), ("[2,3]", np.float32)]),
    (lambda o, x: o.non_zero(x, "i32"), [("[2,3]", np.float32)]),
    (lambda o, x, b: o.bucketize(x, b, "i32", False), [("[2,?]", np.float32), ("[4]", np.float32)]),
    (lambda o, i: o.one_hot(i, np.array(4, I64), np.array(1.0, np.float32), np.array(0.0, np.float32),
                            -1, "normalize"), [("[2,3]", I64)]),
])
def test_round_trip(build, shapes):
    assert_round_trip(build, *shapes)
