"""oneDNN breadth: transposed convolutions on the deconvolution primitive, standalone activations
on eltwise and binary ops on the binary primitive; each checked to run on oneDNN (the node's
``kernel_backend`` rt_info in the runtime model) and to match OpenVINO and the numpy backend."""
from __future__ import annotations

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import onednn
from oracle import assert_outputs_match, run_openvino

pytestmark = pytest.mark.skipif(onednn.runtime() is None, reason="oneDNN is not installed")


def compile_both(model):
    return [ov.compile_model(model, "CPU", {"KERNEL_BACKEND": backend})
            for backend in ("onednn", "numpy")]


def backend_of(compiled, type_name):
    """The kernel_backend rt_info of the one ``type_name`` node of the runtime model."""
    (node,) = [n for n in compiled.get_runtime_model().get_ordered_ops()
               if n.get_type_name() == type_name]
    return node.rt_info.get("kernel_backend")


def assert_matches(model, values, compiled, atol=1e-5):
    ours = compiled(values)[0]
    assert_outputs_match([ours], run_openvino(model, values), rtol=1e-5, atol=atol)
    return ours


# --- transposed convolution ----------------------------------------------------------------------
DECONVOLUTIONS = {  # name: (input shape, filters shape, strides, grouped, keyword arguments)
    "plain 3x3/2": ((1, 8, 7, 7), (8, 4, 3, 3), [2, 2], False, {}),
    "output_padding": ((1, 8, 7, 7), (8, 4, 3, 3), [2, 2], False,
                       {"pads_begin": [1, 1], "pads_end": [1, 1], "output_padding": [1, 1]}),
    "uneven pads, dilated": ((2, 8, 7, 6), (8, 4, 3, 3), [2, 1], False,
                             {"pads_begin": [1, 0], "pads_end": [0, 2], "dilations": [2, 1]}),
    "output_shape same_upper": ((1, 8, 7, 7), (8, 4, 3, 3), [2, 2], False,
                                {"output_shape": [16, 15], "auto_pad": "same_upper"}),
    "output_shape same_lower": ((1, 8, 7, 7), (8, 4, 3, 3), [2, 2], False,
                                {"output_shape": [15, 14], "auto_pad": "same_lower"}),
    "output_shape explicit": ((1, 8, 7, 7), (8, 4, 4, 4), [2, 2], False,
                              {"output_shape": [14, 13], "pads_begin": [1, 1],
                               "pads_end": [1, 1]}),
    "valid": ((1, 8, 5, 6), (8, 4, 2, 2), [2, 2], False, {"auto_pad": "valid"}),
    "depthwise 4x4/2": ((2, 16, 9, 9), (16, 1, 1, 4, 4), [2, 2], True,
                        {"pads_begin": [1, 1], "pads_end": [1, 1]}),
    "grouped": ((1, 8, 7, 7), (2, 4, 3, 3, 3), [2, 2], True, {}),
    "1-D": ((2, 8, 9), (8, 3, 4), [3], False, {}),
    "3-D": ((1, 8, 5, 4, 3), (8, 3, 3, 3, 3), [2, 1, 2], False, {}),
}


def deconvolution_model(rng, shape, filters_shape, strides, grouped, kwargs):
    x = ops.parameter(list(shape), np.float32, name="x")
    filters = rng.standard_normal(filters_shape).astype(np.float32)
    build = ops.group_convolution_backprop_data if grouped else ops.convolution_backprop_data
    return ov.Model([build(x, filters, strides, **kwargs)], [x])


@pytest.mark.parametrize("case", list(DECONVOLUTIONS))
def test_transposed_convolutions_run_on_onednn_and_match_openvino(rng, case):
    shape, filters_shape, strides, grouped, kwargs = DECONVOLUTIONS[case]
    model = deconvolution_model(rng, shape, filters_shape, strides, grouped, kwargs)
    onednn_compiled, numpy_compiled = compile_both(model)
    type_name = ("Group" if grouped else "") + "ConvolutionBackpropData"
    assert backend_of(onednn_compiled, type_name) == "onednn"
    assert backend_of(numpy_compiled, type_name) is None
    value = rng.standard_normal(shape).astype(np.float32)
    ours = assert_matches(model, [value], onednn_compiled)
    np.testing.assert_allclose(ours, numpy_compiled(value)[0], rtol=1e-5, atol=1e-5)


def test_transposed_convolution_without_a_fast_primitive_runs_numpy(rng):
    """An output_shape past the full result by more than a stride: oneDNN has no primitive."""
    model = deconvolution_model(rng, (1, 8, 7, 7), (8, 4, 3, 3), [2, 2], False,
                                {"output_shape": [16, 17]})
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert backend_of(compiled, "ConvolutionBackpropData") is None
    assert_matches(model, [rng.standard_normal((1, 8, 7, 7)).astype(np.float32)], compiled)


