"""TorchScript control flow: ``prim::If`` on run-time conditions -> If-8, ``prim::Loop`` ->
Loop-5, after folding what is known at conversion time.

What is folded first:
- an If whose condition is known once its inputs are converted translates the branch taken only;
- a Loop whose conditions are known at conversion time (a for-loop's trip count, a while-loop's
  condition on sizes) is unrolled when it ends within ``UNROLL_MAX_ITERATIONS`` iterations and
  ``UNROLL_MAX_NODES`` body nodes translated in all (a loop over the dims of a shape, as torch
  scripts ``group_norm``'s size check, unrolls into constants; a long or data-dependent loop
  stays a Loop-5).

A body is translated like the main graph, into a child of the value map: the values it reads
from outside become Parameters of the body (their values Constants when known), fed by invariant
inputs. Python values never cross into a body boundary: they become constants first.
"""
from __future__ import annotations

import numpy as np

from ... import opset as ops
from ...ir import node as ir_node
from ...ir.model import Model
from ...ir.node import Output
from ...ir.ops.core import Constant
from ...ir.ops.control_flow import merge_shapes
from ...ir.types import Type
from ..errors import ConversionError

__all__ = ["translate_if", "translate_loop", "UNROLL_MAX_ITERATIONS", "UNROLL_MAX_NODES"]

UNROLL_MAX_ITERATIONS = 64
UNROLL_MAX_NODES = 2048


def _python_type(value) -> Type:
    if isinstance(value, bool):
        return Type.boolean
    return Type.i64 if isinstance(value, int) else Type.f32


def as_tensor(value, what) -> Output:
    """A converted value as an Output: Python numbers become Constants."""
    if isinstance(value, Output):
        return value
    if isinstance(value, (bool, int, float)):
        return ops.constant(np.asarray(value, _python_type(value).to_dtype())).output(0)
    raise ConversionError(f"{what} is {type(value).__name__}: only tensors and numbers can cross "
                          "the boundary of a loop or branch computed at run time")


def _known_flag(value):
    """True/False for a condition known at conversion time, else None."""
    if isinstance(value, (bool, int)):
        return bool(value)
    if isinstance(value, Output):
        known = value.get_known_value()
        if known is not None and known.size == 1:
            return bool(known.reshape(()))
    return None


def _known_count(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Output):
        known = value.get_known_value()
        if known is not None and known.size == 1 and value.get_element_type().is_integral_number():
            return int(known.reshape(()))
    return None


class _Body:
    """A sub-graph being translated: ``outputs`` are Outputs made after ``first_id``, plus the
    body Parameters made for it; ``cut`` turns what they read from outside into Parameters."""

    def __init__(self, parameters=()):
        self.parameters = list(parameters)
        self.first_id = next(ir_node._ids)
        self.external = []  # (outside Output, body Parameter)

    def _is_inside(self, node):
        return node._id > self.first_id or any(node is p for p in self.parameters)

    def cut(self, outputs):
        """Rewire every read of an outside value to a body Parameter (a Constant where it is a
        weight or its value is known); returns ``outputs`` with outside values replaced the same way."""
        replacements = {}

        def inside(source):
            if self._is_inside(source.get_node()):
                return source
            key = (id(source.get_node()), source.get_index())
            if key not in replacements:
                known = source.get_known_value()
                if isinstance(source.get_node(), Constant):  # weights: the body's own, shared
                    replacement = source.get_node().clone_with_new_inputs([]).output(0)
                    replacement.set_names(set())  # tensor names stay unique across the model
                elif known is not None:
                    replacement = Constant(np.array(known), source.get_element_type()).output(0)
                else:
                    parameter = ops.parameter(source.get_partial_shape(),
                                              source.get_element_type())
                    self.external.append((source, parameter))
                    replacement = parameter.output(0)
                replacements[key] = replacement
            return replacements[key]

        seen, stack = set(), [o.get_node() for o in outputs if self._is_inside(o.get_node())]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for index, source in enumerate(node.input_values()):
                if self._is_inside(source.get_node()):
                    stack.append(source.get_node())
                else:
                    node.set_argument(index, inside(source))
        return [inside(o) for o in outputs]

    def model(self, outputs, name):
        results = [ops.result(o) for o in outputs]
        return Model(results, self.parameters + [p for _, p in self.external], name)


def _translate_block(translate, items, values, bindings, output_reps, convert_rep):
    child = values.child()
    for key, value in bindings.items():
        child[key] = value
    for item in items:
        translate(item, child)
    return [convert_rep(rep, child) for rep in output_reps]


