"""Kernels of Slice and StridedSlice: numpy basic indexing, so read-only views."""
from __future__ import annotations

from ...ir.ops.slicing import slice_index, strided_slice_index
from . import kernel
from .shape_ops import readonly


@kernel("Slice")
def slice_kernel(data, start, stop, step, axes=None):  # Slice-8
    axes = None if axes is None else axes.reshape(-1)
    index = slice_index(data.shape, start.reshape(-1), stop.reshape(-1), step.reshape(-1), axes)
    return readonly(data[index], data)


@kernel("StridedSlice")
def strided_slice(data, begin, end, strides=None, *, begin_mask, end_mask, new_axis_mask=(),
                  shrink_axis_mask=(), ellipsis_mask=()):  # StridedSlice-1
    masks = (begin_mask, end_mask, new_axis_mask, shrink_axis_mask, ellipsis_mask)
    strides = None if strides is None else strides.reshape(-1)
    index = strided_slice_index(None, data.shape, begin.reshape(-1), end.reshape(-1), strides,
                                masks)
    return readonly(data[index], data)