def test_dynamic_transposed_convolution_makes_a_primitive_per_shape(rng):
    x = ops.parameter([-1, 8, -1, -1], np.float32, name="x")
    filters = rng.standard_normal((8, 1, 1, 4, 4)).astype(np.float32)
    model = ov.Model([ops.group_convolution_backprop_data(x, filters, [2, 2], pads_begin=[1, 1],
                                                         pads_end=[1, 1])], [x])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    for shape in [(1, 8, 5, 5), (2, 8, 6, 4), (1, 8, 5, 5)]:
        assert_matches(model, [rng.standard_normal(shape).astype(np.float32)], compiled)
    kernel = next(step.attrs["dnnl"] for step in compiled._plan.plan.steps
                  if step.attrs.get("dnnl") is not None)
    assert sum(p is not None for p in kernel._cache.values()) == 2


# --- standalone activations ----------------------------------------------------------------------
ACTIVATIONS = {
    "Gelu erf": lambda x: ops.gelu(x, "erf"), "Gelu tanh": lambda x: ops.gelu(x, "tanh"),
    "Sigmoid": ops.sigmoid, "HSwish": ops.hswish, "HSigmoid": ops.hsigmoid, "Mish": ops.mish,
    "SoftPlus": ops.softplus, "Elu": lambda x: ops.elu(x, 0.7), "Swish": ops.swish,
    "Swish beta": lambda x: ops.swish(x, np.array(0.6, np.float32)),
}
IMAGE = (1, 64, 56, 56)  # above every activation's MIN_ELEMENTS


def activation_input(rng, shape, tails=True):
    """Normal values and, with ``tails``, where SoftPlus turns linear, sigmoids saturate and
    Elu's exp underflows. (numpy's Gelu-erf leaves 1.07e-05 at x = -90 where OpenVINO and
    oneDNN give 0: the numpy-path checks below stay within +-30.)"""
    value = rng.standard_normal(shape).astype(np.float32) * 4
    if tails:
        value.reshape(-1)[:8] = [-90, -30, -17, -9.5, 9.5, 17, 30, 90]
    else:
        value.reshape(-1)[:6] = [-30, -17, -9.5, 9.5, 17, 30]
    return value


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_standalone_activations_run_on_onednn_and_match_openvino(rng, name):
    x = ops.parameter(list(IMAGE), np.float32, name="x")
    activation = ACTIVATIONS[name](x)
    model = ov.Model([activation], [x])
    onednn_compiled, numpy_compiled = compile_both(model)
    assert backend_of(onednn_compiled, activation.get_type_name()) == "onednn"
    assert_matches(model, [activation_input(rng, IMAGE)], onednn_compiled)
    value = activation_input(rng, IMAGE, tails=False)
    np.testing.assert_allclose(onednn_compiled(value)[0], numpy_compiled(value)[0], rtol=1e-5,
                               atol=1e-5)


def test_activations_write_dead_buffers_in_place_and_chain(rng):
    """x*2 -> Gelu -> Mish -> SoftPlus: each activation may overwrite its dead input."""
    x = ops.parameter(list(IMAGE), np.float32, name="x")
    y = ops.softplus(ops.mish(ops.gelu(ops.multiply(x, np.float32(2)), "erf")))
    model = ov.Model([y], [x])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert {backend_of(compiled, t) for t in ("Gelu", "Mish", "SoftPlus")} == {"onednn"}
    value = activation_input(rng, IMAGE)
    original = value.copy()
    assert_matches(model, [value], compiled)
    np.testing.assert_array_equal(value, original)  # the caller's input is never written


@pytest.mark.parametrize("build, type_name", [
    (lambda x: ops.gelu(x, "erf"), "Gelu"), (ops.relu, "Relu"),
    (lambda x: ops.clamp(x, -1.0, 2.0), "Clamp")])
def test_small_tensors_and_memory_bound_activations_stay_numpy(rng, build, type_name):
    """Below its size threshold (a 1x512 Gelu) or an activation numpy runs as fast (Relu and
    Clamp at any size): the numpy compute runs, and the node says no oneDNN."""
    shape = (1, 512) if type_name == "Gelu" else IMAGE
    x = ops.parameter(list(shape), np.float32, name="x")
    model = ov.Model([build(x)], [x])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert backend_of(compiled, type_name) is None
    assert_matches(model, [activation_input(rng, shape, tails=False)], compiled)


def test_dynamic_activation_is_decided_per_run(rng):
    x = ops.parameter([-1, 64, 56, 56], np.float32, name="x")
    model = ov.Model([ops.mish(x)], [x])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    for batch in (1, 2):
        assert_matches(model, [activation_input(rng, (batch, 64, 56, 56))], compiled)
    small = ops.parameter([-1, 8], np.float32, name="x")
    model = ov.Model([ops.mish(small)], [small])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert_matches(model, [activation_input(rng, (3, 8))], compiled)  # below the threshold
    kernel = compiled._plan.plan.steps[0].attrs["dnnl"]
    assert kernel._cache == {}  # never asked oneDNN


