"""Gather of one constant index becomes a StridedSlice: a view of its input instead of a copy.

    gather(x, i, axis) -> x[:, ..., i]        # scalar i, batch_dims 0, static size on axis

torchvision's MultiheadAttention picks q, k and v out of the packed in-projection with
``select(0, i)`` on a transposed view (Gather in the IR); ``np.take`` copied each of them (three
[197, 768] strided copies per ViT-B layer, 0.7 ms). The slice is a view, which the Reshape and
Transpose after it keep as views and the attention's BLAS products read as they are.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import replace_output
from ...ir.ops.core import Constant
from ...opset import constant, strided_slice


def _constant(output):
    node = output.get_node()
    return np.asarray(node.get_value()) if isinstance(node, Constant) else None


def _picked_index(node):
    """(axis, index in range) when ``node`` gathers one constant index on a static axis."""
    data, indices, axis = (_constant(node.input_value(i)) for i in range(3))
    shape = node.get_input_partial_shape(0)
    if indices is None or indices.ndim != 0 or axis is None or axis.size != 1 or \
            node.get_attributes().get("batch_dims", 0) != 0 or not shape.rank_is_static:
        return None
    axis = int(axis.reshape(-1)[0]) % len(shape)
    if not shape[axis].is_static:
        return None
    size, index = shape[axis].get_length(), int(indices)
    return (axis, index % size) if -size <= index < size else None  # else: Gather's zeros


def slice_gathers(model) -> bool:
    """Replace every single-index Gather of ``model`` by a view; whether any was."""
    changed = False
    for node in model.get_ordered_ops():
        picked = node.get_type_name() == "Gather" and _picked_index(node)
        if not picked:
            continue
        axis, index = picked
        ones = [1] * axis + [0]
        begin, end = [0] * axis + [index], [0] * axis + [index + 1]
        view = strided_slice(node.input_value(0), constant(np.array(begin, np.int64)),
                             constant(np.array(end, np.int64)),
                             constant(np.ones(axis + 1, np.int64)), ones, ones,
                             shrink_axis_mask=[0] * axis + [1], name=node.get_friendly_name())
        view.rt_info.update(node.rt_info)
        replace_output(node.output(0), view.output(0))
        changed = True
    return changed
