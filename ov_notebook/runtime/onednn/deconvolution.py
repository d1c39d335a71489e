"""Transposed convolution (ConvolutionBackpropData, GroupConvolutionBackpropData) on oneDNN's
deconvolution primitive.

oneDNN runs a deconvolution as the backward-data pass of a convolution; its implementation
string names both ("conv:any+jit:avx512_core"), and a ``ref`` one anywhere in it is refused as
for the other kernels. Like convolutions, the fast ones want channels-last memory: an NCHW
input is reordered (``Reorder``) and the output is an NCHW view of NHWC memory.
"""
from __future__ import annotations

import numpy as np

from . import _capi as C
from .ops import ConvolutionKernel

__all__ = ["DeconvolutionKernel"]


class DeconvolutionKernel(ConvolutionKernel):
    """A transposed convolution of [N, C_in, spatial...] with OpenVINO's ``filters``
    [C_in, C_out, k...] (grouped: [G, C_in/G, C_out/G, k...]), given to oneDNN as the
    [C_out, C_in, k...] view it reads. ``begin``/``end`` are oneDNN's paddings: the output
    spans ``(size - 1) * stride + dilated kernel - begin - end`` per axis (an ``end`` below
    zero is OpenVINO's output_padding)."""

    primitive_kind, algorithm = "deconvolution_forward", C.DECONVOLUTION_DIRECT

    def __init__(self, runtime, filters, strides, dilations):
        filters = np.asarray(filters, np.float32)
        channel_axis = 1 if filters.ndim == len(strides) + 3 else 0  # after the group axis
        super().__init__(runtime, np.swapaxes(filters, channel_axis, channel_axis + 1), None, [],
                         strides, dilations)

    def output_shape(self, x, begin, end):
        kernel = self.filters.shape[-len(self.strides):]
        out = self.filters.shape[0] * self.filters.shape[1] if self.grouped else \
            self.filters.shape[0]
        spatial = [(size - 1) * s + (k - 1) * d + 1 - b - e for size, k, s, d, b, e in zip(
            x.shape[2:], kernel, self.strides, self.dilations, begin, end)]
        return [x.shape[0], out] + spatial

    @staticmethod
    def fast(primitive) -> bool:
        """No ``ref`` implementation on either side of the "deconvolution+convolution" name."""
        return not any(part.startswith("ref") for part in primitive.implementation.split("+"))
