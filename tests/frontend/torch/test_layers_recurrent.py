"""nn.LSTM, nn.GRU and nn.RNN (aten::lstm/gru/rnn_tanh/rnn_relu) against torch and through
OpenVINO reading our IR: layers, directions, batch_first, biases, given or default initial
states, a dynamic sequence length. Routes: torch.export (the recurrent op kept), core ATen (torch
decomposes it to matmuls) and tracing; torch 2.14 cannot script nn.LSTM/GRU/RNN themselves
("Method 'forward' is not defined"), so there is no script route."""
import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import cases, check_layer, check_openvino_agrees, randn


class WithStates(torch.nn.Module):
    """The layer called with explicit initial states (h0, or (h0, c0) for an LSTM)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x, h, c=None):
        if isinstance(self.layer, torch.nn.LSTM):
            return self.layer(x, (h, c))
        return self.layer(x, h)


def layer(cls, **kwargs):
    torch.manual_seed(0)
    return lambda: cls(4, 6, **kwargs)


def seq(*shape):
    return lambda: (randn(*shape),)


RECURRENT = {
    "lstm": (layer(torch.nn.LSTM), seq(5, 3, 4)),
    "lstm_2_layers_bidirectional_batch_first": (
        layer(torch.nn.LSTM, num_layers=2, bidirectional=True, batch_first=True), seq(3, 5, 4)),
    "lstm_no_bias": (layer(torch.nn.LSTM, bias=False), seq(5, 3, 4)),
    "gru": (layer(torch.nn.GRU), seq(5, 3, 4)),
    "gru_3_layers_bidirectional": (layer(torch.nn.GRU, num_layers=3, bidirectional=True),
                                   seq(4, 2, 4)),
    "gru_no_bias_batch_first": (layer(torch.nn.GRU, bias=False, batch_first=True), seq(2, 7, 4)),
    "rnn_tanh": (layer(torch.nn.RNN, num_layers=2), seq(5, 3, 4)),
    "rnn_relu_bidirectional": (layer(torch.nn.RNN, nonlinearity="relu", bidirectional=True),
                               seq(5, 3, 4)),
    "lstm_given_states": (lambda: WithStates(layer(torch.nn.LSTM, num_layers=2)()),
                          lambda: (randn(5, 3, 4), randn(2, 3, 6, seed=1),
                                   randn(2, 3, 6, seed=2))),
    "gru_given_state_bidirectional": (
        lambda: WithStates(layer(torch.nn.GRU, bidirectional=True, batch_first=True)()),
        lambda: (randn(3, 5, 4), randn(2, 3, 6, seed=1))),
}


@pytest.mark.parametrize("make_module, make_inputs, route",
                         cases(RECURRENT, routes=("export", "core", "trace")))
def test_recurrent_layers(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["lstm_2_layers_bidirectional_batch_first",
                                  "gru_3_layers_bidirectional", "rnn_relu_bidirectional",
                                  "lstm_given_states"])
@pytest.mark.parametrize("route", ["export", "trace"])
def test_openvino_agrees(name, route):
    make_module, make_inputs = RECURRENT[name]
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-5, atol=1e-5)


def test_dynamic_sequence_length():
    module = layer(torch.nn.LSTM, num_layers=2, bidirectional=True)().eval()
    x = randn(5, 3, 4)
    model = ov.convert_model(module, example_input=x, input=[(-1, -1, 4)])
    compiled = ov.compile_model(model)
    for steps, batch in ((5, 3), (9, 1), (1, 4)):
        value = randn(steps, batch, 4, seed=steps)
        with torch.no_grad():
            expected = module(value)
        got = compiled(value.numpy())
        np.testing.assert_allclose(got[0], expected[0].numpy(), atol=1e-5, rtol=1e-5)
        np.testing.assert_allclose(got[1], expected[1][0].numpy(), atol=1e-5, rtol=1e-5)


def test_projections_are_refused_clearly():
    module = torch.nn.LSTM(4, 6, proj_size=3).eval()
    with pytest.raises(ov.ConversionError, match="proj_size"):
        ov.convert_model(module, example_input=randn(5, 3, 4))
