"""Normalization kernels: BatchNormInference, MVN, NormalizeL2, GroupNormalization, LRN.

MVN over the last axis (LayerNorm in BERT/ViT) is the hot path: one centred buffer, the variance
from an einsum dot product (no squared temporary) and one in-place scaling.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.reduction import unique_axes
from . import kernel
from .softmax import working_dtype


def _channel_shape(ndim):
    return (1, -1) + (1,) * (ndim - 2)


def _check_channels(x, what, *per_channel):
    """Per-channel parameters must have one value per channel (axis 1 of ``x``)."""
    channels = x.shape[1] if x.ndim >= 2 else None
    sizes = [p.size for p in per_channel]
    if channels is None or any(size != channels for size in sizes):
        raise ValueError(f"{what} have {sizes} values but the data {list(x.shape)} has "
                         f"{channels} channels (axis 1)")


def _owned(x, out):
    """A float buffer of x's shape we may overwrite: ``out`` when it fits, else None (new)."""
    dtype = working_dtype(x.dtype)
    if out is not None and out.shape == x.shape and out.dtype == dtype and out.flags.writeable:
        return out
    return None


def _mean_square_last(centered):
    """Mean of squares over the last axis, keeping it, without a squared temporary."""
    return np.einsum("...i,...i->...", centered, centered)[..., None] / centered.shape[-1]


def _normalize(centered, variance, eps, inside_sqrt=True):
    """centered /= sqrt(variance + eps) (or sqrt(variance) + eps), in place."""
    eps = centered.dtype.type(eps)
    if inside_sqrt:
        variance += eps
        np.sqrt(variance, out=variance)
    else:
        np.sqrt(variance, out=variance)
        variance += eps
    centered *= np.reciprocal(variance, out=variance)
    return centered


@kernel("BatchNormInference")
def batch_norm_inference(x, gamma, beta, mean, variance, *, epsilon):
    # x * s + (beta - mean * s) with s = gamma / sqrt(variance + epsilon), per channel
    _check_channels(x, "gamma, beta, mean and variance", gamma, beta, mean, variance)
    dtype = working_dtype(x.dtype)
    scale = gamma.astype(dtype) / np.sqrt(variance.astype(dtype) + dtype.type(epsilon))
    shift = beta.astype(dtype) - mean.astype(dtype) * scale
    shape = _channel_shape(x.ndim)
    result = np.multiply(x, scale.reshape(shape), dtype=dtype)
    result += shift.reshape(shape)
    return result.astype(x.dtype, copy=False)


@kernel("MVN", inplace=True)
def mvn(x, axes, *, eps, normalize_variance=True, eps_mode="INSIDE_SQRT", out=None):
    axes = unique_axes(axes, x.ndim) if x.ndim else ()
    dtype = working_dtype(x.dtype)
    if not axes:  # every element is its own mean
        return np.zeros_like(x)
    data = x.astype(dtype, copy=False)
    centered = np.subtract(data, data.mean(axis=axes, keepdims=True), out=_owned(x, out))
    if normalize_variance:
        if axes == (x.ndim - 1,):
            variance = _mean_square_last(centered)
        else:
            variance = np.mean(np.square(centered), axis=axes, keepdims=True)
        _normalize(centered, variance, eps, eps_mode.upper() == "INSIDE_SQRT")
    return centered.astype(x.dtype, copy=False)


@kernel("NormalizeL2")
def normalize_l2(x, axes, *, eps, eps_mode="add"):
    # x / sqrt(sum(x^2) + eps) or x / sqrt(max(sum(x^2), eps)); empty axes: each element alone
    axes = unique_axes(axes, x.ndim) if x.ndim else ()
    dtype = working_dtype(x.dtype)
    data = x.astype(dtype, copy=False)
    if not axes:
        squares = np.square(data)
    elif axes == (x.ndim - 1,):
        squares = np.einsum("...i,...i->...", data, data)[..., None]
    else:
        squares = np.sum(np.square(data), axis=axes, keepdims=True)
    eps = dtype.type(eps)
    if eps_mode == "max":
        np.maximum(squares, eps, out=squares)
    else:
        squares += eps
    np.sqrt(squares, out=squares)
    return np.divide(data, squares).astype(x.dtype, copy=False)


@kernel("GroupNormalization")
def group_normalization(x, scale, bias, *, num_groups, epsilon):
    # per (batch, group): (x - mean) / sqrt(var + epsilon); then scale[c] * y + bias[c]
    _check_channels(x, "scale and bias", scale, bias)
    if x.shape[1] % num_groups:
        raise ValueError(f"{x.shape[1]} channels cannot be split into num_groups {num_groups}")
    if x.size == 0:
        return x.copy()
    dtype = working_dtype(x.dtype)
    per_group = x.size // max(x.shape[0] * num_groups, 1)
    grouped = x.astype(dtype, copy=False).reshape(x.shape[0], num_groups, per_group)
    centered = grouped - grouped.mean(axis=-1, keepdims=True)
    _normalize(centered, _mean_square_last(centered), epsilon)
    result = centered.reshape(x.shape)
    shape = _channel_shape(x.ndim)
    result *= scale.astype(dtype).reshape(shape)
    result += bias.astype(dtype).reshape(shape)
    return result.astype(x.dtype, copy=False)


def _window_sum(values, axis, size):
    """Sum over [i - (size-1)//2, i + (size-1)//2] along ``axis``, zeros outside."""
    half = (size - 1) // 2
    if half == 0:
        return values
    pad = [(0, 0)] * values.ndim
    pad[axis] = (half, half)
    padded = np.pad(values, pad)
    length = values.shape[axis]

    def window(start):
        return padded[(slice(None),) * axis + (slice(start, start + length),)]

    total = window(0).copy()
    for start in range(1, 2 * half + 1):
        total += window(start)
    return total


@kernel("LRN")
def lrn(x, axes, *, alpha=1.0, beta=0.5, bias=1.0, size=5):
    # x / (bias + alpha / size^n * window sum of x^2 over the n axes)^beta
    axes = unique_axes(axes, x.ndim) if x.ndim else ()
    dtype = working_dtype(x.dtype)
    data = x.astype(dtype, copy=False)
    sums = np.square(data)
    for axis in axes:
        sums = _window_sum(sums, axis, size)
    sums *= dtype.type(alpha / size ** len(axes))
    sums += dtype.type(bias)
    np.power(sums, dtype.type(beta), out=sums)
    return np.divide(data, sums).astype(x.dtype, copy=False)