# --- binary ops ----------------------------------------------------------------------------------
BINARIES = {  # name: (builder, first shape, second shape, runs on oneDNN)
    "Add same shape": (ops.add, (4, 96, 768), (4, 96, 768), True),
    "Subtract per channel": (ops.subtract, (2, 64, 24, 24), (1, 64, 1, 1), True),
    "Multiply swapped": (ops.multiply, (1, 64, 1, 1), (2, 64, 24, 24), True),
    "Divide last axis": (ops.divide, (4, 96, 768), (768,), True),
    "Maximum": (ops.maximum, (4, 96, 768), (4, 96, 768), True),
    "Minimum per channel": (ops.minimum, (2, 64, 24, 24), (64, 1, 1), True),
    "Subtract, first broadcasts": (ops.subtract, (1, 64, 1, 1), (2, 64, 24, 24), False),
    "Add, both broadcast": (ops.add, (4, 1, 768), (4, 96, 1), False),
}


@pytest.mark.parametrize("name", list(BINARIES))
def test_binary_ops_run_on_onednn_where_its_broadcast_fits(rng, monkeypatch, name):
    from ov_notebook.runtime.onednn import eltwise

    monkeypatch.setattr(eltwise, "BINARY_MIN_ELEMENTS", 1024)  # small tensors, same code path
    build, first, second, on_onednn = BINARIES[name]
    a = ops.parameter(list(first), np.float32, name="a")
    b = ops.parameter(list(second), np.float32, name="b")
    node = build(a, b)
    model = ov.Model([node], [a, b])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert backend_of(compiled, node.get_type_name()) == ("onednn" if on_onednn else None)
    values = [rng.standard_normal(first).astype(np.float32),
              rng.standard_normal(second).astype(np.float32) + 3]
    assert_matches(model, values, compiled)


def test_binary_in_place_on_a_dead_buffer(rng, monkeypatch):
    """Gelu(x) + y: the Add writes into the Gelu output, which nobody reads after it."""
    from ov_notebook.runtime.onednn import eltwise

    monkeypatch.setattr(eltwise, "BINARY_MIN_ELEMENTS", 1024)
    x = ops.parameter(list(IMAGE), np.float32, name="x")
    y = ops.parameter([1, 64, 1, 1], np.float32, name="y")
    model = ov.Model([ops.multiply(ops.gelu(x, "erf"), y)], [x, y])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert backend_of(compiled, "Multiply") == "onednn"
    step = next(s for s in compiled._plan.plan.steps if s.node.get_type_name() == "Multiply")
    assert step.inplace_slot is not None
    assert_matches(model, [activation_input(rng, IMAGE),
                           rng.standard_normal((1, 64, 1, 1)).astype(np.float32)], compiled)


def test_integer_and_small_binary_ops_stay_numpy(rng):
    a = ops.parameter([4, 96, 768], np.int32, name="a")
    small = ops.parameter([4, 8], np.float32, name="small")
    model = ov.Model([ops.add(a, a), ops.add(small, small)], [a, small])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    kinds = [n.rt_info.get("kernel_backend") for n in compiled.get_runtime_model().get_ordered_ops()
             if n.get_type_name() == "Add"]
    assert kinds == [None, None]
    values = [rng.integers(-100, 100, (4, 96, 768), dtype=np.int32),
              rng.standard_normal((4, 8)).astype(np.float32)]
    results = compiled(values)
    np.testing.assert_array_equal(results[0], values[0] * 2)
    np.testing.assert_array_equal(results[1], values[1] * 2)


def test_eltwise_keeps_the_input_layout_and_reuses_a_dead_input(rng):
    """An NCHW view of NHWC memory (a oneDNN convolution's output) gives an NHWC-laid result;
    handed over as ``out``, a dense input is written in place, a strided one is not."""
    from ov_notebook.runtime.onednn.eltwise import BinaryKernel, EltwiseKernel
    from ov_notebook.runtime.onednn.ops import is_channels_last

    mish = EltwiseKernel(onednn.runtime(), "mish", 0.0, 0.0)
    nhwc = rng.standard_normal((2, 9, 11, 16)).astype(np.float32)
    x = nhwc.transpose(0, 3, 1, 2)
    expected = x * np.tanh(np.logaddexp(x, 0))
    y = mish(x, 1)
    assert is_channels_last(y) and not np.shares_memory(y, x)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert mish(x, 1, out=x) is x
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-6)
    strided = rng.standard_normal((4, 64, 64)).astype(np.float32)[:, ::2]
    assert not np.shares_memory(mish(strided, 1, out=strided), strided)

    add = BinaryKernel(onednn.runtime(), "add", commutative=True)
    a = rng.standard_normal((2, 9, 11, 16)).astype(np.float32).transpose(0, 3, 1, 2)
    bias = rng.standard_normal((16, 1, 1)).astype(np.float32)
    expected = a + bias
    assert is_channels_last(add(a, bias, 1))
    result = add(bias, a, 1, out=bias)  # swapped operands: never into the small one
    assert not np.shares_memory(result, bias)
    np.testing.assert_allclose(result, expected, rtol=1e-6)
    result = add(a, bias, 1, out=a)
    assert np.shares_memory(result, a)
    np.testing.assert_allclose(result, expected, rtol=1e-6)


