"""Kernels of Gather, GatherElements, GatherND (no Python loops over elements or batches)."""
from __future__ import annotations

from ...ir.ops.indexing import gather_elements_values, gather_nd_values, gather_values
from . import kernel


@kernel("Gather")
def gather(data, indices, axis, *, batch_dims=0):  # Gather-1/7/8
    return gather_values(data, indices, int(axis.reshape(-1)[0]), batch_dims)


@kernel("GatherElements")
def gather_elements(data, indices, *, axis=0):  # GatherElements-6
    return gather_elements_values(data, indices, axis)


@kernel("GatherND", needs_node=True)
def gather_nd(data, indices, *, batch_dims=0, node):  # GatherND-5/8 (5 flattens the batch)
    return gather_nd_values(data, indices, batch_dims, node.flatten_batch)
