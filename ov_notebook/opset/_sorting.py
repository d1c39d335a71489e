"""Builders for TopK-11 and CumSum-3."""
from __future__ import annotations

from ..ir.ops import sorting as spec
from ..ir.types import Type
from ._base import as_node


def topk(data, k, axis, mode, sort, index_element_type="i32", stable=False, name=None) -> spec.TopK:
    """TopK-11: two outputs, values and indices (``index_element_type`` i32 or i64)."""
    return spec.TopK(as_node(data), as_node(k), axis=axis, mode=mode, sort=sort,
                     index_element_type=Type(index_element_type), stable=stable, name=name)


def cumsum(arg, axis, exclusive=False, reverse=False, name=None) -> spec.CumSum:
    """CumSum-3 along the scalar ``axis``."""
    return spec.CumSum(as_node(arg), as_node(axis), exclusive=exclusive, reverse=reverse, name=name)
