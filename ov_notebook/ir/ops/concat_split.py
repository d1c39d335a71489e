"""Joining and splitting along an axis: Concat-1, Split-1, VariadicSplit-1."""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ._movement import INT64_MAX as _MAX, as_dimension, fail, interval
from ._util import dims_of, merge_types, normalize_axis, require_integral, value_of


@register_op
class Concat(Op):
    """Concat-1: the inputs joined along ``axis`` (negative counts from the end); all other
    dimensions must match."""

    type_name = "Concat"
    inputs_spec = ("inputs*",)
    attrs = (Attr("axis", "int"),)

    def infer(self):
        if not self._inputs:
            self.fail("needs at least one input")
        types = [self.get_input_element_type(i) for i in range(len(self._inputs))]
        element_type = merge_types(self, types, "all inputs")
        shapes = [self.get_input_partial_shape(i) for i in range(len(self._inputs))]
        ranked = [s for s in shapes if s.rank_is_static]
        if not ranked:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        rank = len(ranked[0])
        if rank == 0:
            self.fail("inputs must not be scalars")
        axis = normalize_axis(self, self._attrs["axis"], rank)
        merged = list(ranked[0])
        low, high = 0, 0
        for index, shape in enumerate(shapes):
            if not shape.rank_is_static:
                high = _MAX  # an input of unknown rank may add any length
                continue
            if len(shape) != rank:
                self.fail(f"all inputs must have the same rank: input {index} has shape {shape}, "
                          f"input 0 has rank {rank}")
            merged = self._merge(merged, shape, axis, index)
            part_low, part_high = interval(shape[axis])
            low, high = low + part_low, min(high + part_high, _MAX)
        merged[axis] = as_dimension((low, high))
        self.set_output_type(0, element_type, merged)

    def _merge(self, merged, shape, axis, index):
        result = []
        for i, (a, b) in enumerate(zip(merged, shape)):
            both = a.merge(b) if i != axis else a
            if both is None:
                self.fail(f"input {index} has shape {shape}, which does not match the other inputs "
                          f"outside the concatenation axis {axis}")
            result.append(both)
        return result

    def evaluate(self, values):
        return [np.concatenate(values, axis=self._attrs["axis"])]

    def evaluate_dims(self):
        if self.get_output_partial_shape(0).rank != 1:
            return None
        joined = []
        for index in range(len(self._inputs)):
            dims = dims_of(self, index)
            if dims is None or self.get_input_partial_shape(index).rank != 1:
                return None
            joined.extend(dims)
        return joined


MAX_SPLITS = 1 << 16


def _split_axis(node, data):
    """The normalized split axis, or None when it or the data rank is unknown."""
    require_integral(node, 1, "axis")
    axis_shape = node.get_input_partial_shape(1)
    if axis_shape.rank_is_static and (len(axis_shape) > 1 or (
            len(axis_shape) == 1 and not axis_shape[0].compatible(1))):
        node.fail(f"axis (input 1) must be a scalar, got shape {axis_shape}")
    axis = value_of(node, 1)
    if axis is None or not data.rank_is_static:
        return None
    if axis.size != 1:
        node.fail(f"axis (input 1) must be a scalar, got {axis.tolist()}")
    return normalize_axis(node, int(axis.reshape(-1)[0]), len(data))


