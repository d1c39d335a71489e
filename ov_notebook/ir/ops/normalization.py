"""Normalizations: BatchNormInference-5, MVN-6, NormalizeL2-1, GroupNormalization-12, LRN-1.

All keep the data's element type and shape; shape inference validates the side inputs (channel
parameters, axes) as far as their shapes and values are known.
"""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ._util import merge_types, require_rank
from .reduction import check_integer_input, known_axes, static_rank


def _channel_vector(node, index, name, channels: Dimension) -> Dimension:
    """Merge the length of 1-D input ``index`` into ``channels``."""
    shape = node.get_input_partial_shape(index)
    if not shape.rank_is_static:
        return channels
    if len(shape) != 1:
        node.fail(f"{name} (input {index}) must be 1-D, got shape {shape}")
    merged = channels.merge(shape[0])
    if merged is None:
        node.fail(f"{name} (input {index}) has {shape[0]} elements but the data has {channels} "
                  "channels (dimension 1)")
    return merged


def _data_with_channels(node, min_rank) -> PartialShape:
    shape = node.get_input_partial_shape(0)
    if shape.rank_is_static and len(shape) < min_rank:
        node.fail(f"data (input 0) must have rank {min_rank} or more (N, C, ...), got {shape}")
    return shape


@register_op
class BatchNormInference(Op):
    """BatchNormInference-5: gamma * (x - mean) / sqrt(variance + epsilon) + beta, per channel
    (axis 1)."""

    type_name = "BatchNormInference"
    version = "opset5"
    inputs_spec = ("data", "gamma", "beta", "mean", "variance")
    attrs = (Attr("epsilon", "float"),)

    def infer(self):
        if self._attrs["epsilon"] < 0:
            self.fail(f"epsilon must be non-negative, got {self._attrs['epsilon']}")
        element_type = merge_types(self, [self.get_input_element_type(i) for i in range(5)],
                                   "data, gamma, beta, mean and variance")
        if not element_type.is_dynamic() and not element_type.is_real:
            self.fail(f"inputs must be floating-point tensors, got {element_type}")
        shape = _data_with_channels(self, 2)
        channels = shape[1] if shape.rank_is_static else Dimension()
        for index, name in enumerate(("gamma", "beta", "mean", "variance"), start=1):
            channels = _channel_vector(self, index, name, channels)
        if shape.rank_is_static:
            shape[1] = channels
        self.set_output_type(0, element_type, shape)


class _AxesNormalization(Op):
    """Ops normalizing over the axes given by input 1; ``axes_ranks`` are the accepted ranks of
    that input."""

    axes_ranks = (1,)

    def infer(self):
        check_integer_input(self, 1, "axes")
        require_rank(self, 1, self.axes_ranks, "axes")
        shape = self.get_input_partial_shape(0)
        known_axes(self, 1, static_rank(shape))
        self.set_output_type(0, self.get_input_element_type(0), shape)


@register_op
class MVN(_AxesNormalization):
    """MVN-6: (x - mean) / sqrt(variance + eps) over ``axes`` (eps outside the square root with
    eps_mode OUTSIDE_SQRT); only centred when normalize_variance is false."""

    type_name = "MVN"
    version = "opset6"
    inputs_spec = ("data", "axes")
    attrs = (Attr("eps", "float"), Attr("normalize_variance", "bool", True),
             Attr("eps_mode", "str", "INSIDE_SQRT", choices=("INSIDE_SQRT", "OUTSIDE_SQRT")))


@register_op
class NormalizeL2(_AxesNormalization):
    """NormalizeL2-1: x / sqrt(sum(x^2 over axes) + eps), or / sqrt(max(sum, eps)) with eps_mode
    max; empty axes normalize each element by itself."""

    type_name = "NormalizeL2"
    inputs_spec = ("data", "axes")
    attrs = (Attr("eps", "float"), Attr("eps_mode", "str", "add", choices=("add", "max")))
    axes_ranks = (0, 1)


@register_op
class LRN(_AxesNormalization):
    """LRN-1: x / (bias + alpha / size^len(axes) * sum of x^2 over a size-wide window on each of
    the axes)^beta."""

    type_name = "LRN"
    inputs_spec = ("data", "axes")
    attrs = (Attr("alpha", "float", 1.0), Attr("beta", "float", 0.5), Attr("bias", "float", 1.0),
             Attr("size", "int", 5))

    def infer(self):
        if self._attrs["size"] < 1:
            self.fail(f"size must be positive, got {self._attrs['size']}")
        axes = self.get_input_partial_shape(1)
        data = self.get_input_partial_shape(0)
        if axes.rank_is_static and len(axes) == 1 and axes[0].is_static and data.rank_is_static \
                and axes[0].get_length() > len(data):
            self.fail(f"axes (input 1) has {axes[0]} elements, more than the data rank {len(data)}")
        super().infer()


def _divisible(channels: Dimension, groups: int) -> bool:
    """Whether some value ``channels`` may take is a multiple of ``groups``."""
    low, high = channels.get_interval()
    if high == -1:
        return True
    return -(-low // groups) <= high // groups


@register_op
class GroupNormalization(Op):
    """GroupNormalization-12: normalizes each of num_groups channel groups over the group's
    channels and spatial dims, then scale[c] * y + bias[c]."""

    type_name = "GroupNormalization"
    version = "opset12"
    inputs_spec = ("data", "scale", "bias")
    attrs = (Attr("num_groups", "int"), Attr("epsilon", "float"))

    def infer(self):
        groups = self._attrs["num_groups"]
        if groups < 1:
            self.fail(f"num_groups must be a positive integer, got {groups}")
        shape = _data_with_channels(self, 2)
        channels = shape[1] if shape.rank_is_static else Dimension()
        for index, name in ((1, "scale"), (2, "bias")):
            _channel_vector(self, index, name, channels)
        if shape.rank_is_static and not _divisible(channels, groups):
            self.fail(f"the {channels} channels (dimension 1 of data) cannot be split into "
                      f"{groups} groups")
        self.set_output_type(0, self.get_input_element_type(0), shape)
