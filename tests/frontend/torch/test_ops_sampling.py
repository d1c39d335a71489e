"""F.grid_sample -> GridSample-9: every mode, padding mode and align_corners against torch on
both routes, real OpenVINO reading the IR, a dynamic dimension, a 5-D input refused."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ov_notebook as ov
from layer_harness import Lambda, cases, check_layer, check_openvino_agrees, convert, randn
from oracle import assert_outputs_match, run_openvino, run_ours
from ov_notebook.frontend.errors import ConversionError


def _grid(*shape, spread=1.3, seed=1):
    return (torch.rand(*shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1) * spread


def _sampler(mode, padding_mode, align_corners):
    return lambda: Lambda(lambda x, g: F.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                     align_corners=align_corners))


SAMPLES = {
    f"{mode}_{padding}_{'align' if align else 'edges'}": (
        _sampler(mode, padding, align), lambda: (randn(2, 3, 5, 6), _grid(2, 4, 7, 2)))
    for mode in ("bilinear", "nearest", "bicubic") for padding in ("zeros", "border", "reflection")
    for align in (False, True)
}
SAMPLES["wide_spread"] = (_sampler("bilinear", "reflection", False),
                          lambda: (randn(1, 2, 3, 4), _grid(1, 6, 6, 2, spread=4.0)))
SAMPLES["float64"] = (_sampler("bilinear", "zeros", False),
                      lambda: (randn(1, 2, 3, 4).double(), _grid(1, 2, 2, 2).double()))


@pytest.mark.parametrize("make_module, make_inputs, route", cases(SAMPLES))
def test_grid_sample(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("name", ["bicubic_reflection_align", "bilinear_border_edges",
                                  "nearest_zeros_edges", "wide_spread"])
@pytest.mark.parametrize("route", ["export", "trace"])
def test_grid_sample_openvino_agrees(name, route):
    make_module, make_inputs = SAMPLES[name]
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("route", ["export", "trace"])
def test_grid_sample_with_dynamic_dims(route):
    module = _sampler("bilinear", "border", True)().eval()
    example = (randn(2, 3, 5, 6), _grid(2, 4, 7, 2))
    if route == "trace":
        model = ov.convert_model(torch.jit.trace(module, example, check_trace=False))
    else:
        batch, rows = torch.export.Dim("batch", max=8), torch.export.Dim("rows", max=32)
        height, width = torch.export.Dim("height", max=32), torch.export.Dim("width", max=32)
        model = ov.convert_model(torch.export.export(module, example, dynamic_shapes=(
            ({0: batch, 2: height, 3: width}, {0: batch, 1: rows}),)))
    assert model.inputs[0].get_partial_shape().is_dynamic
    compiled = ov.compile_model(model)
    for inputs in (example, (randn(3, 3, 4, 4, seed=2), _grid(3, 9, 7, 2, seed=3))):
        expected = module(*inputs).numpy()
        got = compiled([t.numpy() for t in inputs])[0]
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    feeds = [randn(3, 3, 4, 4, seed=2).numpy(), _grid(3, 9, 7, 2, seed=3).numpy()]
    assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=1e-4, atol=1e-4)


def test_grid_sample_5d_is_refused():
    module = Lambda(lambda x, g: F.grid_sample(x, g, align_corners=False))
    with pytest.raises(ConversionError, match="only 4-D"):
        convert(module, (randn(1, 2, 3, 4, 5), _grid(1, 2, 2, 2, 3)), "trace")
