"""Kernels of ScatterUpdate, ScatterElementsUpdate, ScatterNDUpdate (always a fresh copy)."""
from __future__ import annotations

from ...ir.ops.scatter import scatter_elements_values, scatter_nd_values, scatter_update_values
from . import kernel


@kernel("ScatterUpdate")
def scatter_update(data, indices, updates, axis):  # ScatterUpdate-3
    return scatter_update_values(data, indices, updates, int(axis.reshape(-1)[0]))


@kernel("ScatterElementsUpdate")
def scatter_elements_update(data, indices, updates, axis, *, reduction="none",
                            use_init_val=True):  # ScatterElementsUpdate-3/12
    return scatter_elements_values(data, indices, updates, int(axis.reshape(-1)[0]), reduction,
                                   use_init_val)


@kernel("ScatterNDUpdate")
def scatter_nd_update(data, indices, updates, *, reduction="none"):  # ScatterNDUpdate-3/15
    return scatter_nd_values(data, indices, updates, reduction)
