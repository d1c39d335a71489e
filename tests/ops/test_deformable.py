"""DeformableConvolution-8 against real OpenVINO: values over groups, deformable groups,
strides, pads, dilations, mask and bilinear_interpolation_pad; shape inference; errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino


def _output_size(size, kernel, stride, pad, dilation):
    return (size + 2 * pad - (kernel - 1) * dilation - 1) // stride + 1


@settings(max_examples=40, deadline=None)
@given(batch=st.integers(1, 2), group=st.sampled_from([1, 2]), deformable=st.sampled_from([1, 2]),
       per_group=st.integers(1, 2), out_per_group=st.integers(1, 3),
       size=st.tuples(st.integers(3, 7), st.integers(3, 7)),
       kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)), stride=st.integers(1, 2),
       pad=st.integers(0, 1), dilation=st.integers(1, 2), with_mask=st.booleans(),
       interpolation_pad=st.booleans(), spread=st.sampled_from([0.0, 0.7, 2.5]),
       seed=st.integers(0, 1000))
def test_deformable_convolution_matches_openvino(batch, group, deformable, per_group,
                                                 out_per_group, size, kernel, stride, pad,
                                                 dilation, with_mask, interpolation_pad, spread,
                                                 seed):
    channels = group * deformable * per_group
    out_h, out_w = (_output_size(s, k, stride, pad, dilation) for s, k in zip(size, kernel))
    if out_h < 1 or out_w < 1:
        return
    rng = np.random.default_rng(seed)
    taps = kernel[0] * kernel[1]
    data = rng.standard_normal((batch, channels) + size).astype(np.float32)
    offsets = rng.uniform(-spread, spread, (batch, deformable * 2 * taps, out_h, out_w))
    filters = rng.standard_normal((group * out_per_group, channels // group) + kernel)
    inputs = [data, offsets.astype(np.float32), filters.astype(np.float32)]
    if with_mask:
        inputs.append(rng.uniform(0, 1, (batch, deformable * taps, out_h, out_w)).astype(np.float32))
    attributes = dict(strides=[stride] * 2, pads_begin=[pad] * 2, pads_end=[pad] * 2,
                      dilations=[dilation] * 2)
    compare_with_openvino(lambda d, o, f, *m: ops.deformable_convolution(
        d, o, f, mask=m[0] if m else None, group=group, deformable_group=deformable,
        bilinear_interpolation_pad=interpolation_pad, **attributes), inputs,
        rtol=1e-4, atol=1e-4)


def test_deformable_convolution_at_integer_offsets_on_the_border_matches_openvino():
    # taps exactly on the last row/column and one pixel outside: the edge cases of both rules
    data = np.arange(2 * 4 * 5, dtype=np.float32).reshape(1, 2, 4, 5)
    offsets = np.zeros((1, 2 * 4, 4, 5), np.float32)
    offsets[0, 0::2] = np.array([0, 1, 3, -1], np.float32)[:, None, None]
    offsets[0, 1::2] = np.array([4, -1, 0, 1], np.float32)[:, None, None]
    filters = np.ones((1, 2, 2, 2), np.float32)
    for interpolation_pad in (False, True):
        compare_with_openvino(lambda d, o, f, interpolation_pad=interpolation_pad:
                              ops.deformable_convolution(
                                  d, o, f, [1, 1], [1, 1], [0, 0], [1, 1],
                                  bilinear_interpolation_pad=interpolation_pad),
                              [data, offsets, filters])


@pytest.mark.parametrize("shapes", [
    ("[?,4,?,?]", "[?,36,?,?]", "[6,2,3,3]", None), ("...", "...", "[6,2,3,3]", None),
    ("[1,4,6,7]", "[?,?,?,?]", "...", None), ("[2,4,6,7]", "[?,36,?,?]", "[6,2,3,3]", "[?,?,2..5,?]"),
    ("[?,4,10,?]", "[2,36,?,?]", "[6,2,3,3]", "[?,18,?,3]"),
    ("[?,4,10,?]", "[?,36,?,?]", "[6,2,3,3]", "[3,18,?,3]"),
])
def test_deformable_convolution_shape_inference_matches_openvino(shapes):
    def build(opset, data, offsets, filters, *mask):
        return opset.deformable_convolution(data, offsets, filters, [2, 1], [1, 0], [1, 0], [1, 1],
                                            mask[0] if mask else None, "explicit", 2, 2)
    assert_same_inference(build, *[(s, np.float32) for s in shapes if s])


def test_deformable_convolution_round_trips_with_openvino():
    assert_round_trip(lambda opset, d, o, f, m: opset.deformable_convolution(
        d, o, f, [1, 1], [0, 0], [0, 0], [1, 1], m, "explicit", 2, 2, True),
        ("[1,4,6,7]", np.float32), ("[1,36,4,5]", np.float32), ("[6,2,3,3]", np.float32),
        ("[1,18,4,5]", np.float32))


def _build(data=(1, 4, 6, 7), offsets=(1, 36, 4, 5), filters=(6, 2, 3, 3), mask=None, **kw):
    attributes = dict(group=2, deformable_group=2)
    attributes.update(kw)
    return lambda: ops.deformable_convolution(
        ops.parameter(data, np.float32), ops.parameter(offsets, np.float32),
        ops.parameter(filters, np.float32), [1, 1], [0, 0], [0, 0], [1, 1],
        None if mask is None else ops.parameter(mask, np.float32), **attributes)


@pytest.mark.parametrize("build, match", [
    (_build(offsets=(1, 35, 4, 5)), "offsets channels"),
    (_build(offsets=(1, 36, 3, 5)), "spatial dimensions of offsets"),
    (_build(data=(1, 5, 6, 7)), "data channels"),
    (_build(offsets=(2, 36, 4, 5)), "batch of offsets"),
    (_build(mask=(1, 17, 4, 5)), "mask channels"),
    (_build(data=(4, 6, 7)), "4-D"),
    (_build(group=0), "positive"),
])
def test_deformable_convolution_rejects_bad_input(build, match):
    assert_rejected(build, match)
