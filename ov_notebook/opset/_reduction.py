"""Builders for the reductions (``openvino.opset1``/``opset4`` signatures)."""
from __future__ import annotations

from ..ir.ops import reduction as spec
from ._base import as_node


def _reduction_builder(op_class, builder_name):
    def build(node, reduction_axes, keep_dims=False, name=None):
        return op_class(as_node(node), as_node(reduction_axes), keep_dims=keep_dims, name=name)

    build.__name__ = build.__qualname__ = builder_name
    build.__doc__ = f"{op_class.type_name}: {op_class.__doc__}"
    build.__module__ = __name__
    return build


_NAMES = {
    "ReduceSum": "reduce_sum", "ReduceMean": "reduce_mean", "ReduceMax": "reduce_max",
    "ReduceMin": "reduce_min", "ReduceProd": "reduce_prod", "ReduceL1": "reduce_l1",
    "ReduceL2": "reduce_l2", "ReduceLogicalAnd": "reduce_logical_and",
    "ReduceLogicalOr": "reduce_logical_or",
}
for _type, _builder in _NAMES.items():
    globals()[_builder] = _reduction_builder(getattr(spec, _type), _builder)
del _type, _builder
