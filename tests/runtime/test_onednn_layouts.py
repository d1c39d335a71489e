"""Activation layouts on the oneDNN backend: convolution regions keep channels-last memory from
edge to edge (one conversion in, one out; no reorder inside a convolution), and channels-last
is what oneDNN itself picks for these convolutions on AVX-512 (``onednn/layouts.py``; the
measurements behind the choice are in docs/internals.md, "Activation layouts on oneDNN")."""
from __future__ import annotations

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import onednn
from oracle import assert_outputs_match, run_openvino

needs_onednn = pytest.mark.skipif(onednn.runtime() is None, reason="oneDNN is not installed")


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo") as info:
            return next((set(line.split(":", 1)[1].split()) for line in info
                         if line.startswith("flags")), set())
    except OSError:
        return set()


# oneDNN's avx512_core: AVX-512 F, BW, VL and DQ
AVX512_CORE = {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= _cpu_flags()


@needs_onednn
@pytest.mark.parametrize("tag, name", [("aBcd16b", "nChw16c"), ("aBcd8b", "nChw8c"),
                                       ("acdb", "nhwc"), ("abcd", "nchw"),
                                       ("ABcd16a16b", "NChw16n16c"), ("bacd", "plain")])
def test_layout_names_follow_onednn_tags(tag, name):
    from ov_notebook.runtime.onednn.layouts import layout_name, tagged

    runtime = onednn.runtime()
    assert layout_name(runtime, tagged(runtime, (2, 40, 5, 3), tag), (2, 40, 5, 3)) == name


# (input [N, C, H, W], filters, stride, pad): resnet50 3x3 and 1x1, mobilenet_v3 and
# efficientnet depthwise (channels not a multiple of 16 among them), a grouped one
CONVOLUTIONS = [
    ((1, 64, 56, 56), (64, 64, 3, 3), 1, 1),
    ((1, 256, 14, 14), (256, 256, 3, 3), 1, 1),
    ((1, 1024, 14, 14), (256, 1024, 1, 1), 1, 0),
    ((1, 72, 56, 56), (72, 1, 1, 5, 5), 2, 2),
    ((1, 200, 14, 14), (200, 1, 1, 3, 3), 1, 1),
    ((1, 144, 56, 56), (144, 1, 1, 5, 5), 1, 2),
    ((8, 120, 28, 28), (40, 120, 1, 1), 1, 0),
]


@needs_onednn
@pytest.mark.skipif(not AVX512_CORE, reason="the figures are for AVX-512 (avx512_core) CPUs")
@pytest.mark.parametrize("x_shape, filters_shape, stride, pad", CONVOLUTIONS)
def test_onednn_picks_channels_last_for_f32_convolutions(x_shape, filters_shape, stride, pad):
    """What the channels-last regions rest on: asked with format_tag any, oneDNN 3.x picks
    nhwc source and destination (brgconv) for f32 convolutions on AVX-512, as OpenVINO's CPU
    plugin runs them (acdb). If a oneDNN upgrade picks a blocked layout, revisit the regions."""
    from ov_notebook.runtime.onednn.layouts import preferred_convolution_layouts

    runtime = onednn.runtime()
    runtime.set_threads(1)
    found = preferred_convolution_layouts(runtime, x_shape, filters_shape, [stride] * 2,
                                          [pad] * 2, [pad] * 2)
    assert found is not None
    assert found[:2] == ("nhwc", "nhwc"), found


@needs_onednn
def test_a_three_channel_stem_reads_nchw_and_writes_a_blocked_layout():
    from ov_notebook.runtime.onednn.layouts import preferred_convolution_layouts

    runtime = onednn.runtime()
    source, destination, _ = preferred_convolution_layouts(
        runtime, (1, 3, 64, 64), (32, 3, 7, 7), [2, 2], [3, 3], [3, 3])
    assert source == "nchw"
    assert destination.startswith("nChw") or destination == "nhwc"


def resnet_block_model(rng, shape):
    """stem conv 7x7/2 + relu, max pool, a bottleneck (1x1 reduce, 3x3, 1x1 expand) whose
    last convolution adds the shortcut (a binary post-op) before its relu, a second block,
    then global pooling and a MatMul head."""
    def conv(data, out_channels, in_channels, kernel, stride=1):
        weights = rng.standard_normal((out_channels, in_channels, kernel, kernel),
                                      dtype=np.float32) / np.float32(in_channels * kernel)
        pad = kernel // 2
        return ops.add(ops.convolution(data, weights, [stride] * 2, [pad] * 2, [pad] * 2,
                                       [1, 1]),
                       rng.standard_normal((1, out_channels, 1, 1), dtype=np.float32))

    def bottleneck(data, channels):
        reduced = ops.relu(conv(data, channels // 4, channels, 1))
        spatial = ops.relu(conv(reduced, channels // 4, channels // 4, 3))
        return ops.relu(ops.add(conv(spatial, channels, channels // 4, 1), data))

    x = ops.parameter(shape, np.float32, name="x")
    stem = ops.relu(conv(x, 24, 3, 7, stride=2))
    pooled = ops.max_pool(stem, [2, 2], [1, 1], [1, 1], [1, 1], [3, 3])
    blocks = bottleneck(bottleneck(pooled.output(0), 24), 24)
    features = ops.reshape(ops.reduce_mean(blocks, np.array([2, 3], np.int64), True),
                           np.array([0, -1], np.int64), True)
    head = ops.matmul(features, rng.standard_normal((10, 24), dtype=np.float32), False, True)
    return ov.Model([head], [x], "resnet_blocks")


def _convolution_kernels(compiled):
    return [step.attrs["dnnl"] for step in compiled._plan.plan.steps
            if step.node.get_type_name().startswith("FusedConvolution")
            and step.attrs.get("dnnl") is not None]


@needs_onednn
@pytest.mark.parametrize("dynamic", [False, True])
def test_a_resnet_region_converts_layouts_only_at_its_edges(rng, dynamic):
    model = resnet_block_model(rng, [-1, 3, -1, -1] if dynamic else [1, 3, 32, 30])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn",
                                               "INFERENCE_NUM_THREADS": 1})
    runtime_nodes = compiled.get_runtime_model().get_ordered_ops()
    types = [node.get_type_name() for node in runtime_nodes]
    assert types.count("ToChannelsLast") == 1 and types.count("ToChannelsFirst") == 1
    convolutions = [node for node in runtime_nodes if "Convolution" in node.get_type_name()]
    assert len(convolutions) == 7 and all(
        node.get_type_name() == "FusedConvolutionNHWC" and
        node.rt_info["kernel_backend"].startswith("onednn") for node in convolutions)
    assert "MaxPoolNHWC" in types
    assert any("add" in str(node.get_attributes().get("post_ops")) for node in convolutions)
    shapes = [(1, 3, 32, 30), (2, 3, 20, 22)] if dynamic else [(1, 3, 32, 30)]
    for shape in shapes:
        x = rng.standard_normal(shape, dtype=np.float32)
        assert_outputs_match(compiled(x).values(), run_openvino(model, [x]), rtol=1e-4,
                             atol=1e-5)
    kernels = _convolution_kernels(compiled)
    assert len(kernels) == 7
    for kernel in kernels:
        # every convolution read channels-last memory: none made a reorder primitive, and each
        # shape has its own convolution primitive
        assert not kernel.to_channels_last._cache
        assert sum(p is not None for p in kernel._cache.values()) == len(shapes)
