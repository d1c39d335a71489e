"""Loop-5, TensorIterator-1 and If-8: their bodies are compiled once (with the runtime's passes) and run per
iteration / for the branch taken only.

The plans are made by ``prepare`` when the outer plan is built; constant folding calls the
kernels without it, and then they compile the bodies themselves.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.control_flow import ConcatOutput, MergedInput, SlicedInput
from . import kernel


def compile_body(body):
    """An executable plan of ``body`` (a clone: passes must not change the op's own body)."""
    from ...ir.graph import clone_model
    from ..passes import run_passes
    from ..plan import Plan

    graph = clone_model(body)
    run_passes(graph)
    return Plan(graph)


def _prepare(node, attrs):
    attrs["plans"] = [compile_body(body) for body in node.get_functions()]
    return attrs


def _plans(node, plans):
    return plans if plans is not None else _prepare(node, {})["plans"]


def _slice_bounds(description, length):
    """(start, stop, step) of the iteration slices of a SlicedInput/ConcatOutput along its axis
    (negative start/end count from the end, ``end=-1`` is the last element, included)."""
    start = description.start + length if description.start < 0 else description.start
    end = description.end + length if description.end < 0 else description.end
    if description.stride < 0:
        return start, end, description.stride
    return start, end + 1 if description.end < 0 else end, description.stride


def _iteration_slice(value, description, iteration):
    axis = description.axis % value.ndim
    start, _, stride = _slice_bounds(description, value.shape[axis])
    first = start + iteration * stride
    if stride < 0:
        first -= description.part_size - 1
    index = [slice(None)] * value.ndim
    index[axis] = slice(first, first + description.part_size)
    return value[tuple(index)]


def _sliced_iterations(value, description):
    axis = description.axis % value.ndim
    start, stop, stride = _slice_bounds(description, value.shape[axis])
    span = (stop - start) if stride > 0 else (start - stop + 1)
    # as OpenVINO's CPU plugin: one iteration per stride of the span (part_size not counted)
    return max(0, span // abs(stride)) if stride else 0


@kernel("Loop", needs_node=True, prepare=_prepare)
def loop(trip_count, condition, *inputs, node, plans=None):  # Loop-5
    limit = int(np.asarray(trip_count).reshape(-1)[0])
    go_on = bool(np.asarray(condition).reshape(-1)[0])
    return _iterate(node, _plans(node, plans)[0], (trip_count, condition, *inputs),
                    None if limit < 0 else limit, go_on, *node.get_special_body_ports())


@kernel("TensorIterator", needs_node=True, prepare=_prepare)
def tensor_iterator(*inputs, node, plans=None):  # TensorIterator-1
    descriptions = node.get_input_descriptions()
    limit = None
    if not any(isinstance(d, SlicedInput) for d in descriptions):
        limit = node.get_num_iterations()  # from a concatenated output's start, end, part_size
        if limit < 0:
            raise ValueError("the TensorIterator has no sliced input and no concatenated "
                             "output: its iteration count is unknown")
    return _iterate(node, _plans(node, plans)[0], inputs, limit, True, -1, -1)


def _iterate(node, plan, values, limit, go_on, iteration_port, condition_port):
    """Run the body of a Loop or TensorIterator: ``values`` are the op's inputs, ``limit`` the
    iteration count (None: until the sliced inputs or the condition end it)."""
    body = node.get_function()
    feeds = [None] * len(body.get_parameters())
    merged, sliced = [], []
    for description in node.get_input_descriptions():
        value = values[description.input_index]
        feeds[description.body_parameter_index] = value
        if isinstance(description, MergedInput):
            merged.append(description)
        elif isinstance(description, SlicedInput):
            sliced.append((description, value))
            count = _sliced_iterations(value, description)
            limit = count if limit is None else min(limit, count)
    outputs = node.get_output_descriptions()
    last, pieces = {}, {d.output_index: [] for d in outputs if isinstance(d, ConcatOutput)}
    iteration = 0
    while go_on and (limit is None or iteration < limit):
        if iteration_port >= 0:
            parameter = body.get_parameters()[iteration_port]
            feeds[iteration_port] = np.asarray(iteration, parameter.get_element_type().to_dtype())
        for description, value in sliced:
            feeds[description.body_parameter_index] = _iteration_slice(value, description,
                                                                       iteration)
        produced = plan.run(feeds)
        for description in outputs:
            if isinstance(description, ConcatOutput):
                pieces[description.output_index].append(produced[description.body_value_index])
            else:
                last[description.output_index] = produced[description.body_value_index]
        for description in merged:
            feeds[description.body_parameter_index] = produced[description.body_value_index]
        if condition_port >= 0:
            go_on = bool(np.asarray(produced[condition_port]).reshape(-1)[0])
        iteration += 1
    results = [_loop_output(node, d, last, pieces, values) for d in outputs]
    return results[0] if len(results) == 1 else tuple(results)


def _loop_output(node, description, last, pieces, values):
    index = description.output_index
    if isinstance(description, ConcatOutput):
        parts = pieces[index]
        if description.stride < 0:
            parts = parts[::-1]
        if parts:
            return np.concatenate(parts, axis=description.axis % parts[0].ndim)
        shape = node.get_output_partial_shape(index)
        dims = [0 if d.is_dynamic else d.get_length() for d in shape]
        return np.zeros(dims, node.get_output_element_type(index).to_dtype())
    if index in last:
        return last[index]
    # no iteration ran: a merged value is its initial value
    for merged in node.get_input_descriptions():
        if isinstance(merged, MergedInput) and merged.body_value_index == \
                description.body_value_index:
            return values[merged.input_index]
    raise ValueError(f"output {index} has no value: the loop ran no iteration and the body "
                     "value is not a merged input")


@kernel("If", needs_node=True, prepare=_prepare)
def if_op(condition, *inputs, node, plans=None):  # If-8
    if np.asarray(condition).size != 1:
        raise ValueError(f"the condition must hold one value, got shape "
                         f"{list(np.shape(condition))}")
    taken = 0 if bool(np.asarray(condition).reshape(-1)[0]) else 1
    plan = _plans(node, plans)[taken]
    feeds = [None] * len(node.get_function(taken).get_parameters())
    for description in node.get_input_descriptions(taken):  # If's inputs are all invariant
        feeds[description.body_parameter_index] = inputs[description.input_index - 1]
    produced = plan.run(feeds)
    results = [None] * node.get_output_size()
    for description in node.get_output_descriptions(taken):
        results[description.output_index] = produced[description.body_value_index]
    return results[0] if len(results) == 1 else tuple(results)
