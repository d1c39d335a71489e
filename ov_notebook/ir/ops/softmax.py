"""Softmax-8 (and Softmax-1, read from older IR) and LogSoftmax-5: same type and shape as data."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ._util import normalize_axis


class _AxisOp(Op):
    """An op normalizing along one attribute ``axis``; output type and shape are the input's."""

    inputs_spec = ("data",)
    attrs = (Attr("axis", "int", 1),)
    negative_axis = True

    def infer(self):
        shape = self.get_input_partial_shape(0)
        axis = self._attrs["axis"]
        if not self.negative_axis and axis < 0:
            self.fail(f"axis must be non-negative in {self.type_name}-{self.version[5:]}, got {axis}")
        if shape.rank_is_static:
            normalize_axis(self, axis, len(shape))
        self.set_output_type(0, self.get_input_element_type(0), shape)


@register_op
class Softmax(_AxisOp):
    """Softmax-8: exp(x) / sum(exp(x)) along ``axis`` (negative axes count from the end)."""

    type_name = "Softmax"
    xml_type = "SoftMax"
    version = "opset8"


@register_op
class Softmax1(_AxisOp):
    """Softmax-1: as Softmax-8 with a non-negative ``axis`` (kept to read older IR)."""

    type_name = "Softmax"
    xml_type = "SoftMax"
    version = "opset1"
    negative_axis = False


@register_op
class LogSoftmax(_AxisOp):
    """LogSoftmax-5: x - log(sum(exp(x))) along ``axis`` (negative axes count from the end)."""

    type_name = "LogSoftmax"
    version = "opset5"
