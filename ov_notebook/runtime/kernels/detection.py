"""NonMaxSuppression and ROIAlign kernels.

NMS: hard suppression is the greedy loop vectorized per kept box (one IoU row against every
remaining candidate); soft-NMS follows OpenVINO's reference (a lazily re-scored priority queue).
ROIAlign: per box, the bilinear weights are separable, so the rows and columns the samples touch
are gathered once and contracted with the row and column weights (einsum).
"""
from __future__ import annotations

import heapq
import math

import numpy as np

from ...ir.types import Type
from . import kernel


def _corners(boxes, box_encoding):
    """[n, 4] boxes as (y1, x1, y2, x2) with y1 <= y2, x1 <= x2 (float32)."""
    boxes = boxes.astype(np.float32)
    if box_encoding == "center":  # (x_center, y_center, width, height)
        x, y, w, h = boxes.T
        return np.stack([y - h / 2, x - w / 2, y + h / 2, x + w / 2], axis=1)
    y1, x1, y2, x2 = boxes.T
    return np.stack([np.minimum(y1, y2), np.minimum(x1, x2), np.maximum(y1, y2),
                     np.maximum(x1, x2)], axis=1)


def _iou(box, boxes):
    """IoU of one (y1, x1, y2, x2) box with each of ``boxes``; 0 when either area is empty."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    height = np.maximum(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0)
    width = np.maximum(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0)
    intersection = height * width
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = intersection / (area + areas - intersection)
    return np.where((area <= 0) | (areas <= 0), np.float32(0), iou).astype(np.float32)


def _hard_nms(boxes, scores, limit, iou_threshold, score_threshold):
    """[(box index, score)] kept, best first."""
    candidates = np.flatnonzero(scores > score_threshold)
    order = candidates[np.argsort(-scores[candidates], kind="stable")]  # ties: lower index first
    kept = []
    while order.size and len(kept) < limit:
        best, order = order[0], order[1:]
        kept.append((int(best), float(scores[best])))
        order = order[_iou(boxes[best], boxes[order]) <= iou_threshold]
    return kept


def _soft_nms(boxes, scores, limit, iou_threshold, score_threshold, sigma):
    scale = -0.5 / sigma
    heap = [(-float(scores[i]), int(i), 0) for i in np.flatnonzero(scores > score_threshold)]
    heapq.heapify(heap)
    kept = []
    while heap and len(kept) < limit:
        negative, index, start = heapq.heappop(heap)
        score = original = -negative
        for position in range(len(kept) - 1, start - 1, -1):
            iou = float(_iou(boxes[index], boxes[kept[position][0]][None])[0])
            score *= math.exp(scale * iou * iou)
            if score <= score_threshold:
                break
        if score == original:
            kept.append((index, score))
        elif score > score_threshold:
            heapq.heappush(heap, (-score, index, len(kept)))
    return kept


def _scalar(values, default, dtype=np.float32):
    return default if values is None else dtype(np.asarray(values).reshape(-1)[0])


@kernel("NonMaxSuppression")
def non_max_suppression(boxes, scores, max_output_boxes_per_class=None, iou_threshold=None,
                        score_threshold=None, soft_nms_sigma=None, *, box_encoding="corner",
                        sort_result_descending=True, output_type=Type.i64):
    limit = int(_scalar(max_output_boxes_per_class, 0, np.int64))
    iou_limit = _scalar(iou_threshold, np.float32(0))
    score_limit = _scalar(score_threshold, np.float32(0))
    sigma = _scalar(soft_nms_sigma, np.float32(0))
    selected = []  # (batch, class, box, score)
    for batch in range(scores.shape[0]):
        corners = _corners(boxes[batch], box_encoding)
        for klass in range(scores.shape[1]):
            row = scores[batch, klass].astype(np.float32)
            kept = _soft_nms(corners, row, max(limit, 0), iou_limit, score_limit, sigma) \
                if sigma > 0 else _hard_nms(corners, row, max(limit, 0), iou_limit, score_limit)
            selected += [(batch, klass, index, score) for index, score in kept]
    if sort_result_descending:  # by score across batches and classes, then batch, class, box
        selected.sort(key=lambda s: (-s[3], s[0], s[1], s[2]))
    index_type = output_type.to_dtype()
    indices = np.array([s[:3] for s in selected], dtype=index_type).reshape(-1, 3)
    chosen_scores = np.array([(s[0], s[1], s[3]) for s in selected],
                             dtype=np.float32).reshape(-1, 3)
    return indices, chosen_scores, np.array([len(selected)], dtype=index_type)


def _axis_samples(start, bin_size, pooled, ratio, length):
    """Row (or column) indices and weights of the samples along one axis of a box:
    ``indices`` [pooled * ratio * 2] (low, high per sample), ``weights`` [pooled, ratio, 2]
    (zero for a sample outside [-1, length])."""
    steps = (np.arange(ratio, dtype=np.float32) + np.float32(0.5)) * (bin_size / np.float32(ratio))
    position = (start + np.arange(pooled, dtype=np.float32)[:, None] * bin_size
                + steps[None, :]).astype(np.float32)  # [pooled, ratio]
    outside = (position < -1) | (position > length)
    position = np.maximum(position, np.float32(0))
    low = position.astype(np.int64)
    at_end = low >= length - 1
    low = np.where(at_end, length - 1, low)
    high = np.where(at_end, low, low + 1)
    fraction = np.where(at_end, np.float32(0), position - low).astype(np.float32)
    weights = np.stack([1 - fraction, fraction], axis=-1) * ~outside[..., None]
    return np.stack([low, high], axis=-1).reshape(-1), weights.astype(np.float32)


def _box_geometry(roi, spatial_scale, aligned_mode):
    offset_source = np.float32(0.5) if aligned_mode == "half_pixel" else np.float32(0)
    offset_target = np.float32(0) if aligned_mode == "asymmetric" else np.float32(-0.5)
    x1, y1, x2, y2 = (roi.astype(np.float32) + offset_source) * np.float32(spatial_scale) \
        + offset_target
    width, height = x2 - x1, y2 - y1
    if aligned_mode == "asymmetric":
        width, height = max(width, np.float32(1)), max(height, np.float32(1))
    return x1, y1, np.float32(width), np.float32(height)


@kernel("ROIAlign")
def roi_align(data, rois, batch_indices, *, pooled_h, pooled_w, sampling_ratio, spatial_scale,
              mode="avg", aligned_mode="asymmetric"):
    count, channels, height, width = rois.shape[0], data.shape[1], data.shape[2], data.shape[3]
    output = np.zeros((count, channels, pooled_h, pooled_w), dtype=data.dtype)
    for r in range(count):
        batch = int(batch_indices[r])
        if not 0 <= batch < data.shape[0]:
            raise ValueError(f"batch_indices[{r}] = {batch} is outside the {data.shape[0]} "
                             "images of data")
        x1, y1, box_width, box_height = _box_geometry(rois[r], spatial_scale, aligned_mode)
        bin_width, bin_height = box_width / np.float32(pooled_w), box_height / np.float32(pooled_h)
        ratio_x = sampling_ratio or int(math.ceil(bin_width))
        ratio_y = sampling_ratio or int(math.ceil(bin_height))
        if ratio_x <= 0 or ratio_y <= 0:
            continue  # an empty aligned box: no samples, zeros
        rows, row_weights = _axis_samples(y1, bin_height, pooled_h, ratio_y, height)
        columns, column_weights = _axis_samples(x1, bin_width, pooled_w, ratio_x, width)
        patch = data[batch][:, rows][:, :, columns].astype(np.float32)
        patch = patch.reshape(channels, pooled_h, ratio_y, 2, pooled_w, ratio_x, 2)
        if mode == "avg":
            pooled = np.einsum("cpsaqtb,psa,qtb->cpq", patch, row_weights, column_weights,
                               optimize=True) / np.float32(ratio_x * ratio_y)
        else:  # max over the samples, starting from 0 as OpenVINO's reference does
            samples = np.einsum("cpsaqtb,psa,qtb->cpqst", patch, row_weights, column_weights,
                                optimize=True)
            pooled = np.maximum(samples.max(axis=(3, 4)), 0)
        output[r] = pooled
    return output
