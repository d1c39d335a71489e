"""Norms and distances: linalg_norm, linalg_vector_norm, linalg_matrix_norm, frobenius_norm, norm
(every p/dim/keepdim/dtype form torch accepts that the OpenVINO operation set can compute),
outer, cdist, pairwise_distance; on every route, against torch and real OpenVINO."""
import math

import pytest
import torch
import torch.nn.functional as F

import ov_notebook as ov
from breadth_harness import check_op, params, randint, randn
from ov_notebook.frontend.errors import ConversionError

pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]
INF = math.inf


def x34():
    return (randn(3, 4),)


def x234():
    return (randn(2, 3, 4),)


def linalg_norm_default(x):
    return torch.linalg.norm(x)


def linalg_norm_fro(x):
    return torch.linalg.norm(x, "fro")


def linalg_norm_ord_dim(x):
    return torch.linalg.norm(x, 3.0, dim=1, keepdim=True)


def linalg_norm_matrix_inf(x):
    return torch.linalg.norm(x, INF, dim=(2, 0))


def matrix_norm_1(x):
    return torch.linalg.matrix_norm(x, 1)


def matrix_norm_fro_keep(x):
    return torch.linalg.matrix_norm(x, "fro", dim=(0, 2), keepdim=True)


def vector_norm_0(x):
    return torch.linalg.vector_norm(x, 0.0)


def vector_norm_inf(x):
    return torch.linalg.vector_norm(x, INF, dim=[0, 2])


def frobenius(x):
    return torch.norm(x, "fro", dim=(0, 1), keepdim=True)


def norm_p(x):
    return torch.norm(x, 3, dim=1)


def outer(x, y):
    return torch.outer(x, y)


def cdist(x, y):
    return torch.cdist(x, y)


def pairwise(x, y):
    return F.pairwise_distance(x, y, 1.0, 1e-3, True)


