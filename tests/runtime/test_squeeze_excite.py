"""The squeeze_excite_fusion pass (runtime/passes/squeeze_excite.py): a squeeze-excite block on
NHWC tensors becomes one SqueezeExciteNHWC step, with the numbers of the unfused steps and of real
OpenVINO, on both kernel backends; blocks it cannot take whole stay as they were."""
import weakref

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import onednn
from concurrency import outputs_in_threads
from oracle import assert_outputs_match, run_openvino

OFF = {"DISABLED_PASSES": "squeeze_excite_fusion"}
BACKENDS = ["numpy", "auto"]


def runtime_types(compiled):
    return [n.get_type_name() for n in compiled.get_runtime_model().get_ordered_ops()]


def conv(rng, data, out_channels, in_channels, kernel=1, groups=None):
    pad = kernel // 2
    shape = ((groups, out_channels // groups, in_channels // groups) if groups
             else (out_channels, in_channels)) + (kernel, kernel)
    weights = rng.standard_normal(shape, dtype=np.float32) * np.float32(1 / (in_channels * kernel))
    build = ops.group_convolution if groups else ops.convolution
    return build(data, weights, [1, 1], [pad, pad], [pad, pad], [1, 1])


def bias(rng, channels):
    return rng.standard_normal((1, channels, 1, 1), dtype=np.float32)


def block(rng, x, channels, squeeze=4, mean="pool", scale_first=True, activations=None):
    """1x1 expand -> depthwise 3x3 -> squeeze-excite -> 1x1 project (MobileNetV3/EfficientNet);
    returns (output, the depthwise output the block scales)."""
    first, second = activations or (ops.relu, ops.hsigmoid)
    expand = ops.swish(ops.add(conv(rng, x, channels, 8), bias(rng, channels)))
    depthwise = ops.relu(conv(rng, expand, channels, channels, 3, groups=channels))
    if mean == "pool":
        pooled = ops.adaptive_avg_pool(depthwise, np.array([1, 1], np.int64))
    else:
        pooled = ops.reduce_mean(depthwise, np.array([2, 3], np.int64), True)
    squeezed = first(ops.add(conv(rng, pooled, squeeze, channels), bias(rng, squeeze)))
    scale = second(ops.add(conv(rng, squeezed, channels, squeeze), bias(rng, channels)))
    scaled = ops.multiply(scale, depthwise) if scale_first else ops.multiply(depthwise, scale)
    return ops.add(conv(rng, scaled, 8, channels), x), depthwise


def compiled_both_ways(model, feeds, backend):
    config = {"KERNEL_BACKEND": backend}
    on = ov.compile_model(model, "CPU", config)
    off = ov.compile_model(model, "CPU", {**config, **OFF})
    assert_outputs_match(on(feeds).values(), off(feeds).values(), rtol=1e-5, atol=1e-6)
    return on, off


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mean, scale_first, activations", [
    ("pool", True, None),
    ("reduce", False, (ops.swish, ops.sigmoid)),
    ("pool", False, (ops.relu, ops.hsigmoid)),
])
def test_blocks_become_one_step(rng, backend, mean, scale_first, activations):
    x = ops.parameter([2, 8, 10, 12], np.float32, name="x")
    first, _ = block(rng, x, 24, mean=mean, scale_first=scale_first, activations=activations)
    second, _ = block(rng, first, 32, squeeze=8, mean=mean, scale_first=scale_first,
                      activations=activations)
    model = ov.Model([second], [x], "se")
    feeds = [rng.standard_normal((2, 8, 10, 12), dtype=np.float32)]
    on, off = compiled_both_ways(model, feeds, backend)
    types = runtime_types(on)
    assert types.count("SqueezeExciteNHWC") == 2
    assert not {"Multiply", "AdaptiveAvgPoolNHWC", "ReduceMean"} & set(types)
    assert types.count("FusedConvolutionNHWC") == runtime_types(off).count(
        "FusedConvolutionNHWC") - 4  # the two 1x1 convolutions of each block
    assert "squeeze_excite_fusion" in on.get_property("APPLIED_PASSES")
    assert_outputs_match(on(feeds).values(), run_openvino(model, feeds), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_scaled_tensor_that_is_also_an_output_is_not_overwritten(rng, backend):
    x = ops.parameter([1, 8, 9, 9], np.float32, name="x")
    out, depthwise = block(rng, ops.relu(conv(rng, x, 8, 8)), 16)
    model = ov.Model([out, depthwise], [x], "se_outputs")
    feeds = [rng.standard_normal((1, 8, 9, 9), dtype=np.float32)]
    on, _ = compiled_both_ways(model, feeds, backend)
    assert "SqueezeExciteNHWC" in runtime_types(on)
    assert_outputs_match(on(feeds).values(), run_openvino(model, feeds), rtol=1e-4, atol=1e-5)


def test_a_scale_read_elsewhere_keeps_the_block_apart(rng):
    x = ops.parameter([1, 8, 9, 9], np.float32, name="x")
    expand = ops.relu(conv(rng, x, 16, 8))
    depthwise = ops.relu(conv(rng, expand, 16, 16, 3, groups=16))
    pooled = ops.adaptive_avg_pool(depthwise, np.array([1, 1], np.int64))
    scale = ops.sigmoid(conv(rng, ops.relu(conv(rng, pooled, 4, 16)), 16, 4))
    out = conv(rng, ops.multiply(depthwise, scale), 8, 16)
    model = ov.Model([out, scale], [x], "se_scale_output")
    feeds = [rng.standard_normal((1, 8, 9, 9), dtype=np.float32)]
    on, _ = compiled_both_ways(model, feeds, "auto")
    assert "SqueezeExciteNHWC" not in runtime_types(on)
    assert_outputs_match(on(feeds).values(), run_openvino(model, feeds), rtol=1e-4, atol=1e-5)


def test_only_a_sole_view_of_aligned_memory_is_handed_out_in_place():
    # the oneDNN kernels' outputs are views of 64-byte aligned buffers: the plan may write into
    # one when nothing else can reach its memory (runtime/plan.py), never when another view can
    from ov_notebook.runtime.onednn._runtime import aligned_empty
    from ov_notebook.runtime.plan import _sole_view

    nhwc = aligned_empty((1, 4, 5, 6)).transpose(0, 3, 1, 2).transpose(0, 2, 3, 1)
    assert _sole_view(nhwc)
    other = nhwc[:, :2]
    assert not _sole_view(nhwc) and not _sole_view(other)
    del other
    assert _sole_view(nhwc)
    assert not _sole_view(nhwc.transpose(0, 3, 1, 2))  # not C-contiguous
    held = np.zeros(4)
    assert not _sole_view(held[1:])  # its owner is still reachable as ``held``


@pytest.mark.parametrize("arena", [True, False])
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_step_scales_the_depthwise_output_in_place_inside_a_model(rng, backend, arena,
                                                                      monkeypatch):
    # the depthwise convolution's output dies at the squeeze-excite step, which writes into it
    # (on oneDNN a sole view of an aligned buffer: the plan's check once failed there, counting
    # a reference the aliasing check of the step before still held)
    # and its memory is freed once the step after it released it (the flags of the buffer
    # written in place once kept it for the rest of the run); with oneDNN's static steps on the
    # arena (runtime/arena.py) that memory is the arena region planned for both
    monkeypatch.setenv("OV_NOTEBOOK_ARENA", "1" if arena else "0")
    x = ops.parameter([1, 8, 10, 10], np.float32, name="x")
    out, _ = block(rng, x, 16)
    last = conv(rng, out, 8, 8, 3)  # a step after the one that released the scaled buffer
    model = ov.Model([ops.softmax(last, 1)], [x], "se_in_place")
    request = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": backend}).create_infer_request()
    addresses, scaled, freed = {}, [], []

    def record(node, outputs):  # addresses only: a view held here would block the write
        addresses.setdefault(node.get_type_name(), outputs[0].__array_interface__["data"][0])
        if node.get_type_name() == "SqueezeExciteNHWC":
            scaled.append(weakref.ref(outputs[0].base))  # the memory's owner
        elif scaled:
            freed.append(scaled[0]() is None)

    request.set_node_callback(record)
    feeds = [rng.standard_normal((1, 8, 10, 10), dtype=np.float32)]
    result = request.infer(feeds)[0].copy()
    assert addresses["SqueezeExciteNHWC"] == addresses["FusedGroupConvolutionNHWC"], addresses
    layout = request.get_compiled_model()._plan.plan.arena
    if backend != "numpy" and arena:
        assert scaled[0]() is layout._local.state.raw  # the arena: kept, reused by every run
    else:
        assert layout is None
        assert freed[1:] == [True] * (len(freed) - 1)  # the first is the step releasing it
    assert_outputs_match([result], run_openvino(model, feeds), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(1, 112, 112, 32), (3, 7, 7, 1152), (2, 5, 3, 7),
                                   (1, 1, 1, 9000), (2, 0, 4, 3)])
