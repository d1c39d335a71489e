"""Builders for Select, NonZero, Bucketize, OneHot (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import selection as spec
from ._base import as_node, as_operands, builder, element_type


@builder
def select(cond, then_node, else_node, auto_broadcast="numpy", name=None) -> spec.Select:
    """Select-1: ``then_node`` where ``cond`` is true, else ``else_node``."""
    cond = as_node(cond, "cond")
    then_value, else_value = as_operands(then_node=then_node, else_node=else_node)
    return spec.Select(cond, then_value, else_value, auto_broadcast=auto_broadcast, name=name)


@builder
def non_zero(data, output_type="i64", name=None) -> spec.NonZero:
    """NonZero-3: ``[rank, count]`` indices of the non-zero elements."""
    return spec.NonZero(as_node(data, "data"), output_type=element_type(output_type, "output_type"),
                        name=name)


@builder
def bucketize(data, buckets, output_type="i64", with_right_bound=True, name=None) -> spec.Bucketize:
    """Bucketize-3: bucket indices of ``data`` for the sorted boundaries ``buckets``."""
    return spec.Bucketize(as_node(data, "data"), as_node(buckets, "buckets"),
                          output_type=element_type(output_type, "output_type"),
                          with_right_bound=with_right_bound, name=name)


@builder
def one_hot(indices, depth, on_value, off_value, axis, negative_indices_mode=None,
            name=None) -> spec.OneHot:
    """OneHot-16: ``negative_indices_mode`` ignore_negative (default) or normalize."""
    indices, depth = as_node(indices, "indices"), as_node(depth, "depth")
    on, off = as_operands(on_value=on_value, off_value=off_value)
    return spec.OneHot(indices, depth, on, off, axis=axis,
                       negative_indices_mode=negative_indices_mode or "ignore_negative", name=name)


@builder(older_version_of="one_hot")
def _one_hot_1(indices, depth, on_value, off_value, axis, name=None) -> spec.OneHot1:
    """OneHot-1 (``openvino.opset1.one_hot``)."""
    indices, depth = as_node(indices, "indices"), as_node(depth, "depth")
    on, off = as_operands(on_value=on_value, off_value=off_value)
    return spec.OneHot1(indices, depth, on, off, axis=axis, name=name)
