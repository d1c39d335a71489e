"""Embedding lookups (Gather on the table's rows) and one_hot (OneHot)."""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import i64, out, to_type


@translator("aten.embedding", "aten::embedding")
def embedding(ctx):
    # aten::embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1,
    #   bool scale_grad_by_freq=False, bool sparse=False) -> Tensor; padding_idx only affects grads
    indices = to_type(ctx.input(1), Type.i64)
    return out(ops.gather(ctx.input(0), indices, i64(0)))


@translator("aten.one_hot", "aten::one_hot")
def one_hot(ctx):  # aten::one_hot(Tensor self, int num_classes=-1) -> Tensor (int64)
    indices = to_type(ctx.input(0), Type.i64)
    classes = ctx.arg(1, "num_classes", -1)
    if classes == -1:  # as many classes as the largest index + 1
        depth = out(ops.add(ops.reduce_max(indices, i64(list(range(len(
            indices.get_partial_shape())))), False), i64(1)))
    else:
        depth = i64(classes)
    return out(ops.one_hot(indices, depth, i64(1), i64(0), -1))
