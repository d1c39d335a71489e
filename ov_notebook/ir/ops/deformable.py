"""DeformableConvolution-8: a 2-D convolution whose taps sample the data at learned offsets."""
from __future__ import annotations

from ..node import Attr, register_op
from ..shape import Dimension
from ._util import merge_types
from .convolution import _AUTO_PAD_ATTR, ConvolutionBase, _spatial_attrs


@register_op
class DeformableConvolution(ConvolutionBase):
    """DeformableConvolution-8: data [N, C_in, H, W], offsets [N, deformable_group * 2 * KH * KW,
    H_out, W_out] ((dy, dx) per tap), filters [C_out, C_in / group, KH, KW] and an optional mask
    [N, deformable_group * KH * KW, H_out, W_out] scaling each tap. Taps between pixels are
    interpolated bilinearly; ``bilinear_interpolation_pad`` lets taps within one pixel outside
    the data blend with zeros (torchvision's rule) instead of being dropped."""

    type_name = "DeformableConvolution"
    version = "opset8"
    inputs_spec = ("data", "offsets", "filters", "mask?")
    attrs = _spatial_attrs("strides", "pads_begin", "pads_end", "dilations") + (
        _AUTO_PAD_ATTR, Attr("group", "int", 1), Attr("deformable_group", "int", 1),
        Attr("bilinear_interpolation_pad", "bool", False))

    def infer(self):
        types = [self.get_input_element_type(i) for i in range(len(self._inputs))]
        element_type = merge_types(self, types, "data, offsets, filters and mask")
        data, offsets, filters = (self.get_input_partial_shape(i) for i in range(3))
        mask = self.get_input_partial_shape(3) if len(self._inputs) == 4 else None
        for index, (what, shape) in enumerate(zip(("data", "offsets", "filters", "mask"),
                                                  (data, offsets, filters, mask))):
            if shape is not None and shape.rank_is_static and len(shape) != 4:
                self.fail(f"{what} (input {index}) must be 4-D, got {shape}")
        group, deformable = self._attrs["group"], self._attrs["deformable_group"]
        if group < 1 or deformable < 1:
            self.fail(f"group ({group}) and deformable_group ({deformable}) must be positive")
        self._check_attributes(data, 2)
        channels = self._channels(data, filters, group)
        self._store_auto_pads(data, filters)
        spatial = self._forward_spatial(data, filters, 2)
        batch = data[0] if data.rank_is_static else Dimension()
        taps = None
        if filters.rank_is_static and filters[2].is_static and filters[3].is_static:
            taps = filters[2].get_length() * filters[3].get_length()
        # as OpenVINO: the batch comes from data and offsets; the spatial sizes of offsets and
        # mask (and the mask's batch) are only checked against the output's
        for what, shape, per_tap in (("offsets", offsets, 2), ("mask", mask, 1)):
            if shape is None or not shape.rank_is_static:
                continue
            merged = batch.merge(shape[0])
            if merged is None:
                self.fail(f"the batch of {what} ({shape}) must match data's ({batch})")
            batch = merged if what == "offsets" else batch
            if taps is not None and not shape[1].compatible(deformable * per_tap * taps):
                self.fail(f"{what} channels ({shape[1]}) must be deformable_group ({deformable})"
                          f" x {per_tap} x {taps} kernel taps")
            if not all(d.compatible(o) for d, o in zip(spatial, list(shape)[2:])):
                self.fail(f"the spatial dimensions of {what} ({shape}) must match the output's "
                          f"({spatial[0]}, {spatial[1]})")
        self.set_output_type(0, element_type, [batch, channels] + spatial)

    def _channels(self, data, filters, group):
        if not filters.rank_is_static:
            return Dimension()
        if filters[0].is_static and filters[0].get_length() % group:
            self.fail(f"filters output channels ({filters[0]}) must divide by group ({group})")
        if data.rank_is_static and not data[1].compatible(filters[1] * group):
            self.fail(f"data channels ({data[1]}) must be group ({group}) x filter input "
                      f"channels ({filters[1]})")
        if data.rank_is_static and data[1].is_static and \
                data[1].get_length() % self._attrs["deformable_group"]:
            self.fail(f"data channels ({data[1]}) must divide by deformable_group "
                      f"({self._attrs['deformable_group']})")
        return filters[0]
