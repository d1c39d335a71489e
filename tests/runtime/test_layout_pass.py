"""The channels_last pass (runtime/passes/channels_last.py): regions of convolutions run on NHWC
tensors with layout conversions at their boundaries. It must fire where it should (seen in
get_runtime_model()), leave the graph alone where it does not pay, and never change the numbers:
pass on vs off, vs real OpenVINO on small graphs, vs torch on whole models, dynamic shapes
included. The NHWC kernels are checked against the channels-first ones."""
import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import KernelError
from oracle import assert_outputs_match, run_openvino

OFF = {"DISABLED_PASSES": "channels_last"}


def runtime_types(compiled):
    return [n.get_type_name() for n in compiled.get_runtime_model().get_ordered_ops()]


def compare_on_off(model, feeds, rtol=1e-5, atol=1e-5, **config):
    """Outputs with the pass vs without it; returns the compiled model with it."""
    on = ov.compile_model(model, "CPU", config)
    off = ov.compile_model(model, "CPU", {**config, **OFF})
    assert_outputs_match(on(feeds).values(), off(feeds).values(), rtol=rtol, atol=atol)
    return on


def conv(rng, data, out_channels, in_channels, kernel=1, stride=1, groups=None, pad=None):
    pad = kernel // 2 if pad is None else pad
    shape = ((groups, out_channels // groups, in_channels // groups) if groups
             else (out_channels, in_channels)) + (kernel, kernel)
    weights = rng.standard_normal(shape, dtype=np.float32) * np.float32(1 / (in_channels * kernel))
    build = ops.group_convolution if groups else ops.convolution
    return build(data, weights, [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])


def bias(rng, channels):
    return rng.standard_normal((1, channels, 1, 1), dtype=np.float32)


def inverted_residual(rng, x, channels, expanded):
    """1x1 expand -> depthwise 3x3 -> squeeze-excite -> 1x1 project + residual (MobileNetV3)."""
    expand = ops.hswish(ops.add(conv(rng, x, expanded, channels), bias(rng, expanded)))
    depthwise = ops.relu(ops.add(conv(rng, expand, expanded, expanded, 3, groups=expanded),
                                 bias(rng, expanded)))
    pooled = ops.adaptive_avg_pool(depthwise, np.array([1, 1], np.int64))
    squeezed = ops.relu(conv(rng, pooled, 4, expanded))
    scale = ops.hsigmoid(ops.add(conv(rng, squeezed, expanded, 4), bias(rng, expanded)))
    return ops.add(conv(rng, ops.multiply(depthwise, scale), channels, expanded), x)


def mobile_block(rng, shape=(1, 8, 12, 10)):
    x = ops.parameter(list(shape), np.float32, name="x")
    block = inverted_residual(rng, x, 8, 24)
    head = ops.reshape(ops.reduce_mean(block, np.array([2, 3], np.int64), True),
                       np.array([0, -1], np.int64), True)
    return ov.Model([head, block], [x], "mobile_block")


def test_a_mobile_block_runs_channels_last(rng):
    model = mobile_block(rng)
    x = rng.standard_normal((1, 8, 12, 10), dtype=np.float32)
    compiled = compare_on_off(model, [x])
    types = runtime_types(compiled)
    assert types.count("ToChannelsLast") == 1  # the input; constants are permuted at compile time
    assert types.count("ToChannelsFirst") == 2  # before the Reshape head and the block output
    # the squeeze-excite block's global pool runs inside its one step (passes/squeeze_excite.py)
    assert "FusedGroupConvolutionNHWC" in types and "SqueezeExciteNHWC" in types
    assert not {"FusedConvolution", "FusedGroupConvolution", "AdaptiveAvgPool"} & set(types)
    assert_outputs_match(compiled([x]).values(), run_openvino(model, [x]), rtol=1e-4, atol=1e-5)


def test_dynamic_shapes_one_compilation(rng):
    x = ops.parameter([-1, 8, -1, -1], np.float32, name="x")
    block = inverted_residual(rng, inverted_residual(rng, x, 8, 16), 8, 24)
    model = ov.Model([block], [x])
    compiled = ov.compile_model(model)
    assert "FusedConvolutionNHWC" in runtime_types(compiled)
    off = ov.compile_model(model, "CPU", OFF)
    for shape in [(1, 8, 9, 13), (3, 8, 4, 4), (2, 8, 1, 1), (0, 8, 5, 5)]:
        value = rng.standard_normal(shape, dtype=np.float32)
        ours = compiled(value).values()
        assert ours[0].shape == shape
        assert_outputs_match(ours, off(value).values(), rtol=1e-5, atol=1e-5, what=str(shape))


def test_axis_ops_concat_split_shuffle_bn_and_pools(rng):
    """DenseNet's BN-ReLU on a channel Concat, ShuffleNet's split and channel shuffle, a
    MaxPool, an AvgPool with exclude-pad, reductions over channels and over space."""
    x = ops.parameter([2, 8, 10, 10], np.float32, name="x")
    left, right = ops.variadic_split(conv(rng, x, 8, 8), np.int64(1), np.array([3, 5])).outputs()
    joined = ops.concat([conv(rng, left, 6, 3, 3), right, ops.relu(conv(rng, right, 5, 5))], 1)
    shuffled = ops.reshape(ops.transpose(ops.reshape(joined, np.array([2, 2, 8, 10, 10]), False),
                                         np.array([0, 2, 1, 3, 4])), np.array([2, 16, 10, 10]),
                           False)
    normed = ops.relu(ops.batch_norm_inference(
        shuffled, rng.random(16, dtype=np.float32) + 0.5, rng.standard_normal(16, dtype=np.float32),
        rng.standard_normal(16, dtype=np.float32), rng.random(16, dtype=np.float32) + 0.5, 1e-5))
    pooled = ops.max_pool(conv(rng, normed, 8, 16, 3), [2, 2], [1, 1], [1, 1], [1, 1], [3, 3])
    averaged = ops.avg_pool(pooled.output(0), [1, 1], [1, 1], [1, 1], [3, 3], True)
    halves = ops.split(averaged, np.int64(1), 2).outputs()
    model = ov.Model([ops.reduce_max(halves[0], np.array([1], np.int64), False),
                      ops.reduce_mean(halves[1], np.array([2, 3], np.int64), False),
                      ops.reduce_sum(halves[1], np.array([3], np.int64), False)], [x])
    value = rng.standard_normal((2, 8, 10, 10), dtype=np.float32)
    types = runtime_types(compare_on_off(model, [value]))
    assert "ShuffleChannels" in types and "Transpose" not in types
    assert {"MaxPoolNHWC", "AvgPoolNHWC", "VariadicSplit", "Split", "Concat"} <= set(types)
    assert "BatchNormInference" not in types  # x * s + b with NHWC constants
    # [N, H, W] and [N, C] keep their axis order in NHWC; a sum over W alone ([N, C, H]) does not
    assert types.count("ToChannelsFirst") == 1
    assert_outputs_match(ov.compile_model(model)([value]).values(), run_openvino(model, [value]),
                         rtol=1e-4, atol=1e-4)


def test_regions_that_do_not_pay_stay_channels_first(rng):
    x = ops.parameter([1, 16, 8, 8], np.float32, name="x")
    lone = ov.Model([ops.relu(conv(rng, x, 16, 16, 3))], [x])  # one conv: two copies for it
    grouped = ov.Model([conv(rng, conv(rng, x, 16, 16, 3, groups=4), 16, 16)], [x])
    value = rng.standard_normal((1, 16, 8, 8), dtype=np.float32)
    for model in (lone, grouped):
        assert not any(t.endswith("NHWC") for t in runtime_types(compare_on_off(model, [value])))


def test_maxpool_indices_leave_the_region(rng):
    x = ops.parameter([1, 4, 8, 8], np.float32, name="x")
    pool = ops.max_pool(conv(rng, conv(rng, x, 4, 4, 3), 4, 4), [2, 2], [1, 1], [0, 0], [0, 0],
                        [2, 2])
    model = ov.Model(list(pool.outputs()), [x])
    types = runtime_types(compare_on_off(model, [rng.standard_normal((1, 4, 8, 8), np.float32)]))
    assert "MaxPool" in types and "MaxPoolNHWC" not in types


def test_kernel_errors_name_the_sizes(rng):
    x = ops.parameter([1, 4, -1, -1], np.float32, name="x")
    compiled = ov.compile_model(ov.Model([conv(rng, conv(rng, x, 4, 4, 1), 4, 4, 3, pad=0)], [x]))
    assert "FusedConvolutionNHWC" in runtime_types(compiled)
    with pytest.raises(KernelError, match=r"padded input \(2 \+ pads 0 \+ 0 = 2\) is smaller "
                                          r"than the dilated kernel \(3\)"):
        compiled(np.ones((1, 4, 2, 2), np.float32))


def test_threads_give_the_single_thread_numbers(rng, monkeypatch):
    """Blocks of rows, of images and of output channels on 2 and 3 threads."""
    from ov_notebook.runtime import parallel
    from ov_notebook.runtime.kernels import _nhwc_conv

    monkeypatch.setattr(parallel._HELPERS, "pays", lambda: True)
    monkeypatch.setattr(_nhwc_conv, "MIN_CHUNK_MACS", 1 << 10)
    x = ops.parameter([3, 64, 13, 11], np.float32, name="x")
    wide = ops.relu(ops.add(conv(rng, x, 256, 64), bias(rng, 256)))  # weights outweigh input
    winograd = conv(rng, ops.relu(conv(rng, wide, 64, 256)), 64, 64, 3)
    depthwise = ops.swish(conv(rng, winograd, 64, 64, 5, stride=2, groups=64))  # [3, 64, 7, 6]
    # small images: a Winograd-sized 3x3 on 126 positions and a strided 3x3 on 36, by channels
    small = conv(rng, ops.relu(conv(rng, depthwise, 64, 64, 3)), 32, 64, 3, stride=2)
    model = ov.Model([ops.add(conv(rng, small, 8, 32, 3, stride=2), bias(rng, 8))], [x])
    value = rng.standard_normal((3, 64, 13, 11), dtype=np.float32)
    numpy_kernels = {"KERNEL_BACKEND": "numpy"}  # these splits are the numpy NHWC kernels'
    single = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1, **numpy_kernels})(value)[0]
    by_channels = []
    original = _nhwc_conv._im2col_by_channels
    monkeypatch.setattr(_nhwc_conv, "_im2col_by_channels",
                        lambda *args: by_channels.append(args[3]) or original(*args))
    for threads in (2, 3):
        compiled = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads,
                                                   **numpy_kernels})
        np.testing.assert_allclose(compiled(value)[0], single, rtol=1e-4, atol=1e-4)
    sizes = [list(size) for size in by_channels]
    assert sizes.count([7, 6]) == sizes.count([4, 3]) == 2  # on 2 and on 3 threads


