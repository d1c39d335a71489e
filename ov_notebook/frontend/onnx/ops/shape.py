"""ONNX shape, data-movement and indexing ops (and the constants that feed shape subgraphs)."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..loader import ONNX_TYPES
from ..registry import onnx_op

_INT64_MAX = np.iinfo(np.int64).max


def _i64(values):
    return ops.constant(np.asarray(values, dtype=np.int64))


@onnx_op("Constant")
def constant(ctx):
    from onnx import numpy_helper

    if ctx.has_attr("value"):
        array = numpy_helper.to_array(ctx.attr("value"))
        return ops.constant(array.view(np.uint16) if array.dtype.name == "bfloat16" else array,
                            Type("bf16") if array.dtype.name == "bfloat16" else None).output(0)
    for name, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                        ("value_int", np.int64), ("value_ints", np.int64)):
        if ctx.has_attr(name):
            return ops.constant(np.asarray(ctx.attr(name), dtype=dtype)).output(0)
    ctx.fail("only tensor, float(s) and int(s) Constant values are supported")


@onnx_op("ConstantOfShape")
def constant_of_shape(ctx):
    from onnx import numpy_helper

    value = np.zeros(1, np.float32)
    if ctx.has_attr("value"):
        value = numpy_helper.to_array(ctx.attr("value")).reshape(-1)
    return ops.broadcast(ops.constant(value.reshape(())), ctx.input(0)).output(0)


@onnx_op("Shape")
def shape(ctx):  # opset 15 adds start/end
    result = ops.shape_of(ctx.input(0), "i64")
    start, end = ctx.attr("start", 0), ctx.attr("end", None)
    if start == 0 and end is None:
        return result.output(0)
    return ops.slice(result, [start], [_INT64_MAX if end is None else end], [1]).output(0)


@onnx_op("Size")
def size(ctx):
    return ops.reduce_prod(ops.shape_of(ctx.input(0), "i64"), [0], False).output(0)


@onnx_op("Reshape", since=5)
def reshape(ctx):  # allowzero=0: a 0 copies the input dimension (special_zero)
    return ops.reshape(ctx.input(0), ctx.input(1), not ctx.attr("allowzero", 0)).output(0)


def _axes(ctx, attribute_until, index):
    if ctx.opset < attribute_until:
        return ctx.attr("axes", None)
    value = ctx.value(index)
    if value is not None:
        return [int(v) for v in np.asarray(value).reshape(-1)]
    return ctx.input(index) if ctx.has_input(index) else None


@onnx_op("Squeeze")
def squeeze(ctx):
    axes = _axes(ctx, 13, 1)
    x = ctx.input(0)
    return (ops.squeeze(x) if axes is None else ops.squeeze(x, axes)).output(0)


@onnx_op("Unsqueeze")
def unsqueeze(ctx):
    return ops.unsqueeze(ctx.input(0), _axes(ctx, 13, 1)).output(0)


@onnx_op("Concat")
def concat(ctx):
    return ops.concat([v for v in ctx.inputs() if v is not None], ctx.attr("axis")).output(0)


@onnx_op("Split")
def split(ctx):
    x = ctx.input(0)
    axis = ctx.attr("axis", 0)
    count = len(ctx.node.output)
    lengths = ctx.attr("split", None) if ctx.opset < 13 else (
        ctx.value(1) if ctx.has_input(1) else None)
    if lengths is None and ctx.has_input(1) and ctx.opset >= 13:
        node = ops.variadic_split(x, axis, ctx.input(1))
        return [node.output(i) for i in range(count)]
    if lengths is not None:
        node = ops.variadic_split(x, axis, _i64(np.asarray(lengths).reshape(-1)))
        return [node.output(i) for i in range(count)]
    dim = x.get_partial_shape()[axis] if x.get_partial_shape().rank_is_static else None
    if ctx.has_attr("num_outputs") and dim is not None and dim.is_static and \
            dim.get_length() % count:  # opset 18: the last chunk may be smaller
        step = -(-dim.get_length() // count)
        sizes = [step] * (count - 1) + [dim.get_length() - step * (count - 1)]
        node = ops.variadic_split(x, axis, _i64(sizes))
    else:
        node = ops.split(x, axis, count)
    return [node.output(i) for i in range(count)]


@onnx_op("Slice")
def slice_attributes(ctx):  # Slice-1: starts/ends/axes attributes
    starts, ends = ctx.attr("starts"), ctx.attr("ends")
    axes = ctx.attr("axes", list(range(len(starts))))
    return ops.slice(ctx.input(0), _i64(starts), _i64(ends), _i64([1] * len(starts)),
                     _i64(axes)).output(0)


@onnx_op("Slice", since=10)
def slice_(ctx):
    x, starts, ends = ctx.input(0), ctx.input(1), ctx.input(2)
    if ctx.has_input(4):
        steps = ctx.input(4)
    else:
        steps = ops.broadcast(ops.constant(np.array(1, np.int64)), ops.shape_of(starts)).output(0)
    axes = ctx.input(3) if ctx.has_input(3) else None
    return (ops.slice(x, starts, ends, steps, axes) if axes is not None else
            ops.slice(x, starts, ends, steps)).output(0)


@onnx_op("Transpose")
def transpose(ctx):
    x = ctx.input(0)
    perm = ctx.attr("perm", None)
    if perm is None:
        return ops.transpose(x, _i64([])).output(0)
    return ops.transpose(x, _i64(perm)).output(0)


@onnx_op("Expand")
def expand(ctx):  # bidirectional broadcast
    return ops.broadcast(ctx.input(0), ctx.input(1), broadcast_spec="BIDIRECTIONAL").output(0)


@onnx_op("Tile")
def tile(ctx):
    return ops.tile(ctx.input(0), ctx.input(1)).output(0)


@onnx_op("Gather")
def gather(ctx):
    return ops.gather(ctx.input(0), ctx.input(1), _i64(ctx.attr("axis", 0))).output(0)


@onnx_op("GatherElements")
def gather_elements(ctx):
    return ops.gather_elements(ctx.input(0), ctx.input(1), ctx.attr("axis", 0)).output(0)


@onnx_op("GatherND")
def gather_nd(ctx):
    return ops.gather_nd(ctx.input(0), ctx.input(1), ctx.attr("batch_dims", 0)).output(0)


@onnx_op("ScatterElements")
def scatter_elements(ctx):
    reduction = ctx.attr("reduction", "none")
    return ops.scatter_elements_update(ctx.input(0), ctx.input(1), ctx.input(2),
                                       _i64(ctx.attr("axis", 0)), reduction).output(0)


@onnx_op("ScatterND")
def scatter_nd(ctx):
    reduction = ctx.attr("reduction", "none")
    if reduction == "none":
        return ops.scatter_nd_update(ctx.input(0), ctx.input(1), ctx.input(2)).output(0)
    return ops.scatter_nd_update(ctx.input(0), ctx.input(1), ctx.input(2), reduction).output(0)


@onnx_op("Range")
def range_(ctx):
    start = ctx.input(0)
    element_type = start.get_element_type()
    return ops.range(start, ctx.input(1), ctx.input(2), element_type.get_type_name()).output(0)


@onnx_op("Pad")
def pad_attributes(ctx):  # Pad-2: pads and value attributes
    pads = list(ctx.attr("pads"))
    half = len(pads) // 2
    x = ctx.input(0)
    return ops.pad(x, _i64(pads[:half]), _i64(pads[half:]), ctx.attr("mode", "constant"),
                   ctx.const_like(ctx.attr("value", 0.0), x)).output(0)


@onnx_op("Pad", since=11)
def pad(ctx):  # pads = [begins..., ends...]; opset 18 adds axes
    x = ctx.input(0)
    pads = ctx.required_value(1, "pads").reshape(-1).astype(np.int64)
    half = len(pads) // 2
    begin, end = pads[:half], pads[half:]
    if ctx.has_input(3):
        rank = len(x.get_partial_shape())
        axes = [int(a) + rank if a < 0 else int(a) for a in ctx.required_value(3, "axes").reshape(-1)]
        full_begin, full_end = np.zeros(rank, np.int64), np.zeros(rank, np.int64)
        full_begin[axes], full_end[axes] = begin, end
        begin, end = full_begin, full_end
    mode = ctx.attr("mode", "constant")
    if mode == "wrap":
        ctx.fail("Pad mode 'wrap' is not supported")
    value = ctx.input(2) if ctx.has_input(2) else ctx.const_like(0, x)
    return ops.pad(x, _i64(begin), _i64(end), mode, value if mode == "constant" else None).output(0)


@onnx_op("Trilu")
def trilu(ctx):  # keep elements with col - row >= k (upper) or <= k (lower)
    x = ctx.input(0)
    k = ctx.input(1) if ctx.has_input(1) else _i64(0)
    shape = ops.shape_of(x)
    rows = ops.range(_i64(0), ops.gather(shape, _i64(-2), _i64(0)), _i64(1), "i64")
    cols = ops.range(_i64(0), ops.gather(shape, _i64(-1), _i64(0)), _i64(1), "i64")
    offset = ops.subtract(ops.unsqueeze(cols, [0]), ops.unsqueeze(rows, [1]))
    keep = ops.greater_equal(offset, k) if ctx.attr("upper", 1) else ops.less_equal(offset, k)
    return ops.select(keep, x, ctx.const_like(0, x)).output(0)


@onnx_op("NonZero")
def non_zero(ctx):
    return ops.non_zero(ctx.input(0), "i64").output(0)


@onnx_op("OneHot")
def one_hot(ctx):
    indices, values = ctx.input(0), ctx.input(2)
    depth = ops.convert(ctx.input(1), "i64")
    depth = ops.reshape(depth, _i64([]), False)
    off = ops.gather(values, _i64(0), _i64(0))
    on = ops.gather(values, _i64(1), _i64(0))
    # negative indices count from the end of the depth
    indices = ops.convert(indices, "i64")
    indices = ops.select(ops.less(indices, _i64(0)), ops.add(indices, depth), indices)
    return ops.one_hot(indices, depth, on, off, ctx.attr("axis", -1)).output(0)


@onnx_op("DepthToSpace")
def depth_to_space(ctx):
    mode = "blocks_first" if ctx.attr("mode", "DCR") == "DCR" else "depth_first"
    return ops.depth_to_space(ctx.input(0), mode, ctx.attr("blocksize")).output(0)


@onnx_op("SpaceToDepth")
def space_to_depth(ctx):
    return ops.space_to_depth(ctx.input(0), "blocks_first", ctx.attr("blocksize")).output(0)


@onnx_op("EyeLike")
def eye_like(ctx):
    x = ctx.input(0)
    target = ONNX_TYPES.get(ctx.attr("dtype", None), x.get_element_type().get_type_name())
    shape = ops.shape_of(x)
    rows = ops.gather(shape, _i64(0), _i64(0))
    cols = ops.gather(shape, _i64(1), _i64(0))
    return ops.eye(rows, cols, _i64(ctx.attr("k", 0)), target).output(0)
