"""If with a condition known at compile time: the branch taken is inlined in its place, so its
ops take part in the other passes (folding, fusion) and no body runs per inference.

Bodies that stay (Loops, Ifs on run-time conditions) are compiled with the whole pipeline when the
plan is built (``kernels/control_flow.py``).
"""
from __future__ import annotations

from ...ir.graph import replace_output
from ...ir.ops.core import Parameter, Result


def inline_known_branches(model) -> bool:
    """Replace every If whose condition is a known value by the body it takes."""
    changed = False
    for node in model.get_ordered_ops():
        if node.get_type_name() != "If":
            continue
        known = node.input_value(0).get_known_value()
        if known is None or known.size != 1:
            continue
        _inline(node, 0 if bool(known.reshape(-1)[0]) else 1)
        changed = True
    return changed


def _inline(node, taken):
    body = node.get_function(taken)
    parameters = body.get_parameters()
    mapping = {}
    for description in node.get_input_descriptions(taken):
        parameter = parameters[description.body_parameter_index]
        mapping[id(parameter)] = node.input_value(description.input_index)
    for inner in body.get_ordered_ops():
        if isinstance(inner, (Parameter, Result)):
            continue
        inputs = [_mapped(mapping, source) for source in inner.input_values()]
        clone = inner.clone_with_new_inputs(inputs)
        clone.rt_info.update(node.rt_info)
        for index, output in enumerate(clone.outputs()):
            mapping[(id(inner), index)] = output
    results = body.get_results()
    for description in node.get_output_descriptions(taken):
        source = results[description.body_value_index].input_value(0)
        replace_output(node.output(description.output_index), _mapped(mapping, source))


def _mapped(mapping, source):
    producer = source.get_node()
    if isinstance(producer, Parameter):
        return mapping[id(producer)]
    return mapping[(id(producer), source.get_index())]
