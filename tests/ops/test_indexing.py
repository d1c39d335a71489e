"""Gather-8, GatherElements-6, GatherND-8 (and the older versions read from IR) against real
OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import get_op_class

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino
from oracle import assert_outputs_match, run_openvino, run_ours

I64 = np.int64
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


def _data(shape, dtype=np.float32):
    return (np.random.default_rng(len(shape)).integers(-50, 50, size=shape) + 0.5).astype(dtype)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, data=st.data(), index_type=st.sampled_from([np.int32, I64]),
       out_of_range=st.booleans())
def test_gather_matches_openvino(shape, data, index_type, out_of_range):
    rank = len(shape)
    axis = data.draw(st.integers(0, rank - 1))
    batch_dims = data.draw(st.integers(0, axis))
    index_shape = shape[:batch_dims] + data.draw(st.lists(st.integers(1, 3), max_size=2))
    folded = batch_dims and 1 in shape[:batch_dims]
    # out-of-range indices give zeros on the CPU plugin; the reference (folding) differs
    out_of_range = out_of_range and not folded
    low, high = (-2 * shape[axis], 2 * shape[axis]) if out_of_range else (-shape[axis], shape[axis] - 1)
    indices = np.random.default_rng(rank).integers(low, high + 1, size=index_shape).astype(index_type)
    if data.draw(st.booleans()):
        axis -= rank
    if data.draw(st.booleans()) and batch_dims:
        batch_dims -= len(index_shape)

    def build(p, i):
        return ops.gather(p, i, np.array(axis, I64), batch_dims)
    if folded:  # OpenVINO 2026's CPU plugin crashes on a batch of 1; its reference is fine
        _compare_folded(build(ops.constant(_data(shape)), ops.constant(indices)))
    else:
        compare_with_openvino(build, [_data(shape), indices])


def _compare_folded(node):
    """OpenVINO folds a constant-only model with its reference implementation."""
    model = ov.Model([node], [])
    assert_outputs_match(run_ours(model, []), run_openvino(model, []))


@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data())
def test_gather_elements_matches_openvino(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = list(shape)
    index_shape[axis] = data.draw(st.integers(1, 4))
    n = shape[axis]
    indices = np.random.default_rng(n).integers(-n, n, size=index_shape).astype(np.int32)
    compare_with_openvino(lambda p, i: ops.gather_elements(p, i, axis), [_data(shape), indices])


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data(), v5=st.booleans())
def test_gather_nd_matches_openvino(shape, data, v5):
    batch_dims = data.draw(st.integers(0, len(shape) - 1))
    depth = data.draw(st.integers(1, len(shape) - batch_dims))
    middle = data.draw(st.lists(st.integers(1, 3), max_size=2))
    rng = np.random.default_rng(depth)
    columns = [rng.integers(-n, n, size=shape[:batch_dims] + middle) for n in
               shape[batch_dims:batch_dims + depth]]
    indices = np.stack(columns, axis=-1).astype(I64)
    if v5:
        gather_nd5 = get_op_class("GatherND", "opset5")
        build = lambda p, i: gather_nd5(p, i, batch_dims=batch_dims)  # noqa: E731
    else:
        build = lambda p, i: ops.gather_nd(p, i, batch_dims)  # noqa: E731
    compare_with_openvino(build, [_data(shape), indices])


@pytest.mark.parametrize("version", ["opset1", "opset7"])
def test_older_gather_versions_run_like_openvino(version):
    cls = get_op_class("Gather", version)
    assert cls.version == version
    x = _data([2, 3, 4])
    extra = {"batch_dims": 1} if version == "opset7" else {}
    indices = np.array([[2, 0], [1, 1]], I64)
    compare_with_openvino(lambda p, i: cls(p, i, ops.constant(np.array(2, I64)), **extra),
                          [x, indices])


@pytest.mark.parametrize("data, indices, axis, batch_dims", [
    ("[?,128,768]", "[2]", 1, 0), ("[2,?,4]", "[2,?]", 1, 1), ("[2,?,4]", "[2,?]", 2, -1),
    ("[...]", "[3]", 0, 0), ("[2,3]", "[...]", 1, 0), ("[2..4,5]", "[?,2]", -1, 1),
    ("[5]", "[]", 0, 0),
])
def test_gather_inference_matches_openvino(data, indices, axis, batch_dims):
    assert_same_inference(lambda o, d, i: o.gather(d, i, np.array(axis, I64), batch_dims),
                          (data, np.float32), (indices, I64))


def test_unknown_axis_and_element_and_nd_inference_match_openvino():
    assert_same_inference(lambda o, d, i, a: o.gather(d, i, a, 1),
                          ("[2,?,4]", np.float32), ("[2,3]", I64), ("[]", I64))
    assert_same_inference(lambda o, d, i: o.gather_elements(d, i, 1),
                          ("[2,?,4]", np.float32), ("[?,5,4]", I64))
    assert_same_inference(lambda o, d, i: o.gather_elements(d, i, -1),
                          ("[...]", np.float32), ("[2,3]", I64))
    assert_same_inference(lambda o, d, i: o.gather_nd(d, i, 1),
                          ("[2,?,4,5]", np.float32), ("[?,3,2]", I64))
    assert_same_inference(lambda o, d, i: o.gather_nd(d, i, 0),
                          ("[2,?,4]", np.float32), ("[...]", I64))


def test_gather_on_shape_vectors_keeps_known_dimensions():
    x = ops.parameter("[?,128,12,64]", np.float32)
    picked = ops.gather(ops.shape_of(x), np.array([3, -3, 0], I64), np.array(0, I64))
    assert [str(d) for d in picked.output(0)._desc.dims_value] == ["64", "128", "?"]
    scalar = ops.gather(ops.shape_of(x), np.array(1, I64), np.array(0, I64))
    assert scalar.output(0)._desc.value.tolist() == 128


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3, 4], np.float32)
    i = ops.parameter([2, 2], I64)
    assert_rejected(lambda: ops.gather(x, i, np.array(3, I64)), "out of range")
    assert_rejected(lambda: ops.gather(x, i, np.array(1, I64), 2), "must not exceed the axis")
    assert_rejected(lambda: ops.gather(ops.parameter([2, 2, 4, 5], np.float32), i,
                                       np.array(3, I64), 3), "indices rank")
    assert_rejected(lambda: ops.gather(x, ops.parameter([3, 2], I64), np.array(1, I64), 1),
                    "batch")
    assert_rejected(lambda: ops.gather(x, ops.parameter([2], np.float32), np.array(0, I64)),
                    "integer")
    assert_rejected(lambda: ops.gather_elements(x, i, 0), "same rank")
    assert_rejected(lambda: ops.gather_elements(x, ops.parameter([3, 3, 4], I64), 2), "outside axis")
    assert_rejected(lambda: ops.gather_nd(x, ops.parameter([2, 4], I64)), "address 4 dimensions")
    assert_rejected(lambda: ops.gather_nd(x, i, 2), "less than the ranks")


@pytest.mark.parametrize("build, shapes", [
    (lambda o, x, i: o.gather(x, i, np.array(1, I64), 1), [("[2,3,4]", np.float32), ("[2,5]", I64)]),
    (lambda o, x, i: o.gather_elements(x, i, -1), [("[2,3]", np.float32), ("[2,5]", np.int32)]),
    (lambda o, x, i: o.gather_nd(x, i, 1), [("[2,3,4]", np.float32), ("[2,5,1]", I64)]),
])
def test_round_trip(build, shapes):
    assert_round_trip(build, *shapes)


def test_gather_folds_on_constants_like_openvino():
    data = ops.constant(_data([3, 4]))
    _compare_folded(ops.gather(data, np.array([[2, -1]], I64), np.array(1, I64)))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float16])
@pytest.mark.parametrize("axis, batch_dims", [(0, 0), (1, 0), (1, 1)])
def test_gather_from_a_misaligned_table_of_a_saved_ir(tmp_path, dtype, axis, batch_dims):
    """An IR whose .bin holds a 1-byte constant before the table maps the table misaligned for
    its dtype (OpenVINO's writer does not pad): Gather reads it as it is (np.take once copied
    all of it first, per call), with OpenVINO's results on the same IR."""
    table = _data((40, 6, 5), dtype)
    indices = ops.parameter([40, 3] if batch_dims else [2, 3], I64, name="indices")
    flag = ops.constant(np.array([True]))  # written to the .bin before the table
    gathered = ops.gather(ops.constant(table), indices, ops.constant(np.array(axis, I64)),
                          batch_dims)
    model = ov.Model([gathered, ops.logical_not(flag)], [indices])
    ov.save_model(model, tmp_path / "m.xml", compress_to_fp16=False)
    read = ov.Core().read_model(tmp_path / "m.xml")
    mapped = next(n.get_value() for n in read.get_ordered_ops()
                  if n.get_type_name() == "Constant" and n.get_value().shape == table.shape)
    assert mapped.ctypes.data % np.dtype(dtype).itemsize != 0  # the case at hand
    size = table.shape[axis]
    feeds = [np.random.default_rng(0).integers(-size, size, size=(40, 3) if batch_dims
                                                    else (2, 3)).astype(I64)]
    assert_outputs_match(run_ours(read, feeds)[:1], run_openvino(read, feeds)[:1])
