"""EmbeddingBagOffsets and EmbeddingBagPacked kernels: gather the rows once, then one
scatter-add per bag id (``np.add.at``) or a reduction over the packed axis."""
from __future__ import annotations

import numpy as np

from . import kernel


def _rows(table, indices, what="indices"):
    indices = np.asarray(indices, dtype=np.int64)
    bad = (indices < 0) | (indices >= table.shape[0])
    if bad.any():
        raise ValueError(f"{what} {indices[bad][:5].tolist()} are outside the {table.shape[0]} "
                         "rows of emb_table")
    return table[indices]


def _weighted(rows, weights):
    if weights is None:
        return rows
    return rows * weights.reshape(weights.shape + (1,) * (rows.ndim - weights.ndim))


@kernel("EmbeddingBagOffsets")
def embedding_bag_offsets(emb_table, indices, offsets, default_index=None,
                          per_sample_weights=None, *, reduction="sum"):
    starts = np.asarray(offsets, dtype=np.int64)
    count = indices.shape[0]
    if starts.size and (starts[0] < 0 or np.any(np.diff(starts) < 0) or starts[-1] > count):
        raise ValueError(f"offsets {starts.tolist()[:8]} must be non-decreasing starts within "
                         f"the {count} indices")
    sizes = np.diff(np.append(starts, count))
    rows = _weighted(_rows(emb_table, indices), per_sample_weights)
    result = np.zeros((starts.size,) + emb_table.shape[1:], dtype=np.float64)
    np.add.at(result, np.repeat(np.arange(starts.size), sizes), rows)
    if reduction == "mean":
        shape = (-1,) + (1,) * (emb_table.ndim - 1)
        result /= np.maximum(sizes, 1).reshape(shape)
    result = result.astype(emb_table.dtype)
    default = None if default_index is None else int(np.asarray(default_index).reshape(-1)[0])
    if default is not None and default >= 0 and (sizes == 0).any():
        result[sizes == 0] = _rows(emb_table, np.array([default]), "default_index")[0]
    return result


@kernel("EmbeddingBagPacked")
def embedding_bag_packed(emb_table, indices, per_sample_weights=None, *, reduction="sum"):
    rows = _weighted(_rows(emb_table, indices).astype(np.float64), per_sample_weights)
    reduced = rows.mean(axis=1) if reduction == "mean" else rows.sum(axis=1)
    return reduced.astype(emb_table.dtype)
