"""Round-5 kernel."""
from __future__ import annotations

from ...ir.ops.rounding import round_values
from . import kernel


@kernel("Round")
def round_(x, *, mode="half_to_even"):  # nearest integer; halves to even or away from zero
    return round_values(x, mode)
