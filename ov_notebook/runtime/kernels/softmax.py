"""Softmax and LogSoftmax kernels: shift by the max, exponentiate and normalize in one buffer.

f16 is computed in f32 (as OpenVINO's CPU plugin does at f32 inference precision) and rounded
back once; integer inputs are computed in f64.
"""
from __future__ import annotations

import numpy as np

from . import kernel


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


@kernel("Softmax", inplace=True)
def softmax(x, *, axis=1, out=None):  # exp(x - max) / sum(exp(x - max))
    if x.size == 0 or x.ndim == 0:  # a scalar is its own (and only) element: 1
        return np.ones_like(x) if x.ndim == 0 else x.copy()
    return softmax_inplace(shifted(x, axis, out), axis).astype(x.dtype, copy=False)


@kernel("LogSoftmax", inplace=True)
def log_softmax(x, *, axis=1, out=None):  # (x - max) - log(sum(exp(x - max)))
    if x.size == 0 or x.ndim == 0:
        return np.zeros_like(x) if x.ndim == 0 else x.copy()
    work = shifted(x, axis, out)
    total = np.exp(work).sum(axis=axis, keepdims=True)
    work -= np.log(total, out=total)
    return work.astype(x.dtype, copy=False)
