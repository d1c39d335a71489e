"""Builders for Slice and StridedSlice (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import slicing as spec
from ._base import as_node, builder


@builder
def strided_slice(data, begin, end, strides, begin_mask, end_mask, new_axis_mask=None,
                  shrink_axis_mask=None, ellipsis_mask=None, name=None) -> spec.StridedSlice:
    """StridedSlice-1: ``x[1:, ::2]`` is
    ``strided_slice(x, [1, 0], [0, 0], [1, 2], [0, 1], [1, 1])`` (a mask bit 1 ignores that
    begin/end value)."""
    return spec.StridedSlice(as_node(data, "data"), as_node(begin, "begin"), as_node(end, "end"),
                             as_node(strides, "strides"), begin_mask=begin_mask,
                             end_mask=end_mask, new_axis_mask=new_axis_mask or [],
                             shrink_axis_mask=shrink_axis_mask or [],
                             ellipsis_mask=ellipsis_mask or [], name=name)


@builder
def slice(data, start, stop, step, axes=None, name=None) -> spec.Slice:  # noqa: A001 (OpenVINO's)
    """Slice-8: ``x[start:stop:step]`` on ``axes`` (default 0, 1, ...)."""
    inputs = [as_node(data, "data"), as_node(start, "start"), as_node(stop, "stop"),
              as_node(step, "step")]
    if axes is not None:
        inputs.append(as_node(axes, "axes"))
    return spec.Slice(*inputs, name=name)
