"""Col2Im-15: the sum of sliding blocks back into an image (torch's ``fold``)."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._util import value_of


def blocks_along(size, kernel, stride, dilation, pad_begin, pad_end):
    """How many blocks fit along one axis of an image of ``size``."""
    return (size + pad_begin + pad_end - dilation * (kernel - 1) - 1) // stride + 1


@register_op
class Col2Im(Op):
    """Col2Im-15: ``data`` [N, C * KH * KW, L] (or unbatched [C * KH * KW, L]) holds L blocks
    of KH x KW values per channel; each is added into a zero image of ``output_size`` at its
    block position (``strides``, ``dilations``, ``pads_begin``/``pads_end`` as a convolution's):
    the output is [N, C, H, W]."""

    type_name = "Col2Im"
    version = "opset15"
    inputs_spec = ("data", "output_size", "kernel_size")
    attrs = (Attr("strides", "ints", [1, 1]), Attr("dilations", "ints", [1, 1]),
             Attr("pads_begin", "ints", [0, 0]), Attr("pads_end", "ints", [0, 0]))

    def infer(self):
        for name, low in (("strides", 1), ("dilations", 1), ("pads_begin", 0), ("pads_end", 0)):
            values = self._attrs[name]
            if len(values) != 2 or any(v < low for v in values):
                self.fail(f"{name} must hold 2 values of at least {low}, got {values}")
        types = [self.get_input_element_type(i) for i in (1, 2)]
        if any(t.is_static and t not in (Type.i32, Type.i64) for t in types) or (
                all(t.is_static for t in types) and types[0] != types[1]):
            self.fail(f"output_size and kernel_size must both be i32 or both i64, got "
                      f"{types[0]} and {types[1]}")
        for index, what in ((1, "output_size"), (2, "kernel_size")):
            shape = self.get_input_partial_shape(index)
            if shape.rank_is_static and (len(shape) != 1 or not shape[0].compatible(2)):
                self.fail(f"{what} (input {index}) must hold 2 values, got shape {shape}")
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        if not data.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        if len(data) not in (2, 3):
            self.fail(f"data (input 0) must be [C * KH * KW, L] or [N, C * KH * KW, L], got {data}")
        size, kernel = value_of(self, 1), value_of(self, 2)
        size = None if size is None else [int(v) for v in size.reshape(-1)]
        kernel = None if kernel is None else [int(v) for v in kernel.reshape(-1)]
        columns, blocks = data[-2], data[-1]
        channels = Dimension()
        if kernel is not None and columns.is_static:
            taps = kernel[0] * kernel[1]
            if taps <= 0 or columns.get_length() % taps:
                self.fail(f"data dimension {columns} must divide by the kernel's {kernel} taps")
            channels = Dimension(columns.get_length() // taps)
        if size is not None and kernel is not None and blocks.is_static:
            count = 1
            for axis in range(2):
                count *= blocks_along(size[axis], kernel[axis], self._attrs["strides"][axis],
                                      self._attrs["dilations"][axis],
                                      self._attrs["pads_begin"][axis], self._attrs["pads_end"][axis])
            if count != blocks.get_length():
                self.fail(f"output_size {size} and kernel_size {kernel} make {count} blocks, "
                          f"data has {blocks}")
        spatial = [Dimension(v) for v in size] if size is not None else [Dimension(), Dimension()]
        batch = [data[0]] if len(data) == 3 else []
        self.set_output_type(0, element_type, batch + [channels] + spatial)
