"""Rearranging elements: Pad-1/12, Reverse-1, Roll-7, ReverseSequence-1, DepthToSpace-1,
SpaceToDepth-1, ShuffleChannels-1."""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ._movement import INT64_MAX as _MAX, bounds_of, small_output
from ._util import normalize_axis, require_integral, value_of
from .expand import _require_vector

PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def _padded(dim: Dimension, low: int, high: int) -> Dimension:
    """``dim`` plus a pad total known to lie in [low, high]; a possibly negative size is unknown."""
    top = -1 if dim.max_length == -1 or high >= _MAX else dim.max_length + high
    if top != -1 and top < 0:
        return Dimension()
    return Dimension(max(dim.min_length + low, 0), top)


class _PadBase(Op):
    inputs_spec = ("arg", "pads_begin", "pads_end", "arg_pad_value?")
    attrs = (Attr("pad_mode", "str", "constant", choices=PAD_MODES),)
    allow_negative = True

    def infer(self):
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        rank = len(data) if data.rank_is_static else None
        for index, what in ((1, "pads_begin"), (2, "pads_end")):
            require_integral(self, index, what)
            _require_vector(self, index, what)
            shape = self.get_input_partial_shape(index)
            if rank is not None and shape.rank_is_static and not shape[0].compatible(rank):
                self.fail(f"{what} has {shape[0]} elements, but the data has rank {rank}")
        if len(self._inputs) == 4:
            value_shape = self.get_input_partial_shape(3)
            if value_shape.rank_is_static and len(value_shape) != 0:
                self.fail(f"arg_pad_value must be a scalar, got shape {value_shape}")
        if rank is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        begin, end = bounds_of(self, 1), bounds_of(self, 2)
        if begin is None or end is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic(rank))
        self._check_pads(data, begin, end)
        self.set_output_type(0, element_type, [_padded(d, b[0] + e[0], b[1] + e[1])
                                               for d, b, e in zip(data, begin, end)])

    def _check_pads(self, data, begin, end):
        mode = self._attrs["pad_mode"]
        for axis, (dim, b, e) in enumerate(zip(data, begin, end)):
            if not self.allow_negative and min(b[0], e[0]) < 0:
                self.fail(f"pads must not be negative in {self.type_name}-1, got {b[0]}, {e[0]}")
            if not dim.is_static or b[0] != b[1] or e[0] != e[1]:
                continue
            size, largest = dim.get_length(), max(b[0], e[0])
            if mode == "reflect" and largest > size - 1:
                self.fail(f"reflect padding of axis {axis} by {largest} needs a dimension larger "
                          f"than {largest}, got {size}")
            if mode == "symmetric" and largest > size:
                self.fail(f"symmetric padding of axis {axis} by {largest} needs a dimension of at "
                          f"least {largest}, got {size}")
            if mode == "edge" and largest > 0 and size == 0:
                self.fail(f"edge padding needs a non-empty axis {axis}")

    def evaluate(self, values):
        if not small_output(self):
            return None
        pad_value = values[3] if len(values) == 4 else None
        return [pad_values(values[0], values[1], values[2], self._attrs["pad_mode"], pad_value)]


def _check_pads(shape, begin, end, mode):
    """The run-time checks of Pad whose shapes were unknown when the graph was built."""
    if len(begin) != len(shape) or len(end) != len(shape):
        raise ValueError(f"pads_begin {begin} and pads_end {end} need one value per axis of the "
                         f"data {list(shape)}")
    for axis, (size, b, e) in enumerate(zip(shape, begin, end)):
        if size + b + e < 0:
            raise ValueError(f"pads {b} and {e} on axis {axis} of size {size} leave a negative "
                             f"size {size + b + e}")
        largest = max(b, e)
        if mode == "reflect" and largest > size - 1:  # as the op's check (and OpenVINO's)
            raise ValueError(f"reflect padding of axis {axis} by {largest} needs a dimension "
                             f"larger than {largest}, got {size}")
        if mode == "symmetric" and largest > size:
            raise ValueError(f"symmetric padding of axis {axis} by {largest} needs a dimension "
                             f"of at least {largest}, got {size}")
        if mode == "edge" and largest > 0 and size == 0:
            raise ValueError(f"edge padding needs a non-empty axis {axis}")


