"""Quantization-aware training graphs -> FakeQuantize-1: the aten fake-quantize functions on the
export and trace routes, a QAT-prepared model (torch.ao.quantization's default fused observer)
on the export route, compared with torch and through OpenVINO reading our IR."""
import warnings

import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import Lambda, cases, check_layer, convert, randn
from oracle import run_openvino, run_ours


def scaled(*shape, seed=0):
    return randn(*shape, seed=seed) * 3


FAKE_QUANTIZE = {
    "per_tensor_u8": (lambda: Lambda(lambda x: torch.fake_quantize_per_tensor_affine(
        x, 0.05, 3, 0, 255)), lambda: (scaled(2, 3, 8, 8),)),
    "per_tensor_4bit_signed": (lambda: Lambda(lambda x: torch.fake_quantize_per_tensor_affine(
        x, 0.4, 0, -8, 7)), lambda: (scaled(4, 16),)),
    "per_tensor_tensor_qparams": (lambda: Lambda(lambda x: torch.fake_quantize_per_tensor_affine(
        x, torch.tensor(0.07), torch.tensor(2, dtype=torch.int32), -128, 127)),
        lambda: (scaled(3, 5),)),
    "per_channel_axis1": (lambda: Lambda(lambda x: torch.fake_quantize_per_channel_affine(
        x, torch.tensor([0.02, 0.05, 0.1]), torch.tensor([0, 5, -3], dtype=torch.int32), 1,
        -128, 127)), lambda: (scaled(2, 3, 4, 4),)),
    "per_channel_4bit_unsigned": (lambda: Lambda(lambda x: torch.fake_quantize_per_channel_affine(
        x, torch.tensor([0.1, 0.2]), torch.tensor([1, 0], dtype=torch.int32), 1, 0, 15)),
        lambda: (scaled(3, 2),)),
}


@pytest.mark.parametrize("make_module, make_inputs, route",
                         cases(FAKE_QUANTIZE, routes=("export", "trace")))
def test_fake_quantize_functions(make_module, make_inputs, route):
    model = check_layer(make_module(), make_inputs(), route, atol=1e-5, rtol=1e-5)
    assert "FakeQuantize" in {node.get_type_name() for node in model.get_ordered_ops()}


def test_openvino_agrees():
    make_module, make_inputs = FAKE_QUANTIZE["per_channel_axis1"]
    inputs = make_inputs()
    model = convert(make_module(), inputs, "export")
    feeds = [t.numpy() for t in inputs]
    ours, theirs = run_ours(model, feeds)[0], run_openvino(model, feeds)[0]
    # OpenVINO's CPU plugin computes FakeQuantize as scale/shift: a value within rounding of a
    # half step may snap to the neighbouring level there
    step = 0.1
    assert np.abs(ours - theirs).max() <= step * 1.001
    assert (~np.isclose(ours, theirs, atol=1e-6)).mean() <= 0.01


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.relu = torch.nn.ReLU()
        self.fc = torch.nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.relu(self.conv(x)), 1))


def qat_model(observer_off=True):
    import torch.ao.quantization as tq

    torch.manual_seed(0)
    model = Net().train()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notices
        model.qconfig = tq.get_default_qat_qconfig("x86")
        tq.prepare_qat(model, inplace=True)
    for _ in range(3):
        model(torch.randn(4, 3, 8, 8))
    if observer_off:
        model.apply(tq.disable_observer)
    return model.eval()


def test_qat_model_on_the_export_route():
    model = qat_model()
    x = randn(2, 3, 8, 8)
    converted = ov.convert_model(torch.export.export(model, (x,)))
    types = [node.get_type_name() for node in converted.get_ordered_ops()]
    assert types.count("FakeQuantize") == 4  # weights and activations of conv and fc
    got = ov.compile_model(converted)(x.numpy())[0]
    with torch.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), atol=1e-5, rtol=1e-5)


def test_qat_observer_still_on_is_refused_clearly():
    model = qat_model(observer_off=False)
    x = randn(2, 3, 8, 8)
    with pytest.raises(ov.ConversionError, match="disable_observer"):
        ov.convert_model(torch.export.export(model, (x,)))
