"""Kernels of Broadcast, Tile, Range, Eye."""
from __future__ import annotations

from ...ir.ops.expand import broadcast_values, eye_values, range_values, tile_values
from ...ir.types import Type
from . import kernel


@kernel("Broadcast")
def broadcast(data, target_shape, axes_mapping=None, *, mode="numpy"):  # Broadcast-1/3
    # a read-only broadcast view (stride 0): consumers broadcast it again for free
    return broadcast_values(data, target_shape, axes_mapping, mode)


@kernel("Tile")
def tile(data, repeats):  # Tile-1
    return tile_values(data, repeats)


@kernel("Range")
def range_kernel(start, stop, step, *, output_type=None):  # Range-4 (Range-1: the input type)
    output_type = Type(start.dtype) if output_type is None else output_type
    return range_values(start, stop, step, output_type)


@kernel("Eye")
def eye(num_rows, num_columns, diagonal_index, batch_shape=(), *, output_type):  # Eye-9
    return eye_values(num_rows, num_columns, diagonal_index, batch_shape, output_type)
