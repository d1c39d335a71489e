"""Interpolate-11 against real OpenVINO (and torch.nn.functional.interpolate for torch's modes).

OpenVINO's CPU plugin resizes only spatial axes (2 and up; cubic and the pillow modes the last
two, pillow on 4-D data): on N or C it returns wrong shapes or garbage, so the randomized
comparisons stay on spatial axes. Our kernel follows the specification on any axis.
"""
import os
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import read_model
from oracle import run_openvino, run_ours

from .opcheck import OV, assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

F32 = np.float32
MODES = ["nearest", "linear", "linear_onnx", "cubic", "bilinear_pillow", "bicubic_pillow"]
COORDINATES = ["half_pixel", "pytorch_half_pixel", "asymmetric", "tf_half_pixel_for_nn", "align_corners"]
NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "simple"]
SCALES = [0.333, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]


def _image(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(F32)


# what torch's F.interpolate becomes in OpenVINO's PyTorch frontend
TORCH_NEAREST = dict(mode="nearest", coordinate_transformation_mode="asymmetric",
                     nearest_mode="floor")
TORCH_LINEAR = dict(mode="linear_onnx", coordinate_transformation_mode="pytorch_half_pixel")
TORCH_LINEAR_ALIGN = dict(mode="linear_onnx", coordinate_transformation_mode="align_corners")
TORCH_CUBIC = dict(mode="cubic", coordinate_transformation_mode="pytorch_half_pixel")
TORCH_CUBIC_ALIGN = dict(mode="cubic", coordinate_transformation_mode="align_corners")
TORCH_CASES = [
    ("nearest 2x", [1, 3, 5, 7], [2.0, 2.0], TORCH_NEAREST),
    ("nearest size", [2, 3, 5, 7], [9, 4], TORCH_NEAREST),
    ("nearest 1d", [2, 3, 6], [13], TORCH_NEAREST),
    ("nearest 3d", [1, 2, 3, 4, 5], [6, 8, 10], TORCH_NEAREST),
    ("bilinear", [1, 3, 5, 7], [10, 14], TORCH_LINEAR),
    ("bilinear 1.5x", [1, 3, 5, 7], [1.5, 1.5], TORCH_LINEAR),
    ("bilinear down", [2, 3, 16, 9], [5, 4], TORCH_LINEAR),
    ("bilinear align", [1, 3, 5, 7], [11, 3], TORCH_LINEAR_ALIGN),
    ("linear 1d", [2, 4, 7], [15], TORCH_LINEAR),
    ("trilinear", [1, 2, 3, 4, 5], [5, 6, 7], TORCH_LINEAR_ALIGN),
    ("bicubic", [1, 3, 5, 7], [12, 9], TORCH_CUBIC),
    ("bicubic align", [1, 3, 5, 7], [3, 20], TORCH_CUBIC_ALIGN),
    ("bilinear antialias", [1, 3, 17, 12], [5, 7], dict(mode="bilinear_pillow")),
    ("bicubic antialias", [1, 3, 17, 12], [6, 4], dict(mode="bicubic_pillow")),
]


@pytest.mark.parametrize("name, shape, target, attrs", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_torch_resizes_match_openvino(name, shape, target, attrs):
    axes = list(range(2, len(shape)))
    by_scales = isinstance(target[0], float)
    target = np.array(target, F32 if by_scales else np.int64)
    compare_with_openvino(
        lambda x: ops.interpolate(x, target, shape_calculation_mode="scales" if by_scales else "sizes",
                                  axes=axes, **attrs), [_image(shape)], atol=1e-5)


TORCH_MODES = [  # (torch mode, align_corners, our mode, coordinate mode)
    ("nearest", None, "nearest", "asymmetric"), ("bilinear", False, "linear_onnx", "pytorch_half_pixel"),
    ("bilinear", True, "linear_onnx", "align_corners"), ("bicubic", False, "cubic", "pytorch_half_pixel"),
    ("bicubic", True, "cubic", "align_corners"),
]


@pytest.mark.parametrize("torch_mode, align_corners, mode, coordinates", TORCH_MODES)
@pytest.mark.parametrize("size", [(10, 14), (3, 4), (5, 21)])
def test_torch_modes_match_torch(torch_mode, align_corners, mode, coordinates, size):
    torch = pytest.importorskip("torch")
    x = _image([2, 3, 5, 7])
    if torch_mode == "nearest":
        size = (10, 14)  # integer factors: torch and OpenVINO agree on the source pixel
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=torch_mode,
                                               align_corners=align_corners).numpy()
    param = ops.parameter(list(x.shape), F32)
    node = ops.interpolate(param, list(size), mode, "sizes", coordinate_transformation_mode=coordinates,
                           nearest_mode="floor", axes=[2, 3])
    (result,) = run_ours(ov.Model([node], [param]), [x])
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


@st.composite
def interpolate_cases(draw):
    mode = draw(st.sampled_from(MODES))
    rank = 4 if mode.endswith("pillow") else draw(st.integers(3, 5))
    shape = draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank))
    spatial = (list(range(rank - 2, rank)) if mode in ("cubic",) or mode.endswith("pillow")
               else list(range(2, rank)))
    spatial = [a for a in spatial if a >= 2] or [rank - 1]
    axes = sorted(draw(st.lists(st.sampled_from(spatial), min_size=1, max_size=len(spatial), unique=True)))
    by_scales = draw(st.booleans())
    target = [draw(st.sampled_from(SCALES)) if by_scales else draw(st.integers(1, 2 * shape[a] + 2))
              for a in axes]
    pads = None
    if rank >= 4 and draw(st.booleans()):  # the plugin mishandles pads on 3-D data
        pads = [[0, 0] + draw(st.lists(st.integers(0, 2), min_size=rank - 2, max_size=rank - 2))
                for _ in range(2)]
    return shape, axes, np.array(target, F32 if by_scales else np.int64), mode, pads


