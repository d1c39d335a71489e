"""Scaled dot-product attention on oneDNN: ``softmax(q k^T * scale + bias) v`` as three
primitives over all heads at once:

    scores = q @ k^T             matmul; post-ops: linear (* scale), binary add of the bias
    scores = softmax(scores)     in place, over the last axis
    out    = scores @ v          matmul into ``out``'s own strides (the Transpose after it)

What the numpy kernel (``kernels/attention.py``) does in groups of heads over Python threads;
there OpenBLAS's small GEMMs (128x64x128 for BERT-base) hardly overlap. On BERT-base's
[1, 12, 128, 64] heads, quiet machine: 1 thread 0.50 ms (numpy 0.70), 2 threads 0.32 ms (0.66).
"""
from __future__ import annotations

import numpy as np

from . import _capi as C
from ._runtime import MemoryDesc, aligned_empty, create
from .ops import _Cached, _fast, _post_op_attrs, _weighted_primitive
from .simple_ops import _primitive

__all__ = ["AttentionKernel"]


class _Primitives:
    __slots__ = ("scores", "softmax", "weighted", "shape")

    def __init__(self, scores, softmax, weighted, shape):
        self.scores, self.softmax, self.weighted, self.shape = scores, softmax, weighted, shape


class AttentionKernel(_Cached):
    """The three primitives per layout of (q, k^T, v, out[, bias]) and scale."""

    def build(self, q, keys, v, out, *rest):
        *bias, scale = rest
        rt = self.runtime
        rank = q.ndim
        if rank < 3 or not keys.ndim == v.ndim == out.ndim == rank or \
                any(b.ndim != rank for b in bias):
            return None
        batch = q.shape[:-2]
        rows, columns = q.shape[-2], keys.shape[-1]
        if keys.shape[:-2] != batch or v.shape[:-2] != batch or keys.shape[-2] != q.shape[-1] \
                or v.shape[-2] != columns or out.shape != batch + (rows, v.shape[-1]):
            return None  # what numpy broadcasts and oneDNN would not: the numpy kernel runs
        shape = batch + (rows, columns)
        steps = [("eltwise", C.ELTWISE["linear"], float(scale), 0.0)] + \
            [("binary", C.BINARY["add"])] * len(bias)
        post_ops = _post_op_attrs(rt, steps, bias, rank)
        if post_ops is None:
            return None
        src, keys_md, dense = (MemoryDesc.of_array(rt, q), MemoryDesc.of_array(rt, keys),
                               MemoryDesc.of(rt, shape))
        pd = create(rt, "matmul", src.handle, keys_md.handle, None, dense.handle,
                    attr_post_ops=post_ops)
        if pd is None:
            return None
        scores, _ = _weighted_primitive(rt, pd, src, keys_md, None, dense, post_ops)
        softmax = _primitive(rt, create(rt, "softmax_forward", C.FORWARD_INFERENCE,
                                        C.SOFTMAX_ACCURATE, dense.handle, dense.handle, rank - 1),
                             (C.ARG_SRC, C.ARG_DST), (dense, dense))
        values, result = MemoryDesc.of_array(rt, v), MemoryDesc.of_array(rt, out)
        pd = create(rt, "matmul", dense.handle, values.handle, None, result.handle)
        if pd is None or softmax is None or not _fast(scores):
            return None
        weighted, _ = _weighted_primitive(rt, pd, dense, values, None, result, [])
        if not _fast(weighted):
            return None
        return _Primitives(scores, softmax, weighted, shape)

    def __call__(self, q, k, v, bias, scale, out, threads):
        """``out`` filled (and returned), or None: no primitive for these layouts, or scores
        oneDNN's softmax gets wrong (NaN, +inf: finite garbage), which numpy then computes."""
        keys = np.swapaxes(k, -1, -2)
        arrays = (q, keys, v, out) if bias is None else (q, keys, v, out, bias)
        if any(a.dtype != np.float32 or a.__class__ is not np.ndarray for a in arrays):
            return None
        found = self.primitive(threads, arrays, (float(scale),))
        if found is None:
            return None
        scores = aligned_empty(found.shape)
        self.runtime.set_threads(threads)
        found.scores.execute(q, keys, scores, *(() if bias is None else (bias,)))
        if scores.size and not scores.max() < np.inf:
            return None
        found.softmax.execute(scores, scores)
        found.weighted.execute(scores, v, out)
        return out