@pytest.mark.parametrize("build", [ops.maximum, ops.minimum], ids=["Maximum", "Minimum"])
def test_maximum_and_minimum_treat_nan_as_openvino_does(rng, monkeypatch, build):
    """A NaN first operand gives the second, a NaN second operand gives NaN: OpenVINO's CPU
    result, which oneDNN's binary primitive reproduces (numpy's ufuncs propagate both)."""
    from ov_notebook.runtime.onednn import eltwise

    monkeypatch.setattr(eltwise, "BINARY_MIN_ELEMENTS", 16)
    a, b = (ops.parameter([4, 8], np.float32, name=name) for name in "ab")
    node = build(a, b)
    model = ov.Model([node], [a, b])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    assert backend_of(compiled, node.get_type_name()) == "onednn"
    values = [rng.standard_normal((4, 8)).astype(np.float32) for _ in range(2)]
    values[0][0, :3] = np.nan
    values[1][1, :3] = np.nan
    assert_matches(model, values, compiled)


# --- implementation choice -----------------------------------------------------------------------
@pytest.mark.parametrize("kernel,stride", [(3, 1), (5, 2)])
def test_depthwise_convolution_runs_on_the_preferred_implementation(rng, kernel, stride):
    """A depthwise convolution (NHWC region, swish epilogue) runs on jit_dw:avx512* where oneDNN
    lists it (after its default brdgmm_dw) and matches OpenVINO."""
    from ov_notebook.runtime.onednn import _capi as C
    from ov_notebook.runtime.onednn._runtime import create, implementation_name, MemoryDesc

    channels = 40
    x = ops.parameter([1, channels, 20, 20], np.float32, name="x")
    y = ops.group_convolution(x, rng.standard_normal((channels, 1, 1, 1, 1), dtype=np.float32),
                              [1, 1], [0, 0], [0, 0], [1, 1])
    filters = rng.standard_normal((channels, 1, 1, kernel, kernel), dtype=np.float32)
    pad = kernel // 2
    y = ops.group_convolution(y, filters, [stride, stride], [pad, pad], [pad, pad], [1, 1])
    y = ops.swish(ops.add(y, rng.standard_normal((1, channels, 1, 1), dtype=np.float32)))
    y = ops.convolution(y, rng.standard_normal((8, channels, 1, 1), dtype=np.float32), [1, 1],
                        [0, 0], [0, 0], [1, 1])
    model = ov.Model([y], [x])
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    (node,) = [n for n in compiled.get_runtime_model().get_ordered_ops()
               if n.get_type_name().startswith("FusedGroupConvolution")
               and n.get_input_partial_shape(1).to_shape()[-1] == kernel]
    # what oneDNN lists for this descriptor, in its order
    rt = onednn.runtime()
    src = MemoryDesc.of(rt, [1, channels, 20, 20], [20 * 20 * channels, 1, 20 * channels, channels])
    out = (20 + 2 * pad - kernel) // stride + 1
    dst = MemoryDesc.of(rt, [1, channels, out, out], [out * out * channels, 1, out * channels,
                                                      channels])
    weights = MemoryDesc.any(rt, filters.shape)
    pd = create(rt, "convolution_forward", C.FORWARD_INFERENCE, C.CONVOLUTION_DIRECT, src.handle,
                weights.handle, None, dst.handle, C.dims([stride] * 2), C.dims([0, 0]),
                C.dims([pad] * 2), C.dims([pad] * 2))
    names = [implementation_name(rt, pd)]
    while rt.lib.dnnl_primitive_desc_next_impl(pd) == C.SUCCESS:
        names.append(implementation_name(rt, pd))
    rt.lib.dnnl_primitive_desc_destroy(pd)
    chosen = node.rt_info.get("onednn_implementation")
    if names[0].startswith("brdgmm_dw") and any(n.startswith("jit_dw:avx512") for n in names):
        assert chosen.startswith("jit_dw:avx512"), (chosen, names)
    else:
        assert chosen == names[0], (chosen, names)
    assert_matches(model, [rng.standard_normal((1, channels, 20, 20), dtype=np.float32)],
                   compiled)
