"""Eager-mode quantized models (torch.ao.quantization: fuse, prepare, calibrate, convert), traced
and scripted: quantized conv (1-3d, grouped, fused ReLU), linear (and fused ReLU),
FloatFunctional add/add_relu/mul/cat, hardswish, per-channel and per-tensor weights - against
torch's quantized kernels and through OpenVINO reading our IR (whose CPU plugin computes
FakeQuantize in a scale/shift form: at most one quantization level apart there)."""
import warnings

import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import randn
from oracle import run_openvino, run_ours

tq = pytest.importorskip("torch.ao.quantization")
nnq = torch.ao.nn.quantized


class Stubbed(torch.nn.Module):
    """``body`` between QuantStub and DeQuantStub, as eager-mode quantization expects."""

    def __init__(self, body):
        super().__init__()
        self.quant, self.dequant, self.body = tq.QuantStub(), tq.DeQuantStub(), body

    def forward(self, x):
        return self.dequant(self.body(self.quant(x)))


class ConvBlock(torch.nn.Module):
    def __init__(self, dims=2, groups=1):
        super().__init__()
        cls = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}[dims]
        self.conv = cls(4, 8, 3, padding=1, groups=groups)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv(x))


class Residual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.hardswish = torch.nn.Hardswish()
        self.ops = nnq.FloatFunctional()

    def forward(self, x):
        y = self.ops.add_relu(x, self.conv(x))
        y = self.ops.mul(y, self.hardswish(y))
        return self.ops.cat([y, x], 1)


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.relu, self.fc2 = torch.nn.Linear(16, 32), torch.nn.ReLU(), \
            torch.nn.Linear(32, 5)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


CASES = {
    "conv2d_relu": (lambda: ConvBlock(), [["conv", "relu"]], (2, 4, 8, 8)),
    "conv1d_relu": (lambda: ConvBlock(1), [["conv", "relu"]], (2, 4, 16)),
    "conv3d": (lambda: ConvBlock(3), [], (1, 4, 4, 6, 6)),
    "grouped_conv": (lambda: ConvBlock(groups=2), [["conv", "relu"]], (2, 4, 8, 8)),
    "residual_functional_ops": (Residual, [], (2, 4, 6, 6)),
    "linear_relu": (Classifier, [["fc1", "relu"]], (3, 16)),
}


def quantized(name, backend="x86"):
    make, fuse, shape = CASES[name]
    torch.manual_seed(0)
    model = Stubbed(make()).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notices
        if fuse:
            tq.fuse_modules(model.body, fuse, inplace=True)
        model.qconfig = tq.get_default_qconfig(backend)
        tq.prepare(model, inplace=True)
        for seed in range(4):
            model(randn(*shape, seed=seed) * 2)
        tq.convert(model, inplace=True)
    return model, randn(*shape, seed=9) * 2


@pytest.mark.parametrize("route", ["trace", "script"])
@pytest.mark.parametrize("name", list(CASES))
def test_quantized_model_matches_torch(name, route):
    model, x = quantized(name)
    source = torch.jit.trace(model, x) if route == "trace" else torch.jit.script(model)
    converted = ov.convert_model(source, example_input=x)
    assert "FakeQuantize" in {n.get_type_name() for n in converted.get_ordered_ops()}
    got = ov.compile_model(converted)(x.numpy())[0]
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["conv2d_relu", "residual_functional_ops", "linear_relu"])
def test_openvino_agrees_within_a_level(name):
    model, x = quantized(name)
    converted = ov.convert_model(torch.jit.trace(model, x), example_input=x)
    ours, theirs = run_ours(converted, [x.numpy()])[0], run_openvino(converted, [x.numpy()])[0]
    levels = np.unique(ours)
    step = np.diff(levels).min() if len(levels) > 1 else 1e-5  # the output grid's spacing
    assert np.abs(ours - theirs).max() <= step * 1.01
    assert (~np.isclose(ours, theirs, atol=1e-5)).mean() <= 0.02
