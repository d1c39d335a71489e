"""Pooling: MaxPool-1/8/14, AvgPool-1/14/16, AdaptiveAvgPool-8 and AdaptiveMaxPool-8.

The newest versions (MaxPool-14, AvgPool-16) are what the builders make; the older ones are
registered so that IR written by older tools reads back. Output sizes follow OpenVINO's
``pooling_shape_inference_util.hpp``: ``ceil`` lets the last window start in the padding,
``ceil_torch`` does not, and an auto-padded dynamic dimension stays fully dynamic.
"""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._util import dims_of, normalize_axis
from .convolution import AUTO_PAD, ceil_div_dim, check_spatial_rank, dilated, same_padding

ROUNDING = ("floor", "ceil", "ceil_torch")
_INF = -1


def pool_output_size(size, kernel, stride, dilation, pad_begin, pad_end, rounding):
    """The number of windows along one static axis (shared with the kernels)."""
    span = size + pad_begin + pad_end - dilated(kernel, dilation)
    count = (-(-span // stride) if rounding != "floor" else span // stride)
    if rounding == "ceil_torch" and count * stride > size + pad_begin - 1:
        return count  # the next window would start in the end padding
    return count + 1


def _torch_ceil_dim(divided: Dimension, stride, data: Dimension, pad_begin) -> Dimension:
    """``ceil_torch``: add the last window only where it starts inside data or begin padding."""

    def bound(count, size):
        # OpenVINO compares unsigned values: with nothing before the window the last one counts
        last_start = size + pad_begin - 1
        return count if last_start >= 0 and count * stride > last_start else count + 1

    low = bound(divided.min_length, data.min_length)
    if data.is_static:
        return Dimension(low)
    if data.max_length == _INF or divided.max_length == _INF:
        return Dimension(low, _INF)
    return Dimension(low, bound(divided.max_length, data.max_length))


class PoolBase(Op):
    """Attribute checks and output shape of MaxPool and AvgPool."""

    inputs_spec = ("data",)
    has_dilations = False
    exclude_pad_check = False

    def _dilations(self):
        dilations = self._attrs.get("dilations") if self.has_dilations else None
        return dilations or [1] * len(self._attrs["kernel"])

    def _check_attributes(self, data):
        kernel = self._attrs["kernel"]
        count = len(kernel)
        check_spatial_rank(self, data)
        if data.rank_is_static and count != len(data) - 2:
            self.fail(f"kernel {kernel} must have one value per spatial axis ({len(data) - 2})")
        for name in ("pads_begin", "pads_end"):
            if not self._attrs[name]:
                self._attrs[name] = [0] * count
        if self.has_dilations and not self._attrs["dilations"]:
            # written out in full: OpenVINO's CPU plugin crashes on AvgPool-16 dilations=""
            self._attrs["dilations"] = [1] * count
        for name, values in (("strides", self._attrs["strides"]), ("dilations", self._dilations()),
                             ("pads_begin", self._attrs["pads_begin"]),
                             ("pads_end", self._attrs["pads_end"])):
            self.check(len(values) == count, f"{name} {values} must have one value per spatial "
                       f"axis ({count})")
        for name, values in (("strides", self._attrs["strides"]), ("dilations", self._dilations())):
            self.check(all(v > 0 for v in values), f"{name} {values} must be positive")

    def _pads(self, data):
        auto_pad, count = self._attrs["auto_pad"], len(self._attrs["kernel"])
        if auto_pad == "valid":
            return [0] * count, [0] * count
        if auto_pad not in ("same_upper", "same_lower") or not data.rank_is_static:
            return self._attrs["pads_begin"], self._attrs["pads_end"]
        pairs = [same_padding(d.get_length(), k, s, dl, auto_pad) if d.is_static else (0, 0)
                 for d, k, s, dl in zip(list(data)[2:], self._attrs["kernel"],
                                        self._attrs["strides"], self._dilations())]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _output_shape(self, data):
        kernel = self._attrs["kernel"]
        if not data.rank_is_static:
            if self._attrs["auto_pad"] == "valid":
                self._attrs["pads_begin"] = self._attrs["pads_end"] = [0] * len(kernel)
            return PartialShape.dynamic(len(kernel) + 2)
        for axis, what in ((0, "batch"), (1, "channels")):
            self.check(not data[axis].is_static or data[axis].get_length() > 0,
                       f"data {what} dimension must not be zero, got {data}")
        begin, end = self._pads(data)
        if self._attrs["auto_pad"] != "explicit":  # recorded, as OpenVINO does
            self._attrs["pads_begin"], self._attrs["pads_end"] = list(begin), list(end)
        auto = self._attrs["auto_pad"] in ("same_upper", "same_lower")
        spatial = [self._axis_size(axis, size, begin[axis], end[axis], auto)
                   for axis, size in enumerate(list(data)[2:])]
        return PartialShape([data[0], data[1]] + spatial)

    def _axis_size(self, axis, size, pad_begin, pad_end, auto):
        if not size.is_static and auto:
            return Dimension()  # one pair of auto pads cannot serve every size of an interval
        stride, rounding = self._attrs["strides"][axis], self._attrs["rounding_type"]
        extent = dilated(self._attrs["kernel"][axis], self._dilations()[axis])
        padded = size + (pad_begin + pad_end)
        if size.is_static:
            self.check(extent <= padded.get_length(), f"the dilated kernel ({extent}) is larger "
                       f"than the padded data ({padded}) at spatial axis {axis}")
            self.check(not (self.exclude_pad_check and self._attrs["exclude-pad"]) or
                       (extent > pad_begin and extent > pad_end),
                       f"the dilated kernel ({extent}) fits entirely in the padding "
                       f"({pad_begin}, {pad_end}) at spatial axis {axis}, which exclude-pad "
                       "forbids")
        span = padded - extent
        divided = ceil_div_dim(span, stride) if rounding != "floor" else span // stride
        if rounding == "ceil_torch":
            return _torch_ceil_dim(divided, stride, size, pad_begin)
        return divided + 1


def _pool_attrs(order, rounding=ROUNDING):
    table = {
        "strides": Attr("strides", "ints"), "kernel": Attr("kernel", "shape"),
        "dilations": Attr("dilations", "ints", []),
        "pads_begin": Attr("pads_begin", "ints", []), "pads_end": Attr("pads_end", "ints", []),
        "rounding_type": Attr("rounding_type", "str", "floor", choices=rounding),
        "auto_pad": Attr("auto_pad", "str", "explicit", choices=AUTO_PAD),
        "exclude-pad": Attr("exclude-pad", "bool", False),
        "index_element_type": Attr("index_element_type", "type", Type.i64),
        "axis": Attr("axis", "int", 0),
    }
    return tuple(table[name] for name in order)


class MaxPoolBase(PoolBase):
    """Max over each window; from opset8 also the flat indices of the maxima."""

    type_name = "MaxPool"

    def infer(self):
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        if element_type is Type.boolean:
            self.fail("data must be numeric, got boolean")
        self._check_attributes(data)
        shape = self._output_shape(data)
        self.set_output_type(0, element_type, shape)
        if "index_element_type" not in self._attrs:
            return
        index_type = self._attrs["index_element_type"]
        self.check(index_type in (Type.i32, Type.i64),
                   f"index_element_type must be i32 or i64, got {index_type}")
        if data.rank_is_static:
            self._attrs["axis"] = normalize_axis(self, self._attrs["axis"], len(data), "axis")
        self._set_output_count(2)
        self.set_output_type(1, index_type, shape)


@register_op
class MaxPool1(MaxPoolBase):
    """MaxPool-1: one output, no dilations, floor or ceil rounding."""

    attrs = _pool_attrs(("strides", "pads_begin", "pads_end", "kernel", "rounding_type",
                         "auto_pad"), ROUNDING[:2])


@register_op
class MaxPool8(MaxPoolBase):
    """MaxPool-8: dilations and a second output with indices (flattened from ``axis``)."""

    version = "opset8"
    num_outputs = 2
    has_dilations = True
    attrs = _pool_attrs(("strides", "dilations", "pads_begin", "pads_end", "kernel",
                         "rounding_type", "auto_pad", "index_element_type", "axis"), ROUNDING[:2])


@register_op
class MaxPool(MaxPool8):
    """MaxPool-14: MaxPool-8 plus ``ceil_torch`` rounding (no window starts in the end padding)."""

    version = "opset14"
    attrs = _pool_attrs(("strides", "dilations", "pads_begin", "pads_end", "kernel",
                         "rounding_type", "auto_pad", "index_element_type", "axis"))


class AvgPoolBase(PoolBase):
    """Mean over each window; ``exclude-pad`` divides by the number of non-padding elements."""

    type_name = "AvgPool"
    exclude_pad_check = True

    def infer(self):
        data = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        if element_type is Type.boolean:
            self.fail("data must be numeric, got boolean")
        self._check_attributes(data)
        self.set_output_type(0, element_type, self._output_shape(data))


@register_op
class AvgPool1(AvgPoolBase):
    """AvgPool-1: floor or ceil rounding, no dilations."""

    attrs = _pool_attrs(("strides", "pads_begin", "pads_end", "kernel", "exclude-pad",
                         "rounding_type", "auto_pad"), ROUNDING[:2])


@register_op
class AvgPool14(AvgPoolBase):
    """AvgPool-14: AvgPool-1 plus ``ceil_torch`` rounding."""

    version = "opset14"
    attrs = _pool_attrs(("strides", "pads_begin", "pads_end", "kernel", "exclude-pad",
                         "rounding_type", "auto_pad"))


@register_op
class AvgPool(AvgPool14):
    """AvgPool-16: AvgPool-14 plus ``dilations`` (empty means 1 on every axis)."""

    version = "opset16"
    has_dilations = True
    attrs = _pool_attrs(("kernel", "strides", "pads_begin", "pads_end", "exclude-pad",
                         "auto_pad", "rounding_type", "dilations"))


class AdaptivePoolBase(Op):
    """Adaptive pooling to the spatial size given by the 1-D ``output_shape`` input."""

    inputs_spec = ("data", "output_shape")

    def _output_shape(self):
        data, target = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        check_spatial_rank(self, data)
        if target.rank_is_static and len(target) != 1:
            self.fail(f"output_shape (input 1) must be a 1-D tensor, got shape {target}")
        element_type = self.get_input_element_type(1)
        if element_type.is_static and element_type not in (Type.i32, Type.i64):
            self.fail(f"output_shape (input 1) must be i32 or i64, got {element_type}")
        if not data.rank_is_static:
            return PartialShape.dynamic()
        count = len(data) - 2
        if target.rank_is_static and not target[0].compatible(count):
            self.fail(f"output_shape has {target[0]} values, expected one per spatial axis "
                      f"({count})")
        dims = dims_of(self, 1)
        if dims is None:
            return PartialShape([data[0], data[1]] + [Dimension()] * count)
        self.check(len(dims) == count, f"output_shape has {len(dims)} values, expected one per "
                   f"spatial axis ({count})")
        return PartialShape([data[0], data[1]] + [d if isinstance(d, Dimension) else Dimension()
                                                  for d in dims])


@register_op
class AdaptiveAvgPool(AdaptivePoolBase):
    """AdaptiveAvgPool-8: output bin i of an axis averages [floor(i*L/n), ceil((i+1)*L/n))."""

    type_name = "AdaptiveAvgPool"
    version = "opset8"

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(0), self._output_shape())


@register_op
class AdaptiveMaxPool(AdaptivePoolBase):
    """AdaptiveMaxPool-8: maxima of the adaptive bins and their indices within each (n, c) plane."""

    type_name = "AdaptiveMaxPool"
    version = "opset8"
    num_outputs = 2
    attrs = (Attr("index_element_type", "type", Type.i64),)

    def infer(self):
        index_type = self._attrs["index_element_type"]
        self.check(index_type in (Type.i32, Type.i64),
                   f"index_element_type must be i32 or i64, got {index_type}")
        shape = self._output_shape()
        self.set_output_type(0, self.get_input_element_type(0), shape)
        self.set_output_type(1, index_type, shape)
