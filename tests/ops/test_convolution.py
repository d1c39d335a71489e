"""Convolution-1, GroupConvolution-1, ConvolutionBackpropData-1 and GroupConvolutionBackpropData-1
against real OpenVINO: outputs, shape inference, rejected inputs and IR round trips."""
import contextlib
import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir.ops.convolution import dilated
from ov_notebook.runtime import passes as ov_passes
from ov_notebook.runtime.kernels import _depthwise
from ov_notebook.runtime.kernels.convolution import convolve, prepare_convolution_weights
from oracle import assert_outputs_match, run_openvino, run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference

AUTO_PADS = ["explicit", "valid", "same_upper", "same_lower"]


def compare(build, inputs, rtol=1e-5):
    """Ours vs OpenVINO; sums of many products get an absolute tolerance scaled to the output."""
    params = [ops.parameter(list(a.shape), a.dtype, name=f"input{i}") for i, a in enumerate(inputs)]
    model = ov.Model(build(*params).outputs(), params)
    ours, theirs = run_ours(model, inputs), run_openvino(model, inputs)
    scale = max(float(np.abs(t).max()) if t.size else 0.0 for t in theirs)
    assert_outputs_match(ours, theirs, rtol=rtol, atol=rtol * max(scale, 1.0))
    return ours


@st.composite
def conv_config(draw, transposed=False):
    rank = draw(st.integers(1, 3))
    axes = st.lists(st.integers(1, 3), min_size=rank, max_size=rank)
    pads = st.lists(st.integers(0, 2), min_size=rank, max_size=rank)
    config = dict(kernel=draw(axes), strides=draw(axes),
                  dilations=draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank)),
                  pads_begin=draw(pads), pads_end=draw(pads),
                  auto_pad=draw(st.sampled_from(AUTO_PADS)),
                  groups=draw(st.sampled_from([1, 1, 2, 3])), batch=draw(st.integers(1, 2)),
                  per_group_in=draw(st.integers(1, 3)), per_group_out=draw(st.integers(1, 3)),
                  depthwise=draw(st.booleans()))
    if config["depthwise"]:
        config.update(per_group_in=1, groups=draw(st.integers(2, 5)))
    low = [dilated(k, d) for k, d in zip(config["kernel"], config["dilations"])]
    config["spatial"] = [draw(st.integers(1 if transposed else lo, lo + 6)) for lo in low]
    return config


