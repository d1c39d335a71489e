"""Scattering updates into a copy of ``data``: ScatterUpdate-3, ScatterElementsUpdate-3/12,
ScatterNDUpdate-4/15 (the "-4" one is ScatterNDUpdate-3, which appeared in opset4).

Reductions accumulate with ``np.<ufunc>.at`` (duplicates handled, no Python loop); where indices
repeat without a reduction OpenVINO leaves the order unspecified and numpy keeps the last update.
"""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import PartialShape
from ._util import dims_of, merge_types, normalize_axis, require_integral, value_of
from .indexing import normalized_indices

_ELEMENTS_REDUCTIONS = ("none", "sum", "prod", "min", "max", "mean")
_ND_REDUCTIONS = ("none", "sum", "sub", "prod", "min", "max")


def _check_types(node):
    require_integral(node, 1, "indices")
    return merge_types(node, [node.get_input_element_type(0), node.get_input_element_type(2)],
                       "data and updates")


def _known_axis(node, index, rank):
    require_integral(node, index, "axis")
    axis = value_of(node, index)
    if axis is None or rank is None:
        return None
    if axis.size != 1:
        node.fail(f"axis (input {index}) must be a scalar, got {axis.tolist()}")
    return normalize_axis(node, int(axis.reshape(-1)[0]), rank)


_UFUNCS = {"sum": np.add, "sub": np.subtract, "prod": np.multiply, "min": np.minimum,
           "max": np.maximum, "mean": np.add}


def _identity(reduction, dtype):
    if reduction in ("sum", "mean", "sub"):
        return 0
    if reduction == "prod":
        return 1
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    high = np.inf if dtype.kind == "f" else info.max
    low = -np.inf if dtype.kind == "f" else info.min
    return high if reduction == "min" else low


def scatter_reduce(data, positions, updates, reduction="none", use_init_val=True):
    """A copy of ``data`` with ``updates`` reduced into ``positions`` (a numpy index tuple)."""
    out = np.array(data, copy=True)
    if reduction == "none":
        out[positions] = updates
        return out
    if out.dtype == np.bool_:  # OpenVINO reduces booleans as integers, then tests for non-zero
        return scatter_reduce(out.astype(np.int64), positions, np.asarray(updates).astype(np.int64),
                              reduction, use_init_val) != 0
    if not use_init_val:
        out[positions] = _identity(reduction, out.dtype)
    _UFUNCS[reduction].at(out, positions, updates)
    if reduction == "mean":
        counts = np.zeros(out.shape, dtype=np.int64)
        np.add.at(counts, positions, 1)
        touched = counts > 0
        divisor = counts + (1 if use_init_val else 0)
        if out.dtype.kind == "f":
            out[touched] = out[touched] / divisor[touched]
        else:  # integer means truncate toward zero, as OpenVINO's do
            total = out[touched].astype(np.int64)
            quotient = np.abs(total) // divisor[touched]
            out[touched] = np.where(total < 0, -quotient, quotient).astype(out.dtype)
    return out


# ----------------------------------------------------------------------------------------------
# ScatterUpdate
# ----------------------------------------------------------------------------------------------
def scatter_update_values(data, indices, updates, axis):
    """ScatterUpdate-3: ``out[:, ..., indices[j...], ...] = updates[:, ..., j..., ...]``."""
    axis = axis + data.ndim if axis < 0 else axis
    indices, _ = normalized_indices(indices, data.shape[axis])
    return scatter_reduce(data, (slice(None),) * axis + (indices,), updates)


def _scattered_dims(node):
    """A 1-D shape-like data tensor's dims with known dims written at constant positions
    (inputs: data, indices with one position per update, updates), or None."""
    data, indices, updates = dims_of(node, 0), value_of(node, 1), dims_of(node, 2)
    if data is None or indices is None or updates is None or \
            node.get_input_partial_shape(0).rank != 1 or len(updates) != indices.size:
        return None
    positions, valid = normalized_indices(indices.reshape(-1), len(data))
    if not valid.all():
        return None
    for position, dim in zip(positions, updates):
        data[int(position)] = dim
    return data


@register_op
class ScatterUpdate(Op):
    """ScatterUpdate-3: slices of ``data`` along ``axis`` at ``indices`` replaced by ``updates``
    (shape ``data.shape[:axis] + indices.shape + data.shape[axis + 1:]``)."""

    type_name = "ScatterUpdate"
    version = "opset3"
    inputs_spec = ("data", "indices", "updates", "axis")

    def infer(self):
        element_type = _check_types(self)
        data = self.get_input_partial_shape(0)
        indices, updates = self.get_input_partial_shape(1), self.get_input_partial_shape(2)
        axis = _known_axis(self, 3, len(data) if data.rank_is_static else None)
        if axis is not None and indices.rank_is_static and updates.rank_is_static:
            expected = list(data)[:axis] + list(indices) + list(data)[axis + 1:]
            if not PartialShape(expected).compatible(updates):
                self.fail(f"updates {updates} must have shape data[:axis] + indices.shape + "
                          f"data[axis + 1:] = {PartialShape(expected)}")
        self.set_output_type(0, element_type, data)

    def evaluate(self, values):
        axis = int(values[3].reshape(-1)[0])
        return [scatter_update_values(values[0], values[1], values[2], axis)]

    def evaluate_dims(self):
        return _scattered_dims(self)


