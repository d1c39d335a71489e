"""Selecting and locating elements: Select-1, NonZero-3, Bucketize-3, OneHot-1/16."""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._movement import small_output
from ._util import AUTO_BROADCAST, broadcast_shapes, dims_of, merge_types, normalize_axis, \
    require_integral, value_of

_INF = -1


@register_op
class Select(Op):
    """Select-1: ``then`` where ``cond`` is true, else ``else``, with numpy broadcasting of all
    three (``auto_broadcast``)."""

    type_name = "Select"
    inputs_spec = ("cond", "then", "else")
    attrs = (Attr("auto_broadcast", "str", "numpy", choices=AUTO_BROADCAST),)

    def infer(self):
        condition = self.get_input_element_type(0)
        if condition.is_static and condition is not Type.boolean:
            self.fail(f"cond (input 0) must be boolean, got {condition}")
        element_type = merge_types(self, [self.get_input_element_type(1),
                                          self.get_input_element_type(2)], "then and else")
        shapes = [self.get_input_partial_shape(i) for i in range(3)]
        mode = self._attrs["auto_broadcast"]
        if mode == "none":
            shape = broadcast_shapes(self, shapes, "none")
        else:  # numpy: then and else broadcast together, then with cond
            shape = broadcast_shapes(self, [shapes[1], shapes[2]], mode)
            shape = broadcast_shapes(self, [shapes[0], shape], mode)
        self.set_output_type(0, element_type, shape)

    def evaluate(self, values):
        return [np.where(values[0], values[1], values[2])]


@register_op
class NonZero(Op):
    """NonZero-3: the indices of the non-zero elements, one row per input dimension
    (``[rank, count]``), in row-major order."""

    type_name = "NonZero"
    version = "opset3"
    inputs_spec = ("data",)
    attrs = (Attr("output_type", "type", Type.i64),)

    def infer(self):
        output_type = self._attrs["output_type"]
        if output_type not in (Type.i32, Type.i64):
            self.fail(f"output_type must be i32 or i64, got {output_type}")
        shape = self.get_input_partial_shape(0)
        if not shape.rank_is_static or len(shape) == 0:
            # OpenVINO runs a scalar as a one-element vector but infers [?,?]
            return self.set_output_type(0, output_type, PartialShape.dynamic(2))
        value = value_of(self, 0)
        if value is not None:
            return self.set_output_type(0, output_type, [len(shape), int(np.count_nonzero(value))])
        high = 1
        for d in shape:
            high = _INF if _INF in (high, d.max_length) else high * d.max_length
        self.set_output_type(0, output_type, [Dimension(len(shape)), Dimension(0, high)])

    def evaluate(self, values):
        return [nonzero_values(values[0], self._attrs["output_type"])]


def nonzero_values(data, output_type: Type):
    data = data.reshape(1) if data.ndim == 0 else data
    return np.stack(np.nonzero(data)).astype(output_type.to_dtype()).reshape(data.ndim, -1)


@register_op
class Bucketize(Op):
    """Bucketize-3: for each element, the index of its bucket among the sorted ``buckets``
    boundaries; ``with_right_bound`` puts a value equal to a boundary in the bucket on its left."""

    type_name = "Bucketize"
    version = "opset3"
    inputs_spec = ("data", "buckets")
    attrs = (Attr("output_type", "type", Type.i64), Attr("with_right_bound", "bool", True))

    def infer(self):
        output_type = self._attrs["output_type"]
        if output_type not in (Type.i32, Type.i64):
            self.fail(f"output_type must be i32 or i64, got {output_type}")
        for index, what in ((0, "data"), (1, "buckets")):
            if self.get_input_element_type(index) is Type.boolean:
                self.fail(f"{what} (input {index}) must be numeric, got boolean")
        buckets = self.get_input_partial_shape(1)
        if buckets.rank_is_static and len(buckets) != 1:
            self.fail(f"buckets must be a 1-D tensor, got shape {buckets}")
        self.set_output_type(0, output_type, self.get_input_partial_shape(0))

    def evaluate(self, values):
        return [bucketize_values(*values, self._attrs["output_type"],
                                 self._attrs["with_right_bound"])]


