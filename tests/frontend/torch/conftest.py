"""Helpers for the PyTorch frontend core tests (signature, routes, errors, structure).

Only plain functions and opt-in fixtures: the translator layer tests in this folder use
``layer_harness.py`` and are not affected.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ov_notebook as ov


def signature(model):
    """What a user sees of a converted model's interface: per input (names, shape, type,
    structure path) and per output (names, structure path)."""
    inputs = [(sorted(port.get_names()), str(port.get_partial_shape()),
               port.get_element_type().get_type_name(),
               port.get_node().rt_info.get("structure_path")) for port in model.inputs]
    outputs = [(sorted(port.get_names()), result.rt_info.get("structure_path"))
               for port, result in zip(model.outputs, model.get_results())]
    return inputs, outputs


def input_names(model):
    return [port.get_any_name() for port in model.inputs]


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(to_numpy(v) for v in value)
    return value


def assert_same_structure(ours, reference, atol=1e-4, path="output"):
    """Same nesting (dict keys, tuple/list lengths), dtypes and shapes; floats within atol."""
    if isinstance(reference, dict):
        assert isinstance(ours, dict) and list(ours) == list(reference), f"{path}: {ours!r}"
        for key in reference:
            assert_same_structure(ours[key], reference[key], atol, f"{path}[{key!r}]")
    elif isinstance(reference, (tuple, list)):
        assert isinstance(ours, type(reference)) and len(ours) == len(reference), path
        for index, (a, b) in enumerate(zip(ours, reference)):
            assert_same_structure(a, b, atol, f"{path}[{index}]")
    elif reference is None:
        assert ours is None, path
    else:
        reference = np.asarray(to_numpy(reference))
        ours = np.asarray(ours)
        assert ours.shape == reference.shape and ours.dtype == reference.dtype, \
            f"{path}: {ours.dtype}{list(ours.shape)} vs {reference.dtype}{list(reference.shape)}"
        np.testing.assert_allclose(ours, reference, atol=atol, rtol=1e-4, err_msg=path)


@pytest.fixture
def force_trace(monkeypatch):
    """Converts nn.Modules through the torch.jit.trace route (as when torch.export fails)."""
    import ov_notebook.frontend.torch as torch_frontend

    monkeypatch.setattr(torch_frontend, "_exportable", lambda model: False)


def route_of(model) -> str:
    return model.rt_info["ov_notebook"]["route"]


def run_structured(model, *args, **kwargs):
    return ov.compile_model(model).infer_structured(*args, **kwargs)
