"""Fake quantization (per tensor, per channel, tensor qparams), quantize/dequantize pairs
(TorchScript and torch.export's quantized tensors) and the ``quantized_decomposed`` integer ops;
against torch and real OpenVINO."""
import pytest
import torch
import torch.ao.quantization.fx._decomposed  # noqa: F401  registers torch.ops.quantized_decomposed

from breadth_harness import check_op, params, randn

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]
decomposed = torch.ops.quantized_decomposed
# torch.export cannot export fake quantization with dynamic dimensions, nor quantized tensors
STATIC = ("export", "trace", "script")


def activations():
    # values beyond the quantized range on both sides, and exact .5 steps (round half to even)
    x = randn(2, 3, 5) * 4
    x[0, 0, :4] = torch.tensor([0.05, 0.15, 0.25, -0.35])
    return (x,)


def activations_off_ties():
    # fake quantization and quantize/dequantize become FakeQuantize-1, as in OpenVINO, so that
    # an INT8 runtime can execute them: its arithmetic ((x - low) / (high - low) * (levels - 1))
    # may round a value exactly half-way between two levels to the other one (see
    # test_fake_quantize_at_exact_half_steps); elsewhere it equals torch
    return (randn(2, 3, 5) * 4,)


def with_channel_parameters():
    return activations() + (torch.tensor([0.1, 0.05, 0.2]),
                            torch.tensor([0, 3, 2], dtype=torch.int32))


def fake_per_tensor(x):
    return torch.fake_quantize_per_tensor_affine(x, 0.1, 3, -128, 127)


def fake_per_tensor_uint8(x):
    return torch.fake_quantize_per_tensor_affine(x, 0.25, 0, 0, 255)


def fake_tensor_qparams(x, scale, zero_point):
    return torch.fake_quantize_per_tensor_affine(x, scale[1], zero_point[1], 0, 255)


def fake_per_channel(x, scales, zero_points):
    return torch.fake_quantize_per_channel_affine(x, scales, zero_points, 1, 0, 255)


def quantize_dequantize(x):
    return torch.dequantize(torch.quantize_per_tensor(x, 0.1, 10, torch.quint8))


def quantize_dequantize_int8(x):
    return torch.dequantize(torch.quantize_per_tensor(x, 0.05, -3, torch.qint8)) * 2


def quantize_dequantize_per_channel(x, scales, zero_points):
    quantized = torch.quantize_per_channel(x, scales.double(), zero_points.long(), 1, torch.qint8)
    return torch.dequantize(quantized)


def decomposed_per_tensor(x):
    q = decomposed.quantize_per_tensor(x, 0.1, 3, -128, 127, torch.int8)
    return q, decomposed.dequantize_per_tensor(q, 0.1, 3, -128, 127, torch.int8)


def decomposed_per_channel(x, scales, zero_points):
    q = decomposed.quantize_per_channel(x, scales, zero_points.long(), 1, 0, 255, torch.uint8)
    return q, decomposed.dequantize_per_channel(q, scales, zero_points.long(), 1, 0, 255,
                                                torch.uint8)


QUANTIZATION = {
    "fake_per_tensor": (fake_per_tensor, activations_off_ties, fake_per_tensor, STATIC),
    "fake_per_tensor_uint8": (fake_per_tensor_uint8, activations_off_ties, fake_per_tensor_uint8,
                              STATIC),
    "fake_tensor_qparams": (fake_tensor_qparams, with_channel_parameters, None,
                            ("export", "trace")),
    "fake_per_channel": (fake_per_channel, with_channel_parameters, fake_per_channel, STATIC),
    "quantize_dequantize": (quantize_dequantize, activations_off_ties, quantize_dequantize,
                            ("trace", "script")),
    "quantize_dequantize_int8": (quantize_dequantize_int8, activations_off_ties, None,
                                 ("trace",)),
    "quantize_dequantize_per_channel": (quantize_dequantize_per_channel,
                                        with_channel_parameters, None, ("trace",)),
    "decomposed_per_tensor": (decomposed_per_tensor, activations, decomposed_per_tensor),
    "decomposed_per_channel": (decomposed_per_channel, with_channel_parameters,
                               decomposed_per_channel),
}


@pytest.mark.parametrize("function, make_inputs, script, route", params(QUANTIZATION))
def test_quantization(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)


def test_fake_quantize_at_exact_half_steps():
    """At an exact half step FakeQuantize (OpenVINO's semantics) may pick the neighbouring level:
    never more than one quantization step from torch; the integer ``quantized_decomposed`` ops,
    which are not FakeQuantize, stay exact there (decomposed_per_tensor above)."""
    import numpy as np

    import ov_notebook as ov

    x = torch.tensor([0.05, 0.15, 0.25, -0.35, 1.0, -2.3])
    converted = ov.convert_model(torch.export.export(_Fake(), (x,)))
    got = ov.compile_model(converted)(x.numpy())[0]
    expected = fake_per_tensor(x).numpy()
    assert np.abs(got - expected).max() <= 0.1 + 1e-6
    np.testing.assert_allclose(got[4:], expected[4:], atol=1e-6)


class _Fake(torch.nn.Module):
    def forward(self, x):
        return fake_per_tensor(x)
