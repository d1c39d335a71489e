"""Convolutions: Convolution-1, GroupConvolution-1, ConvolutionBackpropData-1 and
GroupConvolutionBackpropData-1, plus the padding geometry the kernels and the pooling ops share.

Shape inference follows OpenVINO's ``convolution_shape_inference_util.hpp``: ``same_*`` auto padding
gives ``ceil(size / stride)`` outputs whatever the kernel, dynamic and interval dimensions propagate
through the same formulas as bounds, and the number of spatial axes comes from the data rank, else
the filter rank, else the attributes.
"""
from __future__ import annotations

from ..node import REQUIRED, Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._util import dims_of, merge_types

AUTO_PAD = ("explicit", "same_lower", "same_upper", "valid")
_INF = -1


# ------------------------------------------------------------------------------------------------
# geometry shared with the kernels (plain ints) and with pooling
# ------------------------------------------------------------------------------------------------
def dilated(kernel: int, dilation: int) -> int:
    """The extent of a kernel of ``kernel`` taps spaced ``dilation`` apart."""
    return (kernel - 1) * dilation + 1


def same_padding(size, kernel, stride, dilation, auto_pad):
    """(begin, end) padding giving ceil(size / stride) outputs; same_upper puts the odd pad last."""
    outputs = -(-size // stride)
    total = max(0, (outputs - 1) * stride + dilated(kernel, dilation) - size)
    small = total // 2
    return (small, total - small) if auto_pad == "same_upper" else (total - small, small)


def resolve_pads(auto_pad, sizes, kernel, strides, dilations, pads_begin, pads_end):
    """The pads a forward convolution or pooling applies to input spatial ``sizes``."""
    count = len(sizes)
    if auto_pad == "valid":
        return [0] * count, [0] * count
    if auto_pad in ("same_upper", "same_lower"):
        pairs = [same_padding(*args, auto_pad) for args in zip(sizes, kernel, strides, dilations)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return list(pads_begin) or [0] * count, list(pads_end) or [0] * count


def backprop_geometry(auto_pad, sizes, kernel, strides, dilations, pads_begin, pads_end,
                      output_padding, output_shape=None):
    """(crop offsets, output sizes) of a transposed convolution over input spatial ``sizes``.

    The full result spans ``(size - 1) * stride + dilated kernel`` per axis; the output starts
    ``pads_begin`` into it. With an ``output_shape``, same_* padding is recomputed from it
    (same_upper puts the larger half first here, as OpenVINO does for backprop).
    """
    count = len(sizes)
    output_padding = list(output_padding) or [0] * count
    full = [(s - 1) * st + dilated(k, d) for s, k, st, d in zip(sizes, kernel, strides, dilations)]
    if auto_pad in ("valid", "same_upper", "same_lower"):
        begin, end = [0] * count, [0] * count
    else:
        begin, end = list(pads_begin) or [0] * count, list(pads_end) or [0] * count
    if output_shape is None:
        return begin, [f - b - e + p for f, b, e, p in zip(full, begin, end, output_padding)]
    output_shape = [int(v) for v in output_shape]
    if auto_pad in ("same_upper", "same_lower"):
        totals = [max(0, f - o + p) for f, o, p in zip(full, output_shape, output_padding)]
        begin = [t - t // 2 if auto_pad == "same_upper" else t // 2 for t in totals]
    return begin, output_shape


# ------------------------------------------------------------------------------------------------
# Dimension arithmetic with OpenVINO's rounding of interval bounds
# ------------------------------------------------------------------------------------------------
def ceil_div_dim(dim: Dimension, divisor: int) -> Dimension:
    if dim.is_static:
        return Dimension(-(-dim.get_length() // divisor))
    high = dim.max_length
    return Dimension(-(-dim.min_length // divisor), high if high == _INF else -(-high // divisor))


def padded_dim(dim: Dimension, amount: int) -> Dimension:
    """``dim + amount`` where a bound that would turn negative becomes unknown."""
    if amount == 0:
        return dim

    def bound(value):
        return _INF if value == _INF or value + amount < 0 else value + amount

    if dim.is_static:
        return Dimension(bound(dim.get_length()))
    return Dimension(max(bound(dim.min_length), 0), bound(dim.max_length))


def divide_dim(dim: Dimension, divisor: int):
    """``dim / divisor`` for channel-group checks; None where a static dim is not divisible."""
    if dim.is_static:
        value = dim.get_length()
        return Dimension(value // divisor) if value % divisor == 0 else None
    high = dim.max_length
    low = -(-dim.min_length // divisor)
    high = high if high == _INF else high // divisor
    return None if high != _INF and high < low else Dimension(low, high)


def dilated_dim(dim: Dimension, dilation: int) -> Dimension:
    return (dim - 1) * dilation + 1


def check_spatial_rank(node, data: PartialShape, what="data"):
    """Convolutions and pooling take [N, C, spatial...] with 1 to 3 spatial axes."""
    if data.rank_is_static and len(data) not in (3, 4, 5):
        node.fail(f"{what} must be a 3D, 4D or 5D tensor (batch, channels, spatial...), "
                  f"got {data}")


# ------------------------------------------------------------------------------------------------
# the ops
# ------------------------------------------------------------------------------------------------
def _spatial_attrs(*names):
    # empty dilations/pads mean ones/zeros (OpenVINO resizes them); infer() fills them in
    return tuple(Attr(name, "ints", REQUIRED if name == "strides" else []) for name in names)


class ConvolutionBase(Op):
    """Checks and inference shared by the four convolutions.

    ``filter_prefix`` is the number of non-spatial filter axes (2, or 3 with a groups axis).
    """

    filter_prefix = 2
    backprop = False

    def _element_type(self):
        element_type = merge_types(self, [self.get_input_element_type(0),
                                          self.get_input_element_type(1)], "data and filters")
        if element_type is Type.boolean:
            self.fail("data and filters must be numeric, got boolean")
        return element_type

    def _infer_forward(self, channels_of):
        """Output type of a forward convolution; ``channels_of(data, filters)`` checks the
        channels and gives the output's."""
        element_type = self._element_type()
        data, filters = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        num_spatial = self._num_spatial(data, filters)
        if num_spatial is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        self._check_filter_rank(data, filters)
        self._check_attributes(data, num_spatial)
        channels = channels_of(data, filters)
        batch = data[0] if data.rank_is_static else Dimension()
        self._store_auto_pads(data, filters)
        spatial = self._forward_spatial(data, filters, num_spatial)
        self.set_output_type(0, element_type, [batch, channels] + spatial)

    def _num_spatial(self, data, filters, output_spatial=None):
        if data.rank_is_static:
            return len(data) - 2
        if filters.rank_is_static:
            return len(filters) - self.filter_prefix
        if output_spatial is not None:
            return len(output_spatial)
        return len(self._attrs["strides"]) or None

    def _check_attributes(self, data, num_spatial):
        check_spatial_rank(self, data)
        defaults = {"dilations": 1, "pads_begin": 0, "pads_end": 0, "output_padding": 0}
        names = ["strides", "dilations", "pads_begin", "pads_end"]
        for name in names + (["output_padding"] if self.backprop else []):
            value = self._attrs[name]
            if not value and name in defaults:
                value = self._attrs[name] = [defaults[name]] * num_spatial
            self.check(len(value) == num_spatial, f"{name} {value} must have one value per "
                       f"spatial axis ({num_spatial})")
        for name in ("strides", "dilations"):
            self.check(all(v > 0 for v in self._attrs[name]),
                       f"{name} {self._attrs[name]} must be positive")

    def _check_filter_rank(self, data, filters):
        if data.rank_is_static and filters.rank_is_static and \
                len(filters) != len(data) + self.filter_prefix - 2:
            self.fail(f"data rank {len(data)} and filters rank {len(filters)} do not match "
                      f"(filters need {self.filter_prefix} leading axes, then the spatial axes)")

    def _store_auto_pads(self, data, filters, output_spatial=None):
        """Record the pads ``auto_pad`` implies, as OpenVINO does: 0 where a size is unknown;
        a transposed convolution derives same_* pads from ``output_shape`` only."""
        auto_pad, count = self._attrs["auto_pad"], len(self._attrs["strides"])
        if auto_pad == "explicit":
            return
        pairs = [(0, 0)] * count
        if auto_pad != "valid" and data.rank_is_static and filters.rank_is_static and (
                not self.backprop or output_spatial):
            kernel = list(filters)[self.filter_prefix:]
            targets = output_spatial or [None] * count
            pairs = [self._auto_pair(axis, size, k, target) for axis, (size, k, target)
                     in enumerate(zip(list(data)[2:], kernel, targets))]
        self._attrs["pads_begin"] = [p[0] for p in pairs]
        self._attrs["pads_end"] = [p[1] for p in pairs]

    def _auto_pair(self, axis, size, kernel, target):
        if not size.is_static or not kernel.is_static or (self.backprop and not target.is_static):
            return (0, 0)
        stride, dilation = self._attrs["strides"][axis], self._attrs["dilations"][axis]
        auto_pad = self._attrs["auto_pad"]
        if not self.backprop:
            return same_padding(size.get_length(), kernel.get_length(), stride, dilation, auto_pad)
        total = max(0, (size.get_length() - 1) * stride + dilated(kernel.get_length(), dilation)
                    - target.get_length() + self._attrs["output_padding"][axis])
        half = total // 2  # backprop puts the larger half first for same_upper
        return (total - half, half) if auto_pad == "same_upper" else (half, total - half)

    def _pads(self, num_spatial):
        if self._attrs["auto_pad"] != "explicit":
            return [0] * num_spatial, [0] * num_spatial
        return (self._attrs["pads_begin"] or [0] * num_spatial,
                self._attrs["pads_end"] or [0] * num_spatial)

    def _forward_spatial(self, data, filters, num_spatial):
        data_dims = list(data)[2:] if data.rank_is_static else [Dimension()] * num_spatial
        if self._attrs["auto_pad"] in ("same_upper", "same_lower"):
            return [ceil_div_dim(d, s) for d, s in zip(data_dims, self._attrs["strides"])]
        kernel_dims = (list(filters)[self.filter_prefix:] if filters.rank_is_static
                       else [Dimension()] * num_spatial)
        begin, end = self._pads(num_spatial)
        result = []
        for axis, (size, kernel) in enumerate(zip(data_dims, kernel_dims)):
            padded = size + (begin[axis] + end[axis])
            extent = dilated_dim(kernel, self._attrs["dilations"][axis])
            if padded.is_static and extent.is_static:
                self.check(extent.get_length() <= padded.get_length(),
                           f"the dilated kernel ({extent}) is larger than the padded data "
                           f"({padded}) at spatial axis {axis}")
            result.append((padded - extent) // self._attrs["strides"][axis] + 1)
        return result

    def _backprop_spatial(self, data, filters, num_spatial):
        data_dims = list(data)[2:] if data.rank_is_static else [Dimension()] * num_spatial
        kernel_dims = (list(filters)[self.filter_prefix:] if filters.rank_is_static
                       else [Dimension()] * num_spatial)
        begin, end = self._pads(num_spatial)
        output_padding = self._attrs["output_padding"] or [0] * num_spatial
        result = []
        for axis, (size, kernel) in enumerate(zip(data_dims, kernel_dims)):
            full = (size - 1) * self._attrs["strides"][axis] + dilated_dim(
                kernel, self._attrs["dilations"][axis])
            result.append(padded_dim(full, output_padding[axis] - begin[axis] - end[axis]))
        return result


_AUTO_PAD_ATTR = Attr("auto_pad", "str", "explicit", choices=AUTO_PAD)


@register_op
class Convolution(ConvolutionBase):
    """Convolution-1: data [N, C_in, spatial...] with filters [C_out, C_in, kernel...]."""

    type_name = "Convolution"
    inputs_spec = ("data", "filters")
    attrs = _spatial_attrs("strides", "dilations", "pads_begin", "pads_end") + (
        _AUTO_PAD_ATTR,)

    def infer(self):
        self._infer_forward(self._output_channels)

    def _output_channels(self, data, filters):
        if data.rank_is_static and filters.rank_is_static and not data[1].compatible(filters[1]):
            self.fail(f"data channels ({data[1]}) do not match filter input channels "
                      f"({filters[1]})")
        return filters[0] if filters.rank_is_static else Dimension()


def _group_channels(node, data, filters, groups_axis_in, per_group_axis_in, per_group_axis_out):
    """Output channels ``groups * per-group outputs``, checking data channels = groups * inputs."""
    if not filters.rank_is_static:
        return Dimension()
    groups = filters[groups_axis_in]
    per_group_in = filters[per_group_axis_in]
    if data.rank_is_static and per_group_in.is_static:
        implied = divide_dim(data[1], max(per_group_in.get_length(), 1))
        merged = None if implied is None else groups.merge(implied)
        if merged is None or per_group_in.get_length() == 0:
            node.fail(f"data channels ({data[1]}) are not groups ({groups}) x filter input "
                      f"channels per group ({per_group_in})")
        groups = merged
    return groups * filters[per_group_axis_out]


@register_op
class GroupConvolution(ConvolutionBase):
    """GroupConvolution-1: filters [groups, C_out/groups, C_in/groups, kernel...]."""

    type_name = "GroupConvolution"
    inputs_spec = ("data", "filters")
    filter_prefix = 3
    attrs = _spatial_attrs("strides", "pads_begin", "pads_end", "dilations") + (
        _AUTO_PAD_ATTR,)

    def infer(self):
        self._infer_forward(lambda data, filters: _group_channels(self, data, filters, 0, 2, 1))


class BackpropBase(ConvolutionBase):
    """Transposed convolutions; the optional third input gives the output spatial shape."""

    backprop = True

    def _output_spatial(self):
        """The output_shape input as dims (None without it), checked to be a 1-D integer tensor."""
        if len(self._inputs) < 3:
            return None
        shape = self.get_input_partial_shape(2)
        if shape.rank_is_static and len(shape) != 1:
            self.fail(f"output_shape (input 2) must be a 1-D tensor, got shape {shape}")
        element_type = self.get_input_element_type(2)
        if element_type.is_static and not element_type.is_integral_number():
            self.fail(f"output_shape (input 2) must be an integer tensor, got {element_type}")
        dims = dims_of(self, 2)
        if dims is not None:
            return [d if isinstance(d, Dimension) else Dimension() for d in dims]
        if shape.is_static:
            return [Dimension()] * shape[0].get_length()
        return []

    def _infer_backprop(self, channels_of):
        element_type = self._element_type()
        data, filters = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        output_spatial = self._output_spatial()
        num_spatial = self._num_spatial(data, filters, output_spatial or None)
        if num_spatial is None:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        if output_spatial and len(output_spatial) != num_spatial:
            self.fail(f"output_shape has {len(output_spatial)} values, expected one per spatial "
                      f"axis ({num_spatial})")
        self._check_filter_rank(data, filters)
        self._check_attributes(data, num_spatial)
        self._store_auto_pads(data, filters, output_spatial)
        batch = data[0] if data.rank_is_static else Dimension()
        channels = channels_of(data, filters)
        if output_spatial is None:
            spatial = self._backprop_spatial(data, filters, num_spatial)
        else:
            spatial = output_spatial or [Dimension()] * num_spatial
        self.set_output_type(0, element_type, [batch, channels] + spatial)


_BACKPROP_TAIL = (_AUTO_PAD_ATTR, Attr("output_padding", "ints", []))


@register_op
class ConvolutionBackpropData(BackpropBase):
    """ConvolutionBackpropData-1 (transposed convolution): filters [C_in, C_out, kernel...]."""

    type_name = "ConvolutionBackpropData"
    inputs_spec = ("data", "filters", "output_shape?")
    attrs = _spatial_attrs("strides", "dilations", "pads_begin", "pads_end") + _BACKPROP_TAIL

    def infer(self):
        def channels(data, filters):
            known = data.rank_is_static and filters.rank_is_static
            if known and not data[1].compatible(filters[0]):
                self.fail(f"data channels ({data[1]}) do not match filter input channels "
                          f"({filters[0]})")
            return filters[1] if filters.rank_is_static else Dimension()

        self._infer_backprop(channels)


@register_op
class GroupConvolutionBackpropData(BackpropBase):
    """GroupConvolutionBackpropData-1: filters [groups, C_in/groups, C_out/groups, kernel...]."""

    type_name = "GroupConvolutionBackpropData"
    inputs_spec = ("data", "filters", "output_shape?")
    filter_prefix = 3
    attrs = _spatial_attrs("strides", "pads_begin", "pads_end", "dilations") + _BACKPROP_TAIL

    def infer(self):
        self._infer_backprop(lambda data, filters: _group_channels(self, data, filters, 0, 1, 2))
