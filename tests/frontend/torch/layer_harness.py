"""Shared check for the translator layer tests (tests/frontend/torch/test_layers_*.py).

In the style of OpenVINO's PyTorch layer tests: a tiny module is converted through
``torch.export`` (FX route; as exported and lowered to core ATen) and ``torch.jit.trace``
(TorchScript route), compiled, run, and its outputs compared with torch's: dtype and shape
exactly, floats within 1e-4 absolute and relative.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ov_notebook as ov
from oracle import assert_outputs_match, run_openvino, run_ours

# export: torch.export (the converter lowers what has no translator); core: the program already
# lowered to core ATen by the user (run_decompositions()); trace: torch.jit.trace
ROUTES = ("export", "core", "trace")


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def _source(module, inputs, route):
    if route == "export":
        return torch.export.export(module, tuple(inputs))
    if route == "core":
        return torch.export.export(module, tuple(inputs)).run_decompositions()
    if route == "trace":
        return torch.jit.trace(module, tuple(inputs), check_trace=False)
    if route == "script":
        return torch.jit.script(module)
    raise ValueError(route)


def convert(module, inputs, route):
    inputs = [x.clone() for x in inputs]  # tracing runs the module, in-place ops included
    if route == "trace_no_grad":  # what users who trace for inference get
        with torch.no_grad():
            source = _source(module, inputs, "trace")
        return ov.convert_model(source, example_input=tuple(inputs))
    source = _source(module, inputs, route)
    if route in ("export", "core"):
        return ov.convert_model(source)
    return ov.convert_model(source, example_input=tuple(inputs))


def check_openvino_agrees(module, inputs, route, rtol=1e-4, atol=1e-4):
    """Convert ``module`` through ``route``: our runtime and real OpenVINO (reading the IR we
    write) give the same outputs on ``inputs``."""
    model = convert(module, inputs, route)
    feeds = [np.asarray(t.numpy()) for t in inputs]
    assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=rtol, atol=atol,
                         what=route)


def check_layer(module, inputs, route, atol=1e-4, rtol=1e-4):
    """Convert ``module`` through ``route`` and compare its outputs on ``inputs`` with torch."""
    module = module.eval()
    with torch.no_grad():
        # clones: in-place modules (ReLU(inplace=True)) must not change the inputs we run on
        expected = [t for t in _flat(module(*[x.clone() for x in inputs]))
                    if isinstance(t, torch.Tensor)]
    model = convert(module, inputs, route)
    compiled = ov.compile_model(model)
    results = compiled([t.numpy() for t in inputs])
    got = [np.asarray(results[i]) for i in range(len(compiled.outputs))]
    assert len(got) == len(expected), f"{len(got)} outputs, torch gives {len(expected)}"
    for index, (ours, reference) in enumerate(zip(got, expected)):
        reference = reference.detach().numpy()
        label = f"{route} output {index}"
        assert ours.dtype == reference.dtype, f"{label}: dtype {ours.dtype}, torch {reference.dtype}"
        assert ours.shape == reference.shape, f"{label}: shape {ours.shape}, torch {reference.shape}"
        if reference.dtype.kind == "f":
            np.testing.assert_allclose(ours, reference, atol=atol, rtol=rtol, err_msg=label)
        else:
            np.testing.assert_array_equal(ours, reference, err_msg=label)
    return model


class Lambda(torch.nn.Module):
    """A module whose forward is ``function`` (most layer tests need no parameters)."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, *inputs):
        return self.function(*inputs)


def cases(table, routes=ROUTES):
    """pytest params from ``{id: (module factory, inputs factory[, routes])}`` crossed with the
    routes (``routes`` unless the entry names its own)."""
    return [pytest.param(entry[0], entry[1], route, id=f"{name}-{route}")
            for name, entry in table.items() for route in (entry[2:] or (routes,))[0]]


def randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def randint(low, high, *shape, dtype=torch.int64, seed=0):
    return torch.randint(low, high, shape, dtype=dtype,
                         generator=torch.Generator().manual_seed(seed))
