"""nn.EmbeddingBag / F.embedding_bag -> EmbeddingBagOffsets-15: sum and mean, per-sample weights,
padding_idx, include_last_offset, empty bags, 2-D input, against torch on both routes, with real
OpenVINO reading the IR and a dynamic number of indices; mode 'max' refused."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ov_notebook as ov
from layer_harness import Lambda, cases, check_layer, check_openvino_agrees, convert, randint
from oracle import assert_outputs_match, run_openvino, run_ours
from ov_notebook.frontend.errors import ConversionError


def _bag(**kwargs):
    torch.manual_seed(0)
    return torch.nn.EmbeddingBag(10, 4, **kwargs)


INDICES = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
OFFSETS = torch.tensor([0, 2, 2, 5])  # bag 1 is empty


def _weights(count=8, seed=1):
    return torch.rand(count, generator=torch.Generator().manual_seed(seed))


BAGS = {
    "sum": (lambda: _bag(mode="sum"), lambda: (INDICES, OFFSETS)),
    "mean": (lambda: _bag(mode="mean"), lambda: (INDICES, OFFSETS)),
    "mean_int32_indices": (lambda: _bag(mode="mean"),
                           lambda: (INDICES.int(), OFFSETS.int())),
    "sum_weights": (lambda: _bag(mode="sum"), lambda: (INDICES, OFFSETS, _weights())),
    "mean_padding_idx": (lambda: _bag(mode="mean", padding_idx=2), lambda: (INDICES, OFFSETS)),
    "sum_weights_padding_idx": (lambda: _bag(mode="sum", padding_idx=4),
                                lambda: (INDICES, OFFSETS, _weights())),
    "include_last_offset": (lambda: _bag(mode="mean", include_last_offset=True),
                            lambda: (INDICES, torch.tensor([0, 2, 2, 5, 7]))),
    "include_last_offset_sum_padding": (
        lambda: _bag(mode="sum", include_last_offset=True, padding_idx=4),
        lambda: (INDICES, torch.tensor([0, 2, 2, 5, 7]), _weights())),
    "include_last_offset_mean_padding": (
        lambda: _bag(mode="mean", include_last_offset=True, padding_idx=2),
        lambda: (INDICES, torch.tensor([0, 2, 2, 5, 6]))),
    "trailing_empty_bag": (lambda: _bag(mode="sum"), lambda: (INDICES, torch.tensor([0, 3, 8]))),
    "two_d_input": (lambda: _bag(mode="mean"), lambda: (randint(0, 10, 3, 5),)),
    "functional_weights": (lambda: Lambda(lambda w, i, o, s: F.embedding_bag(
        i, w, o, mode="sum", per_sample_weights=s)),
        lambda: (torch.randn(6, 3), randint(0, 6, 7), torch.tensor([0, 4]), _weights(7))),
    "float64_table": (lambda: _bag(mode="mean").double(), lambda: (INDICES, OFFSETS)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(BAGS))
def test_embedding_bag(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("name", ["mean", "sum_weights", "mean_padding_idx",
                                  "include_last_offset", "two_d_input"])
@pytest.mark.parametrize("route", ["export", "trace"])
def test_embedding_bag_openvino_agrees(name, route):
    make_module, make_inputs = BAGS[name][:2]
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("route", ["export", "trace"])
@pytest.mark.parametrize("padding_idx", [None, 0])
def test_embedding_bag_with_a_dynamic_number_of_indices(route, padding_idx):
    module = _bag(mode="mean", padding_idx=padding_idx).eval()
    example = (INDICES, OFFSETS)
    if route == "trace":
        model = ov.convert_model(torch.jit.trace(module, example, check_trace=False))
    else:
        count, bags = torch.export.Dim("count", min=2, max=256), torch.export.Dim("bags", max=64)
        model = ov.convert_model(torch.export.export(module, example,
                                                     dynamic_shapes=({0: count}, {0: bags})))
    assert model.inputs[0].get_partial_shape().is_dynamic
    compiled = ov.compile_model(model)
    other = (randint(0, 10, 20, seed=4), torch.tensor([0, 3, 3, 11, 19]))
    for inputs in (example, other):
        expected = module(*inputs).detach().numpy()
        np.testing.assert_allclose(compiled([t.numpy() for t in inputs])[0], expected, rtol=1e-5,
                                   atol=1e-6)
    if padding_idx is None:  # OpenVINO's CPU plugin cannot compile a dynamic EmbeddingBagOffsets
        feeds = [t.numpy() for t in other]  # with per_sample_weights (padding_idx uses them)
        assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=1e-5,
                             atol=1e-6)


def test_embedding_bag_max_mode_is_refused():
    with pytest.raises(ConversionError, match="mode 2 .'max'. has no OpenVINO operation"):
        convert(_bag(mode="max"), (INDICES, OFFSETS), "export")
