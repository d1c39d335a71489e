"""ONNX reductions, ArgMax/ArgMin, TopK, CumSum and Resize/Upsample."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ..registry import onnx_op


def _i64(values):
    return ops.constant(np.asarray(values, dtype=np.int64))


def _all_axes(x):
    shape = x.get_partial_shape()
    if shape.rank_is_static:
        return _i64(list(range(len(shape))))
    rank = ops.shape_of(ops.shape_of(x))
    return ops.range(_i64(0), ops.squeeze(rank, [0]), _i64(1), "i64").output(0)


def _reduction_axes(ctx, x, attribute_until):
    """The axes to reduce, or None for "no reduction" (noop_with_empty_axes)."""
    if ctx.opset < attribute_until:
        axes = ctx.attr("axes", None)
        return _all_axes(x) if axes is None else _i64(list(axes))
    if not ctx.has_input(1):
        return None if ctx.attr("noop_with_empty_axes", 0) else _all_axes(x)
    value = ctx.value(1)
    if value is not None and value.size == 0:
        return None if ctx.attr("noop_with_empty_axes", 0) else _all_axes(x)
    return ctx.input(1)


def _reduce(op_type, attribute_until=18):
    @onnx_op(op_type)
    def translate(ctx):
        x = ctx.input(0)
        axes = _reduction_axes(ctx, x, attribute_until)
        if axes is None:
            return x
        keep = bool(ctx.attr("keepdims", 1))
        if op_type in _SIMPLE:
            return getattr(ops, _SIMPLE[op_type])(x, axes, keep).output(0)
        if op_type == "ReduceSumSquare":
            return ops.reduce_sum(ops.multiply(x, x), axes, keep).output(0)
        if op_type == "ReduceLogSum":
            return ops.log(ops.reduce_sum(x, axes, keep)).output(0)
        # ReduceLogSumExp: max + log(sum(exp(x - max))) for stability
        peak = ops.reduce_max(x, axes, True)
        summed = ops.reduce_sum(ops.exp(ops.subtract(x, peak)), axes, keep)
        peak = peak if keep else ops.squeeze(peak, axes)
        return ops.add(ops.log(summed), peak).output(0)

    translate.__name__ = f"translate_{op_type.lower()}"
    return translate


_SIMPLE = {"ReduceMean": "reduce_mean", "ReduceSum": "reduce_sum", "ReduceMax": "reduce_max",
           "ReduceMin": "reduce_min", "ReduceProd": "reduce_prod", "ReduceL1": "reduce_l1",
           "ReduceL2": "reduce_l2"}
for _op in ["ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
            "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"]:
    _reduce(_op)
_reduce("ReduceSum", attribute_until=13)


def _arg(op_type, mode):
    @onnx_op(op_type)
    def translate(ctx):
        if ctx.attr("select_last_index", 0):
            ctx.fail("select_last_index=1 is not supported")
        axis = ctx.attr("axis", 0)
        top = ops.topk(ctx.input(0), _i64(1), axis, mode, "none", "i64")
        indices = top.output(1)
        return indices if ctx.attr("keepdims", 1) else ops.squeeze(indices, [axis]).output(0)

    translate.__name__ = f"translate_{op_type.lower()}"
    return translate


_arg("ArgMax", "max")
_arg("ArgMin", "min")


@onnx_op("TopK")
def topk_attribute(ctx):  # TopK-1: k attribute
    node = ops.topk(ctx.input(0), _i64(ctx.attr("k")), ctx.attr("axis", -1), "max", "value", "i64")
    return [node.output(0), node.output(1)]


@onnx_op("TopK", since=10)
def topk(ctx):
    k = ops.reshape(ctx.input(1), _i64([]), False)
    mode = "max" if ctx.attr("largest", 1) else "min"
    sort = "value" if ctx.attr("sorted", 1) else "none"
    node = ops.topk(ctx.input(0), k, ctx.attr("axis", -1), mode, sort, "i64", True)
    return [node.output(0), node.output(1)]


@onnx_op("CumSum")
def cumsum(ctx):
    return ops.cumsum(ctx.input(0), ctx.input(1), bool(ctx.attr("exclusive", 0)),
                      bool(ctx.attr("reverse", 0))).output(0)


_RESIZE_MODES = {"nearest": "nearest", "linear": "linear_onnx", "cubic": "cubic",
                 "bilinear": "linear_onnx", "trilinear": "linear_onnx"}


def _interpolate(ctx, x, scales, sizes, transform, nearest_mode):
    mode = _RESIZE_MODES.get(ctx.attr("mode", "nearest"))
    if mode is None:
        ctx.fail(f"Resize mode {ctx.attr('mode')!r} is not supported")
    if ctx.attr("exclude_outside", 0) and mode == "cubic":
        ctx.fail("exclude_outside=1 is not supported")
    axes = ctx.attr("axes", None)
    if axes is None:
        rank = len(x.get_partial_shape())
        axes = list(range(rank))
    target = sizes if sizes is not None else scales
    calculation = "sizes" if sizes is not None else "scales"
    return ops.interpolate(x, target, mode, calculation, None, None, transform, nearest_mode,
                           bool(ctx.attr("antialias", 0)), ctx.attr("cubic_coeff_a", -0.75),
                           _i64(axes)).output(0)


@onnx_op("Resize", since=10)
def resize_10(ctx):  # Resize-10: X, scales; asymmetric coordinates, floor for nearest
    return _interpolate(ctx, ctx.input(0), ctx.input(1), None, "asymmetric", "floor")


@onnx_op("Resize", since=11)
def resize(ctx):  # X, roi, scales, sizes
    if ctx.attr("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize":
        ctx.fail("coordinate_transformation_mode tf_crop_and_resize is not supported")
    sizes = ctx.input(3) if ctx.has_input(3) else None
    scales = None
    if sizes is None:
        scales = ctx.input(2)
    return _interpolate(ctx, ctx.input(0), scales, sizes,
                        ctx.attr("coordinate_transformation_mode", "half_pixel"),
                        ctx.attr("nearest_mode", "round_prefer_floor"))


@onnx_op("Upsample", since=7)
def upsample_attribute(ctx):  # Upsample-7: scales attribute
    scales = ops.constant(np.asarray(ctx.attr("scales"), dtype=np.float32))
    return _interpolate(ctx, ctx.input(0), scales, None, "asymmetric", "floor")


@onnx_op("Upsample", since=9)
def upsample(ctx):
    return _interpolate(ctx, ctx.input(0), ctx.input(1), None, "asymmetric", "floor")
