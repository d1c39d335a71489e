"""TopK-11 (TopK-1 and TopK-3 read from older IR) and CumSum-3."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension
from ..types import Type
from ._util import dims_of, normalize_axis, scalar_value, value_of
from .reduction import check_integer_input

_TOPK_ATTRS = (
    Attr("axis", "int"),
    Attr("mode", "str", choices=("max", "min")),
    Attr("sort", "str", choices=("value", "index", "none")),
    Attr("index_element_type", "type", Type.i32),
)


@register_op
class TopK(Op):
    """TopK-11: the k largest (mode max) or smallest (mode min) elements along ``axis`` and their
    indices, ordered by value, by index or not at all; ``stable`` keeps equal values in index
    order."""

    type_name = "TopK"
    version = "opset11"
    inputs_spec = ("data", "k")
    attrs = _TOPK_ATTRS + (Attr("stable", "bool", False),)
    num_outputs = 2

    def infer(self):
        index_type = self._attrs["index_element_type"]
        if index_type not in (Type.i32, Type.i64):
            self.fail(f"index_element_type must be i32 or i64, got {index_type}")
        if self._attrs.get("stable") and self._attrs["sort"] == "none":
            self.fail("stable=True needs sort 'value' or 'index', got sort 'none'")
        shape = self.get_input_partial_shape(0)
        if shape.rank_is_static and len(shape) == 0:
            self.fail("data (input 0) must have rank 1 or more, got a scalar")
        k_shape = self.get_input_partial_shape(1)
        if k_shape.rank_is_static and len(k_shape) != 0:
            self.fail(f"k (input 1) must be a scalar, got shape {k_shape}")
        check_integer_input(self, 1, "k")
        k = scalar_value(self, 1, "k")
        if k is not None and k < 0:
            self.fail(f"k must be non-negative, got {k}")
        if shape.rank_is_static:
            axis = normalize_axis(self, self._attrs["axis"], len(shape))
            bounded = _bounded_k_dim(shape[axis], self._k_bounds())
            shape[axis] = Dimension(k) if k is not None else bounded
        self._set_output_count(2)
        self.set_output_type(0, self.get_input_element_type(0), shape)
        self.set_output_type(1, index_type, shape)

    def _k_bounds(self) -> Dimension:
        """What is known of k when its value is not: an interval from a shape subgraph, or any."""
        dims = dims_of(self, 1)
        if dims is not None and len(dims) == 1 and isinstance(dims[0], Dimension):
            return dims[0]
        return Dimension()


def _bounded_k_dim(dim: Dimension, k: Dimension) -> Dimension:
    # OpenVINO's rule: [min(k, axis) lower bounds, min of upper bounds], unbounded with the axis
    low = min(k.get_min_length(), dim.get_min_length())
    high = dim.get_max_length()
    if high == -1:
        return Dimension(low, -1)
    k_high = k.get_max_length()
    return Dimension(low, high if k_high == -1 else min(k_high, high))


@register_op
class TopK3(TopK):
    """TopK-3: TopK-11 without ``stable`` (kept to read older IR)."""

    version = "opset3"
    attrs = _TOPK_ATTRS


@register_op
class TopK1(TopK):
    """TopK-1: TopK-11 without ``stable`` (kept to read older IR)."""

    version = "opset1"
    attrs = _TOPK_ATTRS


@register_op
class CumSum(Op):
    """CumSum-3: cumulative sum along the scalar ``axis`` input (0 when absent); ``exclusive``
    leaves out the element itself, ``reverse`` sums from the end."""

    type_name = "CumSum"
    version = "opset3"
    inputs_spec = ("arg", "axis?")
    attrs = (Attr("exclusive", "bool", False), Attr("reverse", "bool", False))

    def infer(self):
        shape = self.get_input_partial_shape(0)
        if len(self._inputs) == 2:
            axis_type = self.get_input_element_type(1)
            if not axis_type.is_dynamic() and axis_type not in (Type.i32, Type.i64):
                self.fail(f"axis (input 1) must be i32 or i64, got {axis_type}")
            axis_shape = self.get_input_partial_shape(1)
            if axis_shape.rank_is_static and (len(axis_shape) > 1 or (
                    len(axis_shape) == 1 and not axis_shape[0].compatible(1))):
                self.fail(f"axis (input 1) must be a scalar, got shape {axis_shape}")
            axis = value_of(self, 1)
            if axis is not None and shape.rank_is_static:
                normalize_axis(self, int(axis.reshape(-1)[0]), len(shape))
        self.set_output_type(0, self.get_input_element_type(0), shape)