# --- the NHWC kernels against the channels-first ones ---------------------------------------------
@st.composite
def geometries(draw):
    kind = draw(st.sampled_from(["pointwise", "dense", "grouped", "depthwise"]))
    groups = {"pointwise": 1, "dense": 1}.get(kind) or draw(st.integers(2, 4))
    per_in = 1 if kind == "depthwise" else draw(st.integers(1, 4))
    per_out = 1 if kind == "depthwise" else draw(st.integers(1, 4))
    kernel = (1, 1) if kind == "pointwise" else tuple(draw(st.integers(1, 5)) for _ in range(2))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilations = tuple(draw(st.integers(1, 2)) for _ in range(2))
    begin = [draw(st.integers(0, 2)) for _ in range(2)]
    end = [draw(st.integers(-1, 2)) for _ in range(2)]
    size = [draw(st.integers(max(1, (k - 1) * d + 2 - b - e), 12))
            for k, d, b, e in zip(kernel, dilations, begin, end)]
    return (draw(st.integers(1, 3)), groups, per_in, per_out, kernel, strides, dilations, begin,
            end, size)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(geometry=geometries(), seed=st.integers(0, 2 ** 16))
def test_nhwc_convolution_matches_channels_first(geometry, seed):
    from ov_notebook.runtime.kernels._nhwc_conv import convolve_nhwc, \
        prepare_channels_last_weights
    from ov_notebook.runtime.kernels.convolution import convolve, prepare_convolution_weights

    batch, groups, per_in, per_out, kernel, strides, dilations, begin, end, size = geometry
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, groups * per_in) + tuple(size), dtype=np.float32)
    filters = rng.standard_normal((groups, per_out, per_in) + kernel, dtype=np.float32)
    filters = filters if groups > 1 else filters[0]
    expected = convolve(x, prepare_convolution_weights(filters, grouped=groups > 1), strides,
                        dilations, begin, end)
    got = convolve_nhwc(np.ascontiguousarray(x.transpose(0, 2, 3, 1)),
                        prepare_channels_last_weights(filters, grouped=groups > 1), strides,
                        dilations, begin, end)
    np.testing.assert_allclose(got.transpose(0, 3, 1, 2), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kernel, strides, pads, rounding, exclude_pad", [
    ([3, 3], [2, 2], [1, 1], "floor", False), ([2, 3], [1, 2], [0, 1], "ceil", True),
    ([3, 2], [2, 1], [1, 0], "ceil_torch", False), ([5, 5], [1, 1], [0, 0], "floor", True)])
