"""Cache objects and other pytree containers in ``example_input`` (issue 11, item 6).

A transformers DynamicCache becomes one input per layer key and value, named as optimum-intel
names them (``past_key_values.0.key``) with structure paths into its legacy tuples
(``past_key_values[0][0]``); the converted model takes the cache object or those tuples and
matches torch on logits and on the present cache, with past lengths other than the example's.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import torch

import ov_notebook as ov
from ov_notebook.frontend.errors import ConversionError
from ov_notebook.ir import structure
from tests.frontend.torch.conftest import route_of, signature
from tests.tiny_llms import (ARCHITECTURES, LAYERS, convert_with_cache, prefill_cache,
                             tiny_decoder, token_ids)

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")

ROUTES = ("export", "trace")
CACHE_NAMES = [f"past_key_values.{i}.{kind}" for i in range(LAYERS) for kind in ("key", "value")]
CACHE_PATHS = [f"past_key_values[{i}][{j}]" for i in range(LAYERS) for j in range(2)]


@pytest.fixture(scope="module", params=[(a, r) for a in ARCHITECTURES for r in ROUTES],
                ids=lambda p: f"{p[0]}-{p[1]}")
def converted_decoder(request):
    architecture, route = request.param
    model = tiny_decoder(architecture)
    patch = pytest.MonkeyPatch()
    if route == "trace":
        import ov_notebook.frontend.torch as torch_frontend

        patch.setattr(torch_frontend, "_exportable", lambda model: False)
    try:
        converted = convert_with_cache(ov, model)
    finally:
        patch.undo()
    assert route_of(converted) == ("export" if route == "export" else "torchscript")
    return model, converted


def test_cache_leaves_have_names_and_paths(converted_decoder):
    _, converted = converted_decoder
    inputs, outputs = signature(converted)
    assert [names for names, *_ in inputs] == [["input_ids"], ["attention_mask"]] + \
        [[name] for name in CACHE_NAMES]
    assert [path for *_, path in inputs] == ["input_ids", "attention_mask"] + CACHE_PATHS
    assert [shape for _, shape, *_ in inputs[2:]] == ["[?,2,?,8]"] * len(CACHE_NAMES)
    output_names = [names[0] for names, _ in outputs]
    assert output_names[0] == "logits"
    assert sorted(output_names[1:]) == sorted(n.replace("past_key_values", "cache")
                                             for n in CACHE_NAMES)
    tree = structure.decode(converted.rt_info["ov_notebook"]["input_tree"])
    cache_tree = tree["items"][tree["names"].index("past_key_values")]
    assert cache_tree["kind"] == "cache" and cache_tree["type"].endswith("DynamicCache")


@pytest.mark.parametrize("past, query", [(5, 2), (3, 1), (9, 4)])
def test_logits_and_present_cache_match_torch(converted_decoder, past, query):
    model, converted = converted_decoder
    cache = prefill_cache(model, past, seed=past)
    ids, mask = token_ids(query, seed=query), torch.ones(1, past + query, dtype=torch.int64)
    with torch.no_grad():
        reference = model(input_ids=ids, attention_mask=mask, past_key_values=copy.deepcopy(cache))
    compiled = ov.compile_model(converted)
    # the cache object itself, then its legacy tuples, as the cache argument
    legacy = tuple((layer.keys, layer.values) for layer in cache.layers)
    for given in (cache, legacy):
        result = compiled.infer_structured(input_ids=ids, attention_mask=mask,
                                           past_key_values=given)
        np.testing.assert_allclose(result["logits"], reference.logits.numpy(), rtol=1e-4,
                                   atol=1e-4)
        present = result["cache"]
        assert len(present) == LAYERS
        for (key, value), layer in zip(present, reference.past_key_values.layers):
            assert key.shape == tuple(layer.keys.shape) == (1, 2, past + query, 8)
            np.testing.assert_allclose(key, layer.keys.numpy(), rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(value, layer.values.numpy(), rtol=1e-4, atol=1e-5)


def test_notebook_flattens_torch_outputs_with_the_converted_paths(converted_decoder):
    """%infer --torch compares leaf by leaf: torch's cache output flattens to the same paths."""
    from ov_notebook.notebook.structure import flatten, structure_path

    model, converted = converted_decoder
    cache = prefill_cache(model, 5)
    with torch.no_grad():
        output = model(input_ids=token_ids(2, 0), attention_mask=torch.ones(1, 7, dtype=torch.int64),
                       past_key_values=copy.deepcopy(cache))
    assert [path for path, _ in flatten(output)] == \
        [structure_path(port) for port in converted.outputs]


