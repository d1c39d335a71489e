"""GridSample-9 against real OpenVINO: values over modes, padding modes and align_corners,
shape inference with dynamic dimensions, IR round trips, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

MODES = ["bilinear", "bicubic", "nearest"]
PADDINGS = ["zeros", "border", "reflection"]


@settings(max_examples=60, deadline=None)
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 6), st.integers(1, 6)),
       grid_size=st.tuples(st.integers(1, 5), st.integers(1, 5)), mode=st.sampled_from(MODES),
       padding_mode=st.sampled_from(PADDINGS), align_corners=st.booleans(),
       spread=st.sampled_from([0.9, 1.6, 3.5]), seed=st.integers(0, 1000))
def test_grid_sample_matches_openvino(shape, grid_size, mode, padding_mode, align_corners, spread,
                                      seed):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape).astype(np.float32)
    grid = rng.uniform(-spread, spread, (shape[0],) + grid_size + (2,)).astype(np.float32)
    attributes = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    compare_with_openvino(lambda d, g: ops.grid_sample(d, g, attributes), [data, grid],
                          rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_grid_sample_nearest_on_pixel_grid_is_exact(padding_mode):
    # positions exactly between pixels round half to even, as OpenVINO's lrint does
    data = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    steps = np.linspace(-1.25, 1.25, 11, dtype=np.float32)
    grid = np.stack(np.meshgrid(steps, steps[:7]), -1)[None].repeat(2, 0)
    compare_with_openvino(lambda d, g: ops.grid_sample(
        d, g, {"mode": "nearest", "padding_mode": padding_mode}), [data, grid], rtol=0, atol=0)


def test_grid_sample_f16_grid_matches_openvino():
    rng = np.random.default_rng(2)
    data = rng.standard_normal((1, 2, 5, 4)).astype(np.float32)
    grid = rng.uniform(-1, 1, (1, 3, 3, 2)).astype(np.float16)
    compare_with_openvino(lambda d, g: ops.grid_sample(d, g, {"align_corners": True}),
                          [data, grid], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("data, grid", [
    ("[?,3,?,?]", "[2,5,6,2]"), ("...", "[2,5,6,2]"), ("[2,3,4,5]", "..."),
    ("[2,3,4,5]", "[?,?,?,?]"), ("[1..3,3,4,5]", "[2..5,7,?,2]"),
])
def test_grid_sample_shape_inference_matches_openvino(data, grid):
    assert_same_inference(lambda opset, d, g: opset.grid_sample(d, g, {}),
                          (data, np.float32), (grid, np.float32))


def test_grid_sample_round_trips_with_openvino():
    attributes = {"align_corners": True, "mode": "bicubic", "padding_mode": "reflection"}
    assert_round_trip(lambda opset, d, g: opset.grid_sample(d, g, attributes),
                      ("[1,2,3,4]", np.float32), ("[1,5,6,2]", np.float32))


def _sample(data_shape, grid_shape, grid_type=np.float32, attributes=None):
    return lambda: ops.grid_sample(ops.parameter(data_shape, np.float32),
                                   ops.parameter(grid_shape, grid_type), attributes or {})


@pytest.mark.parametrize("build, match", [
    (_sample([2, 3, 4, 5], [3, 5, 6, 2]), "same batch size"),
    (_sample([2, 3, 4], [2, 5, 6, 2]), "4-D"),
    (_sample([2, 3, 4, 5], [2, 5, 6, 3]), "must be 2"),
    (_sample([2, 3, 4, 5], [2, 5, 6, 2], np.int32), "floating-point"),
])
def test_grid_sample_rejects_bad_input(build, match):
    assert_rejected(build, match)


def test_grid_sample_names_a_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        _sample([1, 1, 2, 2], [1, 1, 1, 2], attributes={"mode": "linear"})()
