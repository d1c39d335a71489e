"""Tensor creation and dtype conversion translators."""
import pytest
import torch

from layer_harness import Lambda, cases, check_layer, randint, randn


def x2():
    return (randn(3, 4),)


CREATION = {
    "zeros": (lambda: Lambda(lambda x: x + torch.zeros(3, 4)), x2),
    "ones_from_size": (lambda: Lambda(lambda x: x + torch.ones(x.shape[0], 1)), x2),
    "ones_int": (lambda: Lambda(lambda x: torch.ones(2, 2, dtype=torch.int32) + x[:2, :2].int()),
                 x2),
    "full": (lambda: Lambda(lambda x: x * torch.full((1, 4), 2.5)), x2),
    "full_int_value": (lambda: Lambda(lambda x: torch.full((2, 3), 7) + x.sum().long()), x2),
    # a Python bool fill value breaks torch.jit.trace itself (no aten::full(bool) schema)
    "full_bool": (lambda: Lambda(lambda x: torch.full((3, 4), 1, dtype=torch.bool) & (x > 0)),
                  x2),
    "empty_as_zeros_shape": (lambda: Lambda(lambda x: torch.empty(3, 4).shape[0] + x), x2),
    "zeros_like": (lambda: Lambda(lambda x: torch.zeros_like(x) + 1), x2),
    "ones_like_dtype": (lambda: Lambda(lambda x: torch.ones_like(x, dtype=torch.int64)), x2),
    "full_like": (lambda: Lambda(lambda x: torch.full_like(x, 3.0) - x), x2),
    "new_zeros": (lambda: Lambda(lambda x: x.new_zeros(2, 5)), x2),
    "new_ones": (lambda: Lambda(lambda x: x.new_ones((4,)) + x), x2),
    "new_full": (lambda: Lambda(lambda x: x.new_full((2, 4), 0.5) * x[:2]), x2),
    "arange": (lambda: Lambda(lambda x: x + torch.arange(4)), x2),
    "arange_start_step": (lambda: Lambda(lambda x: x * torch.arange(1, 9, 2)), x2),
    "arange_float": (lambda: Lambda(lambda x: x + torch.arange(0.0, 2.0, 0.5)), x2),
    "arange_from_size": (lambda: Lambda(lambda x: x + torch.arange(x.size(1))), x2),
    "arange_dtype": (lambda: Lambda(lambda x: torch.arange(3, 7, dtype=torch.float32) * x[0, 0]),
                     x2),
    "eye": (lambda: Lambda(lambda x: x[:, :3] @ torch.eye(3)), x2),
    "eye_rect": (lambda: Lambda(lambda x: x + torch.eye(3, 4)), x2),
    "tril": (lambda: Lambda(lambda x: torch.tril(x)), x2),
    "triu_diagonal": (lambda: Lambda(lambda x: torch.triu(x, diagonal=1)), x2),
    "tril_batched_negative": (lambda: Lambda(lambda x: torch.tril(x, -1)),
                              lambda: (randn(2, 4, 3),)),
    "fill_": (lambda: Lambda(lambda x: x.clone().fill_(2.0) + x), x2),
    "zero_": (lambda: Lambda(lambda x: x.clone().zero_() + x), x2),
}

CONVERSIONS = {
    "to_dtype": (lambda: Lambda(lambda x: x.to(torch.int32)), x2),
    "to_float64": (lambda: Lambda(lambda x: x.to(dtype=torch.float64)), x2),
    "to_other": (lambda: Lambda(lambda x, y: x.to(y)), lambda: (randn(3), randint(0, 3, 3))),
    "to_device": (lambda: Lambda(lambda x: x.to("cpu") + 1), x2),
    "float": (lambda: Lambda(lambda x: x.float()), lambda: (randint(0, 9, 4),)),
    "long": (lambda: Lambda(lambda x: x.long()), lambda: (randn(4) * 5,)),
    "bool": (lambda: Lambda(lambda x: x.bool()), lambda: (randint(0, 2, 4),)),
    "half_round_trip": (lambda: Lambda(lambda x: x.half().float()), x2),
    "type_as": (lambda: Lambda(lambda x, y: x.type_as(y)), lambda: (randn(4), randint(0, 2, 4))),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(CREATION))
def test_creation(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(CONVERSIONS))
def test_conversion(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
