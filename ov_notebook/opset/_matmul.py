"""Builders for MatMul-1 and Einsum-7."""
from __future__ import annotations

from ..ir.ops import matmul as spec
from ._base import as_operands, builder, node_list


@builder
def matmul(data_a, data_b, transpose_a, transpose_b, name=None) -> spec.MatMul:
    """MatMul-1: ``a @ b`` with numpy's 1-D and batch broadcasting rules.

        >>> y = matmul(x, weights, False, True)  # x @ weights.T
    """
    a, b = as_operands(data_a=data_a, data_b=data_b)
    return spec.MatMul(a, b, transpose_a=transpose_a, transpose_b=transpose_b, name=name)


@builder
def einsum(inputs, equation, name=None) -> spec.Einsum:
    """Einsum-7, e.g. ``einsum([q, k], "bhqd,bhkd->bhqk")``."""
    return spec.Einsum(*node_list(inputs, "inputs", same_type=True), equation=equation, name=name)