@settings(max_examples=80, deadline=None)
@given(case=interpolate_cases(), coordinates=st.sampled_from(COORDINATES),
       nearest=st.sampled_from(NEAREST), antialias=st.booleans(), cube_coeff=st.sampled_from([-0.75, -0.5]))
def test_random_resizes_match_openvino(case, coordinates, nearest, antialias, cube_coeff):
    shape, axes, target, mode, pads = case
    by_scales = target.dtype == F32
    pads_begin, pads_end = pads if pads else (None, None)
    compare_with_openvino(
        lambda x: ops.interpolate(x, target, mode, "scales" if by_scales else "sizes", pads_begin, pads_end,
                                  coordinates, nearest, antialias, cube_coeff, axes),
        [_image(shape, len(axes))], atol=1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.float16])
def test_nearest_keeps_other_types_exactly(dtype):
    x = (np.random.default_rng(3).integers(0, 100, (1, 2, 4, 5))).astype(dtype)
    compare_with_openvino(lambda p: ops.interpolate(p, [7, 9], "nearest", "sizes", axes=[2, 3]), [x],
                          rtol=0, atol=0)


def test_every_axis_resizes_by_the_specification():
    # N and C too (OpenVINO's CPU plugin cannot): nearest doubling repeats every element
    x = np.arange(6, dtype=F32).reshape(2, 3)
    param = ops.parameter([2, 3], F32)
    node = ops.interpolate(param, [2.0, 2.0], "nearest", "scales",
                           coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    (result,) = run_ours(ov.Model([node], [param]), [x])
    np.testing.assert_array_equal(result, x.repeat(2, 0).repeat(2, 1))


def test_a_zero_output_length_gives_an_empty_result():
    param = ops.parameter([1, 1, 1, 4], F32)
    node = ops.interpolate(param, np.array([0.5], F32), "linear_onnx", "scales", axes=[2])
    (result,) = run_ours(ov.Model([node], [param]), [np.ones((1, 1, 1, 4), F32)])
    assert result.shape == (1, 1, 0, 4)


def _float(shape):
    return (shape, F32)


SHAPE_CASES = [
    ("[2,3,?,2..6]", np.array([8, 8]), np.array([2, 3]), "sizes", None),
    ("[2,3,?,2..6]", np.array([2.0, 1.5], F32), np.array([2, 3]), "scales", None),
    ("[2,3,10,3..7]", np.array([0.333, 0.5], F32), np.array([2, 3]), "scales", None),
    ("[2,3,4,4]", np.array([2, 3, 8, 8]), None, "sizes", None),
    ("[2,3,4,4]", np.array([2.0, 2.0], F32), np.array([2, 3]), "scales", ([0, 0, 1, 2], [0, 0, 1])),
    ("[2,3,4,?]", np.array([8, 8, 8]), np.array([2, 3]), "sizes", ([0, 0, 1], [1])),
    ("[...]", np.array([8, 8]), np.array([2, 3]), "sizes", None),
    ("[2,3,4,4]", ("[2]", np.int64), np.array([2, 3]), "sizes", None),
    ("[2,3,4,4]", ("[2]", F32), np.array([1, 3]), "scales", ([0, 2], None)),
    ("[2,3,4,4]", np.array([8, 8]), ("[2]", np.int64), "sizes", None),
    ("[2,3,4,4]", np.array([8, 8]), np.array([2, 2]), "sizes", None),
    ("[2,3,4,4]", np.array([8, 8], np.int32), np.array([2, 3], np.int32), "sizes", None),
]


@pytest.mark.parametrize("data, target, axes, calculation, pads", SHAPE_CASES)
def test_shape_inference_matches_openvino(data, target, axes, calculation, pads):
    pads_begin, pads_end = pads or (None, None)
    inputs = [(data, F32)] + [v for v in (target, axes) if isinstance(v, tuple)]

    def build(o, x, *params):
        params = list(params)
        sizes = params.pop(0) if isinstance(target, tuple) else target
        axis_values = params.pop(0) if isinstance(axes, tuple) else axes
        return o.interpolate(x, sizes, "linear", calculation, pads_begin, pads_end, axes=axis_values)

    assert_same_inference(build, *inputs)


def test_pads_are_stored_at_the_image_rank():
    node = ops.interpolate(ops.parameter([1, 2, 3, 4], F32), [6], "nearest", "sizes", [0, 0, 1], axes=[3])
    assert node.get_attributes()["pads_begin"] == [0, 0, 1, 0]
    assert node.get_attributes()["pads_end"] == [0, 0, 0, 0]


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3, 4, 4], F32)
    assert_rejected(lambda: ops.interpolate(x, [8, 8], "nearest", "sizes", axes=[-2, -1]),
                    r"axes \[-2, -1\] must be in \[0, 3\]")
    assert_rejected(lambda: ops.interpolate(x, [8, 8], "nearest", "sizes", axes=[2, 4]),
                    r"must be in \[0, 3\]")
    assert_rejected(lambda: ops.interpolate(x, [8.0, 8.0], "nearest", "sizes", axes=[2, 3]),
                    r"sizes \(input 1\) must be one of")
    assert_rejected(lambda: ops.interpolate(x, [2, 2], "nearest", "scales", axes=[2, 3]),
                    r"scales \(input 1\) must be one of")
    assert_rejected(lambda: ops.interpolate(x, [8, 8], "nearest", "sizes",
                                            axes=np.array([2.0, 3.0], F32)), r"axes \(input 2\)")
    assert_rejected(lambda: ops.interpolate(x, np.array([[8, 8]]), "nearest", "sizes", axes=[2, 3]),
                    r"input 1 must be 1-D")
    assert_rejected(lambda: ops.interpolate(x, [8], "nearest", "sizes", axes=[2, 3]),
                    r"sizes has 1 elements but there are 2 axes")
    assert_rejected(lambda: ops.interpolate(x, [8, 8], "nearest", "sizes"),
                    r"sizes has 2 elements but there are 4 axes")
    assert_rejected(lambda: ops.interpolate(x, [8, 8], "bilinear", "sizes", axes=[2, 3]), r"mode")
    assert_rejected(lambda: ops.interpolate(x, [8, 8], "nearest", "sizes", [0, 0, -1, 0],
                                            axes=[2, 3]), r"pads_begin")
    assert_rejected(lambda: ops.interpolate(ops.parameter([2, 2], np.bool_), [4], "nearest",
                                            "sizes", axes=[1]),
                    r"image \(input 0\) must be one of")


