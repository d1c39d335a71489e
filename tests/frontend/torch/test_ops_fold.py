"""F.unfold (im2col, composed as OpenVINO composes it) and F.fold (col2im -> Col2Im-15) against
torch on both routes, with real OpenVINO reading the IR and dynamic image sizes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ov_notebook as ov
from layer_harness import Lambda, cases, check_layer, check_openvino_agrees, randn
from oracle import assert_outputs_match, run_openvino, run_ours

# the core-ATen route lowers unfold/fold to index/index_put graphs of other translators
BOTH = ("export", "trace")

FOLDS = {
    "unfold": (lambda: Lambda(lambda x: F.unfold(x, 3)), lambda: (randn(2, 3, 6, 7),)),
    "unfold_all_attrs": (lambda: Lambda(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1,
                                                           stride=(2, 1))),
                         lambda: (randn(2, 3, 6, 7),)),
    "unfold_unbatched": (lambda: Lambda(lambda x: F.unfold(x, 2, stride=2)),
                         lambda: (randn(3, 4, 6),), BOTH),
    "unfold_module_int": (lambda: torch.nn.Unfold(2, padding=(0, 1)),
                          lambda: (torch.arange(2 * 2 * 5 * 4).reshape(2, 2, 5, 4).float(),)),
    "fold": (lambda: Lambda(lambda c: F.fold(c, (5, 6), 2)), lambda: (randn(2, 12, 20),)),
    "fold_all_attrs": (lambda: Lambda(lambda c: F.fold(c, (5, 6), (2, 3), dilation=(2, 1),
                                                       padding=(1, 0), stride=(1, 2))),
                       lambda: (randn(2, 18, 10),)),
    "fold_unbatched": (lambda: Lambda(lambda c: F.fold(c, 4, 2, stride=2)),
                       lambda: (randn(8, 4),), BOTH),
    "fold_of_unfold": (lambda: Lambda(lambda x: F.fold(F.unfold(x, 3, padding=1), (6, 5), 3,
                                                       padding=1)),
                       lambda: (randn(1, 2, 6, 5),)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(FOLDS))
def test_fold_unfold(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("name", ["unfold_all_attrs", "fold_all_attrs", "fold_of_unfold"])
@pytest.mark.parametrize("route", BOTH)
def test_fold_unfold_openvino_agrees(name, route):
    make_module, make_inputs = FOLDS[name][:2]
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("route", BOTH)
def test_unfold_with_dynamic_image_sizes(route):
    module = Lambda(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2)).eval()
    example = (randn(2, 3, 6, 7),)
    if route == "trace":
        model = ov.convert_model(torch.jit.trace(module, example, check_trace=False))
    else:
        height, width = torch.export.Dim("height", min=4, max=64), torch.export.Dim("width", min=6, max=64)
        model = ov.convert_model(torch.export.export(
            module, example, dynamic_shapes=(({2: height, 3: width},),)))
    assert model.inputs[0].get_partial_shape().is_dynamic
    compiled = ov.compile_model(model)
    for x in (example[0], randn(2, 3, 9, 11, seed=2)):
        np.testing.assert_allclose(compiled([x.numpy()])[0], module(x).numpy(), rtol=1e-6,
                                   atol=1e-6)
    feeds = [randn(2, 3, 9, 11, seed=2).numpy()]
    assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=1e-6, atol=1e-6)
