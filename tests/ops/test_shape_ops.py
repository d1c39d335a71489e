"""Reshape-1, Squeeze-15, Unsqueeze-1, Transpose-1 against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4)
I64 = np.int64


def _data(shape, dtype=np.float32):
    return (np.arange(int(np.prod(shape))) % 7 - 3).astype(dtype).reshape(shape)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data(),
       dtype=st.sampled_from([np.float32, np.int32, np.uint8]))
def test_reshape_matches_openvino(shape, data, dtype):
    size = int(np.prod(shape))
    factors = [d for d in range(1, size + 1) if size % d == 0]
    first = data.draw(st.sampled_from(factors))
    pattern = [first, size // first]
    if data.draw(st.booleans()):
        pattern[data.draw(st.integers(0, 1))] = -1
    special_zero = data.draw(st.booleans())
    if special_zero and pattern[0] == shape[0]:
        pattern[0] = 0  # copies input dimension 0
    compare_with_openvino(lambda x: ops.reshape(x, np.array(pattern, I64), special_zero),
                          [_data(shape, dtype)])


@settings(max_examples=25, deadline=None)
@given(shape=shapes, data=st.data())
def test_squeeze_matches_openvino(shape, data):
    shape = [data.draw(st.sampled_from([1, d])) for d in shape] + [1]
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=3, unique=True))
    with_axes = data.draw(st.booleans())
    x = _data(shape)
    if with_axes:
        compare_with_openvino(lambda p: ops.squeeze(p, np.array(axes, I64)), [x])
    else:
        compare_with_openvino(lambda p: ops.squeeze(p), [x])


@settings(max_examples=25, deadline=None)
@given(shape=shapes, data=st.data())
def test_unsqueeze_matches_openvino(shape, data):
    count = data.draw(st.integers(1, 3))
    rank = len(shape) + count
    axes = data.draw(st.lists(st.integers(-rank, rank - 1), min_size=count, max_size=count,
                              unique_by=lambda a: a % rank))
    compare_with_openvino(lambda p: ops.unsqueeze(p, np.array(axes, I64)), [_data(shape)])


@settings(max_examples=25, deadline=None)
@given(shape=shapes, data=st.data())
def test_transpose_matches_openvino(shape, data):
    order = data.draw(st.permutations(list(range(len(shape))))) if data.draw(st.booleans()) else []
    ours = compare_with_openvino(lambda p: ops.transpose(p, np.array(order, I64)),
                                 [_data(shape, np.int32)])
    assert ours[0].flags.writeable  # a result never aliases the caller's input read-only


def test_movement_results_do_not_alias_inputs():
    x = _data([2, 6])
    for build in (lambda p: ops.reshape(p, [3, 4], False), lambda p: ops.transpose(p, [1, 0]),
                  lambda p: ops.squeeze(ops.unsqueeze(p, [0]), [0])):
        result = compare_with_openvino(build, [x])[0]
        assert not np.shares_memory(result, x)
        result[...] = 0
    assert x[0, 1] == -2  # the input is untouched


@pytest.mark.parametrize("shape, pattern, special_zero", [
    ("[?,128,768]", [0, -1, 64], True), ("[?,128,768]", [-1, 64], True),
    ("[?,128,768]", [0, 0, 12, 64], True), ("[?,?,768]", [0, 0, 12, -1], True),
    ("[1..10,128]", [-1, 64], False), ("[1..10,128]", [-1, 256], False),
    ("[2..10,6]", [-1, 4], False), ("[2..10,6]", [4, -1], False), ("[1..10,2..5]", [-1], False),
    ("[1..10,2..5]", [-1, 3], False), ("[?,?]", [-1, 3], False), ("[?,3]", [-1, 3], False),
    ("[?,3]", [2, -1], False), ("[0,3]", [0, -1], False), ("[2,0]", [-1, 0], False),
    ("[2,0]", [-1], False), ("[...]", [0, -1, 4], True), ("[...]", [2, -1], False), ("[1]", [], False),
])
def test_reshape_inference_matches_openvino(shape, pattern, special_zero):
    assert_same_inference(lambda o, x: o.reshape(x, np.array(pattern, I64), special_zero),
                          (shape, np.float32))


@pytest.mark.parametrize("shape, axes, skip", [
    ("[1,?,1,3]", None, False), ("[1,2,1,3]", None, False), ("[1,1..3,1]", [1], False),
    ("[1,1..3,1]", [1], True), ("[1,2,1]", [1], False), ("[1,2,1]", [-1, 0], True),
    ("[...]", [0], False), ("[?,3]", [0], True), ("[2,3]", [], False),
])
def test_squeeze_inference_matches_openvino(shape, axes, skip):
    def build(o, x):
        return o.squeeze(x) if axes is None else o.squeeze(x, np.array(axes, I64), skip)
    assert_same_inference(build, (shape, np.float32))


@pytest.mark.parametrize("shape, axes", [
    ("[2,?]", [0, 3]), ("[2,?]", [-1]), ("[...]", [0]), ("[2,3,4]", [4, -1]), ("[]", [0, 0]),
])
def test_unsqueeze_inference_matches_openvino(shape, axes):
    assert_same_inference(lambda o, x: o.unsqueeze(x, np.array(axes, I64)), (shape, np.float32))


@pytest.mark.parametrize("shape, order", [("[2,?,1..4]", [2, 0, 1]), ("[2,?,4]", []),
                                          ("[...]", [1, 0])])
def test_transpose_inference_matches_openvino(shape, order):
    assert_same_inference(lambda o, x: o.transpose(x, np.array(order, I64)), (shape, np.float32))


def test_transpose_of_unknown_rank_by_empty_order_stays_unknown():
    # OpenVINO 2026 infers [] (a scalar) here although any rank is reversed at run time
    x = ops.parameter("[...]", np.float32)
    assert str(ops.transpose(x, np.array([], I64)).get_output_partial_shape(0)) == "[...]"


def test_unknown_patterns_and_axes_match_openvino():
    assert_same_inference(lambda o, x, s: o.reshape(x, s, False), ("[2,3]", np.float32),
                          ("[3]", np.int64))
    assert_same_inference(lambda o, x, a: o.squeeze(x, a), ("[1,2,3]", np.float32), ("[1]", I64))
    assert_same_inference(lambda o, x, a: o.squeeze(x, a), ("[4,2,3]", np.float32), ("[1]", I64))
    assert_same_inference(lambda o, x, a: o.unsqueeze(x, a), ("[2,3]", np.float32), ("[1]", I64))
    assert_same_inference(lambda o, x, a: o.unsqueeze(x, a), ("[2,3]", np.float32), ("[2]", I64))
    assert_same_inference(lambda o, x, a: o.transpose(x, a), ("[2,3,4]", np.float32), ("[3]", I64))


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3], np.float32)
    assert_rejected(lambda: ops.reshape(x, np.array([4, -1], I64), False), "evenly divide")
    assert_rejected(lambda: ops.reshape(x, np.array([7], I64), False), r"cannot reshape \[2,3\]")
    assert_rejected(lambda: ops.reshape(x, np.array([-1, -1], I64), False), "more than one")
    assert_rejected(lambda: ops.reshape(x, np.array([-2, 3], I64), False), "only negative value")
    assert_rejected(lambda: ops.reshape(x, np.array([2.0, 3.0], np.float32), False), "integer")
    assert_rejected(lambda: ops.squeeze(x, np.array([2], I64)), "out of range")
    assert_rejected(lambda: ops.unsqueeze(x, np.array([], I64)), "must not be empty")
    assert_rejected(lambda: ops.unsqueeze(x, np.array([4], I64)), "out of range")
    assert_rejected(lambda: ops.transpose(x, np.array([0, 0], I64)), "not a permutation")
    assert_rejected(lambda: ops.transpose(x, np.array([0, 1, 2], I64)), "rank 2")


@pytest.mark.parametrize("build, shapes", [
    (lambda o, x: o.reshape(x, np.array([0, -1], I64), True), [("[2,3,4]", np.float32)]),
    (lambda o, x: o.squeeze(x, np.array([0], I64), True), [("[1,3]", np.float32)]),
    (lambda o, x: o.squeeze(x), [("[1,3]", np.float32)]),
    (lambda o, x: o.unsqueeze(x, np.array([1], I64)), [("[2,3]", np.float32)]),
    (lambda o, x: o.transpose(x, np.array([1, 0], I64)), [("[2,3]", np.float32)]),
])
def test_round_trip(build, shapes):
    assert_round_trip(build, *shapes)


def test_squeeze_opset1_from_older_ir_reads_and_runs():
    from ov_notebook.ir import get_op_class
    squeeze1 = get_op_class("Squeeze", "opset1")
    assert squeeze1.version == "opset1" and not squeeze1.attrs
    node = squeeze1(ops.parameter([1, 3, 1], np.float32), ops.constant(np.array([0], I64)))
    assert str(node.get_output_partial_shape(0)) == "[3,1]"
