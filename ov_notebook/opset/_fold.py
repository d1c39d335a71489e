"""Builder for Col2Im (``openvino.opset`` signature)."""
from __future__ import annotations

from ..ir.ops import fold as spec
from ._base import as_node, builder


@builder
def col2im(data, output_size, kernel_size, strides=None, dilations=None, pads_begin=None,
           pads_end=None, name=None) -> spec.Col2Im:
    """Col2Im-15: ``col2im(blocks, [5, 6], [2, 2])`` is ``torch.nn.functional.fold`` (absent
    strides/dilations are 1, absent pads 0)."""
    return spec.Col2Im(as_node(data, "data"), as_node(output_size, "output_size"),
                       as_node(kernel_size, "kernel_size", like=as_node(output_size)),
                       strides=strides or [1, 1], dilations=dilations or [1, 1],
                       pads_begin=pads_begin or [0, 0], pads_end=pads_end or [0, 0], name=name)
