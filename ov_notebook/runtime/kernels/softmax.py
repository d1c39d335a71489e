"""Softmax and LogSoftmax kernels: shift by the max, exponentiate and normalize in one buffer.

Softmax over the last axis (attention scores) runs by blocks of rows, on the run's threads when
big enough: each block is shifted by its one max (a contiguous reduction, 5x cheaper than one per
short row) into an L2-sized scratch buffer, exponentiated there, summed by a matrix-vector
product and scaled into the output. A row whose max lies far below its block's (sum under TINY)
would lose its weights to underflow: such blocks are redone with row maxima.

f16 is computed in f32 (as OpenVINO's CPU plugin does at f32 inference precision) and rounded
back once; integer inputs are computed in f64.
"""
from __future__ import annotations

import math

import numpy as np

from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays
from . import kernel
from ._onednn import softmax_kernel

# e^-69: a row sum above it keeps the row's largest weight (and all within e^-18 of it) normal
TINY = 1e-30
# elements per block of rows: bigger blocks cost fewer calls, smaller ones stay in L2 (measured
# 12x197x197: 2^14 0.67 ms, 2^16 0.52, 2^18 0.46, whole 0.47)
BLOCK = 1 << 18


def working_dtype(dtype: np.dtype) -> np.dtype:
    """The float type a kernel computes ``dtype`` values in."""
    if dtype == np.float32 or dtype == np.float64:
        return dtype
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(np.float64)


def shifted(x: np.ndarray, axis: int, out=None) -> np.ndarray:
    """x - max(x, axis) in a buffer the caller owns: ``out`` when it fits, else a new one."""
    dtype = working_dtype(x.dtype)
    data = x if x.dtype == dtype else x.astype(dtype)
    if data is x:
        usable = (out is not None and out.shape == x.shape and out.dtype == dtype
                  and out.flags.writeable)
        target = out if usable else None
    else:
        target = data  # a fresh converted copy: overwrite it
    return np.subtract(data, data.max(axis=axis, keepdims=True), out=target)


def softmax_inplace(work: np.ndarray, axis: int) -> np.ndarray:
    """Softmax of a max-shifted float buffer, computed in place."""
    np.exp(work, out=work)
    total = work.sum(axis=axis, keepdims=True)
    work *= np.reciprocal(total, out=total)
    return work


def _softmax_block(rows, target):
    """Softmax over the last axis of the 2-D ``rows`` into ``target`` (which may be ``rows``:
    it is written last)."""
    scratch = np.empty(rows.shape, rows.dtype)
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as the reference gives for such rows
        np.subtract(rows, rows.max(), out=scratch)
        np.exp(scratch, out=scratch)
        total = np.matmul(scratch, np.ones((rows.shape[1], 1), rows.dtype))
        if not total.min() >= TINY:  # also NaN
            np.subtract(rows, rows.max(axis=-1, keepdims=True), out=scratch)
            np.exp(scratch, out=scratch)
            total = scratch.sum(axis=-1, keepdims=True)
    return np.multiply(scratch, np.reciprocal(total, out=total), out=target)


def _softmax_last_axis(x, out):
    dtype = working_dtype(x.dtype)
    rows = x.reshape(-1, x.shape[-1]).astype(dtype, copy=False)
    usable = out is not None and out.shape == x.shape and out.dtype == dtype and \
        out.flags.writeable and out.flags.c_contiguous
    target = out if usable else np.empty(x.shape, dtype)
    flat = target.reshape(rows.shape)
    blocks = max(1, math.ceil(x.size / BLOCK))
    threads = current_threads()
    if threads > 1 and x.size >= BLOCK and splitting_pays():
        blocks = max(blocks, 2 * threads)
    bounds = chunk_bounds(len(rows), blocks)
    parallel_for(len(bounds), lambda i: _softmax_block(rows[slice(*bounds[i])],
                                                       flat[slice(*bounds[i])]))
    return target.astype(x.dtype, copy=False)


def _prepare(log):
    def prepare(node, attrs):  # the oneDNN primitive, where the backend is oneDNN
        return dict(attrs, dnnl=softmax_kernel(node, attrs.get("axis", 1), log))
    return prepare


@kernel("Softmax", inplace=True, prepare=_prepare(log=False))
def softmax(x, *, axis=1, out=None, dnnl=None):  # exp(x - max) / sum(exp(x - max))
    if dnnl is not None and (y := dnnl(x, current_threads())) is not None:
        return y
    if x.size == 0 or x.ndim == 0:  # a scalar is its own (and only) element: 1
        return np.ones_like(x) if x.ndim == 0 else x.copy()
    if axis % x.ndim == x.ndim - 1:
        return _softmax_last_axis(x, out)
    return softmax_inplace(shifted(x, axis, out), axis).astype(x.dtype, copy=False)


@kernel("LogSoftmax", inplace=True, prepare=_prepare(log=True))
def log_softmax(x, *, axis=1, out=None, dnnl=None):  # (x - max) - log(sum(exp(x - max)))
    if dnnl is not None and (y := dnnl(x, current_threads())) is not None:
        return y
    if x.size == 0 or x.ndim == 0:
        return np.zeros_like(x) if x.ndim == 0 else x.copy()
    work = shifted(x, axis, out)
    total = np.exp(work).sum(axis=axis, keepdims=True)
    work -= np.log(total, out=total)
    return work.astype(x.dtype, copy=False)