def _weights(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


@contextlib.contextmanager
def depthwise_layout(channels_last):
    """Send every depthwise convolution down one of the two kernel layouts (channels-first in
    blocks of one channel, so that the block bookkeeping is exercised too)."""
    saved = _depthwise.PLANES_FROM_POSITIONS, _depthwise.BLOCK_BYTES
    _depthwise.PLANES_FROM_POSITIONS = 1 << 62 if channels_last else 0
    _depthwise.BLOCK_BYTES = 1
    try:
        yield
    finally:
        _depthwise.PLANES_FROM_POSITIONS, _depthwise.BLOCK_BYTES = saved


@settings(max_examples=60, deadline=None)
@given(config=conv_config(), channels_last=st.booleans())
def test_convolution_matches_openvino(config, channels_last):
    with depthwise_layout(channels_last):
        _check_convolution(config)


def _check_convolution(config):
    c = config
    groups = c["groups"]
    x = np.random.default_rng(1).standard_normal(
        [c["batch"], groups * c["per_group_in"]] + c["spatial"]).astype(np.float32)
    rng = np.random.default_rng(2)
    attrs = [c["strides"], c["pads_begin"], c["pads_end"], c["dilations"], c["auto_pad"]]
    padded = [n + (b + e if c["auto_pad"] == "explicit" else 0) for n, b, e in
              zip(c["spatial"], c["pads_begin"], c["pads_end"])]
    assume(all(p >= dilated(k, d) for p, k, d in zip(padded, c["kernel"], c["dilations"])))
    if groups == 1 and not c["depthwise"]:
        w = _weights(rng, [c["per_group_out"], c["per_group_in"]] + c["kernel"])
        out = ops.convolution(ops.parameter(list(x.shape), np.float32), w, *attrs).output(0)
        # OpenVINO's own miss; test_strided_dilated_sweep_with_size_one_outputs covers these
        assume(not _openvino_misses(c["per_group_in"], c["kernel"], c["strides"],
                                    out.get_shape()[2:]))
        compare(lambda p: ops.convolution(p, w, *attrs), [x])
    else:
        w = _weights(rng, [groups, c["per_group_out"], c["per_group_in"]] + c["kernel"])
        compare(lambda p: ops.group_convolution(p, w, *attrs), [x])


@settings(max_examples=50, deadline=None)
@given(config=conv_config(transposed=True), data=st.data())
def test_convolution_backprop_matches_openvino(config, data):
    c = config
    groups = c["groups"]
    x = np.random.default_rng(3).standard_normal(
        [c["batch"], groups * c["per_group_in"]] + c["spatial"]).astype(np.float32)
    output_padding = [data.draw(st.integers(0, s - 1)) for s in c["strides"]]
    full = [(n - 1) * s + dilated(k, d) for n, s, k, d in
            zip(c["spatial"], c["strides"], c["kernel"], c["dilations"])]
    output_shape = None
    if data.draw(st.booleans()):
        output_shape = [data.draw(st.integers(max(1, f - 3), f + 2)) for f in full]
        # OpenVINO's CPU plugin crops a 1x1 kernel's output given with explicit pads its own
        # way (its deconv.cpp works around oneDNN for "1x1 with asymmetric padding"), and not
        # even consistently: [1,1,1] input, pads 1/0, output_shape [1] gave x*w for one channel
        # and 0 for two. Larger kernels start the output pads_begin into the full result, as ours
        assume(not (all(k == 1 for k in c["kernel"]) and c["auto_pad"] == "explicit" and
                    any(c["pads_begin"] + c["pads_end"])))
    else:
        natural = [f + p - (b + e if c["auto_pad"] == "explicit" else 0) for f, p, b, e in
                   zip(full, output_padding, c["pads_begin"], c["pads_end"])]
        assume(all(n >= 1 for n in natural))
    kwargs = dict(output_shape=output_shape, pads_begin=c["pads_begin"], pads_end=c["pads_end"],
                  dilations=c["dilations"], auto_pad=c["auto_pad"], output_padding=output_padding)
    rng = np.random.default_rng(4)
    if groups == 1 and not c["depthwise"]:
        w = _weights(rng, [c["per_group_in"], c["per_group_out"]] + c["kernel"])
        compare(lambda p: ops.convolution_backprop_data(p, w, c["strides"], **kwargs), [x])
    else:
        w = _weights(rng, [groups, c["per_group_in"], c["per_group_out"]] + c["kernel"])
        compare(lambda p: ops.group_convolution_backprop_data(p, w, c["strides"], **kwargs), [x])


@pytest.mark.parametrize("spatial, kernel, stride, dilation, multiplier", [
    ([9], [3], [2], [1], 1), ([12, 11], [5, 5], [2, 2], [1, 1], 1),
    ([7, 7], [3, 3], [1, 1], [2, 2], 2),
    ([5, 6, 7], [3, 1, 3], [1, 2, 1], [1, 1, 2], 1)])
def test_wide_depthwise_layers(spatial, kernel, stride, dilation, multiplier):
    channels = 96  # small images: the channels-last path
    rng = np.random.default_rng(8)
    x = rng.standard_normal([1, channels] + spatial).astype(np.float32)
    w = rng.standard_normal([channels, multiplier, 1] + kernel).astype(np.float32)
    pads = [k // 2 for k in kernel]
    compare(lambda p: ops.group_convolution(p, w, stride, pads, [0] * len(pads), dilation), [x])


@pytest.mark.parametrize("shape, kernel, stride, dilation, multiplier", [
    ([2, 24, 64, 64], [3, 3], [1, 1], [1, 1], 1), ([1, 40, 96, 90], [5, 5], [2, 2], [1, 1], 1),
    ([1, 12, 70, 66], [3, 3], [2, 1], [2, 3], 2), ([1, 8, 4100], [3], [2], [2], 1)])
def test_large_depthwise_layers(shape, kernel, stride, dilation, multiplier):
    """Images past PLANES_FROM_POSITIONS: channels-first stride phases, split in blocks."""
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal([shape[1], multiplier, 1] + kernel).astype(np.float32)
    pads = [k // 2 for k in kernel]
    saved = _depthwise.BLOCK_BYTES
    _depthwise.BLOCK_BYTES = 1 << 16
    try:
        compare(lambda p: ops.group_convolution(p, w, stride, pads, [1] * len(pads), dilation),
                [x])
    finally:
        _depthwise.BLOCK_BYTES = saved


@pytest.mark.parametrize("shape, out_channels, pads_begin, pads_end, auto_pad, dtype", [
    ([2, 64, 13, 9], 64, [1, 1], [1, 1], "explicit", np.float32),
    ([1, 64, 7, 7], 96, [0, 0], [0, 0], "explicit", np.float32),
    ([3, 80, 10, 11], 64, [2, 0], [1, 2], "explicit", np.float32),
    ([1, 64, 12, 5], 64, [0, 0], [0, 0], "same_lower", np.float32),
    ([1, 64, 6, 6], 64, [1, 1], [1, 1], "explicit", np.float64)])
def test_winograd_layers(shape, out_channels, pads_begin, pads_end, auto_pad, dtype):
    """3x3 stride-1 convolutions with 64 channels and more take the Winograd path."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal([out_channels, shape[1], 3, 3]).astype(dtype)
    compare(lambda p: ops.convolution(p, w, [1, 1], pads_begin, pads_end, [1, 1], auto_pad), [x])


@pytest.mark.parametrize("dtype, rtol", [(np.float16, 2e-3), (np.float64, 1e-5)])
def test_other_float_types(dtype, rtol):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 4, 6, 6)).astype(dtype)
    dense = rng.standard_normal((3, 4, 3, 3)).astype(dtype)
    depthwise = rng.standard_normal((4, 1, 1, 3, 3)).astype(dtype)
    if dtype == np.float64:  # OpenVINO's CPU plugin runs f64 convolutions in f32
        ours = compare(lambda p: ops.convolution(p, dense, [1, 1], [1, 1], [1, 1], [1, 1]), [x],
                       rtol=rtol)
        assert ours[0].dtype == np.float64
        return
    compare(lambda p: ops.convolution(p, dense, [1, 1], [1, 1], [1, 1], [1, 1]), [x], rtol=rtol)
    compare(lambda p: ops.group_convolution(p, depthwise, [2, 2], [1, 1], [0, 0], [1, 1]), [x],
            rtol=rtol)


def test_prepacked_weights_with_bias_epilogue_and_out():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 6, 7, 7)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    for filters, grouped in [(rng.standard_normal((4, 6, 3, 3)), False),
                             (rng.standard_normal((2, 2, 3, 1, 1)), True),
                             (rng.standard_normal((4, 6, 1, 1)), False)]:
        packed = prepare_convolution_weights(filters.astype(np.float32), grouped=grouped)
        plain = convolve(x, packed, [1, 1], [1, 1], [1, 1], [1, 1])
        out = np.empty_like(plain)
        fused = convolve(x, packed, [1, 1], [1, 1], [1, 1], [1, 1], bias=bias,
                         epilogue=lambda y: np.maximum(y, 0, out=y), out=out)
        assert fused is out
        np.testing.assert_allclose(out, np.maximum(plain + bias[:, None, None], 0), rtol=1e-6)


def test_kernels_never_mutate_inputs():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 4, 5, 5)).astype(np.float32)
    w = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    copies = x.copy(), w.copy()
    compare(lambda p: ops.convolution(p, w, [1, 1], [1, 1], [1, 1], [1, 1]), [x])
    compare(lambda p: ops.group_convolution(p, w.reshape(4, 1, 4, 3, 3)[:, :, :1], [1, 1], [1, 1],
                                            [1, 1], [1, 1]), [x])
    compare(lambda p: ops.convolution_backprop_data(p, w, [2, 2], output_padding=[1, 1]), [x])
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(w, copies[1])


def test_dynamic_model_runs_at_several_sizes():
    rng = np.random.default_rng(9)
    x = ops.parameter([-1, 3, -1, -1], np.float32, name="x")
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    y = ops.convolution(x, w, [2, 2], [0, 0], [0, 0], [1, 1], "same_upper")
    y = ops.group_convolution(y, rng.standard_normal((8, 1, 1, 3, 3)).astype(np.float32),
                              [1, 1], [1, 1], [1, 1], [1, 1])
    model = ov.Model([y], [x])
    assert str(model.output(0).get_partial_shape()) == "[?,8,1..,1..]"  # as OpenVINO infers
    for shape in [(1, 3, 9, 7), (2, 3, 16, 5)]:
        data = rng.standard_normal(shape).astype(np.float32)
        assert_outputs_match(run_ours(model, [data]), run_openvino(model, [data]), atol=1e-4)


# --- strided and dilated convolutions with size-1 outputs, against a direct loop too ------------
def _direct_convolution(x, w, strides, dilations):
    """Convolution-1 without padding as a float64 sum over kernel offsets, one plain strided slice
    of the input per offset: an oracle that shares no code with our kernels or OpenVINO's."""
    rank = x.ndim - 2
    out = [(n - d * (k - 1) - 1) // s + 1
           for n, k, s, d in zip(x.shape[2:], w.shape[2:], strides, dilations)]
    result = np.zeros([x.shape[0], w.shape[0]] + out)
    for offset in np.ndindex(*w.shape[2:]):
        window = x[(slice(None), slice(None)) + tuple(
            slice(i * d, i * d + (o - 1) * s + 1, s)
            for i, o, s, d in zip(offset, out, strides, dilations))].astype(np.float64)
        tap = w[(slice(None), slice(None)) + offset].astype(np.float64)
        result += np.einsum("nc...,oc->no...", window, tap)
    assert result.ndim == rank + 2
    return result


def _openvino_misses(in_channels, kernel, strides, out_spatial):
    """OpenVINO 2026.4's CPU plugin at f32 inference precision (brgconv_avx512_f32) gets some
    ungrouped convolutions with one input channel, and along the last axis a stride above 1, a
    kernel wider than 1 and one output column, wrong: -0.306 instead of -4.973 in
    test_single_channel_convolution_with_one_output_column. Those cases are checked against the
    direct loop alone (a sweep of 70k shapes found no OpenVINO miss outside them)."""
    return (in_channels == 1 and strides[-1] > 1 and kernel[-1] > 1
            and list(out_spatial)[-1] == 1)


def _check_against_both(x, w, strides, dilations):
    rank = x.ndim - 2
    expected = _direct_convolution(x, w, strides, dilations)
    build = lambda p: ops.convolution(p, w, strides, [0] * rank, [0] * rank, dilations)  # noqa: E731
    label = f"x {list(x.shape)} w {list(w.shape)} strides {strides} dilations {dilations}"
    if _openvino_misses(x.shape[1], w.shape[2:], strides, expected.shape[2:]):
        params = [ops.parameter(list(x.shape), x.dtype, name="input0")]
        ours = run_ours(ov.Model(build(*params).outputs(), params), [x])
    else:
        ours = compare(build, [x])
    scale = max(float(np.abs(expected).max()), 1.0)
    np.testing.assert_allclose(ours[0], expected, rtol=1e-5, atol=1e-5 * scale, err_msg=label)


def test_single_channel_convolution_with_one_output_column():
    """The hypothesis example where OpenVINO and we first disagreed: ours is the right answer."""
    x = np.random.default_rng(1).standard_normal([1, 1, 5, 3, 3]).astype(np.float32)
    w = np.random.default_rng(2).standard_normal([1, 1, 3, 1, 2]).astype(np.float32)
    params = [ops.parameter(list(x.shape), np.float32, name="x")]
    model = ov.Model([ops.convolution(params[0], w, [1, 1, 2], [0, 0, 0], [0, 0, 0], [2, 1, 1],
                                      "explicit")], params)
    for disabled in ["", ",".join(ov_passes.PASS_NAMES)]:
        ours = ov.compile_model(model, "CPU", {"DISABLED_PASSES": disabled})([x])[0]
        np.testing.assert_allclose(ours.ravel(), [-2.223994, -4.9733133, 4.115945], rtol=1e-5)
    _check_against_both(x, w, [1, 1, 2], [2, 1, 1])


SWEEP_KERNELS = {1: [[1], [2], [3]], 2: [[3, 2], [2, 3]], 3: [[3, 1, 2]]}
SWEEP_OUTPUTS = {1: [[1], [2], [3]], 2: [[1, 1], [3, 1], [1, 3], [2, 2]],
                 3: [[2, 1, 1], [1, 3, 1], [1, 1, 2]]}


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("in_channels", [1, 2])
def test_strided_dilated_sweep_with_size_one_outputs(rank, in_channels):
    """Every stride and dilation in {1, 2} per axis, outputs of size 1 among others, inputs that
    the last window covers exactly or with one column left over, one and two input channels."""
    rng = np.random.default_rng(20 + rank)
    for kernel in SWEEP_KERNELS[rank]:
        for strides in map(list, itertools.product([1, 2], repeat=rank)):
            for dilations in map(list, itertools.product([1, 2], repeat=rank)):
                for index, out in enumerate(SWEEP_OUTPUTS[rank]):
                    spatial = [(o - 1) * s + dilated(k, d) + (s - 1) * (index % 2)
                               for o, s, k, d in zip(out, strides, kernel, dilations)]
                    x = rng.standard_normal([1, in_channels] + spatial).astype(np.float32)
                    w = rng.standard_normal([2, in_channels] + kernel).astype(np.float32)
                    _check_against_both(x, w, strides, dilations)


# --- shape inference ----------------------------------------------------------------------------
FORWARD_CASES = [
    ("[?,3,?,?]", "[8,3,3,3]", [1, 1], [1, 1], [1, 1], [1, 1], "explicit"),
    ("[?,3,?,?]", "[8,3,3,3]", [2, 2], [0, 0], [0, 0], [1, 1], "same_upper"),
    ("[1,3,1..10,?]", "[8,3,3,3]", [2, 1], [1, 0], [0, 2], [2, 1], "explicit"),
    ("[1,3,2..10,4..]", "[8,3,3,3]", [3, 2], [0, 0], [0, 0], [1, 1], "same_lower"),
    ("[...]", "[8,3,3,3]", [2, 2], [1, 1], [1, 1], [1, 1], "explicit"),
    ("[2,3,9,9]", "[...]", [2, 2], [1, 1], [1, 1], [1, 1], "explicit"),
    ("[...]", "[...]", [2, 2], [1, 1], [1, 1], [1, 1], "valid"),
    ("[2,?,9]", "[?,?,?]", [2], [1], [1], [2], "explicit"),
    ("[2,?,5,6,7]", "[4,?,3,1,2]", [1, 2, 3], [1, 0, 0], [0, 0, 1], [1, 1, 2], "valid"),
]


@pytest.mark.parametrize("data, filters, strides, begin, end, dilations, auto_pad", FORWARD_CASES)
def test_convolution_shape_inference_matches_openvino(data, filters, strides, begin, end,
                                                      dilations, auto_pad):
    assert_same_inference(lambda o, x, w: o.convolution(x, w, strides, begin, end, dilations,
                                                        auto_pad), (data, np.float32),
                          (filters, np.float32))


@pytest.mark.parametrize("data, filters", [
    ("[?,6,?,?]", "[2,4,3,3,3]"), ("[1,?,5,5]", "[2,4,3,3,3]"), ("[1,6,5,5]", "[?,4,3,3,3]"),
    ("[1,6,5,5]", "[...]"), ("[...]", "[3,2,2,3,3]"), ("[1,4..8,5,5]", "[2,4,3,3,3]")])
def test_group_convolution_shape_inference_matches_openvino(data, filters):
    assert_same_inference(lambda o, x, w: o.group_convolution(x, w, [1, 2], [1, 0], [1, 0], [1, 1]),
                          (data, np.float32), (filters, np.float32))


@pytest.mark.parametrize("data, filters, output_shape", [
    ("[?,4,?,?]", "[4,3,3,3]", None), ("[1,4,2..5,?]", "[4,3,3,3]", None),
    ("[...]", "[4,3,3,3]", None), ("[1,4,5,5]", "[...]", None), ("[1,4,5,5]", "[4,3,3,3]", [12, 9]),
    ("[?,4,?,?]", "[4,3,3,3]", [12, 9]), ("[...]", "[...]", [12, 9])])
@pytest.mark.parametrize("grouped", [False, True])
def test_backprop_shape_inference_matches_openvino(data, filters, output_shape, grouped):
    if grouped:
        filters = filters if filters == "[...]" else "[2,2," + filters[3:]

    def build(o, x, w):
        shape = None if output_shape is None else o.constant(np.array(output_shape, np.int64))
        builder = o.group_convolution_backprop_data if grouped else o.convolution_backprop_data
        return builder(x, w, [2, 1], shape, [1, 0], [0, 1], [1, 2], output_padding=[1, 0])

    assert_same_inference(build, (data, np.float32), (filters, np.float32))


def test_backprop_output_shape_from_a_parameter_has_dynamic_spatial_dims():
    x = ops.parameter([1, 4, 5, 5], np.float32)
    shape = ops.parameter([2], np.int64)
    node = ops.convolution_backprop_data(x, np.ones((4, 3, 3, 3), np.float32), [2, 2], shape)
    assert str(node.get_output_partial_shape(0)) == "[1,3,?,?]"


# --- rejected inputs ----------------------------------------------------------------------------
def test_bad_inputs_are_rejected():
    x = ops.parameter([1, 3, 8, 8], np.float32)
    w = np.ones((4, 3, 3, 3), np.float32)
    attrs = [[1, 1], [0, 0], [0, 0], [1, 1]]
    flat = ops.parameter([3, 8], np.float32)
    assert_rejected(lambda: ops.convolution(flat, np.ones((4, 3), np.float32), [1], [0], [0], [1]),
                    r"3D, 4D or 5D")
    assert_rejected(lambda: ops.convolution(x, np.ones((4, 2, 3, 3), np.float32), *attrs),
                    r"data channels \(3\) do not match filter input channels \(2\)")
    assert_rejected(lambda: ops.convolution(x, np.ones((4, 3, 3), np.float32), [1], [0], [0], [1]),
                    r"data rank 4 and filters rank 3 do not match")
    assert_rejected(lambda: ops.convolution(x, w, [1], [0, 0], [0, 0], [1, 1]),
                    r"strides \[1\] must have one value per spatial axis \(2\)")
    assert_rejected(lambda: ops.convolution(x, w, [0, 1], [0, 0], [0, 0], [1, 1]),
                    r"strides \[0, 1\] must be positive")
    assert_rejected(lambda: ops.convolution(x, np.ones((4, 3, 9, 3), np.float32), *attrs),
                    r"dilated kernel \(9\) is larger than the padded data \(8\)")
    assert_rejected(lambda: ops.convolution(x, w.astype(np.float16), *attrs),
                    r"data and filters must have the same element type")
    assert_rejected(lambda: ops.group_convolution(x, np.ones((2, 2, 2, 3, 3), np.float32), *attrs),
                    r"data channels \(3\) are not groups \(2\) x filter input channels per "
                    r"group \(2\)")
    assert_rejected(lambda: ops.group_convolution(x, w, *attrs), r"data rank 4 and filters rank 4")
    backprop = ops.convolution_backprop_data
    assert_rejected(lambda: backprop(x, np.ones((2, 3, 3, 3), np.float32), [1, 1]),
                    r"data channels \(3\) do not match filter input channels \(2\)")
    assert_rejected(lambda: backprop(x, np.ones((3, 3, 3, 3), np.float32), [1, 1], [9, 9, 9]),
                    r"output_shape has 3 values, expected one per spatial axis \(2\)")
    assert_rejected(lambda: backprop(x, np.ones((3, 3, 3, 3), np.float32), [1, 1],
                                     output_padding=[1]),
                    r"output_padding \[1\] must have one value per spatial axis")


# --- IR round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["convolution", "group_convolution", "backprop", "group_backprop",
                                  "backprop_output_shape"])
def test_round_trip(case):
    w4, w5 = np.ones((4, 2, 3, 3), np.float32), np.ones((2, 1, 1, 3, 3), np.float32)

    def build(o, x):
        if case == "convolution":
            return o.convolution(x, w4, [2, 1], [1, 0], [0, 1], [1, 2], "same_lower")
        if case == "group_convolution":
            return o.group_convolution(x, w5, [1, 1], [1, 1], [0, 0], [2, 2])
        if case == "backprop":
            return o.convolution_backprop_data(x, w4.reshape(2, 4, 3, 3), [2, 2],
                                               output_padding=[1, 0], pads_begin=[1, 1],
                                               pads_end=[0, 1])
        if case == "group_backprop":
            return o.group_convolution_backprop_data(x, w5, [2, 1], dilations=[1, 2],
                                                     auto_pad="valid")
        return o.convolution_backprop_data(x, w4.reshape(2, 4, 3, 3), [2, 2],
                                           o.constant(np.array([15, 16], np.int64)),
                                           auto_pad="same_upper")

    assert_round_trip(build, ("[1,2,8,8]", np.float32))
