"""im2col (``F.unfold``), composed as OpenVINO's frontend composes it (Pad, two Gathers of block
indices, Transpose, Reshape), and col2im (``F.fold``) -> Col2Im-15."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ..registry import translator
from ._common import as_list, i64, out, rank_of, shape_of


def _pairs(ctx, *names):
    """The ``int[2]`` arguments 1.. of im2col/col2im, as lists of two ints."""
    values = []
    for offset, name in enumerate(names, start=1):
        value = as_list(ctx.arg(offset, name))
        value = value * 2 if len(value) == 1 else value
        if len(value) != 2:
            ctx.fail(f"{name} must hold 2 values (height, width), got {value}")
        values.append(value)
    return values


def _block_indices(size, kernel, dilation, padding, stride):
    """[kernel, blocks]: the padded-input index of each tap of each block along one axis."""
    extent = ops.subtract(ops.add(size, i64(2 * padding)), i64(dilation * (kernel - 1)))
    starts = ops.unsqueeze(ops.range(i64(0), extent, i64(stride), "i64"), i64(0))
    taps = i64(np.arange(kernel)[:, None] * dilation)
    return out(ops.add(starts, taps))


@translator("aten.im2col", "aten::im2col")
def im2col(ctx):
    # aten::im2col(Tensor self, int[2] kernel_size, int[2] dilation, int[2] padding,
    #   int[2] stride) -> Tensor
    data = ctx.input(0, "self")
    if rank_of(data) not in (3, 4):
        ctx.fail(f"input must be [N, C, H, W] or [C, H, W], got rank {rank_of(data)}")
    unbatched = rank_of(data) == 3
    if unbatched:
        data = out(ops.unsqueeze(data, i64(0)))
    kernel, dilation, padding, stride = _pairs(ctx, "kernel_size", "dilation", "padding", "stride")
    shape = shape_of(data)
    sizes = [out(ops.gather(shape, i64(axis), i64(0))) for axis in (2, 3)]
    rows, columns = (_block_indices(sizes[a], kernel[a], dilation[a], padding[a], stride[a])
                     for a in range(2))
    pads = i64([0, 0, padding[0], padding[1]])
    padded = ops.pad(data, pads, pads, "constant", ops.convert_like(ops.constant(0), data))
    blocks = ops.gather(ops.gather(padded, rows, i64(2)), columns, i64(4))  # [N, C, KH, OH, KW, OW]
    blocks = ops.transpose(blocks, i64([0, 1, 2, 4, 3, 5]))
    channels = ops.multiply(ops.gather(shape, i64([1]), i64(0)), i64([kernel[0] * kernel[1]]))
    target = ops.concat([ops.gather(shape, i64([0]), i64(0)), channels, i64([-1])], 0)
    result = out(ops.reshape(blocks, target, False))
    return out(ops.squeeze(result, i64([0]))) if unbatched else result


@translator("aten.col2im", "aten::col2im")
def col2im(ctx):
    # aten::col2im(Tensor self, SymInt[2] output_size, int[2] kernel_size, int[2] dilation,
    #   int[2] padding, int[2] stride) -> Tensor
    data = ctx.input(0, "self")
    size, kernel, dilation, padding, stride = _pairs(
        ctx, "output_size", "kernel_size", "dilation", "padding", "stride")
    return out(ops.col2im(data, i64(size), i64(kernel), stride, dilation, padding, padding))
