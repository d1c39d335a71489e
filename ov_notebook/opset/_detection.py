"""Builders for NonMaxSuppression and ROIAlign (``openvino.opset`` signatures)."""
from __future__ import annotations

import numpy as np

from ..ir.ops import detection as spec
from ._base import as_node, builder


@builder
def non_max_suppression(boxes, scores, max_output_boxes_per_class=None, iou_threshold=None,
                        score_threshold=None, soft_nms_sigma=None, box_encoding="corner",
                        sort_result_descending=True, output_type="i64",
                        name=None) -> spec.NonMaxSuppression:
    """NonMaxSuppression-9: ``non_max_suppression(boxes, scores, 10, 0.5)``; absent thresholds
    are 0 and an absent ``max_output_boxes_per_class`` selects nothing (as in OpenVINO)."""
    defaults = {"max_output_boxes_per_class": np.int64(0), "iou_threshold": np.float32(0),
                "score_threshold": np.float32(0), "soft_nms_sigma": np.float32(0)}
    given = {"max_output_boxes_per_class": max_output_boxes_per_class,
             "iou_threshold": iou_threshold, "score_threshold": score_threshold,
             "soft_nms_sigma": soft_nms_sigma}
    inputs = [as_node(boxes, "boxes"), as_node(scores, "scores")]
    for argument, value in given.items():
        value = defaults[argument] if value is None else value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = np.asarray(value, dtype=defaults[argument].dtype)
        inputs.append(as_node(value, argument))
    return spec.NonMaxSuppression(*inputs, box_encoding=box_encoding,
                                  sort_result_descending=sort_result_descending,
                                  output_type=output_type, name=name)


@builder
def roi_align(data, rois, batch_indices, pooled_h, pooled_w, sampling_ratio, spatial_scale, mode,
              aligned_mode="asymmetric", name=None) -> spec.ROIAlign:
    """ROIAlign-9: ``roi_align(x, boxes, image_of_box, 7, 7, 2, 1 / 16, "avg", "half_pixel_for_nn")``."""
    return spec.ROIAlign(as_node(data, "data"), as_node(rois, "rois"),
                         as_node(batch_indices, "batch_indices"), pooled_h=pooled_h,
                         pooled_w=pooled_w, sampling_ratio=sampling_ratio,
                         spatial_scale=spatial_scale, mode=mode, aligned_mode=aligned_mode,
                         name=name)
