"""Constant folding: nodes whose inputs are all constants are computed once at compile time.

This also folds f16 weight decompression (``Const f16 -> Convert f32``) into an f32 Constant.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import replace_output
from ...ir.ops.core import Constant, Parameter, Result
from ..kernels import get_kernel

# ops that must not be folded even with constant inputs (none yet; random ops would be here)
_NEVER_FOLD = frozenset()


def fold_constants(model) -> bool:
    changed = False
    for node in model.get_ordered_ops():
        if isinstance(node, (Constant, Parameter, Result)) or node.get_type_name() in _NEVER_FOLD:
            continue
        sources = [src.get_node() for src in node.input_values()]
        if not sources or not all(isinstance(s, Constant) for s in sources):
            continue
        try:
            spec = get_kernel(node.get_type_name())
        except NotImplementedError:
            continue
        attrs = node.get_attributes()
        if spec.needs_node:
            attrs["node"] = node
        values = [s.get_value() for s in sources]
        produced = spec.function(*values, **attrs)
        produced = [produced] if node.get_output_size() == 1 else list(produced)
        for index, value in enumerate(produced):
            output = node.output(index)
            folded = Constant(np.asarray(value), output.get_element_type(),
                              name=node.get_friendly_name() if node.get_output_size() == 1
                              else f"{node.get_friendly_name()}.{index}")
            folded.rt_info.update(node.rt_info)
            replace_output(output, folded.output(0))
        changed = True
    return changed
