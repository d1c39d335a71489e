"""Builders for the sub-graph operations Loop-5 and If-8 (bodies are set on the node after)."""
from __future__ import annotations

from ..ir.ops import control_flow as spec
from ._base import as_node, builder


@builder
def loop(trip_count, execution_condition, name=None) -> spec.Loop:
    """Loop-5 without a body yet: ``set_function``, ``set_special_body_ports``, the
    ``set_*_input`` methods and ``get_iter_value``/``get_concatenated_slices`` complete it::

        loop = ops.loop(ops.constant(np.int64(3)), ops.constant(True))
        loop.set_function(body)
        loop.set_special_body_ports([-1, 0])
        loop.set_merged_input(body_x, x.output(0), body_sum.output(0))
        out = loop.get_iter_value(body_sum.output(0), -1)
    """
    return spec.Loop(as_node(trip_count, "trip_count", dtype="i64"),
                     as_node(execution_condition, "execution_condition", dtype="boolean"),
                     name=name)


@builder
def if_op(execution_condition, name=None) -> spec.If:
    """If-8 without bodies yet: ``set_then_body``, ``set_else_body``, ``set_input`` and
    ``set_output`` complete it."""
    return spec.If(as_node(execution_condition, "execution_condition", dtype="boolean"), name=name)


@builder
def tensor_iterator(name=None) -> spec.TensorIterator:
    """TensorIterator-1 without a body yet, as ``openvino.opset1.tensor_iterator()``:
    ``set_body``, the ``set_*_input`` methods and ``get_iter_value``/``get_concatenated_slices``
    complete it::

        ti = ops.tensor_iterator()
        ti.set_body(body)
        ti.set_sliced_input(body_x, x.output(0), 0, 1, 1, -1, 1)
        ti.set_merged_input(body_h, h0.output(0), body_h_next.output(0))
        all_h = ti.get_concatenated_slices(body_h_seq.output(0), 0, 1, 1, -1, 1)
    """
    return spec.TensorIterator(name=name)
