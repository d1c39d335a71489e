"""Other spellings of translated ops and small compositions from OpenVINO's op table: the FX
``*_copy`` views, multiply, clip, special_expit, mv, tile, lift/alias_copy, copy, zero, erfc,
rad2deg, movedim, dot, logaddexp, log_sigmoid, lerp, hstack, vstack; against torch and OpenVINO."""
import pytest
import torch
import torch.nn.functional as F

from breadth_harness import check_op, params, randint, randn

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]
aten = torch.ops.aten


def x34():
    return (randn(3, 4),)


def view_copies(x):
    moved = aten.permute_copy(x, [1, 0])
    picked = aten.select_copy(moved, 0, 1) + aten.slice_copy(x, 1, 1, 3).sum()
    return aten.view_copy(moved, [2, 6]), picked, aten.unsqueeze_copy(picked, 0)


def multiply(x, y):
    return torch.multiply(x, y)


def clip(x):
    return torch.clip(x, -0.5, 0.5)


def expit(x):
    return torch.special.expit(x)


def mv(x, v):
    return torch.mv(x, v)


def tile(x):
    return torch.tile(x, (2,)), torch.tile(x, (2, 1, 3))


def zero(x):
    return torch.zero_(x.clone()) + 1


def erfc(x):
    return torch.erfc(x)


def rad2deg(x):
    return torch.rad2deg(x)


def movedim(x):
    return torch.movedim(x, (0, 2), (2, 3))


def dot(x, y):
    return torch.dot(x, y)


def logaddexp(x, y):
    return torch.logaddexp(x, y)


def log_sigmoid(x):
    return F.logsigmoid(x)


def lerp(x, y):
    return torch.lerp(x, y, 0.3), torch.lerp(x, y, torch.full_like(x, 0.7))


def hstack(x, y):
    return torch.hstack([x, y])


def vstack(x, y):
    return torch.vstack((x, y))


ALIASES = {
    "view_copies": (view_copies, x34, None, ("export", "dynamic")),
    "multiply": (multiply, lambda: (randn(3, 4), randint(-3, 3, 4)), multiply),
    "clip": (clip, x34, clip),
    "special_expit": (expit, x34, expit),
    "mv": (mv, lambda: (randn(3, 4), randn(4, seed=1)), mv),
    "tile": (tile, lambda: (randn(2, 3),), tile),
    "zero": (zero, x34, zero),
    "erfc": (erfc, x34, erfc),
    "erfc_int": (erfc, lambda: (randint(-2, 3, 5),)),
    "rad2deg": (rad2deg, x34, rad2deg),
    "movedim": (movedim, lambda: (randn(2, 3, 4, 5),), movedim),
    "dot": (dot, lambda: (randn(5), randn(5, seed=1)), dot),
    "dot_int": (dot, lambda: (randint(-5, 5, 5), randint(-5, 5, 5, seed=1))),
    "logaddexp": (logaddexp, lambda: (randn(3, 4) * 50, randn(4, seed=1) * 50), logaddexp),
    "log_sigmoid": (log_sigmoid, lambda: (randn(3, 4) * 30,), log_sigmoid),
    "lerp": (lerp, lambda: (randn(3, 4), randn(3, 4, seed=1)), lerp),
    "hstack_2d": (hstack, lambda: (randn(3, 2), randn(3, 4, seed=1)), hstack),
    "hstack_1d_int_float": (hstack, lambda: (randint(0, 9, 2), randn(3, seed=1))),
    "vstack_1d": (vstack, lambda: (randn(4), randn(4, seed=1)), vstack),
    "vstack_2d": (vstack, lambda: (randn(2, 4), randn(1, 4, seed=1)), vstack),
}


@pytest.mark.parametrize("function, make_inputs, script, route", params(ALIASES))
def test_alias(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)
