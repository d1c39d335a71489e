"""Builders for ScatterUpdate, ScatterElementsUpdate, ScatterNDUpdate."""
from __future__ import annotations

from ..ir.ops import scatter as spec
from ._base import as_node


def scatter_update(data, indices, updates, axis, name=None) -> spec.ScatterUpdate:
    """ScatterUpdate-3: slices along ``axis`` at ``indices`` replaced by ``updates``."""
    return spec.ScatterUpdate(as_node(data), as_node(indices), as_node(updates, like=data),
                              as_node(axis), name=name)


def scatter_elements_update(data, indices, updates, axis, reduction="None", use_init_val=True,
                            name=None) -> spec.ScatterElementsUpdate:
    """ScatterElementsUpdate-12: ``reduction`` none, sum, prod, min, max or mean."""
    return spec.ScatterElementsUpdate(as_node(data), as_node(indices), as_node(updates, like=data),
                                      as_node(axis), reduction=str(reduction or "none").lower(),
                                      use_init_val=use_init_val, name=name)


def scatter_nd_update(data, indices, updates, reduction=None, name=None) -> spec.ScatterNDUpdate:
    """ScatterNDUpdate-15: ``reduction`` none, sum, sub, prod, min or max."""
    return spec.ScatterNDUpdate(as_node(data), as_node(indices), as_node(updates, like=data),
                                reduction=reduction or "none", name=name)
