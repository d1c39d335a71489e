"""Shape translators: views, reshapes, permutations, broadcasting, sizes, identities."""
import pytest
import torch

from layer_harness import Lambda, cases, check_layer, randn


def x4():
    return (randn(2, 3, 4, 5),)


SHAPES = {
    "view": (lambda: Lambda(lambda x: x.view(6, 20)), x4),
    "view_minus_one": (lambda: Lambda(lambda x: x.view(2, -1)), x4),
    "view_from_size": (lambda: Lambda(lambda x: x.view(x.size(0), -1, x.shape[-1])), x4),
    "reshape": (lambda: Lambda(lambda x: x.reshape(-1, 5)), x4),
    "view_as": (lambda: Lambda(lambda x, y: x.view_as(y)), lambda: (randn(6, 4), randn(3, 8))),
    "flatten": (lambda: torch.nn.Flatten(), x4),
    "flatten_all": (lambda: Lambda(lambda x: torch.flatten(x)), x4),
    "flatten_middle": (lambda: Lambda(lambda x: x.flatten(1, 2)), x4),
    "flatten_scalar": (lambda: Lambda(lambda x: x.sum().flatten()), x4),
    "unflatten": (lambda: torch.nn.Unflatten(2, (2, 2)), x4),
    "unflatten_minus_one": (lambda: Lambda(lambda x: x.unflatten(-1, (-1, 1))), x4),
    "squeeze_all": (lambda: Lambda(lambda x: x.squeeze()), lambda: (randn(1, 3, 1, 4),)),
    "squeeze_dim": (lambda: Lambda(lambda x: x.squeeze(2)), lambda: (randn(1, 3, 1, 4),)),
    "squeeze_non_one_dim": (lambda: Lambda(lambda x: x.squeeze(1)), lambda: (randn(1, 3, 1, 4),)),
    "squeeze_dims": (lambda: Lambda(lambda x: x.squeeze((0, -2))), lambda: (randn(1, 3, 1, 4),)),
    "unsqueeze": (lambda: Lambda(lambda x: x.unsqueeze(1)), x4),
    "unsqueeze_negative": (lambda: Lambda(lambda x: x.unsqueeze(-1)), x4),
    "permute": (lambda: Lambda(lambda x: x.permute(0, 2, 3, 1)), x4),
    "permute_negative": (lambda: Lambda(lambda x: x.permute(-1, 0, 1, 2)), x4),
    "transpose": (lambda: Lambda(lambda x: x.transpose(1, -1)), x4),
    "swapaxes": (lambda: Lambda(lambda x: torch.swapaxes(x, 0, 2)), x4),
    "t": (lambda: Lambda(lambda x: x.t()), lambda: (randn(3, 4),)),
    "t_vector": (lambda: Lambda(lambda x: x.t() * 2), lambda: (randn(3),)),
    "expand": (lambda: Lambda(lambda x: x.expand(2, 3, 4)), lambda: (randn(3, 1),)),
    "expand_minus_one": (lambda: Lambda(lambda x: x.expand(-1, 5, -1)), lambda: (randn(2, 1, 3),)),
    "expand_as": (lambda: Lambda(lambda x, y: x.expand_as(y)), lambda: (randn(3, 1), randn(2, 3, 4))),
    "broadcast_to": (lambda: Lambda(lambda x: torch.broadcast_to(x, (2, 3))), lambda: (randn(3),)),
    "repeat": (lambda: Lambda(lambda x: x.repeat(2, 1, 3)), lambda: (randn(3, 2),)),
    "contiguous_clone_detach": (lambda: Lambda(lambda x: x.transpose(0, 1).contiguous().clone()
                                               .detach() + 1), x4),
    "dropout_eval": (lambda: torch.nn.Dropout(0.5), x4),
    "dropout_functional": (lambda: Lambda(lambda x: torch.nn.functional.dropout(
        x, 0.3, training=False)), x4),
    "size_arithmetic": (lambda: Lambda(lambda x: x * x.size(-1)), x4),
    "numel": (lambda: Lambda(lambda x: x / x.numel()), x4),
    "type_as": (lambda: Lambda(lambda x, y: x.type_as(y)), lambda: (randn(3), torch.ones(3,
                                                                       dtype=torch.int32))),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(SHAPES))
def test_shape_op(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


AS_STRIDED = {
    "as_strided_restride": (lambda: Lambda(lambda x: torch.as_strided(x.mean((-1, -2), True),
                                                                      (2, 3, 1, 1),
                                                                      (3, 1, 3, 3))), x4),
    "as_strided_windows": (lambda: Lambda(lambda x: torch.as_strided(x, (3, 4), (2, 1), 1)),
                           lambda: (randn(12),)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(AS_STRIDED))
def test_as_strided(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
