"""torch.diff (n, dim, prepend/append, bool) and torch's long comparison spellings
(torch.greater, less_equal, not_equal, ...), which TorchScript keeps as written; what Mixtral's
eager experts loop needs."""
import pytest
import torch

from layer_harness import Lambda, cases, check_layer, randn

CASES = {
    "diff_last_dim": (lambda: Lambda(lambda x: torch.diff(x)), lambda: (randn(3, 6),)),
    "diff_n2_dim0_prepend": (lambda: Lambda(lambda x: torch.diff(x, n=2, dim=0,
                                                                 prepend=x[:1] * 2)),
                             lambda: (randn(5, 4),)),
    "diff_append": (lambda: Lambda(lambda x, y: torch.diff(x, dim=1, append=y)),
                    lambda: (randn(2, 5), randn(2, 2, seed=1))),
    "diff_bool": (lambda: Lambda(lambda x: torch.diff(x > 0, dim=0)), lambda: (randn(6, 3),)),
    "diff_int": (lambda: Lambda(lambda x: torch.diff((x * 10).long())), lambda: (randn(4, 5),)),
    "long_comparisons": (lambda: Lambda(lambda x, y: (torch.greater(x, y), torch.less(x, 0.5),
                                                      torch.greater_equal(x, y),
                                                      torch.less_equal(y, x),
                                                      torch.not_equal(x, y))),
                         lambda: (randn(3, 4), randn(3, 4, seed=1))),
}


@pytest.mark.parametrize("make_module, make_inputs, route",
                         cases(CASES, routes=("export", "trace")))
def test_diff_and_comparisons(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route, atol=1e-6, rtol=1e-6)
