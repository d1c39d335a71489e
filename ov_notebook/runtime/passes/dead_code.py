"""Dead-code elimination: drop nodes no result depends on, and ops that compute nothing.

A Model holds only its Results and Parameters, so a node nothing reachable reads is already out of
the plan; what remains are consumer links from live outputs to replaced nodes (they would make
"this output has one consumer" tests wrong) and identity ops, which each cost a step per run:
- ``Convert`` to the element type it already has;
- ``Reshape``/``Squeeze``/``Unsqueeze``/``Broadcast`` whose static output shape is their input's;
- binary ops with a constant operand that is their ``right_identity`` (``Add``/``Subtract`` of
  zeros, ``Multiply``/``Divide`` by ones; either side when the op is ``commutative``), when they
  do not broadcast the other input to a bigger shape.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import eliminate_dead_code as _prune_consumers
from ...ir.graph import replace_output
from ...ir.ops.core import Constant

_SHAPE_ONLY = frozenset({"Reshape", "Squeeze", "Unsqueeze", "Broadcast"})


def _same_static_type(source, output) -> bool:
    shape = output.get_partial_shape()
    return (shape.is_static and shape == source.get_partial_shape()
            and output.get_element_type() == source.get_element_type())


def _identity_source(node):
    """The input that ``node`` passes through unchanged, or None."""
    type_name = node.get_type_name()
    if node.get_output_size() != 1 or node.get_input_size() == 0:
        return None
    output = node.output(0)
    if type_name == "Convert" or type_name in _SHAPE_ONLY:
        source = node.input_value(0)
        return source if _same_static_type(source, output) else None
    neutral = node.right_identity
    if neutral is not None and node.get_input_size() == 2:
        for data, other in ((0, 1), (1, 0)) if node.commutative else ((0, 1),):
            constant = node.input_value(other).get_node()
            if isinstance(constant, Constant) and np.all(constant.get_value() == neutral):
                source = node.input_value(data)
                return source if _same_static_type(source, output) else None
    return None


def eliminate_dead_code(model) -> bool:
    """Bypass identity ops and prune links to dead nodes; returns whether anything changed."""
    changed = False
    for node in model.get_ordered_ops():
        source = _identity_source(node)
        if source is not None and node.output(0).get_target_inputs():
            replace_output(node.output(0), source)
            changed = True
    return _prune_consumers(model) or changed
