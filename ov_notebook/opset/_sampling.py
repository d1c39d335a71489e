"""Builder for GridSample (``openvino.opset`` signature)."""
from __future__ import annotations

from ..ir.ops import sampling as spec
from ._base import as_node, builder


@builder
def grid_sample(data, grid, attributes, name=None) -> spec.GridSample:
    """GridSample-9: ``grid_sample(x, grid, {"mode": "nearest", "align_corners": True})``;
    ``attributes`` holds ``align_corners``, ``mode`` and ``padding_mode`` (defaults False,
    "bilinear", "zeros")."""
    if not isinstance(attributes, dict):
        raise TypeError(f"argument 'attributes': expected a dict of align_corners, mode and "
                        f"padding_mode, got {type(attributes).__name__}")
    unknown = set(attributes) - {"align_corners", "mode", "padding_mode"}
    if unknown:
        raise ValueError(f"argument 'attributes': unknown keys {sorted(unknown)}; expected "
                         "align_corners, mode, padding_mode")
    return spec.GridSample(as_node(data, "data"), as_node(grid, "grid"), **attributes, name=name)
