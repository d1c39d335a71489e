"""Upsampling translators -> Interpolate-11 over the spatial axes.

torch's coordinate rules map onto OpenVINO's: nearest -> asymmetric + floor, nearest-exact ->
half_pixel + round_prefer_ceil, (bi/tri)linear and bicubic -> pytorch_half_pixel, or
align_corners. Given scale factors, torch sizes the output as floor(size * scale) and maps
coordinates with 1 / scale, which is Interpolate's "scales" mode; given sizes, "sizes" mode.
Antialiased bilinear/bicubic (torch's Pillow-style filters) -> the bilinear/bicubic_pillow modes.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .... import opset as ops
from ..registry import translator
from ._common import as_list, i64, known_arg, out, sizes_input


def _scales(ctx, spatial):
    """Scale factors from ``scale_factors`` (.vec overloads) or ``scales_d/h/w``, or None."""
    factors = known_arg(ctx, None, "scale_factors")
    if factors is None:
        names = {1: ["scales"], 2: ["scales_h", "scales_w"],
                 3: ["scales_d", "scales_h", "scales_w"]}[spatial]
        factors = [known_arg(ctx, None, n) for n in names]
        if any(f is None for f in factors):
            return None
    factors = as_list(factors)
    return factors * spatial if len(factors) == 1 else factors


def _interpolate(ctx, mode, coordinates, nearest_mode="floor", cube_coeff=-0.75):
    spatial = int(re.search(r"(\d)d", ctx.op).group(1))
    axes = i64(list(range(2, 2 + spatial)))
    scales = _scales(ctx, spatial)
    if scales is not None:
        target, calculation = ctx.const(np.array(scales, np.float32)), "scales"
    elif ctx.is_none(None, "output_size"):
        ctx.fail("upsampling needs output_size or scale factors")
    else:
        target, calculation = sizes_input(ctx, None, "output_size"), "sizes"
    return out(ops.interpolate(ctx.input(0), target, mode, calculation,
                               coordinate_transformation_mode=coordinates,
                               nearest_mode=nearest_mode, cube_coeff=cube_coeff, axes=axes))


def _coordinates(ctx):
    return "align_corners" if ctx.arg(None, "align_corners", False) else "pytorch_half_pixel"


@translator(*[f"aten{sep}upsample_nearest{n}d" for sep in (".", "::") for n in (1, 2, 3)])
def upsample_nearest(ctx):
    # aten::upsample_nearest2d(Tensor self, SymInt[2] output_size, float? scales_h=None,
    #   float? scales_w=None) | .vec(Tensor input, SymInt[]? output_size, float[]? scale_factors)
    return _interpolate(ctx, "nearest", "asymmetric", "floor")


@translator(*[f"aten{sep}_upsample_nearest_exact{n}d" for sep in (".", "::") for n in (1, 2, 3)])
def upsample_nearest_exact(ctx):
    # aten::_upsample_nearest_exact2d(Tensor self, SymInt[2] output_size, float? scales_h=None,
    #   float? scales_w=None): source index floor((dst + 0.5) / scale)
    return _interpolate(ctx, "nearest", "half_pixel", "round_prefer_ceil")


@translator("aten.upsample_linear1d", "aten::upsample_linear1d", "aten.upsample_bilinear2d",
            "aten::upsample_bilinear2d", "aten.upsample_trilinear3d", "aten::upsample_trilinear3d")
def upsample_linear(ctx):
    # aten::upsample_bilinear2d(Tensor self, SymInt[2] output_size, bool align_corners,
    #   float? scales_h=None, float? scales_w=None) | .vec(Tensor input, SymInt[]? output_size,
    #   bool align_corners, float[]? scale_factors)
    return _interpolate(ctx, "linear", _coordinates(ctx))


@translator("aten.upsample_bicubic2d", "aten::upsample_bicubic2d")
def upsample_bicubic(ctx):
    # aten::upsample_bicubic2d(Tensor self, SymInt[2] output_size, bool align_corners,
    #   float? scales_h=None, float? scales_w=None); torch's cubic kernel has A = -0.75
    return _interpolate(ctx, "cubic", _coordinates(ctx), cube_coeff=-0.75)


@translator("aten._upsample_bilinear2d_aa", "aten::_upsample_bilinear2d_aa",
            "aten._upsample_bicubic2d_aa", "aten::_upsample_bicubic2d_aa")
def upsample_antialiased(ctx):
    # aten::_upsample_bilinear2d_aa(Tensor self, SymInt[2] output_size, bool align_corners,
    #   float? scales_h=None, float? scales_w=None) | .vec(Tensor input, SymInt[]? output_size,
    #   bool align_corners, float[]? scale_factors). torch's antialiasing is Pillow's resampling
    # (triangle, or cubic with a = -0.5, widened by the downscale factor, centred at
    # (i + 0.5) * in / out), which Interpolate-11's *_pillow modes compute
    image = ctx.input(0)
    if ctx.arg(None, "align_corners", False):
        ctx.fail("antialiased interpolation with align_corners=True is not supported: "
                 "OpenVINO's Pillow modes centre the filters on pixel centres")
    if not image.get_element_type().is_real:
        ctx.fail("antialiased interpolation of integer images is not supported: torch's uint8 "
                 "path rounds with fixed-point weights, 1 off OpenVINO's for some pixels")
    mode = "bicubic_pillow" if "bicubic" in ctx.op else "bilinear_pillow"
    return out(ops.interpolate(image, _antialias_sizes(ctx, image), mode, "sizes",
                               axes=i64([2, 3])))


def _antialias_sizes(ctx, image):
    """Output sizes; with scale factors, torch filters with 1 / scale where Pillow uses
    in / out: the same only when size * scale is a whole number."""
    scales = _scales(ctx, 2)
    if scales is None:
        if ctx.is_none(None, "output_size"):
            ctx.fail("upsampling needs output_size or scale factors")
        return sizes_input(ctx, None, "output_size")
    dims = list(image.get_partial_shape())[2:]
    if not all(d.is_static for d in dims):
        ctx.fail("antialiased interpolation by scale factors needs static spatial sizes")
    lengths = [d.get_length() * scale for d, scale in zip(dims, scales)]
    if any(length - math.floor(length) > 1e-6 * max(length, 1) for length in lengths):
        ctx.fail(f"antialiased interpolation by scale factors {scales} of sizes "
                 f"{[d.get_length() for d in dims]}: torch filters with 1 / scale, OpenVINO with "
                 "input / output size, which differ unless the output sizes are whole; pass "
                 "size= or recompute_scale_factor=True")
    return i64([math.floor(length) for length in lengths])  # torch's output sizes
