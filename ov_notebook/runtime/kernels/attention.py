"""ScaledDotProductAttention kernel: softmax(Q K^T * scale + bias) V, heads in cache-sized groups.

The scores of all heads at once (12 x 197 x 197 floats in ViT-B: 1.8 MiB) fall out of L2 between
the half-dozen passes softmax makes over them; a group of a few heads keeps them in cache, and
groups are independent, so they are spread over the run's threads as well. Per group:

    scores = (Q * scale) K^T       scale applied to Q when it is smaller than the scores
    scores += bias                 float mask as given, boolean mask as 0 / -inf (skipped when all
                                   True), causal -inf above the diagonal
    scores = exp(scores - max)     in place
    out    = (scores V) / sum      normalized on the [L, Ev] output instead of the [L, S] scores

The output is written straight into the layout of the Transpose that reads it (found when the
plan is built; BERT and ViT transpose heads back next to each other), so that the Transpose is a
contiguous view and the Reshape after it merges the heads without a copy.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .. import onednn
from ..parallel import current_threads, parallel_for, splitting_pays, thread_budget
from . import kernel
from .softmax import working_dtype

# scores a group of heads may hold: 2^18 floats (1 MiB, L2-sized); smaller groups only add calls
GROUP_SCORES = 1 << 18
# e^-69: a row total above it keeps its largest weight (and all within e^-18 of it) normal
TINY = 1e-30
# below this many multiply-adds per call, handing groups to helper threads costs more than it saves
MIN_PARALLEL_MACS = 1 << 21


# --- compile time: the layout the consumer wants --------------------------------------------------
def _only_consumer(output):
    targets = output.get_target_inputs()
    return next(iter(targets)).get_node() if len(targets) == 1 else None


def _transpose_order(node, rank):
    """The constant permutation of a Transpose ``node`` of a rank-``rank`` tensor, else None."""
    if node is None or node.get_type_name() != "Transpose":
        return None
    order = node.input_value(1).get_node()
    if order.get_type_name() != "Constant":
        return None
    order = [int(axis) % rank for axis in np.asarray(order.get_value()).reshape(-1)] or \
        list(range(rank))[::-1]
    return tuple(order) if sorted(order) == list(range(rank)) else None


def _prepare(node, attrs):
    """Find the Transpose that reads the output (directly or through the Select of fully masked
    rows, which keeps its input's memory order) and write the output in its order."""
    shape = node.get_output_partial_shape(0)
    if shape.rank_is_static:
        consumer = _only_consumer(node.output(0))
        if consumer is not None and consumer.get_type_name() == "Select":
            consumer = _only_consumer(consumer.output(0))
        order = _transpose_order(consumer, len(shape))
        if order is not None and order != tuple(range(len(shape))):
            attrs = dict(attrs, output_order=order)
    context = onednn.current()
    # the scale becomes a post-op of the primitives: a constant one (or none) only, so that one
    # layout keeps one set of primitives
    if context is not None and node.get_output_element_type(0).get_type_name() == "f32" and (
            node.get_input_size() < 5 or
            node.input_value(4).get_node().get_type_name() == "Constant"):
        attrs = dict(attrs, dnnl=_onednn_kernel(context[0]))
        _create_primitives(node, attrs, context[1])
    return attrs


def _create_primitives(node, attrs, threads):
    """For static shapes, run the kernel once on zeros at compile time so that its oneDNN
    primitives exist before the first inference (as the convolutions' and MatMuls' do): the
    dense copies of q, k, v it makes and an ``out`` laid out as ``output_order`` give the layouts
    the run will have; a mask, one of each kind (a boolean all-True one has no bias)."""
    shapes = [node.get_input_partial_shape(i) for i in range(node.get_input_size())]
    if not all(shape.is_static for shape in shapes):
        return
    arguments = [np.zeros(shapes[i].to_shape(), np.float32) for i in range(3)]
    masks = [()]
    if len(shapes) > 3:
        mask_type = node.get_input_element_type(3).get_type_name()
        shape = shapes[3].to_shape()
        masks = [(np.zeros(shape, bool),), (np.ones(shape, bool),)] if mask_type == "boolean" \
            else [(np.zeros(shape, np.float32),)] if mask_type == "f32" else []
    scale = () if len(shapes) < 5 else (node.input_value(4).get_node().get_value(),)
    attributes = {key: value for key, value in attrs.items()
                  if key in ("causal", "output_order", "dnnl")}
    with thread_budget(threads):
        for mask in masks:
            scaled_dot_product_attention(*arguments, *mask, *scale, **attributes)


@functools.cache
def _onednn_kernel(runtime):
    """One AttentionKernel per oneDNN runtime: its primitives are keyed by layouts and scale,
    so the steps of every model share them (BERT-base's 12 steps one set, not 12)."""
    from ..onednn.attention import AttentionKernel

    return AttentionKernel(runtime)


# --- run time ---------------------------------------------------------------------------------
def _bias(mask, causal, rows, columns, dtype):
    """The additive bias of the scores (None: nothing to add)."""
    if causal:  # j > i may not be seen; the mask is ignored
        return np.triu(np.full((rows, columns), -np.inf, dtype), k=1)
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        if mask.all():  # BERT's padding mask of a full batch
            return None
        return np.where(mask, dtype.type(0), dtype.type(-np.inf))
    return mask.astype(dtype, copy=False)


def _output(shape, dtype, order):
    """A fresh array of logical ``shape`` whose memory is laid out in ``order``."""
    if order is None or len(order) != len(shape):
        return np.empty(shape, dtype)
    storage = np.empty([shape[axis] for axis in order], dtype)
    return storage.transpose(np.argsort(order))


def _groups(batch, rows, columns):
    """(index prefix, first, last) of groups of heads along the last batch axis."""
    heads = batch[-1]
    size = max(1, min(heads, GROUP_SCORES // max(rows * columns, 1)))
    threads = current_threads()
    if threads > 1 and math.prod(batch) < 2 * threads * size:  # every thread gets two groups
        size = max(1, math.ceil(math.prod(batch) / (2 * threads)))
        size = min(size, heads)
    return [(prefix, start, min(start + size, heads)) for prefix in np.ndindex(*batch[:-1])
            for start in range(0, heads, size)]


def _scores(q, k, bias, scale):
    """q k^T * scale + bias for one group of heads, in a fresh [g, L, S] array."""
    if q.shape[-1] <= k.shape[-2]:  # scale the smaller of Q [L, E] and the scores [L, S]
        scores = np.matmul(q * scale, np.swapaxes(k, -1, -2))
    else:
        scores = np.matmul(q, np.swapaxes(k, -1, -2))
        scores *= scale
    if bias is not None:
        scores += bias
    return scores


def _attend(q, k, v, bias, scale, out):
    """One group of heads: ``out`` [g, L, Ev] = softmax(q k^T * scale + bias) v.

    The max subtracted before exp is taken per head, not per row: one contiguous reduction
    instead of one per short row (5x cheaper). A row whose own max lies far below its head's
    (total < TINY) loses nothing but weights under e^-18 of its largest, unless it underflowed
    altogether: such groups are redone with row maxima (fully masked rows give NaN, as
    OpenVINO's)."""
    weights = _scores(q, k, bias, scale)
    weights -= weights.max(axis=(-2, -1), keepdims=True)
    np.exp(weights, out=weights)
    # a matrix-vector product sums the rows at BLAS speed (4x numpy's short-row sum)
    total = np.matmul(weights, np.ones((weights.shape[-1], 1), weights.dtype))
    if total.size and not total.min() >= TINY:
        weights = _scores(q, k, bias, scale)
        weights -= weights.max(axis=-1, keepdims=True)
        np.exp(weights, out=weights)
        total = weights.sum(axis=-1, keepdims=True)
    np.matmul(weights, v, out=out)
    out *= np.reciprocal(total, out=total)  # normalize [L, Ev] rather than the [L, S] weights


@kernel("ScaledDotProductAttention", prepare=_prepare)
def scaled_dot_product_attention(query, key, value, attention_mask=None, scale=None, *,
                                 causal=False, output_order=None, dnnl=None):
    # softmax(Q K^T * scale + bias) V, bias from the causal or the given mask
    result_dtype, dtype = query.dtype, working_dtype(query.dtype)
    query, key, value = (a.astype(dtype, copy=False) for a in (query, key, value))
    scale = dtype.type(1 / math.sqrt(query.shape[-1]) if scale is None else
                       np.asarray(scale).reshape(()))
    bias = _bias(attention_mask, causal, query.shape[-2], key.shape[-2], dtype)
    bias_shape = () if bias is None else bias.shape
    batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2],
                                bias_shape[:-2])
    rows = np.broadcast_shapes(query.shape[-2:-1], bias_shape[-2:-1])[0]  # a mask may widen L
    out = _output(batch + (rows, value.shape[-1]), dtype,
                  output_order if dtype == result_dtype else None)
    # oneDNN: q, k, v of one batch shape (its matmuls broadcast less than numpy), any bias
    if dnnl is not None and dtype == result_dtype and rows == query.shape[-2] and \
            query.shape[:-2] == key.shape[:-2] == value.shape[:-2] == batch and \
            (bias is None or bias.ndim <= query.ndim):
        found = dnnl(query, key, value, None if bias is None else
                     bias.reshape((1,) * (query.ndim - bias.ndim) + bias.shape), scale, out,
                     current_threads())
        if found is not None:
            return found
    query = np.broadcast_to(query, batch + (rows, query.shape[-1]))
    key = np.broadcast_to(key, batch + key.shape[-2:])
    value = np.broadcast_to(value, batch + value.shape[-2:])
    if bias is not None:
        bias = np.broadcast_to(bias, batch + (rows, key.shape[-2]))
    groups = _groups(batch, rows, key.shape[-2])

    def run_group(index):
        prefix, start, stop = groups[index]
        part = prefix + (slice(start, stop),)
        _attend(query[part], key[part], value[part], None if bias is None else bias[part], scale,
                out[part])

    macs = math.prod(batch) * rows * key.shape[-2] * (query.shape[-1] + value.shape[-1])
    if len(groups) > 1 and macs >= MIN_PARALLEL_MACS and splitting_pays():
        parallel_for(len(groups), run_group)
    else:
        for index in range(len(groups)):
            run_group(index)
    return out.astype(result_dtype, copy=False)
