"""FakeQuantize-1: the quantize-dequantize of INT8 (and other ``levels``) models.

``x`` at or below ``min(input_low, input_high)`` becomes ``output_low``, above
``max(input_low, input_high)`` ``output_high``; in between it snaps to one of ``levels`` evenly
spaced values: ``round((x - il) / (ih - il) * (levels - 1)) / (levels - 1) * (oh - ol) + ol``
(round half to even), in the input's element type. The four range inputs broadcast against ``x``
(numpy rules) - one value per tensor or per channel; the output has ``x``'s shape.
"""
from __future__ import annotations

import numpy as np

from ..attributes import Attr
from ..node import Op, register_op
from ._util import AUTO_BROADCAST, broadcast_shapes, merge_types


def fake_quantize(x, input_low, input_high, output_low, output_high, levels):
    """OpenVINO's reference arithmetic, in ``x``'s dtype."""
    dtype = x.dtype
    steps = dtype.type(levels - 1)
    low = np.minimum(input_low, input_high)
    high = np.maximum(input_low, input_high)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.rint((x - input_low) / (input_high - input_low) * steps) / steps
        value = (scaled * (output_high - output_low) + output_low).astype(dtype)
    value = np.where(x <= low, output_low, np.where(x > high, output_high, value))
    return value.astype(dtype, copy=False)


@register_op
class FakeQuantize(Op):
    """FakeQuantize-1 (see the module docstring)."""

    type_name = "FakeQuantize"
    inputs_spec = ("X", "input_low", "input_high", "output_low", "output_high")
    attrs = (Attr("levels", "int"),
             Attr("auto_broadcast", "str", "numpy", choices=AUTO_BROADCAST))

    def infer(self):
        levels = self._attrs["levels"]
        self.check(levels > 1, f"levels must be greater than 1, got {levels}")
        element_type = merge_types(self, [self.get_input_element_type(i) for i in range(5)],
                                   "X and the four range inputs")
        if element_type.is_static and not element_type.is_real:
            self.fail(f"FakeQuantize works on float tensors, got {element_type}")
        data = self.get_input_partial_shape(0)
        for index in range(1, 5):  # each range broadcasts against X; the output is X's shape
            joint = broadcast_shapes(self, [data, self.get_input_partial_shape(index)],
                                     self._attrs["auto_broadcast"])
            if joint.is_static and data.is_static and \
                    int(np.prod(joint.to_shape())) != int(np.prod(data.to_shape())):
                self.fail(f"{self.inputs_spec[index]} {self.get_input_partial_shape(index)} "
                          f"would broadcast X {data} to {joint}; a range must fit X's shape")
        self.set_output_type(0, element_type, data)

    @staticmethod
    def compute(x, input_low, input_high, output_low, output_high, out=None, *, levels,
                auto_broadcast="numpy"):
        shape = np.broadcast_shapes(x.shape, input_low.shape, input_high.shape,
                                    output_low.shape, output_high.shape)
        result = fake_quantize(np.broadcast_to(x, shape), input_low, input_high, output_low,
                               output_high, levels)
        return result.reshape(x.shape)  # ranges of a higher rank add only leading 1s
