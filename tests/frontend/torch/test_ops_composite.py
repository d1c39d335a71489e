"""Ops composed from existing operations: linspace, tensor_split, meshgrid, repeat_interleave,
glu, addcmul, addcdiv, the inverse/hyperbolic trigonometric functions, one-argument where and
nonzero_numpy, all/any of uint8, narrow (tensor start), permute, sub/rsub with alpha computed at
run time, negative indices into split pieces, slices with None bounds; on every route, against
torch and real OpenVINO."""
import pytest
import torch
import torch.nn.functional as F

import ov_notebook as ov
from breadth_harness import check_op, params, randint, randn

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]


def x34():
    return (randn(3, 4),)


def linspace(x):
    return x + torch.linspace(-1.0, 2.0, 4)


def linspace_steps(x):
    return torch.linspace(0, 10, x.shape[0] + 4, dtype=torch.int64)


def linspace_tensor_bounds(x):
    return torch.linspace(x.min(), x.max(), 7)


# (scripted functions return tuples: a Tensor[] returned as the graph's output is not unpacked
# into model outputs by the TorchScript decoder)
def tensor_split_sections(x):
    a, b, c = torch.tensor_split(x, 3, dim=1)
    return a, b, c


def tensor_split_indices(x):
    a, b, c, d = torch.tensor_split(x, [1, 3, 9], dim=-1)
    return a, b, c, d


def meshgrid_ij(x, y):
    a, b = torch.meshgrid(x, y, indexing="ij")
    return a, b


def meshgrid_xy(x, y):
    a, b, c = torch.meshgrid([x, y, x], indexing="xy")
    return a, b, c


def repeat_int(x):
    return x.repeat_interleave(2, dim=1)


def repeat_flat(x):
    return x.repeat_interleave(3)


def repeat_tensor(x, repeats):
    return x.repeat_interleave(repeats, dim=0)


def repeat_indices(repeats):
    return torch.repeat_interleave(repeats)


def glu(x):
    return F.glu(x, 1)


def addcmul(x, y, z):
    return torch.addcmul(x, y, z, value=0.5)


def addcdiv(x, y, z):
    return torch.addcdiv(x, y, z.abs() + 1, value=-2)


def where_one(x):
    rows, columns = torch.where(x > 0)
    return rows, columns


def nonzero_tuple(x):
    return torch.nonzero(x, as_tuple=True)


def all_u8(x):
    return torch.all(x), torch.any(x, 1)


def narrow_tensor_start(x, start):
    return x.narrow(1, start, 2)


def permute(x):
    return x.permute(2, 0, 1)


def sub_alpha_run_time(x, y):
    return torch.sub(x, y, alpha=x.size(0)) + torch.rsub(x, y, alpha=x.size(1))


def split_negative(x):
    return x.split(2, 1)[-1] * x.split(2, 0)[-2].sum() + torch.chunk(x, 3, 1)[-2].sum()


def slice_none(x):
    return x[None:2, 1:None] + x[:, :3:2].sum()


TRIGONOMETRY = {name: (getattr(torch, name), lambda: (randn(3, 4).clamp(-0.99, 0.99),))
                for name in ("acos", "asin", "atanh", "asinh", "cosh", "sinh")}
TRIGONOMETRY["acosh"] = (torch.acosh, lambda: (randn(3, 4).abs() + 1,))
TRIGONOMETRY["asin_int"] = (torch.asin, lambda: (randint(-1, 2, 3, 4),))
TRIGONOMETRY["cosh_f64"] = (torch.cosh, lambda: (randn(3, 4, dtype=torch.float64),))

