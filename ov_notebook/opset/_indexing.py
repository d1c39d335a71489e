"""Builders for Gather, GatherElements, GatherND (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import indexing as spec
from ._base import as_node, builder


@builder
def gather(data, indices, axis, batch_dims=0, name=None) -> spec.Gather:
    """Gather-8: ``gather(x, [2, 0], 1)`` picks columns 2 and 0."""
    return spec.Gather(as_node(data, "data"), as_node(indices, "indices"), as_node(axis, "axis"),
                       batch_dims=batch_dims, name=name)


@builder
def gather_elements(data, indices, axis=0, name=None) -> spec.GatherElements:
    """GatherElements-6: like ``torch.gather``."""
    return spec.GatherElements(as_node(data, "data"), as_node(indices, "indices"), axis=axis,
                               name=name)


@builder
def gather_nd(data, indices, batch_dims=0, name=None) -> spec.GatherND:
    """GatherND-8: slices addressed by index tuples in the last dimension of ``indices``."""
    return spec.GatherND(as_node(data, "data"), as_node(indices, "indices"), batch_dims=batch_dims,
                         name=name)


# --- older versions, for ov_notebook.opset1 ... opset7 (see opset/_versions.py) -----------------
@builder(older_version_of="gather")
def _gather_1(data, indices, axis, name=None) -> spec.Gather1:
    """Gather-1 (``openvino.opset1.gather``): no batch dimensions, no negative indices."""
    return spec.Gather1(as_node(data, "data"), as_node(indices, "indices"), as_node(axis, "axis"),
                        name=name)


@builder(older_version_of="gather")
def _gather_7(data, indices, axis, batch_dims=0, name=None) -> spec.Gather7:
    """Gather-7 (``openvino.opset7.gather``): no negative indices."""
    return spec.Gather7(as_node(data, "data"), as_node(indices, "indices"), as_node(axis, "axis"),
                        batch_dims=batch_dims, name=name)


@builder(older_version_of="gather_nd")
def _gather_nd_5(data, indices, batch_dims=0, name=None) -> spec.GatherND5:
    """GatherND-5 (``openvino.opset5.gather_nd``)."""
    return spec.GatherND5(as_node(data, "data"), as_node(indices, "indices"),
                          batch_dims=batch_dims, name=name)
