"""The arena of static oneDNN steps (runtime/arena.py): runs of static calls execute as one
program entry on memory planned by lifetime, per thread. It must give OpenVINO's numbers and the
ones without it, never let a region be overwritten while something still sees it (results, views
a step outside made of an arena value, requests in other threads, a run re-entered from a node
callback), and fall back where an input is laid out otherwise than compile time saw."""
import threading

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import arena as arena_module
from ov_notebook.runtime import onednn
from ov_notebook.runtime.arena import SEGMENT, _place, escape
from concurrency import outputs_in_threads
from oracle import assert_outputs_match, run_openvino

pytestmark = pytest.mark.skipif(onednn.runtime() is None, reason="oneDNN is not installed")
ONEDNN = {"KERNEL_BACKEND": "onednn"}


def conv(rng, value, out_channels, in_channels, kernel=3, groups=None):
    pad = kernel // 2
    if groups:
        weights = rng.standard_normal((groups, out_channels // groups, in_channels // groups,
                                       kernel, kernel), dtype=np.float32)
        return ops.group_convolution(value, weights * np.float32(0.3), [1, 1], [pad, pad],
                                     [pad, pad], [1, 1])
    weights = rng.standard_normal((out_channels, in_channels, kernel, kernel), dtype=np.float32)
    return ops.convolution(value, weights * np.float32(0.2 / kernel), [1, 1], [pad, pad],
                           [pad, pad], [1, 1])


def network(rng, first=None, height=9, width=7):
    """Convolutions with residuals, a depthwise one and a squeeze-excite block (a step outside
    the arena writing into a dead arena value), a global pooling, a flatten (a view of an arena
    value) read by a MatMul and returned as a result itself."""
    x = ops.parameter([2, 8, height, width], np.float32, name="x")
    a = ops.relu(conv(rng, first(x) if first else x, 16, 8))
    b = ops.add(conv(rng, ops.relu(conv(rng, a, 16, 16)), 16, 16), a)
    expanded = ops.relu(conv(rng, b, 32, 16, kernel=1))
    depthwise = ops.relu(conv(rng, expanded, 32, 32, groups=32))
    pooled = ops.adaptive_avg_pool(depthwise, np.array([1, 1], np.int64))
    squeezed = ops.relu(conv(rng, pooled, 8, 32, kernel=1))
    scale = ops.sigmoid(conv(rng, squeezed, 32, 8, kernel=1))
    projected = ops.add(conv(rng, ops.multiply(depthwise, scale), 16, 32, kernel=1), b)
    head = ops.adaptive_avg_pool(ops.relu(conv(rng, projected, 24, 16, kernel=1)),
                                 np.array([1, 1], np.int64))
    flat = ops.reshape(head, np.array([2, -1], np.int64), False)
    logits = ops.matmul(flat, rng.standard_normal((24, 10), dtype=np.float32), False, False)
    return ov.Model([logits, flat], [x], "arena_net")


def compile_with(model, arena, monkeypatch):
    monkeypatch.setenv("OV_NOTEBOOK_ARENA", "1" if arena else "0")
    compiled = ov.compile_model(model, "CPU", ONEDNN)
    shape = model.get_parameters()[0].get_partial_shape().to_shape()
    compiled.create_infer_request().infer([np.zeros(list(shape), np.float32)])  # builds it
    return compiled


def layout_of(compiled):
    return compiled._plan.plan.arena


def test_a_network_runs_its_static_steps_on_the_arena(rng, monkeypatch):
    model = network(rng)
    compiled = compile_with(model, True, monkeypatch)
    plain = compile_with(model, False, monkeypatch)
    layout = layout_of(compiled)
    assert layout is not None and layout_of(plain) is None
    segments = [item for item in layout.program if item[3] == SEGMENT]
    assert segments and sum(len(item[0].entries) for item in segments) >= 8
    # one of them sums into the residual's region; the squeeze-excite step writes into one
    assert any(entry.call.given_output for entry in layout.entries.values())
    assert 2 in layout.guarded.values()
    request = compiled.create_infer_request()
    feeds = [rng.standard_normal((2, 8, 9, 7), dtype=np.float32) for _ in range(3)]
    kept = [list(request.infer([f]).values()) for f in feeds]  # earlier results stay intact
    for f, ours in zip(feeds, kept):
        assert_outputs_match(ours, list(plain([f]).values()), rtol=1e-5, atol=1e-5)
        assert_outputs_match(ours, run_openvino(model, [f]), rtol=1e-4, atol=1e-4)
        assert all(not np.shares_memory(o, layout._local.state.raw) for o in ours)


def test_views_of_arena_values_are_copied_out_and_results_never_live_there(rng, monkeypatch):
    compiled = compile_with(network(rng), True, monkeypatch)
    raw = None
    seen = []

    def record(node, outputs):
        seen.append((node.get_type_name(), outputs[0]))
    request = compiled.create_infer_request()
    request.set_node_callback(record)
    request.infer([rng.standard_normal((2, 8, 9, 7), dtype=np.float32)])
    raw = layout_of(compiled)._local.state.raw
    # the flatten's view of the pooled arena value is a copy; static steps' outputs are views
    flatten = [value for name, value in seen if name == "Reshape"]
    assert flatten and not np.shares_memory(flatten[0], raw)
    assert any(np.shares_memory(value, raw) for name, value in seen if name.startswith("Fused"))
    x = np.arange(4, dtype=np.float32)
    assert escape((x, raw[:8].view(np.float32)), raw)[0] is x
    assert not np.shares_memory(escape(raw[8:24], raw), raw)


