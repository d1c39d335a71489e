"""The squeeze-excite step (``SqueezeExciteNHWC``) on oneDNN primitives:

    mean   = global average pooling of x [N, C, H, W] (NHWC memory)       -> [N, C]
    hidden = first(mean @ w1 + b1)          matmul, bias and eltwise/binary post-ops
    scale  = second(hidden @ w2 + b2)       matmul, bias and eltwise/binary post-ops
    y      = x * scale                      binary mul, scale broadcast over H, W

Four primitives made together for one layout of x (``_Cached``), the filters reordered once
per layout into the layout each matmul picked; the vectors between them are per-thread buffers
made once. ``y`` goes into ``out`` (x's dead buffer, which oneDNN's binary may overwrite as its
own source) when the caller passes it.

All four run on the model's threads (``INFERENCE_NUM_THREADS``). They once ran on one (the
matmuls of filters of 256 KiB or more excepted), measured faster by the SE steps' own PERF_COUNT
time; that hid where the time went: the other OpenMP thread, idle for the step's 100-300 us, fell
asleep, and the convolution after each step paid its wake-up (efficientnet_b0's conv2d_4, batch 1,
2 threads: 234 us after a one-thread step, 103 after a two-thread one). Whole models at
2 threads, both variants compiled in one process and interleaved with OpenVINO, each order
measured (the engine that runs first after a pause is slowed by the pause itself, so a single
order flatters the second), ours / OpenVINO one thread -> the model's threads: efficientnet_b0
batch 1 1.25 -> 1.15 and 1.29 -> 1.23, mobilenet_v3_large 1.24 -> 1.03 and 1.23 -> 1.07,
efficientnet_b0 batch 8 1.06 -> 0.94 and 1.05 -> 0.95.
"""
from __future__ import annotations

import threading

import numpy as np

from ..parallel import current_threads
from . import _capi as C
from ._runtime import MemoryDesc, aligned_empty, create, reorder
from .ops import _Cached, _fast, _post_op_attrs, _weighted_primitive
from .simple_ops import _primitive, global_mean_primitive

__all__ = ["Pointwise", "SqueezeExciteKernel", "matrix_extras"]


class Pointwise:
    """One 1x1 convolution of the block as a matmul: ``matrix`` [C_in, C_out], ``bias``
    [C_out] or None, ``steps`` the oneDNN post-ops (``epilogue_post_ops``) after the bias,
    whose binary ones read ``extras`` (the step's extra inputs at these indices)."""

    __slots__ = ("matrix", "bias", "steps", "extras")

    def __init__(self, matrix, bias, steps, extras):
        self.matrix = np.ascontiguousarray(matrix, np.float32)
        self.bias = None if bias is None else np.ascontiguousarray(bias, np.float32).reshape(1, -1)
        self.steps, self.extras = list(steps), tuple(extras)

    def constants(self, weights):
        """The matmul's arguments between its source and destination: filters, bias."""
        return (weights,) if self.bias is None else (weights, self.bias)


class _Primitives:
    """What one layout of x runs: the four primitives, the matmuls' constant arguments
    (reordered filters, bias) and, per thread, the [rows, C], [rows, C1], [rows, C] vectors
    between them (made once: a fresh aligned buffer costs as much as a small matmul)."""

    def __init__(self, mean, first, second, multiply, first_constants, second_constants,
                 sizes, threads):
        self.mean, self.first, self.second, self.multiply = mean, first, second, multiply
        self.threads = threads
        self.constants = (first_constants, second_constants)  # kept alive for the pointers
        self.first_pointers = tuple(a.ctypes.data for a in first_constants)
        self.second_pointers = tuple(a.ctypes.data for a in second_constants)
        self.sizes = sizes
        self._local = threading.local()

    @property
    def implementation(self) -> str:
        """The four implementations' names (``_mark`` shows them in rt_info)."""
        return ", ".join(p.implementation for p in (self.mean, self.first, self.second,
                                                       self.multiply))

    def vectors(self):
        """This thread's (mean, hidden, scale) buffers as data pointers."""
        pointers = getattr(self._local, "pointers", None)
        if pointers is None:
            buffers = self._local.buffers = [aligned_empty(size) for size in self.sizes]
            pointers = self._local.pointers = tuple(b.ctypes.data for b in buffers)
        return pointers

    def run(self, runtime, x, extras, split, y):
        mean, hidden, scale = self.vectors()
        runtime.set_threads(self.threads)
        self.mean.execute(x, mean)
        self.first.execute(mean, *self.first_pointers, hidden, *extras[:split])
        self.second.execute(hidden, *self.second_pointers, scale, *extras[split:])
        self.multiply.execute(x, scale, y)
        return y


