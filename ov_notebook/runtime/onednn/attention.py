"""Scaled dot-product attention on oneDNN: ``softmax(q k^T * scale + bias) v`` as three
primitives over a group of heads (``CHUNK_SCORES``), each on the model's threads:

    scores = q @ k^T             matmul; post-ops: linear (* scale), binary add of the bias
    scores = softmax(scores)     in place, over the last axis
    out    = scores @ v          matmul into ``out``'s own strides (the Transpose after it)

What the numpy kernel (``kernels/attention.py``) does in groups of heads over Python threads;
there OpenBLAS's small GEMMs (128x64x128 for BERT-base) hardly overlap. On BERT-base's
[1, 12, 128, 64] heads, quiet machine: 1 thread 0.50 ms (numpy 0.70), 2 threads 0.32 ms (0.66).
"""
from __future__ import annotations

import math

import numpy as np

from . import _capi as C
from ._runtime import MemoryDesc, aligned_empty, create
from .ops import _Cached, _fast, _post_op_attrs, _weighted_primitive
from .simple_ops import _primitive

__all__ = ["AttentionKernel", "CHUNK_SCORES"]

# floats one group of heads holds (scores, dense copies of q, k, v): 2^18 (1 MiB), the numpy
# kernel's GROUP_SCORES
CHUNK_SCORES = 1 << 18


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
        if softmax is None or not _fast(scores):
            return None
        pd = create(rt, "matmul", dense.handle, values.handle, None, result.handle)
        if pd is None:
            return None
        weighted, _ = _weighted_primitive(rt, pd, dense, values, None, result, [])
        if not _fast(weighted):
            return None
        return _Primitives(scores, softmax, weighted, shape)

    def __call__(self, q, k, v, bias, scale, out, threads):
        """``out`` filled (and returned), or None: no primitive for these layouts, or scores
        oneDNN's softmax gets wrong (NaN, +inf: finite garbage), which numpy then computes.
        Heads go through in groups of at most ``CHUNK_SCORES`` floats of scores and copies, so
        that they take no more memory than the numpy kernel's groups."""
        keys = np.swapaxes(k, -1, -2)
        arrays = (q, keys, v, out) if bias is None else (q, keys, v, out, bias)
        if any(a.dtype != np.float32 or a.__class__ is not np.ndarray for a in arrays):
            return None
        geometry = (float(scale),)
        # per head: its scores and copies of its q, k, v (counted even where _dense makes none,
        # so that the groups, and their primitives, are the same for every layout of q, k, v)
        heads = q.shape[-3]
        per_head = q.shape[-2] * keys.shape[-1] + sum(a.shape[-2] * a.shape[-1] for a in (q, k, v))
        count = max(1, min(heads, CHUNK_SCORES // max(per_head, 1)))
        if count == heads and math.prod(q.shape[:-3]) == 1:
            parts = [arrays]
        else:
            parts = [tuple(a[_part(a, index, start, count)] for a in arrays)
                     for index in np.ndindex(*q.shape[:-3]) for start in range(0, heads, count)]
        buffer = None
        for part in parts:  # (a smaller last group of heads has primitives of its own)
            part = _dense(part)
            primitives = self.primitive(threads, part, geometry)
            if primitives is None:
                return None
            if buffer is None:
                buffer = aligned_empty((math.prod(primitives.shape),))
                self.runtime.set_threads(threads)
            scores = buffer[:math.prod(primitives.shape)].reshape(primitives.shape)
            primitives.scores.execute(part[0], part[1], scores, *part[4:])
            if scores.size and not scores.max() < np.inf:
                return None
            primitives.softmax.execute(scores, scores)
            primitives.weighted.execute(scores, part[2], part[3])
        return out


def _dense(part):
    """q, k^T, v of a group of heads copied where their rows are not contiguous: BERT's and
    ViT's heads are strided views of the projections' [L, heads * E] outputs, on which oneDNN
    3.2 has only its jit GEMM (1.2x slower than its brgemm on them, and 12 MiB of buffers)."""
    q, keys, v = part[:3]
    if not q.flags.c_contiguous:
        q = np.ascontiguousarray(q)
    if not np.swapaxes(keys, -1, -2).flags.c_contiguous:
        keys = np.swapaxes(np.ascontiguousarray(np.swapaxes(keys, -1, -2)), -1, -2)
    if not v.flags.c_contiguous:
        v = np.ascontiguousarray(v)
    return (q, keys, v) + part[3:]


def _part(array, index, start, count):
    """The index of heads ``start`` to ``start + count`` at the leading ``index`` in ``array``
    (rank kept; axes ``array`` broadcasts, of size 1, taken whole)."""
    lead = tuple(slice(0, 1) if size == 1 else slice(i, i + 1)
                 for i, size in zip(index, array.shape))
    heads = slice(0, 1) if array.shape[-3] == 1 else slice(start, start + count)
    return lead + (heads,)
