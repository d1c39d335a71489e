"""Dynamic shapes: one compiled model runs inputs of different sizes without recompiling, with
the folded and fused graph giving what real OpenVINO gives on the same IR."""
import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import core
from oracle import assert_outputs_match, run_openvino


def conv_block(rng):
    """conv -> BN -> +identity -> relu, then a depthwise conv with bias and clamp, batch and
    spatial sizes dynamic."""
    x = ops.parameter([-1, 4, -1, -1], np.float32, name="x")
    conv = ops.convolution(x, rng.standard_normal((4, 4, 3, 3), dtype=np.float32),
                           [1, 1], [1, 1], [1, 1], [1, 1])
    norm = ops.batch_norm_inference(conv, rng.random(4, dtype=np.float32) + 0.5,
                                    rng.standard_normal(4, dtype=np.float32),
                                    rng.standard_normal(4, dtype=np.float32),
                                    rng.random(4, dtype=np.float32) + 0.5, 1e-5)
    block = ops.relu(ops.add(norm, x))
    depthwise = ops.group_convolution(block, rng.standard_normal((4, 1, 1, 3, 3), dtype=np.float32),
                                      [2, 2], [1, 1], [1, 1], [1, 1])
    biased = ops.add(depthwise, rng.standard_normal((1, 4, 1, 1), dtype=np.float32))
    return ov.Model([ops.clamp(biased, 0.0, 6.0)], [x], "conv_block")


def dense_block(rng):
    """x @ W^T + b -> gelu -> + x, sequence length and batch dynamic."""
    x = ops.parameter([-1, -1, 16], np.float32, name="tokens")
    weights = rng.standard_normal((16, 16), dtype=np.float32) * 0.3
    projected = ops.add(ops.matmul(x, weights, False, True), rng.standard_normal(16, dtype=np.float32))
    return ov.Model([ops.add(ops.gelu(projected), x)], [x], "dense_block")


@pytest.fixture
def count_compiles(monkeypatch):
    calls = []
    original = core.compile_plan

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(core, "compile_plan", counting)
    return calls


@pytest.mark.parametrize("build, shapes", [
    (conv_block, [(1, 4, 8, 8), (3, 4, 5, 11), (2, 4, 16, 7), (1, 4, 1, 1)]),
    (dense_block, [(1, 128, 16), (4, 3, 16), (2, 1, 16), (1, 0, 16)]),
])
def test_one_compilation_runs_every_size(build, shapes, rng, count_compiles):
    model = build(rng)
    compiled = ov.compile_model(model)
    runtime_types = {n.get_type_name().removesuffix("NHWC")  # the channels_last pass's variants
                     for n in compiled.get_runtime_model().get_ordered_ops()}
    assert runtime_types & {"FusedConvolution", "FusedMatMul"}
    for shape in shapes:
        value = rng.standard_normal(shape, dtype=np.float32)
        ours = compiled(value).values()
        if 0 not in shape:  # OpenVINO does not run empty tensors through every op
            assert_outputs_match(ours, run_openvino(model, [value]), rtol=1e-4, atol=1e-4,
                                 what=f"{model.get_friendly_name()} {shape}")
        else:
            assert ours[0].shape == shape
    assert len(count_compiles) == 1


def test_infer_request_reused_across_sizes(rng):
    compiled = ov.compile_model(dense_block(rng))
    request = compiled.create_infer_request()
    for length in (5, 9, 2):
        value = rng.standard_normal((1, length, 16), dtype=np.float32)
        assert request.infer(value)[0].shape == (1, length, 16)
        assert request.get_output_tensor(0).get_shape() == ov.Shape([1, length, 16])


def test_bounded_dimensions_are_checked_at_run_time(rng):
    model = dense_block(rng)
    model.reshape({"tokens": ov.PartialShape([1, ov.Dimension(1, 8), 16])})
    compiled = ov.compile_model(model)
    assert compiled(np.ones((1, 8, 16), np.float32))[0].shape == (1, 8, 16)
    with pytest.raises(ov.runtime.InputError, match="dimension 1 is 9, allowed 1..8"):
        compiled(np.ones((1, 9, 16), np.float32))


def test_a_fused_residual_that_broadcasts_bigger_at_run_time(rng):
    """With dynamic dims the fused Add cannot know the residual will not grow the conv's output."""
    x = ops.parameter([-1, 4, -1, -1], np.float32, name="x")
    residual = ops.parameter([-1, 4, -1, -1], np.float32, name="residual")
    conv = ops.convolution(x, rng.standard_normal((4, 4, 3, 3), dtype=np.float32), [1, 1],
                           [1, 1], [1, 1], [1, 1])
    model = ov.Model([ops.relu(ops.add(conv, residual))], [x, residual])
    compiled = ov.compile_model(model)
    assert "FusedConvolution" in {n.get_type_name() for n in compiled.get_runtime_model().get_ops()}
    for x_shape, r_shape in (((1, 4, 6, 6), (3, 4, 6, 6)), ((2, 4, 5, 5), (2, 4, 5, 5)),
                             ((1, 4, 1, 7), (1, 4, 6, 7))):
        feeds = [rng.standard_normal(x_shape, dtype=np.float32),
                 rng.standard_normal(r_shape, dtype=np.float32)]
        assert_outputs_match(compiled(feeds).values(), run_openvino(model, feeds), rtol=1e-4,
                             atol=1e-4, what=f"{x_shape} + {r_shape}")
