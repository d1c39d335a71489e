"""Convolution and pooling translators: 1/2/3-D, groups, transposed, padding strings, pools with
ceil_mode/count_include_pad/indices, adaptive pools."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randn


def image(channels=4, size=9, batch=1):
    return lambda: (randn(batch, channels, size, size),)


CONVOLUTIONS = {
    "conv2d": (lambda: torch.nn.Conv2d(4, 6, 3), image()),
    "conv2d_stride_pad": (lambda: torch.nn.Conv2d(4, 6, 3, stride=2, padding=1), image()),
    "conv2d_no_bias": (lambda: torch.nn.Conv2d(4, 6, (3, 1), bias=False), image()),
    "conv2d_dilation": (lambda: torch.nn.Conv2d(4, 6, 3, dilation=2, padding=(2, 1)), image()),
    "conv2d_groups": (lambda: torch.nn.Conv2d(4, 6, 3, groups=2), image()),
    "conv2d_depthwise": (lambda: torch.nn.Conv2d(4, 4, 3, groups=4, padding=1), image()),
    "conv2d_same": (lambda: torch.nn.Conv2d(4, 6, 4, padding="same"), image()),
    "conv2d_same_dilated": (lambda: torch.nn.Conv2d(4, 6, 3, padding="same", dilation=2),
                            image()),
    "conv2d_valid": (lambda: torch.nn.Conv2d(4, 6, 3, padding="valid"), image()),
    "conv2d_unbatched": (lambda: torch.nn.Conv2d(4, 6, 3), lambda: (randn(4, 7, 7),)),
    "conv1d": (lambda: torch.nn.Conv1d(4, 6, 3, padding=1), lambda: (randn(2, 4, 10),)),
    "conv1d_same": (lambda: torch.nn.Conv1d(4, 6, 4, padding="same"), lambda: (randn(2, 4, 10),)),
    "conv3d": (lambda: torch.nn.Conv3d(2, 3, 3, padding=1), lambda: (randn(1, 2, 5, 5, 5),)),
    "conv_transpose2d": (lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2), image(size=5)),
    "conv_transpose2d_pads": (lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                               output_padding=1), image(size=5)),
    "conv_transpose2d_groups": (lambda: torch.nn.ConvTranspose2d(4, 6, 3, groups=2, dilation=2),
                                image(size=5)),
    "conv_transpose1d": (lambda: torch.nn.ConvTranspose1d(4, 2, 3, stride=2),
                         lambda: (randn(1, 4, 6),)),
}

POOLS = {
    "max_pool2d": (lambda: torch.nn.MaxPool2d(2), image()),
    "max_pool2d_stride_pad": (lambda: torch.nn.MaxPool2d(3, stride=2, padding=1), image()),
    "max_pool2d_ceil": (lambda: torch.nn.MaxPool2d(3, stride=2, ceil_mode=True), image(size=8)),
    "max_pool2d_ceil_pad": (lambda: torch.nn.MaxPool2d(3, 2, padding=1, ceil_mode=True),
                            image(size=8)),
    "max_pool2d_dilation": (lambda: torch.nn.MaxPool2d(2, stride=1, dilation=2), image()),
    "max_pool2d_indices": (lambda: torch.nn.MaxPool2d(2, return_indices=True), image(size=8)),
    "max_pool1d": (lambda: torch.nn.MaxPool1d(3, stride=2), lambda: (randn(2, 3, 11),)),
    "max_pool3d": (lambda: torch.nn.MaxPool3d(2), lambda: (randn(1, 2, 4, 6, 4),)),
    "avg_pool2d": (lambda: torch.nn.AvgPool2d(2), image()),
    "avg_pool2d_pad_include": (lambda: torch.nn.AvgPool2d(3, 2, padding=1), image()),
    "avg_pool2d_pad_exclude": (lambda: torch.nn.AvgPool2d(3, 2, padding=1,
                                                          count_include_pad=False), image()),
    "avg_pool2d_ceil": (lambda: torch.nn.AvgPool2d(3, 2, ceil_mode=True), image(size=8)),
    "avg_pool2d_ceil_pad_exclude": (lambda: torch.nn.AvgPool2d(3, 2, 1, ceil_mode=True,
                                                               count_include_pad=False),
                                    image(size=8)),
    "avg_pool1d": (lambda: torch.nn.AvgPool1d(3, stride=2), lambda: (randn(2, 3, 11),)),
    "avg_pool3d": (lambda: torch.nn.AvgPool3d(2), lambda: (randn(1, 2, 4, 6, 4),)),
    "adaptive_avg_pool2d_1": (lambda: torch.nn.AdaptiveAvgPool2d(1), image()),
    "adaptive_avg_pool2d_uneven": (lambda: torch.nn.AdaptiveAvgPool2d((3, 4)), image(size=10)),
    "adaptive_avg_pool2d_none": (lambda: torch.nn.AdaptiveAvgPool2d((None, 2)), image()),
    "adaptive_avg_pool1d": (lambda: torch.nn.AdaptiveAvgPool1d(4), lambda: (randn(2, 3, 9),)),
    "adaptive_avg_pool3d": (lambda: torch.nn.AdaptiveAvgPool3d(2), lambda: (randn(1, 2, 4, 5, 6),)),
    "adaptive_max_pool2d": (lambda: torch.nn.AdaptiveMaxPool2d((2, 3)), image()),
    "adaptive_max_pool2d_indices": (lambda: torch.nn.AdaptiveMaxPool2d(2, return_indices=True),
                                    image()),
    "functional_max_pool_unbatched": (lambda: Lambda(lambda x: F.max_pool2d(x, 2)),
                                      lambda: (randn(3, 6, 6),)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(CONVOLUTIONS))
def test_convolution(make_module, make_inputs, route):
    torch.manual_seed(0)
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(POOLS))
def test_pooling(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("route", ["export", "trace"])
def test_avg_pool_divisor_override(route):  # more cases in test_layers_gaps.py
    check_layer(Lambda(lambda x: F.avg_pool2d(x, 2, divisor_override=3)), image()(), route)