def test_an_input_laid_out_otherwise_runs_the_steps_own_call(rng, monkeypatch):
    model = network(rng, first=ops.sin)  # a numpy step feeding the region's first conversion
    compiled = compile_with(model, True, monkeypatch)
    plan = compiled._plan.plan
    step = next(s for s in plan.steps if s.node.get_type_name() == "Sin")
    original = step.function
    monkeypatch.setattr(step, "function", lambda *a, **k: np.asfortranarray(original(*a, **k)))
    plan.program = None  # rebuilt from the steps at the next run, arena included
    request = compiled.create_infer_request()
    for _ in range(2):
        x = rng.standard_normal((2, 8, 9, 7), dtype=np.float32)
        assert_outputs_match(list(request.infer([x]).values()), run_openvino(model, [x]),
                             rtol=1e-4, atol=1e-4)
    assert plan.arena is not None


def test_requests_in_threads_and_a_run_reentered_from_a_callback(rng, monkeypatch):
    model = network(rng)
    compiled = compile_with(model, True, monkeypatch)
    feeds = [[rng.standard_normal((2, 8, 9, 7), dtype=np.float32) for _ in range(3)]
             for _ in range(3)]
    got = outputs_in_threads(compiled, feeds, repeats=2)
    for thread_feeds, outputs in zip(feeds, got):
        for f, out in zip(thread_feeds * 2, outputs):
            assert_outputs_match([out], run_openvino(model, [f])[:1], rtol=1e-4, atol=1e-4)
    inner_x = rng.standard_normal((2, 8, 9, 7), dtype=np.float32)
    inner = []
    calls = threading.local()

    def reenter(node, outputs):
        if node.get_type_name() == "SqueezeExciteNHWC" and not getattr(calls, "done", False):
            calls.done = True  # the inner run finds the arena busy: the ordinary program
            inner.append(compiled.create_infer_request().infer([inner_x])[0].copy())
    request = compiled.create_infer_request()
    request.set_node_callback(reenter)
    x = rng.standard_normal((2, 8, 9, 7), dtype=np.float32)
    outer = request.infer([x])[0].copy()
    assert_outputs_match([outer], run_openvino(model, [x])[:1], rtol=1e-4, atol=1e-4)
    assert_outputs_match(inner, run_openvino(model, [inner_x])[:1], rtol=1e-4, atol=1e-4)


def test_profiling_times_every_static_step(rng, monkeypatch):
    model = network(rng)
    monkeypatch.setenv("OV_NOTEBOOK_ARENA", "1")
    compiled = ov.compile_model(model, "CPU", {**ONEDNN, "PERF_COUNT": True})
    request = compiled.create_infer_request()
    request.infer([rng.standard_normal((2, 8, 9, 7), dtype=np.float32)])
    assert layout_of(compiled) is not None
    timed = [p for p in request.profiling_info if p.node_type.startswith("Fused")]
    assert len(timed) >= 8 and all(p.real_time.total_seconds() > 0 for p in timed)


@pytest.mark.parametrize("seed", range(5))
def test_regions_of_values_alive_at_once_never_overlap(seed):
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(60):
        start = int(rng.integers(0, 100))
        groups.append([start, start + int(rng.integers(0, 15)), int(rng.integers(1, 5000))])
    offsets, size = _place(groups)
    for i, (start, end, nbytes) in enumerate(groups):
        assert offsets[i] % 64 == 0 and offsets[i] + nbytes <= size
        for j, (other_start, other_end, other_bytes) in enumerate(groups[:i]):
            if not (end < other_start or other_end < start):
                assert offsets[i] + nbytes <= offsets[j] or offsets[j] + other_bytes <= offsets[i]
    live = max(sum(g[2] for g in groups if g[0] <= t <= g[1]) for t in range(120))
    assert live <= size <= 2 * live + 64 * len(groups)  # packed, not one region per value


def test_the_memory_estimate_is_what_an_inference_holds(rng, monkeypatch):
    import tracemalloc

    model = network(rng, height=40, width=36)  # values of 46-368 KiB
    x = rng.standard_normal((2, 8, 40, 36), dtype=np.float32)
    estimates = []
    original = arena_module._peaks
    monkeypatch.setattr(arena_module, "_peaks", lambda *a: estimates.append(original(*a)) or
                        estimates[-1])
    measured = {}
    for on in (True, False):
        compiled = compile_with(model, on, monkeypatch)
        request = compiled.create_infer_request()
        request.infer([x])
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            request.infer([x])
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        layout = layout_of(compiled)
        measured[on] = peak + (layout.size if layout is not None else 0)
    plain, with_arena = estimates[0]
    # what tracemalloc sees also holds Python objects and the results' copies: a few KiB
    assert abs(measured[True] - with_arena) < 16 << 10
    assert abs(measured[False] - plain) < 16 << 10
    assert with_arena > 512 << 10


def test_an_arena_that_would_raise_the_peak_is_not_made(rng, monkeypatch):
    # three convolutions (their values in the arena), then a chain of big element-wise steps
    # outside it: the arena's peak and theirs would add up, twice the peak without it
    x = ops.parameter([1, 64, 48, 48], np.float32, name="x")
    value = x
    for _ in range(3):
        value = conv(rng, value, 64, 64, kernel=1)
    for function in (ops.exp, ops.sin, ops.cos, ops.sin):
        value = function(value)
    model = ov.Model([value], [x], "outside_heavy")
    compiled = compile_with(model, True, monkeypatch)
    assert layout_of(compiled) is None
    monkeypatch.setattr(arena_module, "MEMORY_LIMIT", 10.0)
    generous = compile_with(model, True, monkeypatch)
    assert layout_of(generous) is not None
    feed = rng.standard_normal((1, 64, 48, 48), dtype=np.float32)
    assert_outputs_match(list(generous([feed]).values()), list(compiled([feed]).values()),
                         rtol=0, atol=0)
