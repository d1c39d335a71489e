"""Builders for ScatterUpdate, ScatterElementsUpdate, ScatterNDUpdate."""
from __future__ import annotations

from ..ir.ops import scatter as spec
from ._base import as_node, builder


def _data_indices_updates(data, indices, updates):
    """The three inputs every scatter takes; Python ``updates`` take the type of ``data``."""
    data = as_node(data, "data")
    return data, as_node(indices, "indices"), as_node(updates, "updates", like=data)


@builder
def scatter_update(data, indices, updates, axis, name=None) -> spec.ScatterUpdate:
    """ScatterUpdate-3: slices along ``axis`` at ``indices`` replaced by ``updates``."""
    return spec.ScatterUpdate(*_data_indices_updates(data, indices, updates),
                              as_node(axis, "axis"), name=name)


@builder
def scatter_elements_update(data, indices, updates, axis, reduction="None", use_init_val=True,
                            name=None) -> spec.ScatterElementsUpdate:
    """ScatterElementsUpdate-12: ``reduction`` none, sum, prod, min, max or mean."""
    return spec.ScatterElementsUpdate(*_data_indices_updates(data, indices, updates),
                                      as_node(axis, "axis"),
                                      reduction=str(reduction or "none").lower(),
                                      use_init_val=use_init_val, name=name)


@builder
def scatter_nd_update(data, indices, updates, reduction=None, name=None) -> spec.ScatterNDUpdate:
    """ScatterNDUpdate-15: ``reduction`` none, sum, sub, prod, min or max."""
    return spec.ScatterNDUpdate(*_data_indices_updates(data, indices, updates),
                                reduction=reduction or "none", name=name)


# --- older versions, for ov_notebook.opset3 ... opset14 (see opset/_versions.py) ----------------
@builder(older_version_of="scatter_elements_update")
def _scatter_elements_update_3(data, indices, updates, axis,
                               name=None) -> spec.ScatterElementsUpdate3:
    """ScatterElementsUpdate-3 (``openvino.opset3.scatter_elements_update``)."""
    return spec.ScatterElementsUpdate3(*_data_indices_updates(data, indices, updates),
                                       as_node(axis, "axis"), name=name)


@builder(older_version_of="scatter_nd_update")
def _scatter_nd_update_4(data, indices, updates, name=None) -> spec.ScatterNDUpdate3:
    """ScatterNDUpdate-4 (``openvino.opset4.scatter_nd_update``)."""
    return spec.ScatterNDUpdate3(*_data_indices_updates(data, indices, updates), name=name)
