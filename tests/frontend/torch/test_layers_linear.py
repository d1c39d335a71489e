"""Matrix product and attention translators."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randn

PRODUCTS = {
    "linear": (lambda: torch.nn.Linear(5, 3), lambda: (randn(2, 5),)),
    "linear_3d": (lambda: torch.nn.Linear(5, 3), lambda: (randn(2, 4, 5),)),
    "linear_no_bias": (lambda: torch.nn.Linear(5, 3, bias=False), lambda: (randn(4, 5),)),
    "mm": (lambda: Lambda(torch.mm), lambda: (randn(3, 4), randn(4, 2, seed=1))),
    "bmm": (lambda: Lambda(torch.bmm), lambda: (randn(2, 3, 4), randn(2, 4, 5, seed=1))),
    "matmul_broadcast": (lambda: Lambda(torch.matmul),
                         lambda: (randn(2, 1, 3, 4), randn(3, 4, 5, seed=1))),
    "matmul_vector": (lambda: Lambda(torch.matmul), lambda: (randn(3, 4), randn(4, seed=1))),
    "matmul_operator": (lambda: Lambda(lambda a, b: a @ b.transpose(-1, -2)),
                        lambda: (randn(2, 3, 4), randn(2, 5, 4, seed=1))),
    "addmm": (lambda: Lambda(lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0)),
              lambda: (randn(3), randn(2, 4, seed=1), randn(4, 3, seed=2))),
    "baddbmm": (lambda: Lambda(lambda c, a, b: torch.baddbmm(c, a, b, alpha=0.5)),
                lambda: (randn(2, 3, 5), randn(2, 3, 4, seed=1), randn(2, 4, 5, seed=2))),
    "einsum_bmm": (lambda: Lambda(lambda a, b: torch.einsum("bij,bjk->bik", a, b)),
                   lambda: (randn(2, 3, 4), randn(2, 4, 5, seed=1))),
    "einsum_outer": (lambda: Lambda(lambda a, b: torch.einsum("i,j->ij", a, b)),
                     lambda: (randn(3), randn(4, seed=1))),
    "t": (lambda: Lambda(lambda a: a.t() @ a), lambda: (randn(3, 4),)),
}

ATTENTION = {
    "sdpa": (lambda: Lambda(F.scaled_dot_product_attention),
             lambda: (randn(1, 2, 5, 8), randn(1, 2, 6, 8, seed=1), randn(1, 2, 6, 4, seed=2))),
    "sdpa_causal": (lambda: Lambda(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, is_causal=True)),
        lambda: (randn(1, 2, 5, 8), randn(1, 2, 5, 8, seed=1), randn(1, 2, 5, 8, seed=2))),
    "sdpa_scale": (lambda: Lambda(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, scale=0.3)),
        lambda: (randn(2, 5, 8), randn(2, 5, 8, seed=1), randn(2, 5, 8, seed=2))),
    "sdpa_float_mask": (lambda: Lambda(lambda q, k, v, m: F.scaled_dot_product_attention(
        q, k, v, attn_mask=m)),
        lambda: (randn(1, 2, 4, 8), randn(1, 2, 4, 8, seed=1), randn(1, 2, 4, 8, seed=2),
                 randn(4, 4, seed=3))),
    "sdpa_bool_mask": (lambda: Lambda(lambda q, k, v, m: F.scaled_dot_product_attention(
        q, k, v, attn_mask=m > -1)),
        lambda: (randn(1, 2, 4, 8), randn(1, 2, 4, 8, seed=1), randn(1, 2, 4, 8, seed=2),
                 randn(1, 1, 4, 4, seed=3))),
    "multihead_attention": (lambda: _mha(need_weights=False), lambda: (randn(2, 5, 8),)),
    "multihead_attention_weights": (lambda: _mha(need_weights=True), lambda: (randn(2, 5, 8),)),
    # traced without gradients, nn.MultiheadAttention takes its aten::_native_multi_head_attention
    # fast path (torchvision's ViT does)
    "multihead_attention_fast_path": (lambda: _mha(need_weights=False), lambda: (randn(2, 5, 8),),
                                      ("trace_no_grad",)),
    "multihead_attention_fast_path_weights": (lambda: _mha(need_weights=True),
                                              lambda: (randn(2, 5, 8),), ("trace_no_grad",)),
}


class _SelfAttention(torch.nn.Module):
    def __init__(self, need_weights):
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(8, 2, batch_first=True)
        self.need_weights = need_weights

    def forward(self, x):
        result, weights = self.attention(x, x, x, need_weights=self.need_weights)
        return (result, weights) if self.need_weights else result


def _mha(need_weights):
    torch.manual_seed(0)
    return _SelfAttention(need_weights)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(PRODUCTS))
def test_matrix_products(make_module, make_inputs, route):
    torch.manual_seed(0)
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(ATTENTION))
def test_attention(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
