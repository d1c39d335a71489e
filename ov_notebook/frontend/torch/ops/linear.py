"""Matrix products and attention: linear -> MatMul(transpose_b) + Add, mm/bmm/matmul -> MatMul,
addmm/baddbmm -> beta * self + alpha * MatMul, einsum -> Einsum, scaled_dot_product_attention ->
ScaledDotProductAttention-13."""
from __future__ import annotations

import math

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import dims_of, i64, out, rank_of, static_rank


def _linear(value, weight, bias=None):
    result = out(ops.matmul(value, weight, False, True))
    return result if bias is None else out(ops.add(result, bias))


@translator("aten.linear", "aten::linear")
def linear(ctx):  # aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor
    return _linear(ctx.input(0), ctx.input(1), ctx.optional_input(2))


@translator("aten.mm", "aten.bmm", "aten.matmul", "aten::mm", "aten::bmm", "aten::matmul")
def matmul(ctx):  # aten::matmul(Tensor self, Tensor other) -> Tensor
    return out(ops.matmul(ctx.input(0), ctx.input(1), False, False))


def _scaled(ctx, value, factor):
    return value if factor == 1 else out(ops.multiply(value, ctx.const_like(factor, value)))


@translator("aten.addmm", "aten.baddbmm", "aten::addmm", "aten::baddbmm")
def addmm(ctx):
    # aten::addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1)
    product = out(ops.matmul(ctx.input(1), ctx.input(2), False, False))
    product = _scaled(ctx, product, ctx.arg(4, "alpha", 1))
    beta = ctx.arg(3, "beta", 1)
    if beta == 0:  # torch ignores self (even NaN in it) when beta is 0
        return product
    return out(ops.add(_scaled(ctx, ctx.input(0), beta), product))


@translator("aten.einsum", "aten::einsum")
def einsum(ctx):  # aten::einsum(str equation, Tensor[] tensors, *, int[]? path=None) -> Tensor
    return out(ops.einsum(ctx.input_list(1), ctx.arg(0, "equation").replace(" ", "")))


@translator("aten.scaled_dot_product_attention", "aten::scaled_dot_product_attention")
def scaled_dot_product_attention(ctx):
    # aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value,
    #   Tensor? attn_mask=None, float dropout_p=0.0, bool is_causal=False, *, float? scale=None,
    #   bool enable_gqa=False) -> Tensor; dropout is a training-time op and is ignored
    query, key, value = ctx.input(0), ctx.input(1), ctx.input(2)
    if ctx.arg(7, "enable_gqa", False):
        key, value = _repeat_heads(ctx, key, query), _repeat_heads(ctx, value, query)
    mask = ctx.optional_input(3, "attn_mask")
    scale = ctx.arg(6, "scale", None)
    result = out(ops.scaled_dot_product_attention(query, key, value, mask, scale,
                                                  bool(ctx.arg(5, "is_causal", False))))
    return result if mask is None else _zero_unattended_rows(ctx, result, mask)


def _zero_unattended_rows(ctx, result, mask):
    """torch (2.5 on) gives 0 for a query whose every key is masked (softmax would give NaN):
    left-padded batches have such rows."""
    if mask.get_element_type() is Type.boolean:
        attends = mask
    else:
        attends = ops.not_equal(mask, ctx.const_like(float("-inf"), mask))
    any_key = ops.reduce_logical_or(attends, i64([-1]), True)
    return out(ops.select(any_key, result, ctx.const_like(0, result)))


