"""Reductions over the axes given by a second input: ReduceSum/Mean/Max/Min/Prod (opset1),
ReduceL1/L2 (opset4), ReduceLogicalAnd/Or (opset1).

Also the axes helpers shared by the ops that take an ``axes`` input (MVN, NormalizeL2, LRN).
"""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import PartialShape
from ..types import Type
from ._util import normalize_axis, require_rank, value_of

# ----------------------------------------------------------------------------------------------
# helpers for ops with an axes input
# ----------------------------------------------------------------------------------------------


def check_integer_input(node, index, what):
    """Fail unless input ``index`` has an integer (or not yet known) element type."""
    element_type = node.get_input_element_type(index)
    if not element_type.is_dynamic() and not element_type.is_integral_number():
        node.fail(f"{what} (input {index}) must be an integer tensor, got {element_type}")


def known_axes(node, index, rank, what="axes"):
    """The axes of input ``index`` normalized to ``[0, rank)``, or None while the values or the
    rank are unknown. Duplicates are kept: every op here treats them as one axis."""
    value = value_of(node, index)
    if value is None or rank is None:
        return None
    return [normalize_axis(node, int(axis), rank, what) for axis in value.reshape(-1)]


def static_rank(shape: PartialShape):
    return len(shape) if shape.rank_is_static else None


def reduced_shape(node, data_shape: PartialShape, axes_index: int, keep_dims: bool) -> PartialShape:
    """Shape of a reduction; unknown axes still give the rank when it can be known (OpenVINO's
    rule: kept dims keep the rank, a single unknown axis removes exactly one)."""
    rank = static_rank(data_shape)
    axes = known_axes(node, axes_index, rank)
    if axes is not None:
        reduced = set(axes)
        if keep_dims:
            return PartialShape([1 if i in reduced else d for i, d in enumerate(data_shape)])
        return PartialShape([d for i, d in enumerate(data_shape) if i not in reduced])
    if keep_dims:
        return PartialShape.dynamic(rank)
    axes_shape = node.get_input_partial_shape(axes_index)
    if rank is not None and axes_shape.is_static and int(np.prod(axes_shape.to_shape())) == 1:
        return PartialShape.dynamic(rank - 1)
    return PartialShape.dynamic()


def unique_axes(axes, rank) -> tuple:
    """Axes as a sorted tuple of non-negative ints for numpy (duplicates dropped)."""
    return tuple(sorted({int(a) + rank if int(a) < 0 else int(a) for a in np.ravel(axes)}))


# ----------------------------------------------------------------------------------------------
# the reduction ops
# ----------------------------------------------------------------------------------------------


class ReductionOp(Op):
    """y = reduce(x, axes); ``logical`` ops take and give booleans, the others any number type.
    ``function`` is the numpy reduction ``f(data, axis=, keepdims=)`` that ``evaluate`` uses."""

    inputs_spec = ("data", "axes")
    attrs = (Attr("keep_dims", "bool", False),)
    logical = False
    function = None

    def infer(self):
        data_type = self.get_input_element_type(0)
        if self.logical and not data_type.is_dynamic() and data_type is not Type.boolean:
            self.fail(f"data (input 0) must be boolean, got {data_type}")
        if not self.logical and data_type is Type.boolean:
            self.fail("data (input 0) must be numeric, got boolean")
        check_integer_input(self, 1, "axes")
        require_rank(self, 1, (0, 1), "axes")
        shape = reduced_shape(self, self.get_input_partial_shape(0), 1, self._attrs["keep_dims"])
        self.set_output_type(0, data_type, shape)

    def evaluate(self, values):
        data, axes = values
        function = type(self).function
        if function is None:
            return None
        axes = unique_axes(axes, data.ndim)
        return [np.asarray(function(data, axis=axes, keepdims=self._attrs["keep_dims"]))
                .astype(data.dtype)]


def _l1(data, axis, keepdims):
    return np.sum(np.abs(data), axis=axis, keepdims=keepdims)


def _l2(data, axis, keepdims):
    return np.sqrt(np.sum(np.square(data.astype(np.float64)), axis=axis, keepdims=keepdims))


@register_op
class ReduceSum(ReductionOp):
    """ReduceSum-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceSum"
    function = staticmethod(np.sum)


@register_op
class ReduceMean(ReductionOp):
    """ReduceMean-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceMean"
    function = staticmethod(np.mean)


@register_op
class ReduceMax(ReductionOp):
    """ReduceMax-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceMax"
    function = staticmethod(np.max)


@register_op
class ReduceMin(ReductionOp):
    """ReduceMin-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceMin"
    function = staticmethod(np.min)


@register_op
class ReduceProd(ReductionOp):
    """ReduceProd-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceProd"
    function = staticmethod(np.prod)


@register_op
class ReduceL1(ReductionOp):
    """ReduceL1-4: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceL1"
    version = "opset4"
    function = staticmethod(_l1)


@register_op
class ReduceL2(ReductionOp):
    """ReduceL2-4: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceL2"
    version = "opset4"
    function = staticmethod(_l2)


@register_op
class ReduceLogicalAnd(ReductionOp):
    """ReduceLogicalAnd-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceLogicalAnd"
    logical = True
    function = staticmethod(np.all)


@register_op
class ReduceLogicalOr(ReductionOp):
    """ReduceLogicalOr-1: reduces data over the axes input (keep_dims keeps them as 1)."""

    type_name = "ReduceLogicalOr"
    logical = True
    function = staticmethod(np.any)
