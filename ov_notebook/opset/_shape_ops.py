"""Builders for Reshape, Squeeze, Unsqueeze, Transpose (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import shape_ops as spec
from ._base import as_node, builder


@builder
def reshape(node, output_shape, special_zero, name=None) -> spec.Reshape:
    """Reshape-1: ``reshape(x, [0, -1], special_zero=True)`` keeps dimension 0, infers the rest."""
    return spec.Reshape(as_node(node, "node"), as_node(output_shape, "output_shape"),
                        special_zero=special_zero, name=name)


@builder
def squeeze(data, axes=None, allow_axis_skip=False, name=None) -> spec.Squeeze:
    """Squeeze-15: removes size-1 dimensions (only ``axes`` when given)."""
    inputs = [as_node(data, "data")] + ([] if axes is None else [as_node(axes, "axes")])
    return spec.Squeeze(*inputs, allow_axis_skip=allow_axis_skip, name=name)


@builder
def unsqueeze(data, axes, name=None) -> spec.Unsqueeze:
    """Unsqueeze-1: inserts size-1 dimensions at ``axes``."""
    return spec.Unsqueeze(as_node(data, "data"), as_node(axes, "axes"), name=name)


@builder
def transpose(data, input_order, name=None) -> spec.Transpose:
    """Transpose-1: permutes dimensions; an empty ``input_order`` reverses them."""
    return spec.Transpose(as_node(data, "data"), as_node(input_order, "input_order"), name=name)


@builder(older_version_of="squeeze")
def _squeeze_1(data, axes, name=None) -> spec.Squeeze1:
    """Squeeze-1 (``openvino.opset1.squeeze``)."""
    return spec.Squeeze1(as_node(data, "data"), as_node(axes, "axes"), name=name)
