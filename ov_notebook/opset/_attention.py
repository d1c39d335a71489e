"""Builder for ScaledDotProductAttention-13."""
from __future__ import annotations

from ..ir.ops import attention as spec
from ._base import as_node, builder


@builder
def scaled_dot_product_attention(query, key, value, attention_mask=None, scale=None, causal=False,
                                 name=None) -> spec.ScaledDotProductAttention:
    """ScaledDotProductAttention-13; a Python ``scale`` or float mask takes the query's type.
    A ``scale`` without a mask gets the zero scalar mask OpenVINO's builder inserts."""
    query = as_node(query, "query")
    inputs = [query, as_node(key, "key", like=query), as_node(value, "value", like=query)]
    if attention_mask is None and scale is not None:
        attention_mask = 0.0
    if attention_mask is not None:
        inputs.append(as_node(attention_mask, "attention_mask", like=query))
    if scale is not None:
        inputs.append(as_node(scale, "scale", like=query))
    return spec.ScaledDotProductAttention(*inputs, causal=causal, name=name)
