"""Builders for Pad, Reverse, Roll, ReverseSequence, DepthToSpace, SpaceToDepth, ShuffleChannels."""
from __future__ import annotations

from ..ir.ops import layout as spec
from ._base import as_node, builder


@builder
def pad(arg, pads_begin, pads_end, pad_mode, arg_pad_value=None, name=None) -> spec.Pad:
    """Pad-12: ``pad_mode`` constant, edge, reflect or symmetric; negative pads crop."""
    arg = as_node(arg, "arg")
    inputs = [arg, as_node(pads_begin, "pads_begin"), as_node(pads_end, "pads_end")]
    if arg_pad_value is not None:
        inputs.append(as_node(arg_pad_value, "arg_pad_value", like=arg))
    return spec.Pad(*inputs, pad_mode=pad_mode, name=name)


@builder
def reverse(data, axes, mode, name=None) -> spec.Reverse:
    """Reverse-1: flips ``data`` along ``axes`` (``mode`` index: axis numbers; mask: booleans)."""
    return spec.Reverse(as_node(data, "data"), as_node(axes, "axes"), mode=mode, name=name)


@builder
def roll(data, shift, axes, name=None) -> spec.Roll:
    """Roll-7: cyclic shift by ``shift`` along ``axes``."""
    return spec.Roll(as_node(data, "data"), as_node(shift, "shift"), as_node(axes, "axes"),
                     name=name)


@builder
def reverse_sequence(input, seq_lengths, batch_axis, seq_axis,  # noqa: A002 (OpenVINO's name)
                     name=None) -> spec.ReverseSequence:
    """ReverseSequence-1: reverses the first ``seq_lengths[b]`` elements of each batch element."""
    return spec.ReverseSequence(as_node(input, "input"), as_node(seq_lengths, "seq_lengths"),
                                batch_axis=batch_axis, seq_axis=seq_axis, name=name)


@builder
def depth_to_space(node, mode, block_size=1, name=None) -> spec.DepthToSpace:
    """DepthToSpace-1: ``mode`` blocks_first or depth_first."""
    return spec.DepthToSpace(as_node(node, "node"), mode=mode, block_size=block_size, name=name)


@builder
def space_to_depth(data, mode, block_size=1, name=None) -> spec.SpaceToDepth:
    """SpaceToDepth-1: ``mode`` blocks_first or depth_first."""
    return spec.SpaceToDepth(as_node(data, "data"), mode=mode, block_size=block_size, name=name)


@builder
def shuffle_channels(data, axis, group, name=None) -> spec.ShuffleChannels:
    """ShuffleChannels-1: channel shuffle of ``group`` groups along ``axis``."""
    return spec.ShuffleChannels(as_node(data, "data"), axis=axis, group=group, name=name)


@builder(older_version_of="pad")
def _pad_1(arg, pads_begin, pads_end, pad_mode, arg_pad_value=None, name=None) -> spec.Pad1:
    """Pad-1 (``openvino.opset1.pad``): pads must not be negative."""
    arg = as_node(arg, "arg")
    inputs = [arg, as_node(pads_begin, "pads_begin"), as_node(pads_end, "pads_end")]
    if arg_pad_value is not None:
        inputs.append(as_node(arg_pad_value, "arg_pad_value", like=arg))
    return spec.Pad1(*inputs, pad_mode=pad_mode, name=name)
