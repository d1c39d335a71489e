"""Builder for Round-5."""
from __future__ import annotations

from ..ir.ops import rounding as spec
from ._base import as_node, builder


@builder
def round(data, mode="half_to_even", name=None) -> spec.Round:  # noqa: A001  (openvino.opset5 name)
    """Round-5: ``mode`` half_to_even or half_away_from_zero."""
    return spec.Round(as_node(data, "data"), mode=mode, name=name)