# ----------------------------------------------------------------------------------------------
# ScatterElementsUpdate
# ----------------------------------------------------------------------------------------------
def scatter_elements_values(data, indices, updates, axis, reduction="none", use_init_val=True):
    """ScatterElementsUpdate-12: ``out[..., indices[i, j, k], ...] (op)= updates[i, j, k]`` along
    ``axis``; the other coordinates are the update's own."""
    axis = axis + data.ndim if axis < 0 else axis
    indices, _ = normalized_indices(indices, data.shape[axis])
    grid = list(np.indices(indices.shape, sparse=True))
    grid[axis] = indices
    return scatter_reduce(data, tuple(grid), updates, reduction, use_init_val)


class _ScatterElementsBase(Op):
    inputs_spec = ("data", "indices", "updates", "axis")

    def infer(self):
        element_type = _check_types(self)
        data = self.get_input_partial_shape(0)
        indices, updates = self.get_input_partial_shape(1), self.get_input_partial_shape(2)
        if not indices.compatible(updates):
            self.fail(f"indices {indices} and updates {updates} must have the same shape")
        if data.rank_is_static and indices.rank_is_static and len(data) != len(indices):
            self.fail(f"indices {indices} must have the rank of data {data}")
        _known_axis(self, 3, len(data) if data.rank_is_static else None)
        self.set_output_type(0, element_type, data)

    def evaluate(self, values):
        reduction = self._attrs.get("reduction", "none")
        use_init_val = self._attrs.get("use_init_val", True)
        return [scatter_elements_values(values[0], values[1], values[2],
                                        int(values[3].reshape(-1)[0]), reduction, use_init_val)]


@register_op
class ScatterElementsUpdate(_ScatterElementsBase):
    """ScatterElementsUpdate-12: element-wise scatter along ``axis`` with an optional
    ``reduction`` (none, sum, prod, min, max, mean) that starts from the data values when
    ``use_init_val`` (else from the updates alone)."""

    type_name = "ScatterElementsUpdate"
    version = "opset12"
    attrs = (Attr("reduction", "str", "none", choices=_ELEMENTS_REDUCTIONS),
             Attr("use_init_val", "bool", True))


@register_op
class ScatterElementsUpdate3(_ScatterElementsBase):
    """ScatterElementsUpdate-3: replaces elements, no reduction (older IR)."""

    type_name = "ScatterElementsUpdate"
    version = "opset3"


# ----------------------------------------------------------------------------------------------
# ScatterNDUpdate
# ----------------------------------------------------------------------------------------------
def scatter_nd_values(data, indices, updates, reduction="none"):
    """ScatterNDUpdate-15: ``out[indices[i..., :]] (op)= updates[i...]``; each index tuple (last
    dimension of ``indices``) addresses an element or a slice of ``data``."""
    depth = indices.shape[-1]
    flat = indices.reshape(-1, depth)
    positions = tuple(normalized_indices(flat[:, j], data.shape[j])[0] for j in range(depth))
    updates = updates.reshape((flat.shape[0],) + data.shape[depth:])
    return scatter_reduce(data, positions, updates, reduction)


class _ScatterNDBase(Op):
    inputs_spec = ("data", "indices", "updates")

    def infer(self):
        element_type = _check_types(self)
        data = self.get_input_partial_shape(0)
        indices, updates = self.get_input_partial_shape(1), self.get_input_partial_shape(2)
        if indices.rank_is_static and len(indices) == 0:
            self.fail("indices must not be a scalar")
        if data.rank_is_static and indices.rank_is_static and indices[-1].is_static:
            depth = indices[-1].get_length()
            if depth > len(data):
                self.fail(f"indices {indices} address {depth} dimensions of data {data}")
            expected = PartialShape(list(indices)[:-1] + list(data)[depth:])
            if updates.rank_is_static and not expected.compatible(updates):
                self.fail(f"updates {updates} must have shape indices.shape[:-1] + "
                          f"data.shape[indices.shape[-1]:] = {expected}")
        self.set_output_type(0, element_type, data)

    def evaluate(self, values):
        return [scatter_nd_values(*values, self._attrs.get("reduction", "none"))]

    def evaluate_dims(self):
        if self._attrs.get("reduction", "none") != "none":
            return None
        return _scattered_dims(self)


@register_op
class ScatterNDUpdate(_ScatterNDBase):
    """ScatterNDUpdate-15: with ``reduction`` none, sum, sub, prod, min or max."""

    type_name = "ScatterNDUpdate"
    version = "opset15"
    attrs = (Attr("reduction", "str", "none", choices=_ND_REDUCTIONS),)


@register_op
class ScatterNDUpdate3(_ScatterNDBase):
    """ScatterNDUpdate-3 (written ``opset4`` in IR): replaces, no reduction (older IR)."""

    type_name = "ScatterNDUpdate"
    version = "opset4"
