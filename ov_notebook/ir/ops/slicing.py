"""Slicing: Slice-8 and StridedSlice-1 (begin/end/new-axis/shrink/ellipsis masks).

Both turn their inputs into a numpy basic index (slices, ints, ``None``, ``...``) so kernels return
views. Start and stop are clamped the way OpenVINO clamps them (see ``_movement``). On partly
known start/stop values (shape subgraphs) the output dimensions are the intervals OpenVINO infers.
"""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ._movement import INT64_MAX, bounds_of, fail, python_slice, sliced_dim
from ._util import dims_of, require_integral, value_of


def _vector_input(node, index, what, rank=None):
    require_integral(node, index, what)
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) != 1:
        node.fail(f"{what} (input {index}) must be a 1-D tensor, got shape {shape}")
    if rank is not None and shape.rank_is_static and shape[0].min_length > rank:
        node.fail(f"{what} (input {index}) has {shape[0]} elements, more than the data rank {rank}")


def _unknown_slice(dim):
    return Dimension(0, dim.max_length)


def _dims_by_positions(node, positions):
    """``dims_value`` of a 1-D input 0 picked at ``positions`` (what slicing selected)."""
    dims = dims_of(node, 0)
    if dims is None or node.get_input_partial_shape(0).rank != 1 or positions.ndim > 1:
        return None
    return [dims[int(p)] for p in positions.reshape(-1)]


# ----------------------------------------------------------------------------------------------
# Slice-8
# ----------------------------------------------------------------------------------------------
def slice_index(shape, start, stop, step, axes=None) -> tuple:
    """The numpy index of Slice-8 for a static ``shape``; ``axes`` default to 0..len(start)-1."""
    rank = len(shape)
    axes = range(len(start)) if axes is None else [int(a) + rank if a < 0 else int(a) for a in axes]
    index = [slice(None)] * rank
    for axis, first, last, stride in zip(axes, start, stop, step):
        if stride == 0:
            raise ValueError("slice step must not be zero")
        index[axis] = python_slice(shape[axis], int(first), int(last), int(stride))
    return tuple(index)


@register_op
class Slice(Op):
    """Slice-8: ``data[start:stop:step]`` on the listed ``axes`` (default 0, 1, ...); negative
    start/stop count from the end, out-of-range values are clamped, steps may be negative."""

    type_name = "Slice"
    version = "opset8"
    inputs_spec = ("data", "start", "stop", "step", "axes?")

    def infer(self):
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        rank = len(data) if data.rank_is_static else None
        if rank == 0:
            self.fail("data must not be a scalar")
        for index, what in enumerate(("start", "stop", "step", "axes")[:len(self._inputs) - 1], 1):
            _vector_input(self, index, what, rank)
        if rank is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        start, stop = bounds_of(self, 1), bounds_of(self, 2)
        step = value_of(self, 3)
        lengths = {len(v) for v in (start, stop, step) if v is not None}
        if len(lengths) > 1:
            self.fail("start, stop and step must have the same number of elements")
        axes = self._axes(rank, start)
        if step is not None and np.any(step == 0):
            self.fail(f"step must not be zero, got {step.tolist()}")
        output = []
        for i, dim in enumerate(data):
            if axes is None:
                output.append(_unknown_slice(dim))
            elif i not in axes:
                output.append(dim)
            elif start is None or stop is None or step is None:
                output.append(_unknown_slice(dim))
            else:
                k = axes[i]
                output.append(sliced_dim(dim, start[k], stop[k], int(step.reshape(-1)[k])))
        self.set_output_type(0, element_type, output)

    def _axes(self, rank, start):
        """{axis: position in start/stop/step}, or None when the sliced axes are unknown."""
        if len(self._inputs) == 5:
            axes = value_of(self, 4)
            if axes is None:
                return None
            normalized = []
            for a in (int(v) for v in axes.reshape(-1)):
                if not -rank <= a < rank:
                    self.fail(f"axis {a} is out of range for rank {rank}")
                normalized.append(a + rank if a < 0 else a)
            if len(set(normalized)) != len(normalized):
                self.fail(f"axes {axes.tolist()} must be unique")
            return {a: k for k, a in enumerate(normalized)}
        shape = self.get_input_partial_shape(1)  # without axes, start's length says which axes
        count = len(start) if start is not None else (
            shape[0].get_length() if shape.rank_is_static and shape[0].is_static else None)
        return None if count is None else {k: k for k in range(count)}

    def evaluate(self, values):
        axes = values[4].reshape(-1) if len(values) == 5 else None
        index = slice_index(values[0].shape, values[1].reshape(-1), values[2].reshape(-1),
                            values[3].reshape(-1), axes)
        return [values[0][index]]

    def evaluate_dims(self):
        values = [value_of(self, i) for i in range(1, len(self._inputs))]
        dims = dims_of(self, 0)
        if dims is None or any(v is None for v in values):
            return None
        index = slice_index((len(dims),), *(v.reshape(-1) for v in values))
        positions = np.arange(len(dims))[index]
        return _dims_by_positions(self, positions)


