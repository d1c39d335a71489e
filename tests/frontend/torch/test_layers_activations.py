"""Activation translators (nn modules and functional forms, attribute variants)."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randint, randn


def x4():
    return (randn(2, 3, 4, 5) * 4,)


ACTIVATIONS = {
    "relu": (torch.nn.ReLU, x4),
    # torch cannot unlift a decomposed program that mutates an input named "input" (ReLU's
    # forward argument): ExportedProgram.module() raises, so no "core" route for these two
    "relu_inplace": (lambda: torch.nn.ReLU(inplace=True), x4, ("export", "trace")),
    "relu_int": (torch.nn.ReLU, lambda: (randint(-5, 5, 6),)),
    "relu6": (torch.nn.ReLU6, x4),
    "hardtanh": (lambda: torch.nn.Hardtanh(-2.0, 1.5), x4),
    "gelu": (torch.nn.GELU, x4),
    "gelu_tanh": (lambda: torch.nn.GELU(approximate="tanh"), x4),
    "silu": (torch.nn.SiLU, x4),
    "silu_inplace": (lambda: torch.nn.SiLU(inplace=True), x4, ("export", "trace")),
    "relu_inplace_functional": (lambda: Lambda(lambda x: torch.relu_(x * 1)), x4),
    "hardswish": (torch.nn.Hardswish, x4),
    "hardsigmoid": (torch.nn.Hardsigmoid, x4),
    "sigmoid": (torch.nn.Sigmoid, x4),
    "tanh": (torch.nn.Tanh, x4),
    "softplus": (torch.nn.Softplus, x4),
    "softplus_beta_threshold": (lambda: torch.nn.Softplus(beta=2.0, threshold=3.0), x4),
    "mish": (torch.nn.Mish, x4),
    "elu": (lambda: torch.nn.ELU(alpha=0.7), x4),
    "celu": (lambda: torch.nn.CELU(alpha=1.5), x4),
    "selu": (torch.nn.SELU, x4),
    "leaky_relu": (lambda: torch.nn.LeakyReLU(0.2), x4),
    "prelu_single": (torch.nn.PReLU, x4),
    "prelu_channels": (lambda: _prelu(3), x4),
    "prelu_2d_input": (lambda: _prelu(5), lambda: (randn(4, 5),)),
    "softmax": (lambda: torch.nn.Softmax(dim=1), x4),
    "softmax_last": (lambda: torch.nn.Softmax(dim=-1), x4),
    "log_softmax": (lambda: torch.nn.LogSoftmax(dim=2), x4),
    "softmax_dtype": (lambda: Lambda(lambda x: F.softmax(x, -1, dtype=torch.float64)), x4),
    "softmax_half_input": (lambda: Lambda(lambda x: F.softmax(x.half(), -1).float()), x4),
    "sigmoid_int": (torch.nn.Sigmoid, lambda: (randint(-3, 3, 6),)),
}


def _prelu(channels):
    module = torch.nn.PReLU(channels)
    with torch.no_grad():
        module.weight.copy_(torch.linspace(-0.5, 0.5, channels))
    return module


@pytest.mark.parametrize("make_module, make_inputs, route", cases(ACTIVATIONS))
def test_activation(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
