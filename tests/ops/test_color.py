"""NV12toRGB/BGR-8 and I420toRGB/BGR-8 against OpenVINO: single and multi-plane inputs, u8 and
float images, several sizes; shape inference with dynamic dimensions; bad inputs refused."""
import numpy as np
import pytest

from ov_notebook import opset as ops
from ov_notebook.ir.errors import OpValidationError
from .opcheck import assert_same_inference, compare_with_openvino

CONVERSIONS = ["nv12_to_rgb", "nv12_to_bgr", "i420_to_rgb", "i420_to_bgr"]


def planes(name, single, n, h, w, dtype, rng):
    def plane(*shape):
        return rng.integers(0, 256, shape).astype(dtype)

    if single:
        return [plane(n, h * 3 // 2, w, 1)]
    if name.startswith("nv12"):
        return [plane(n, h, w, 1), plane(n, h // 2, w // 2, 2)]
    return [plane(n, h, w, 1), plane(n, h // 2, w // 2, 1), plane(n, h // 2, w // 2, 1)]


@pytest.mark.parametrize("name", CONVERSIONS)
@pytest.mark.parametrize("single", [True, False], ids=["single", "planes"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("size", [(1, 2, 2), (2, 4, 6), (1, 10, 16)])
def test_matches_openvino(name, single, dtype, size):
    rng = np.random.default_rng(sum(size))
    inputs = planes(name, single, *size, dtype, rng)
    ours = compare_with_openvino(lambda *p: getattr(ops, name)(*p), inputs, atol=1e-4)
    n, h, w = size
    assert ours[0].shape == (n, h, w, 3) and ours[0].dtype == dtype


def test_extreme_values_clip_and_round():
    y = np.array([0, 16, 235, 255], np.uint8).reshape(1, 2, 2, 1)
    uv = np.array([0, 255], np.uint8).reshape(1, 1, 1, 2)
    out = compare_with_openvino(lambda a, b: ops.nv12_to_rgb(a, b), [y, uv])[0]
    assert out.min() == 0 and out.max() == 255


@pytest.mark.parametrize("name", CONVERSIONS)
@pytest.mark.parametrize("shape", ["[?,?,?,1]", "[2,9,?,1]", "[?,6,4,?]", "[...]"])
def test_single_plane_inference_is_openvinos(name, shape):
    assert_same_inference(lambda opset, y: getattr(opset, name)(y), (shape, np.uint8))


@pytest.mark.parametrize("shapes", [("[?,4,?,1]", "[1,?,3,2]"), ("[...]", "[2,2,3,2]"),
                                    ("[2,4,6,1]", "[...]")])
def test_two_plane_inference_is_openvinos(shapes):
    assert_same_inference(lambda opset, y, uv: opset.nv12_to_rgb(y, uv),
                          *[(s, np.float32) for s in shapes])


@pytest.mark.parametrize("shape, message", [
    ([1, 5, 4, 1], "multiple of 3"),
    ([1, 6, 5, 1], "width must be even"),
    ([1, 6, 4, 3], "1 channel"),
    ([6, 4, 1], "rank 4"),
])
def test_bad_images_are_refused(shape, message):
    with pytest.raises(OpValidationError, match=message):
        ops.nv12_to_rgb(ops.parameter(shape, np.uint8))


def test_planes_must_agree():
    y = ops.parameter([1, 4, 4, 1], np.uint8)
    with pytest.raises(OpValidationError, match="half the image's size"):
        ops.nv12_to_rgb(y, ops.parameter([1, 4, 4, 2], np.uint8))
    with pytest.raises(OpValidationError, match="one element type"):
        ops.i420_to_rgb(y, ops.parameter([1, 2, 2, 1], np.float32),
                        ops.parameter([1, 2, 2, 1], np.float32))
    with pytest.raises(OpValidationError, match="u8 or a float type"):
        ops.nv12_to_bgr(ops.parameter([1, 6, 4, 1], np.int32))
