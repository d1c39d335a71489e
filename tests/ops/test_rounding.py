"""Round-5 against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

MODES = ["half_to_even", "half_away_from_zero"]
# halves, near-halves and odd integers at 2^23 where x + 0.5 is not representable in float32
EDGES = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.49999997, 8388609, -8388609,
                  3.7, -3.7, 0.0, -0.0, 1e-30, 2.5e9], np.float32)


@pytest.mark.parametrize("mode", MODES)
def test_edge_values_match_openvino(mode):
    compare_with_openvino(lambda p: ops.round(p, mode), [EDGES], rtol=0, atol=0)


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 5), max_size=3), mode=st.sampled_from(MODES),
       dtype=st.sampled_from([np.float32, np.float16, np.int32]))
def test_random_values_match_openvino(shape, mode, dtype):
    rng = np.random.default_rng(len(shape))
    x = (np.round(rng.standard_normal(shape) * 20) / 2 + rng.choice([0, 0.25], shape)).astype(dtype)
    compare_with_openvino(lambda p: ops.round(p, mode), [np.asarray(x)], rtol=0, atol=0)


@pytest.mark.parametrize("shape", ["[2,?,3..5]", "[...]", "[]"])
def test_shape_inference_matches_openvino(shape):
    assert_same_inference(lambda o, x: o.round(x, "half_away_from_zero"), (shape, np.float32))


def test_bad_inputs_are_rejected():
    x = ops.parameter([2], np.float32)
    assert_rejected(lambda: ops.round(x, "half_up"), r"mode")
    assert_rejected(lambda: ops.round(ops.parameter([2], np.bool_)), r"numeric, got boolean")


@pytest.mark.parametrize("mode", MODES)
def test_round_trip(mode):
    assert_round_trip(lambda o, x: o.round(x, mode), ("[2,3]", np.float32))
