"""Squeeze-excite blocks on NHWC tensors as one step (MobileNetV3, EfficientNet, RegNetY, ...).

After the channels-last pass a squeeze-excite block is four steps: a global mean over H and W,
two 1x1 convolutions on the [N, 1, 1, C] vector (each with its fused epilogue: bias, activation)
and the Multiply that scales x by the result, broadcast over H and W:

    x * act2(conv2(act1(conv1(mean_hw(x)))))  -> SqueezeExciteNHWC(x)

The convolutions are matrix-vector products of a few thousand multiply-adds: in steps of their
own the cost of a step (the executor, the oneDNN call) outweighs their math. One step also reads
x once for the mean and writes the product into x's buffer when x is dead
(``kernels/squeeze_excite.py``). mobilenet_v3_large has 8 such blocks, efficientnet_b0 16.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import replace_output
from ..fused_ops import SqueezeExciteNHWC

_CONVOLUTION = "FusedConvolutionNHWC"


def _single_consumer(output):
    targets = output.get_target_inputs()
    return next(iter(targets)).get_node() if len(targets) == 1 else None


def _constant_value(output):
    node = output.get_node()
    return node.get_value() if node.get_type_name() == "Constant" else None


def _is_pointwise(node) -> bool:
    """A FusedConvolutionNHWC with constant 1x1 filters, unit strides and dilations, no pads."""
    if node.get_type_name() != _CONVOLUTION:
        return False
    filters = _constant_value(node.input_value(1))
    attrs = node.get_attributes()
    return filters is not None and filters.shape[2:] == (1, 1) and \
        attrs.get("auto_pad", "explicit") in ("explicit", "notset", "valid") and \
        not any(attrs["pads_begin"]) and not any(attrs["pads_end"]) and \
        all(s == 1 for s in attrs["strides"]) and all(d == 1 for d in attrs["dilations"] or [1])


def _global_mean_source(node):
    """x when ``node`` is the mean of x [N, H, W, C] over H and W as [N, 1, 1, C], else None."""
    type_name = node.get_type_name()
    if type_name == "AdaptiveAvgPoolNHWC":  # the channels-last pass moves only global ones
        return node.input_value(0)
    if type_name == "ReduceMean" and node.get_attributes()["keep_dims"]:
        axes = _constant_value(node.input_value(1))
        if axes is not None and {int(a) % 4 for a in np.ravel(axes)} == {1, 2}:
            return node.input_value(0)
    return None


def _match(multiply):
    """(x, mean, conv1, conv2) of the block ``multiply`` ends, or None."""
    if multiply.get_attributes().get("auto_broadcast", "numpy") != "numpy":
        return None
    for scale_index in (0, 1):
        scale, x = multiply.input_value(scale_index), multiply.input_value(1 - scale_index)
        conv2 = scale.get_node()
        if not _is_pointwise(conv2) or len(scale.get_target_inputs()) != 1:
            continue
        conv1 = conv2.input_value(0).get_node()
        if not _is_pointwise(conv1) or _single_consumer(conv1.output(0)) is not conv2:
            continue
        mean = conv1.input_value(0).get_node()
        if _single_consumer(mean.output(0)) is not conv1 or _global_mean_source(mean) != x:
            continue
        return x, mean, conv1, conv2
    return None


def _fits(multiply, x) -> bool:
    """x [N, H, W, C] f32 and the product has x's shape (the scale does not broadcast it);
    dynamic dimensions are fine: the scale's batch is x's, the mean of its own images."""
    shape = x.get_partial_shape()
    return shape.rank_is_static and len(shape) == 4 and \
        x.get_element_type().get_type_name() == "f32" and \
        multiply.get_output_partial_shape(0) == shape and \
        multiply.get_output_element_type(0) == x.get_element_type()


def fuse_squeeze_excite(model) -> bool:
    """Replace every squeeze-excite block on NHWC tensors by one SqueezeExciteNHWC step."""
    changed = False
    for node in model.get_ordered_ops():
        if node.get_type_name() != "Multiply" or (found := _match(node)) is None:
            continue
        x, mean, conv1, conv2 = found
        if not _fits(node, x):
            continue
        first = list(conv1.input_values())[2:]
        fused = SqueezeExciteNHWC(
            x, conv1.input_value(1), conv2.input_value(1), *first,
            *list(conv2.input_values())[2:], name=node.get_friendly_name(),
            first_post_ops=conv1.get_attributes()["post_ops"],
            second_post_ops=conv2.get_attributes()["post_ops"], first_extras=len(first))
        fused.rt_info.update(node.rt_info)
        fused.rt_info["fused_names"] = ",".join(
            n.rt_info.get("fused_names") or n.get_friendly_name()
            for n in (mean, conv1, conv2, node))
        replace_output(node.output(0), fused.output(0))
        changed = True
    return changed
