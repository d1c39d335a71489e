"""Builders for Broadcast, Tile, Range, Eye (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import expand as spec
from ._base import as_node, builder, element_type


@builder
def broadcast(data, target_shape, axes_mapping=None, broadcast_spec="NUMPY",
              name=None) -> spec.Broadcast:
    """Broadcast-3: ``broadcast_spec`` NUMPY, BIDIRECTIONAL or EXPLICIT (with ``axes_mapping``)."""
    inputs = [as_node(data, "data"), as_node(target_shape, "target_shape")]
    if axes_mapping is not None:
        inputs.append(as_node(axes_mapping, "axes_mapping"))
    return spec.Broadcast(*inputs, mode=str(broadcast_spec).lower(), name=name)


@builder
def tile(data, repeats, name=None) -> spec.Tile:
    """Tile-1: repeats ``data`` ``repeats[i]`` times along each axis."""
    return spec.Tile(as_node(data, "data"), as_node(repeats, "repeats"), name=name)


@builder
def eye(num_rows, num_columns, diagonal_index, output_type, batch_shape=None,
        name=None) -> spec.Eye:
    """Eye-9: identity-like matrices, the diagonal shifted by ``diagonal_index``."""
    inputs = [as_node(num_rows, "num_rows"), as_node(num_columns, "num_columns"),
              as_node(diagonal_index, "diagonal_index")]
    if batch_shape is not None:
        inputs.append(as_node(batch_shape, "batch_shape"))
    return spec.Eye(*inputs, output_type=element_type(output_type, "output_type"), name=name)


@builder
def range(start, stop, step, output_type, name=None) -> spec.Range:  # noqa: A001 (OpenVINO's name)
    """Range-4: ``range(0, 10, 2, "i32")`` gives 0, 2, 4, 6, 8 as i32."""
    return spec.Range(as_node(start, "start"), as_node(stop, "stop"), as_node(step, "step"),
                      output_type=element_type(output_type, "output_type"), name=name)


# --- older versions, for ov_notebook.opset1 ... opset3 (see opset/_versions.py) -----------------
@builder(older_version_of="broadcast")
def _broadcast_1(data, target_shape, axes_mapping=None, mode="NUMPY",
                 name=None) -> spec.Broadcast1:
    """Broadcast-1 (``openvino.opset1.broadcast``): ``mode`` NUMPY, EXPLICIT or PDPD."""
    inputs = [as_node(data, "data"), as_node(target_shape, "target_shape")]
    if axes_mapping is not None:
        inputs.append(as_node(axes_mapping, "axes_mapping"))
    return spec.Broadcast1(*inputs, mode=str(mode).lower(), name=name)


@builder(older_version_of="range")
def _range_1(start, stop, step, name=None) -> spec.Range1:
    """Range-1 (``openvino.opset1.range``): the output takes the inputs' element type."""
    return spec.Range1(as_node(start, "start"), as_node(stop, "stop"), as_node(step, "step"),
                       name=name)
