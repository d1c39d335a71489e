"""ScaledDotProductAttention-13 against real OpenVINO."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from oracle import assert_outputs_match, run_openvino

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

F32 = np.float32


@st.composite
def attention_cases(draw):
    """Shapes of query, key, value and mask (None, or broadcastable to [batch..., L, S])."""
    batch = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    length, source = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    depth, value_depth = draw(st.integers(1, 8)), draw(st.integers(1, 8))

    def broadcastable(dims):  # some batch dims become 1 to broadcast
        return [1 if draw(st.booleans()) else d for d in dims]

    shapes = [broadcastable(batch) + [length, depth], broadcastable(batch) + [source, depth],
              broadcastable(batch) + [source, value_depth]]
    shapes[draw(st.integers(0, 2))][:-2] = batch  # one of them carries the full batch shape
    mask = draw(st.sampled_from([None, "rank2", "full", "scalar"]))
    mask_shape = {None: None, "rank2": [length, source], "full": broadcastable(batch) + [length, source],
                  "scalar": []}[mask]
    return shapes, mask_shape


@settings(max_examples=40, deadline=None)
@given(case=attention_cases(), boolean_mask=st.booleans(), causal=st.booleans(),
       scale=st.sampled_from([None, 0.05, 1.3]))
def test_attention_matches_openvino(case, boolean_mask, causal, scale):
    shapes, mask_shape = case
    rng = np.random.default_rng(sum(map(len, shapes)))
    inputs = [rng.standard_normal(s).astype(F32) for s in shapes]
    if mask_shape is not None:
        if boolean_mask and mask_shape:
            mask = rng.random(mask_shape) < 0.6
            mask[..., 0] = True  # every query sees something (an all-False row is NaN)
        else:
            mask = (rng.standard_normal(mask_shape) * 2).astype(F32)
        inputs.append(np.asarray(mask))
    if scale is not None:
        if mask_shape is None:  # OpenVINO's builder inserts a zero mask: do it by hand here
            inputs.append(np.zeros((), F32))
        inputs.append(np.array(scale, F32))

    def build(q, k, v, *rest):
        return ops.scaled_dot_product_attention(q, k, v, *rest, causal=causal)

    compare_with_openvino(build, inputs, atol=1e-5)


def test_attention_on_bert_sized_heads():
    rng = np.random.default_rng(0)
    shapes = [(2, 12, 64, 64), (2, 12, 64, 64), (2, 12, 64, 64), (2, 1, 1, 64)]
    inputs = [rng.standard_normal(s).astype(F32) for s in shapes]
    inputs[3] = np.where(rng.random(shapes[3]) < 0.8, 0, -10000).astype(F32)
    compare_with_openvino(lambda q, k, v, m: ops.scaled_dot_product_attention(q, k, v, m), inputs,
                          atol=1e-5)


def test_attention_keeps_f16():
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal((1, 2, 5, 8)).astype(np.float16) for _ in range(3)]
    compare_with_openvino(lambda q, k, v: ops.scaled_dot_product_attention(q, k, v, causal=True),
                          inputs, rtol=1e-2, atol=1e-2)


def _float(shape):
    return (shape, F32)


SHAPE_CASES = [
    [_float("[2,1,3,4]"), _float("[1,5,6,4]"), _float("[1,1,6,9]"), _float("[3,6]")],
    [_float("[?,?,?,?]"), _float("[...]"), _float("[?,?,?,8]")],
    [_float("[2,3,4]"), _float("[2,5,4]"), _float("[2,5,4]"), _float("[]")],
    [_float("[2,?,?,4]"), _float("[?,3,6,4]"), _float("[2,3,?,5]"), ("[1,1,7,6]", np.bool_)],
    [_float("[2,1,4]"), _float("[2,6,4]"), _float("[2,6,5]"), _float("[2,3,6]")],
    [_float("[...]"), _float("[2,6,4]"), _float("[2,6,5]")],
    [_float("[2,3,4]"), _float("[2,5,4]"), _float("[2,5,4]"), _float("[3,5]"), _float("[]")],
    [_float("[1..3,4,8]"), _float("[2..5,6,8]"), _float("[?,6,8]")],
]


@pytest.mark.parametrize("inputs", SHAPE_CASES)
@pytest.mark.parametrize("causal", [False, True])
def test_shape_inference_matches_openvino(inputs, causal):
    def build(o, q, k, v, *rest):
        return o.scaled_dot_product_attention(q, k, v, *rest, causal=causal)

    assert_same_inference(build, *inputs)


def test_bad_inputs_are_rejected():
    def sdpa(*shapes, types=None, **kwargs):
        types = types or [F32] * len(shapes)
        params = [ops.parameter(s, t) for s, t in zip(shapes, types)]
        return lambda: ops.scaled_dot_product_attention(*params, **kwargs)

    assert_rejected(sdpa([2, 3, 4], [2, 3, 4], [2, 3, 4], types=[np.int32] * 3), r"floating-point")
    assert_rejected(sdpa([2, 3, 4], [2, 3, 4], [2, 3, 4], types=[F32, np.float16, F32]),
                    r"mixed input types")
    assert_rejected(sdpa([3, 4], [3, 4], [3, 4]), r"query \(input 0\) must have rank 3 or more")
    assert_rejected(sdpa([2, 3, 4], [2, 5, 6], [2, 5, 4]), r"key \(input 1\) shape is not compatible")
    assert_rejected(sdpa([2, 3, 4], [2, 5, 4], [2, 6, 4]), r"value \(input 2\) shape is not compatible")
    assert_rejected(sdpa([2, 3, 4], [3, 5, 4], [2, 5, 4]), r"key \(input 1\) batch dims")
    assert_rejected(sdpa([2, 3, 4], [2, 5, 4], [2, 5, 4], [5]), r"attention_mask \(input 3\) must be")
    assert_rejected(sdpa([2, 3, 4], [2, 5, 4], [2, 5, 4], [4, 5]), r"attention_mask \(input 3\) shape")
    assert_rejected(sdpa([2, 3, 4], [2, 5, 4], [2, 5, 4], [3, 5], [2]), r"scale \(input 4\)")


@pytest.mark.parametrize("causal", [False, True])
def test_round_trip(causal):
    def build(o, q, k, v, m):
        return o.scaled_dot_product_attention(q, k, v, m, causal=causal)

    assert_round_trip(build, _float("[2,3,4]"), _float("[2,5,4]"), _float("[2,5,6]"), ("[3,5]", np.bool_))


def _heads_back_together(q, k, v, *rest):
    """BERT's attention output: SDPA [B, H, L, Ev] -> Transpose -> [B, L, H * Ev]."""
    attention = ops.scaled_dot_product_attention(q, k, v, *rest)
    merged = ops.transpose(attention, ops.constant(np.array([0, 2, 1, 3])))
    batch, heads, length, depth = q.get_partial_shape().to_shape()
    return ops.reshape(merged, ops.constant(np.array([batch, length, heads * depth])), False)


