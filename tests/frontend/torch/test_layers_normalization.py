"""Normalization translators: batch/layer/group/instance/RMS norm, plus the functional
normalizations torch composes from other ops (F.normalize, local_response_norm)."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randn


def _randomized(module):
    """Non-trivial affine parameters and running statistics, so that mistakes show."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in list(module.named_parameters()) + list(module.named_buffers()):
            if tensor.dtype.is_floating_point:
                values = torch.rand(tensor.shape, generator=generator) + 0.5
                tensor.copy_(values if "var" in name or "weight" in name else values - 1)
    return module


NORMS = {
    "batch_norm2d": (lambda: _randomized(torch.nn.BatchNorm2d(3)), lambda: (randn(2, 3, 4, 5),)),
    "batch_norm2d_no_affine": (lambda: _randomized(torch.nn.BatchNorm2d(3, affine=False)),
                               lambda: (randn(2, 3, 4, 5),)),
    "batch_norm1d": (lambda: _randomized(torch.nn.BatchNorm1d(4, eps=1e-3)),
                     lambda: (randn(3, 4),)),
    "batch_norm1d_sequence": (lambda: _randomized(torch.nn.BatchNorm1d(4)),
                              lambda: (randn(2, 4, 6),)),
    "batch_norm3d": (lambda: _randomized(torch.nn.BatchNorm3d(2)), lambda: (randn(1, 2, 3, 4, 5),)),
    "batch_norm_batch_stats": (lambda: _randomized(torch.nn.BatchNorm2d(3,
                                                                        track_running_stats=False)),
                               lambda: (randn(2, 3, 4, 5),)),
    "layer_norm": (lambda: _randomized(torch.nn.LayerNorm(6)), lambda: (randn(2, 3, 6),)),
    "layer_norm_2d_shape": (lambda: _randomized(torch.nn.LayerNorm([3, 6], eps=1e-3)),
                            lambda: (randn(2, 3, 6),)),
    "layer_norm_no_affine": (lambda: torch.nn.LayerNorm(6, elementwise_affine=False),
                             lambda: (randn(4, 6),)),
    "layer_norm_no_bias": (lambda: _randomized(torch.nn.LayerNorm(6, bias=False)),
                           lambda: (randn(4, 6),)),
    "group_norm": (lambda: _randomized(torch.nn.GroupNorm(2, 4)), lambda: (randn(2, 4, 3, 5),)),
    "group_norm_no_affine": (lambda: torch.nn.GroupNorm(4, 4, affine=False),
                             lambda: (randn(2, 4, 6),)),
    "instance_norm2d": (lambda: torch.nn.InstanceNorm2d(3), lambda: (randn(2, 3, 4, 5),)),
    "instance_norm2d_affine": (lambda: _randomized(torch.nn.InstanceNorm2d(3, affine=True)),
                               lambda: (randn(2, 3, 4, 5),)),
    "instance_norm1d_running": (lambda: _randomized(torch.nn.InstanceNorm1d(
        3, track_running_stats=True)), lambda: (randn(2, 3, 7),)),
    "rms_norm": (lambda: _randomized(torch.nn.RMSNorm(6)), lambda: (randn(2, 3, 6),)),
    "rms_norm_eps": (lambda: torch.nn.RMSNorm([3, 6], eps=1e-3), lambda: (randn(2, 3, 6),)),
    "local_response_norm": (lambda: torch.nn.LocalResponseNorm(3, alpha=0.1, beta=0.75, k=2.0),
                            lambda: (randn(1, 5, 4, 4),)),
    "normalize": (lambda: Lambda(lambda x: F.normalize(x, dim=1)), lambda: (randn(3, 5),)),
    "normalize_p1": (lambda: Lambda(lambda x: F.normalize(x, p=1.0, dim=-1)),
                     lambda: (randn(2, 3, 5),)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(NORMS))
def test_normalization(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
