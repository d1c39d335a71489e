"""oneDNN kernels of the memory-bound operations: softmax, layer normalization, pooling.

Like the kernels of ``ops.py``: made at compile time, called with the step's arrays, primitives
cached by input layout and thread count, None back when oneDNN has no fast implementation.
"""
from __future__ import annotations

import numpy as np

from . import _capi as C
from ._runtime import MemoryDesc, Primitive, aligned_empty, create
from .ops import _Cached, _fast

__all__ = ["SoftmaxKernel", "LayerNormKernel", "PoolingKernel", "global_mean_primitive"]


def _primitive(runtime, pd, arguments, descs):
    if pd is None:
        return None
    try:
        primitive = Primitive(runtime, pd, arguments, descs)
    finally:
        runtime.lib.dnnl_primitive_desc_destroy(pd)
    return primitive if _fast(primitive) else None


def global_mean_primitive(runtime, x):
    """Average pooling of NHWC ``x`` [N, H, W, C] over H and W into [N, C, 1, 1] with x's
    channels-last strides (the [N, 1, 1, C] memory the squeeze-excite step and the global
    pooling step want; oneDNN's pooling has no jit kernel from NHWC into another layout, and its
    reduction none over H, W of NHWC memory), on the calling thread's OpenMP thread count; its
    ``descs`` are (x's, the vector's). None where oneDNN has no fast implementation."""
    batch, height, width, channels = x.shape
    source = MemoryDesc.of_array(runtime, x.transpose(0, 3, 1, 2))
    vector = MemoryDesc.of(runtime, (batch, channels, 1, 1), (channels, 1, channels, channels))
    return _primitive(runtime, create(
        runtime, "pooling_forward", C.FORWARD_INFERENCE, C.POOLING_AVG_EXCLUDE_PADDING,
        source.handle, vector.handle, C.dims((1, 1)), C.dims((height, width)), C.dims((0, 0)),
        C.dims((0, 0)), C.dims((0, 0))), (C.ARG_SRC, C.ARG_DST), (source, vector))


class SoftmaxKernel(_Cached):
    """Softmax (``log=True``: LogSoftmax) over ``axis`` of an f32 tensor."""

    def __init__(self, runtime, axis, log=False):
        super().__init__(runtime)
        self.axis = axis
        self.algorithm = C.SOFTMAX_LOG if log else C.SOFTMAX_ACCURATE

    def build(self, x):
        if x.ndim == 0 or x.size == 0:
            return None
        rt = self.runtime
        src, dst = MemoryDesc.of_array(rt, x), MemoryDesc.of(rt, x.shape)
        pd = create(rt, "softmax_forward", C.FORWARD_INFERENCE, self.algorithm, src.handle,
                    dst.handle, self.axis % x.ndim)
        return _primitive(rt, pd, (C.ARG_SRC, C.ARG_DST), (src, dst))

    def __call__(self, x, threads):
        # oneDNN's softmax gives finite garbage for NaN and +inf inputs (-inf, masks, is
        # right): those take the numpy kernel, as torch and OpenVINO's reference
        if x.size and not x.max() < np.inf:
            return None
        primitive = self.primitive(threads, (x,))
        if primitive is None:
            return None
        y = aligned_empty(x.shape)
        self.runtime.set_threads(threads)
        primitive.execute(x, y)
        return y


class LayerNormKernel(_Cached):
    """Normalization over the last axis, ``(x - mean) / sqrt(var + eps) * scale + shift``
    (scale and shift optional, [C] vectors)."""

    def __init__(self, runtime, eps, scale=None, shift=None):
        super().__init__(runtime)
        self.eps = float(eps)
        self.scale = None if scale is None else np.ascontiguousarray(scale, np.float32)
        self.shift = None if shift is None else np.ascontiguousarray(shift, np.float32)

    def build(self, x):
        if x.ndim < 2 or x.size == 0:
            return None
        rt = self.runtime
        src, dst = MemoryDesc.of_array(rt, x), MemoryDesc.of(rt, x.shape)
        flags = (C.USE_SCALE if self.scale is not None else 0) | \
            (C.USE_SHIFT if self.shift is not None else 0)
        pd = create(rt, "layer_normalization_forward", C.FORWARD_INFERENCE, src.handle,
                    dst.handle, None, self.eps, flags)
        arguments, descs = [C.ARG_SRC, C.ARG_DST], [src, dst]
        for argument, vector in ((C.ARG_SCALE, self.scale), (C.ARG_SHIFT, self.shift)):
            if vector is not None:
                arguments.append(argument)
                descs.append(MemoryDesc.of(rt, vector.shape))
        return _primitive(rt, pd, arguments, descs)

    def __call__(self, x, threads):
        primitive = self.primitive(threads, (x,))
        if primitive is None:
            return None
        y = aligned_empty(x.shape)
        self.runtime.set_threads(threads)
        primitive.execute(x, y, *[v for v in (self.scale, self.shift) if v is not None])
        return y


class PoolingKernel(_Cached):
    """Max or average pooling of [N, C, spatial...] (any memory layout; the output takes the
    input's: channels-last stays channels-last). ``average``: None for max pooling, else
    whether padding is excluded from the divisor."""

    def __init__(self, runtime, kernel_shape, strides, dilations, average=None):
        super().__init__(runtime)
        self.kernel_shape, self.strides = list(kernel_shape), list(strides)
        self.dilations = [d - 1 for d in dilations]
        self.algorithm = C.POOLING_MAX if average is None else \
            C.POOLING_AVG_EXCLUDE_PADDING if average else C.POOLING_AVG_INCLUDE_PADDING
        self.geometry = {}  # input shape -> (pads_begin, pads_end, output shape): caller's

    def _output(self, x, shape):
        from .ops import channels_last_empty, is_channels_last

        return channels_last_empty(shape) if x.ndim >= 3 and is_channels_last(x) and \
            not x.flags.c_contiguous else aligned_empty(shape)

    def build(self, x, begin, end, shape):
        rt = self.runtime
        src, dst = MemoryDesc.of_array(rt, x), MemoryDesc.of_array(rt, self._output(x, shape))
        pd = create(rt, "pooling_forward", C.FORWARD_INFERENCE, self.algorithm, src.handle,
                    dst.handle, C.dims(self.strides), C.dims(self.kernel_shape),
                    C.dims(self.dilations), C.dims(begin), C.dims(end))
        return _primitive(rt, pd, (C.ARG_SRC, C.ARG_DST), (src, dst))

    def __call__(self, x, threads, begin, end, shape):
        if self.algorithm == C.POOLING_MAX and x.size and np.isnan(x.max()):
            return None  # oneDNN's max pooling skips NaN; OpenVINO and torch propagate it
        primitive = self.primitive(threads, (x,), (begin, end, shape))
        if primitive is None:
            return None
        y = self._output(x, shape)
        self.runtime.set_threads(threads)
        primitive.execute(x, y)
        return y
