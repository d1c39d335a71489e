"""Thread safety: InferRequests of one CompiledModel running at once give the sequential results,
also when the plan writes into dead buffers in place; and in-place steps never write into memory
that another live value, an input or a weight shares."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir.node import Op
from ov_notebook.runtime.kernels import kernel, registered_kernels
from concurrency import outputs_in_threads


def inplace_chain_model():
    """Element-wise ops whose first input dies at the step: the plan runs them in place."""
    x = ops.parameter([-1, 64], np.float32, name="x")
    weights = ops.constant(np.linspace(-1, 1, 64, dtype=np.float32))
    value = ops.multiply(x, weights)
    for step in range(6):
        value = ops.relu(ops.add(value, ops.constant(np.float32(step - 2))))
        value = ops.sigmoid(ops.multiply(value, ops.constant(np.float32(1.5))))
    return ov.Model([ops.add(value, x)], [x], "chain")


def reference(model, value):
    return ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1})(value)[0]


def test_the_chain_really_runs_in_place():
    request = ov.compile_model(inplace_chain_model()).create_infer_request()
    reused, previous = [], []

    def same_buffer(node, outputs):  # each step's first input is the previous step's output
        if previous:
            reused.append(np.shares_memory(previous[0], outputs[0]))
        previous[:] = [outputs[0]]

    request.set_node_callback(same_buffer)
    request.infer(np.ones((8, 64), np.float32))
    assert sum(reused) >= 20


def test_two_requests_in_two_threads_match_sequential_runs(rng):
    model = inplace_chain_model()
    compiled = ov.compile_model(model)
    feeds = [[rng.standard_normal((512, 64), dtype=np.float32) for _ in range(15)] for _ in range(2)]
    expected = [[reference(model, value) for value in thread_feeds] for thread_feeds in feeds]
    got = outputs_in_threads(compiled, feeds)
    for mine, want in zip(got, expected):
        for a, b in zip(mine, want):
            np.testing.assert_array_equal(a, b)


def test_async_requests_overlap_and_match(rng):
    model = inplace_chain_model()
    compiled = ov.compile_model(model)
    values = [rng.standard_normal((256, 64), dtype=np.float32) for _ in range(4)]
    requests = [compiled.create_infer_request() for _ in values]
    for request, value in zip(requests, values):
        request.start_async(value)
    for request, value in zip(requests, values):
        request.wait()
        np.testing.assert_array_equal(request.results[0], reference(model, value))


# --- aliasing: kernels that return views or their own input -----------------------------------
class _ViewOp(Op):
    """Test-only op (not in the IR registry): output is its input, shared or as a view."""

    type_name = "TestReturnsView"
    inputs_spec = ("data",)

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


class _SameOp(_ViewOp):
    type_name = "TestReturnsInput"


if "TestReturnsView" not in registered_kernels():
    kernel("TestReturnsView")(lambda x: x.reshape(x.shape))
    kernel("TestReturnsInput")(lambda x: x)


@pytest.mark.parametrize("op", [_ViewOp, _SameOp])
def test_in_place_steps_never_write_into_shared_memory(op):
    x = ops.parameter([4], np.float32, name="x")
    fresh = ops.negative(x)                        # a buffer the plan owns
    alias = op(fresh)                              # shares fresh's memory
    first = ops.relu(alias)                        # alias dies here: in place would clobber fresh
    second = ops.add(fresh, ops.constant(np.float32(10)))
    of_input = ops.relu(op(x))                     # a view of the caller's array
    compiled = ov.compile_model(ov.Model([first, second, of_input], [x]))
    value = np.array([-1, 2, -3, 4], np.float32)
    results = compiled(value)
    np.testing.assert_array_equal(results[0], np.maximum(-value, 0))
    np.testing.assert_array_equal(results[1], -value + 10)
    np.testing.assert_array_equal(results[2], np.maximum(value, 0))
    np.testing.assert_array_equal(value, [-1, 2, -3, 4])


def test_weights_are_never_written():
    x = ops.parameter([3], np.float32, name="x")
    weights = np.array([1, -2, 3], np.float32)
    viewed = _ViewOp(ops.constant(weights))
    compiled = ov.compile_model(ov.Model([ops.relu(viewed), ops.add(x, viewed)], [x]),
                                "CPU", {"DISABLED_PASSES": "constant_folding"})
    for _ in range(2):
        results = compiled(np.zeros(3, np.float32))
        np.testing.assert_array_equal(results[0], [1, 0, 3])
        np.testing.assert_array_equal(results[1], weights)


# --- intra-op parallelism: chunks of fused convs, MatMuls and epilogues on helper threads ------
def _conv(rng, data, out_channels, in_channels, kernel, stride=1, groups=None):
    pad = kernel // 2
    shape = ((groups, out_channels // groups, in_channels // groups) if groups
             else (out_channels, in_channels)) + (kernel, kernel)
    weights = rng.standard_normal(shape, dtype=np.float32) * 0.2
    build = ops.group_convolution if groups else ops.convolution
    return build(data, weights, [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])


def _bias(rng, channels):
    return rng.standard_normal((1, channels, 1, 1), dtype=np.float32)


def split_models(rng):
    """One model per way the runtime splits work: (name, model, input shape)."""
    x = ops.parameter([1, 128, 96, 96], np.float32, name="x")
    depthwise = ops.swish(ops.add(ops.add(_conv(rng, x, 128, 128, 3, groups=128), _bias(rng, 128)),
                                  x))
    pointwise = ops.gelu(ops.add(_conv(rng, depthwise, 48, 128, 1), _bias(rng, 48)))
    dense = ops.relu(ops.add(_conv(rng, pointwise, 40, 48, 3, stride=2), _bias(rng, 40)))
    batch = ops.parameter([6, 16, 24, 24], np.float32, name="batch")
    batched = ops.hswish(_conv(rng, batch, 32, 16, 3))
    tokens = ops.parameter([2, 64, 256], np.float32, name="tokens")
    wide = ops.add(ops.matmul(tokens, rng.standard_normal((512, 256), dtype=np.float32) * 0.1,
                              False, True), rng.standard_normal(512, dtype=np.float32))
    tall = ops.parameter([2048, 256], np.float32, name="tall")
    narrow = ops.add(ops.matmul(tall, rng.standard_normal((256, 64), dtype=np.float32), False, False),
                     rng.standard_normal(64, dtype=np.float32))
    small = ops.parameter([1, 256, 8, 8], np.float32, name="small")
    expanded = ops.relu(ops.add(_conv(rng, small, 512, 256, 1), _bias(rng, 512)))
    deep = ops.add(_conv(rng, expanded, 256, 512, 3, stride=2), _bias(rng, 256))  # not Winograd
    return [("_by_output_rows _pointwise_by_rows _depthwise_by_channels", ov.Model([dense], [x]),
             (1, 128, 96, 96)),
            ("_pointwise_by_channels _dense_by_channels", ov.Model([deep], [small]), (1, 256, 8, 8)),
            ("_by_batch", ov.Model([batched], [batch]), (6, 16, 24, 24)),
            ("matmul columns", ov.Model([ops.gelu(wide)], [tokens]), (2, 64, 256)),
            ("matmul rows", ov.Model([ops.relu(narrow)], [tall]), (2048, 256))]


def test_intra_op_chunks_give_the_single_thread_numbers(rng, monkeypatch):
    from ov_notebook.runtime import parallel
    from ov_notebook.runtime.kernels import _epilogue, _tiling

    calls = []

    def spy(count, function, threads=None):
        calls.append(count)
        return parallel.parallel_for(count, function, threads)

    # a busy machine could make the kernels stop splitting (see the next test): not here
    monkeypatch.setattr(parallel._HELPERS, "pays", lambda: True)
    monkeypatch.setattr(_epilogue, "parallel_for", spy)
    monkeypatch.setattr(_tiling, "parallel_for", spy)
    splits = []

    def spying_on(split, original):
        def spy_split(*args):
            splits.append(split)
            return original(*args)
        return spy_split

    for split in ("_by_batch", "_pointwise_by_rows", "_depthwise_by_channels", "_by_output_rows",
                  "_pointwise_by_channels", "_dense_by_channels"):
        monkeypatch.setattr(_tiling, split, spying_on(split, getattr(_tiling, split)))
    # the numpy kernels' NCHW splits (NHWC: test_layout_pass; oneDNN splits work itself)
    channels_first = {"DISABLED_PASSES": "channels_last", "KERNEL_BACKEND": "numpy"}
    for name, model, shape in split_models(rng):
        value = rng.standard_normal(shape, dtype=np.float32)
        calls.clear()
        single = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1,
                                                 **channels_first})(value)[0]
        assert calls == [], name
        for threads in (2, 3):
            compiled = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads,
                                                       **channels_first})
            # BLAS sums a split product in another order: float32 rounding, not an error
            np.testing.assert_allclose(compiled(value)[0], single, rtol=1e-4, atol=1e-4,
                                       err_msg=f"{name}, {threads} threads")
        assert calls and max(calls) > 1, name
        if name.startswith("_"):
            assert set(splits) == set(name.split()), name
        splits.clear()


def test_splitting_stops_while_helpers_do_not_help_and_probes_again():
    from ov_notebook.runtime.parallel import _Speedup

    speedup = _Speedup()
    assert speedup.pays()
    for _ in range(8):  # split work took as long as doing it alone: a busy machine
        speedup.record(serial_estimate=1.0, wall=1.0)
    decisions = [speedup.pays() for _ in range(2 * speedup.PROBE_EVERY)]
    assert decisions.count(True) == 2  # one probe every PROBE_EVERY calls
    for _ in range(8):
        speedup.record(serial_estimate=1.0, wall=0.55)  # two threads nearly halve it again
    assert speedup.pays()


@settings(max_examples=30, deadline=None)
@given(kernel=st.integers(1, 5), stride=st.integers(1, 3), dilation=st.integers(1, 2),
       pads=st.tuples(st.integers(0, 3), st.integers(0, 3)), groups=st.sampled_from([1, 2, 16]),
       auto_pad=st.sampled_from(["explicit", "same_upper", "same_lower", "valid"]),
       size=st.tuples(st.integers(20, 44), st.integers(20, 44)), seed=st.integers(0, 999))
def test_split_convolutions_match_for_any_geometry(kernel, stride, dilation, pads, groups, auto_pad,
                                                   size, seed):
    rng = np.random.default_rng(seed)
    x = ops.parameter([1, 16, *size], np.float32, name="x")
    if groups == 1:
        weights = rng.standard_normal((32, 16, kernel, kernel), dtype=np.float32)
        conv = ops.convolution(x, weights, [stride] * 2, [pads[0]] * 2, [pads[1]] * 2,
                               [dilation] * 2, auto_pad)
    else:
        weights = rng.standard_normal((groups, 32 // groups, 16 // groups, kernel, kernel),
                                      dtype=np.float32)
        conv = ops.group_convolution(x, weights, [stride] * 2, [pads[0]] * 2, [pads[1]] * 2,
                                     [dilation] * 2, auto_pad)
    model = ov.Model([ops.relu(conv)], [x])
    value = rng.standard_normal((1, 16, *size), dtype=np.float32)
    single = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1})(value)[0]
    split = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 3})(value)[0]
    np.testing.assert_allclose(split, single, rtol=1e-5, atol=1e-4)
