"""Builders for Concat, Split, VariadicSplit (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import concat_split as spec
from ._base import as_node, builder, node_list


@builder
def concat(nodes, axis, name=None) -> spec.Concat:
    """Concat-1: joins ``nodes`` along ``axis`` (negative counts from the end)."""
    return spec.Concat(*node_list(nodes, "nodes"), axis=axis, name=name)


@builder
def split(data, axis, num_splits, name=None) -> spec.Split:
    """Split-1: ``num_splits`` equal outputs along ``axis``."""
    return spec.Split(as_node(data, "data"), as_node(axis, "axis"), num_splits=num_splits,
                      name=name)


@builder
def variadic_split(data, axis, split_lengths, name=None) -> spec.VariadicSplit:
    """VariadicSplit-1: outputs of ``split_lengths`` along ``axis`` (one length may be -1)."""
    return spec.VariadicSplit(as_node(data, "data"), as_node(axis, "axis"),
                              as_node(split_lengths, "split_lengths"), name=name)