def test_attention_writes_the_layout_its_transpose_reads():
    import ov_notebook as ov

    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal((2, 4, 9, 8)).astype(F32) for _ in range(3)]
    inputs.append(rng.random((2, 1, 9, 9)) < 0.7)
    inputs[3][..., 0] = True
    compare_with_openvino(_heads_back_together, inputs, atol=1e-5)
    params = [ops.parameter(list(a.shape), a.dtype) for a in inputs]
    compiled = ov.compile_model(ov.Model([_heads_back_together(*params)], params))
    layouts = []

    def record(node, outputs):  # contiguous in the Transpose's order: that Transpose is a view
        if node.get_type_name() == "ScaledDotProductAttention":
            layouts.append(outputs[0].transpose(0, 2, 1, 3).flags.c_contiguous)

    request = compiled.create_infer_request()
    request.set_node_callback(record)
    assert request.infer(inputs)[0].shape == (2, 9, 32)
    assert layouts == [True]


def test_attention_rows_far_below_their_heads_max():
    """The exp shift is one max per head; a row 300 below it is redone with its own max."""
    rng = np.random.default_rng(3)
    inputs = [rng.standard_normal((1, 2, 6, 4)).astype(F32) for _ in range(3)]
    mask = np.zeros((1, 2, 6, 6), F32)
    mask[0, 1, 2] = -300.0  # finite: the row still has weights, all e^-300 of its head's max
    mask[0, 0, 4, 1:] = -np.inf
    compare_with_openvino(lambda q, k, v, m: ops.scaled_dot_product_attention(q, k, v, m),
                          inputs + [mask], atol=1e-5)


