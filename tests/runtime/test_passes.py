"""Compile passes: each one fires where it should (seen in get_runtime_model()), leaves the graph
alone where it must, and never changes the numbers (pass on vs off, and vs real OpenVINO)."""
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir.node import Op
from ov_notebook.runtime import KernelError
from ov_notebook.runtime.kernels import kernel, registered_kernels
from ov_notebook.runtime.passes import PASS_NAMES, run_passes
from oracle import assert_outputs_match, run_openvino

ALL_PASSES = ",".join(PASS_NAMES)


def runtime_types(compiled):
    return [n.get_type_name() for n in compiled.get_runtime_model().get_ordered_ops()]


def fused_nodes(compiled):
    return [n for n in compiled.get_runtime_model().get_ordered_ops()
            if n.get_type_name().startswith("Fused")]


def compare_on_off(model, feeds, disabled=ALL_PASSES, rtol=1e-5, atol=1e-5):
    """Outputs with every pass vs with ``disabled`` passes off; returns the optimized model."""
    optimized = ov.compile_model(model)
    plain = ov.compile_model(model, "CPU", {"DISABLED_PASSES": disabled})
    assert_outputs_match(optimized(feeds).values(), plain(feeds).values(), rtol=rtol, atol=atol)
    return optimized


def normal(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def test_pipeline_names_and_unknown_pass():
    assert {"branch_inlining", "decompression_folding", "constant_folding", "dead_code",
            "gather_slicing", "affine_folding", "projection_merging", "epilogue_fusion",
            "layer_norm_fusion", "prepacking", "transpose_sinking", "channels_last",
            "squeeze_excite_fusion"} == \
        set(PASS_NAMES)
    x = ops.parameter([2], np.float32)
    with pytest.raises(ValueError, match="unknown pass"):
        run_passes(ov.Model([ops.relu(x)], [x]), disabled=("fusion_of_everything",))


# --- constant folding ---------------------------------------------------------------------------
def test_f16_decompression_and_shape_subgraphs_fold_once(rng):
    x = ops.parameter([2, 3], np.float32, name="x")
    weights = ops.convert(ops.constant(normal(rng, 2, 3).astype(np.float16)), "f32")
    shape = ops.convert(ops.shape_of(x), "f32")  # the shape of a static input is a constant
    model = ov.Model([ops.multiply(ops.add(x, weights), ops.reduce_sum(shape, [0], False))], [x])
    compiled = compare_on_off(model, [normal(rng, 2, 3)])
    assert "Convert" not in runtime_types(compiled) and "ShapeOf" not in runtime_types(compiled)
    folded = [n for n in compiled.get_runtime_model().get_ordered_ops()
              if n.get_type_name() == "Constant" and n.get_output_partial_shape(0) == [2, 3]]
    assert folded and folded[0].get_value().dtype == np.float32
    assert "constant_folding" in compiled.get_property("APPLIED_PASSES")


def test_huge_broadcasts_are_left_to_run_time():
    column = ops.constant(np.arange(1024, dtype=np.float32).reshape(1024, 1))
    row = ops.constant(np.arange(1024, dtype=np.float32).reshape(1, 1024))
    small_row = ops.constant(np.arange(4, dtype=np.float32).reshape(1, 4))
    x = ops.parameter([1], np.float32, name="x")
    model = ov.Model([ops.add(ops.add(column, row), x), ops.add(ops.add(column, small_row), x)], [x])
    compiled = compare_on_off(model, [np.ones(1, np.float32)])
    adds = [n for n in compiled.get_runtime_model().get_ordered_ops() if n.get_type_name() == "Add"]
    assert len(adds) == 3  # the 4 MiB product stays an Add; the 16 KiB one is folded


class _Fails(Op):
    """Test-only op whose kernel always raises."""

    type_name = "TestAlwaysFails"
    inputs_spec = ("data",)

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


if "TestAlwaysFails" not in registered_kernels():
    @kernel("TestAlwaysFails")
    def _always_fails(x):
        raise ArithmeticError("cannot compute this")


def test_a_kernel_failing_on_constants_fails_at_run_time_with_its_name():
    failing = _Fails(ops.constant(np.ones(2, np.float32)), name="doomed")
    x = ops.parameter([2], np.float32, name="x")
    compiled = ov.compile_model(ov.Model([ops.add(x, failing)], [x]))
    assert "TestAlwaysFails" in runtime_types(compiled)
    with pytest.raises(KernelError, match="TestAlwaysFails 'doomed'.*cannot compute this"):
        compiled(np.ones(2, np.float32))


# --- dead code and identities -------------------------------------------------------------------
def test_identities_are_bypassed(rng):
    x = ops.parameter([2, 3], np.float32, name="x")
    same_type = ops.convert(x, "f32")
    times_one = ops.multiply(ops.constant(np.ones((1, 3), np.float32)), same_type)
    plus_zero = ops.add(times_one, ops.constant(np.zeros((2, 3), np.float32)))
    grows = ops.add(ops.relu(plus_zero), ops.constant(np.zeros((4, 2, 3), np.float32)))
    compiled = compare_on_off(ov.Model([grows], [x]), [normal(rng, 2, 3)])
    assert runtime_types(compiled).count("Add") == 1  # the broadcasting one must stay
    assert "Convert" not in runtime_types(compiled) and "Multiply" not in runtime_types(compiled)
    assert "dead_code" in compiled.get_property("APPLIED_PASSES")


def test_clean_graph_reports_no_change():
    x = ops.parameter([2], np.float32)
    model = ov.Model([ops.relu(x)], [x])
    assert run_passes(model) == []


# --- affine folding -----------------------------------------------------------------------------
def batch_norm(rng, data, channels):
    return ops.batch_norm_inference(data, rng.random(channels, dtype=np.float32) + 0.5,
                                    normal(rng, channels), normal(rng, channels),
                                    rng.random(channels, dtype=np.float32) + 0.5, 1e-5)


def conv(rng, data, out_channels, in_channels, kernel=3, stride=1, groups=None):
    pad = kernel // 2
    if groups:
        weights = normal(rng, groups, out_channels // groups, in_channels // groups, kernel, kernel)
        return ops.group_convolution(data, weights, [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])
    weights = normal(rng, out_channels, in_channels, kernel, kernel, scale=0.3)
    return ops.convolution(data, weights, [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])


@pytest.mark.parametrize("groups", [None, 2, 6])
def test_batch_norm_and_per_channel_ops_fold_into_conv_weights(rng, groups):
    x = ops.parameter([2, 6, 7, 7], np.float32, name="x")
    y = batch_norm(rng, conv(rng, x, 6, 6, groups=groups), 6)
    y = ops.multiply(y, normal(rng, 1, 6, 1, 1))
    y = ops.subtract(ops.divide(y, rng.random((6, 1, 1), dtype=np.float32) + 1), normal(rng, 6, 1, 1))
    model = ov.Model([y], [x])
    feed = normal(rng, 2, 6, 7, 7)
    compiled = compare_on_off(model, [feed], rtol=1e-4, atol=1e-4)
    assert {"BatchNormInference", "Multiply", "Divide", "Subtract"}.isdisjoint(runtime_types(compiled))
    assert "affine_folding" in compiled.get_property("APPLIED_PASSES")
    assert_outputs_match(compiled([feed]).values(), run_openvino(model, [feed]), rtol=1e-4,
                         atol=1e-4)


def test_matmul_scale_and_bias_fold_into_weights(rng):
    x = ops.parameter([3, 5, 8], np.float32, name="x")
    for transpose_b, weights in ((False, normal(rng, 8, 4)), (True, normal(rng, 4, 8))):
        y = ops.matmul(x, weights, False, transpose_b)
        y = ops.add(ops.multiply(y, normal(rng, 4)), normal(rng, 1, 1, 4))
        compiled = compare_on_off(ov.Model([ops.multiply(y, normal(rng, 4))], [x]),
                                  [normal(rng, 3, 5, 8)], rtol=1e-4, atol=1e-4)
        assert "Multiply" not in runtime_types(compiled)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_what_must_not_fold_stays(rng):
    x = ops.parameter([1, 4, 5, 5], np.float32, name="x")
    shared = conv(rng, x, 4, 4)  # two consumers: scaling the weights would change both
    spatial = ops.multiply(conv(rng, x, 4, 4), normal(rng, 1, 1, 5, 5))  # not per channel
    by_zero = ops.divide(conv(rng, x, 4, 4), np.zeros((1, 4, 1, 1), np.float32))
    model = ov.Model([ops.multiply(shared, normal(rng, 1, 4, 1, 1)), ops.relu(shared), spatial,
                      by_zero], [x])
    compiled = compare_on_off(model, [normal(rng, 1, 4, 5, 5)], rtol=1e-4, atol=1e-4)
    assert runtime_types(compiled).count("Multiply") == 1 and "Divide" in runtime_types(compiled)


# --- epilogue fusion ----------------------------------------------------------------------------
ACTIVATIONS = {
    "Relu": ops.relu, "Sigmoid": ops.sigmoid, "Tanh": ops.tanh, "HSwish": ops.hswish,
    "HSigmoid": ops.hsigmoid, "Clamp:0.0:6.0": lambda y: ops.clamp(y, 0.0, 6.0),
    "Swish:1.0": ops.swish, "Swish:0.5": lambda y: ops.swish(y, np.float32(0.5)),
    "Gelu:ERF": ops.gelu, "Gelu:TANH": lambda y: ops.gelu(y, "tanh"),
}


@pytest.mark.parametrize("token", ACTIVATIONS)
def test_bias_residual_and_each_activation_fuse_into_conv(rng, token):
    x = ops.parameter([1, 4, 6, 6], np.float32, name="x")
    y = ops.add(conv(rng, x, 4, 4), normal(rng, 1, 4, 1, 1))
    y = ACTIVATIONS[token](ops.add(x, y))
    model = ov.Model([y], [x])
    feed = normal(rng, 1, 4, 6, 6)
    compiled = compare_on_off(model, [feed], disabled="epilogue_fusion", rtol=1e-4, atol=1e-5)
    (fused,) = fused_nodes(compiled)
    assert fused.get_type_name() == "FusedConvolution"
    assert fused.get_attributes()["post_ops"] == f"add;add;{token}"
    assert runtime_types(compiled) == ["Parameter", "Constant", "Constant", "FusedConvolution",
                                       "Result"]
    assert_outputs_match(compiled([feed]).values(), run_openvino(model, [feed]), rtol=1e-4,
                         atol=1e-4)


def test_silu_written_out_and_matmul_epilogues(rng):
    x = ops.parameter([2, 3, 8], np.float32, name="x")
    mask = ops.parameter([2, 1, 8], np.float32, name="mask")
    y = ops.add(ops.matmul(x, normal(rng, 8, 8), False, True), normal(rng, 8))
    y = ops.multiply(y, ops.sigmoid(y))               # SiLU as torch traces it
    scores = ops.matmul(y, x, False, True)            # no constant weights: epilogue only
    scores = ops.add(ops.multiply(scores, np.float32(0.125)), ops.matmul(mask, x, False, True))
    model = ov.Model([scores], [x, mask])
    compiled = compare_on_off(model, [normal(rng, 2, 3, 8), normal(rng, 2, 1, 8)], rtol=1e-4)
    tokens = sorted(n.get_attributes()["post_ops"] for n in fused_nodes(compiled))
    assert tokens == ["", "add;Swish:1.0", "mul;add"]  # "": mask @ x^T, fused for threading only


def test_no_fusion_through_a_value_read_twice(rng):
    x = ops.parameter([1, 4, 5, 5], np.float32, name="x")
    y = ops.add(conv(rng, x, 4, 4), normal(rng, 1, 4, 1, 1))
    model = ov.Model([ops.relu(y), ops.sigmoid(y)], [x])
    compiled = compare_on_off(model, [normal(rng, 1, 4, 5, 5)], rtol=1e-4)
    assert [n.get_attributes()["post_ops"] for n in fused_nodes(compiled)] == ["add"]
    assert {"Relu", "Sigmoid"} <= set(runtime_types(compiled))


# --- prepacking ---------------------------------------------------------------------------------
def test_constant_filters_are_prepacked_once(rng, monkeypatch):
    monkeypatch.setenv("OV_NOTEBOOK_KERNELS", "numpy")  # the numpy kernels' packing (oneDNN:
    x = ops.parameter([1, 8, 6, 6], np.float32, name="x")  # test_onednn.py)
    left = conv(rng, x, 8, 8, kernel=1)                                  # pointwise, no epilogue
    right = ops.relu(conv(rng, x, 8, 8, kernel=3, groups=8))             # depthwise
    dense = conv(rng, ops.add(left, right), 8, 8, kernel=3, groups=2)    # grouped
    model = ov.Model([ops.add(dense, conv(rng, x, 8, 8, kernel=3))], [x])
    compiled = compare_on_off(model, [normal(rng, 1, 8, 6, 6)], rtol=1e-4, atol=1e-4)
    kinds = sorted(n.rt_info.get("prepacked_weights") for n in fused_nodes(compiled))
    assert kinds == ["dense", "depthwise", "grouped", "pointwise"]
    assert "Convolution" not in runtime_types(compiled)


# --- memory plan --------------------------------------------------------------------------------
def test_a_long_chain_keeps_about_one_buffer_alive(rng):
    x = ops.parameter([1024, 1024], np.float32, name="x")
    y = x
    for step in range(12):
        y = ops.sigmoid(ops.add(ops.relu(y), np.float32(step)))
    compiled = ov.compile_model(ov.Model([y], [x]))
    feed = normal(rng, 1024, 1024)
    compiled(feed)
    tracemalloc.start()
    try:
        compiled(feed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2.5 * feed.nbytes  # the result, plus one temporary at most


# --- random models: every pass on vs every pass off -------------------------------------------
_FOLLOWERS = ["bn", "scale", "bias", "residual", "relu", "clamp", "swish", "hswish", "gelu", "silu",
              "sigmoid"]


def follow(rng, y, kind, residual):
    """One op after a conv or MatMul, chosen by ``kind`` (per-channel constants on axis 1)."""
    channels = y.get_output_partial_shape(0)[1].get_length()
    shape = (1, channels) + (1,) * (len(y.get_output_partial_shape(0)) - 2)
    if kind == "bn":
        return batch_norm(rng, y, channels)
    if kind in ("scale", "bias"):
        constant = normal(rng, *shape)
        return ops.multiply(y, constant) if kind == "scale" else ops.add(constant, y)
    if kind == "residual":
        return ops.add(y, residual)
    if kind == "silu":
        return ops.multiply(ops.sigmoid(y), y)
    return {"relu": ops.relu, "clamp": lambda v: ops.clamp(v, -1.0, 1.5), "swish": ops.swish,
            "hswish": ops.hswish, "gelu": ops.gelu, "sigmoid": ops.sigmoid}[kind](y)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(anchor=st.sampled_from(["conv", "depthwise", "grouped", "pointwise", "matmul"]),
       followers=st.lists(st.sampled_from(_FOLLOWERS), max_size=5), seed=st.integers(0, 2**16))
def test_random_anchor_chains_keep_their_numbers(anchor, followers, seed):
    rng = np.random.default_rng(seed)
    if anchor == "matmul":
        x = ops.parameter([6, 8], np.float32, name="x")
        y = ops.matmul(x, normal(rng, 8, 8, scale=0.3), False, bool(seed % 2))
    else:
        x = ops.parameter([2, 4, 5, 5], np.float32, name="x")
        groups = {"conv": None, "pointwise": None, "depthwise": 4, "grouped": 2}[anchor]
        y = conv(rng, x, 4, 4, kernel=1 if anchor == "pointwise" else 3, groups=groups)
    for kind in followers:
        y = follow(rng, y, kind, x)
    shape = [6, 8] if anchor == "matmul" else [2, 4, 5, 5]
    compare_on_off(ov.Model([y], [x]), [normal(rng, *shape)], rtol=1e-4, atol=1e-4)


def test_f16_anchors_are_neither_folded_nor_fused(rng):
    x = ops.parameter([1, 4, 6, 6], np.float16, name="x")
    weights = normal(rng, 4, 4, 3, 3).astype(np.float16)
    y = ops.convolution(x, weights, [1, 1], [1, 1], [1, 1], [1, 1])
    y = ops.relu(ops.multiply(y, normal(rng, 1, 4, 1, 1).astype(np.float16)))
    compiled = compare_on_off(ov.Model([y], [x]), [normal(rng, 1, 4, 6, 6).astype(np.float16)],
                              rtol=1e-3, atol=1e-3)
    assert "Multiply" in runtime_types(compiled) and "Relu" in runtime_types(compiled)
