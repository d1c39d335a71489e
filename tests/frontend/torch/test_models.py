"""Whole models with random weights, converted from PyTorch and compared with torch: on our
runtime (ov.compile_model) and on real OpenVINO reading the IR we save (f32 weights, f32
inference precision). Outputs must agree within 1e-3 of their largest magnitude, classifiers on
the top-1 class.

Inputs are small (64 px, 75 for inception_v3; vit_b_16's position embeddings need 224) and the
transformers models are built from small configs (hidden 64, 2 layers), so the module runs in a
few minutes on 2 cores. Model construction is shared with benchmarks/zoo.py (benchmarks/_models.py):
batch norms are calibrated and all-zero heads randomized, else several of these models would
give constant outputs and every comparison would pass trivially.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")
pytest.importorskip("openvino")

import ov_notebook as ov  # noqa: E402
from oracle import run_openvino  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "benchmarks"))
import _models  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]

TOLERANCE = 1e-3  # of the output's largest magnitude
SIZE = 64


def _torch_outputs(outputs) -> list:
    """Flat list of arrays, in the order the converted model's outputs follow (dict values in
    insertion order, as transformers' ModelOutput keeps them)."""
    if isinstance(outputs, torch.Tensor):
        return [outputs.detach().numpy()]
    values = outputs.values() if isinstance(outputs, dict) else outputs
    return [array for value in values for array in _torch_outputs(value)]


def _assert_close(got, expected, label, classifier):
    got = np.asarray(got)
    assert got.shape == expected.shape, f"{label}: shape {got.shape} vs {expected.shape}"
    scale = max(float(np.abs(expected).max()), 1e-6)
    error = float(np.abs(got - expected).max())
    assert error <= TOLERANCE * scale, f"{label}: max error {error:.3g} (scale {scale:.3g})"
    if classifier:
        assert got.argmax() == expected.argmax(), f"{label}: top-1 differs"


def _check(converted, inputs, expected, tmp_path, classifier=False):
    """``converted`` fed ``inputs`` (arrays, in order) gives ``expected`` on both runtimes."""
    ours = list(ov.compile_model(converted)(inputs).values())
    openvino = run_openvino(converted, inputs, directory=str(tmp_path))
    for runtime, outputs in (("ours", ours), ("OpenVINO", openvino)):
        assert len(outputs) == len(expected), f"{runtime}: {len(outputs)} outputs"
        for index, (got, want) in enumerate(zip(outputs, expected)):
            _assert_close(got, want, f"{runtime} output {index}", classifier)


def _classifier(name):
    model, (x,) = _models.torchvision_case(name, SIZE)
    with torch.no_grad():
        expected = _torch_outputs(model(x))
    return model, x, expected


def _route(converted) -> str:
    return converted.rt_info["ov_notebook"]["route"]


# --- torchvision --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", _models.TORCHVISION)
def test_torchvision_classifier(name, tmp_path):
    model, x, expected = _classifier(name)
    converted = ov.convert_model(model, example_input=x)
    assert _route(converted) == "export"
    _check(converted, [x.numpy()], expected, tmp_path, classifier=True)


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_large", "googlenet"])
def test_torchvision_jit_traced(name, tmp_path):
    model, x, expected = _classifier(name)
    with torch.no_grad():
        traced = torch.jit.trace(model, x)
    converted = ov.convert_model(traced)
    assert _route(converted) == "torchscript"
    _check(converted, [x.numpy()], expected, tmp_path, classifier=True)


@pytest.mark.parametrize("name", ["shufflenet_v2_x1_0", "efficientnet_b0"])
def test_torchvision_trace_fallback(name, tmp_path, force_trace):
    # the route taken when torch.export fails on a model
    model, x, expected = _classifier(name)
    converted = ov.convert_model(model, example_input=x)
    assert _route(converted) == "torchscript"
    _check(converted, [x.numpy()], expected, tmp_path, classifier=True)


# --- transformers (small configs, random weights) ------------------------------------------------
OUTPUT_NAMES = {"bert": ["last_hidden_state", "pooler_output"],
                "distilbert": ["last_hidden_state"],
                "gpt2": ["logits"],
                "vit": ["last_hidden_state", "pooler_output"]}


def _transformer(name):
    pytest.importorskip("transformers")
    model, inputs = _models.transformers_case(name)
    with torch.no_grad():
        expected = _torch_outputs(model(**inputs))
    return model, inputs, expected


@pytest.mark.parametrize("name", _models.TRANSFORMERS)
def test_transformers_model(name, tmp_path):
    model, inputs, expected = _transformer(name)
    converted = ov.convert_model(model, example_input=inputs)
    assert _route(converted) == "export"
    # dict inputs and outputs are flattened: the names are the dict keys
    assert [port.get_any_name() for port in converted.inputs] == list(inputs)
    assert [sorted(port.get_names()) for port in converted.outputs] == \
        [[key] for key in OUTPUT_NAMES[name]]
    _check(converted, [v.numpy() for v in inputs.values()], expected, tmp_path)


@pytest.mark.parametrize("with_example", [False, True], ids=["no_example", "example"])
@pytest.mark.parametrize("name", ["bert", "gpt2"])
def test_transformers_jit_traced(name, with_example, tmp_path):
    model, inputs, expected = _transformer(name)
    with torch.no_grad():
        traced = torch.jit.trace(model, example_kwarg_inputs=inputs, strict=False)
    converted = ov.convert_model(traced, example_input=inputs if with_example else None)
    assert _route(converted) == "torchscript"
    # without example_input the traced graph still gives the token ids' type (i64) and rank
    assert [(port.get_any_name(), port.get_element_type().get_type_name(),
             port.get_partial_shape().rank.get_length()) for port in converted.inputs] == \
        [(key, "i64", 2) for key in inputs]
    assert [port.get_any_name() for port in converted.outputs] == OUTPUT_NAMES[name]
    _check(converted, [v.numpy() for v in inputs.values()], expected, tmp_path)


# --- patterns whole models are made of -----------------------------------------------------------
class _InPlaceChain(torch.nn.Module):
    """ResNet's ``out += identity`` followed by ``ReLU(inplace=True)``: in-place ops on the
    result of in-place ops; every name of the tensor must read the last write. And
    EfficientNet's in-place dropout (eval: no write) on a view."""

    def forward(self, a):
        x = a * 3
        before = x * 1
        y = x.add_(1).relu_()
        between = x - 0.5
        z = y.mul_(2).sigmoid_()
        dropped = torch.nn.functional.dropout(z.flatten(), 0.2, training=False, inplace=True)
        return x, y, z, before, between, x + 1, dropped


def test_in_place_ops_convert_without_decompositions():
    from ov_notebook.frontend.torch.fx_decoder import _needs_decomposition

    a = torch.randn(2, 5)
    program = torch.export.export(_InPlaceChain(), (a,), strict=False)
    assert not _needs_decomposition(program)  # run_decompositions is most of a ResNet's time
    converted = ov.convert_model(_InPlaceChain(), example_input=a)
    expected = _torch_outputs(_InPlaceChain()(a))
    for index, got in enumerate(ov.compile_model(converted)(a.numpy()).values()):
        np.testing.assert_allclose(got, expected[index], rtol=1e-6, err_msg=f"output {index}")
