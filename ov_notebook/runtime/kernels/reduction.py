"""Reduction kernels (ReduceSum/Mean/Max/Min/Prod/L1/L2/LogicalAnd/LogicalOr).

Results have exactly the input's dtype. f16 accumulates in f32; integer means and L2 norms are
computed in f64 and truncated toward zero, as OpenVINO's CPU plugin does.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.reduction import unique_axes
from . import kernel


def _accumulator(dtype):
    return np.float32 if dtype == np.float16 else dtype


def _sum(x, axes, keep):
    return np.sum(x, axis=axes, keepdims=keep, dtype=_accumulator(x.dtype))


def _mean(x, axes, keep):
    if x.dtype.kind in "iu":
        return np.trunc(np.mean(x, axis=axes, keepdims=keep, dtype=np.float64))
    return np.mean(x, axis=axes, keepdims=keep, dtype=_accumulator(x.dtype))


def _l1(x, axes, keep):
    return _sum(np.abs(x), axes, keep)


def _l2(x, axes, keep):
    if x.dtype.kind in "iu":
        wide = x.astype(np.float64)
        return np.trunc(np.sqrt(np.sum(wide * wide, axis=axes, keepdims=keep)))
    wide = x.astype(np.float32) if x.dtype == np.float16 else x
    return np.sqrt(np.sum(np.square(wide), axis=axes, keepdims=keep))


_FUNCTIONS = {
    "ReduceSum": _sum,
    "ReduceMean": _mean,
    "ReduceMax": lambda x, axes, keep: np.max(x, axis=axes, keepdims=keep),
    "ReduceMin": lambda x, axes, keep: np.min(x, axis=axes, keepdims=keep),
    "ReduceProd": lambda x, axes, keep: np.prod(x, axis=axes, keepdims=keep,
                                                dtype=_accumulator(x.dtype)),
    "ReduceL1": _l1,
    "ReduceL2": _l2,
    "ReduceLogicalAnd": lambda x, axes, keep: np.all(x, axis=axes, keepdims=keep),
    "ReduceLogicalOr": lambda x, axes, keep: np.any(x, axis=axes, keepdims=keep),
}


_NO_IDENTITY = ("ReduceMax", "ReduceMin")


def _reduction(type_name, function):
    @kernel(type_name)
    def run(x, axes, *, keep_dims=False):
        axes = unique_axes(axes, x.ndim) if x.ndim else ()
        if not axes:  # nothing to reduce (empty axes or a scalar): the data itself
            return x.copy()
        if type_name in _NO_IDENTITY and any(x.shape[a] == 0 for a in axes):
            raise ValueError(f"{type_name} over axes {list(axes)} of the empty data "
                             f"{list(x.shape)} has no value (a maximum or minimum of nothing)")
        return np.asarray(function(x, axes, keep_dims)).astype(x.dtype, copy=False)

    run.__name__ = type_name.lower()
    return run


for _name, _function in _FUNCTIONS.items():
    _reduction(_name, _function)
del _name, _function
