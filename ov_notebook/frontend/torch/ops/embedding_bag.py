"""embedding_bag (``nn.EmbeddingBag``, ``F.embedding_bag``) -> EmbeddingBagOffsets-15 (torch
passes 2-D indices as flattened indices with offsets, so EmbeddingBagPacked is not needed)."""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, out, rank_of, to_type

_MODES = {0: "sum", 1: "mean"}


def _bags(table, indices, offsets, weights, reduction):
    return out(ops.embedding_bag_offsets(table, indices, offsets, None, weights, reduction))


@translator("aten.embedding_bag", "aten._embedding_bag", "aten._embedding_bag_forward_only",
            "aten::embedding_bag", "aten::_embedding_bag")
def embedding_bag(ctx):
    # aten::embedding_bag.padding_idx(Tensor weight, Tensor indices, Tensor offsets,
    #   bool scale_grad_by_freq, int mode, bool sparse, Tensor? per_sample_weights,
    #   bool include_last_offset, int? padding_idx) -> (Tensor, Tensor, Tensor, Tensor)
    table = ctx.input(0, "weight")
    indices = to_type(ctx.input(1, "indices"), Type.i64)
    mode = ctx.arg(4, "mode", 0)
    if mode not in _MODES:
        ctx.fail(f"mode {mode} ('max') has no OpenVINO operation; sum (0) and mean (1) convert")
    offsets = to_type(ctx.input(2, "offsets"), Type.i64)
    if rank_of(indices) != 1:
        ctx.fail(f"indices must be 1-D with offsets, got rank {rank_of(indices)}")
    weights = ctx.optional_input(6, "per_sample_weights")
    if weights is not None:
        weights = to_type(weights, table.get_element_type())
    padding = ctx.arg(8, "padding_idx", None)
    padding = None if padding is None or padding < 0 else padding
    last_offset = bool(ctx.arg(7, "include_last_offset", False))
    all_indices = indices
    if last_offset:
        indices, offsets, weights = _drop_last_offset(indices, offsets, weights, padding)
    if padding is None and (mode == 0 or not last_offset):
        return [_bags(table, indices, offsets, weights, _MODES[mode]), None, None, None]
    # rows at padding_idx take no part in a bag (nor in the mean's count); torch's mean with
    # include_last_offset divides the last bag by its indices up to the end of all indices
    total = _bags(table, indices, offsets, _kept(indices, padding, table, weights), "sum")
    if mode == 1:
        ones = ops.broadcast(ops.constant(np.float32(1)), ops.gather(
            ops.shape_of(table), i64([0]), i64(0)))
        ones = out(ops.unsqueeze(ops.convert_like(ones, table), i64(1)))
        count = _bags(ones, all_indices, offsets, _kept(all_indices, padding, table), "sum")
        count = ops.maximum(count, ops.convert_like(ops.constant(np.float32(1)), table))
        total = out(ops.divide(total, count))
    # offset2bag, bag_size and max_indices are not computed: a model that reads them fails
    return [total, None, None, None]


def _drop_last_offset(indices, offsets, weights, padding):
    """include_last_offset: the last offset ends the last bag, except with padding_idx, where
    torch runs the last bag to the end of the indices."""
    if padding is None:
        end = ops.gather(offsets, i64([-1]), i64(0))
        indices = out(ops.slice(indices, i64([0]), end, i64([1]), i64([0])))
        if weights is not None:
            weights = out(ops.slice(weights, i64([0]), end, i64([1]), i64([0])))
    return indices, out(ops.slice(offsets, i64([0]), i64([-1]), i64([1]), i64([0]))), weights


def _kept(indices, padding, table, weights=None):
    """Per-index weights: 0 at ``padding`` (when given), times ``weights`` (when given)."""
    if padding is None:
        return weights
    keep = out(ops.convert_like(ops.not_equal(indices, i64(padding)), table))
    return keep if weights is None else out(ops.multiply(keep, weights))
