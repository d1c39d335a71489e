"""isnan, isinf, isfinite, atan2, pixel_shuffle, pixel_unshuffle, channel_shuffle,
take_along_dim, aminmax, fill, _shape_as_tensor; against torch and real OpenVINO."""
import math

import pytest
import torch
import torch.nn.functional as F

from breadth_harness import check_op, params, randint, randn

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]


def specials():
    x = randn(3, 4)
    x[0, :3] = torch.tensor([math.nan, math.inf, -math.inf])
    return (x,)


def checks(x):
    return torch.isnan(x), torch.isinf(x), torch.isfinite(x)


def atan2(y, x):
    return torch.atan2(y, x)


def quadrants():
    y = torch.tensor([1.0, 1.0, -1.0, -1.0, 0.0, 0.0, 2.0, -2.0, 0.0, 3.0])
    x = torch.tensor([1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 0.0, 0.0, 0.0, 1e-8])
    return y, x


def pixel_shuffle(x):
    return F.pixel_shuffle(x, 2)


def pixel_unshuffle(x):
    return F.pixel_unshuffle(x, 2)


def channel_shuffle(x):
    return F.channel_shuffle(x, 3)


def take_along_dim(x, indices):
    return torch.take_along_dim(x, indices, 1)


def take_flat(x, indices):
    return torch.take_along_dim(x, indices)


def aminmax(x):
    low, high = torch.aminmax(x, dim=1, keepdim=True)
    everything = torch.aminmax(x)
    return low, high, everything[0], everything[1]


def fill(x):
    return torch.fill(x, 2.5)


def shape_as_tensor(x):
    return torch._shape_as_tensor(x) * 2


EXTRAS = {
    "isnan_isinf_isfinite": (checks, specials, checks),
    "checks_int": (checks, lambda: (randint(-5, 5, 4),)),
    "atan2_quadrants": (atan2, quadrants, atan2),
    "atan2_random": (atan2, lambda: (randn(3, 4), randn(4, seed=1)), atan2),
    "atan2_int": (atan2, lambda: (randint(-5, 5, 6), randint(-5, 5, 6, seed=1))),
    "pixel_shuffle": (pixel_shuffle, lambda: (randn(2, 8, 3, 5),), pixel_shuffle),
    "pixel_unshuffle": (pixel_unshuffle, lambda: (randn(2, 3, 4, 6),), pixel_unshuffle),
    "channel_shuffle": (channel_shuffle, lambda: (randn(2, 6, 3, 3),), None,
                        ("export", "trace")),
    "take_along_dim": (take_along_dim, lambda: (randn(3, 5), randint(-5, 5, 3, 2)),
                       take_along_dim),
    "take_along_dim_broadcast": (take_along_dim, lambda: (randn(3, 5, 1),
                                                          randint(0, 5, 1, 4, 2)),
                                 take_along_dim),
    "take_along_dim_flat": (take_flat, lambda: (randn(3, 5), randint(0, 15, 4)), take_flat),
    "aminmax": (aminmax, lambda: (randn(3, 5),), aminmax),
    "aminmax_int": (aminmax, lambda: (randint(-9, 9, 3, 5),)),
    # torch.jit.trace cannot trace torch.fill, torch.export cannot export _shape_as_tensor
    "fill": (fill, lambda: (randn(3, 5),), fill, ("export", "script", "dynamic")),
    "fill_int": (fill, lambda: (randint(-9, 9, 3, 5),), None, ("export", "dynamic")),
    "shape_as_tensor": (shape_as_tensor, lambda: (randn(3, 5),), shape_as_tensor,
                        ("trace", "script")),
}


@pytest.mark.parametrize("function, make_inputs, script, route", params(EXTRAS))
def test_table_extra(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)
