"""torchvision ops: nms / batched_nms (NonMaxSuppression-9), roi_align (ROIAlign-9),
deform_conv2d (DeformableConvolution-8) and MultiScaleRoIAlign, against torch on both routes,
with real OpenVINO reading the IR and with dynamic box counts."""
import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import Lambda, cases, check_layer, check_openvino_agrees, randn
from oracle import assert_outputs_match, run_openvino, run_ours

torchvision = pytest.importorskip("torchvision")
tv = torchvision.ops


def boxes(count, seed=0, extent=40.0, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    corner = torch.rand(count, 2, generator=generator) * extent
    size = torch.rand(count, 2, generator=generator) * extent / 2 + 1
    return torch.cat([corner, corner + size], 1).to(dtype)


def scores(count, seed=1):
    return torch.rand(count, generator=torch.Generator().manual_seed(seed))


def rois(count, images=2, seed=2, extent=30.0):
    image = torch.randint(0, images, (count, 1), generator=torch.Generator().manual_seed(seed))
    return torch.cat([image.float(), boxes(count, seed, extent)], 1)


def _deform(stride=1, padding=1, dilation=1, groups=1, bias=True, kernel=3):
    torch.manual_seed(0)
    return tv.DeformConv2d(4, 6, kernel, stride=stride, padding=padding, dilation=dilation,
                           groups=groups, bias=bias)


def _offsets(batch, groups, taps, height, width, scale=1.5, seed=3):
    return randn(batch, groups * 2 * taps, height, width, seed=seed) * scale


DETECTION = {
    "nms": (lambda: Lambda(lambda b, s: tv.nms(b, s, 0.5)), lambda: (boxes(40), scores(40))),
    "nms_low_iou": (lambda: Lambda(lambda b, s: tv.nms(b, s, 0.1)), lambda: (boxes(25), scores(25))),
    "nms_negative_scores": (lambda: Lambda(lambda b, s: tv.nms(b, s, 0.3)),
                            lambda: (boxes(20), scores(20) - 0.5)),
    "nms_no_boxes": (lambda: Lambda(lambda b, s: tv.nms(b, s, 0.3)),
                     lambda: (torch.zeros(0, 4), torch.zeros(0)), ("trace",)),
    "batched_nms": (lambda: Lambda(lambda b, s, c: tv.batched_nms(b, s, c, 0.3)),
                    lambda: (boxes(40), scores(40), torch.randint(0, 4, (40,)))),
    "roi_align": (lambda: Lambda(lambda x, r: tv.roi_align(x, r, (3, 2), 0.5, 2, True)),
                  lambda: (randn(2, 3, 16, 16), rois(6))),
    "roi_align_adaptive": (lambda: Lambda(lambda x, r: tv.roi_align(x, r, 4, 0.25, -1, False)),
                           lambda: (randn(2, 5, 9, 11), rois(5, extent=40.0))),
    # trace: TorchScript names both box inputs "_tensor" ("_tensor.1", "_tensor") and the
    # converted model gives both the second one's shape (a signature bug outside this family)
    "roi_align_list_of_boxes": (lambda: Lambda(lambda x, a, b: tv.roi_align(x, [a, b], 2, 1.0, 1)),
                                lambda: (randn(2, 2, 8, 8), boxes(3, 4, 6.0), boxes(2, 5, 6.0)),
                                ("export", "core")),
    "roi_align_float64": (lambda: Lambda(lambda x, r: tv.roi_align(x, r, 2, 0.5, 2, True)),
                          lambda: (randn(2, 3, 16, 16).double(), rois(4).double())),
    "roi_pool_module": (lambda: tv.RoIAlign((2, 2), 0.5, 0, aligned=True),
                        lambda: (randn(2, 3, 16, 16), rois(4))),
    "deform_conv2d": (lambda: _deform(), lambda: (randn(2, 4, 7, 8), _offsets(2, 1, 9, 7, 8))),
    "deform_conv2d_mask": (lambda: _deform(),
                           lambda: (randn(1, 4, 7, 8), _offsets(1, 1, 9, 7, 8),
                                    torch.rand(1, 9, 7, 8))),
    "deform_conv2d_groups": (lambda: _deform(stride=2, groups=2),
                             lambda: (randn(2, 4, 9, 8), _offsets(2, 2, 9, 5, 4),
                                      torch.rand(2, 18, 5, 4))),
    "deform_conv2d_dilated_no_bias": (lambda: _deform(padding=0, dilation=2, bias=False,
                                                      kernel=(2, 3)),
                                      lambda: (randn(1, 4, 8, 9), _offsets(1, 1, 6, 6, 5, 3.0))),
    # tracing records torchvision's image-size reads as _shape_as_tensor
    "shape_as_tensor": (lambda: Lambda(lambda x: torch._shape_as_tensor(x) * 2),
                        lambda: (randn(2, 3, 5),), ("trace",)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(DETECTION))
def test_detection_ops(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("name", ["nms_low_iou", "batched_nms", "roi_align", "roi_align_adaptive",
                                  "deform_conv2d_groups", "deform_conv2d_dilated_no_bias"])
@pytest.mark.parametrize("route", ["export", "trace"])
def test_detection_openvino_agrees(name, route):
    make_module, make_inputs = DETECTION[name][:2]
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("route", ["export", "trace"])
def test_nms_and_roi_align_with_dynamic_box_counts(route):
    def function(features, b, s):
        keep = tv.nms(b, s, 0.4)
        kept = b[keep]
        images = torch.zeros(kept.shape[0], 1)
        return keep, tv.roi_align(features, torch.cat([images, kept], 1), 2, 0.5, 2, True)
    module = Lambda(function).eval()
    example = (randn(1, 3, 20, 20), boxes(12), scores(12))
    if route == "trace":
        model = ov.convert_model(torch.jit.trace(module, example, check_trace=False))
    else:
        count = torch.export.Dim("count", min=2, max=512)
        model = ov.convert_model(torch.export.export(
            module, example, dynamic_shapes=((None, {0: count}, {0: count}),)))
    assert model.inputs[1].get_partial_shape().is_dynamic
    compiled = ov.compile_model(model)
    for inputs in (example, (randn(1, 3, 20, 20, seed=5), boxes(30, 6), scores(30, 7))):
        expected = [t.numpy() for t in module(*inputs)]
        got = compiled([t.numpy() for t in inputs])
        for index, want in enumerate(expected):
            assert got[index].shape == want.shape and got[index].dtype == want.dtype
            np.testing.assert_allclose(got[index], want, rtol=1e-4, atol=1e-4)
    feeds = [t.numpy() for t in (randn(1, 3, 20, 20, seed=5), boxes(30, 6), scores(30, 7))]
    assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=1e-4, atol=1e-4)


class MultiScale(torch.nn.Module):
    """MultiScaleRoIAlign as the detection models call it: named feature maps, a box list per
    image, the image sizes."""

    def __init__(self):
        super().__init__()
        self.pool = tv.MultiScaleRoIAlign(["f0", "f1", "f2"], 3, 2)

    def forward(self, f0, f1, f2, boxes0, boxes1):
        return self.pool({"f0": f0, "f1": f1, "f2": f2}, [boxes0, boxes1], [(64, 64), (64, 64)])


def _multiscale_inputs():
    features = [randn(2, 4, 64 // stride, 64 // stride, seed=stride) for stride in (4, 8, 16)]
    return features + [boxes(7, 1, 40.0).clamp(max=64), boxes(5, 2, 40.0).clamp(max=64)]


@pytest.mark.parametrize("route", ["core", "export", "trace"])
def test_multiscale_roi_align(route):
    check_layer(MultiScale(), _multiscale_inputs(), route)
