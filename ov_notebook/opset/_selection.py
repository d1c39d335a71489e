"""Builders for Select, NonZero, Bucketize, OneHot (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import selection as spec
from ..ir.types import Type
from ._base import as_node, as_nodes


def select(cond, then_node, else_node, auto_broadcast="numpy", name=None) -> spec.Select:
    """Select-1: ``then_node`` where ``cond`` is true, else ``else_node``."""
    then_value, else_value = as_nodes(then_node, else_node)
    return spec.Select(as_node(cond), then_value, else_value, auto_broadcast=auto_broadcast,
                       name=name)


def non_zero(data, output_type="i64", name=None) -> spec.NonZero:
    """NonZero-3: ``[rank, count]`` indices of the non-zero elements."""
    return spec.NonZero(as_node(data), output_type=Type(output_type), name=name)


def bucketize(data, buckets, output_type="i64", with_right_bound=True, name=None) -> spec.Bucketize:
    """Bucketize-3: bucket indices of ``data`` for the sorted boundaries ``buckets``."""
    return spec.Bucketize(as_node(data), as_node(buckets), output_type=Type(output_type),
                          with_right_bound=with_right_bound, name=name)


def one_hot(indices, depth, on_value, off_value, axis, negative_indices_mode=None,
            name=None) -> spec.OneHot:
    """OneHot-16: ``negative_indices_mode`` ignore_negative (default) or normalize."""
    on, off = as_nodes(on_value, off_value)
    return spec.OneHot(as_node(indices), as_node(depth), on, off, axis=axis,
                       negative_indices_mode=negative_indices_mode or "ignore_negative", name=name)
