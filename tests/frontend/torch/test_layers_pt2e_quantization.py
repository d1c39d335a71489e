"""PT2E-quantized graphs (torch.ops.quantized_decomposed, what torchao's convert_pt2e leaves in
an exported program; torch 2.14 itself no longer ships prepare_pt2e): quantize/dequantize per
tensor and per channel, integer outputs keeping torch's dtype, an int8 weight dequantized into
a linear layer - exact against torch, and through OpenVINO reading our IR."""
import numpy as np
import pytest
import torch
import torch.ao.quantization.fx._decomposed  # noqa: F401  registers torch.ops.quantized_decomposed

import ov_notebook as ov
from layer_harness import Lambda, check_layer, check_openvino_agrees, convert, randn

Q = torch.ops.quantized_decomposed


class QuantizedLinear(torch.nn.Module):
    """A linear layer as convert_pt2e leaves it: int8 weight dequantized per channel, the
    activation quantized and dequantized per tensor."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.scales = torch.tensor([0.01, 0.02, 0.03, 0.04])
        self.zero_points = torch.tensor([0, 1, -1, 2])
        self.register_buffer("weight", Q.quantize_per_channel(
            torch.randn(4, 3), self.scales, self.zero_points, 0, -128, 127, torch.int8))
        self.bias = torch.nn.Parameter(torch.randn(4))

    def forward(self, x):
        x = Q.dequantize_per_tensor(Q.quantize_per_tensor(x, 0.05, 3, -128, 127, torch.int8),
                                    0.05, 3, -128, 127, torch.int8)
        w = Q.dequantize_per_channel(self.weight, self.scales, self.zero_points, 0, -128, 127,
                                     torch.int8)
        return torch.nn.functional.linear(x, w, self.bias)


CASES = {
    "per_tensor_int8": (lambda: Lambda(lambda x: Q.quantize_per_tensor(
        x, 0.05, 3, -128, 127, torch.int8)), lambda: (randn(2, 3, 4) * 4,)),
    "per_tensor_uint8_tensor_qparams": (lambda: Lambda(lambda x: Q.quantize_per_tensor(
        x, torch.tensor(0.1), torch.tensor(7), 0, 255, torch.uint8)), lambda: (randn(5, 6) * 9,)),
    "round_trip_per_tensor": (lambda: Lambda(lambda x: Q.dequantize_per_tensor(
        Q.quantize_per_tensor(x, 0.02, -4, -128, 127, torch.int8), 0.02, -4, -128, 127,
        torch.int8)), lambda: (randn(3, 7),)),
    "per_channel_axis1": (lambda: Lambda(lambda x: Q.quantize_per_channel(
        x, torch.tensor([0.1, 0.2, 0.05]), torch.tensor([0, 3, -2]), 1, -128, 127, torch.int8)),
        lambda: (randn(2, 3, 4) * 5,)),
    "quantized_linear": (QuantizedLinear, lambda: (randn(2, 3) * 2,)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_pt2e_ops_match_torch(name):
    make_module, make_inputs = CASES[name]
    check_layer(make_module(), make_inputs(), "export", atol=1e-6, rtol=1e-6)


def test_openvino_agrees():
    make_module, make_inputs = CASES["quantized_linear"]
    inputs = make_inputs()
    check_openvino_agrees(make_module(), inputs, "export", rtol=1e-5, atol=1e-5)


def test_integer_output_keeps_its_dtype():
    make_module, make_inputs = CASES["per_tensor_uint8_tensor_qparams"]
    inputs = make_inputs()
    model = convert(make_module(), inputs, "export")
    assert model.output(0).get_element_type() == ov.Type.u8
    assert np.asarray(ov.compile_model(model)(inputs[0].numpy())[0]).dtype == np.uint8
