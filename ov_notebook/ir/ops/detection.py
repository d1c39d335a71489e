"""Detection operations: NonMaxSuppression-9, ROIAlign-9."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension
from ..types import Type
from ._util import require_integral, require_rank, scalar_value

_INFINITE = -1


@register_op
class NonMaxSuppression(Op):
    """NonMaxSuppression-9: per batch and class, the boxes kept by greedy non-maximum
    suppression (IoU above ``iou_threshold`` suppresses; a ``soft_nms_sigma`` > 0 decays scores
    instead), at most ``max_output_boxes_per_class`` each, scores above ``score_threshold``.
    Outputs: ``selected_indices`` [K, 3] (batch, class, box), ``selected_scores`` [K, 3]
    (batch, class, score; f32) and ``valid_outputs`` [1] (K)."""

    type_name = "NonMaxSuppression"
    version = "opset9"
    inputs_spec = ("boxes", "scores", "max_output_boxes_per_class?", "iou_threshold?",
                   "score_threshold?", "soft_nms_sigma?")
    attrs = (Attr("box_encoding", "str", "corner", choices=("corner", "center")),
             Attr("sort_result_descending", "bool", True),
             Attr("output_type", "type", Type.i64))

    def infer(self):
        output_type = self._attrs["output_type"]
        if output_type not in (Type.i32, Type.i64):
            self.fail(f"output_type must be i32 or i64, got {output_type}")
        boxes, scores = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        require_rank(self, 0, (3,), "boxes [batches, boxes, 4]")
        require_rank(self, 1, (3,), "scores [batches, classes, boxes]")
        for index, what in ((0, "boxes"), (1, "scores")):
            element_type = self.get_input_element_type(index)
            if element_type.is_static and not element_type.is_real:
                self.fail(f"{what} (input {index}) must be floating-point, got {element_type}")
        if boxes.rank_is_static and not boxes[2].compatible(4):
            self.fail(f"the last dimension of boxes (input 0) must be 4, got {boxes}")
        bound = None
        if boxes.rank_is_static and scores.rank_is_static:
            if boxes[0].merge(scores[0]) is None:
                self.fail(f"boxes {boxes} and scores {scores} must have the same batch size")
            if boxes[1].merge(scores[2]) is None:
                self.fail(f"boxes {boxes} and scores {scores} must have as many boxes")
            bound = self._bound(boxes, scores)
        for index, what in ((3, "iou_threshold"), (4, "score_threshold"), (5, "soft_nms_sigma")):
            if index < len(self._inputs):
                require_rank(self, index, (0, 1), what)
        self._set_output_count(3)
        count = Dimension() if bound is None else Dimension(0, bound)
        self.set_output_type(0, output_type, [count, Dimension(3)])
        self.set_output_type(1, Type.f32, [count, Dimension(3)])
        self.set_output_type(2, output_type, [Dimension(1)])

    def _bound(self, boxes, scores):
        """The most boxes the op can select, or None when unknown."""
        if len(self._inputs) < 3:
            return 0
        require_integral(self, 2, "max_output_boxes_per_class")
        require_rank(self, 2, (0, 1), "max_output_boxes_per_class")
        limit = scalar_value(self, 2, "max_output_boxes_per_class")
        dims = (boxes[1], scores[0], scores[1])
        if limit is None or any(d.is_dynamic for d in dims):
            return None
        per_class = min(boxes[1].get_length(), max(limit, 0))
        return per_class * scores[0].get_length() * scores[1].get_length()


@register_op
class ROIAlign(Op):
    """ROIAlign-9: for each box ``rois[r] = (x1, y1, x2, y2)`` (scaled by ``spatial_scale``) in
    image ``batch_indices[r]``, a ``pooled_h`` x ``pooled_w`` grid of bins, each the average
    (or max) of bilinear samples (``sampling_ratio`` per bin side; 0: adaptive, ceil(bin
    size)). ``aligned_mode`` shifts the box by half a pixel (``half_pixel_for_nn``: scaled box
    - 0.5; ``half_pixel``: (box + 0.5) * scale - 0.5); ``asymmetric`` makes boxes at least 1x1."""

    type_name = "ROIAlign"
    version = "opset9"
    inputs_spec = ("data", "rois", "batch_indices")
    attrs = (Attr("pooled_h", "int"), Attr("pooled_w", "int"), Attr("sampling_ratio", "int"),
             Attr("spatial_scale", "float"), Attr("mode", "str", "avg", choices=("avg", "max")),
             Attr("aligned_mode", "str", "asymmetric",
                  choices=("asymmetric", "half_pixel_for_nn", "half_pixel")))

    def infer(self):
        attrs = self._attrs
        for name in ("pooled_h", "pooled_w"):
            if attrs[name] <= 0:
                self.fail(f"{name} must be positive, got {attrs[name]}")
        if attrs["sampling_ratio"] < 0:
            self.fail(f"sampling_ratio must be 0 (adaptive) or positive, got "
                      f"{attrs['sampling_ratio']}")
        if attrs["spatial_scale"] <= 0:
            self.fail(f"spatial_scale must be positive, got {attrs['spatial_scale']}")
        require_rank(self, 0, (4,), "data [N, C, H, W]")
        require_rank(self, 1, (2,), "rois [num_rois, 4]")
        require_rank(self, 2, (1,), "batch_indices [num_rois]")
        require_integral(self, 2, "batch_indices")
        data_type, rois_type = self.get_input_element_type(0), self.get_input_element_type(1)
        if data_type.is_static and not data_type.is_real:
            self.fail(f"data (input 0) must be floating-point, got {data_type}")
        if data_type.is_static and rois_type.is_static and data_type != rois_type:
            self.fail(f"rois (input 1) must have the element type of data ({data_type}), "
                      f"got {rois_type}")
        data, rois = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        indices = self.get_input_partial_shape(2)
        count = rois[0] if rois.rank_is_static else Dimension()
        if rois.rank_is_static and not rois[1].compatible(4):
            self.fail(f"rois (input 1) must have 4 coordinates per box, got {rois}")
        if indices.rank_is_static:
            merged = count.merge(indices[0])
            if merged is None:
                self.fail(f"rois {rois} and batch_indices {indices} must have as many boxes")
            count = merged
        channels = data[1] if data.rank_is_static else Dimension()
        self.set_output_type(0, data_type, [count, channels, Dimension(attrs["pooled_h"]),
                                            Dimension(attrs["pooled_w"])])
