"""Normalization kernels: BatchNormInference, MVN, NormalizeL2, GroupNormalization, LRN.

MVN over the last axis (LayerNorm in BERT/ViT) is the hot path: rows of the data in blocks spread
over the run's threads, each block centred in the output buffer with its means from one
matrix-vector product (4x numpy's per-row mean), the variance from an einsum dot product (no
squared temporary) and one in-place scaling. ``FusedMVN`` (the layer-norm fusion pass: MVN then
gamma, beta, residual... as an epilogue) runs its epilogue on each block while it is in cache.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.reduction import unique_axes
from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays
from . import kernel
from ._epilogue import PARALLEL_CHUNK, apply_epilogue, parse_post_ops
from ._onednn import layer_norm_kernel
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


def _normalize_rows(x, out, eps, inside_sqrt):
    """MVN over the last axis of the 2-D ``x`` into ``out`` (which may be ``x``)."""
    columns = x.shape[-1]
    mean = np.matmul(x, np.full((columns, 1), 1 / columns, x.dtype))
    np.subtract(x, mean, out=out)
    variance = np.einsum("ij,ij->i", out, out)[:, None]
    variance /= x.dtype.type(columns)
    return _normalize(out, variance, eps, inside_sqrt)


def _as_rows(extra, shape):
    """An epilogue input as [rows or 1, columns]: a per-column vector (gamma, beta) stays one row
    that numpy broadcasts (cheaper than a zero-stride matrix); others are broadcast to the data."""
    if extra.size == (extra.shape[-1] if extra.ndim else 1):
        return extra.reshape(1, -1)
    return np.broadcast_to(extra, shape).reshape(-1, shape[-1])


def _layer_norm(x, out, eps, inside_sqrt, program=(), extras=()):
    """MVN over the last axis then the epilogue ``program``, by blocks of rows on the run's
    threads when the data is big enough for that to pay."""
    dtype = working_dtype(x.dtype)
    rows = x.reshape(-1, x.shape[-1]).astype(dtype, copy=False)
    target = out if out is not None and out.flags.c_contiguous else np.empty(x.shape, dtype)
    flat = target.reshape(rows.shape)
    extras = [_as_rows(e, x.shape) for e in extras]
    threads = current_threads()
    chunks = 1
    if threads > 1 and x.size >= 2 * PARALLEL_CHUNK and len(rows) > 1 and splitting_pays():
        chunks = min(4 * threads, max(threads, x.size // PARALLEL_CHUNK))
    bounds = chunk_bounds(len(rows), chunks)

    def run_chunk(index):
        part = slice(*bounds[index])
        _normalize_rows(rows[part], flat[part], eps, inside_sqrt)
        apply_epilogue(flat[part], program, [e if len(e) == 1 else e[part] for e in extras])

    parallel_for(len(bounds), run_chunk)
    return target.astype(x.dtype, copy=False)


def _last_axis_only(x, axes, normalize_variance):
    return normalize_variance and x.ndim >= 1 and x.size and axes == (x.ndim - 1,)


def _prepare_mvn(node, attrs):
    """MVN over the last axis only (a LayerNorm whose gamma and beta passes folded into the
    MatMuls after it, as in BERT) runs on oneDNN's layer normalization where compiled for it."""
    axes = node.input_value(1).get_node() if node.get_input_size() > 1 else None
    rank = node.get_input_partial_shape(0).rank
    if axes is None or axes.get_type_name() != "Constant" or not rank.is_static or \
            not attrs.get("normalize_variance", True):
        return attrs
    if unique_axes(axes.get_value(), rank.get_length()) != (rank.get_length() - 1,):
        return attrs
    dnnl, _ = layer_norm_kernel(node, "", attrs["eps"], attrs.get("eps_mode", "INSIDE_SQRT"))
    return attrs if dnnl is None else dict(attrs, dnnl=dnnl)


@kernel("MVN", inplace=True, prepare=_prepare_mvn)
def mvn(x, axes, *, eps, normalize_variance=True, eps_mode="INSIDE_SQRT", out=None, dnnl=None):
    if dnnl is not None:  # the oneDNN layer normalization (None back: no fast primitive)
        y = dnnl(x, current_threads())
        if y is not None:
            return y
    axes = unique_axes(axes, x.ndim) if x.ndim else ()
    dtype = working_dtype(x.dtype)
    if not axes:  # every element is its own mean
        return np.zeros_like(x)
    inside_sqrt = eps_mode.upper() == "INSIDE_SQRT"
    if _last_axis_only(x, axes, normalize_variance):  # LayerNorm
        return _layer_norm(x, _owned(x, out), eps, inside_sqrt)
    data = x.astype(dtype, copy=False)
    centered = np.subtract(data, data.mean(axis=axes, keepdims=True), out=_owned(x, out))
    if normalize_variance:
        variance = np.mean(np.square(centered), axis=axes, keepdims=True)
        _normalize(centered, variance, eps, inside_sqrt)
    return centered.astype(x.dtype, copy=False)


def _prepare_fused_mvn(node, attrs):
    dnnl, applied = layer_norm_kernel(node, attrs["post_ops"], attrs["eps"],
                                      attrs.get("eps_mode", "INSIDE_SQRT"))
    return dict(attrs, post_ops=parse_post_ops(attrs["post_ops"]), dnnl=dnnl, dnnl_steps=applied)


@kernel("FusedMVN", prepare=_prepare_fused_mvn)
def fused_mvn(x, axes, *extras, eps, normalize_variance=True, eps_mode="INSIDE_SQRT",
              post_ops=(), dnnl=None, dnnl_steps=0):
    """MVN then an in-place epilogue (runtime/passes/layer_norm.py): LayerNorm's gamma and beta,
    and whatever else joined them. ``dnnl``: the oneDNN layer normalization, which applies the
    first ``dnnl_steps`` (gamma, beta) itself."""
    program = parse_post_ops(post_ops) if isinstance(post_ops, str) else post_ops
    if dnnl is not None:
        y = dnnl(x, current_threads())
        if y is not None:
            return apply_epilogue(y, program[dnnl_steps:], extras[dnnl_steps:])
    axes = unique_axes(axes, x.ndim) if x.ndim else ()
    inside_sqrt = eps_mode.upper() == "INSIDE_SQRT"
    if _last_axis_only(x, axes, normalize_variance) and all(
            e.ndim <= x.ndim and np.broadcast_shapes(e.shape, x.shape) == x.shape for e in extras):
        return _layer_norm(x, None, eps, inside_sqrt, program, extras)
    return apply_epilogue(mvn(x, axes, eps=eps, normalize_variance=normalize_variance,
                              eps_mode=eps_mode), program, extras)


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
