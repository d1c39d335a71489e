"""Fold per-channel affine ops after a convolution or MatMul into its constant weights.

A chain ``anchor -> op1 -> op2 ...`` where each op is one of

    BatchNormInference(y, gamma, beta, mean, var)   # y*s + (beta - mean*s),  s = gamma/sqrt(var+eps)
    Multiply(y, c) | Divide(y, c)                   # y*c, y*(1/c)
    Add(y, c) | Subtract(y, c)                      # y + c, y - c

with ``c`` a constant that varies only along the anchor's output channel (axis 1 of a convolution,
the last axis of a MatMul) is one affine map ``y*s + b`` per channel. Since the anchor is linear
in its weights, ``conv(x, W)*s + b == conv(x, W*s) + b``: the chain becomes the anchor with scaled
weights plus one bias Add, which the epilogue fusion then runs in place after the anchor.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import replace_output
from ...ir.node import get_op_class
from ...ir.ops.core import Constant

ANCHORS = frozenset({"Convolution", "GroupConvolution", "MatMul"})
_AFFINE = frozenset({"BatchNormInference", "Multiply", "Divide", "Add", "Subtract"})


def channel_axis(anchor) -> int | None:
    """The output axis that weights map to channels: 1 for convolutions, -1 for MatMul."""
    if anchor.get_type_name() == "MatMul":
        return -1
    return 1


def per_channel(value: np.ndarray, output, axis: int):
    """``value`` as a 1-D per-channel vector when it broadcasts only along ``axis`` of ``output``
    (whose channel count must be static), else None."""
    shape = output.get_partial_shape()
    if not shape.rank_is_static or value.ndim > len(shape):
        return None
    axis = axis % len(shape)
    channels = shape[axis]
    if not channels.is_static:
        return None
    padded = (1,) * (len(shape) - value.ndim) + value.shape
    if any(size != 1 for index, size in enumerate(padded) if index != axis):
        return None
    if padded[axis] not in (1, channels.get_length()):
        return None
    return np.broadcast_to(value.reshape(-1), (channels.get_length(),)).astype(np.float64)


def _constant_operand(node, tail):
    """(constant value, whether it is the first operand) of a binary op fed by ``tail``."""
    first, second = node.input_value(0), node.input_value(1)
    if first == tail and isinstance(second.get_node(), Constant) and second != tail:
        return second.get_node().get_value(), False
    if second == tail and isinstance(first.get_node(), Constant):
        return first.get_node().get_value(), True
    return None, None


def _batch_norm_step(node, tail, axis):  # y*s + (beta - mean*s), s = gamma / sqrt(var + eps)
    sources = [node.input_value(i).get_node() for i in range(1, 5)]
    if node.input_value(0) != tail or not all(isinstance(s, Constant) for s in sources):
        return None
    shape = tail.get_partial_shape()
    if not shape.rank_is_static or len(shape) < 2 or axis % len(shape) != 1:
        return None  # BatchNormInference scales axis 1: a MatMul's channels only when 2-D
    channels = shape[1]
    if not channels.is_static or any(s.get_value().size != channels.get_length() for s in sources):
        return None
    gamma, beta, mean, var = (s.get_value().reshape(-1).astype(np.float64) for s in sources)
    scale = gamma / np.sqrt(var + node.get_attributes()["epsilon"])
    return scale, beta - mean * scale


def affine_step(node, tail, axis):
    """(scale, shift) per channel such that ``node(tail) == tail*scale + shift``, or None."""
    type_name = node.get_type_name()
    if type_name not in _AFFINE or node.get_output_size() != 1:
        return None
    if node.get_output_element_type(0) != tail.get_element_type() or \
            node.get_output_partial_shape(0) != tail.get_partial_shape():
        return None
    if type_name == "BatchNormInference":
        return _batch_norm_step(node, tail, axis)
    value, constant_first = _constant_operand(node, tail)
    vector = None if value is None else per_channel(value, tail, axis)
    if vector is None:
        return None
    ones, zeros = np.ones_like(vector), np.zeros_like(vector)
    if type_name == "Multiply":
        return vector, zeros
    if type_name == "Add":
        return ones, vector
    if type_name == "Subtract":  # y - c, or c - y
        return (-ones, vector) if constant_first else (ones, -vector)
    if constant_first or np.any(vector == 0):  # c / y is not affine; y / 0 is left as it is
        return None
    return 1.0 / vector, zeros


def _scaled_weights(anchor, weights: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``weights`` with output channel ``c`` multiplied by ``scale[c]``."""
    if anchor.get_type_name() == "MatMul":
        shape = (-1, 1) if anchor.get_attributes().get("transpose_b") else (-1,)
    elif anchor.get_type_name() == "GroupConvolution":  # [G, C/G, Cin/G, k...]
        shape = weights.shape[:2] + (1,) * (weights.ndim - 2)
    else:  # [C, Cin, k...]
        shape = (-1,) + (1,) * (weights.ndim - 1)
    return (weights * scale.reshape(shape)).astype(weights.dtype)


def _affine_chain(anchor):
    """(last output of the chain, scale, shift, number of ops) of the affine ops after ``anchor``."""
    axis = channel_axis(anchor)
    tail, count = anchor.output(0), 0
    scale, shift = None, None
    while True:
        consumers = tail.get_target_inputs()
        if len(consumers) != 1:
            break
        step = affine_step(next(iter(consumers)).get_node(), tail, axis)
        if step is None:
            break
        node_scale, node_shift = step
        scale = node_scale if scale is None else scale * node_scale
        shift = node_shift if shift is None else shift * node_scale + node_shift
        tail, count = next(iter(consumers)).get_node().output(0), count + 1
    return tail, scale, shift, count


def _foldable_weights(anchor):
    weights = anchor.input_value(1).get_node()
    # f16 weights would be rounded again after scaling; OpenVINO folds into f32
    if not isinstance(weights, Constant) or weights.get_value().dtype not in (np.float32,
                                                                             np.float64):
        return None
    if anchor.get_type_name() == "MatMul" and weights.get_value().ndim < 2:
        return None
    return weights


def fold_into(anchor) -> bool:
    """Fold the affine chain after ``anchor`` into its weights; returns whether it did."""
    weights = _foldable_weights(anchor)
    if weights is None:
        return False
    tail, scale, shift, count = _affine_chain(anchor)
    if count == 0 or (count == 1 and np.all(scale == 1)):  # a lone bias Add is the fusion's job
        return False
    value = weights.get_value()
    new_weights = Constant(_scaled_weights(anchor, value, scale), name=weights.get_friendly_name())
    folded = anchor.clone_with_new_inputs([anchor.input_value(0), new_weights.output(0)])
    folded.set_friendly_name(anchor.get_friendly_name())
    result = folded.output(0)
    if np.any(shift != 0):
        rank = len(result.get_partial_shape())
        shape = (-1,) if channel_axis(anchor) == -1 else (1, -1) + (1,) * (rank - 2)
        bias = Constant(shift.reshape(shape), result.get_element_type(),
                        name=f"{anchor.get_friendly_name()}/folded_bias")
        add = get_op_class("Add")(result, bias.output(0), name=tail.get_node().get_friendly_name())
        add.rt_info.update(tail.get_node().rt_info)
        result = add.output(0)
    replace_output(tail, result)
    return True


def fold_affine_into_weights(model) -> bool:
    """Run :func:`fold_into` on every convolution and MatMul of ``model``."""
    changed = False
    for node in model.get_ordered_ops():
        if node.get_type_name() in ANCHORS and fold_into(node):
            changed = True
    return changed
