"""FakeQuantize-1 against OpenVINO: per-tensor and per-channel ranges, levels 2..256, inverted
input ranges, values on the range edges; inference equal to OpenVINO's; bad inputs refused.

OpenVINO's CPU plugin computes FakeQuantize in a scale/shift form, so a value that lands within
float rounding of a half step may snap to the neighbouring level there; the comparison allows one
level of difference on at most a few elements and checks our values against OpenVINO's reference
formula exactly."""
import numpy as np
import pytest

from ov_notebook import opset as ops
from ov_notebook.ir.errors import OpValidationError
from ov_notebook.ir.ops.quantization import fake_quantize as reference

from oracle import run_openvino, run_ours

from .opcheck import assert_same_inference

import ov_notebook as ov


def check(x, il, ih, ol, oh, levels):
    param = ops.parameter(list(x.shape), np.float32, name="x")
    model = ov.Model([ops.fake_quantize(param, il, ih, ol, oh, levels)], [param])
    ours = run_ours(model, [x])[0]
    theirs = run_openvino(model, [x])[0]
    expected = reference(*np.broadcast_arrays(x, il, ih, ol, oh)[:1],
                         *(np.asarray(v, np.float32) for v in (il, ih, ol, oh)), levels)
    np.testing.assert_array_equal(ours, expected)
    step = np.max(np.abs(np.asarray(oh, np.float32) - np.asarray(ol, np.float32))) / (levels - 1)
    differ = ~np.isclose(ours, theirs, rtol=1e-6, atol=1e-6)
    assert np.abs(ours - theirs).max() <= step * 1.001 + 1e-6
    assert differ.mean() <= 0.01, f"{differ.sum()} of {differ.size} differ from OpenVINO"
    return ours


@pytest.mark.parametrize("levels", [2, 3, 16, 255, 256])
def test_per_tensor(levels):
    x = np.random.default_rng(levels).uniform(-3, 3, (2, 3, 8, 8)).astype(np.float32)
    out = check(x, np.float32(-2), np.float32(2), np.float32(-1), np.float32(1), levels)
    assert len(np.unique(out)) <= levels


def test_per_channel_and_inverted_output_range():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (2, 4, 5, 5)).astype(np.float32)
    il = rng.uniform(-2, -0.5, (1, 4, 1, 1)).astype(np.float32)
    ih = rng.uniform(0.5, 2, (1, 4, 1, 1)).astype(np.float32)
    check(x, il, ih, ih, il, 256)


def test_range_edges():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, -3.0], np.float32)
    out = check(x, np.float32(-1), np.float32(2), np.float32(0), np.float32(3), 4)
    np.testing.assert_array_equal(out, [0, 0, 1, 2, 3, 3, 0])


@pytest.mark.parametrize("shapes", [("[?,3,?,?]", "[1,3,1,1]"), ("[...]", "[]"),
                                    ("[2,3,4]", "[1,1,1,1]"), ("[?,?]", "[1,5]")])
def test_inference_is_openvinos(shapes):
    data, ranges = shapes
    assert_same_inference(lambda opset, x, r: opset.fake_quantize(x, r, r, r, r, 256),
                          (data, np.float32), (ranges, np.float32))


def test_bad_inputs():
    x = ops.parameter([2, 3], np.float32)
    with pytest.raises(OpValidationError, match="levels must be greater than 1"):
        ops.fake_quantize(x, -1.0, 1.0, -1.0, 1.0, 1)
    with pytest.raises(OpValidationError, match="float tensors"):
        ops.fake_quantize(ops.parameter([2], np.int32), 0, 1, 0, 1, 256)
    with pytest.raises(OpValidationError, match="broadcast|incompatible|cannot"):
        ops.fake_quantize(x, np.zeros(4, np.float32), 1.0, -1.0, 1.0, 256)
    # OpenVINO accepts a range that would broadcast X to more elements (and keeps X's shape);
    # that is refused here, by name
    with pytest.raises(OpValidationError, match="a range must fit X's shape"):
        ops.fake_quantize(ops.parameter([2, 1], np.float32), np.zeros((2, 5), np.float32), 1.0,
                          -1.0, 1.0, 256)