def test_example_cache_is_not_mutated():
    model = tiny_decoder("llama")
    cache = prefill_cache(model, 4)
    before = [(layer.keys.clone(), layer.values.clone()) for layer in cache.layers]
    ov.convert_model(model, example_input={"input_ids": token_ids(1, 0),
                                           "attention_mask": torch.ones(1, 5, dtype=torch.int64),
                                           "past_key_values": cache})
    assert len(cache.layers) == len(before)
    for layer, (key, value) in zip(cache.layers, before):
        assert torch.equal(layer.keys, key) and torch.equal(layer.values, value)


def test_wrong_cache_is_a_clear_error(converted_decoder):
    model, converted = converted_decoder
    compiled = ov.compile_model(converted)
    three_layers = tuple((torch.zeros(1, 2, 3, 8), torch.zeros(1, 2, 3, 8)) for _ in range(3))
    with pytest.raises(Exception, match=r"past_key_values: expected a .*DynamicCache of 2 layers"):
        compiled.infer_structured(input_ids=token_ids(1, 0),
                                  attention_mask=torch.ones(1, 4, dtype=torch.int64),
                                  past_key_values=three_layers)


# --- other pytree containers -----------------------------------------------------------------
@dataclasses.dataclass
class Pair:
    scale: torch.Tensor
    shift: torch.Tensor


@pytest.fixture
def pair_pytree():
    from torch.utils import _pytree

    _pytree.register_pytree_node(
        Pair, lambda p: ([p.scale, p.shift], ["scale", "shift"]),
        lambda values, context: Pair(*values),
        flatten_with_keys_fn=lambda p: ([(_pytree.MappingKey("scale"), p.scale),
                                         (_pytree.MappingKey("shift"), p.shift)],
                                        ["scale", "shift"]))
    yield
    _pytree._deregister_pytree_node(Pair)


class Affine(torch.nn.Module):
    def forward(self, x, pair):
        return x * pair.scale + pair.shift


@pytest.mark.parametrize("route", ROUTES)
def test_pytree_registered_container_input_is_flattened_by_field(pair_pytree, route, request):
    if route == "trace":
        request.getfixturevalue("force_trace")
    x, pair = torch.randn(2, 3), Pair(torch.randn(3), torch.randn(3))
    converted = ov.convert_model(Affine(), example_input=(x, pair))
    assert route_of(converted) == ("export" if route == "export" else "torchscript")
    inputs, _ = signature(converted)
    assert [(names, path) for names, *_, path in inputs] == [
        (["x"], "x"), (["scale"], 'pair["scale"]'), (["shift"], 'pair["shift"]')]
    expected = (x * pair.scale + pair.shift).numpy()
    compiled = ov.compile_model(converted)
    result = compiled([x.numpy(), pair.scale.numpy(), pair.shift.numpy()])
    np.testing.assert_allclose(result[0], expected, rtol=1e-6)
    other = Pair(torch.randn(3), torch.randn(3))  # the object itself, by its fields
    np.testing.assert_allclose(compiled.infer_structured(x, other),
                               (x * other.scale + other.shift).numpy(), rtol=1e-6)


def test_unknown_object_in_example_input_names_the_argument():
    class Opaque:
        pass

    with pytest.raises(ConversionError, match=r"example_input\[1\]: unsupported type Opaque"):
        ov.convert_model(Affine(), example_input=(torch.randn(2), Opaque()))


@dataclasses.dataclass
class Window:  # not registered with torch's pytree
    low: torch.Tensor
    high: torch.Tensor


@dataclasses.dataclass
class Clipped:
    values: torch.Tensor
    fraction_clipped: torch.Tensor


class Clip(torch.nn.Module):
    def forward(self, x, window):
        clipped = torch.minimum(torch.maximum(x, window.low), window.high)
        return Clipped(clipped, (clipped != x).float().mean())


@pytest.mark.parametrize("route", ROUTES)
def test_dataclasses_in_and_out_are_keyed_by_field(route, request):
    if route == "trace":
        request.getfixturevalue("force_trace")
    x, window = torch.randn(4, 3), Window(torch.full((3,), -0.5), torch.full((3,), 0.5))
    converted = ov.convert_model(Clip(), example_input=(x, window))
    assert route_of(converted) == ("export" if route == "export" else "torchscript")
    inputs, outputs = signature(converted)
    assert [(names, path) for names, *_, path in inputs] == [
        (["x"], "x"), (["low"], 'window["low"]'), (["high"], 'window["high"]')]
    assert outputs == [(["values"], '["values"]'), (["fraction_clipped"], '["fraction_clipped"]')]
    other = Window(torch.full((3,), -1.0), torch.full((3,), 0.2))
    result = ov.compile_model(converted).infer_structured(x, other)
    expected = Clip()(x, other)
    np.testing.assert_allclose(result["values"], expected.values.numpy(), rtol=1e-6)
    np.testing.assert_allclose(result["fraction_clipped"], expected.fraction_clipped.numpy(),
                               rtol=1e-6)
