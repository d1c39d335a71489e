"""ScaledDotProductAttention kernel: one batched matmul for Q K^T, scale, mask and softmax in
place on the scores, one batched matmul with V."""
from __future__ import annotations

import numpy as np

from . import kernel
from .softmax import softmax_inplace, working_dtype


def _causal_mask(rows, columns):
    """True above the diagonal (j > i): the positions a causal query may not see."""
    return np.triu(np.ones((rows, columns), dtype=bool), k=1)


def _apply_mask(scores, mask):
    """scores + mask (float) or scores where mask else -inf (boolean), in place when the mask
    does not widen the scores' shape."""
    widened = np.broadcast_shapes(scores.shape, mask.shape) != scores.shape
    if mask.dtype == np.bool_:
        if widened:
            return np.where(mask, scores, scores.dtype.type(-np.inf))
        np.copyto(scores, scores.dtype.type(-np.inf), where=~mask)
        return scores
    mask = mask.astype(scores.dtype, copy=False)
    return scores + mask if widened else np.add(scores, mask, out=scores)


@kernel("ScaledDotProductAttention")
def scaled_dot_product_attention(query, key, value, attention_mask=None, scale=None, *,
                                 causal=False):
    # softmax(Q K^T * scale + bias) V, bias from the causal or the given mask
    result_dtype, dtype = query.dtype, working_dtype(query.dtype)
    query, key, value = (a.astype(dtype, copy=False) for a in (query, key, value))
    if scale is None:
        scale = dtype.type(1) / np.sqrt(dtype.type(query.shape[-1]))
    scores = np.matmul(query, np.swapaxes(key, -1, -2))
    scores *= np.asarray(scale).reshape(()).astype(dtype)
    if causal:
        np.copyto(scores, dtype.type(-np.inf), where=_causal_mask(*scores.shape[-2:]))
    elif attention_mask is not None:
        scores = _apply_mask(scores, attention_mask)
    scores -= scores.max(axis=-1, keepdims=True)
    softmax_inplace(scores, -1)
    return np.matmul(scores, value).astype(result_dtype, copy=False)