def _repeat_heads(ctx, value, query):
    """``enable_gqa``: key/value heads repeated (interleaved) up to the query's head count, as
    ``value.repeat_interleave(heads // kv_heads, -3)``."""
    rank = static_rank(ctx, value, "key/value")
    heads, kv_heads = (value_.get_partial_shape()[-3] for value_ in (query, value))
    if rank < 3 or not (heads.is_static and kv_heads.is_static):
        ctx.fail("enable_gqa needs static head counts (dimension -3 of query and key/value)")
    heads, kv_heads = heads.get_length(), kv_heads.get_length()
    if heads % kv_heads:
        ctx.fail(f"enable_gqa: {heads} query heads are not a multiple of {kv_heads} key/value "
                 "heads")
    if heads == kv_heads:
        return value
    expanded = ops.unsqueeze(value, i64([rank - 2]))  # [..., Hkv, 1, L, D]
    repeated = ops.broadcast(expanded, i64([1] * (rank - 2) + [heads // kv_heads, 1, 1]),
                             broadcast_spec="BIDIRECTIONAL")
    shape = ops.concat([dims_of(value, range(rank - 3)), i64([heads]),
                        dims_of(value, [rank - 2, rank - 1])], 0)
    return out(ops.reshape(repeated, shape, False))


def _heads(value, num_heads, head_dim):
    # [B, L, E] -> [B, H, L, D]
    split = ops.reshape(value, i64([0, 0, num_heads, head_dim]), True)
    return out(ops.transpose(split, i64([0, 2, 1, 3])))


def _explicit_attention(ctx, query, key, value, average, mask):
    scale = ctx.const_like(1 / math.sqrt(query.get_partial_shape()[3].get_length()), query)
    scores = ops.matmul(ops.multiply(query, scale), key, False, True)
    if mask is not None:
        scores = ops.add(scores, mask)
    weights = out(ops.softmax(scores, -1))
    result = out(ops.matmul(weights, value, False, False))
    return result, out(ops.reduce_mean(weights, i64([1]), False)) if average else weights


@translator("aten::_native_multi_head_attention", "aten._native_multi_head_attention")
def native_multi_head_attention(ctx):
    # aten::_native_multi_head_attention(Tensor query, Tensor key, Tensor value, int embed_dim,
    #   int num_head, Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias,
    #   Tensor? mask=None, bool need_weights=True, bool average_attn_weights=True,
    #   int? mask_type=None) -> (Tensor, Tensor); nn.MultiheadAttention's inference fast path
    if rank_of(ctx.input(0)) != 3:
        ctx.fail("_native_multi_head_attention needs batched (3-D) inputs")
    embed_dim, num_heads = ctx.arg(3, "embed_dim"), ctx.arg(4, "num_head")
    weights = ops.split(ctx.input(5), i64(0), 3)
    biases = ops.split(ctx.input(6), i64(0), 3)
    projected = [_heads(_linear(ctx.input(i), weights.output(i), biases.output(i)), num_heads,
                        embed_dim // num_heads) for i in range(3)]
    mask = _native_mask(ctx, projected[0])
    if ctx.arg(10, "need_weights", True):
        attended, attention = _explicit_attention(ctx, *projected, ctx.arg(11, None, True), mask)
    else:
        attended = out(ops.scaled_dot_product_attention(*projected, mask))
        attention = ctx.const(np.zeros(0, projected[0].get_element_type().to_dtype()))
    merged = ops.reshape(ops.transpose(attended, i64([0, 2, 1, 3])), i64([0, 0, embed_dim]), True)
    return [_linear(out(merged), ctx.input(7), ctx.input(8)), attention]


def _native_mask(ctx, like):
    """The fast path's mask as an additive one (-inf where masked) broadcastable to the [B, H, L, S]
    scores. torch turns it to bool (non-zero masks a key out: nn.MultiheadAttention hands over its
    bool masks as -inf/0 floats); mask_type 1 is a [B, S] key padding mask. Queries with every
    key masked give NaN, as in torch's fast path."""
    mask = ctx.optional_input(9, "mask")
    if mask is None:
        return None
    if mask.get_element_type() is not Type.boolean:
        mask = ops.not_equal(mask, ctx.const_like(0, mask))
    if ctx.arg(12, "mask_type", None) == 1:
        mask = ops.unsqueeze(mask, i64([1, 2]))  # [B, S] -> [B, 1, 1, S]
    return out(ops.select(mask, ctx.const_like(float("-inf"), like), ctx.const_like(0, like)))
