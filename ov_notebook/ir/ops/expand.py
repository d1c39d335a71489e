"""Ops that expand or generate tensors: Broadcast-3, Tile-1, Range-4, Eye-9.

Target shapes, repeats and sizes may be partly known shape vectors (``ShapeOf -> Concat``); their
known elements become static output dimensions, their bounds become intervals.
"""
from __future__ import annotations

import math

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._movement import as_dimension, interval, small_output, times
from ._util import broadcast_numpy, dims_of, merge_types, require_integral, value_of

BROADCAST_MODES = ("numpy", "explicit", "bidirectional", "pdpd")


def _shape_input(node, index):
    """A partly known shape input as Dimensions (negative values are unknown), or None."""
    dims = dims_of(node, index)
    if dims is None:
        return None
    return [Dimension() if isinstance(d, int) else d for d in dims]


def _vector_length(node, index):
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) == 1 and shape[0].is_static:
        return shape[0].get_length()
    return None


def _require_vector(node, index, what):
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) != 1:
        node.fail(f"{what} (input {index}) must be a 1-D tensor, got shape {shape}")


# ----------------------------------------------------------------------------------------------
# Broadcast
# ----------------------------------------------------------------------------------------------
@register_op
class Broadcast(Op):
    """Broadcast-3: ``data`` replicated to ``target_shape``. ``numpy``: the data dimensions align
    right and must be 1 or equal; ``bidirectional``: numpy broadcasting of both shapes;
    ``explicit``: data dimension i goes to output axis ``axes_mapping[i]``."""

    type_name = "Broadcast"
    version = "opset3"
    inputs_spec = ("data", "target_shape", "axes_mapping?")
    attrs = (Attr("mode", "str", "numpy", choices=BROADCAST_MODES),)

    def _mode(self):
        return "explicit" if self._attrs["mode"] == "none" else self._attrs["mode"]

    def infer(self):
        mode = self._mode()
        if mode == "pdpd":
            self.fail("mode 'pdpd' is not supported")
        if mode == "explicit" and len(self._inputs) != 3:
            self.fail("axes_mapping must be given in explicit mode")
        if mode != "explicit" and len(self._inputs) == 3 and self.version != "opset1":
            self.fail(f"axes_mapping is only for explicit mode, not {mode}")  # v1 always has it
        require_integral(self, 1, "target_shape")
        _require_vector(self, 1, "target_shape")
        data = self.get_input_partial_shape(0)
        target = _shape_input(self, 1)
        element_type = self.get_input_element_type(0)
        if mode == "explicit":
            _require_vector(self, 2, "axes_mapping")
            shape = self._explicit(data, target)
        elif target is None:
            shape = PartialShape.dynamic(_vector_length(self, 1))
            if mode == "bidirectional":
                shape = broadcast_numpy(self, shape, data) if data.rank_is_static \
                    and shape.rank_is_static else PartialShape.dynamic()
        elif mode == "numpy":
            shape = self._numpy(data, target)
        else:
            shape = broadcast_numpy(self, data, PartialShape(target))
        self.set_output_type(0, element_type, shape)

    def _numpy(self, data, target):
        if data.rank_is_static:
            if len(target) < len(data):
                self.fail(f"target_shape {PartialShape(target)} has a smaller rank than data "
                          f"{data}")
            for d, t in zip(data, target[len(target) - len(data):]):
                if d.is_static and t.is_static and not d == 1 and not d.compatible(t):
                    self.fail(f"data {data} cannot be broadcast to {PartialShape(target)} (numpy "
                              f"mode: a data dimension must be 1 or equal to the target's)")
        return PartialShape(target)

    def _explicit(self, data, target):
        mapping = value_of(self, 2)
        if target is None:
            return PartialShape.dynamic(_vector_length(self, 1))
        if mapping is not None and data.rank_is_static:
            mapping = [int(v) for v in mapping.reshape(-1)]
            expected = max(len(data), 1 if mapping else 0)
            if len(mapping) != expected:
                self.fail(f"axes_mapping {mapping} must have one axis per data dimension "
                          f"({len(data)})")
            if mapping != sorted(mapping) or len(set(mapping)) != len(mapping):
                self.fail(f"axes_mapping {mapping} must be increasing (Broadcast does not "
                          "transpose)")
            for i, axis in enumerate(mapping):
                if not 0 <= axis < len(target):
                    self.fail(f"axes_mapping[{i}] = {axis} exceeds the target rank {len(target)}")
                if len(data) and not (target[axis].compatible(data[i]) or data[i].compatible(1)):
                    self.fail(f"data dimension {i} ({data[i]}) cannot be broadcast to target "
                              f"dimension {axis} ({target[axis]})")
        return PartialShape(target)

    def evaluate(self, values):
        if not small_output(self):
            return None
        mapping = values[2] if len(values) == 3 else None
        return [np.array(broadcast_values(values[0], values[1], mapping, self._mode()))]