@pytest.mark.parametrize("threads", [2, 3])
def test_attention_split_over_threads_gives_the_single_thread_result(threads, monkeypatch):
    import ov_notebook as ov
    from ov_notebook.runtime import parallel
    from ov_notebook.runtime.kernels import attention

    calls = []
    monkeypatch.setattr(parallel._HELPERS, "pays", lambda: True)  # even on a busy machine
    monkeypatch.setattr(attention, "parallel_for",
                        lambda count, function: calls.append(count) or
                        parallel.parallel_for(count, function))
    rng = np.random.default_rng(4)
    inputs = [rng.standard_normal((2, 6, 64, 64)).astype(F32) for _ in range(3)]
    params = [ops.parameter(list(a.shape), F32) for a in inputs]
    model = ov.Model([_heads_back_together(*params)], params)
    numpy = {"KERNEL_BACKEND": "numpy"}  # the oneDNN kernel splits its own way (below)
    single = ov.compile_model(model, "CPU", {**numpy, "INFERENCE_NUM_THREADS": 1})(inputs)[0]
    assert calls == []
    split = ov.compile_model(model, "CPU", {**numpy, "INFERENCE_NUM_THREADS": threads})(inputs)[0]
    assert calls and calls[0] >= 2 * threads
    np.testing.assert_allclose(split, single, rtol=1e-6, atol=1e-6)


def _on_onednn():
    from ov_notebook.runtime import onednn

    return onednn.runtime() is not None


@pytest.mark.skipif(not _on_onednn(), reason="oneDNN is not installed")
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("mask, taken", [
    (None, True), ("padding", True), ("boolean padding", True), ("per head", True),
    ("per query", True), ("causal", True),  # [1, 1, L, S]: one batch item per call
    ("inf query", False)])  # +inf scores: oneDNN's softmax is wrong there, numpy runs
def test_attention_on_onednn_matches_openvino(mask, taken, threads, monkeypatch):
    """The oneDNN kernel (runtime/onednn/attention.py) where its primitives exist, numpy where
    not; both give OpenVINO's numbers, fully masked rows NaN as OpenVINO's."""
    import ov_notebook as ov
    from ov_notebook.runtime.onednn.attention import AttentionKernel

    results, original = [], AttentionKernel.__call__
    monkeypatch.setattr(AttentionKernel, "__call__", lambda self, *args: results.append(
        original(self, *args)) or results[-1])
    rng = np.random.default_rng(5)
    inputs = [rng.standard_normal((2, 12, 16, 8)).astype(F32) for _ in range(3)]
    if mask == "inf query":
        inputs[0][1, 3, 2, 5] = np.inf
    masks = {"padding": np.where(rng.random((2, 1, 1, 16)) < 0.8, 0, -np.inf).astype(F32),
             "boolean padding": rng.random((2, 1, 1, 16)) < 0.8,
             "per head": (rng.standard_normal((2, 12, 16, 16)) * 3).astype(F32),
             "per query": (rng.standard_normal((1, 1, 16, 16)) * 3).astype(F32)}
    if mask in masks:
        inputs.append(masks[mask])
        if len(inputs[3]) == 2:  # the first batch: no mask
            inputs[3][0] = 0 if inputs[3].dtype == F32 else True
        inputs[3][-1, 0, 0, :] = -np.inf if inputs[3].dtype == F32 else False  # a masked row

    params = [ops.parameter(list(a.shape), a.dtype) for a in inputs]
    model = ov.Model([ops.scaled_dot_product_attention(*params, causal=mask == "causal")], params)
    config = {"KERNEL_BACKEND": "onednn", "INFERENCE_NUM_THREADS": threads}
    compiled = ov.compile_model(model, "CPU", config)  # static: primitives made here, on zeros
    built = []
    monkeypatch.setattr(AttentionKernel, "build", lambda self, *args, original=AttentionKernel.build:
                        built.append(1) or original(self, *args))
    results.clear()
    ours = list(compiled(inputs).values())
    assert not built  # the first inference makes none
    assert results and all((r is not None) == taken for r in results)
    theirs = run_openvino(model, inputs)
    # the masked row, and inf - inf in the query's head: NaN, in OpenVINO too
    assert np.isnan(theirs[0]).any() == (mask in masks or mask == "inf query")
    assert_outputs_match(ours, theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not _on_onednn(), reason="oneDNN is not installed")