def pad_values(data, pads_begin, pads_end, mode="constant", pad_value=None):
    """Pad-12: positive pads add elements (numpy's modes), negative pads remove them; both refer
    to the original data (padding first, then cropping, gives OpenVINO's results)."""
    begin = [int(v) for v in np.asarray(pads_begin).reshape(-1)]
    end = [int(v) for v in np.asarray(pads_end).reshape(-1)]
    _check_pads(data.shape, begin, end, mode)
    widths = [(max(b, 0), max(e, 0)) for b, e in zip(begin, end)]
    if any(w != (0, 0) for w in widths):
        if mode == "constant":
            fill = 0 if pad_value is None else np.asarray(pad_value).reshape(()).item()
            data = np.pad(data, widths, mode="constant", constant_values=fill)
        else:
            data = np.pad(data, widths, mode=mode)
    crop = tuple(slice(-min(b, 0), data.shape[i] + min(e, 0)) for i, (b, e) in
                 enumerate(zip(begin, end)))
    return data[crop]


@register_op
class Pad(_PadBase):
    """Pad-12: pads (or, with negative pads, crops) every axis by ``pads_begin``/``pads_end`` with
    ``pad_mode`` constant (``arg_pad_value``, default 0), edge, reflect or symmetric."""

    type_name = "Pad"
    version = "opset12"


@register_op
class Pad1(_PadBase):
    """Pad-1: Pad with non-negative pads (older IR)."""

    type_name = "Pad"
    version = "opset1"
    allow_negative = False


# ----------------------------------------------------------------------------------------------
# Reverse, Roll, ReverseSequence
# ----------------------------------------------------------------------------------------------
@register_op
class Reverse(Op):
    """Reverse-1: ``data`` flipped along ``axes``: axis indices (``mode`` index) or a boolean mask
    with one entry per dimension (``mode`` mask)."""

    type_name = "Reverse"
    inputs_spec = ("data", "axes")
    attrs = (Attr("mode", "str", "index", choices=("index", "mask")),)

    def infer(self):
        data, axes = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        if axes.rank_is_static and len(axes) != 1:
            self.fail(f"axes must be a 1-D tensor, got shape {axes}")
        if self._attrs["mode"] == "mask":
            if self.get_input_element_type(1).is_static and self.get_input_element_type(1).is_real:
                self.fail("axes must be a boolean mask in mask mode")
            if data.rank_is_static and axes.rank_is_static and not axes[0].compatible(len(data)):
                self.fail(f"the axes mask {axes} needs one entry per data dimension ({len(data)})")
        else:
            require_integral(self, 1, "axes")
            value = value_of(self, 1)
            if value is not None and data.rank_is_static:
                for axis in value.reshape(-1):
                    normalize_axis(self, int(axis), len(data))
        self.set_output_type(0, self.get_input_element_type(0), data)

    def evaluate(self, values):
        return [reverse_values(values[0], values[1], self._attrs["mode"])]


def reverse_values(data, axes, mode="index"):
    axes = np.asarray(axes).reshape(-1)
    if mode == "mask":
        axes = np.flatnonzero(axes)
    return np.flip(data, tuple(sorted({int(a) % max(data.ndim, 1) for a in axes})))


@register_op
class Roll(Op):
    """Roll-7: elements shifted cyclically by ``shift`` along ``axes`` (a scalar shift applies to
    every axis; repeated axes add their shifts)."""

    type_name = "Roll"
    version = "opset7"
    inputs_spec = ("data", "shift", "axes")

    def infer(self):
        data = self.get_input_partial_shape(0)
        for index, what in ((1, "shift"), (2, "axes")):
            require_integral(self, index, what)
            shape = self.get_input_partial_shape(index)
            if shape.rank_is_static and len(shape) > 1:
                self.fail(f"{what} (input {index}) must be a scalar or 1-D, got shape {shape}")
        shift, axes = self.get_input_partial_shape(1), self.get_input_partial_shape(2)
        if shift.rank_is_static and len(shift) == 1 and axes.rank_is_static and len(axes) == 1 \
                and not shift[0].compatible(axes[0]):
            self.fail(f"shift {shift} and axes {axes} must have the same number of elements")
        axes_value = value_of(self, 2)
        if axes_value is not None and data.rank_is_static:
            for axis in axes_value.reshape(-1):
                normalize_axis(self, int(axis), len(data))
        self.set_output_type(0, self.get_input_element_type(0), data)

    def evaluate(self, values):
        return [roll_values(*values)]