def _divide(dim: Dimension, parts: int) -> Dimension:
    """An interval divided by ``parts`` (OpenVINO: ceil of the lower, floor of the upper bound)."""
    if dim.is_static:
        return Dimension(dim.get_length() // parts)
    if dim.min_length == 0 and dim.max_length == -1:
        return Dimension()
    high = -1 if dim.max_length == -1 else dim.max_length // parts
    return Dimension(-(-dim.min_length // parts), high)


@register_op
class Split(Op):
    """Split-1: ``num_splits`` equal parts of ``data`` along ``axis``."""

    type_name = "Split"
    inputs_spec = ("data", "axis")
    attrs = (Attr("num_splits", "int"),)

    def infer(self):
        parts = self._attrs["num_splits"]
        if parts <= 0:
            self.fail(f"num_splits must be positive, got {parts}")
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        axis = _split_axis(self, data)
        if axis is None:
            shape = PartialShape.dynamic(len(data) if data.rank_is_static else None)
        else:
            length = data[axis]
            if length.is_static and length.get_length() % parts:
                self.fail(f"dimension {axis} of {data} ({length}) is not divisible by num_splits "
                          f"{parts}")
            if length.min_length > 0 and length.max_length != -1 and length.max_length < parts:
                self.fail(f"num_splits {parts} is larger than dimension {axis} of {data} "
                          f"(at most {length.max_length})")
            shape = PartialShape(data)
            shape[axis] = _divide(length, parts)
        if parts > MAX_SPLITS:  # each output costs memory before anything runs
            self.fail(f"num_splits {parts} is more outputs than an operation can have "
                      f"(at most {MAX_SPLITS})")
        self._set_output_count(parts)
        for index in range(parts):
            self.set_output_type(index, element_type, shape)

    def evaluate(self, values):
        return np.split(values[0], self._attrs["num_splits"], axis=int(values[1].reshape(-1)[0]))


def _checked_lengths(node, lengths):
    lengths = [int(v) for v in lengths]
    if lengths.count(-1) > 1 or any(v < -1 for v in lengths):
        fail(node, f"split_lengths {lengths} may contain one -1 and otherwise non-negative values")
    return lengths


def split_lengths_of(node, lengths, total):
    """VariadicSplit lengths with the -1 entry resolved against ``total`` (an int)."""
    lengths = _checked_lengths(node, lengths)
    known = sum(v for v in lengths if v != -1)
    if -1 in lengths:
        if known > total:
            fail(node, f"split_lengths {lengths} exceed the dimension being split ({total})")
        lengths[lengths.index(-1)] = total - known
    elif known != total:
        fail(node, f"split_lengths {lengths} must sum to the dimension being split ({total})")
    return lengths


@register_op
class VariadicSplit(Op):
    """VariadicSplit-1: parts of ``data`` along ``axis`` with lengths ``split_lengths``; one length
    may be -1 (the rest of the dimension)."""

    type_name = "VariadicSplit"
    inputs_spec = ("data", "axis", "split_lengths")

    def infer(self):
        require_integral(self, 2, "split_lengths")
        lengths_shape = self.get_input_partial_shape(2)
        if lengths_shape.rank_is_static and len(lengths_shape) != 1:
            self.fail(f"split_lengths (input 2) must be a 1-D tensor, got shape {lengths_shape}")
        if not lengths_shape.rank_is_static or not lengths_shape[0].is_static:
            self.fail("the length of split_lengths must be static: it sets the number of outputs")
        count = lengths_shape[0].get_length()
        self._set_output_count(count)
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        axis = _split_axis(self, data)
        lengths = value_of(self, 2)
        for index, shape in enumerate(self._shapes(data, axis, lengths, count)):
            self.set_output_type(index, element_type, shape)

    def _shapes(self, data, axis, lengths, count):
        if axis is None:
            return [PartialShape.dynamic(len(data) if data.rank_is_static else None)] * count
        if lengths is None:
            shape = PartialShape(data)
            shape[axis] = Dimension()
            return [shape] * count
        lengths = lengths.reshape(-1)
        if data[axis].is_static:
            resolved = split_lengths_of(self, lengths, data[axis].get_length())
            dims = [Dimension(v) for v in resolved]
        else:
            _checked_lengths(self, lengths)
            dims = [Dimension() if v == -1 else Dimension(int(v)) for v in lengths]
        shapes = []
        for dim in dims:
            shape = PartialShape(data)
            shape[axis] = dim
            shapes.append(shape)
        return shapes

    def evaluate(self, values):
        data, axis = values[0], int(values[1].reshape(-1)[0])
        return variadic_split_values(self, data, axis, values[2].reshape(-1))


def variadic_split_values(node, data, axis, lengths):
    """VariadicSplit-1 on arrays: views of ``data``."""
    axis = axis + data.ndim if axis < 0 else axis
    lengths = split_lengths_of(node, lengths, data.shape[axis])
    return np.split(data, np.cumsum(lengths)[:-1], axis=axis)
