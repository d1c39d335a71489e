"""Kernels of Select, NonZero, Bucketize, OneHot."""
from __future__ import annotations

import numpy as np

from ...ir.ops.selection import bucketize_values, nonzero_values, one_hot_values
from . import kernel


@kernel("Select")
def select(condition, then_value, else_value, *, auto_broadcast="numpy"):  # Select-1
    return np.where(condition, then_value, else_value)


@kernel("NonZero")
def non_zero(data, *, output_type):  # NonZero-3
    return nonzero_values(data, output_type)


@kernel("Bucketize")
def bucketize(data, buckets, *, output_type, with_right_bound=True):  # Bucketize-3
    return bucketize_values(data, buckets, output_type, with_right_bound)


@kernel("OneHot")
def one_hot(indices, depth, on_value, off_value, *, axis,
            negative_indices_mode="ignore_negative"):  # OneHot-1/16
    return one_hot_values(indices, depth, on_value, off_value, axis, negative_indices_mode)
