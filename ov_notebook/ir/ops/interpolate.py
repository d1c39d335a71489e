"""Interpolate-11 (and Interpolate-4, read from older IR): resizing along chosen axes.

Output lengths follow OpenVINO exactly: ``sizes`` are taken as given, ``scales`` give
``int(float32(padded_length) * (float32(scale) + 1e-6f))``.
"""
from __future__ import annotations

import numpy as np

from ..node import REQUIRED, Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._util import dims_of, value_of

MODES = ("nearest", "linear", "linear_onnx", "cubic", "bilinear_pillow", "bicubic_pillow")
SHAPE_MODES = ("sizes", "scales")
COORDINATE_MODES = ("half_pixel", "pytorch_half_pixel", "asymmetric", "tf_half_pixel_for_nn",
                    "align_corners")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "simple")

_DATA_TYPES = (Type.f32, Type.f16, Type.bf16, Type.f64, Type.i8, Type.u8, Type.i32, Type.i64)
_INDEX_TYPES = (Type.i32, Type.i64, Type.u32, Type.u64)
_SCALE_TYPES = (Type.f32, Type.f16, Type.bf16)
_SCALE_EPSILON = np.float32(1e-6)


def scaled_length(length: int, scale) -> int:
    """The output length OpenVINO gives ``length`` for ``scale`` (float32 arithmetic, truncated)."""
    scale = np.float32(scale)
    if scale == 1:
        return int(length)
    return int(np.float32(length) * (scale + _SCALE_EPSILON))


def _scaled_dim(dim: Dimension, scale) -> Dimension:
    low, high = dim.get_interval()
    if dim.is_static:
        return Dimension(scaled_length(low, scale))
    return Dimension(scaled_length(low, scale), -1 if high == -1 else scaled_length(high, scale))


def _padded_dim(dim: Dimension, pad: int) -> Dimension:
    if pad == 0:
        return dim
    low, high = dim.get_interval()
    return Dimension(low + pad) if dim.is_static else Dimension(low + pad, -1 if high == -1 else high + pad)


_ATTRS = (
    Attr("mode", "str", REQUIRED, choices=MODES),
    Attr("shape_calculation_mode", "str", REQUIRED, choices=SHAPE_MODES),
    Attr("coordinate_transformation_mode", "str", "half_pixel", choices=COORDINATE_MODES),
    Attr("nearest_mode", "str", "round_prefer_floor", choices=NEAREST_MODES),
    Attr("antialias", "bool", False),
    Attr("pads_begin", "shape", []),
    Attr("pads_end", "shape", []),
    Attr("cube_coeff", "float", -0.75),
)


@register_op
class Interpolate(Op):
    """Interpolate-11: resizes ``image`` on ``axes`` (all axes when absent) to the lengths given by
    ``scales_or_sizes``, after zero padding; modes nearest, linear, linear_onnx, cubic,
    bilinear_pillow, bicubic_pillow."""

    type_name = "Interpolate"
    version = "opset11"
    inputs_spec = ("image", "scales_or_sizes", "axes?")
    attrs = _ATTRS
    sizes_index = scales_index = 1
    axes_index = 2

    def infer(self):
        self._check_types()
        for index in range(1, len(self._inputs)):
            shape = self.get_input_partial_shape(index)
            if shape.rank_is_static and len(shape) != 1:
                self.fail(f"input {index} must be 1-D, got shape {shape}")
        shape = self.get_input_partial_shape(0)
        if not shape.rank_is_static:
            self.set_output_type(0, self.get_input_element_type(0), shape)
            return
        rank = len(shape)
        # OpenVINO stores the pads resized to the rank, and writes them so
        for name in ("pads_begin", "pads_end"):
            self._attrs[name] = (list(self._attrs[name]) + [0] * rank)[:rank]
        axes = self._axes(rank)
        if axes is None:
            self.set_output_type(0, self.get_input_element_type(0), PartialShape.dynamic(rank))
            return
        pads = [b + e for b, e in zip(self._attrs["pads_begin"], self._attrs["pads_end"])]
        dims = [_padded_dim(d, p) for d, p in zip(shape, pads)]
        for axis, dim in zip(axes, self._target_dims(dims, axes)):
            dims[axis] = dim
        self.set_output_type(0, self.get_input_element_type(0), PartialShape(dims))

    def _check_types(self):
        image = self.get_input_element_type(0)
        if not image.is_dynamic() and image not in _DATA_TYPES:
            self.fail(f"image (input 0) must be one of {', '.join(map(str, _DATA_TYPES))}, got {image}")
        by_scales = self._attrs["shape_calculation_mode"] == "scales"
        index, allowed, name = ((self.scales_index, _SCALE_TYPES, "scales") if by_scales
                                else (self.sizes_index, _INDEX_TYPES, "sizes"))
        checks = [(index, allowed, name)]
        if len(self._inputs) > self.axes_index:
            checks.append((self.axes_index, _INDEX_TYPES, "axes"))
        for index, allowed, name in checks:
            element_type = self.get_input_element_type(index)
            if not element_type.is_dynamic() and element_type not in allowed:
                self.fail(f"{name} (input {index}) must be one of {', '.join(map(str, allowed))}, "
                          f"got {element_type}")

    def _axes(self, rank):
        if len(self._inputs) <= self.axes_index:
            return list(range(rank))
        value = value_of(self, self.axes_index)
        if value is None:
            return None
        axes = [int(a) for a in value.reshape(-1)]
        if any(not 0 <= a < rank for a in axes):
            self.fail(f"axes {axes} must be in [0, {rank - 1}] (the image rank is {rank})")
        return axes

    def _target_dims(self, dims, axes):
        """Output dims on ``axes`` (dynamic where the sizes or scales are not known)."""
        if self._attrs["shape_calculation_mode"] == "sizes":
            sizes = dims_of(self, self.sizes_index)
            if sizes is None:
                return [Dimension()] * len(axes)
            self._check_count(len(sizes), len(axes), "sizes")
            return [s if isinstance(s, Dimension) else Dimension() for s in sizes[:len(axes)]]
        scales = value_of(self, self.scales_index)
        if scales is None:
            return [Dimension()] * len(axes)
        scales = scales.reshape(-1)
        self._check_count(scales.size, len(axes), "scales")
        return [_scaled_dim(dims[axis], scale) for axis, scale in zip(axes, scales)]

    def _check_count(self, count, wanted, name):
        if count < wanted:
            self.fail(f"{name} has {count} elements but there are {wanted} axes to resize")


@register_op
class Interpolate4(Interpolate):
    """Interpolate-4: Interpolate-11 with separate ``sizes`` and ``scales`` inputs (kept to read
    older IR); shape_calculation_mode says which one counts."""

    version = "opset4"
    inputs_spec = ("image", "sizes", "scales", "axes?")
    sizes_index, scales_index, axes_index = 1, 2, 3