def test_nhwc_pools_match_channels_first(rng, kernel, strides, pads, rounding, exclude_pad):
    from ov_notebook.runtime.kernels import pooling

    x = rng.standard_normal((2, 3, 7, 6), dtype=np.float32)
    last = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    settings_ = dict(strides=strides, kernel=kernel, pads_begin=pads, pads_end=pads,
                     rounding_type=rounding)
    for nchw, nhwc, extra in ((pooling.max_pool, pooling.max_pool_nhwc, {}),
                              (pooling.avg_pool, pooling.avg_pool_nhwc,
                               {"exclude-pad": exclude_pad})):
        np.testing.assert_allclose(nhwc(last, **settings_, **extra).transpose(0, 3, 1, 2),
                                   nchw(x, **settings_, **extra), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(pooling.global_mean_nhwc(last).transpose(0, 3, 1, 2),
                               x.mean(axis=(2, 3), keepdims=True), rtol=1e-5, atol=1e-6)


# --- whole models --------------------------------------------------------------------------------
torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
import _models  # noqa: E402

# whether the pass fires: regnet's grouped convolutions keep it channels-first
MODELS = {"mobilenet_v3_small": True, "mobilenet_v3_large": True, "efficientnet_b0": True,
          "resnet18": True, "regnet_y_400mf": False, "shufflenet_v2_x1_0": True,
          "densenet121": True}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
@pytest.mark.parametrize("name, fires", MODELS.items(), ids=MODELS.keys())
def test_whole_models(name, fires):
    model, (x,) = _models.torchvision_case(name, 64)
    dynamic = name == "mobilenet_v3_small"  # one model with run-time batch and image sizes
    converted = ov.convert_model(model, example_input=x,
                                 input=[(-1, 3, -1, -1)] if dynamic else None)
    on = ov.compile_model(converted)
    assert ("ToChannelsLast" in runtime_types(on)) == fires
    off = ov.compile_model(converted, "CPU", OFF)
    for value in [x] + ([torch.rand(2, 3, 48, 72)] if dynamic else []):
        with torch.no_grad():
            expected = model(value).numpy()
        ours = on(value.numpy())[0]
        scale = float(np.abs(expected).max())
        # float32 sums in another order through ~50 layers: a few ulp of the output's scale
        assert np.abs(ours - off(value.numpy())[0]).max() <= 1e-4 * scale
        assert np.abs(ours - expected).max() <= 1e-3 * scale  # as tests/frontend/torch
