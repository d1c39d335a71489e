"""Builder for FakeQuantize-1."""
from __future__ import annotations

from ..ir.ops import quantization as spec
from ._base import as_node, builder


@builder
def fake_quantize(data, input_low, input_high, output_low, output_high, levels,
                  auto_broadcast="NUMPY", name=None) -> spec.FakeQuantize:
    """FakeQuantize-1: ``data`` snapped to ``levels`` values between ``output_low`` and
    ``output_high`` (range inputs: scalars or per-channel tensors that broadcast)."""
    x = as_node(data, "data")
    ranges = [as_node(value, argument, like=x) for value, argument in (
        (input_low, "input_low"), (input_high, "input_high"), (output_low, "output_low"),
        (output_high, "output_high"))]
    return spec.FakeQuantize(x, *ranges, levels=levels, auto_broadcast=auto_broadcast, name=name)
