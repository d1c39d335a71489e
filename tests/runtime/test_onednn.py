"""The oneDNN kernel backend: selection, fallback to numpy, its kernels against OpenVINO, threads.

The op suite (tests/ops) runs on whichever backend ``OV_NOTEBOOK_KERNELS`` selects (the README
test command runs it on both); these tests pin the backend themselves.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import onednn
from oracle import assert_outputs_match, run_openvino

needs_onednn = pytest.mark.skipif(onednn.runtime() is None, reason="oneDNN is not installed")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def conv_block_model(rng, groups=1):
    """conv+bias+relu, then a conv whose output adds the first (residual) and goes through
    Clamp: the fusions produce bias, eltwise and binary post-ops."""
    x = ops.parameter([1, 8, 15, 13], np.float32, name="x")
    w1 = rng.standard_normal((16, 8, 3, 3), dtype=np.float32)
    first = ops.relu(ops.add(ops.convolution(x, w1, [1, 1], [1, 1], [1, 1], [1, 1]),
                             rng.standard_normal((1, 16, 1, 1), dtype=np.float32)))
    if groups == 1:
        w2 = rng.standard_normal((16, 16, 3, 3), dtype=np.float32)
        second = ops.convolution(first, w2, [1, 1], [1, 1], [1, 1], [1, 1])
    else:
        w2 = rng.standard_normal((groups, 16 // groups, 16 // groups, 3, 3), dtype=np.float32)
        second = ops.group_convolution(first, w2, [1, 1], [1, 1], [1, 1], [1, 1])
    return ov.Model([ops.clamp(ops.add(second, first), 0.0, 6.0)], [x])


def matmul_model(rng):
    tokens = ops.parameter([2, 7, 32], np.float32, name="tokens")
    weights = rng.standard_normal((48, 32), dtype=np.float32)
    projected = ops.matmul(tokens, weights, False, True)
    biased = ops.add(projected, rng.standard_normal((48,), dtype=np.float32))
    return ov.Model([ops.gelu(biased)], [tokens])


def backends_of(compiled) -> dict:
    """{runtime node name: kernel_backend rt_info} of the compiled model's fused ops."""
    return {node.get_friendly_name(): node.rt_info.get("kernel_backend")
            for node in compiled.get_runtime_model().get_ordered_ops()
            if node.get_type_name().startswith("Fused")}


@needs_onednn
@pytest.mark.parametrize("layout", ["NHWC region", "NCHW"])
@pytest.mark.parametrize("groups", [1, 4, 16])
def test_fused_convolutions_match_openvino(rng, groups, layout):
    model = conv_block_model(rng, groups)
    value = rng.standard_normal((1, 8, 15, 13), dtype=np.float32)
    config = {"KERNEL_BACKEND": "onednn"}
    if layout == "NCHW":
        config["DISABLED_PASSES"] = "channels_last"
    compiled = ov.compile_model(model, "CPU", config)
    assert compiled.get_property("KERNEL_BACKEND") == "onednn"
    assert set(backends_of(compiled).values()) == {"onednn"}
    ours = compiled(value)[0]
    assert_outputs_match([ours], run_openvino(model, [value]), rtol=1e-5, atol=1e-5)
    numpy_result = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "numpy"})(value)[0]
    np.testing.assert_allclose(ours, numpy_result, rtol=1e-5, atol=1e-5)


@needs_onednn
def test_fused_matmul_matches_openvino(rng):
    model = matmul_model(rng)
    value = rng.standard_normal((2, 7, 32), dtype=np.float32)
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert set(backends_of(compiled).values()) == {"onednn"}
    assert_outputs_match([compiled(value)[0]], run_openvino(model, [value]), rtol=1e-5,
                         atol=1e-5)


