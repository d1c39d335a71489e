"""Col2Im-15 against real OpenVINO: values over kernels, strides, dilations, pads, batched and
unbatched data; shape inference with dynamic dimensions; IR round trip; errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops
from ov_notebook.ir.ops.fold import blocks_along

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino


@settings(max_examples=50, deadline=None)
@given(channels=st.integers(1, 3), size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
       kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       dilations=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       pads=st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
       batched=st.booleans(), index_type=st.sampled_from([np.int32, np.int64]),
       seed=st.integers(0, 1000))
def test_col2im_matches_openvino(channels, size, kernel, strides, dilations, pads, batched,
                                 index_type, seed):
    begin, end = pads[:2], pads[2:]
    blocks = [blocks_along(*args) for args in zip(size, kernel, strides, dilations, begin, end)]
    if min(blocks) < 1:
        return
    rng = np.random.default_rng(seed)
    shape = (channels * kernel[0] * kernel[1], blocks[0] * blocks[1])
    data = rng.standard_normal(((2,) if batched else ()) + shape).astype(np.float32)
    compare_with_openvino(lambda d: ops.col2im(
        d, np.array(size, index_type), np.array(kernel, index_type), list(strides),
        list(dilations), list(begin), list(end)), [data], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("data, size, kernel", [
    ("[12,20]", [5, 6], [2, 2]), ("[?,?,?]", [5, 6], [2, 2]), ("[?,12,?]", "dynamic", [2, 2]),
    ("[2,12,20]", [5, 6], "dynamic"), ("...", [5, 6], [2, 2]), ("[2,?,20]", [5, 6], [2, 2]),
])
def test_col2im_shape_inference_matches_openvino(data, size, kernel):
    def build(opset, d, *dynamic):
        dynamic = list(dynamic)
        size_node = dynamic.pop(0) if size == "dynamic" else opset.constant(np.array(size))
        kernel_node = dynamic.pop(0) if kernel == "dynamic" else opset.constant(np.array(kernel))
        return opset.col2im(d, size_node, kernel_node)
    extra = [("[2]", np.int64)] * ((size == "dynamic") + (kernel == "dynamic"))
    assert_same_inference(build, (data, np.float32), *extra)


def test_col2im_round_trips_with_openvino():
    assert_round_trip(lambda opset, d: opset.col2im(
        d, opset.constant(np.array([5, 6])), opset.constant(np.array([2, 2])), [2, 1], [1, 2],
        [1, 0], [0, 1]), ("[2,12,15]", np.float32))


def _fold(data=(2, 12, 20), size=(5, 6), kernel=(2, 2), size_type=np.int64):
    return lambda: ops.col2im(ops.parameter(list(data), np.float32), np.array(size, size_type),
                              np.array(kernel, np.int64))


@pytest.mark.parametrize("build, match", [
    (_fold(data=(2, 13, 20)), "divide by the kernel"),
    (_fold(data=(2, 12, 21)), "make 20 blocks"),
    (_fold(data=(2, 12, 20, 1)), r"\[N, C \* KH \* KW, L\]"),
    (_fold(size_type=np.int32), "both be i32 or both i64"),
    (_fold(size=(5, 6, 1)), "2 values"),
])
def test_col2im_rejects_bad_input(build, match):
    assert_rejected(build, match)