def matrix_extras(extras, rows):
    """The binary post-ops' extra inputs ([.., 1, 1, O] in NHWC) as [rows or 1, O], or None
    where one varies over H or W (no such squeeze-excite block; numpy handles it)."""
    found = []
    for extra in extras:
        extra = extra.reshape((1,) * (4 - extra.ndim) + extra.shape) if extra.ndim <= 4 else None
        if extra is None or extra.shape[1:3] != (1, 1) or extra.shape[0] not in (1, rows):
            return None
        found.append(extra.reshape(extra.shape[0], extra.shape[3]))
    return found


class SqueezeExciteKernel(_Cached):
    """``x * second(first(mean_hw(x)))`` for f32 x [N, H, W, C] in dense NHWC memory."""

    def __init__(self, runtime, first: Pointwise, second: Pointwise):
        super().__init__(runtime)
        self.first, self.second = first, second
        self.channels = first.matrix.shape[0]
        self.extras = first.extras + second.extras  # the extra inputs the post-ops read

    def _matmul(self, pointwise, rows, extras):
        """(primitive, reordered filters) of ``pointwise`` on [rows, C_in], or (None, None)."""
        rt = self.runtime
        post_ops = _post_op_attrs(rt, pointwise.steps, extras, 2)
        if post_ops is None:
            return None, None
        inputs, outputs = pointwise.matrix.shape
        src, dst = MemoryDesc.of(rt, (rows, inputs)), MemoryDesc.of(rt, (rows, outputs))
        weights = MemoryDesc.any(rt, pointwise.matrix.shape)
        bias = None if pointwise.bias is None else MemoryDesc.of(rt, pointwise.bias.shape)
        pd = create(rt, "matmul", src.handle, weights.handle, bias.handle if bias else None,
                    dst.handle, attr_post_ops=post_ops)
        if pd is None:
            return None, None
        primitive, weights = _weighted_primitive(rt, pd, src, None, bias, dst, post_ops)
        if not _fast(primitive):
            return None, None
        return primitive, reorder(rt, pointwise.matrix, weights)

    def build(self, x, *extras):
        """The primitives for NHWC ``x`` and these extra inputs ([rows, O] each), or None."""
        rt = self.runtime
        if x.ndim != 4 or x.shape[3] != self.channels or 0 in x.shape:
            return None
        rows = x.shape[0]
        threads = rt.threads()  # the model's: primitive() set them
        mean = global_mean_primitive(rt, x)
        if mean is None:
            return None
        source, vector = mean.descs
        multiply = _primitive(rt, create(rt, "binary", C.BINARY["mul"], source.handle,
                                         vector.handle, source.handle),
                              (C.ARG_SRC, C.ARG_SRC_1, C.ARG_DST), (source, vector, source))
        split = len(self.first.extras)
        first, first_weights = self._matmul(self.first, rows, extras[:split])
        second, second_weights = self._matmul(self.second, rows, extras[split:])
        if None in (mean, multiply, first, second):
            return None
        outputs = self.first.matrix.shape[1]
        return _Primitives(mean, first, second, multiply, self.first.constants(first_weights),
                           self.second.constants(second_weights),
                           ((rows, self.channels), (rows, outputs), (rows, self.channels)),
                           threads)

    def __call__(self, x, extras, out=None):
        """``x`` [N, H, W, C] scaled, into ``out`` when it is x's dead buffer; None: no oneDNN
        primitive for this case (the caller runs numpy)."""
        if x.__class__ is not np.ndarray or x.ndim != 4 or not _dense(x):
            return None
        if self.extras:
            extras = matrix_extras([extras[i] for i in self.extras], x.shape[0])
            if extras is None:
                return None
        else:
            extras = ()
        found = self.primitive(current_threads(), (x, *extras))
        if found is None:
            return None
        y = out if out is x and x.flags.writeable else aligned_empty(x.shape)
        return found.run(self.runtime, x, extras, len(self.first.extras), y)


def _dense(x) -> bool:
    """Whether ``x`` is C-contiguous f32 (a layout the primitives were made for)."""
    return x.dtype == np.float32 and x.flags.c_contiguous and x.flags.aligned