@needs_onednn
@pytest.mark.parametrize("layout", ["NHWC region", "NCHW"])
def test_static_steps_run_their_compile_time_call_and_other_layouts_the_kernel(
        rng, monkeypatch, layout):
    """Static shapes run each oneDNN step through the StaticCall made at compile time; an
    input laid out otherwise (a transposed view handed to a MatMul made for dense rows) takes
    the kernel's own path; both give OpenVINO's results, on several requests at once."""
    from ov_notebook.runtime.onednn.ops import ConvolutionKernel, MatMulKernel

    kernel_calls = []  # the kernels' own path (what a static call skips)
    for cls in (ConvolutionKernel, MatMulKernel):
        def spy(self, *args, original=cls.__call__):
            kernel_calls.append(self)
            return original(self, *args)
        monkeypatch.setattr(cls, "__call__", spy)
    config = {"KERNEL_BACKEND": "onednn", "INFERENCE_NUM_THREADS": 2}
    if layout == "NCHW":
        config["DISABLED_PASSES"] = "channels_last"
    conv = conv_block_model(rng)
    compiled = ov.compile_model(conv, "CPU", config)
    convolutions = {step.fast_call for step in compiled._plan.plan.steps
                    if step.node.get_type_name().startswith("Fused")} - {None}
    assert len(convolutions) == 2
    value = rng.standard_normal((1, 8, 15, 13), dtype=np.float32)
    expected = run_openvino(conv, [value])
    assert_outputs_match([compiled(value)[0]], expected, rtol=1e-5, atol=1e-5)
    # NHWC: both convolutions static; NCHW: the second only, whose input is the first's
    # channels-last output (the first reads the dense NCHW input, which the kernel reorders)
    kernels = {step.attrs.get("dnnl") for step in compiled._plan.plan.steps
               if step.node.get_type_name().startswith("Fused")}
    assert len([k for k in kernel_calls if k in kernels]) == (0 if layout == "NHWC region" else 1)

    # tokens [2, 32, 7] transposed into a strided view [2, 7, 32], or fed as [2, 7, 32]
    for transposed in (False, True):
        shape = (2, 32, 7) if transposed else (2, 7, 32)
        tokens = ops.parameter(list(shape), np.float32, name="tokens")
        source = ops.transpose(tokens, ops.constant(np.array([0, 2, 1]))) if transposed \
            else tokens
        weights = rng.standard_normal((48, 32), dtype=np.float32)
        matmul = ov.Model([ops.relu(ops.matmul(source, weights, False, True))], [tokens])
        compiled = ov.compile_model(matmul, "CPU", config)
        value = rng.standard_normal(shape, dtype=np.float32)
        kernel_calls.clear()
        assert_outputs_match([compiled(value)[0]], run_openvino(matmul, [value]), rtol=1e-5,
                             atol=1e-5)
        assert len(kernel_calls) == (1 if transposed else 0)
        if not transposed:
            dense, compiled_dense = matmul, compiled
    tokens = rng.standard_normal((2, 7, 32), dtype=np.float32)

    results, errors = {}, []

    def worker(index):
        try:
            request = compiled_dense.create_infer_request()
            for _ in range(20):
                results[index] = request.infer([tokens * index])[0].copy()
        except Exception as exc:  # noqa: BLE001  reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(1, 4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert not errors
    for index in range(1, 4):
        assert_outputs_match([results[index]], run_openvino(dense, [tokens * index]),
                             rtol=1e-5, atol=1e-5)


@needs_onednn
@pytest.mark.parametrize("activation", [None, "relu"])
def test_a_residual_convolution_sums_into_the_dead_residual_buffer(rng, activation):
    """conv2(conv1(a)) + a with ``a`` dead after it (ResNet's and MobileNet's blocks): the
    second convolution adds ``a`` with oneDNN's sum post-op, writing into ``a``'s buffer (as
    OpenVINO's CPU plugin does) instead of a new one; OpenVINO's results either way, and a
    residual still read later is left alone."""
    x = ops.parameter([2, 8, 9, 11], np.float32, name="x")

    def conv(value, out_channels, in_channels):
        weights = rng.standard_normal((out_channels, in_channels, 3, 3), dtype=np.float32)
        return ops.convolution(value, weights * np.float32(0.2), [1, 1], [1, 1], [1, 1], [1, 1])

    a = ops.relu(conv(x, 16, 8))
    summed = ops.add(conv(ops.relu(conv(a, 16, 16)), 16, 16), a)
    if activation:
        summed = ops.relu(summed)
    later = ops.multiply(a, summed)  # reads a after the sum: a is not dead there
    for outputs, dead in (([summed], True), ([summed, later], False)):
        model = ov.Model(outputs, [x])
        request = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"}) \
            .create_infer_request()
        addresses = []

        def record(node, produced, addresses=addresses):  # addresses: a view would block it
            if node.get_type_name() == "FusedConvolutionNHWC":
                addresses.append(produced[0].__array_interface__["data"][0])

        request.set_node_callback(record)
        value = rng.standard_normal((2, 8, 9, 11), dtype=np.float32)
        ours = [r.copy() for r in request.infer([value]).values()]
        assert len(addresses) == 3
        assert (addresses[2] == addresses[0]) == dead, addresses
        assert_outputs_match(ours, run_openvino(model, [value]), rtol=1e-5, atol=1e-5)


