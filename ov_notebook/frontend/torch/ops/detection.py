"""torchvision detection ops: ``nms`` -> NonMaxSuppression-9, ``roi_align`` -> ROIAlign-9,
``deform_conv2d`` -> DeformableConvolution-8; and ``_shape_as_tensor``, which torchvision's
detection transforms and RPN use (under tracing) to read image sizes.

``torchvision.ops.batched_nms`` is ``nms`` over boxes offset per category (its coordinate
trick), which both routes record as ordinary ops around ``torchvision::nms``.
"""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, out, shape_of, to_type

_ALL_BOXES = np.iinfo(np.int64).max


@translator("torchvision.nms.default", "torchvision::nms")
def nms(ctx):  # torchvision::nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor
    boxes, scores = ctx.input(0, "dets"), ctx.input(1, "scores")
    scores = to_type(scores, boxes.get_element_type())
    boxes = ops.reshape(boxes, i64([1, -1, 4]), False)  # one batch, one class
    scores = ops.unsqueeze(scores, i64([0, 1]))
    threshold = to_type(ctx.input(2, "iou_threshold", dtype=Type.f32), Type.f32)
    # torchvision keeps every score (OpenVINO's default score threshold 0 would drop scores <= 0)
    lowest = ops.constant(np.float32(np.finfo(np.float32).min))
    selected = ops.non_max_suppression(boxes, scores, np.int64(_ALL_BOXES), threshold, lowest,
                                       np.float32(0), "corner", True, "i64")
    return out(ops.squeeze(ops.gather(selected.output(0), i64([2]), i64(1)), i64([1])))


@translator("torchvision.roi_align.default", "torchvision::roi_align")
def roi_align(ctx):
    # torchvision::roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height,
    #   SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor
    data, rois = ctx.input(0, "input"), ctx.input(1, "rois")
    rois = to_type(rois, data.get_element_type())
    boxes = ops.gather(rois, i64([1, 2, 3, 4]), i64(1))
    images = to_type(ops.gather(rois, i64(0), i64(1)), Type.i32)  # column 0: the image index
    ratio = ctx.arg(5, "sampling_ratio")
    aligned = "half_pixel_for_nn" if ctx.arg(6, "aligned") else "asymmetric"
    return out(ops.roi_align(data, boxes, images, ctx.arg(3, "pooled_height"),
                             ctx.arg(4, "pooled_width"), max(ratio, 0),
                             ctx.arg(2, "spatial_scale"), "avg", aligned))


@translator("torchvision.deform_conv2d.default", "torchvision::deform_conv2d")
def deform_conv2d(ctx):
    # torchvision::deform_conv2d(Tensor input, Tensor weight, Tensor offset, Tensor mask,
    #   Tensor bias, SymInt stride_h, SymInt stride_w, SymInt pad_h, SymInt pad_w,
    #   SymInt dilation_h, SymInt dilation_w, SymInt groups, SymInt offset_groups, bool use_mask)
    data, weight = ctx.input(0, "input"), ctx.input(1, "weight")
    offset = ctx.input(2, "offset")
    mask = ctx.input(3, "mask") if ctx.arg(13, "use_mask") else None
    pads = [ctx.arg(7, "pad_h"), ctx.arg(8, "pad_w")]
    # torchvision samples taps up to one pixel outside the input, blending with zeros
    result = ops.deformable_convolution(
        data, offset, weight, [ctx.arg(5, "stride_h"), ctx.arg(6, "stride_w")], pads, pads,
        [ctx.arg(9, "dilation_h"), ctx.arg(10, "dilation_w")], mask, "explicit",
        ctx.arg(11, "groups"), ctx.arg(12, "offset_groups"), True)
    bias = ctx.input(4, "bias")
    bias = ops.reshape(bias, i64([1, -1, 1, 1]), False)
    return out(ops.add(result, bias))


@translator("aten._shape_as_tensor", "aten::_shape_as_tensor")
def shape_as_tensor(ctx):  # aten::_shape_as_tensor(Tensor self) -> Tensor (int64)
    return shape_of(ctx.input(0, "self"))