# ----------------------------------------------------------------------------------------------
# StridedSlice-1
# ----------------------------------------------------------------------------------------------
def _bit(mask, index):
    return index < len(mask) and mask[index] == 1


def strided_slice_plan(node, rank, count, masks, begin_known=True) -> list:
    """What each begin/end position does, in output order: ("new", k), ("shrink", k),
    ("slice", k) or ("all", None) for dimensions hidden by the ellipsis or left after the end."""
    begin_mask, end_mask, new_axis, shrink, ellipsis = masks
    if sum(1 for v in ellipsis if v == 1) > 1:
        fail(node, f"ellipsis_mask {ellipsis} may mark one position only")
    new_count = sum(1 for v in new_axis if v == 1)
    if not any(v == 1 for v in ellipsis) and rank + new_count < count:
        fail(node, f"begin/end have {count} elements, more than the data rank {rank} plus "
                  f"{new_count} new axes")
    plan, used = [], 0
    for k in range(count):
        if _bit(ellipsis, k):
            before = sum(1 for i in range(k) if not _bit(new_axis, i))
            # OpenVINO counts new axes after the ellipsis only when begin is known
            new_after = sum(1 for i in range(k + 1, count) if _bit(new_axis, i))
            new_after = new_after if begin_known else 0
            hidden = max(rank - (count - k - new_after - 1) - before, 0)
            plan += [("all", None)] * hidden
            used += hidden
        elif _bit(new_axis, k):
            plan.append(("new", k))
        else:
            plan.append(("shrink" if _bit(shrink, k) else "slice", k))
            used += 1
    if used > rank:
        fail(node, f"begin/end address {used} data dimensions, but the data has rank {rank}")
    return plan + [("all", None)] * (rank - used)


def strided_slice_index(node, shape, begin, end, strides, masks) -> tuple:
    """The numpy index of StridedSlice-1 for a static ``shape`` and known begin/end/strides."""
    begin_mask, end_mask = masks[0], masks[1]
    index, axis = [], 0
    for kind, k in strided_slice_plan(node, len(shape), len(begin), masks):
        if kind == "new":
            index.append(None)
            continue
        length = shape[axis]
        axis += 1
        if kind == "all":
            index.append(slice(None))
        elif kind == "shrink":
            position = 0 if _bit(begin_mask, k) else int(begin[k])
            position = position + length if position < 0 else position
            if not 0 <= position < length:
                fail(node, f"shrink_axis_mask selects index {int(begin[k])} of a dimension of "
                           f"{length}")
            index.append(position)
        else:
            stride = int(strides[k]) if strides is not None else 1
            if stride == 0:
                fail(node, "strides must not be zero")
            first = (length if stride < 0 else 0) if _bit(begin_mask, k) else int(begin[k])
            last = (-1 - length if stride < 0 else length) if _bit(end_mask, k) else int(end[k])
            index.append(python_slice(length, first, last, stride))
    return tuple(index)


