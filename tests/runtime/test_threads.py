"""Thread safety: InferRequests of one CompiledModel running at once give the sequential results,
also when the plan writes into dead buffers in place; and in-place steps never write into memory
that another live value, an input or a weight shares."""
import threading

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir.node import Op
from ov_notebook.runtime.kernels import kernel, registered_kernels


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
    compiled = ov.compile_model(inplace_chain_model())
    steps = compiled._plan.plan.steps
    assert sum(step.inplace_slot is not None for step in steps) >= 20


def test_two_requests_in_two_threads_match_sequential_runs(rng):
    model = inplace_chain_model()
    compiled = ov.compile_model(model)
    feeds = [[rng.standard_normal((512, 64), dtype=np.float32) for _ in range(15)] for _ in range(2)]
    expected = [[reference(model, value) for value in thread_feeds] for thread_feeds in feeds]
    start = threading.Barrier(2)
    got, errors = [[], []], []

    def work(index):
        request = compiled.create_infer_request()
        start.wait()
        try:
            for value in feeds[index]:
                got[index].append(request.infer(value)[0].copy())
        except Exception as exc:  # noqa: BLE001  reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
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


# --- intra-op parallelism: chunks of epilogues and depthwise convs on helper threads -----------
def test_intra_op_chunks_give_the_single_thread_numbers(rng, monkeypatch):
    from ov_notebook.runtime import parallel
    from ov_notebook.runtime.kernels import _epilogue, fused

    calls = []

    def spy(count, function, threads=None):
        calls.append(count)
        return parallel.parallel_for(count, function, threads)

    monkeypatch.setattr(_epilogue, "parallel_for", spy)
    monkeypatch.setattr(fused, "parallel_for", spy)
    x = ops.parameter([2, 32, 64, 64], np.float32, name="x")
    depthwise = ops.group_convolution(x, rng.standard_normal((32, 1, 1, 3, 3), dtype=np.float32),
                                      [1, 1], [1, 1], [1, 1], [1, 1])
    y = ops.swish(ops.add(ops.add(depthwise, rng.standard_normal((1, 32, 1, 1), dtype=np.float32)), x))
    pointwise = ops.convolution(y, rng.standard_normal((48, 32, 1, 1), dtype=np.float32),
                                [1, 1], [0, 0], [0, 0], [1, 1])
    z = ops.gelu(ops.add(pointwise, rng.standard_normal((1, 48, 1, 1), dtype=np.float32)))
    model = ov.Model([z], [x])
    value = rng.standard_normal((2, 32, 64, 64), dtype=np.float32)
    single = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1})(value)[0]
    assert calls == []
    for threads in (2, 3):
        compiled = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads})
        np.testing.assert_allclose(compiled(value)[0], single, rtol=1e-6, atol=1e-6)
    assert len(calls) >= 4  # the depthwise conv and the pointwise epilogue, at 2 and 3 threads
