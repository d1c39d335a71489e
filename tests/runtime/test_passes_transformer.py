"""Transformer passes (gather_slicing, projection_merging, layer_norm_fusion,
transpose_sinking): each fires on the pattern BERT/ViT produce (seen in get_runtime_model()),
leaves look-alikes alone, and never changes the numbers (pass on vs off, and a whole encoder block
vs real OpenVINO)."""
import itertools

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import assert_outputs_match, run_openvino

F32 = np.float32


def runtime_types(compiled):
    return [n.get_type_name() for n in compiled.get_runtime_model().get_ordered_ops()]


def compare_on_off(model, feeds, disabled, rtol=1e-5, atol=1e-5):
    """Outputs with every pass vs with ``disabled`` off; returns the optimized compiled model."""
    optimized = ov.compile_model(model)
    plain = ov.compile_model(model, "CPU", {"DISABLED_PASSES": disabled})
    assert_outputs_match(optimized(feeds).values(), plain(feeds).values(), rtol=rtol, atol=atol)
    assert disabled not in plain.get_property("APPLIED_PASSES")
    return optimized


def normal(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(F32)


# --- gather_slicing -----------------------------------------------------------------------------
def test_single_index_gathers_become_views(rng):
    x = ops.parameter([3, 5, 4], F32, name="x")
    picks = [(0, 0), (-1, 1), (2, -1)]
    model = ov.Model([ops.gather(x, np.int64(i), np.int64(a)) for i, a in picks], [x])
    compiled = compare_on_off(model, [normal(rng, 3, 5, 4)], "gather_slicing")
    assert "Gather" not in runtime_types(compiled)
    assert runtime_types(compiled).count("StridedSlice") == 3
    assert "gather_slicing" in compiled.get_property("APPLIED_PASSES")


def test_other_gathers_stay(rng):
    x = ops.parameter([3, 5, 4], F32, name="x")
    index = ops.parameter([], np.int64, name="i")
    kept = [ops.gather(x, np.int64(7), np.int64(1)),  # out of range: Gather gives zeros
            ops.gather(x, np.array([2, 0]), np.int64(1)),  # several indices: a copy anyway
            ops.gather(x, index, np.int64(0))]  # run-time index
    model = ov.Model(kept, [x, index])
    compiled = compare_on_off(model, [normal(rng, 3, 5, 4), np.int64(1)], "gather_slicing")
    assert runtime_types(compiled).count("Gather") == 3


# --- projection_merging -------------------------------------------------------------------------
def _projections(rng, x, biased=(True, False, True)):
    """BERT's query, key and value layers on one input (some with a bias)."""
    outputs = []
    for index, bias in enumerate(biased):
        y = ops.matmul(x, normal(rng, 16, 16, scale=0.3), False, index != 1)
        outputs.append(ops.add(y, normal(rng, 16)) if bias else y)
    return outputs


def test_projections_of_one_input_merge(rng):
    x = ops.parameter([2, 7, 16], F32, name="x")
    model = ov.Model(_projections(rng, x) + [ops.relu(x)], [x])
    compiled = compare_on_off(model, [normal(rng, 2, 7, 16)], "projection_merging")
    assert runtime_types(compiled).count("FusedMatMul") == 1
    assert runtime_types(compiled).count("Slice") == 3
    assert "projection_merging" in compiled.get_property("APPLIED_PASSES")


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_projections_stored_transposed_merge_as_stored(rng, backend):
    """Weights stored [N, K] (transpose_b, torch's Linear) are stacked as stored, no transposing
    copy: the merged MatMul reads [N1 + N2 + N3, K] with transpose_b and gives the same."""
    from ov_notebook.runtime.passes.projection_merging import merge_projections

    x = ops.parameter([2, 7, 16], F32, name="x")
    stored = [normal(rng, n, 16) for n in (16, 8, 8)]
    outputs = [ops.matmul(x, w, False, True) for w in stored]
    model = ov.Model(outputs, [x])
    assert merge_projections(model)
    merged = [n for n in model.get_ordered_ops() if n.get_type_name() == "MatMul"]
    assert len(merged) == 1 and merged[0].get_attributes()["transpose_b"]
    data = merged[0].input_value(1).get_node().get_data()
    # the stored weights one after another, in the graph's order of the three MatMuls
    assert any(np.array_equal(data, np.concatenate([stored[i] for i in order]))
               for order in itertools.permutations(range(3)))
    feed = normal(rng, 2, 7, 16)
    compiled = ov.compile_model(ov.Model([ops.matmul(x, w, False, True) for w in stored], [x]),
                                "CPU", {"KERNEL_BACKEND": backend})
    assert "projection_merging" in compiled.get_property("APPLIED_PASSES")
    for got, w in zip(compiled(feed).values(), stored):
        np.testing.assert_allclose(got, feed @ w.T, rtol=1e-5, atol=1e-5)


def test_projections_that_cannot_merge_stay(rng):
    x = ops.parameter([2, 7, 16], F32, name="x")
    w = ops.parameter([16, 16], F32, name="w")
    model = ov.Model([ops.matmul(x, normal(rng, 16, 16), False, False),
                      ops.matmul(x, w, False, False),  # run-time weights
                      ops.matmul(x, normal(rng, 7, 5), True, False)],  # x transposed
                     [x, w])
    compiled = compare_on_off(model, [normal(rng, 2, 7, 16), normal(rng, 16, 16)],
                              "projection_merging")
    assert "Slice" not in runtime_types(compiled)
    assert "projection_merging" not in compiled.get_property("APPLIED_PASSES")


def test_projections_whose_epilogue_would_grow_stay_apart(rng):
    """An activation or residual after a projection fuses into its own MatMul; merged, it would
    run after a slice as a plan step of its own."""
    x = ops.parameter([2, 7, 16], F32, name="x")
    model = ov.Model([ops.relu(ops.matmul(x, normal(rng, 16, 16), False, False)),
                      ops.add(ops.matmul(x, normal(rng, 16, 16), False, False), x)], [x])
    compiled = compare_on_off(model, [normal(rng, 2, 7, 16)], "projection_merging")
    assert runtime_types(compiled).count("FusedMatMul") == 2 and "Slice" not in \
        runtime_types(compiled)


# --- transpose_sinking --------------------------------------------------------------------------
def test_batch_transposes_move_after_the_matmul(rng):
    """torchvision's MultiheadAttention: x.transpose(0, 1) @ W + b (+ a residual in the
    transposed layout) becomes (x @ W + b + residual transposed back).transpose(0, 1)."""
    x = ops.parameter([4, 6, 16], F32, name="x")
    residual = ops.parameter([6, 4, 8], F32, name="residual")
    swapped = ops.transpose(x, [1, 0, 2])
    projected = ops.add(ops.add(ops.matmul(swapped, normal(rng, 8, 16), False, True),
                                normal(rng, 8)), residual)
    model = ov.Model([projected, ops.relu(ops.matmul(swapped, normal(rng, 16, 5), False, False))],
                     [x, residual])
    compiled = compare_on_off(model, [normal(rng, 4, 6, 16), normal(rng, 6, 4, 8)],
                              "transpose_sinking")
    ordered = [n for n in compiled.get_runtime_model().get_ordered_ops()
               if n.get_type_name() in ("FusedMatMul", "Transpose")]
    assert all(n.input_value(0).get_node().get_type_name() == "Parameter"
               for n in ordered if n.get_type_name() == "FusedMatMul")
    assert "transpose_sinking" in compiled.get_property("APPLIED_PASSES")


def test_transposes_that_keep_the_rows_in_place_stay(rng):
    ones = ops.parameter([1, 6, 16], F32, name="ones")  # moving a size-1 axis: already rows
    last = ops.parameter([6, 16, 4], F32, name="last")  # the last axis moves: not rows of x
    model = ov.Model([ops.matmul(ops.transpose(ones, [1, 0, 2]), normal(rng, 16, 3), False, False),
                      ops.matmul(ops.transpose(last, [0, 2, 1]), normal(rng, 16, 3), False, False)],
                     [ones, last])
    compiled = compare_on_off(model, [normal(rng, 1, 6, 16), normal(rng, 6, 16, 4)],
                              "transpose_sinking")
    assert "transpose_sinking" not in compiled.get_property("APPLIED_PASSES")


# --- layer_norm_fusion --------------------------------------------------------------------------
def _layer_norm(rng, x, width):
    normalized = ops.mvn(x, [-1], True, 1e-12, "inside_sqrt")
    return ops.add(ops.multiply(normalized, normal(rng, width)), normal(rng, width))


@pytest.mark.parametrize("threads", [1, 2])
def test_layer_norm_affine_and_residual_join_the_mvn(rng, threads, monkeypatch):
    from ov_notebook.runtime import parallel
    from ov_notebook.runtime.kernels import normalization

    chunks = []
    monkeypatch.setenv("OV_NOTEBOOK_KERNELS", "numpy")  # these chunks are the numpy kernel's
    monkeypatch.setattr(parallel._HELPERS, "pays", lambda: True)  # even on a busy machine
    monkeypatch.setattr(normalization, "parallel_for", lambda count, function: chunks.append(
        count) or parallel.parallel_for(count, function))
    x = ops.parameter([2, 300, 256], F32, name="x")  # big enough to split over threads
    model = ov.Model([ops.add(_layer_norm(rng, x, 256), x)], [x])
    feed = normal(rng, 2, 300, 256, scale=3.0) + 5
    optimized = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads})
    got = list(optimized(feed).values())
    assert max(chunks) == 1 if threads == 1 else max(chunks) >= threads
    plain = ov.compile_model(model, "CPU", {"DISABLED_PASSES": "layer_norm_fusion"})
    assert_outputs_match(got, plain(feed).values(), rtol=1e-5, atol=1e-5)
    fused = [n for n in optimized.get_runtime_model().get_ordered_ops()
             if n.get_type_name() == "FusedMVN"]
    assert len(fused) == 1 and fused[0].get_attributes()["post_ops"] == "mul;add;add"
    assert "layer_norm_fusion" in optimized.get_property("APPLIED_PASSES")