def test_the_scale_multiply_by_long_rows_gives_numpys_broadcast(rng, shape):
    from ov_notebook.runtime.kernels.squeeze_excite import _scale
    x = rng.standard_normal(shape, dtype=np.float32)
    scale = rng.standard_normal((shape[0], 1, 1, shape[3]), dtype=np.float32)
    expected = x * scale
    np.testing.assert_array_equal(_scale(x, scale, None), expected)
    strided = np.repeat(x, 2, axis=2)[:, :, ::2]  # not contiguous: numpy's broadcast runs
    np.testing.assert_array_equal(_scale(strided, scale, None), expected)
    result = _scale(x, scale, x)  # into x's own buffer, as the plan hands it out
    assert result is x
    np.testing.assert_array_equal(x, expected)


def test_the_bias_shortcut_of_the_pointwise_steps_matches_the_epilogue(rng):
    from ov_notebook.runtime.kernels._epilogue import apply_epilogue, parse_post_ops
    from ov_notebook.runtime.kernels.squeeze_excite import _pointwise
    vector = rng.standard_normal((2, 1, 1, 24), dtype=np.float32)
    matrix = rng.standard_normal((24, 6), dtype=np.float32)
    for post_ops, extras in [("add;Relu", [bias(rng, 6).reshape(1, 1, 1, 6)]),
                             ("add;Swish:1.0", [bias(rng, 6).reshape(6)]),
                             ("add;Sigmoid", [rng.standard_normal((2, 1, 1, 6), dtype=np.float32)]),
                             ("add;mul", [bias(rng, 6).reshape(1, 1, 1, 6),
                                               np.float32([[[[2]]]])]),
                             ("HSigmoid", [])]:
        program = parse_post_ops(post_ops)
        expected = apply_epilogue(np.matmul(vector.reshape(2, 24), matrix).reshape(2, 1, 1, 6),
                                  program, extras)
        np.testing.assert_allclose(_pointwise(vector, matrix, program, extras), expected,
                                   rtol=1e-6, err_msg=post_ops)


