"""TopK and CumSum kernels.

TopK selects with a partition (linear time) and sorts only the k chosen elements. Equal values
are always taken and ordered lowest index first, which is what OpenVINO's stable mode requires.
"""
from __future__ import annotations

import numpy as np

from ...ir.types import Type
from . import kernel

_SMALL_AXIS = 64  # below this a full stable argsort is cheaper than partitioning


def _ascending_keys(x, mode):
    """Keys whose ascending order is the wanted order (largest first for mode max).

    NaN counts as larger than every number (as torch.topk and torch.sort order it): first for
    mode max, never before a number for mode min (numpy sorts NaN keys last)."""
    if mode == "min":
        return x
    if x.dtype.kind == "f":
        keys = np.negative(x)
        nan = np.isnan(x)
        if nan.any():  # NaN before +inf: widen, send +inf just above -max, NaN to -inf
            keys = keys.astype(np.float64)
            keys[np.isposinf(x)] = -np.finfo(np.float64).max
            keys[nan] = -np.inf
        return keys
    return np.invert(x)  # order-reversing for signed, unsigned and bool without overflow


def _select(keys, count):
    """Indices of the ``count`` smallest keys along the last axis, ties to the lowest index,
    in ascending index order."""
    length = keys.shape[-1]
    if count == length:
        return np.broadcast_to(np.arange(length), keys.shape).copy()
    if count == 0:
        return np.empty(keys.shape[:-1] + (0,), dtype=np.intp)
    if length <= _SMALL_AXIS or (keys.dtype.kind == "f" and np.isnan(keys).any()):
        return np.sort(np.argsort(keys, axis=-1, kind="stable")[..., :count], axis=-1)
    threshold = np.partition(keys, count - 1, axis=-1)[..., count - 1:count]
    below = keys < threshold
    tie = keys == threshold
    room = count - np.count_nonzero(below, axis=-1)[..., None]
    chosen = below | (tie & (np.cumsum(tie, axis=-1) <= room))
    columns = np.nonzero(chosen.reshape(-1, length))[1]
    return columns.reshape(keys.shape[:-1] + (count,))


@kernel("TopK")
def topk(x, k, *, axis, mode, sort, index_element_type=Type.i32, stable=False):
    axis = axis + x.ndim if axis < 0 else axis
    count = int(np.asarray(k).reshape(-1)[0])
    if count < 0:
        raise ValueError(f"k must not be negative, got {count}")
    if count > x.shape[axis]:
        raise ValueError(f"k ({count}) exceeds the length {x.shape[axis]} of axis {axis}")
    keys = np.moveaxis(_ascending_keys(x, mode), axis, -1)
    chosen = _select(keys, count)
    if sort != "index":  # the CPU plugin orders sort "none" by value too
        chosen_keys = np.take_along_axis(keys, chosen, axis=-1)
        chosen = np.take_along_axis(chosen, np.argsort(chosen_keys, axis=-1, kind="stable"), -1)
    indices = np.ascontiguousarray(np.moveaxis(chosen, -1, axis))
    values = np.take_along_axis(x, indices, axis=axis)
    return values, indices.astype(Type(index_element_type).to_dtype(), copy=False)


@kernel("CumSum")
def cumsum(x, axis=None, *, exclusive=False, reverse=False):  # running sum along axis
    if x.ndim == 0:  # one element: itself, or nothing before it
        return np.zeros_like(x) if exclusive else x.copy()
    axis = 0 if axis is None else int(np.asarray(axis).reshape(-1)[0])
    axis = axis + x.ndim if axis < 0 else axis
    accumulator = np.float32 if x.dtype == np.float16 else x.dtype
    data = np.flip(x, axis) if reverse else x
    result = np.empty(x.shape, dtype=accumulator)
    if exclusive:
        head = (slice(None),) * axis + (slice(0, 1),)
        result[head] = 0
        tail = (slice(None),) * axis + (slice(1, None),)
        body = (slice(None),) * axis + (slice(None, -1),)
        np.cumsum(data[body], axis=axis, dtype=accumulator, out=result[tail])
    else:
        np.cumsum(data, axis=axis, dtype=accumulator, out=result)
    if reverse:
        result = np.flip(result, axis)
    return np.ascontiguousarray(result, dtype=x.dtype)
