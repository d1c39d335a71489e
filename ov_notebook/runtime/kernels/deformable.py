"""DeformableConvolution kernel: deformable im2col (each tap bilinearly sampled at its offset,
four gathers per tap over every channel of its deformable group), then one grouped matmul."""
from __future__ import annotations

import numpy as np

from ...ir.ops.convolution import resolve_pads
from . import kernel

F32 = np.float32


def _corner_axis(position, length, padded):
    """Per axis: (low index, high index, weight of high, validity of low, validity of high)
    following OpenVINO's reference bilinear rule with or without ``bilinear_interpolation_pad``."""
    low = np.floor(position)
    if padded:
        high = low + 1
    else:
        low = np.maximum(low, 0)
        high = np.minimum(np.ceil(position), length - 1)
    fraction = (position - low).astype(F32)
    return (low.astype(np.int64), high.astype(np.int64), fraction,
            (low >= 0) & (low < length), (high >= 0) & (high < length))


@kernel("DeformableConvolution")
def deformable_convolution(data, offsets, filters, mask=None, *, strides, pads_begin, pads_end,
                           dilations, auto_pad="explicit", group=1, deformable_group=1,
                           bilinear_interpolation_pad=False):
    batch, channels, height, width = data.shape
    out_channels, _, kernel_h, kernel_w = filters.shape
    out_h, out_w = offsets.shape[2], offsets.shape[3]
    begin, _ = resolve_pads(auto_pad, [height, width], [kernel_h, kernel_w], strides, dilations,
                            pads_begin, pads_end)
    taps, groups_d = kernel_h * kernel_w, deformable_group
    # tap positions without offsets: [KH, OH] rows and [KW, OW] columns
    rows = (np.arange(out_h) * strides[0] - begin[0])[None, :] \
        + (np.arange(kernel_h) * dilations[0])[:, None]
    columns = (np.arange(out_w) * strides[1] - begin[1])[None, :] \
        + (np.arange(kernel_w) * dilations[1])[:, None]
    base_y = np.broadcast_to(rows[:, None, :, None], (kernel_h, kernel_w, out_h, out_w))
    base_x = np.broadcast_to(columns[None, :, None, :], (kernel_h, kernel_w, out_h, out_w))
    shifts = offsets.astype(F32).reshape(batch, groups_d, taps, 2, out_h, out_w)
    y = (base_y.reshape(taps, out_h, out_w) + shifts[:, :, :, 0]).astype(F32)  # [N, G, K, OH, OW]
    x = (base_x.reshape(taps, out_h, out_w) + shifts[:, :, :, 1]).astype(F32)
    if bilinear_interpolation_pad:
        inside = (y > -1) & (y < height) & (x > -1) & (x < width)
    else:
        inside = (y >= 0) & (y < height) & (x >= 0) & (x < width)
    scale = inside.astype(F32)
    if mask is not None:
        scale = scale * mask.astype(F32).reshape(batch, groups_d, taps, out_h, out_w)
    y_low, y_high, dy, y_low_ok, y_high_ok = _corner_axis(y, height, bilinear_interpolation_pad)
    x_low, x_high, dx, x_low_ok, x_high_ok = _corner_axis(x, width, bilinear_interpolation_pad)
    source = data.astype(F32).reshape(batch, groups_d, channels // groups_d, height * width)
    sampled = 0
    for rows_at, row_weight, row_ok in ((y_low, 1 - dy, y_low_ok), (y_high, dy, y_high_ok)):
        for cols_at, col_weight, col_ok in ((x_low, 1 - dx, x_low_ok), (x_high, dx, x_high_ok)):
            valid = row_ok & col_ok
            index = np.where(valid, np.clip(rows_at, 0, height - 1) * width
                             + np.clip(cols_at, 0, width - 1), 0)
            weight = row_weight * col_weight * valid * scale  # [N, G, K, OH, OW]
            values = np.take_along_axis(source, index.reshape(batch, groups_d, 1, -1), axis=3)
            sampled = sampled + values * weight.reshape(batch, groups_d, 1, -1)
    # [N, C, K * OH * OW] -> per convolution group [N, g, C_g * K, P]
    columns_matrix = sampled.reshape(batch, group, (channels // group) * taps, out_h * out_w)
    weights = filters.astype(F32).reshape(group, out_channels // group, -1)
    result = np.matmul(weights[None], columns_matrix)  # [N, g, C_out_g, P]
    return result.reshape(batch, out_channels, out_h, out_w).astype(data.dtype)
