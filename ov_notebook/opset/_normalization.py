"""Builders for BatchNormInference-5, MVN-6, NormalizeL2-1, GroupNormalization-12 and LRN-1."""
from __future__ import annotations

from ..ir.ops import normalization as spec
from ._base import as_node, builder


@builder
def batch_norm_inference(data, gamma, beta, mean, variance, epsilon,
                         name=None) -> spec.BatchNormInference:
    """BatchNormInference-5 over channel axis 1."""
    data = as_node(data, "data")
    inputs = [data] + [as_node(value, argument, like=data) for argument, value in
                       (("gamma", gamma), ("beta", beta), ("mean", mean), ("variance", variance))]
    return spec.BatchNormInference(*inputs, epsilon=epsilon, name=name)


@builder
def mvn(data, axes, normalize_variance, eps, eps_mode, name=None) -> spec.MVN:
    """MVN-6 over ``axes``; ``eps_mode`` inside_sqrt or outside_sqrt (any case)."""
    return spec.MVN(as_node(data, "data"), as_node(axes, "axes"), eps=eps,
                    normalize_variance=normalize_variance, eps_mode=eps_mode, name=name)


@builder
def normalize_l2(data, axes, eps, eps_mode, name=None) -> spec.NormalizeL2:
    """NormalizeL2-1 over ``axes``; ``eps_mode`` add or max."""
    return spec.NormalizeL2(as_node(data, "data"), as_node(axes, "axes"), eps=eps,
                            eps_mode=eps_mode, name=name)


@builder
def group_normalization(data, scale, bias, num_groups, epsilon,
                        name=None) -> spec.GroupNormalization:
    """GroupNormalization-12 with per-channel ``scale`` and ``bias``."""
    data = as_node(data, "data")
    return spec.GroupNormalization(data, as_node(scale, "scale", like=data),
                                   as_node(bias, "bias", like=data), num_groups=num_groups,
                                   epsilon=epsilon, name=name)


@builder
def lrn(data, axes, alpha=1, beta=0.5, bias=1, size=5, name=None) -> spec.LRN:
    """LRN-1 over ``axes`` ([1]: across channels, [2, 3]: within a channel)."""
    return spec.LRN(as_node(data, "data"), as_node(axes, "axes"), alpha=alpha, beta=beta,
                    bias=bias, size=size, name=name)
