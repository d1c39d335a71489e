"""BitwiseAnd/Or/Xor/Not-13 and BitwiseLeftShift/RightShift-15 against real OpenVINO.

OpenVINO's CPU plugin computes i64, u64 and u32 in 32-bit signed precision: the values drawn for
those types (and the shifted results) stay within 16 bits, where that precision is exact."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import (assert_rejected, assert_round_trip, assert_same_inference,
                      compare_with_openvino)

INTEGERS = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]
NARROWED = (np.uint32, np.int64, np.uint64)  # what the CPU plugin runs as i32
shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3)


def _values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.random(shape) < 0.5
    info = np.iinfo(np.int16 if dtype in (np.int64,) else np.uint16 if dtype in NARROWED else dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)


def _broadcastable(data, shape):
    """A shape numpy-broadcastable to ``shape``: a suffix with some dimensions set to 1."""
    suffix = shape[data.draw(st.integers(0, len(shape))):]
    return [data.draw(st.sampled_from([1, d])) for d in suffix]


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from(INTEGERS + [np.bool_]),
       builder=st.sampled_from(["bitwise_and", "bitwise_or", "bitwise_xor"]))
def test_binary_matches_openvino(shape, data, dtype, builder):
    inputs = [_values(shape, dtype, 1), _values(_broadcastable(data, shape), dtype, 2)]
    if data.draw(st.booleans()):
        inputs.reverse()  # the broadcast operand first
    compare_with_openvino(lambda a, b: getattr(ops, builder)(a, b), inputs)


@settings(max_examples=20, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(INTEGERS + [np.bool_]))
def test_not_matches_openvino(shape, dtype):
    compare_with_openvino(lambda a: ops.bitwise_not(a), [_values(shape, dtype, 3)])


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from(INTEGERS),
       builder=st.sampled_from(["bitwise_left_shift", "bitwise_right_shift"]))
def test_shifts_match_openvino(shape, data, dtype, builder):
    # shifts in [0, bit width): OpenVINO leaves larger and negative ones undefined
    bits = 16 if dtype in NARROWED else np.dtype(dtype).itemsize * 8
    amounts = np.random.default_rng(4).integers(0, bits, size=_broadcastable(data, shape))
    compare_with_openvino(lambda a, b: getattr(ops, builder)(a, b),
                          [_values(shape, dtype, 5), amounts.astype(dtype)])


@pytest.mark.parametrize("build, shapes", [
    (lambda o, a, b: o.bitwise_and(a, b), [("[2,?,1..4]", np.int32), ("[?,1]", np.int32)]),
    (lambda o, a, b: o.bitwise_xor(a, b), [("[...]", np.bool_), ("[3]", np.bool_)]),
    (lambda o, a: o.bitwise_not(a), [("[2,?]", np.uint8)]),
    (lambda o, a, b: o.bitwise_left_shift(a, b), [("[2,3]", np.int64), ("[]", np.int64)]),
    (lambda o, a, b: o.bitwise_right_shift(a, b), [("[1..3,?]", np.int16), ("[4,1,1]", np.int16)]),
])
def test_inference_matches_openvino(build, shapes):
    assert_same_inference(build, *shapes)


def test_constants_fold():
    folded = ops.bitwise_left_shift(ops.constant(np.int32([1, 3])), ops.constant(np.int32([4, 1])))
    assert folded.output(0)._desc.value.tolist() == [16, 6]


def test_bad_inputs_are_rejected():
    f = ops.parameter([2], np.float32)
    i, b = ops.parameter([2], np.int32), ops.parameter([2], np.bool_)
    assert_rejected(lambda: ops.bitwise_and(f, f), "integer or boolean")
    assert_rejected(lambda: ops.bitwise_not(f), "integer or boolean")
    assert_rejected(lambda: ops.bitwise_or(i, b), "element type")
    assert_rejected(lambda: ops.bitwise_left_shift(b, b), "integer tensors")
    assert_rejected(lambda: ops.bitwise_xor(i, ops.parameter([3], np.int32)), "cannot be broadcast")


@pytest.mark.parametrize("build, shapes", [
    (lambda o, a, b: o.bitwise_or(a, b), [("[2,3]", np.uint8), ("[3]", np.uint8)]),
    (lambda o, a: o.bitwise_not(a), [("[2,3]", np.bool_)]),
    (lambda o, a, b: o.bitwise_right_shift(a, b), [("[2,?]", np.int32), ("[1]", np.int32)]),
])
def test_round_trip(build, shapes):
    assert_round_trip(build, *shapes)
