"""Builder for GridSample (``openvino.opset`` signature)."""
from __future__ import annotations

from ..ir.ops import sampling as spec
from ._base import BuilderTypeError, BuilderValueError, as_node, builder


@builder
def grid_sample(data, grid, attributes, name=None) -> spec.GridSample:
    """GridSample-9: ``grid_sample(x, grid, {"mode": "nearest", "align_corners": True})``;
    ``attributes`` holds ``align_corners``, ``mode`` and ``padding_mode`` (defaults False,
    "bilinear", "zeros")."""
    data, grid = as_node(data, "data"), as_node(grid, "grid")  # a bad tensor argument first
    if not isinstance(attributes, dict):
        raise BuilderTypeError(f"expected a dict of align_corners, mode and padding_mode, got "
                               f"{type(attributes).__name__}", "attributes")
    unknown = set(attributes) - {"align_corners", "mode", "padding_mode"}
    if unknown:
        raise BuilderValueError(f"unknown keys {sorted(unknown)}; expected align_corners, mode, "
                                "padding_mode", "attributes")
    return spec.GridSample(data, grid, **attributes, name=name)
