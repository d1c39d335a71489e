"""Kernels of Reshape, Squeeze, Unsqueeze, Transpose: zero-copy views.

The executor never mutates inputs, but an ``inplace`` kernel may write into a buffer it is told is
dead; a view of a live buffer must not be such a target, so every view a movement kernel returns is
read-only (``readonly``). In-place kernels check ``flags.writeable`` and allocate instead, and the
plan copies read-only results before handing them to the user.

Transpose returns a strided view as well: its consumers (element-wise ufuncs, matmul, reshape) read
strided arrays directly, and a Reshape after it copies once anyway, so an eager copy would only
double the memory traffic.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.shape_ops import normalize_axes_loose, reshape_target, squeezed_shape, \
    transpose_order, unsqueezed_shape
from . import kernel


def readonly(result, *inputs):
    """``result``, made read-only when it may share memory with one of ``inputs``."""
    if any(np.may_share_memory(result, source) for source in inputs):
        result = result.view()
        result.flags.writeable = False
    return result


@kernel("Reshape")
def reshape(data, shape, *, special_zero=False):  # Reshape-1
    target = reshape_target(data.shape, shape.reshape(-1), special_zero)
    return readonly(data.reshape(target), data)


@kernel("Squeeze")
def squeeze(data, axes=None, *, allow_axis_skip=False):  # Squeeze-1/15
    axes = [] if axes is None else normalize_axes_loose(None, axes, data.ndim)
    return readonly(data.reshape(squeezed_shape(data.shape, axes)), data)


@kernel("Unsqueeze")
def unsqueeze(data, axes):  # Unsqueeze-1
    return readonly(data.reshape(unsqueezed_shape(None, list(data.shape), axes.reshape(-1))), data)


@kernel("Transpose")
def transpose(data, order):  # Transpose-1
    return readonly(np.transpose(data, transpose_order(None, order, data.ndim)), data)