# --- prim::If ------------------------------------------------------------------------------------
def translate_if(item, values, translate, convert_rep, condition):
    """Both branches into the then/else bodies of an If-8 on ``condition`` (an Output)."""
    bodies, outputs = [], []
    for items, reps in item.branches:
        body = _Body()
        produced = _translate_block(translate, items, values, {}, reps, convert_rep)
        bodies.append(body)
        outputs.append(produced)
    chosen, pairs = {}, []
    for index, (then_value, else_value) in enumerate(zip(*outputs)):
        if then_value is None or else_value is None:  # a branch that raises: the other one's
            chosen[index] = else_value if then_value is None else then_value
        elif not isinstance(then_value, Output) and not isinstance(else_value, Output) and \
                type(then_value) is type(else_value) and then_value == else_value:
            chosen[index] = then_value
        else:
            pairs.append(index)
    for key, index in zip(item.output_keys, range(len(item.output_keys))):
        if index in chosen:
            values[key] = chosen[index]
    if not pairs:
        return None
    then_outputs = [as_tensor(outputs[0][i], f"output {i} of the then branch") for i in pairs]
    else_outputs = [as_tensor(outputs[1][i], f"output {i} of the else branch") for i in pairs]
    else_outputs = [_like(e, t) for t, e in zip(then_outputs, else_outputs)]
    then_outputs = bodies[0].cut(then_outputs)
    else_outputs = bodies[1].cut(else_outputs)
    then_model = bodies[0].model(then_outputs, "then_body")
    else_model = bodies[1].model(else_outputs, "else_body")
    if condition.get_element_type() != Type.boolean:
        condition = ops.convert(condition, Type.boolean).output(0)
    if condition.get_partial_shape().rank_is_static and len(condition.get_partial_shape()):
        condition = ops.reshape(condition, ops.constant(np.zeros(0, np.int64)), False).output(0)
    branch = ops.if_op(condition)
    branch.set_then_body(then_model)
    branch.set_else_body(else_model)
    _feed_if(branch, bodies)
    for index, then_result, else_result in zip(pairs, then_model.get_results(),
                                               else_model.get_results()):
        values[item.output_keys[index]] = branch.set_output(then_result, else_result)
    return branch


def _like(value, reference):
    """``value`` converted to ``reference``'s element type (a Python int in one branch)."""
    wanted = reference.get_element_type()
    if value.get_element_type() == wanted or not wanted.is_static:
        return value
    return ops.convert(value, wanted).output(0)


def _feed_if(branch, bodies):
    sources = {}
    for body_index, body in enumerate(bodies):
        for source, parameter in body.external:
            key = (id(source.get_node()), source.get_index())
            sources.setdefault(key, [source, None, None])[1 + body_index] = parameter
    for source, then_parameter, else_parameter in sources.values():
        branch.set_input(source, then_parameter, else_parameter)


# --- prim::Loop ----------------------------------------------------------------------------------
def translate_loop(item, values, translate, convert_rep, arguments):
    """``arguments``: the converted trip count, initial condition and carried values."""
    trip, start, *carried = arguments
    body_items, input_keys, output_reps = item.loop
    unrolled = _unroll(item, values, translate, convert_rep, trip, start, carried)
    if unrolled is not None:
        for key, value in zip(item.output_keys, unrolled):
            values[key] = value
        return None
    initial = [as_tensor(v, f"loop-carried value {i}") for i, v in enumerate(carried)]
    shapes = [v.get_partial_shape() for v in initial]
    for _ in range(3):  # a carried value changing shape: its Parameter is relaxed, then again
        iteration = ops.parameter([], Type.i64, name=f"{item.node.name}.iteration")
        states = [ops.parameter(shape, v.get_element_type()) for v, shape in zip(initial, shapes)]
        body = _Body([iteration] + states)
        bindings = dict(zip(input_keys, [iteration.output(0)] + [s.output(0) for s in states]))
        produced = _translate_block(translate, body_items, values, bindings, output_reps,
                                    convert_rep)
        go_on = as_tensor(produced[0], "the loop condition")
        nexts = [_like(as_tensor(v, f"loop-carried value {i}"), s.output(0))
                 for i, (v, s) in enumerate(zip(produced[1:], states))]
        relaxed = [merge_shapes(s, n.get_partial_shape()) for s, n in zip(shapes, nexts)]
        if [str(s) for s in relaxed] == [str(s) for s in shapes]:
            break
        shapes = relaxed
    if go_on.get_element_type() != Type.boolean:
        go_on = ops.convert(go_on, Type.boolean).output(0)
    go_on, *nexts = body.cut([go_on] + nexts)
    model = body.model([go_on] + nexts, "body")
    loop = ops.loop(_trip_count(trip), _condition(start))
    loop.set_function(model)
    loop.set_special_body_ports([0, 0])
    results = model.get_results()
    for state, value, result in zip(states, initial, results[1:]):
        loop.set_merged_input(state, value, result.output(0))
    for source, parameter in body.external:
        loop.set_invariant_input(parameter, source)
    for key, result in zip(item.output_keys, results[1:]):
        values[key] = loop.get_iter_value(result.output(0), -1)
    return loop


def _trip_count(trip) -> Output:
    trip = as_tensor(trip, "the trip count")
    return trip if trip.get_element_type() == Type.i64 else ops.convert(trip, Type.i64).output(0)


def _condition(start) -> Output:
    start = as_tensor(start, "the loop condition")
    return start if start.get_element_type() == Type.boolean else \
        ops.convert(start, Type.boolean).output(0)


def _unroll(item, values, translate, convert_rep, trip, start, carried):
    """The carried values after running the body at conversion time, or None when a condition
    is unknown or the loop does not end within the unrolling budget (a while-loop whose
    conditions are known unrolls too; its trip count is INT64_MAX)."""
    body_items, input_keys, output_reps = item.loop
    count, go_on = _known_count(trip), _known_flag(start)
    if go_on is None or count is None:
        return None
    if count > UNROLL_MAX_ITERATIONS and output_reps[0] is True:
        return None  # a for-loop: only its trip count ends it
    per_iteration = max(1, len(body_items))
    iteration = 0
    while go_on and (count is None or iteration < count):
        if iteration >= UNROLL_MAX_ITERATIONS or (iteration + 1) * per_iteration > \
                UNROLL_MAX_NODES:
            return None
        bindings = dict(zip(input_keys, [iteration] + list(carried)))
        produced = _translate_block(translate, body_items, values, bindings, output_reps,
                                    convert_rep)
        carried = produced[1:]
        go_on = _known_flag(produced[0])
        if go_on is None:
            return None
        iteration += 1
    return carried