def _masked_bounds(bounds, masked, default):
    return default if masked else bounds


@register_op
class StridedSlice(Op):
    """StridedSlice-1: numpy-style ``data[b0:e0:s0, ...]`` where ``begin_mask``/``end_mask`` bits
    (1 = ignore the value) take the whole range, ``new_axis_mask`` inserts a size-1 axis,
    ``shrink_axis_mask`` takes one index and drops the axis, ``ellipsis_mask`` is ``...``."""

    type_name = "StridedSlice"
    inputs_spec = ("data", "begin", "end", "strides?")
    attrs = (Attr("begin_mask", "ints"), Attr("end_mask", "ints"),
             Attr("new_axis_mask", "ints", []), Attr("shrink_axis_mask", "ints", []),
             Attr("ellipsis_mask", "ints", []))

    def _masks(self):
        return tuple(self._attrs[a.name] for a in self.attrs)

    def _count(self):
        """The number of begin/end elements when known from a shape or a value."""
        lengths = set()
        for index in range(1, len(self._inputs)):
            shape = self.get_input_partial_shape(index)
            if shape.rank_is_static and len(shape) == 1 and shape[0].is_static:
                lengths.add(shape[0].get_length())
        if len(lengths) > 1:
            self.fail(f"begin, end and strides must have the same number of elements, got "
                      f"{sorted(lengths)}")
        return lengths.pop() if lengths else None

    def infer(self):
        for spec in self.attrs:
            if any(bit not in (0, 1) for bit in self._attrs[spec.name]):
                self.fail(f"{spec.name} must hold only 0 and 1, got {self._attrs[spec.name]}")
        for index, what in enumerate(("begin", "end", "strides")[:len(self._inputs) - 1], 1):
            _vector_input(self, index, what)
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        count = self._count()
        if not data.rank_is_static or count is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        begin, end = bounds_of(self, 1), bounds_of(self, 2)
        strides = value_of(self, 3) if len(self._inputs) == 4 else np.ones(count, dtype=np.int64)
        if strides is not None and np.any(strides == 0):
            self.fail(f"strides must not be zero, got {strides.tolist()}")
        known = begin is not None and end is not None and strides is not None
        plan = strided_slice_plan(self, len(data), count, self._masks(), begin is not None)
        output, axis = [], 0
        for kind, k in plan:
            if kind == "new":
                output.append(Dimension(1))
                continue
            dim = data[axis]
            axis += 1
            if kind == "all":
                output.append(dim)
            elif kind == "slice":
                output.append(self._slice_dim(dim, begin, end, strides, k) if known
                              else _unknown_slice(dim))
        self.set_output_type(0, element_type, output)

    def _slice_dim(self, dim, begin, end, strides, k):
        stride = int(strides.reshape(-1)[k])
        length = INT64_MAX if dim.max_length == -1 else dim.max_length
        reverse = stride < 0
        start = _masked_bounds(begin[k], _bit(self._attrs["begin_mask"], k),
                               (length, length) if reverse else (0, 0))
        stop = _masked_bounds(end[k], _bit(self._attrs["end_mask"], k),
                              (-1 - length, -1 - length) if reverse else (length, length))
        return sliced_dim(dim, start, stop, stride)

    def evaluate(self, values):
        strides = values[3].reshape(-1) if len(values) == 4 else None
        index = strided_slice_index(self, values[0].shape, values[1].reshape(-1),
                                    values[2].reshape(-1), strides, self._masks())
        return [values[0][index]]

    def evaluate_dims(self):
        values = [value_of(self, i) for i in range(1, len(self._inputs))]
        dims = dims_of(self, 0)
        if dims is None or any(v is None for v in values):
            return None
        strides = values[2].reshape(-1) if len(values) == 3 else None
        index = strided_slice_index(self, (len(dims),), values[0].reshape(-1),
                                    values[1].reshape(-1), strides, self._masks())
        return _dims_by_positions(self, np.arange(len(dims))[index])