@pytest.mark.parametrize("mode", MODES)
def test_round_trip(mode):
    def build(o, x):
        return o.interpolate(x, np.array([1.5, 2.0], F32), mode, "scales", [0, 0, 1, 0], None,
                             "align_corners", "ceil", True, -0.5, np.array([2, 3]))

    assert_round_trip(build, _float("[1,3,4,5]"))


def test_interpolate4_written_by_openvino_reads_and_runs():
    import openvino
    from openvino.utils.node_factory import NodeFactory

    x = OV.parameter([1, 2, 3, 4], F32)
    inputs = [x] + [OV.constant(v) for v in (np.array([6, 5]), np.array([2.0, 1.25], F32), np.array([2, 3]))]
    node = NodeFactory("opset4").create("Interpolate", inputs, {
        "mode": "linear_onnx", "shape_calculation_mode": "sizes",
        "coordinate_transformation_mode": "half_pixel", "nearest_mode": "floor", "antialias": False,
        "pads_begin": [0] * 4, "pads_end": [0] * 4, "cube_coeff": -0.75})
    path = os.path.join(tempfile.mkdtemp(prefix="ovn_interp4_"), "model.xml")
    openvino.save_model(openvino.Model([node], [x]), path)
    model = read_model(path)
    (ours,) = [n for n in model.get_ordered_ops() if n.get_type_name() == "Interpolate"]
    assert ours.get_version() == "opset4" and str(ours.get_output_partial_shape(0)) == "[1,2,6,5]"
    data = _image([1, 2, 3, 4])
    np.testing.assert_allclose(run_ours(model, [data])[0], run_openvino(model, [data])[0],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["linear_onnx", "cubic", "linear", "bilinear_pillow"])
def test_long_axes_gathered_tap_by_tap_match_openvino(mode):
    # 2100 -> 2000 is past the size where the kernel builds a dense weight matrix
    compare_with_openvino(lambda x: ops.interpolate(x, [3, 2000], mode, "sizes", axes=[2, 3]),
                          [_image([1, 1, 2, 2100])], atol=1e-5)


@pytest.mark.parametrize("sized", ["[2,3..5,?]", "[2,7,8]", "[...]"])
def test_sizes_from_a_shape_subgraph_match_openvino(sized):
    def build(o, x, other):  # sizes = dims 1 and 2 of another input's shape
        sizes = o.gather(o.shape_of(other), np.array([1, 2]), np.int64(0))
        return o.interpolate(x, sizes, "nearest", "sizes", axes=np.array([2, 3]))

    assert_same_inference(build, ("[1,3,4,4]", F32), (sized, F32))