# --- the step on oneDNN (runtime/onednn/squeeze_excite.py) ----------------------------------------
needs_onednn = pytest.mark.skipif(onednn.runtime() is None, reason="oneDNN is not installed")
ACTIVATIONS = {"relu, hsigmoid (MobileNetV3)": (ops.relu, ops.hsigmoid),
               "silu, sigmoid (EfficientNet)": (lambda x: ops.swish(x), ops.sigmoid)}


def se_model(rng, batch, activations, gate=False):
    """Two blocks with biased 1x1 convolutions (torchvision's); ``gate``: the first block's
    squeeze also adds a [N, 4, 1, 1] input, a post-op reading a run-time tensor."""
    x = ops.parameter([batch, 8, 10, 12], np.float32, name="x")
    inputs = [x]
    first, _ = block(rng, x, 24, mean="reduce", activations=activations)
    if gate:
        inputs.append(ops.parameter([batch, 8, 1, 1], np.float32, name="gate"))
        squeeze, expand = activations
        activations = (lambda y: squeeze(ops.add(y, inputs[1])), expand)
    second, _ = block(rng, first, 32, squeeze=8, activations=activations)
    return ov.Model([second], inputs, "se")


def se_feeds(rng, model, batch):
    return [rng.standard_normal([batch] + [d.get_length() for d in list(p.get_partial_shape())[1:]],
                                dtype=np.float32) for p in model.inputs]


def se_nodes(compiled):
    return [n for n in compiled.get_runtime_model().get_ordered_ops()
            if n.get_type_name() == "SqueezeExciteNHWC"]


