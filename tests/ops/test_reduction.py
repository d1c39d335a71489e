"""ReduceSum/Mean/Max/Min/Prod/L1/L2 and ReduceLogicalAnd/Or against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

ARITHMETIC = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_l1",
              "reduce_l2"]
LOGICAL = ["reduce_logical_and", "reduce_logical_or"]


@st.composite
def reductions(draw):
    """(shape, axes as an int or a list, possibly negative and repeated, keep_dims)."""
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    rank = len(shape)
    axes = draw(st.lists(st.integers(-rank, rank - 1), min_size=1, max_size=rank + 1))
    as_scalar = len(axes) == 1 and draw(st.booleans())
    return shape, (np.int64(axes[0]) if as_scalar else axes), draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(case=reductions(), name=st.sampled_from(ARITHMETIC), integer=st.booleans())
def test_arithmetic_reductions_match_openvino(case, name, integer):
    shape, axes, keep_dims = case
    rng = np.random.default_rng(len(shape))
    if integer:
        x = rng.integers(-7, 8, shape).astype(np.int32)
    else:  # products stay finite and well conditioned away from zero
        x = (rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)).astype(np.float32)
    compare_with_openvino(lambda p: getattr(ops, name)(p, axes, keep_dims), [x], atol=1e-5)


@settings(max_examples=20, deadline=None)
@given(case=reductions(), name=st.sampled_from(LOGICAL), density=st.sampled_from([0.1, 0.5, 0.9]))
def test_logical_reductions_match_openvino(case, name, density):
    shape, axes, keep_dims = case
    x = np.random.default_rng(len(shape)).random(shape) < density
    compare_with_openvino(lambda p: getattr(ops, name)(p, axes, keep_dims), [x])


@pytest.mark.parametrize("name", ARITHMETIC + LOGICAL)
def test_empty_axes_reduce_nothing(name):
    # OpenVINO 2026.4 itself cannot compile an empty axes constant, so this one is checked alone
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    if name in LOGICAL:
        x = x > 2
    param = ops.parameter([2, 3], x.dtype)
    node = getattr(ops, name)(param, np.array([], np.int64), True)
    assert str(node.get_output_partial_shape(0)) == "[2,3]"
    (result,) = run_ours(ov.Model([node], [param]), [x])
    np.testing.assert_array_equal(result, x)
    assert result.dtype == x.dtype


def test_f16_sums_accumulate_in_f32():
    x = np.full((4096,), 0.1, np.float16)
    compare_with_openvino(lambda p: ops.reduce_sum(p, [0]), [x], rtol=1e-3)


SHAPE_CASES = [
    ("[2,3,4]", np.array(1), False), ("[2,3,4]", np.array([0, -1]), True),
    ("[2,3,4]", np.array([1, 1]), False), ("[?,3..5,4]", np.array([0]), False),
    ("[?,3..5,4]", np.array([2]), True), ("[...]", np.array([1]), True),
    ("[...]", np.array([1]), False), ("[2,3,4]", ("[1]", np.int64), False),
    ("[2,3,4]", ("[2]", np.int64), False), ("[2,3,4]", ("[2]", np.int64), True),
    ("[2,3,4]", ("[]", np.int64), False), ("[2,3,4]", ("[?]", np.int32), False),
]


@pytest.mark.parametrize("name", ["reduce_sum", "reduce_l2", "reduce_logical_or"])
@pytest.mark.parametrize("data, axes, keep_dims", SHAPE_CASES)
def test_shape_inference_matches_openvino(name, data, axes, keep_dims):
    data_type = np.bool_ if "logical" in name else np.float32
    if isinstance(axes, tuple):  # axes only known at run time: a second parameter
        assert_same_inference(lambda o, x, a: getattr(o, name)(x, a, keep_dims), (data, data_type), axes)
    else:
        assert_same_inference(lambda o, x: getattr(o, name)(x, axes, keep_dims), (data, data_type))


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3, 4], np.float32)
    assert_rejected(lambda: ops.reduce_sum(x, [3]), r"axes 3 is out of range for rank 3")
    assert_rejected(lambda: ops.reduce_sum(x, np.array([1.0], np.float32)), r"axes .* integer")
    assert_rejected(lambda: ops.reduce_mean(x, np.array([[1]])), r"axes .* rank 0 or 1")
    assert_rejected(lambda: ops.reduce_max(ops.parameter([2], np.bool_), [0]), r"numeric, got boolean")
    assert_rejected(lambda: ops.reduce_logical_and(x, [0]), r"must be boolean, got f32")


@pytest.mark.parametrize("name", ARITHMETIC + LOGICAL)
def test_round_trip(name):
    data_type = np.bool_ if name in LOGICAL else np.float32
    assert_round_trip(lambda o, x: getattr(o, name)(x, np.array([0, 2]), True), ("[2,3,4]", data_type))


def test_shape_subgraph_values_are_folded():
    x = ops.parameter([2, 3, 4], np.float32)
    count = ops.reduce_prod(ops.shape_of(x), [0], True)
    assert count.output(0)._desc.value.tolist() == [24]
