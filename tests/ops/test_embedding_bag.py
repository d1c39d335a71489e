"""EmbeddingBagOffsets-15 and EmbeddingBagPacked-15 against real OpenVINO: values (sum, mean,
weights, empty bags, default_index), shape inference, IR round trips, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 8), width=st.lists(st.integers(1, 3), min_size=1, max_size=2),
       sizes=st.lists(st.integers(0, 4), min_size=1, max_size=5),
       reduction=st.sampled_from(["sum", "mean"]), weighted=st.booleans(),
       default=st.sampled_from([None, -1, 0, "last"]), index_type=st.sampled_from(["i32", "i64"]),
       seed=st.integers(0, 1000))
def test_embedding_bag_offsets_matches_openvino(rows, width, sizes, reduction, weighted, default,
                                                index_type, seed):
    # OpenVINO's CPU plugin refuses an offset equal to the number of indices (a trailing empty
    # bag), which the spec allows: the last bag gets one index here
    sizes[-1] = max(sizes[-1], 1)
    rng = np.random.default_rng(seed)
    dtype = np.int32 if index_type == "i32" else np.int64
    table = rng.standard_normal([rows] + width).astype(np.float32)
    indices = rng.integers(0, rows, sum(sizes)).astype(dtype)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(dtype)
    default_index = None if default is None else np.asarray(rows - 1 if default == "last"
                                                             else default, dtype)
    inputs = [table, indices]
    weights = None
    if weighted and reduction == "sum":
        weights = rng.uniform(0, 2, indices.shape).astype(np.float32)
        inputs.append(weights)
    compare_with_openvino(lambda t, i, *w: ops.embedding_bag_offsets(
        t, i, offsets, default_index, w[0] if w else None, reduction), inputs,
        rtol=1e-5, atol=1e-6)


def test_embedding_bag_offsets_trailing_empty_bags():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    params = [ops.parameter([4, 3], np.float32), ops.parameter([3], np.int64)]
    node = ops.embedding_bag_offsets(*params, np.array([0, 2, 3, 3], np.int64),
                                     np.asarray(1, np.int64), reduction="mean")
    result = run_ours(ov.Model([node], params), [table, np.array([0, 2, 3], np.int64)])[0]
    np.testing.assert_array_equal(result, [table[[0, 2]].mean(0), table[3], table[1], table[1]])


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(1, 8), bags=st.integers(1, 4), per_bag=st.integers(1, 4),
       reduction=st.sampled_from(["sum", "mean"]), weighted=st.booleans(),
       seed=st.integers(0, 1000))
def test_embedding_bag_packed_matches_openvino(rows, bags, per_bag, reduction, weighted, seed):
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((rows, 3)).astype(np.float32)
    indices = rng.integers(0, rows, (bags, per_bag)).astype(np.int32)
    inputs = [table, indices]
    if weighted and reduction == "sum":
        inputs.append(rng.uniform(0, 2, indices.shape).astype(np.float32))
    compare_with_openvino(lambda t, i, *w: ops.embedding_bag_packed(
        t, i, w[0] if w else None, reduction), inputs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("table, indices, offsets", [
    ("[10,3]", "[8]", "[3]"), ("[?,?]", "[?]", "[?]"), ("...", "[?]", "..."),
    ("[5,2,3]", "[?]", "[4]"),
])
def test_embedding_bag_offsets_shape_inference_matches_openvino(table, indices, offsets):
    assert_same_inference(lambda opset, t, i, o: opset.embedding_bag_offsets(t, i, o),
                          (table, np.float32), (indices, np.int32), (offsets, np.int32))


@pytest.mark.parametrize("table, indices", [("[10,3]", "[3,4]"), ("[?,3]", "[?,?]"),
                                            ("...", "[2,5]"), ("[4,2,2]", "...")])
def test_embedding_bag_packed_shape_inference_matches_openvino(table, indices):
    assert_same_inference(lambda opset, t, i: opset.embedding_bag_packed(t, i, None, "mean"),
                          (table, np.float32), (indices, np.int64))


def test_embedding_bags_round_trip_with_openvino():
    assert_round_trip(lambda opset, t, i, o, w: opset.embedding_bag_offsets(
        t, i, o, opset.constant(np.asarray(-1, np.int32)), w, "sum"),
        ("[10,3]", np.float32), ("[8]", np.int32), ("[3]", np.int32), ("[8]", np.float32))
    assert_round_trip(lambda opset, t, i: opset.embedding_bag_packed(t, i, None, "mean"),
                      ("[10,3]", np.float32), ("[3,4]", np.int64))


def _offsets(offsets_type=np.int32, indices_shape=(6,), weights=None, reduction="sum"):
    return lambda: ops.embedding_bag_offsets(
        ops.parameter([5, 3], np.float32), ops.parameter(list(indices_shape), np.int32),
        ops.parameter([4], offsets_type), None,
        None if weights is None else ops.parameter(list(weights[0]), weights[1]), reduction)


@pytest.mark.parametrize("build, match", [
    (_offsets(np.int64), "element type of indices"),
    (_offsets(indices_shape=(6, 2)), "1-D"),
    (_offsets(weights=((5,), np.float32)), "shape of indices"),
    (_offsets(weights=((6,), np.float16)), "table's element type"),
    (_offsets(weights=((6,), np.float32), reduction="mean"), "reduction 'sum'"),
    (lambda: ops.embedding_bag_packed(ops.parameter([5, 3], np.float32),
                                      ops.parameter([2, 3], np.float32)), "i32 or i64"),
])
def test_embedding_bags_reject_bad_input(build, match):
    assert_rejected(build, match)