def test_other_mvns_are_not_fused(rng):
    x = ops.parameter([2, 6, 8], F32, name="x")
    over_two_axes = ops.multiply(ops.mvn(x, [1, 2], True, 1e-5, "inside_sqrt"), normal(rng, 8))
    centred_only = ops.multiply(ops.mvn(x, [-1], False, 1e-5, "inside_sqrt"), normal(rng, 8))
    compiled = compare_on_off(ov.Model([over_two_axes, centred_only], [x]),
                              [normal(rng, 2, 6, 8)], "layer_norm_fusion")
    assert "FusedMVN" not in runtime_types(compiled)


# --- a whole encoder block ----------------------------------------------------------------------
def encoder_block(rng, tokens=24, width=64, heads=4):
    """BERT's layer: LayerNorm, q/k/v projections to heads, SDPA with a padding mask, heads
    merged, output projection + residual, LayerNorm, GELU MLP + residual."""
    x = ops.parameter([1, tokens, width], F32, name="x")
    mask = ops.parameter([1, 1, tokens, tokens], np.bool_, name="mask")
    h = _layer_norm(rng, x, width)
    to_heads = [ops.transpose(ops.reshape(p, [1, tokens, heads, width // heads], False),
                              [0, 2, 1, 3]) for p in _projections_sized(rng, h, width)]
    attention = ops.scaled_dot_product_attention(*to_heads, mask)
    merged = ops.reshape(ops.transpose(attention, [0, 2, 1, 3]), [1, tokens, width], False)
    h = _layer_norm(rng, ops.add(ops.matmul(merged, normal(rng, width, width, scale=0.2),
                                            False, True), h), width)
    up = ops.gelu(ops.add(ops.matmul(h, normal(rng, 4 * width, width, scale=0.2), False, True),
                          normal(rng, 4 * width)))
    out = ops.add(ops.matmul(up, normal(rng, width, 4 * width, scale=0.1), False, True), h)
    return ov.Model([out], [x, mask])


def _projections_sized(rng, x, width):
    return [ops.add(ops.matmul(x, normal(rng, width, width, scale=0.2), False, True),
                    normal(rng, width)) for _ in range(3)]


def test_encoder_block_matches_openvino_with_and_without_the_passes(rng):
    model = encoder_block(rng)
    mask = np.ones((1, 1, 24, 24), bool)
    mask[..., 20:] = False  # padded keys
    feeds = [normal(rng, 1, 24, 64), mask]
    compiled = compare_on_off(model, feeds, "gather_slicing,projection_merging,layer_norm_fusion,"
                                            "transpose_sinking")
    applied = compiled.get_property("APPLIED_PASSES")
    assert {"projection_merging", "layer_norm_fusion"} <= set(applied)
    assert_outputs_match(compiled(feeds).values(), run_openvino(model, feeds), rtol=1e-4,
                         atol=1e-4)
