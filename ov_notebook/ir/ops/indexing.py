"""Gathering by index: Gather-1/7/8, GatherElements-6, GatherND-5/8.

The numpy functions here (``gather_values`` ...) are both the ops' value evaluation and the runtime
kernels: no Python loop over elements, batch dimensions are flattened and indexed in one step.
"""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ._movement import small_output
from ._util import dims_of, normalize_axis, require_integral, value_of


def normalized_indices(indices, length):
    """Indices with negatives counted from the end, and a mask of those inside [0, length)."""
    indices = np.asarray(indices).astype(np.int64, copy=False)
    indices = np.where(indices < 0, indices + length, indices)
    return indices, (indices >= 0) & (indices < length)


def _merge_batch(node, data, indices, batch_dims):
    dims = []
    for i in range(batch_dims):
        merged = data[i].merge(indices[i])
        if merged is None:
            node.fail(f"data {data} and indices {indices} must match in the first {batch_dims} "
                      "(batch) dimensions")
        dims.append(merged)
    return dims


# ----------------------------------------------------------------------------------------------
# Gather
# ----------------------------------------------------------------------------------------------
def gather_values(data, indices, axis, batch_dims=0, fill_invalid=True):
    """Gather-8: ``data.shape[:axis] + indices.shape[batch_dims:] + data.shape[axis + 1:]``;
    negative indices count from the end, out-of-range indices give zeros."""
    axis = axis + data.ndim if axis < 0 else axis
    batch_dims = batch_dims + indices.ndim if batch_dims < 0 else batch_dims
    indices, valid = normalized_indices(indices, data.shape[axis])
    if fill_invalid and data.shape[axis] == 0:  # every index is out of range: all zeros
        return np.zeros(data.shape[:axis] + indices.shape[batch_dims:] + data.shape[axis + 1:],
                        dtype=data.dtype)
    safe = np.where(valid, indices, 0) if fill_invalid else indices
    source = _movable(data)
    if batch_dims == 0:
        result = np.take(source, safe, axis=axis)
    else:
        result = _batched_take(source, safe, axis, batch_dims)
    result = result.view(data.dtype) if source is not data else result
    if fill_invalid and not valid.all():
        tail = data.ndim - axis - 1
        mask = valid.reshape(valid.shape[:batch_dims] + (1,) * (axis - batch_dims)
                             + valid.shape[batch_dims:] + (1,) * tail)
        result = np.where(mask, result, np.zeros((), dtype=data.dtype))
    return result


def _movable(data):
    """``data`` itself, or where its memory is misaligned for its dtype (a weight mapped from
    a .bin after a constant of odd size: every f32 constant of an IR whose writer put a boolean
    first) a view of it as opaque items of the same size, which numpy moves as bytes: np.take
    on a misaligned [30522, 768] f32 embedding table copied all of it first (66 ms per call
    against 12 us). The caller views what it gathered back as ``data.dtype``."""
    if data.flags.aligned or data.dtype.itemsize == 1 or data.dtype.hasobject:
        return data
    return data.view(np.dtype((np.void, data.dtype.itemsize)))


def _batched_take(data, indices, axis, batch_dims):
    """np.take per batch element: flatten the batch, move the gathered axis next to it, index the
    pair (batch, index) at once, then put the index dimensions where Gather puts them."""
    batch_shape = data.shape[:batch_dims]
    count = int(np.prod(batch_shape))
    flat = data.reshape((count,) + data.shape[batch_dims:])
    moved = np.moveaxis(flat, axis - batch_dims + 1, 1)  # [B, A, D..., T...]
    index = indices.reshape((count,) + indices.shape[batch_dims:])
    batch = np.arange(count).reshape((count,) + (1,) * (index.ndim - 1))
    taken = moved[batch, index]  # [B, I..., D..., T...]
    n_index, n_middle = index.ndim - 1, axis - batch_dims
    order = ([0] + list(range(1 + n_index, 1 + n_index + n_middle)) + list(range(1, 1 + n_index))
             + list(range(1 + n_index + n_middle, taken.ndim)))
    taken = taken.transpose(order)
    return taken.reshape(batch_shape + taken.shape[1:])


