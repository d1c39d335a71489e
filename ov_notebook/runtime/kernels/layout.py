"""Kernels of Pad, Reverse, Roll, ReverseSequence, DepthToSpace, SpaceToDepth, ShuffleChannels."""
from __future__ import annotations

from ...ir.ops.layout import depth_to_space_values, pad_values, reverse_sequence_values, \
    reverse_values, roll_values, shuffle_channels_values, space_to_depth_values
from . import kernel
from .shape_ops import readonly


@kernel("Pad")
def pad(data, pads_begin, pads_end, pad_value=None, *, pad_mode="constant"):  # Pad-1/12
    # only cropping (negative pads) is a view of the input
    return readonly(pad_values(data, pads_begin, pads_end, pad_mode, pad_value), data)


@kernel("Reverse")
def reverse(data, axes, *, mode="index"):  # Reverse-1
    return readonly(reverse_values(data, axes, mode), data)


@kernel("Roll")
def roll(data, shift, axes):  # Roll-7
    return roll_values(data, shift, axes)


@kernel("ReverseSequence")
def reverse_sequence(data, seq_lengths, *, batch_axis=0, seq_axis=1):  # ReverseSequence-1
    return reverse_sequence_values(data, seq_lengths, batch_axis, seq_axis)


@kernel("DepthToSpace")
def depth_to_space(data, *, block_size=1, mode="blocks_first"):  # DepthToSpace-1
    return readonly(depth_to_space_values(data, block_size, mode), data)


@kernel("SpaceToDepth")
def space_to_depth(data, *, block_size=1, mode="blocks_first"):  # SpaceToDepth-1
    return readonly(space_to_depth_values(data, block_size, mode), data)


@kernel("ShuffleChannels")
def shuffle_channels(data, *, axis=1, group=1):  # ShuffleChannels-1
    return readonly(shuffle_channels_values(data, axis, group), data)
