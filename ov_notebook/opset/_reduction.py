"""Builders for the reductions (``openvino.opset1``/``opset4`` signatures): ``keep_dims`` keeps the
reduced axes as size 1."""
from __future__ import annotations

from ..ir.ops import reduction as spec
from ._base import as_node, builder


def _reduce(op_class, node, reduction_axes, keep_dims, name):
    return op_class(as_node(node, "node"), as_node(reduction_axes, "reduction_axes"),
                    keep_dims=keep_dims, name=name)


@builder
def reduce_sum(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceSum:
    """ReduceSum-1: the sum over ``reduction_axes``."""
    return _reduce(spec.ReduceSum, node, reduction_axes, keep_dims, name)


@builder
def reduce_mean(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceMean:
    """ReduceMean-1: the mean over ``reduction_axes``."""
    return _reduce(spec.ReduceMean, node, reduction_axes, keep_dims, name)


@builder
def reduce_max(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceMax:
    """ReduceMax-1: the maximum over ``reduction_axes``."""
    return _reduce(spec.ReduceMax, node, reduction_axes, keep_dims, name)


@builder
def reduce_min(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceMin:
    """ReduceMin-1: the minimum over ``reduction_axes``."""
    return _reduce(spec.ReduceMin, node, reduction_axes, keep_dims, name)


@builder
def reduce_prod(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceProd:
    """ReduceProd-1: the product over ``reduction_axes``."""
    return _reduce(spec.ReduceProd, node, reduction_axes, keep_dims, name)


@builder
def reduce_l1(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceL1:
    """ReduceL1-4: the sum of absolute values over ``reduction_axes``."""
    return _reduce(spec.ReduceL1, node, reduction_axes, keep_dims, name)


@builder
def reduce_l2(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceL2:
    """ReduceL2-4: sqrt(sum of squares) over ``reduction_axes``."""
    return _reduce(spec.ReduceL2, node, reduction_axes, keep_dims, name)


@builder
def reduce_logical_and(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceLogicalAnd:
    """ReduceLogicalAnd-1: logical and of booleans over ``reduction_axes``."""
    return _reduce(spec.ReduceLogicalAnd, node, reduction_axes, keep_dims, name)


@builder
def reduce_logical_or(node, reduction_axes, keep_dims=False, name=None) -> spec.ReduceLogicalOr:
    """ReduceLogicalOr-1: logical or of booleans over ``reduction_axes``."""
    return _reduce(spec.ReduceLogicalOr, node, reduction_axes, keep_dims, name)
