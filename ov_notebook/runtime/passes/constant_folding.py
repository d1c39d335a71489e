"""Constant folding: nodes whose inputs are all constants are computed once at compile time.

This folds f16/bf16/int8 weight decompression (``Const f16 -> Convert f32``, with or without a
``Subtract``/``Multiply`` dequantization) into one f32 Constant, and shape subgraphs whose value the
IR already inferred (``ShapeOf`` of a static shape, ``Gather``/``Concat`` of it) into Constants.

What is not folded, and why:
- outputs much larger than their inputs (``Broadcast``/``Tile`` of a scalar into a big tensor):
  a folded result would stay in memory for the life of the compiled model, while computing it
  costs one pass over memory per run; see :func:`_worth_keeping`;
- nodes whose kernel raises on the constant inputs: the error is left to run time, where it is
  reported with the node's name and input shapes;
- ops without a kernel, ops listed in ``NEVER_FOLD`` and ``stateful`` ops (ReadValue, Assign).
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import replace_output
from ...ir.ops.core import Constant, Parameter, Result
from ..kernels import get_kernel

# ops that must not be folded even with constant inputs: random ops draw new values per run
NEVER_FOLD = frozenset({"RandomUniform", "Multinomial"})

# a folded output may be this many times larger than its inputs together (int8 -> f32 is 4x) ...
MAX_GROWTH = 4
# ... or at most this many bytes, whichever is more
ALWAYS_FOLD_BYTES = 1 << 20


def _worth_keeping(produced, inputs) -> bool:
    """Whether holding ``produced`` as a constant costs memory in proportion to its inputs."""
    produced_bytes = sum(np.asarray(v).nbytes for v in produced)
    input_bytes = sum(np.asarray(v).nbytes for v in inputs)
    return produced_bytes <= max(ALWAYS_FOLD_BYTES, MAX_GROWTH * input_bytes)


def _evaluate(node, values):
    """The node's output values computed by its kernel, or None when it cannot be folded."""
    try:
        spec = get_kernel(node.get_type_name())
    except NotImplementedError:
        return None
    attrs = node.get_attributes()
    if spec.needs_node:
        attrs["node"] = node
    try:
        produced = spec.function(*values, **attrs)
    except Exception:  # noqa: BLE001  reported at run time, with the node's name and shapes
        return None
    return [produced] if node.get_output_size() == 1 else list(produced)


def _known_values(node):
    """Output values shape inference already computed (small shape subgraphs), or None."""
    values = [node.output(i).get_known_value() for i in range(node.get_output_size())]
    return None if any(v is None for v in values) else values


def _replace_with_constants(node, produced) -> None:
    single = node.get_output_size() == 1
    for index, value in enumerate(produced):
        output = node.output(index)
        if not output.get_target_inputs():
            continue
        name = node.get_friendly_name() if single else f"{node.get_friendly_name()}.{index}"
        folded = Constant(np.asarray(value), output.get_element_type(), name=name)
        folded.rt_info.update(node.rt_info)
        replace_output(output, folded.output(0))


def fold_constants(model) -> bool:
    """Replace every foldable node by Constants; returns whether any node was folded."""
    changed = False
    for node in model.get_ordered_ops():
        if isinstance(node, (Constant, Parameter, Result)) or node.get_type_name() in NEVER_FOLD \
                or node.stateful:  # a variable's value changes from run to run
            continue
        sources = [src.get_node() for src in node.input_values()]
        if sources and all(isinstance(s, Constant) for s in sources):
            inputs = [s.get_value() for s in sources]
            produced = _evaluate(node, inputs)
            if produced is None or not _worth_keeping(produced, inputs):
                continue
        else:
            produced = _known_values(node)
            if produced is None:
                continue
        _replace_with_constants(node, produced)
        changed = True
    return changed