def bucketize_values(data, buckets, output_type: Type, with_right_bound=True):
    side = "left" if with_right_bound else "right"  # left: boundaries < x; right: <= x
    return np.searchsorted(np.asarray(buckets).reshape(-1), data, side=side).astype(
        output_type.to_dtype())


# ----------------------------------------------------------------------------------------------
# OneHot
# ----------------------------------------------------------------------------------------------
def one_hot_values(indices, depth, on_value, off_value, axis,
                   negative_indices_mode="ignore_negative"):
    """OneHot: ``on_value`` where the new ``axis`` position equals the index, else ``off_value``;
    indices outside [0, depth) (after ``normalize`` of [-depth, -1]) select nothing."""
    depth = int(np.asarray(depth).reshape(-1)[0])
    if depth < 0:
        raise ValueError(f"depth must not be negative, got {depth}")
    axis = axis + indices.ndim + 1 if axis < 0 else axis
    indices = np.asarray(indices).astype(np.int64)
    if negative_indices_mode == "normalize":
        indices = np.where((indices < 0) & (indices >= -depth), indices + depth, indices)
    positions = np.arange(depth).reshape((depth,) + (1,) * (indices.ndim - axis))
    hot = np.expand_dims(indices, axis) == positions
    on, off = np.asarray(on_value).reshape(()), np.asarray(off_value).reshape(())
    return np.where(hot, on, off).astype(on.dtype, copy=False)


class _OneHotBase(Op):
    inputs_spec = ("indices", "depth", "on_value", "off_value")

    def _check_scalar(self, index, what):
        shape = self.get_input_partial_shape(index)
        if shape.rank_is_static and (len(shape) > 1 or
                                     (len(shape) == 1 and not shape[0].compatible(1))):
            self.fail(f"{what} (input {index}) must be a scalar, got shape {shape}")

    def infer(self):
        require_integral(self, 0, "indices")
        require_integral(self, 1, "depth")
        for index, what in enumerate(("depth", "on_value", "off_value"), 1):
            self._check_scalar(index, what)
        element_type = merge_types(self, [self.get_input_element_type(2),
                                          self.get_input_element_type(3)], "on_value and off_value")
        indices = self.get_input_partial_shape(0)
        if not indices.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        axis = normalize_axis(self, self._attrs["axis"], len(indices) + 1)
        self._attrs["axis"] = axis  # OpenVINO stores (and writes) the normalized axis
        depth = dims_of(self, 1)
        if depth is not None and isinstance(depth[0], int):
            self.fail(f"depth must not be negative, got {depth[0]}")
        shape = list(indices)
        shape.insert(axis, depth[0] if depth is not None else Dimension())
        self.set_output_type(0, element_type, shape)

    def evaluate(self, values):
        if not small_output(self):
            return None
        mode = self._attrs.get("negative_indices_mode", "ignore_negative")
        return [one_hot_values(*values, self._attrs["axis"], mode)]


@register_op
class OneHot(_OneHotBase):
    """OneHot-16: ``negative_indices_mode`` ``ignore_negative`` (negative indices select nothing)
    or ``normalize`` (indices in [-depth, -1] count from the end)."""

    type_name = "OneHot"
    version = "opset16"
    attrs = (Attr("axis", "int"),
             Attr("negative_indices_mode", "str", "ignore_negative",
                  choices=("ignore_negative", "normalize")))


@register_op
class OneHot1(_OneHotBase):
    """OneHot-1: negative indices select nothing (read from older IR)."""

    type_name = "OneHot"
    version = "opset1"
    attrs = (Attr("axis", "int"),)