@needs_onednn
def test_region_edge_conversions_are_oneDNN_reorders_with_numpys_values(rng):
    """ToChannelsLast/ToChannelsFirst of a static f32 region run as oneDNN reorders (a copy:
    the same bits as numpy's transpose), dynamic ones as numpy."""
    for shape in ([3, 8, 15, 13], [-1, 8, 15, 13]):
        x = ops.parameter(shape, np.float32, name="x")
        w1 = rng.standard_normal((16, 8, 3, 3), dtype=np.float32)
        w2 = rng.standard_normal((16, 16, 1, 1), dtype=np.float32)
        y = ops.convolution(ops.relu(ops.convolution(x, w1, [1, 1], [1, 1], [1, 1], [1, 1])),
                            w2, [1, 1], [0, 0], [0, 0], [1, 1])
        model = ov.Model([y], [x])
        compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
        kinds = {node.get_type_name(): node.rt_info.get("kernel_backend")
                 for node in compiled.get_runtime_model().get_ordered_ops()}
        static = shape[0] != -1
        assert kinds["ToChannelsLast"] == ("onednn" if static else None), kinds
        assert kinds["ToChannelsFirst"] == ("onednn" if static else None), kinds
        value = rng.standard_normal((3, 8, 15, 13), dtype=np.float32)
        edges = []
        request = compiled.create_infer_request()
        request.set_node_callback(lambda node, outputs, edges=edges: edges.append(
            outputs[0].copy()) if node.get_type_name() == "ToChannelsLast" else None)
        ours = request.infer([value])[0]
        np.testing.assert_array_equal(edges[0], value.transpose(0, 2, 3, 1))
        assert_outputs_match([ours], run_openvino(model, [value]), rtol=1e-5, atol=1e-4)


def test_numpy_backend_runs_no_primitive(rng):
    compiled = ov.compile_model(conv_block_model(rng), "CPU", {"KERNEL_BACKEND": "numpy"})
    assert compiled.get_property("KERNEL_BACKEND") == "numpy"
    assert set(backends_of(compiled).values()) == {None}


def test_bad_backend_names_are_rejected(monkeypatch, rng):
    with pytest.raises(ValueError, match="KERNEL_BACKEND must be one of auto, onednn, numpy"):
        ov.compile_model(matmul_model(rng), "CPU", {"KERNEL_BACKEND": "mkl"})
    monkeypatch.setenv("OV_NOTEBOOK_KERNELS", "fast")
    with pytest.raises(ValueError, match="OV_NOTEBOOK_KERNELS must be one of"):
        ov.compile_model(matmul_model(rng), "CPU")


def test_falls_back_to_numpy_when_the_library_is_absent(monkeypatch, rng):
    monkeypatch.setattr(onednn, "_loaded", (None, "oneDNN (libdnnl.so.3) could not be loaded: "
                                                  "simulated"))
    monkeypatch.delenv("OV_NOTEBOOK_KERNELS", raising=False)
    model = conv_block_model(rng)
    value = rng.standard_normal((1, 8, 15, 13), dtype=np.float32)
    compiled = ov.compile_model(model)
    assert compiled.get_property("KERNEL_BACKEND") == "numpy"
    assert set(backends_of(compiled).values()) == {None}
    assert_outputs_match([compiled(value)[0]], run_openvino(model, [value]), rtol=1e-5,
                         atol=1e-5)
    with pytest.raises(onednn.BackendUnavailable, match="'onednn' was requested but .*simulated"):
        ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    monkeypatch.setenv("OV_NOTEBOOK_KERNELS", "onednn")
    with pytest.raises(onednn.BackendUnavailable, match="simulated"):
        ov.compile_model(model)