def roll_values(data, shift, axes):
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    shift = np.broadcast_to(np.asarray(shift).reshape(-1), (len(axes),))
    return np.roll(data, [int(s) for s in shift], axes)


@register_op
class ReverseSequence(Op):
    """ReverseSequence-1: for each batch element b (along ``batch_axis``), the first
    ``seq_lengths[b]`` elements along ``seq_axis`` in reverse order."""

    type_name = "ReverseSequence"
    inputs_spec = ("data", "seq_lengths")
    attrs = (Attr("batch_axis", "int", 0), Attr("seq_axis", "int", 1))

    def infer(self):
        data, lengths = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        if lengths.rank_is_static and len(lengths) != 1:
            self.fail(f"seq_lengths must be a 1-D tensor, got shape {lengths}")
        output = PartialShape(data)
        if data.rank_is_static:
            if len(data) < 2:
                self.fail(f"data must have rank 2 or more, got {data}")
            batch = normalize_axis(self, self._attrs["batch_axis"], len(data), "batch_axis")
            normalize_axis(self, self._attrs["seq_axis"], len(data), "seq_axis")
            if lengths.rank_is_static:
                merged = data[batch].merge(lengths[0])
                if merged is None:
                    self.fail(f"seq_lengths {lengths} must have one length per batch element "
                              f"(dimension {batch} of {data})")
                output[batch] = merged
        self.set_output_type(0, self.get_input_element_type(0), output)

    def evaluate(self, values):
        axes = self._attrs["batch_axis"], self._attrs["seq_axis"]
        return [reverse_sequence_values(*values, *axes)]


def reverse_sequence_values(data, seq_lengths, batch_axis, seq_axis):
    """One gather along ``seq_axis`` with per-batch source positions (no loop over batches)."""
    batch_axis, seq_axis = batch_axis % data.ndim, seq_axis % data.ndim
    lengths = np.asarray(seq_lengths).astype(np.int64).reshape(-1)
    if len(lengths) != data.shape[batch_axis]:
        raise ValueError(f"seq_lengths has {len(lengths)} values for a batch of "
                         f"{data.shape[batch_axis]} (axis {batch_axis} of {list(data.shape)})")
    if lengths.size and (lengths.min() < 0 or lengths.max() > data.shape[seq_axis]):
        raise ValueError(f"seq_lengths {lengths.tolist()} must be in [0, {data.shape[seq_axis]}] "
                         f"(the length of axis {seq_axis})")
    positions = np.arange(data.shape[seq_axis])
    reversed_part = positions[None, :] < lengths[:, None]
    source = np.where(reversed_part, lengths[:, None] - 1 - positions, positions)
    shape = [1] * data.ndim
    shape[batch_axis], shape[seq_axis] = source.shape
    if batch_axis > seq_axis:
        source = source.T
    index = np.broadcast_to(source.reshape(shape), data.shape)
    return np.take_along_axis(data, index, axis=seq_axis)


# ----------------------------------------------------------------------------------------------
# DepthToSpace, SpaceToDepth, ShuffleChannels
# ----------------------------------------------------------------------------------------------
def _block_dims(node, shape):
    if not shape.rank_is_static:
        return None
    if len(shape) < 3:
        node.fail(f"data must have rank 3 or more ([N, C, spatial...]), got {shape}")
    if node._attrs["block_size"] <= 0:
        node.fail(f"block_size must be positive, got {node._attrs['block_size']}")
    return node._attrs["block_size"] ** (len(shape) - 2)


