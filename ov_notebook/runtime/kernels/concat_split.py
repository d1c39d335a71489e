"""Kernels of Concat, Split, VariadicSplit (the splits return read-only views)."""
from __future__ import annotations

import numpy as np

from ...ir.ops.concat_split import variadic_split_values
from . import kernel
from .shape_ops import readonly


@kernel("Concat")
def concat(*inputs, axis):  # Concat-1
    return np.concatenate(inputs, axis=axis)


@kernel("Split")
def split(data, axis, *, num_splits):  # Split-1
    axis = int(axis.reshape(-1)[0])
    if data.shape[axis] % num_splits:
        raise ValueError(f"dimension {axis} of {list(data.shape)} ({data.shape[axis]}) is not "
                         f"divisible by num_splits {num_splits}")
    parts = np.split(data, num_splits, axis=axis)
    return _outputs([readonly(part, data) for part in parts])


@kernel("VariadicSplit")
def variadic_split(data, axis, split_lengths):  # VariadicSplit-1
    parts = variadic_split_values(None, data, int(axis.reshape(-1)[0]), split_lengths.reshape(-1))
    return _outputs([readonly(part, data) for part in parts])


def _outputs(parts):
    """The executor takes a single-output kernel's result as the array itself."""
    return parts[0] if len(parts) == 1 else tuple(parts)