def prepared_step(rng):
    """The first SE step of a batch-2 model made for oneDNN: (its prepared attrs, filters,
    extra inputs), the attrs' ``dnnl`` a SqueezeExciteKernel."""
    from ov_notebook.runtime.kernels.squeeze_excite import _prepare

    model = se_model(rng, 2, ACTIVATIONS["relu, hsigmoid (MobileNetV3)"])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    node = se_nodes(compiled)[0]
    with onednn.building("onednn", 1):
        attrs = _prepare(node, node.get_attributes())
    filters = [node.input_value(i).get_node().get_value() for i in (1, 2)]
    extras = [node.input_value(i).get_node().get_value() for i in range(3, node.get_input_size())]
    return attrs, filters, extras


class CountingCalls:
    """Counts the oneDNN kernel's calls that returned a result (not None: numpy ran)."""

    def __init__(self, monkeypatch):
        from ov_notebook.runtime.onednn.squeeze_excite import SqueezeExciteKernel

        self.results, self.calls, original = 0, 0, SqueezeExciteKernel.__call__

        def counted(kernel, *args, **kwargs):
            y = original(kernel, *args, **kwargs)
            self.calls += 1
            self.results += y is not None
            return y
        monkeypatch.setattr(SqueezeExciteKernel, "__call__", counted)


@pytest.mark.parametrize("backend", BACKENDS + ["onednn"])
@pytest.mark.parametrize("activations", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
@pytest.mark.parametrize("batch, dynamic", [(1, False), (3, False), (3, True)])
def test_se_steps_match_openvino(rng, backend, activations, batch, dynamic):
    if backend == "onednn" and onednn.runtime() is None:
        pytest.skip("oneDNN is not installed")
    model = se_model(rng, -1 if dynamic else batch, activations, gate=dynamic)
    feeds = se_feeds(rng, model, batch)
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": backend})
    assert len(se_nodes(compiled)) == 2
    assert_outputs_match(compiled(feeds).values(), run_openvino(model, feeds), rtol=1e-5,
                         atol=1e-5)
    if dynamic:  # another batch through the same compiled model: a second layout
        feeds = se_feeds(rng, model, 2)
        assert_outputs_match(compiled(feeds).values(), run_openvino(model, feeds), rtol=1e-5,
                             atol=1e-5)


@needs_onednn
@pytest.mark.parametrize("dynamic", [False, True])
def test_se_steps_run_on_onednn(rng, monkeypatch, dynamic):
    counting = CountingCalls(monkeypatch)
    model = se_model(rng, -1 if dynamic else 2, ACTIVATIONS["relu, hsigmoid (MobileNetV3)"],
                     gate=dynamic)
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    for node in se_nodes(compiled):
        if dynamic:
            assert node.rt_info["kernel_backend"] == "onednn (made per shape at run time)"
        else:
            assert node.rt_info["kernel_backend"] == "onednn"
            # pooling, two matmuls, binary: oneDNN's tuned kernels, no reference loops
            implementations = node.rt_info["onednn_implementation"].split(", ")
            assert len(implementations) == 4 and not any(i.startswith("ref")
                                                         for i in implementations)
    compiled(se_feeds(rng, model, 2))
    assert counting.calls == counting.results == 2


def test_numpy_backend_keeps_the_numpy_kernel(rng, monkeypatch):
    counting = CountingCalls(monkeypatch) if onednn.runtime() is not None else None
    model = se_model(rng, 2, ACTIVATIONS["silu, sigmoid (EfficientNet)"])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "numpy"})
    assert all("kernel_backend" not in node.rt_info for node in se_nodes(compiled))
    feeds = se_feeds(rng, model, 2)
    assert_outputs_match(compiled(feeds).values(), run_openvino(model, feeds), rtol=1e-5,
                         atol=1e-5)
    assert counting is None or counting.calls == 0