def test_an_unloadable_library_falls_back_in_a_fresh_process(tmp_path):
    """The real loader: a library path that is not a shared object."""
    fake = tmp_path / "libdnnl.so.3"
    fake.write_text("not a library")
    script = ("import numpy as np, ov_notebook as ov\n"
              "from ov_notebook import opset as ops\n"
              "from ov_notebook.runtime import onednn\n"
              "x = ops.parameter([2, 3], np.float32)\n"
              "c = ov.compile_model(ov.Model([ops.relu(ops.matmul(x, np.ones((3, 4), np.float32),"
              " False, False))], [x]))\n"
              "print(c.get_property('KERNEL_BACKEND'), c(np.ones((2, 3), np.float32))[0].sum())\n"
              "print(onednn.unavailable_reason())\n")
    environment = dict(os.environ, OV_NOTEBOOK_DNNL_LIBRARY=str(fake), PYTHONPATH=ROOT)
    environment.pop("OV_NOTEBOOK_KERNELS", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    first, reason = done.stdout.splitlines()[:2]
    assert first == "numpy 24.0"
    assert str(fake) in reason and "pip install onednn-cpu-gomp" in reason


@needs_onednn
def test_primitives_use_the_compiled_thread_count_whatever_torch_set(rng, monkeypatch):
    torch = pytest.importorskip("torch")
    from ov_notebook.runtime.onednn import _runtime

    seen = []
    original = _runtime.Primitive.launch

    def spy(self, exec_args):  # every execution ends here, static calls' too
        seen.append(self.runtime.threads())
        return original(self, exec_args)

    monkeypatch.setattr(_runtime.Primitive, "launch", spy)
    model = conv_block_model(rng)
    value = rng.standard_normal((1, 8, 15, 13), dtype=np.float32)
    saved = torch.get_num_threads()
    try:
        for threads in (1, 2, 3):
            compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn",
                                                       "INFERENCE_NUM_THREADS": threads})
            torch.set_num_threads(5)  # torch's libgomp may be the one libdnnl uses
            seen.clear()
            compiled(value)
            assert seen and set(seen) == {threads}
    finally:
        torch.set_num_threads(saved)


@needs_onednn
def test_concurrent_requests_match_and_dynamic_shapes_get_their_own_primitives(rng):
    x = ops.parameter([-1, 8, 12, 12], np.float32, name="x")
    weights = rng.standard_normal((16, 8, 3, 3), dtype=np.float32)
    conv = ops.relu(ops.convolution(x, weights, [1, 1], [1, 1], [1, 1], [1, 1]))
    model = ov.Model([conv], [x])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn",
                                               "INFERENCE_NUM_THREADS": 2})
    values = [rng.standard_normal((batch, 8, 12, 12), dtype=np.float32) for batch in (1, 3, 2)]
    expected = [run_openvino(model, [v])[0] for v in values]
    results, errors = {}, []

    def worker(index):
        try:
            request = compiled.create_infer_request()
            for _ in range(5):
                results[index] = request.infer([values[index]])[0].copy()
        except Exception as exc:  # noqa: BLE001  reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert not errors
    for index, value in enumerate(expected):
        assert_outputs_match([results[index]], [value], rtol=1e-5, atol=1e-5)
    kernel = next(step.attrs["dnnl"] for step in compiled._plan.plan.steps
                  if step.attrs.get("dnnl") is not None)
    assert sum(p is not None for p in kernel._cache.values()) == 3  # one per batch size


@needs_onednn
def test_buffers_are_64_byte_aligned():
    from ov_notebook.runtime.onednn._runtime import aligned_empty

    for shape in [(1,), (3, 5), (7, 11, 13)]:
        assert aligned_empty(shape).ctypes.data % 64 == 0


@needs_onednn
@pytest.mark.parametrize("affine", ["gamma and beta", "gamma", "beta", "beta then gamma"])
def test_layer_norm_and_softmax_match_openvino(rng, affine):
    """MVN over the last axis with LayerNorm's affine steps (oneDNN applies gamma then beta
    itself; anything else stays in the numpy epilogue), a residual add, then Softmax."""
    x = ops.parameter([2, 5, 24], np.float32, name="x")
    gamma = rng.standard_normal(24, dtype=np.float32)
    beta = rng.standard_normal(24, dtype=np.float32)
    y = ops.mvn(x, np.array([-1], np.int64), True, 1e-5, "inside_sqrt")
    steps = {"gamma and beta": ("mul", "add"), "gamma": ("mul",), "beta": ("add",),
             "beta then gamma": ("add", "mul")}[affine]
    for step in steps:
        y = ops.multiply(y, gamma) if step == "mul" else ops.add(y, beta)
    model = ov.Model([ops.softmax(ops.add(y, x), -1)], [x])
    value = rng.standard_normal((2, 5, 24), dtype=np.float32) * 3
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    kinds = {node.get_type_name(): node.rt_info.get("kernel_backend")
             for node in compiled.get_runtime_model().get_ordered_ops()}
    assert kinds.get("FusedMVN") == "onednn" and kinds.get("Softmax") == "onednn", kinds
    assert_outputs_match([compiled(value)[0]], run_openvino(model, [value]), rtol=1e-5,
                         atol=1e-6)


