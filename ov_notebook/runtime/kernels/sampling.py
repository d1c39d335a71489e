"""GridSample kernel, vectorized over every output position: integer taps around each
denormalized position, the padding mode applied to the taps (as OpenVINO's reference does),
then one gather per tap and a weighted sum."""
from __future__ import annotations

import numpy as np

from . import kernel


def _denormalize(coordinate, length, align_corners):
    if align_corners:
        return (coordinate + 1) * (length - 1) / 2
    return ((coordinate + 1) * length - 1) / 2


def _padded(index, length, padding_mode, align_corners):
    """(index inside [0, length), validity) for integer taps under ``padding_mode``."""
    if padding_mode == "zeros":
        valid = (index >= 0) & (index < length)
        return np.where(valid, index, 0), valid
    if padding_mode == "border":
        return np.clip(index, 0, length - 1), None
    if align_corners:  # reflect about the first and last pixel centres
        period = 1 if length == 1 else 2 * (length - 1)
        index = np.abs(index) % period
        return np.where(index >= length, period - index, index), None
    period = 2 * length  # reflect about the outer edges
    index = index % period
    return np.where(index >= length, period - 1 - index, index), None


def _cubic_weights(t, a=-0.75):
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for a fraction ``t``."""
    return [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a]


@kernel("GridSample")
def grid_sample(data, grid, *, align_corners=False, mode="bilinear", padding_mode="zeros"):
    batch, _, height, width = data.shape
    coordinates = grid.astype(np.float64)
    x = _denormalize(coordinates[..., 0], width, align_corners)  # [N, Ho, Wo]
    y = _denormalize(coordinates[..., 1], height, align_corners)
    batch_index = np.arange(batch).reshape(batch, 1, 1)
    source = np.moveaxis(data, 1, -1)  # [N, H, W, C]: one gather per tap reads every channel

    def tap(row, column):
        row, row_valid = _padded(row, height, padding_mode, align_corners)
        column, column_valid = _padded(column, width, padding_mode, align_corners)
        values = source[batch_index, row, column].astype(np.float64)  # [N, Ho, Wo, C]
        if row_valid is not None:
            values *= (row_valid & column_valid)[..., None]
        return values

    if mode == "nearest":
        result = tap(np.rint(y).astype(np.int64), np.rint(x).astype(np.int64))
    else:
        top, left = np.floor(y), np.floor(x)
        dy, dx = (y - top)[..., None], (x - left)[..., None]
        top, left = top.astype(np.int64), left.astype(np.int64)
        if mode == "bilinear":
            result = ((1 - dy) * ((1 - dx) * tap(top, left) + dx * tap(top, left + 1))
                      + dy * ((1 - dx) * tap(top + 1, left) + dx * tap(top + 1, left + 1)))
        else:
            weights_y, weights_x = _cubic_weights(dy), _cubic_weights(dx)
            result = sum(weights_y[j] * sum(weights_x[i] * tap(top - 1 + j, left - 1 + i)
                                            for i in range(4)) for j in range(4))
    result = np.moveaxis(result, -1, 1)
    if data.dtype.kind in "iu":
        result = np.trunc(result)
    return np.ascontiguousarray(result.astype(data.dtype))
