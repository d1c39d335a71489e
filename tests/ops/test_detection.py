"""NonMaxSuppression-9 and ROIAlign-9 against real OpenVINO: values over attributes and
thresholds, shape inference with dynamic dimensions, IR round trips, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import assert_outputs_match, run_openvino, run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino


def _boxes(rng, batches, count, encoding):
    corner = rng.uniform(0, 10, (batches, count, 2))
    size = rng.uniform(0.5, 4, (batches, count, 2))
    if encoding == "center":
        return np.concatenate([corner + size / 2, size], -1).astype(np.float32)
    boxes = np.concatenate([corner, corner + size], -1)
    flip = rng.random((batches, count)) < 0.3  # any diagonal pair of corners is allowed
    boxes[flip] = boxes[flip][:, [2, 3, 0, 1]]
    return boxes.astype(np.float32)


@settings(max_examples=30, deadline=None)
@given(batches=st.integers(1, 2), classes=st.integers(1, 3), count=st.integers(1, 30),
       limit=st.integers(0, 12), iou=st.sampled_from([0.3, 0.5, 0.9]),
       score=st.sampled_from([0.0, 0.2, 0.6]), sigma=st.sampled_from([0.0, 0.0, 0.5]),
       encoding=st.sampled_from(["corner", "center"]), descending=st.booleans(),
       output_type=st.sampled_from(["i32", "i64"]), seed=st.integers(0, 1000))
def test_nms_matches_openvino(batches, classes, count, limit, iou, score, sigma, encoding,
                              descending, output_type, seed):
    rng = np.random.default_rng(seed)
    boxes = _boxes(rng, batches, count, encoding)
    scores = rng.permutation(batches * classes * count).reshape(batches, classes, count)
    scores = (scores / scores.size + rng.uniform(0, 1e-3)).astype(np.float32)
    params = [ops.parameter(list(a.shape), np.float32) for a in (boxes, scores)]
    node = ops.non_max_suppression(*params, np.int64(limit), np.float32(iou), np.float32(score),
                                   np.float32(sigma), encoding, descending, output_type)
    model = ov.Model(node.outputs(), params)
    ours, theirs = run_ours(model, [boxes, scores]), run_openvino(model, [boxes, scores])
    if len(ours[0]) == 0:  # OpenVINO leaves valid_outputs uninitialized when nothing is selected
        ours, theirs = ours[:2], theirs[:2]
    assert_outputs_match(ours, theirs, rtol=1e-5, atol=1e-6)


def test_nms_iou_threshold_zero_keeps_disjoint_boxes():
    # the spec (and torchvision) suppress only IoU > threshold; OpenVINO's CPU plugin suppresses
    # IoU >= threshold, which differs only at equality (disjoint boxes with a threshold of 0)
    torchvision = pytest.importorskip("torchvision")
    torch = pytest.importorskip("torch")
    boxes = np.array([[[0, 0, 1, 1], [2, 2, 3, 3], [0.5, 0.5, 1.5, 1.5]]], np.float32)
    scores = np.array([[[0.9, 0.8, 0.7]]], np.float32)
    params = [ops.parameter(list(a.shape), np.float32) for a in (boxes, scores)]
    model = ov.Model([ops.non_max_suppression(*params, np.int64(10), np.float32(0)).output(0)],
                     params)
    kept = run_ours(model, [boxes, scores])[0][:, 2]
    expected = torchvision.ops.nms(torch.from_numpy(boxes[0]), torch.from_numpy(scores[0, 0]), 0.0)
    np.testing.assert_array_equal(kept, expected.numpy())
    np.testing.assert_array_equal(kept, [0, 1])


def test_nms_with_equal_scores_keeps_the_lower_index_first():
    boxes = np.array([[[0, 0, 1, 1], [5, 5, 6, 6], [0, 0, 1, 1.05], [9, 9, 10, 10]]], np.float32)
    scores = np.full((1, 2, 4), 0.5, np.float32)
    for descending in (True, False):
        compare_with_openvino(lambda b, s, descending=descending: ops.non_max_suppression(
            b, s, np.int64(10), np.float32(0.5), sort_result_descending=descending),
            [boxes, scores])


@settings(max_examples=30, deadline=None)
@given(channels=st.integers(1, 3), size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
       rois=st.integers(1, 6), pooled=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       ratio=st.integers(0, 3), scale=st.sampled_from([1.0, 0.5, 0.25]),
       mode=st.sampled_from(["avg", "max"]),
       aligned=st.sampled_from(["asymmetric", "half_pixel_for_nn", "half_pixel"]),
       seed=st.integers(0, 1000))
def test_roi_align_matches_openvino(channels, size, rois, pooled, ratio, scale, mode, aligned,
                                    seed):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((2, channels) + size).astype(np.float32)
    extent = np.array(size[::-1] * 2, np.float32) / scale
    start = rng.uniform(-0.2, 1.0, (rois, 2)) * extent[:2]
    boxes = np.concatenate([start, start + rng.uniform(0, 0.8, (rois, 2)) * extent[:2]], 1)
    indices = rng.integers(0, 2, rois).astype(np.int32)
    compare_with_openvino(lambda d, b, i: ops.roi_align(
        d, b, i, pooled[0], pooled[1], ratio, scale, mode, aligned),
        [data, boxes.astype(np.float32), indices], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("boxes, scores, limit", [
    ("[2,10,4]", "[2,3,10]", 5), ("[?,?,4]", "[?,?,?]", 5), ("[1,?,4]", "[1,2,?]", None),
    ("[1,7,4]", "[1,2,7]", 100), ("...", "[1,2,7]", 3), ("[2,10,4]", "[2,3,10]", "absent"),
])
def test_nms_shape_inference_matches_openvino(boxes, scores, limit):
    def build(opset, b, s, *dynamic):
        if limit == "absent":
            return opset.non_max_suppression(b, s)
        value = dynamic[0] if limit is None else opset.constant(np.int64(limit))
        return opset.non_max_suppression(b, s, value, output_type="i32")
    inputs = [(boxes, np.float32), (scores, np.float32)] + ([("[]", np.int64)] if limit is None
                                                           else [])
    assert_same_inference(build, *inputs)


@pytest.mark.parametrize("data, rois, indices", [
    ("[2,3,8,8]", "[5,4]", "[5]"), ("[?,?,?,?]", "[?,4]", "[?]"), ("...", "[?,?]", "[3]"),
    ("[2,3,8,8]", "...", "..."),
])
def test_roi_align_shape_inference_matches_openvino(data, rois, indices):
    assert_same_inference(lambda opset, d, r, i: opset.roi_align(
        d, r, i, 2, 3, 0, 0.5, "max", "half_pixel"),
        (data, np.float32), (rois, np.float32), (indices, np.int32))


def test_detection_ops_round_trip_with_openvino():
    assert_round_trip(lambda opset, b, s: opset.non_max_suppression(
        b, s, opset.constant(np.int64(4)), opset.constant(np.float32(0.5)),
        opset.constant(np.float32(0.1)), opset.constant(np.float32(0.0)), "center", False, "i32"),
        ("[1,6,4]", np.float32), ("[1,2,6]", np.float32))
    assert_round_trip(lambda opset, d, r, i: opset.roi_align(
        d, r, i, 2, 3, 2, 0.25, "max", "half_pixel_for_nn"),
        ("[1,3,8,8]", np.float32), ("[4,4]", np.float32), ("[4]", np.int64))


def _nms(boxes, scores, score_type=np.float32):
    return lambda: ops.non_max_suppression(ops.parameter(boxes, np.float32),
                                           ops.parameter(scores, score_type), np.int64(3))


def _roi(data=(1, 3, 8, 8), rois=(2, 4), indices=(2,), index_type=np.int32, **attributes):
    values = dict(pooled_h=2, pooled_w=2, sampling_ratio=0, spatial_scale=1.0, mode="avg")
    values.update(attributes)
    return lambda: ops.roi_align(ops.parameter(data, np.float32), ops.parameter(rois, np.float32),
                                 ops.parameter(indices, index_type), **values)


@pytest.mark.parametrize("build, match", [
    (_nms([1, 7, 4], [2, 2, 7]), "batch size"),
    (_nms([1, 7, 4], [1, 2, 6]), "as many boxes"),
    (_nms([1, 7, 3], [1, 2, 7]), "must be 4"),
    (_nms([1, 7], [1, 2, 7]), "rank 3"),
    (_nms([1, 7, 4], [1, 2, 7], np.int32), "floating-point"),
    (_roi(rois=(2, 5)), "4 coordinates"),
    (_roi(indices=(3,)), "as many boxes"),
    (_roi(data=(3, 8, 8)), "rank 4"),
    (_roi(index_type=np.float32), "integer"),
    (_roi(pooled_h=0), "pooled_h must be positive"),
    (_roi(sampling_ratio=-1), "sampling_ratio"),
])
def test_detection_ops_reject_bad_input(build, match):
    assert_rejected(build, match)