def _divided(node, dim: Dimension, divisor: int, what) -> Dimension:
    if dim.is_static:
        if dim.get_length() % divisor:
            node.fail(f"{what} {dim} must be a multiple of {divisor}")
        return Dimension(dim.get_length() // divisor)
    if dim.max_length == -1 and dim.min_length == 0:
        return Dimension()
    high = -1 if dim.max_length == -1 else dim.max_length // divisor
    return Dimension(-(-dim.min_length // divisor), high)


@register_op
class DepthToSpace(Op):
    """DepthToSpace-1: [N, C * b^k, D1, ...] -> [N, C, D1 * b, ...]; ``mode`` blocks_first reads
    the block offsets from the outer part of the channel index, depth_first from the inner."""

    type_name = "DepthToSpace"
    inputs_spec = ("data",)
    attrs = (Attr("block_size", "int", 1), Attr("mode", "str", "blocks_first",
                                                choices=("blocks_first", "depth_first")))

    def infer(self):
        shape = self.get_input_partial_shape(0)
        factor = _block_dims(self, shape)
        if factor is None:
            return self.set_output_type(0, self.get_input_element_type(0), shape)
        block = self._attrs["block_size"]
        dims = [shape[0], _divided(self, shape[1], factor, "the channel dimension")]
        dims += [d * block for d in list(shape)[2:]]
        self.set_output_type(0, self.get_input_element_type(0), dims)

    def evaluate(self, values):
        return [depth_to_space_values(values[0], self._attrs["block_size"], self._attrs["mode"])]


def depth_to_space_values(data, block_size, mode):
    n, c, spatial = data.shape[0], data.shape[1], data.shape[2:]
    k = len(spatial)
    if c % block_size ** k:
        raise ValueError(f"the channel dimension {c} is not divisible by block_size^{k} = "
                         f"{block_size ** k}")
    channels = c // block_size ** k
    if mode == "blocks_first":
        split = data.reshape((n,) + (block_size,) * k + (channels,) + spatial)
        order = [0, k + 1] + [axis for i in range(k) for axis in (k + 2 + i, 1 + i)]
    else:
        split = data.reshape((n, channels) + (block_size,) * k + spatial)
        order = [0, 1] + [axis for i in range(k) for axis in (k + 2 + i, 2 + i)]
    return split.transpose(order).reshape((n, channels) + tuple(d * block_size for d in spatial))


@register_op
class SpaceToDepth(Op):
    """SpaceToDepth-1: [N, C, D1 * b, ...] -> [N, C * b^k, D1, ...], the inverse of DepthToSpace."""

    type_name = "SpaceToDepth"
    inputs_spec = ("data",)
    attrs = (Attr("block_size", "int", 1), Attr("mode", "str", "blocks_first",
                                                choices=("blocks_first", "depth_first")))

    def infer(self):
        shape = self.get_input_partial_shape(0)
        factor = _block_dims(self, shape)
        if factor is None:
            return self.set_output_type(0, self.get_input_element_type(0), shape)
        block = self._attrs["block_size"]
        dims = [shape[0], shape[1] * factor]
        dims += [_divided(self, d, block, "a spatial dimension") for d in list(shape)[2:]]
        self.set_output_type(0, self.get_input_element_type(0), dims)

    def evaluate(self, values):
        return [space_to_depth_values(values[0], self._attrs["block_size"], self._attrs["mode"])]


def space_to_depth_values(data, block_size, mode):
    n, c, spatial = data.shape[0], data.shape[1], data.shape[2:]
    k = len(spatial)
    if any(d % block_size for d in spatial):
        raise ValueError(f"the spatial dimensions {list(spatial)} are not all divisible by "
                         f"block_size {block_size}")
    inner = tuple(d // block_size for d in spatial)
    split = data.reshape((n, c) + tuple(x for d in inner for x in (d, block_size)))
    blocks = [3 + 2 * i for i in range(k)]
    positions = [2 + 2 * i for i in range(k)]
    order = [0] + (blocks + [1] if mode == "blocks_first" else [1] + blocks) + positions
    return split.transpose(order).reshape((n, c * block_size ** k) + inner)


@register_op
class ShuffleChannels(Op):
    """ShuffleChannels-1: the ``axis`` dimension viewed as [group, C / group] and transposed."""

    type_name = "ShuffleChannels"
    inputs_spec = ("data",)
    attrs = (Attr("axis", "int", 1), Attr("group", "int", 1))

    def infer(self):
        shape = self.get_input_partial_shape(0)
        group = self._attrs["group"]
        if group < 1:
            self.fail(f"group must be at least 1, got {group}")
        if shape.rank_is_static:
            if len(shape) == 0:
                self.fail("data must have rank 1 or more")
            axis = normalize_axis(self, self._attrs["axis"], len(shape))
            _divided(self, shape[axis], group, "the channel dimension")
        self.set_output_type(0, self.get_input_element_type(0), shape)

    def evaluate(self, values):
        return [shuffle_channels_values(values[0], self._attrs["axis"], self._attrs["group"])]


def shuffle_channels_values(data, axis, group):
    axis = axis % data.ndim
    shape = data.shape
    if shape[axis] % group:
        raise ValueError(f"dimension {axis} ({shape[axis]}) is not divisible by group {group}")
    split = data.reshape(shape[:axis] + (group, shape[axis] // group) + shape[axis + 1:])
    return np.swapaxes(split, axis, axis + 1).reshape(shape)