@needs_onednn
@pytest.mark.parametrize("axes, normalize, eps_mode, on_onednn", [
    ([-1], True, "inside_sqrt", True), ([2], True, "inside_sqrt", True),
    ([-1], True, "outside_sqrt", False), ([-1], False, "inside_sqrt", False),
    ([1, 2], True, "inside_sqrt", False)])
def test_plain_mvn_over_the_last_axis_runs_on_onednn(rng, axes, normalize, eps_mode, on_onednn):
    """An MVN with no affine step after it (BERT's, whose gamma and beta the MatMuls after it
    absorbed) is a layer normalization: oneDNN where its eps mode and axes are oneDNN's, numpy
    elsewhere, OpenVINO's results either way."""
    x = ops.parameter([2, 7, 48], np.float32, name="x")
    model = ov.Model([ops.mvn(x, np.array(axes, np.int64), normalize, 1e-6, eps_mode)], [x])
    value = rng.standard_normal((2, 7, 48), dtype=np.float32) * 4 + 1
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    kinds = {node.get_type_name(): node.rt_info.get("kernel_backend")
             for node in compiled.get_runtime_model().get_ordered_ops()}
    assert (kinds.get("MVN") == "onednn") == on_onednn, kinds
    assert_outputs_match([compiled(value)[0]], run_openvino(model, [value]), rtol=1e-5,
                         atol=1e-5)


@needs_onednn
def test_sequence_first_matmul_folds_its_batch_into_rows(rng):
    """[S, 1, E] @ W (nn.MultiheadAttention's in-projection) runs as one [S, E] GEMM, not S
    GEMVs; a strided view of it and the contiguous copy share one primitive."""
    from ov_notebook.runtime.onednn.ops import MatMulKernel, epilogue_post_ops

    weights = rng.standard_normal((32, 48), dtype=np.float32)
    bias = rng.standard_normal(48, dtype=np.float32)
    kernel = MatMulKernel(onednn.runtime(), weights, bias, epilogue_post_ops("add;Relu")[1:])
    batch_first = rng.standard_normal((1, 9, 32), dtype=np.float32)
    view = batch_first.transpose(1, 0, 2)  # [9, 1, 32], strides of a sequence-first view
    expected = np.maximum(view @ weights + bias, 0)
    for a in (view, np.ascontiguousarray(view)):
        np.testing.assert_allclose(kernel(a, None, [], 1), expected, rtol=1e-5, atol=1e-5)
    assert len(kernel._cache) == 1 and next(iter(kernel._cache.values())).output_shape == [9, 48]


@needs_onednn
@pytest.mark.parametrize("shape", [(1, 6, 32), (6, 32), (2, 3, 32), (1, 1, 32)])
def test_misaligned_transposed_weights_are_kept_as_a_view_and_reordered_right(rng, shape):
    """A transpose_b weight mapped from a .bin at an offset that is not a multiple of 4 (a
    1-byte constant before it): the kernel keeps the transposed view, no copy of its own, and
    every primitive, also one made for a new shape at run time, reorders the right values."""
    from ov_notebook.runtime.onednn.ops import MatMulKernel

    stored = rng.standard_normal((48, 32), dtype=np.float32)  # [N, K] as the IR stores it
    raw = np.zeros(stored.nbytes + 1, np.uint8)
    raw[1:] = stored.view(np.uint8).reshape(-1)
    weights = raw[1:].view(np.float32).reshape(48, 32).T  # [K, N], misaligned, strided
    assert not weights.flags.aligned and np.array_equal(weights, stored.T)
    kernel = MatMulKernel(onednn.runtime(), weights, None, [])
    assert np.shares_memory(kernel.constant, raw)
    for rows in (shape, (1, 9, 32)):  # the second: a primitive (and reorder) for a new shape
        a = rng.standard_normal(rows, dtype=np.float32)
        np.testing.assert_allclose(kernel(a, None, [], 1), a @ stored.T, rtol=1e-5, atol=1e-5)


