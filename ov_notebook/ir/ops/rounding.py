"""Round-5: element-wise rounding to the nearest integer, ties to even or away from zero."""
from __future__ import annotations

import numpy as np

from ..node import Attr, register_op
from ..types import Type
from .elementwise import ElementwiseOp, fitting


@register_op
class Round(ElementwiseOp):
    """Round-5: rounds to the nearest integer; ``mode`` half_to_even or half_away_from_zero."""

    type_name = "Round"
    version = "opset5"
    inputs_spec = ("data",)
    attrs = (Attr("mode", "str", "half_to_even", choices=("half_to_even", "half_away_from_zero")),)

    def infer(self):
        element_type = self.get_input_element_type(0)
        if element_type is Type.boolean:
            self.fail("data (input 0) must be numeric, got boolean")
        self.set_output_type(0, element_type, self.get_input_partial_shape(0))

    @staticmethod
    def compute(x, *, mode="half_to_even", out=None):
        """As OpenVINO's CPU plugin computes it: integers pass through, halves go to the even
        neighbour, or away from zero as sign(x) * floor(|x| + 0.5) in x's own precision (so
        0.49999997f rounds to 1, as the plugin gives)."""
        if x.dtype.kind != "f":
            return x.copy()
        target = fitting(out, x.shape, x.dtype)
        if mode == "half_to_even":
            return np.asarray(np.rint(x, out=target))
        magnitude = np.abs(x, out=np.empty_like(x))  # an array, even for 0-d x
        magnitude += x.dtype.type(0.5)
        np.floor(magnitude, out=magnitude)
        return np.copysign(magnitude, x, out=magnitude if target is None else target)
