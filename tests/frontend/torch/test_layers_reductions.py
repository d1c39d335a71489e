"""Reduction, scan and sorting translators."""
import pytest
import torch

from layer_harness import Lambda, cases, check_layer, randint, randn


def x3():
    return (randn(2, 3, 4),)


def ints():
    return (randint(-5, 6, 2, 3, 4),)


REDUCTIONS = {
    "mean_dim": (lambda: Lambda(lambda x: x.mean(dim=-1)), x3),
    "mean_dims_keepdim": (lambda: Lambda(lambda x: x.mean(dim=(0, 2), keepdim=True)), x3),
    "mean_all": (lambda: Lambda(lambda x: x.mean()), x3),
    "mean_dtype": (lambda: Lambda(lambda x: x.mean(1, dtype=torch.float64)), x3),
    "sum_dim": (lambda: Lambda(lambda x: x.sum(1)), x3),
    "sum_all": (lambda: Lambda(lambda x: x.sum()), x3),
    "sum_int": (lambda: Lambda(lambda x: x.sum(-1)), lambda: (randint(-5, 6, 3, 4,
                                                                     dtype=torch.int32),)),
    "sum_bool": (lambda: Lambda(lambda x: (x > 0).sum(0)), x3),
    "prod": (lambda: Lambda(lambda x: x.prod(1, keepdim=True)), x3),
    "amax": (lambda: Lambda(lambda x: x.amax(dim=(1, 2))), x3),
    "amin": (lambda: Lambda(lambda x: x.amin(dim=0, keepdim=True)), x3),
    "max_all": (lambda: Lambda(lambda x: x.max()), x3),
    "max_dim": (lambda: Lambda(lambda x: x.max(dim=1)), x3),
    "max_dim_keepdim": (lambda: Lambda(lambda x: x.max(dim=-1, keepdim=True)), x3),
    "min_dim": (lambda: Lambda(lambda x: torch.min(x, 2)), x3),
    "max_int_ties": (lambda: Lambda(lambda x: torch.max(x, 1)), ints),
    "argmax": (lambda: Lambda(lambda x: x.argmax(dim=1)), x3),
    "argmax_all": (lambda: Lambda(lambda x: x.argmax()), x3),
    "argmin_keepdim": (lambda: Lambda(lambda x: x.argmin(dim=-1, keepdim=True)), x3),
    "var": (lambda: Lambda(lambda x: x.var(dim=1)), x3),
    "var_biased_keepdim": (lambda: Lambda(lambda x: x.var(dim=-1, unbiased=False,
                                                          keepdim=True)), x3),
    "var_all": (lambda: Lambda(lambda x: x.var()), x3),
    "std_correction": (lambda: Lambda(lambda x: torch.std(x, dim=(0, 2), correction=2)), x3),
    "var_mean": (lambda: Lambda(lambda x: torch.var_mean(x, dim=1)), x3),
    "std_mean_keepdim": (lambda: Lambda(lambda x: torch.std_mean(x, dim=-1, keepdim=True)), x3),
    "norm": (lambda: Lambda(lambda x: x.norm(dim=-1)), x3),
    "norm_p1_keepdim": (lambda: Lambda(lambda x: x.norm(p=1, dim=1, keepdim=True)), x3),
    "norm_all": (lambda: Lambda(lambda x: torch.norm(x)), x3),
    "vector_norm_p3": (lambda: Lambda(lambda x: torch.linalg.vector_norm(x, 3, dim=-1)), x3),
    "vector_norm_inf": (lambda: Lambda(lambda x: torch.linalg.vector_norm(x, float("inf"), dim=1)),
                        x3),
    "logsumexp": (lambda: Lambda(lambda x: torch.logsumexp(x, dim=-1)), x3),
    "logsumexp_keepdim": (lambda: Lambda(lambda x: torch.logsumexp(x, dim=(0, 1), keepdim=True)),
                          x3),
    "any_dim": (lambda: Lambda(lambda x: (x > 1).any(dim=-1)), x3),
    "any_all": (lambda: Lambda(lambda x: (x > 1).any()), x3),
    "all_dim": (lambda: Lambda(lambda x: (x > -1).all(dim=1)), x3),
}

SCANS_AND_SORTS = {
    "cumsum": (lambda: Lambda(lambda x: x.cumsum(1)), x3),
    "cumsum_int": (lambda: Lambda(lambda x: x.cumsum(-1)), lambda: (randint(-5, 6, 3, 4,
                                                                           dtype=torch.int32),)),
    "cumsum_dtype": (lambda: Lambda(lambda x: torch.cumsum(x, 0, dtype=torch.float64)), x3),
    "topk": (lambda: Lambda(lambda x: torch.topk(x, 2)), x3),
    "topk_smallest_dim": (lambda: Lambda(lambda x: torch.topk(x, 2, dim=1, largest=False)), x3),
    "sort": (lambda: Lambda(lambda x: torch.sort(x)), x3),
    "sort_descending_dim": (lambda: Lambda(lambda x: torch.sort(x, dim=0, descending=True)), x3),
    "sort_stable_ties": (lambda: Lambda(lambda x: torch.sort(x, stable=True)), ints),
    "argsort": (lambda: Lambda(lambda x: torch.argsort(x, dim=1)), x3),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(REDUCTIONS))
def test_reduction(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(SCANS_AND_SORTS))
def test_scan_and_sort(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