@needs_onednn
@pytest.mark.parametrize("k, n", [(64, 1000), (100, 700), (256, 512)])
def test_large_misaligned_weights_are_staged_in_slices(rng, monkeypatch, k, n):
    """A misaligned weight larger than the staging slice is copied and reordered a slice of
    columns at a time into parts of the packed layout (N not a multiple of oneDNN's blocks:
    the padding is zeroed), with the products of a whole reorder."""
    from ov_notebook.runtime.onednn import _runtime
    from ov_notebook.runtime.onednn.ops import MatMulKernel

    monkeypatch.setattr(_runtime, "STAGING_SLICE_BYTES", 1 << 16)
    stored = rng.standard_normal((n, k), dtype=np.float32)
    raw = np.zeros(stored.nbytes + 1, np.uint8)
    raw[1:] = stored.view(np.uint8).reshape(-1)
    weights = raw[1:].view(np.float32).reshape(n, k).T
    kernel = MatMulKernel(onednn.runtime(), weights, None, [])
    a = rng.standard_normal((5, k), dtype=np.float32)
    np.testing.assert_allclose(kernel(a, None, [], 1), a @ stored.T, rtol=1e-5, atol=1e-4)
    target = next(iter(kernel.packed)).descs[1]
    assert len(_runtime._slices(onednn.runtime(), weights, target)) > 1
    aligned = MatMulKernel(onednn.runtime(), stored.T, None, [])
    aligned(a, None, [], 1)
    np.testing.assert_array_equal(next(iter(kernel.packed.values())),
                                  next(iter(aligned.packed.values())))
    assert getattr(_runtime._staging, "buffer", None) is None


@needs_onednn
def test_misaligned_weights_share_one_staging_buffer_released_after_compile(rng):
    """Misaligned weights are copied through one per-thread buffer while a model compiles (not
    a fresh allocation each), freed when the compile ends; a reorder at run time frees its own."""
    from ov_notebook.runtime.onednn import _runtime

    def misaligned(shape):
        raw = np.zeros(4 * int(np.prod(shape)) + 1, np.uint8)
        array = raw[1:].view(np.float32).reshape(shape)
        array[...] = rng.standard_normal(shape, dtype=np.float32)
        return array

    target = _runtime.MemoryDesc.of(onednn.runtime(), [24, 16])
    with onednn.building("onednn", 1):
        for shape in [(16, 24), (8, 48), (16, 24)]:
            weights = misaligned(shape)
            out = _runtime.reorder(onednn.runtime(), weights.T if shape[0] == 16 else
                                   weights.reshape(24, 16), target)
            expected = weights.T if shape[0] == 16 else weights.reshape(24, 16)
            np.testing.assert_array_equal(out.reshape(24, 16), expected)
            assert _runtime._staging.buffer.nbytes == 4 * 24 * 16  # reused, not regrown
    assert getattr(_runtime._staging, "buffer", None) is None
    _runtime.reorder(onednn.runtime(), misaligned((24, 16)), target)
    assert getattr(_runtime._staging, "buffer", None) is None


@needs_onednn
@pytest.mark.parametrize("rounding", ["floor", "ceil"])
@pytest.mark.parametrize("pool", ["max", "avg exclude-pad", "avg include-pad"])
@pytest.mark.parametrize("layout", ["NHWC region", "NCHW"])
def test_pooling_matches_openvino(rng, pool, rounding, layout):
    """Pools between two convolutions (a channels-last region unless the pass is off); ceil
    windows that overhang the input, and include-pad averages over them, as OpenVINO."""
    x = ops.parameter([1, 8, 11, 10], np.float32, name="x")
    first = ops.convolution(x, rng.standard_normal((16, 8, 3, 3), dtype=np.float32),
                            [1, 1], [1, 1], [1, 1], [1, 1])
    if pool == "max":
        pooled = ops.max_pool(first, [2, 2], [1, 1], [1, 0], [1, 1], [3, 3],
                              rounding_type=rounding)
        pooled = pooled.output(0)
    else:
        pooled = ops.avg_pool(first, [2, 2], [1, 0], [1, 1], [3, 3],
                              pool == "avg exclude-pad", rounding)
    out = ops.convolution(pooled, rng.standard_normal((4, 16, 1, 1), dtype=np.float32),
                          [1, 1], [0, 0], [0, 0], [1, 1])
    model = ov.Model([out], [x])
    value = rng.standard_normal((1, 8, 11, 10), dtype=np.float32)
    config = {"KERNEL_BACKEND": "onednn"}
    if layout == "NCHW":
        config["DISABLED_PASSES"] = "channels_last"
    compiled = ov.compile_model(model, "CPU", config)
    assert_outputs_match([compiled(value)[0]], run_openvino(model, [value]), rtol=1e-5,
                         atol=1e-5)