@register_op
class Broadcast1(Broadcast):
    """Broadcast-1: Broadcast whose explicit mode is spelled ``none`` (read from older IR)."""

    version = "opset1"
    attrs = (Attr("mode", "str", "numpy", choices=("numpy", "none", "pdpd", "explicit")),)


def broadcast_values(data, target_shape, axes_mapping, mode):
    """Broadcast-3 on arrays; a read-only broadcast view of ``data`` (no copy)."""
    target = [int(v) for v in np.asarray(target_shape).reshape(-1)]
    if mode == "bidirectional":
        target = list(np.broadcast_shapes(data.shape, tuple(target)))
    elif mode in ("explicit", "none"):
        aligned = [1] * len(target)
        for i, axis in enumerate(int(v) for v in np.asarray(axes_mapping).reshape(-1)):
            aligned[axis] = data.shape[i] if data.ndim else 1
        data = data.reshape(aligned)
    return np.broadcast_to(data, tuple(target))


# ----------------------------------------------------------------------------------------------
# Tile
# ----------------------------------------------------------------------------------------------
@register_op
class Tile(Op):
    """Tile-1: ``data`` repeated ``repeats[i]`` times along each axis; the shorter of the data shape
    and ``repeats`` is padded with ones on the left."""

    type_name = "Tile"
    inputs_spec = ("data", "repeats")

    def infer(self):
        require_integral(self, 1, "repeats")
        _require_vector(self, 1, "repeats")
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        repeats = dims_of(self, 1)
        if repeats is not None and any(isinstance(r, int) for r in repeats):
            self.fail(f"repeats must not be negative, got {value_of(self, 1).tolist()}")
        count = len(repeats) if repeats is not None else _vector_length(self, 1)
        if not data.rank_is_static or count is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        rank = max(len(data), count)
        dims = [Dimension(1)] * (rank - len(data)) + list(data)
        if repeats is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic(rank))
        repeats = [Dimension(1)] * (rank - count) + repeats
        self.set_output_type(0, element_type, [as_dimension(times(interval(d), interval(r)))
                                               for d, r in zip(dims, repeats)])

    def evaluate(self, values):
        if not small_output(self):
            return None
        return [tile_values(values[0], values[1])]


def tile_values(data, repeats):
    repeats = [int(v) for v in np.asarray(repeats).reshape(-1)]
    if any(r < 0 for r in repeats):
        raise ValueError(f"repeats must not be negative, got {repeats}")
    if len(repeats) < data.ndim:  # np.tile would pad repeats, OpenVINO does the same
        repeats = [1] * (data.ndim - len(repeats)) + repeats
    return np.tile(data, repeats)


# ----------------------------------------------------------------------------------------------
# Range, Eye
# ----------------------------------------------------------------------------------------------
def _scalar_input(node, index, what):
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) != 0:
        node.fail(f"'{what}' (input {index}) must be a scalar, got shape {shape}")
    value = value_of(node, index)
    return None if value is None else float(value.reshape(-1)[0])


def range_length(start, stop, step, integral) -> int:
    """max(ceil((stop - start) / step), 0), computed as OpenVINO does (in doubles, truncating the
    inputs first for an integer output type)."""
    if integral:
        start, stop, step = math.trunc(start), math.trunc(stop), math.trunc(step)
    if (step > 0 and start >= stop) or (step < 0 and start <= stop) or start == stop:
        return 0
    if step == 0:
        raise ValueError(f"step {step} is zero in the integer output type: the range is endless")
    return int(math.ceil(abs(stop - start) / abs(step)))


def range_values(start, stop, step, output_type: Type):
    """Range-4 values: start + i * step in the output type."""
    dtype = output_type.to_dtype()
    integral = output_type.is_integral_number()
    start, stop, step = (float(np.asarray(v).reshape(-1)[0]) for v in (start, stop, step))
    count = range_length(start, stop, step, integral)
    if integral:
        start, step = math.trunc(start), math.trunc(step)
    return np.arange(count).astype(dtype) * np.asarray(step).astype(dtype) + \
        np.asarray(start).astype(dtype)