COMPOSITES = {
    "linspace": (linspace, x34, linspace),
    "linspace_int_run_time_steps": (linspace_steps, x34, linspace_steps),
    "linspace_tensor_bounds": (linspace_tensor_bounds, x34),
    "linspace_one_step": (lambda x: torch.linspace(3, 5, 1) + x, x34),
    "tensor_split_sections": (tensor_split_sections, lambda: (randn(2, 7),),
                              tensor_split_sections),
    "tensor_split_indices": (tensor_split_indices, x34, tensor_split_indices),
    "tensor_split_int": (lambda x: torch.tensor_split(x, 5), lambda: (randint(0, 9, 3, 2),)),
    "meshgrid_ij": (meshgrid_ij, lambda: (randn(3), randn(4, seed=1)), meshgrid_ij),
    "meshgrid_xy": (meshgrid_xy, lambda: (randn(3), randn(4, seed=1)), meshgrid_xy),
    "meshgrid_int_scalar": (lambda x, y: torch.meshgrid(x, y, indexing="ij"),
                            lambda: (randint(0, 9, 3), torch.tensor(7))),
    "repeat_interleave_int": (repeat_int, x34, repeat_int),
    "repeat_interleave_flat": (repeat_flat, lambda: (randint(0, 9, 2, 3),), repeat_flat),
    "repeat_interleave_tensor": (repeat_tensor, lambda: (randn(3, 2), torch.tensor([2, 0, 3])),
                                 repeat_tensor),
    "repeat_interleave_one_repeat": (repeat_tensor, lambda: (randn(3, 2), torch.tensor([2]))),
    "repeat_interleave_indices": (repeat_indices, lambda: (torch.tensor([1, 3, 0, 2]),),
                                  repeat_indices),
    "glu": (glu, lambda: (randn(2, 6, 3),), glu),
    "glu_last": (lambda x: F.glu(x), x34),
    "addcmul": (addcmul, lambda: (randn(3, 4), randn(4, seed=1), randn(3, 1, seed=2)), addcmul),
    "addcmul_int": (lambda x, y, z: torch.addcmul(x, y, z, value=3),
                    lambda: (randint(-9, 9, 3), randint(-9, 9, 3, seed=1),
                             randint(-9, 9, 3, seed=2))),
    "addcdiv": (addcdiv, lambda: (randn(3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2)),
                addcdiv),
    "where_one_argument": (where_one, lambda: (randn(3, 4),), where_one),
    "nonzero_tuple": (nonzero_tuple, lambda: (randint(0, 2, 2, 3, 2),)),
    "nonzero_tuple_1d": (lambda x: torch.nonzero(x, as_tuple=True)[0] * 2,
                         lambda: (randint(0, 2, 6),)),
    "all_any_uint8": (all_u8, lambda: (randint(0, 3, 3, 4, dtype=torch.uint8),), all_u8),
    "all_any_int": (all_u8, lambda: (randint(0, 3, 3, 4),), all_u8),
    # torch.export cannot export a narrow at a tensor start (an unbacked size)
    "narrow_tensor_start": (narrow_tensor_start, lambda: (randn(3, 5), torch.tensor(2)),
                            narrow_tensor_start, ("trace", "script")),
    "permute": (permute, lambda: (randn(2, 3, 4),), permute),
    "sub_alpha_run_time": (sub_alpha_run_time, lambda: (randn(3, 4), randn(3, 4, seed=1)),
                           sub_alpha_run_time),
    "split_negative_index": (split_negative, lambda: (randn(3, 6),), split_negative),
    "slice_none_bounds": (slice_none, x34, slice_none),
}


@pytest.mark.parametrize("function, make_inputs, script, route", params(COMPOSITES))
def test_composite(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)


@pytest.mark.parametrize("function, make_inputs, script, route",
                         params(TRIGONOMETRY, ("export", "trace", "dynamic")))
def test_trigonometric(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)


@pytest.mark.parametrize("function, inputs", [
    (sub_alpha_run_time, (randn(3, 4), randn(3, 4, seed=1))),
    (split_negative, (randn(3, 6),)),
    (narrow_tensor_start, (randn(3, 5), torch.tensor(2))),
    (linspace_steps, (randn(3, 4),)),
    (repeat_tensor, (randn(3, 2), torch.tensor([2, 0, 3]))),
], ids=["sub_alpha", "split_negative", "narrow", "linspace_steps", "repeat_tensor"])
def test_scripted_without_example_input_has_run_time_sizes(function, inputs):
    """Scripted without example_input, every dimension is dynamic: sizes, alphas and split counts
    are computed at run time; run on inputs of two different shapes."""
    import numpy as np

    model = ov.convert_model(torch.jit.script(function),
                             input=[(([-1] * t.dim()), t.dtype) for t in inputs])
    compiled = ov.compile_model(model)
    for scale in (1, 2):
        feeds = [t.repeat(*([scale] * t.dim())) if t.dim() and t.dtype.is_floating_point else t
                 for t in inputs]
        if function is repeat_tensor:  # one repeat count per row
            feeds[1] = inputs[1].repeat(scale)
        expected = function(*feeds)
        got = compiled([t.numpy() for t in feeds])[0]
        assert got.shape == tuple(expected.shape)
        np.testing.assert_allclose(got, expected.numpy(), atol=1e-5, rtol=1e-5)