class _GatherBase(Op):
    inputs_spec = ("data", "indices", "axis")

    def _batch_dims(self):
        return self._attrs.get("batch_dims", 0)

    def _axis(self, data_rank):
        require_integral(self, 2, "axis")
        shape = self.get_input_partial_shape(2)
        if shape.is_static and int(np.prod(shape.to_list())) != 1:
            self.fail(f"axis (input 2) must be a scalar or have one element, got shape {shape}")
        axis = value_of(self, 2)
        if axis is None:
            return None
        axis = int(axis.reshape(-1)[0])
        return normalize_axis(self, axis, data_rank) if data_rank is not None else axis

    def infer(self):
        require_integral(self, 1, "indices")
        data, indices = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        element_type = self.get_input_element_type(0)
        batch_dims = self._batch_dims()
        if batch_dims < 0 and indices.rank_is_static:
            batch_dims += len(indices)
        axis = self._axis(len(data) if data.rank_is_static else None)
        if axis is not None and batch_dims >= 0 and axis >= 0 and batch_dims > axis:
            self.fail(f"batch_dims ({batch_dims}) must not exceed the axis ({axis})")
        if indices.rank_is_static and batch_dims >= 0 and batch_dims > len(indices):
            self.fail(f"batch_dims ({batch_dims}) must not exceed the indices rank "
                      f"({len(indices)})")
        if not data.rank_is_static or not indices.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        batch = _merge_batch(self, data, indices, batch_dims)
        rank = len(data) + len(indices) - 1 - batch_dims
        if axis is None:
            unknown = list(PartialShape.dynamic(rank - batch_dims))
            return self.set_output_type(0, element_type, batch + unknown)
        shape = (batch + list(data)[batch_dims:axis] + list(indices)[batch_dims:]
                 + list(data)[axis + 1:])
        self.set_output_type(0, element_type, shape)

    def evaluate(self, values):
        if not small_output(self):
            return None
        data, indices, axis = values
        return [gather_values(data, indices, int(axis.reshape(-1)[0]), self._batch_dims())]

    def evaluate_dims(self):
        dims, indices, axis = dims_of(self, 0), value_of(self, 1), value_of(self, 2)
        if dims is None or indices is None or axis is None or indices.ndim > 1 \
                or self.get_input_partial_shape(0).rank != 1 or self._batch_dims() != 0:
            return None
        positions, valid = normalized_indices(indices, len(dims))
        return [dims[int(p)] for p in positions.reshape(-1)] if valid.all() else None


@register_op
class Gather(_GatherBase):
    """Gather-8: slices of ``data`` along ``axis`` picked by ``indices``, per batch element for
    the first ``batch_dims`` dimensions; negative indices count from the end and out-of-range
    ones give zeros."""

    type_name = "Gather"
    version = "opset8"
    attrs = (Attr("batch_dims", "int", 0),)


@register_op
class Gather7(_GatherBase):
    """Gather-7: Gather with ``batch_dims`` (read from older IR; runs as Gather-8)."""

    type_name = "Gather"
    version = "opset7"
    attrs = (Attr("batch_dims", "int", 0),)


@register_op
class Gather1(_GatherBase):
    """Gather-1: Gather without batch dimensions (read from older IR)."""

    type_name = "Gather"
    version = "opset1"


# ----------------------------------------------------------------------------------------------
# GatherElements
# ----------------------------------------------------------------------------------------------
def gather_elements_values(data, indices, axis):
    """GatherElements-6: ``out[i][j][k] = data[i][indices[i][j][k]][k]`` for axis 1."""
    axis = axis + data.ndim if axis < 0 else axis
    indices, _ = normalized_indices(indices, data.shape[axis])
    return np.take_along_axis(data, indices, axis=axis)


