"""The layer check of the op-breadth tests (test_ops_*.py), on top of ``layer_harness``: every
case runs on the torch.export and torch.jit.trace routes, on torch.jit.script where the
case gives a scriptable function, and on torch.export with every dimension dynamic; each time the
IR is also read by real OpenVINO, which must compute what our runtime computes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import Lambda, check_layer
from oracle import assert_outputs_match, run_openvino, run_ours

# core ATen (run_decompositions) is left out: these ops have translators, so the lowering only
# reaches them when the user lowers first, which the layer tests of each family cover
ROUTES = ("export", "trace", "script", "dynamic")


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def _convert_dynamic(module, inputs):
    auto = torch.export.Dim.AUTO
    shapes = tuple({axis: auto for axis in range(t.dim())} if t.dim() else None for t in inputs)
    program = torch.export.export(module, tuple(x.clone() for x in inputs),
                                  dynamic_shapes=(shapes,))  # forward(*inputs)
    return ov.convert_model(program)


def _check_against_torch(model, module, inputs, atol):
    with torch.no_grad():
        expected = [t.numpy() for t in _flat(module(*[x.clone() for x in inputs]))]
    got = run_ours(model, [t.numpy() for t in inputs])
    assert len(got) == len(expected)
    for index, (ours, reference) in enumerate(zip(got, expected)):
        assert ours.dtype == reference.dtype and ours.shape == reference.shape, \
            f"output {index}: {ours.dtype}{list(ours.shape)}, torch {reference.dtype}" \
            f"{list(reference.shape)}"
        if reference.dtype.kind == "f":
            np.testing.assert_allclose(ours, reference, atol=atol, rtol=atol)
        else:
            np.testing.assert_array_equal(ours, reference)


def check_op(function, make_inputs, route, atol=1e-4, script=None):
    """``function`` (a Python callable; ``script``: a scriptable one, for the script route)
    compared with torch on ``route``, and OpenVINO reading the IR agreeing with our runtime."""
    inputs = list(make_inputs())
    module = Lambda(function).eval()
    if route == "script":
        if script is None:
            pytest.skip("no scriptable form of this case")
        model = ov.convert_model(torch.jit.script(script), example_input=tuple(inputs))
        _check_against_torch(model, module, inputs, atol)
    elif route == "dynamic":
        model = _convert_dynamic(module, inputs)
        assert any(p.get_partial_shape().is_dynamic for p in model.inputs)
        _check_against_torch(model, module, inputs, atol)
    else:
        model = check_layer(module, inputs, route, atol=atol, rtol=atol)
    feeds = [t.numpy() for t in inputs]
    assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=atol, atol=atol,
                         what=route)


def params(table, routes=ROUTES):
    """pytest params ``(function, make_inputs, script, route)`` of ``{id: (function,
    make_inputs[, script[, routes]])}`` crossed with ``routes`` (unless the entry names its own)."""
    result = []
    for name, entry in table.items():
        function, make_inputs = entry[:2]
        script = entry[2] if len(entry) > 2 else None
        for route in (entry[3] if len(entry) > 3 else routes):
            if route == "script" and script is None:
                continue
            result.append(pytest.param(function, make_inputs, script, route, id=f"{name}-{route}"))
    return result


def randn(*shape, seed=0, dtype=torch.float32):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


def randint(low, high, *shape, seed=0, dtype=torch.int64):
    return torch.randint(low, high, shape, generator=torch.Generator().manual_seed(seed),
                         dtype=dtype)
