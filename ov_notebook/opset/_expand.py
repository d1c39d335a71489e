"""Builders for Broadcast, Tile, Range, Eye (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import expand as spec
from ..ir.types import Type
from ._base import as_node


def broadcast(data, target_shape, axes_mapping=None, broadcast_spec="NUMPY",
              name=None) -> spec.Broadcast:
    """Broadcast-3: ``broadcast_spec`` NUMPY, BIDIRECTIONAL or EXPLICIT (with ``axes_mapping``)."""
    inputs = [as_node(data), as_node(target_shape)]
    if axes_mapping is not None:
        inputs.append(as_node(axes_mapping))
    return spec.Broadcast(*inputs, mode=str(broadcast_spec).lower(), name=name)


def tile(data, repeats, name=None) -> spec.Tile:
    """Tile-1: repeats ``data`` ``repeats[i]`` times along each axis."""
    return spec.Tile(as_node(data), as_node(repeats), name=name)


def eye(num_rows, num_columns, diagonal_index, output_type, batch_shape=None,
        name=None) -> spec.Eye:
    """Eye-9: identity-like matrices, the diagonal shifted by ``diagonal_index``."""
    inputs = [as_node(num_rows), as_node(num_columns), as_node(diagonal_index)]
    if batch_shape is not None:
        inputs.append(as_node(batch_shape))
    return spec.Eye(*inputs, output_type=Type(output_type), name=name)


def _range(start, stop, step, output_type, name=None) -> spec.Range:
    """Range-4: ``range(0, 10, 2, "i32")`` gives 0, 2, 4, 6, 8 as i32."""
    return spec.Range(as_node(start), as_node(stop), as_node(step), output_type=Type(output_type),
                      name=name)


_range.__name__ = _range.__qualname__ = "range"
range = _range  # noqa: A001  (openvino.opset's name; defined last, the builtin is not used here)
