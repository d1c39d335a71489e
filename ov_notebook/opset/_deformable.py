"""Builder for DeformableConvolution (``openvino.opset`` signature)."""
from __future__ import annotations

from ..ir.ops import deformable as spec
from ._base import as_node, builder


@builder
def deformable_convolution(data, offsets, filters, strides, pads_begin, pads_end, dilations,
                           mask=None, auto_pad="EXPLICIT", group=1, deformable_group=1,
                           bilinear_interpolation_pad=False,
                           name=None) -> spec.DeformableConvolution:
    """DeformableConvolution-8: ``deformable_convolution(x, offsets, w, [1, 1], [1, 1], [1, 1],
    [1, 1], mask)``."""
    inputs = [as_node(data, "data"), as_node(offsets, "offsets"), as_node(filters, "filters")]
    if mask is not None:
        inputs.append(as_node(mask, "mask"))
    return spec.DeformableConvolution(
        *inputs, strides=strides, pads_begin=pads_begin, pads_end=pads_end, dilations=dilations,
        auto_pad=auto_pad, group=group, deformable_group=deformable_group,
        bilinear_interpolation_pad=bilinear_interpolation_pad, name=name)