NORMS = {
    # ord None, no dim: the 2-norm of everything, whatever the rank
    "linalg_norm_default_3d": (linalg_norm_default, x234, linalg_norm_default),
    "linalg_norm_fro": (linalg_norm_fro, x34, linalg_norm_fro),
    "linalg_norm_ord3_dim_keep": (linalg_norm_ord_dim, x34, linalg_norm_ord_dim),
    "linalg_norm_vector_inf_1d": (lambda x: torch.linalg.norm(x[0], INF), x34),
    "linalg_norm_vector_neg_inf_dim": (lambda x: torch.linalg.norm(x, -INF, dim=0), x34),
    "linalg_norm_matrix_1_2d": (lambda x: torch.linalg.norm(x, 1), x34),
    "linalg_norm_matrix_-1": (lambda x: torch.linalg.norm(x, -1, dim=(0, 1)), x34),
    "linalg_norm_matrix_inf_dims": (linalg_norm_matrix_inf, x234, linalg_norm_matrix_inf),
    "linalg_norm_matrix_-inf_keep": (lambda x: torch.linalg.norm(x, -INF, (1, 2), True), x234),
    "linalg_norm_dtype_f64": (lambda x: torch.linalg.norm(x, dtype=torch.float64), x34),
    "linalg_norm_fro_dims_keep": (lambda x: torch.linalg.norm(x, "fro", (0, 2), True), x234),
    "matrix_norm_1": (matrix_norm_1, x234, matrix_norm_1),
    "matrix_norm_default_fro": (lambda x: torch.linalg.matrix_norm(x), x234),
    "matrix_norm_inf": (lambda x: torch.linalg.matrix_norm(x, INF), x234),
    "matrix_norm_-inf_keep": (lambda x: torch.linalg.matrix_norm(x, -INF, keepdim=True), x234),
    "matrix_norm_fro_keep": (matrix_norm_fro_keep, x234, matrix_norm_fro_keep),
    "matrix_norm_dtype": (lambda x: torch.linalg.matrix_norm(x, 1, dtype=torch.float64), x34),
    "vector_norm_0": (vector_norm_0, x34, vector_norm_0),
    "vector_norm_inf_dims": (vector_norm_inf, x234, vector_norm_inf),
    "vector_norm_-inf_keep": (lambda x: torch.linalg.vector_norm(x, -INF, 1, True), x34),
    "vector_norm_half_order": (lambda x: torch.linalg.vector_norm(x, 0.5, -1), x34),
    "vector_norm_int_input_dtype": (lambda x: torch.linalg.vector_norm(x, dtype=torch.float32),
                                    lambda: (randint(-5, 5, 3, 4).float(),)),
    "frobenius_norm": (frobenius, x234),
    "norm_fro_no_dim": (lambda x: torch.norm(x, "fro"), x234),
    "norm_p3_dim": (norm_p, x34),
    "norm_inf": (lambda x: torch.norm(x, INF), x34),
    "norm_-inf_dim": (lambda x: torch.norm(x, -INF, dim=0, keepdim=True), x34),
    "norm_0": (lambda x: torch.norm(x, 0, dim=1), x34),
    "norm_dtype": (lambda x: torch.norm(x, 2, dim=1, dtype=torch.float64), x34),
}
DISTANCES = {
    # (torch.norm and torch.cdist are Python functions whose scripted forms inline their argument
    # checks: prim::If/Loop, prim::layout, string comparisons; the script route of those is the
    # TorchScript control-flow work, so only their aten ops are scripted here)
    "outer": (outer, lambda: (randn(4), randn(3, seed=1)), outer),
    "outer_int": (outer, lambda: (randint(-9, 9, 4), randint(-9, 9, 3, seed=1))),
    "outer_int_float": (outer, lambda: (randint(-9, 9, 4), randn(3, seed=1))),
    "cdist": (cdist, lambda: (randn(5, 3), randn(4, 3, seed=1))),
    "cdist_batched_p1": (lambda x, y: torch.cdist(x, y, 1.0),
                         lambda: (randn(2, 5, 3), randn(2, 4, 3, seed=1))),
    "cdist_p0": (lambda x, y: torch.cdist(x.round(), y.round(), 0.0),
                 lambda: (randn(5, 3), randn(4, 3, seed=1))),
    "cdist_inf": (lambda x, y: torch.cdist(x, y, INF),
                  lambda: (randn(5, 3), randn(4, 3, seed=1))),
    "cdist_p3": (lambda x, y: torch.cdist(x, y, 3.0),
                 lambda: (randn(2, 5, 3), randn(1, 4, 3, seed=1))),
    "pairwise_p1_keepdim": (pairwise, lambda: (randn(3, 4), randn(3, 4, seed=1)), pairwise),
    "pairwise_default": (lambda x, y: F.pairwise_distance(x, y),
                         lambda: (randn(3, 4), randn(4, seed=1))),
    "pairwise_1d": (lambda x, y: F.pairwise_distance(x, y, 3.0),
                    lambda: (randn(4), randn(4, seed=1))),
    "cosine_like_inf": (lambda x, y: F.pairwise_distance(x, y, INF),
                        lambda: (randn(2, 3, 4), randn(2, 3, 4, seed=1))),
}


@pytest.mark.parametrize("function, make_inputs, script, route", params(NORMS))
def test_norm(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)


@pytest.mark.parametrize("function, make_inputs, script, route", params(DISTANCES))
def test_distance(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)


@pytest.mark.parametrize("function", [lambda x: torch.linalg.norm(x, "nuc"),
                                      lambda x: torch.linalg.matrix_norm(x, 2),
                                      lambda x: torch.linalg.matrix_norm(x, -2)],
                         ids=["nuc", "ord2", "ord-2"])
def test_singular_value_norms_are_refused_with_the_reason(function):
    from layer_harness import Lambda

    with pytest.raises(ConversionError, match="singular values"):
        ov.convert_model(torch.jit.trace(Lambda(function), (randn(3, 4),)),
                         example_input=(randn(3, 4),))
