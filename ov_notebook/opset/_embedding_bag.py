"""Builders for EmbeddingBagOffsets and EmbeddingBagPacked (``openvino.opset`` signatures)."""
from __future__ import annotations

import numpy as np

from ..ir.ops import embedding_bag as spec
from ._base import as_node, builder


@builder
def embedding_bag_offsets(emb_table, indices, offsets, default_index=None,
                          per_sample_weights=None, reduction="sum",
                          name=None) -> spec.EmbeddingBagOffsets:
    """EmbeddingBagOffsets-15: ``embedding_bag_offsets(table, [1, 4, 2], [0, 2])`` sums rows 1
    and 4, then row 2. With ``per_sample_weights`` and no ``default_index``, -1 (zeros for
    empty bags) is passed, as OpenVINO does."""
    inputs = [as_node(emb_table, "emb_table"), as_node(indices, "indices"),
              as_node(offsets, "offsets")]
    if default_index is None and per_sample_weights is not None:
        default_index = np.asarray(-1, dtype=inputs[1].get_element_type().to_dtype())
    if default_index is not None:
        inputs.append(as_node(default_index, "default_index", like=inputs[1]))
    if per_sample_weights is not None:
        inputs.append(as_node(per_sample_weights, "per_sample_weights", like=inputs[0]))
    return spec.EmbeddingBagOffsets(*inputs, reduction=reduction, name=name)


@builder
def embedding_bag_packed(emb_table, indices, per_sample_weights=None, reduction="sum",
                         name=None) -> spec.EmbeddingBagPacked:
    """EmbeddingBagPacked-15: ``embedding_bag_packed(table, [[1, 4], [2, 2]], reduction="mean")``."""
    inputs = [as_node(emb_table, "emb_table"), as_node(indices, "indices")]
    if per_sample_weights is not None:
        inputs.append(as_node(per_sample_weights, "per_sample_weights", like=inputs[0]))
    return spec.EmbeddingBagPacked(*inputs, reduction=reduction, name=name)
