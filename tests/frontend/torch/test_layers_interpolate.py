"""Upsampling translators (nn.Upsample and F.interpolate variants)."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randn


def image(size=(5, 6)):
    return lambda: (randn(1, 2, *size),)


def interp(**kwargs):
    return lambda: Lambda(lambda x: F.interpolate(x, **kwargs))


UPSAMPLING = {
    "nearest_scale": (interp(scale_factor=2, mode="nearest"), image()),
    "nearest_fractional_scale": (interp(scale_factor=1.5, mode="nearest"), image()),
    "nearest_size": (interp(size=(7, 13), mode="nearest"), image()),
    "nearest_downscale": (interp(size=(3, 4), mode="nearest"), image()),
    "nearest_exact": (interp(size=(8, 9), mode="nearest-exact"), image()),
    "bilinear_scale": (interp(scale_factor=2, mode="bilinear"), image()),
    "bilinear_align_corners": (interp(scale_factor=2, mode="bilinear", align_corners=True),
                               image()),
    "bilinear_size": (interp(size=(8, 4), mode="bilinear"), image()),
    "bilinear_size_align_corners": (interp(size=(8, 11), mode="bilinear", align_corners=True),
                                    image()),
    "bilinear_fractional_scale": (interp(scale_factor=(1.5, 0.75), mode="bilinear"), image()),
    "bilinear_recompute_scale": (interp(scale_factor=1.7, mode="bilinear",
                                        recompute_scale_factor=True), image()),
    "bicubic_scale": (interp(scale_factor=2, mode="bicubic"), image()),
    "bicubic_align_corners": (interp(size=(9, 7), mode="bicubic", align_corners=True), image()),
    "linear_1d": (interp(scale_factor=2, mode="linear"), lambda: (randn(1, 2, 5),)),
    "nearest_1d": (interp(size=9, mode="nearest"), lambda: (randn(1, 2, 5),)),
    "trilinear_3d": (interp(scale_factor=2, mode="trilinear"), lambda: (randn(1, 2, 3, 4, 2),)),
    "nearest_3d": (interp(size=(4, 5, 6), mode="nearest"), lambda: (randn(1, 2, 3, 4, 2),)),
    "upsample_module": (lambda: torch.nn.Upsample(scale_factor=2, mode="nearest"), image()),
    "upsampling_bilinear2d": (lambda: torch.nn.UpsamplingBilinear2d(scale_factor=2), image()),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(UPSAMPLING))
def test_upsampling(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
