"""A Transpose of batch axes before a MatMul moves after it: one GEMM on contiguous rows.

    matmul(transpose(x, p), W) -> transpose(matmul(x, W), p)      # p keeps the last axis last

torchvision's MultiheadAttention (batch_first=False) feeds its in-projection x.transpose(0, 1):
at batch 8 that is a [197, 8, 768] view whose rows are not contiguous, and numpy multiplies it
as 197 separate [8, 768] @ [768, 2304] products (ViT-B/16 b8: ~40% slower than one GEMM). On x
itself the product is one GEMM over all 1576 rows, and its output transposed is a view that the
Reshape after it keeps as a view. Runs on the fused MatMuls (after epilogue fusion and
prepacking): epilogue inputs that vary only along the last axis (biases) stay as they are, others
are transposed back to the untransposed layout.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import replace_output
from ...ir.ops.core import Constant
from ...opset import constant, transpose


def _order(node):
    """The constant permutation of a Transpose ``node`` (rank static), else None."""
    order, shape = node.input_value(1).get_node(), node.get_input_partial_shape(0)
    if not isinstance(order, Constant) or not shape.rank_is_static:
        return None
    rank = len(shape)
    order = [int(a) % rank for a in np.asarray(order.get_value()).reshape(-1)] or \
        list(range(rank))[::-1]
    return order if sorted(order) == list(range(rank)) else None


def _moves_rows(order, shape) -> bool:
    """Whether the permutation changes the memory order of the rows: it keeps the last axis
    last, and reorders axes of more than one element (size-1 axes move for free)."""
    if order[-1] != len(order) - 1:
        return False
    moved = [axis for axis in order if not (shape[axis].is_static and shape[axis].get_length() == 1)]
    return moved != sorted(moved)


def _sinkable(node):
    """(x, order) when the fused MatMul ``node`` multiplies a row-reordering Transpose of x by a
    2-D B, else None."""
    if node.get_type_name() != "FusedMatMul" or node.get_attributes()["transpose_a"]:
        return None
    source = node.input_value(0).get_node()
    weights = node.get_input_partial_shape(1)
    if source.get_type_name() != "Transpose" or not weights.rank_is_static or len(weights) != 2:
        return None
    order = _order(source)
    if order is None or not _moves_rows(order, source.get_input_partial_shape(0)):
        return None
    return source.input_value(0), order


def _untransposed(extra, order, rank):
    """An epilogue input in x's layout: unchanged when it broadcasts along the last axis only."""
    shape = extra.get_partial_shape()
    if not shape.rank_is_static:
        return None
    if all(d.is_static and d.get_length() == 1 for d in shape[:-1]):
        return extra
    if len(shape) != rank:
        return None
    return transpose(extra, constant(np.argsort(order).astype(np.int64))).output(0)


def sink_transposes(model) -> bool:
    """Move every row-reordering Transpose before a fused MatMul after it; whether any moved."""
    changed = False
    for node in model.get_ordered_ops():
        sinkable = _sinkable(node)
        if sinkable is None:
            continue
        x, order = sinkable
        anchor = node.anchor_inputs
        extras = [_untransposed(e, order, len(order)) for e in node.input_values()[anchor:]]
        if any(e is None for e in extras):
            continue
        moved = type(node)(x, *node.input_values()[1:anchor], *extras,
                           name=node.get_friendly_name(), **node.get_attributes())
        moved.rt_info.update(node.rt_info)
        back = transpose(moved, constant(np.array(order, np.int64)))
        replace_output(node.output(0), back.output(0))
        changed = True
    return changed
