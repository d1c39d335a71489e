"""Col2Im kernel: one strided slice-add per kernel tap into a padded image, then the crop."""
from __future__ import annotations

import numpy as np

from ...ir.ops.fold import blocks_along
from . import kernel


@kernel("Col2Im")
def col2im(data, output_size, kernel_size, *, strides=(1, 1), dilations=(1, 1),
           pads_begin=(0, 0), pads_end=(0, 0)):
    unbatched = data.ndim == 2
    columns = data[None] if unbatched else data
    height, width = (int(v) for v in np.asarray(output_size).reshape(-1))
    kernel_h, kernel_w = (int(v) for v in np.asarray(kernel_size).reshape(-1))
    blocks = [blocks_along(size, k, s, d, b, e) for size, k, s, d, b, e in zip(
        (height, width), (kernel_h, kernel_w), strides, dilations, pads_begin, pads_end)]
    batch, rows, count = columns.shape
    if rows % (kernel_h * kernel_w) or count != blocks[0] * blocks[1]:
        raise ValueError(f"data {list(data.shape)} does not hold {kernel_h}x{kernel_w} blocks "
                         f"of an image of {height}x{width} ({blocks[0]}x{blocks[1]} blocks)")
    channels = rows // (kernel_h * kernel_w)
    accumulator = np.float64 if data.dtype.kind == "f" else data.dtype
    image = np.zeros((batch, channels, height + pads_begin[0] + pads_end[0],
                      width + pads_begin[1] + pads_end[1]), dtype=accumulator)
    taps = columns.reshape(batch, channels, kernel_h, kernel_w, blocks[0], blocks[1])
    for i in range(kernel_h):
        top = i * dilations[0]
        for j in range(kernel_w):
            left = j * dilations[1]
            image[:, :, top:top + (blocks[0] - 1) * strides[0] + 1:strides[0],
                  left:left + (blocks[1] - 1) * strides[1] + 1:strides[1]] += taps[:, :, i, j]
    image = image[:, :, pads_begin[0]:pads_begin[0] + height, pads_begin[1]:pads_begin[1] + width]
    result = np.ascontiguousarray(image.astype(data.dtype))
    return result[0] if unbatched else result
