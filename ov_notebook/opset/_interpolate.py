"""Builder for Interpolate-11 (``openvino.opset11.interpolate`` signature)."""
from __future__ import annotations

from ..ir.ops import interpolate as spec
from ._base import as_node, builder


@builder
def interpolate(image, scales_or_sizes, mode, shape_calculation_mode, pads_begin=None,
                pads_end=None, coordinate_transformation_mode="half_pixel",
                nearest_mode="round_prefer_floor", antialias=False, cube_coeff=-0.75, axes=None,
                name=None) -> spec.Interpolate:
    """Interpolate-11. Python ints become i64 sizes and floats f32 scales; ``axes`` default to
    every axis."""
    inputs = [as_node(image, "image"), as_node(scales_or_sizes, "scales_or_sizes")]
    if axes is not None:
        inputs.append(as_node(axes, "axes"))
    return spec.Interpolate(
        *inputs, mode=mode, shape_calculation_mode=shape_calculation_mode,
        pads_begin=[] if pads_begin is None else pads_begin,
        pads_end=[] if pads_end is None else pads_end,
        coordinate_transformation_mode=coordinate_transformation_mode, nearest_mode=nearest_mode,
        antialias=antialias, cube_coeff=cube_coeff, name=name)
