"""Builders for TopK-11 and CumSum-3."""
from __future__ import annotations

from ..ir.ops import sorting as spec
from ._base import as_node, builder, element_type


@builder
def topk(data, k, axis, mode, sort, index_element_type="i32", stable=False, name=None) -> spec.TopK:
    """TopK-11: two outputs, values and indices (``index_element_type`` i32 or i64)."""
    return spec.TopK(as_node(data, "data"), as_node(k, "k"), axis=axis, mode=mode, sort=sort,
                     index_element_type=element_type(index_element_type, "index_element_type"),
                     stable=stable, name=name)


@builder
def cumsum(arg, axis, exclusive=False, reverse=False, name=None) -> spec.CumSum:
    """CumSum-3 along the scalar ``axis``."""
    return spec.CumSum(as_node(arg, "arg"), as_node(axis, "axis"), exclusive=exclusive,
                       reverse=reverse, name=name)


@builder
def cum_sum(arg, axis, exclusive=False, reverse=False, name=None) -> spec.CumSum:
    """CumSum-3: ``openvino.opset*``'s other spelling of :func:`cumsum` (errors name this one)."""
    return spec.CumSum(as_node(arg, "arg"), as_node(axis, "axis"), exclusive=exclusive,
                       reverse=reverse, name=name)


# --- older versions, for ov_notebook.opset1 ... opset10 (see opset/_versions.py) ----------------
@builder(older_version_of="topk")
def _topk_1(data, k, axis, mode, sort, name=None) -> spec.TopK1:
    """TopK-1 (``openvino.opset1.topk``): indices are i32."""
    return spec.TopK1(as_node(data, "data"), as_node(k, "k"), axis=axis, mode=mode, sort=sort,
                      name=name)


@builder(older_version_of="topk")
def _topk_3(data, k, axis, mode, sort, index_element_type="i32", name=None) -> spec.TopK3:
    """TopK-3 (``openvino.opset3.topk``)."""
    return spec.TopK3(as_node(data, "data"), as_node(k, "k"), axis=axis, mode=mode, sort=sort,
                      index_element_type=element_type(index_element_type, "index_element_type"),
                      name=name)