@register_op
class GatherElements(Op):
    """GatherElements-6: elements of ``data`` picked along ``axis`` by ``indices`` (same rank);
    the output has the shape of ``indices``."""

    type_name = "GatherElements"
    version = "opset6"
    inputs_spec = ("data", "indices")
    attrs = (Attr("axis", "int", 0),)

    def infer(self):
        require_integral(self, 1, "indices")
        data, indices = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        element_type = self.get_input_element_type(0)
        known = data if data.rank_is_static else indices
        rank = len(known) if known.rank_is_static else None
        if rank is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        if rank == 0:
            self.fail("data and indices must not be scalars")
        axis = normalize_axis(self, self._attrs["axis"], rank)
        if data.rank_is_static and indices.rank_is_static and len(data) != len(indices):
            self.fail(f"data {data} and indices {indices} must have the same rank")
        if not indices.rank_is_static:
            shape = [d if i != axis else Dimension() for i, d in enumerate(data)]
            return self.set_output_type(0, element_type, shape)
        shape = list(indices)
        if data.rank_is_static:
            for i, (d, n) in enumerate(zip(data, indices)):
                if i != axis:
                    shape[i] = d.merge(n)
                    if shape[i] is None:
                        self.fail(f"data {data} and indices {indices} must match outside axis "
                                  f"{axis}")
        self.set_output_type(0, element_type, shape)

    def evaluate(self, values):
        return [gather_elements_values(values[0], values[1], self._attrs["axis"])]


# ----------------------------------------------------------------------------------------------
# GatherND
# ----------------------------------------------------------------------------------------------
def gather_nd_values(data, indices, batch_dims=0, flatten_batch=False):
    """GatherND-8 (``flatten_batch``: GatherND-5): slices ``data[b..., idx...]`` for each index
    tuple in the last dimension of ``indices``; negative indices count from the end."""
    depth = indices.shape[-1]
    batch_shape = data.shape[:batch_dims]
    count = int(np.prod(batch_shape))
    flat = data.reshape((count,) + data.shape[batch_dims:])
    index = indices.reshape((count,) + indices.shape[batch_dims:])
    batch = np.arange(count).reshape((count,) + (1,) * (index.ndim - 2))
    parts = [normalized_indices(index[..., j], flat.shape[1 + j])[0] for j in range(depth)]
    taken = flat[(batch, *parts)]  # [B, I..., rest...]
    lead = (count,) if flatten_batch and batch_dims else batch_shape
    return taken.reshape(lead + taken.shape[1:])


class _GatherNDBase(Op):
    inputs_spec = ("data", "indices")
    attrs = (Attr("batch_dims", "int", 0),)
    flatten_batch = False

    def infer(self):
        require_integral(self, 1, "indices")
        data, indices = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        element_type = self.get_input_element_type(0)
        batch_dims = self._attrs["batch_dims"]
        if batch_dims < 0:
            self.fail(f"batch_dims must not be negative, got {batch_dims}")
        if (data.rank_is_static and len(data) == 0) or (indices.rank_is_static and
                                                        len(indices) == 0):
            self.fail("data and indices must not be scalars")
        if not data.rank_is_static or not indices.rank_is_static or not indices[-1].is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        depth = indices[-1].get_length()
        if batch_dims >= min(len(data), len(indices)):
            self.fail(f"batch_dims ({batch_dims}) must be less than the ranks of data {data} and "
                      f"indices {indices}")
        if batch_dims + depth > len(data):
            self.fail(f"indices {indices} address {depth} dimensions after {batch_dims} batch "
                      f"dimensions, but data {data} has rank {len(data)}")
        batch = _merge_batch(self, data, indices, batch_dims)
        if self.flatten_batch and batch_dims:
            product = Dimension(1)
            for d in batch:
                product = product * d
            batch = [product]
        shape = batch + list(indices)[batch_dims:-1] + list(data)[batch_dims + depth:]
        self.set_output_type(0, element_type, shape)

    def evaluate(self, values):
        if not small_output(self):
            return None
        batch_dims = self._attrs["batch_dims"]
        return [gather_nd_values(values[0], values[1], batch_dims, self.flatten_batch)]


@register_op
class GatherND(_GatherNDBase):
    """GatherND-8: the output keeps the batch dimensions:
    ``indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:]``."""

    type_name = "GatherND"
    version = "opset8"


@register_op
class GatherND5(_GatherNDBase):
    """GatherND-5: like GatherND-8 with the batch dimensions flattened into one (older IR)."""

    type_name = "GatherND"
    version = "opset5"
    flatten_batch = True