@register_op
class Range(Op):
    """Range-4: the sequence start, start + step, ... up to (not including) stop, in
    ``output_type``; start, stop and step are scalars of any numeric type."""

    type_name = "Range"
    version = "opset4"
    inputs_spec = ("start", "stop", "step")
    attrs = (Attr("output_type", "type"),)

    def infer(self):
        output_type = self._attrs["output_type"]
        if not output_type.is_static or output_type is Type.boolean:
            self.fail(f"output_type must be a static numeric type, got {output_type}")
        values = [_scalar_input(self, i, n) for i, n in enumerate(("start", "stop", "step"))]
        for value, name in zip(values, ("start", "stop", "step")):
            if value is not None and not math.isfinite(value):
                self.fail(f"'{name}' must be finite, got {value}")
        if values[2] is not None and values[2] == 0:
            self.fail("'step' must not be zero")
        if any(v is None for v in values):
            return self.set_output_type(0, output_type, PartialShape.dynamic(1))
        count = range_length(*values, output_type.is_integral_number())
        self.set_output_type(0, output_type, [count])

    def evaluate(self, values):
        if not small_output(self):
            return None
        return [range_values(*values, self._attrs["output_type"])]


@register_op
class Range1(Op):
    """Range-1 (opset1 in IR): start, stop and step of one type, which the output takes."""

    type_name = "Range"
    inputs_spec = ("start", "stop", "step")

    def infer(self):
        types = [self.get_input_element_type(i) for i in range(3)]
        output_type = merge_types(self, types, "start, stop and step")
        values = [_scalar_input(self, i, n) for i, n in enumerate(("start", "stop", "step"))]
        if values[2] is not None and values[2] == 0:
            self.fail("'step' must not be zero")
        if any(v is None for v in values) or not output_type.is_static:
            return self.set_output_type(0, output_type, PartialShape.dynamic(1))
        count = range_length(*values, output_type.is_integral_number())
        self.set_output_type(0, output_type, [count])

    def evaluate(self, values):
        if not small_output(self):
            return None
        return [range_values(*values, self.get_output_element_type(0))]


@register_op
class Eye(Op):
    """Eye-9: matrices ``num_rows x num_columns`` with ones on the diagonal shifted by
    ``diagonal_index`` (positive: above the main one), repeated over an optional ``batch_shape``."""

    type_name = "Eye"
    version = "opset9"
    inputs_spec = ("num_rows", "num_columns", "diagonal_index", "batch_shape?")
    attrs = (Attr("output_type", "type"),)

    def _check_scalar(self, index, what):
        require_integral(self, index, what)
        shape = self.get_input_partial_shape(index)
        if shape.rank_is_static and (len(shape) > 1 or
                                     (len(shape) == 1 and not shape[0].compatible(1))):
            self.fail(f"'{what}' (input {index}) must be a scalar or a 1-element tensor, "
                      f"got {shape}")

    def _size(self, index, what):
        self._check_scalar(index, what)
        dims = dims_of(self, index)
        if dims is None:
            return Dimension()
        if isinstance(dims[0], int):
            self.fail(f"'{what}' must not be negative, got {dims[0]}")
        return dims[0]

    def infer(self):
        output_type = self._attrs["output_type"]
        if not output_type.is_static or output_type is Type.boolean:
            self.fail(f"output_type must be a static numeric type, got {output_type}")
        rows, columns = self._size(0, "num_rows"), self._size(1, "num_columns")
        self._check_scalar(2, "diagonal_index")
        batch = []
        if len(self._inputs) == 4:
            require_integral(self, 3, "batch_shape")
            _require_vector(self, 3, "batch_shape")
            dims = dims_of(self, 3)
            if dims is not None and any(isinstance(d, int) for d in dims):
                self.fail(f"'batch_shape' must not be negative, got {value_of(self, 3).tolist()}")
            length = _vector_length(self, 3)
            if dims is None and length is None:
                return self.set_output_type(0, output_type, PartialShape.dynamic())
            batch = dims if dims is not None else list(PartialShape.dynamic(length))
        self.set_output_type(0, output_type, batch + [rows, columns])

    def evaluate(self, values):
        if not small_output(self):
            return None
        batch = values[3] if len(values) == 4 else ()
        return [eye_values(values[0], values[1], values[2], batch, self._attrs["output_type"])]


def eye_values(num_rows, num_columns, diagonal_index, batch_shape, output_type: Type):
    rows, columns, diagonal = (int(np.asarray(v).reshape(-1)[0]) for v in
                               (num_rows, num_columns, diagonal_index))
    if rows < 0 or columns < 0:
        raise ValueError(f"num_rows and num_columns must not be negative, got {rows} and {columns}")
    batch = tuple(int(v) for v in np.asarray(batch_shape).reshape(-1))
    if any(b < 0 for b in batch):
        raise ValueError(f"batch_shape must not hold negative values, got {list(batch)}")
    matrix = np.eye(rows, columns, k=diagonal, dtype=output_type.to_dtype())
    batch = tuple(int(v) for v in np.asarray(batch_shape).reshape(-1))
    return np.broadcast_to(matrix, batch + matrix.shape).copy() if batch else matrix