@needs_onednn
def test_dead_input_is_scaled_in_place(rng):
    """What the plan does with a dead x (``out=x``): the product overwrites x; any other
    ``out`` is left alone."""
    from ov_notebook.runtime.kernels.squeeze_excite import squeeze_excite_nhwc

    attrs, filters, extras = prepared_step(rng)
    dnnl = attrs["dnnl"]
    numpy_attrs = dict(attrs, dnnl=None)
    x = rng.standard_normal([2, 10, 12, 24], dtype=np.float32)
    expected = squeeze_excite_nhwc(x, *filters, *extras, **numpy_attrs)
    dead = x.copy()
    assert dnnl(dead, extras, out=dead) is dead
    np.testing.assert_allclose(dead, expected, rtol=1e-5, atol=1e-6)
    dead = x.copy()
    assert squeeze_excite_nhwc(dead, *filters, *extras, **attrs, out=dead) is dead
    np.testing.assert_allclose(dead, expected, rtol=1e-5, atol=1e-6)
    unrelated = np.zeros_like(x)
    y = dnnl(x, extras, out=unrelated)
    assert y is not None and not np.shares_memory(y, unrelated) and not unrelated.any()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


@needs_onednn
def test_other_layouts_and_bad_input_take_numpy(rng):
    """The oneDNN kernel declines what its primitives were not made for; numpy then gives the
    right result or a clear error."""
    from ov_notebook.runtime.kernels.squeeze_excite import squeeze_excite_nhwc

    attrs, filters, extras = prepared_step(rng)
    dnnl = attrs["dnnl"]
    x = rng.standard_normal([2, 24, 10, 12], dtype=np.float32).transpose(0, 2, 3, 1)
    assert dnnl(x, extras) is None  # not C-contiguous
    expected = squeeze_excite_nhwc(np.ascontiguousarray(x), *filters, *extras, **attrs)
    np.testing.assert_allclose(squeeze_excite_nhwc(x, *filters, *extras, **attrs), expected,
                               rtol=1e-6)
    assert dnnl(x.astype(np.float64), extras) is None
    assert dnnl(np.zeros((2, 10, 24), np.float32), extras) is None
    wrong = np.zeros((2, 10, 12, 16), np.float32)
    assert dnnl(wrong, extras) is None
    with pytest.raises(ValueError):
        squeeze_excite_nhwc(wrong, *filters, *extras, **attrs)


@needs_onednn
def test_concurrent_requests_match_sequential_runs(rng):
    model = se_model(rng, -1, ACTIVATIONS["silu, sigmoid (EfficientNet)"], gate=True)
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn",
                                               "INFERENCE_NUM_THREADS": 2})
    feeds = [[se_feeds(rng, model, batch) for batch in (1, 3, 2, 3, 1, 2)] for _ in range(2)]
    expected = [[compiled(f)[0].copy() for f in thread_feeds] for thread_feeds in feeds]
    got = outputs_in_threads(compiled, feeds, repeats=5)
    for mine, want in zip(got, expected):
        assert len(mine) == 5 * len(want)
        for index, a in enumerate(mine):
            np.testing.assert_array_equal(a, want[index % len(want)])


@needs_onednn
@pytest.mark.parametrize("threads", [1, 2])
def test_the_primitives_run_on_the_models_threads(rng, threads):
    """All four primitives of a step are made for the model's thread count (one thread left
    the other OpenMP thread to fall asleep and the next convolution to pay its wake-up), wide
    filters (960x240 in mobilenet_v3_large) and narrow ones alike."""
    channels = 512
    x = ops.parameter([1, 8, 6, 6], np.float32, name="x")
    y, _ = block(rng, x, channels, squeeze=channels // 4,
                 activations=ACTIVATIONS["silu, sigmoid (EfficientNet)"])
    model = ov.Model([y], [x], "wide")
    small = se_model(rng, 1, ACTIVATIONS["relu, hsigmoid (MobileNetV3)"])
    for graph in (model, small):
        compiled = ov.compile_model(graph, "CPU", {"KERNEL_BACKEND": "onednn",
                                                   "INFERENCE_NUM_THREADS": threads})
        kernels = [step.attrs["dnnl"] for step in compiled._plan.plan.steps
                   if step.node.get_type_name() == "SqueezeExciteNHWC"]
        feeds = se_feeds(rng, graph, 1)
        assert_outputs_match(compiled(feeds).values(), run_openvino(graph, feeds), rtol=1e-5,
                             atol=1e-5)
        made = [p for k in kernels for p in k._cache.values()]
        assert made and all(p is not None and p.threads == threads for p in made)
