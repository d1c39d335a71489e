"""Softmax-8 and LogSoftmax-5 against real OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

shapes = st.lists(st.integers(1, 6), min_size=1, max_size=4)


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data(), log=st.booleans(), scale=st.sampled_from([0.1, 3.0, 30.0]))
def test_softmax_matches_openvino(shape, data, log, scale):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = (np.random.default_rng(len(shape)).standard_normal(shape) * scale).astype(np.float32)
    builder = ops.log_softmax if log else ops.softmax
    compare_with_openvino(lambda p: builder(p, axis), [x], atol=1e-5)


def test_softmax_keeps_f16_and_never_mutates_its_input():
    x = np.random.default_rng(0).standard_normal((3, 7)).astype(np.float16)
    copy = x.copy()
    compare_with_openvino(lambda p: ops.softmax(p, 1), [x], rtol=2e-3, atol=2e-3)
    np.testing.assert_array_equal(x, copy)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, axis", [("[2,?,4]", -1), ("[...]", 5), ("[?,3..8]", 0), ("[]", 0)])
def test_shape_inference_matches_openvino(name, shape, axis):
    assert_same_inference(lambda o, x: getattr(o, name)(x, axis), (shape, np.float32))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_axis_out_of_range_is_rejected(name):
    x = ops.parameter([2, 3], np.float32)
    assert_rejected(lambda: getattr(ops, name)(x, 2), r"axis 2 is out of range for rank 2")
    assert_rejected(lambda: getattr(ops, name)(x, -3), r"axis -3 is out of range")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_round_trip(name):
    assert_round_trip(lambda o, x: getattr(o, name)(x, -2), ("[2,3,4]", np.float32))


def test_softmax_writes_opset8_softmax_and_reads_opset1():
    from ov_notebook.ir import get_op_class
    assert get_op_class("SoftMax", "opset1").version == "opset1"
    assert get_op_class("SoftMax", "opset8").version == "opset8"
    with pytest.raises(Exception, match="non-negative"):
        get_op_class("SoftMax", "opset1")(ops.parameter([2, 3], np.float32), axis=-1)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_scalar_matches_openvino(name):
    compare_with_openvino(lambda p: getattr(ops, name)(p, 0), [np.array(2.5, np.float32)])


def test_softmax_rows_far_below_their_blocks_max_and_masked_rows():
    """The exp shift is one max per block of rows; rows 300 below it are redone with their own
    max; -inf entries give 0, rows of -inf NaN (as OpenVINO)."""
    x = np.random.default_rng(1).standard_normal((6, 9)).astype(np.float32)
    x[2] -= 300
    x[3, 4:] = -np.inf
    x[4] = -np.inf
    compare_with_openvino(lambda p: ops.softmax(p, -1), [x], atol=1e-6)


@pytest.mark.parametrize("threads", [2, 3])
def test_softmax_split_over_threads_gives_the_single_thread_result(threads, monkeypatch):
    import ov_notebook as ov
    from ov_notebook.runtime import parallel
    from ov_notebook.runtime.kernels import softmax

    calls = []
    monkeypatch.setattr(parallel._HELPERS, "pays", lambda: True)  # even on a busy machine
    monkeypatch.setattr(softmax, "parallel_for", lambda count, function: calls.append(count) or
                        parallel.parallel_for(count, function))
    x = (np.random.default_rng(2).standard_normal((4, 12, 80, 300)) * 4).astype(np.float32)
    model = ov.Model([ops.softmax(p := ops.parameter(list(x.shape), np.float32), -1)], [p])
    numpy_kernels = {"KERNEL_BACKEND": "numpy"}  # this splitting is the numpy kernel's
    single = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1, **numpy_kernels})(x)[0]
    split = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads,
                                            **numpy_kernels})(x)[0]
    assert max(calls) >= 2 * threads
    np.testing.assert_allclose(split, single, rtol=1e-6, atol=1e-7)