def test_a_scale_given_at_run_time_keeps_the_numpy_kernel(monkeypatch):
    """The oneDNN primitives bake the scale in: one fed at run time would make a set per
    value, so that step keeps numpy; a constant scale takes oneDNN."""
    import ov_notebook as ov
    from ov_notebook.runtime.onednn.attention import AttentionKernel

    calls = []
    original = AttentionKernel.__call__
    monkeypatch.setattr(AttentionKernel, "__call__",
                        lambda self, *args: calls.append(1) or original(self, *args))
    rng = np.random.default_rng(6)
    inputs = [rng.standard_normal((1, 4, 8, 8)).astype(F32) for _ in range(3)]
    inputs += [np.zeros((1, 1, 1, 8), F32), np.array(0.3, F32)]
    params = [ops.parameter(list(a.shape), a.dtype) for a in inputs]
    fed = ov.Model([ops.scaled_dot_product_attention(*params)], params)
    constant = ov.Model([ops.scaled_dot_product_attention(
        *params[:4], ops.constant(np.array(0.3, F32)))], params[:4])
    for model, feeds, taken in ((fed, inputs, False), (constant, inputs[:4], True)):
        calls.clear()
        compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
        for scale in (0.3, 0.7):
            if taken and scale != 0.3:
                break
            feeds = feeds[:4] + [np.array(scale, F32)] if not taken else feeds
            assert_outputs_match(list(compiled(feeds).values()), run_openvino(model, feeds),
                                 rtol=1e-5, atol=1e-5)
        assert bool(calls) == taken


@pytest.mark.skipif(not _on_onednn(), reason="oneDNN is not installed")
def test_onednn_attention_runs_groups_of_heads_within_the_scores_budget(monkeypatch):
    """Scores of at most CHUNK_SCORES floats at a time (the numpy kernel's budget), a smaller
    last group of heads included; the numbers stay OpenVINO's."""
    import ov_notebook as ov
    from ov_notebook.runtime.onednn import attention

    # 12 heads of 16x16 scores and 3 x 16x8 copies: groups of 5 + 5 + 2
    monkeypatch.setattr(attention, "CHUNK_SCORES", 5 * (16 * 16 + 3 * 16 * 8))
    sizes, original = [], attention.aligned_empty
    monkeypatch.setattr(attention, "aligned_empty",
                        lambda shape: sizes.append(math.prod(shape)) or original(shape))
    rng = np.random.default_rng(7)
    inputs = [rng.standard_normal((2, 12, 16, 8)).astype(F32) for _ in range(3)]
    inputs.append((rng.standard_normal((2, 1, 16, 16)) * 2).astype(F32))
    params = [ops.parameter(list(a.shape), a.dtype) for a in inputs]
    model = ov.Model([_heads_back_together(*params)], params)
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": "onednn"})
    sizes.clear()  # compile_model ran the step once on zeros (its primitives)
    ours = compiled(inputs)
    assert sizes == [5 * 16 * 16]  # one buffer of one group's scores for the whole step
    assert_outputs_match(list(ours.values()), run_openvino(model, inputs), rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not _on_onednn(), reason="oneDNN is not installed")
@pytest.mark.parametrize("threads", [1, 2])
def test_onednn_attention_on_strided_heads_uses_brgemm(threads):
    """Heads that are strided views of one [B, L, 3, H, E] projection (BERT, ViT) are copied
    dense for oneDNN's brgemm; the output goes into the strides of the Transpose after it."""
    from ov_notebook.runtime import onednn
    from ov_notebook.runtime.kernels.attention import scaled_dot_product_attention
    from ov_notebook.runtime.onednn.attention import AttentionKernel

    rng = np.random.default_rng(8)
    projected = rng.standard_normal((2, 20, 3, 4, 8)).astype(F32)
    q, k, v = (projected[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
    bias = np.where(rng.random((2, 1, 1, 20)) < 0.8, 0, -np.inf).astype(F32)
    bias[..., 0] = 0
    kernel = AttentionKernel(onednn.runtime())
    out = np.empty((2, 20, 4, 8), F32).transpose(0, 2, 1, 3)
    assert kernel(q, k, v, bias, F32(0.35), out, threads) is out
    expected = scaled_dot_product_attention(q, k, v, bias, F32(0.35))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    made = [p for p in kernel._cache.values() if p is not None]
    assert made and all(p.scores.implementation.startswith("brg") and
                        p.weighted.implementation.startswith("brg") for p in made)
