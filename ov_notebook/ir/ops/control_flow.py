"""Sub-graph operations: Loop-5, TensorIterator-1 and If-8, whose bodies are Models.

A body's Parameters receive the op's inputs as its *input descriptions* say and its Results give
the op's outputs as its *output descriptions* say (OpenVINO's ``port_map``):

- ``InvariantInput(input_index, parameter_index)``: the same value in every iteration;
- ``MergedInput(input_index, parameter_index, result_index)``: the initial value, then what the
  body's Result ``result_index`` gave in the previous iteration (a ``back_edge``);
- ``SlicedInput(input_index, parameter_index, start, stride, part_size, end, axis)``: iteration
  ``i`` sees slice ``i`` of the input along ``axis``;
- ``BodyOutput(result_index, output_index, iteration=-1)``: the Result's value after the last
  iteration;
- ``ConcatOutput(result_index, output_index, start, stride, part_size, end, axis)``: every
  iteration's value, concatenated along ``axis``.

Loop-5's inputs are the trip count (``-1``: unbounded), the initial execution condition, then the
described inputs; ``special_body_ports`` are the body Parameter receiving the current iteration
(``-1``: none) and the body Result giving the condition to go on (``-1``: always go on).
TensorIterator-1 has only the described inputs: it runs once per slice of its sliced inputs (or,
without any, as many times as its first concatenated output has parts). If-8's
input 0 is the condition; each of its two bodies has its own descriptions (an input may feed only
one of them).
"""
from __future__ import annotations

from ..errors import OpValidationError
from ..node import Op, as_output, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._subgraph import (BodyOutput, ConcatOutput, InvariantInput, MergedInput, SlicedInput,
                        merge_shapes)

__all__ = ["Loop", "If", "TensorIterator", "InvariantInput", "MergedInput", "SlicedInput", "BodyOutput",
           "ConcatOutput", "SubGraphOp", "merge_shapes"]


def _scalar_value(output):
    value = output.get_known_value()
    return None if value is None or value.size != 1 else value.reshape(()).item()


class SubGraphOp(Op):
    """Common part of Loop and If: bodies, their descriptions, inputs and outputs added later."""

    body_names: tuple = ()
    attrs = ()

    def __init__(self, *inputs, name=None, bodies=None, input_descriptions=None,
                 output_descriptions=None):
        self._bodies = list(bodies or [None] * len(self.body_names))
        self._input_descriptions = [list(d) for d in (input_descriptions or
                                                      [[] for _ in self.body_names])]
        self._output_descriptions = [list(d) for d in (output_descriptions or
                                                       [[] for _ in self.body_names])]
        outputs = {d.output_index for ds in self._output_descriptions for d in ds}
        self.num_outputs = max(outputs) + 1 if outputs else 0
        super().__init__(*inputs, name=name)

    # --- bodies and descriptions ---------------------------------------------------------------
    def get_functions(self) -> list:
        return list(self._bodies)

    def get_function(self, index=0):
        return self._bodies[index]

    def set_function(self, body, index=0) -> None:
        from ..model import Model

        if not isinstance(body, Model):
            raise TypeError(f"{self.type_name}: a body must be a Model, got {type(body).__name__}")
        self._bodies[index] = body

    def get_input_descriptions(self, index=0) -> list:
        return list(self._input_descriptions[index])

    def get_output_descriptions(self, index=0) -> list:
        return list(self._output_descriptions[index])

    def set_input_descriptions(self, index, descriptions) -> None:
        self._input_descriptions[index] = list(descriptions)

    def set_output_descriptions(self, index, descriptions) -> None:
        self._output_descriptions[index] = list(descriptions)

    def _body(self, index=0):
        body = self._bodies[index]
        if body is None:
            raise OpValidationError(self, f"the {self.body_names[index]} is not set")
        return body

    def _parameter_index(self, parameter, body_index=0) -> int:
        index = self._body(body_index).get_parameter_index(parameter)
        if index < 0:
            raise OpValidationError(self, f"'{parameter.get_friendly_name()}' is not a Parameter "
                                    f"of the {self.body_names[body_index]}")
        return index

    def _result_index(self, value, body_index=0) -> int:
        from .core import Result

        body = self._body(body_index)
        node = value.get_node() if hasattr(value, "get_node") else value
        if isinstance(node, Result):
            index = next((i for i, r in enumerate(body.get_results()) if r is node), -1)
        else:
            index = body.get_result_index(as_output(value))
        if index < 0:
            raise OpValidationError(self, f"{value} is not a Result of the "
                                    f"{self.body_names[body_index]}")
        return index

    def _add_input(self, value) -> int:
        self._inputs.append(None)
        self._connect(len(self._inputs) - 1, as_output(value))
        return len(self._inputs) - 1

    def _add_output(self) -> int:
        self._set_output_count(len(self._outputs) + 1)
        return len(self._outputs) - 1

    # --- inference --------------------------------------------------------------------------------
    def _feed_parameters(self, body_index, num_iterations=None):
        """Give the body's Parameters the types and shapes of what they receive."""
        body = self._bodies[body_index]
        parameters = body.get_parameters()
        for description in self._input_descriptions[body_index]:
            source = self.input_value(description.input_index)
            shape = source.get_partial_shape()
            if isinstance(description, SlicedInput) and shape.rank_is_static:
                dims = list(shape)
                axis = description.axis + len(dims) if description.axis < 0 else description.axis
                self.check(0 <= axis < len(dims), f"sliced input {description.input_index}: axis "
                           f"{description.axis} is out of range for shape {shape}")
                dims[axis] = Dimension(description.part_size)
                shape = PartialShape(dims)
            parameter = parameters[description.body_parameter_index]
            parameter.set_element_type(source.get_element_type())
            parameter.set_partial_shape(shape)

    def _infer_body(self, body_index):
        self._feed_parameters(body_index)
        body = self._bodies[body_index]
        body.validate_nodes_and_infer_types()
        merged = [d for d in self._input_descriptions[body_index] if isinstance(d, MergedInput)]
        relaxed = False
        for description in merged:  # a value changing shape across iterations: relax, once more
            parameter = body.get_parameters()[description.body_parameter_index]
            result = body.get_results()[description.body_value_index]
            before, after = parameter.get_partial_shape(), result.get_output_partial_shape(0)
            if str(before) != str(after):
                parameter.set_partial_shape(merge_shapes(before, after))
                relaxed = True
        if relaxed:
            body.validate_nodes_and_infer_types()

    def clone_with_new_inputs(self, inputs) -> Op:
        clone = type(self)(*inputs, name=self._friendly_name,
                           bodies=[None if b is None else b.clone() for b in self._bodies],
                           input_descriptions=self._input_descriptions,
                           output_descriptions=self._output_descriptions,
                           **self._extra_state())
        clone.rt_info = dict(self.rt_info)
        for mine, theirs in zip(self._outputs, clone._outputs):
            theirs.names = set(mine.names)
            theirs.rt_info = dict(mine.rt_info)
        return clone

    def _extra_state(self) -> dict:
        return {}

    @classmethod
    def from_ir(cls, inputs, attributes, name):
        return cls(*inputs, name=name, **attributes)

    def _propagate_values(self):
        for desc in self._outputs:
            desc.value = None
            desc.dims_value = None


class _SingleBody(SubGraphOp):
    """The port-map API of the one-body operations, Loop and TensorIterator (OpenVINO's)."""

    body_names = ("body",)

    def set_invariant_input(self, body_parameter, value) -> None:
        index = self._parameter_index(body_parameter)
        self._input_descriptions[0].append(InvariantInput(self._add_input(value), index))
        self.validate_and_infer_types()

    def set_merged_input(self, body_parameter, initial_value, successive_value) -> None:
        index = self._parameter_index(body_parameter)
        result = self._result_index(successive_value)
        self._input_descriptions[0].append(MergedInput(self._add_input(initial_value), index,
                                                       result))
        self.validate_and_infer_types()

    def set_sliced_input(self, body_parameter, value, start, stride, part_size, end, axis) -> None:
        index = self._parameter_index(body_parameter)
        self._input_descriptions[0].append(SlicedInput(self._add_input(value), index, start,
                                                       stride, part_size, end, axis))
        self.validate_and_infer_types()

    def get_iter_value(self, body_value, iteration=-1):
        result = self._result_index(body_value)
        output = self._add_output()
        self._output_descriptions[0].append(BodyOutput(result, output, iteration))
        self.validate_and_infer_types()
        return self.output(output)

    def get_concatenated_slices(self, body_value, start, stride, part_size, end, axis):
        result = self._result_index(body_value)
        output = self._add_output()
        self._output_descriptions[0].append(ConcatOutput(result, output, start, stride, part_size,
                                                         end, axis))
        self.validate_and_infer_types()
        return self.output(output)

    def _concat_length(self, description, length, count):
        """The length along ``axis`` of a ConcatOutput of ``count`` iterations (-1: unknown) of
        a body value ``length`` long there."""
        return Dimension(count * length.get_length()) if count >= 0 and length.is_static else \
            Dimension()

    def _infer_outputs(self, results, count):
        self._set_output_count(max(len(self._outputs), self.num_outputs))
        for description in self._output_descriptions[0]:
            result = results[description.body_value_index]
            element_type, shape = result.get_output_element_type(0), \
                result.get_output_partial_shape(0)
            if isinstance(description, ConcatOutput) and shape.rank_is_static:
                dims = list(shape)
                axis = description.axis + len(dims) if description.axis < 0 else description.axis
                self.check(0 <= axis < len(dims), f"concatenated output "
                           f"{description.output_index}: axis {description.axis} is out of range "
                           f"for the body's shape {shape}")
                dims[axis] = self._concat_length(description, dims[axis], count)
                shape = PartialShape(dims)
            self.set_output_type(description.output_index, element_type, shape)


@register_op
class Loop(_SingleBody):
    """Loop-5: runs its body while the iteration count is below the trip count and the condition
    holds."""

    type_name = "Loop"
    version = "opset5"
    inputs_spec = ("trip_count", "execution_condition", "inputs*")

    def __init__(self, *inputs, name=None, body=None, special_body_ports=(-1, -1), bodies=None,
                 input_descriptions=None, output_descriptions=None):
        self._special = [int(p) for p in special_body_ports]
        super().__init__(*inputs, name=name, bodies=bodies if bodies is not None else [body],
                         input_descriptions=input_descriptions,
                         output_descriptions=output_descriptions)

    def _extra_state(self):
        return {"special_body_ports": list(self._special)}

    # OpenVINO's Python API --------------------------------------------------------------------
    def get_special_body_ports(self) -> list:
        return list(self._special)

    def set_special_body_ports(self, ports) -> None:
        if len(ports) != 2:
            raise ValueError("special body ports are [current_iteration_input_index, "
                             f"body_condition_output_index], got {ports!r}")
        self._special = [int(p) for p in ports]
        self.validate_and_infer_types()

    def get_num_iterations(self) -> int:
        """The iteration count when known at build time (constant trip count, a condition that
        is constant true), else -1."""
        trip = _scalar_value(self.input_value(0))
        if trip is None or not self._always_goes_on():
            return -1
        return int(trip)

    def _always_goes_on(self) -> bool:
        if _scalar_value(self.input_value(1)) is not True:
            return False
        condition = self._special[1]
        if condition < 0:
            return True
        value = self._body().get_results()[condition].input_value(0)
        return _scalar_value(value) is True

    # inference --------------------------------------------------------------------------------
    def infer(self):
        for index, what in ((0, "trip count"), (1, "execution condition")):
            shape = self.get_input_partial_shape(index)
            self.check(not shape.rank_is_static or all(d.is_static and d.get_length() == 1
                                                       for d in shape),
                       f"the {what} must be a scalar or a 1-element tensor, got shape {shape}")
        self.check(self.get_input_element_type(1) in (Type.boolean, Type.dynamic),
                   f"the execution condition must be boolean, got {self.get_input_element_type(1)}")
        if self._bodies[0] is None:
            return
        body = self._bodies[0]
        parameters, results = body.get_parameters(), body.get_results()
        iteration, condition = self._special
        self.check(iteration < len(parameters), f"current_iteration body input {iteration} does "
                   f"not exist (the body has {len(parameters)} Parameters)")
        self.check(condition < len(results), f"body condition output {condition} does not exist "
                   f"(the body has {len(results)} Results)")
        self._infer_body(0)
        if condition >= 0:
            self.check(results[condition].get_output_element_type(0) in (Type.boolean,
                                                                        Type.dynamic),
                       "the body condition output must be boolean")
        self._infer_outputs(results, self.get_num_iterations())


@register_op
class TensorIterator(_SingleBody):
    """TensorIterator-1: runs its body once per slice of its sliced inputs (an RNN over a
    sequence), as ``openvino.opset1.tensor_iterator``::

        ti = ops.tensor_iterator()
        ti.set_body(body)
        ti.set_sliced_input(body_x, x.output(0), 0, 1, 1, -1, 1)
        ti.set_merged_input(body_h, h0.output(0), body_h_next.output(0))
        last_h = ti.get_iter_value(body_h_next.output(0), -1)
    """

    type_name = "TensorIterator"
    version = "opset1"
    inputs_spec = ("inputs*",)

    def __init__(self, *inputs, name=None, body=None, bodies=None, input_descriptions=None,
                 output_descriptions=None):
        super().__init__(*inputs, name=name, bodies=bodies if bodies is not None else [body],
                         input_descriptions=input_descriptions,
                         output_descriptions=output_descriptions)

    @classmethod
    def from_ir(cls, inputs, attributes, name):
        special = attributes.pop("special_body_ports", [-1, -1])
        if list(special) != [-1, -1]:
            raise OpValidationError(None, f"TensorIterator '{name}': its port map has a "
                                    "'current_iteration' or 'execution_condition' entry, which "
                                    "only Loop has")
        return cls(*inputs, name=name, **attributes)

    # OpenVINO's Python API --------------------------------------------------------------------
    def set_body(self, body) -> None:
        self.set_function(body)

    def get_body(self):
        return self._bodies[0]

    def get_num_iterations(self) -> int:
        """Iterations per run: from the first sliced input whose shape is static, as OpenVINO's
        ``(|end - start| + 1) / part_size``; without sliced inputs, from the first concatenated
        output, ``|end - start| / part_size``; -1 when unknown."""
        count = -1
        for description in self._input_descriptions[0]:
            if not isinstance(description, SlicedInput):
                continue
            shape = self.get_input_partial_shape(description.input_index)
            if not shape.is_static:  # OpenVINO keeps the count of an earlier one
                continue
            length = shape.to_shape()[description.axis]
            start, end = (value + length if value < 0 else value
                          for value in (description.start, description.end))
            count = (abs(end - start) + 1) // description.part_size
        if count < 0 and not self._has_sliced_input():
            concat = next((d for d in self._output_descriptions[0]
                           if isinstance(d, ConcatOutput)), None)
            if concat is not None:
                count = abs(concat.end - concat.start) // concat.part_size
        return count

    def _has_sliced_input(self) -> bool:
        return any(isinstance(d, SlicedInput) for d in self._input_descriptions[0])

    def _concat_length(self, description, length, count):
        return Dimension(count * description.part_size) if count >= 0 else Dimension()

    # inference --------------------------------------------------------------------------------
    def infer(self):
        if self._bodies[0] is None:
            return
        self.check(len(self._input_descriptions[0]) == self.get_input_size(),
                   f"{self.get_input_size()} inputs but {len(self._input_descriptions[0])} input "
                   f"descriptions: each input needs one")
        for description in self._input_descriptions[0]:
            if isinstance(description, SlicedInput):
                self.check(description.part_size > 0, f"sliced input {description.input_index}: "
                           f"part_size must be positive, got {description.part_size}")
        self._infer_body(0)
        self._infer_outputs(self._bodies[0].get_results(), self.get_num_iterations())


@register_op
class If(SubGraphOp):
    """If-8: runs the then-body when the condition holds, else the else-body."""

    type_name = "If"
    version = "opset8"
    inputs_spec = ("cond", "inputs*")
    body_names = ("then_body", "else_body")
    THEN, ELSE = 0, 1

    def __init__(self, *inputs, name=None, then_body=None, else_body=None, bodies=None,
                 input_descriptions=None, output_descriptions=None):
        super().__init__(*inputs, name=name,
                         bodies=bodies if bodies is not None else [then_body, else_body],
                         input_descriptions=input_descriptions,
                         output_descriptions=output_descriptions)

    # OpenVINO's Python API --------------------------------------------------------------------
    def get_then_body(self):
        return self._bodies[self.THEN]

    def get_else_body(self):
        return self._bodies[self.ELSE]

    def set_then_body(self, body) -> None:
        self.set_function(body, self.THEN)

    def set_else_body(self, body) -> None:
        self.set_function(body, self.ELSE)

    def set_input(self, value, then_parameter, else_parameter) -> None:
        """Feed ``value`` to ``then_parameter`` and ``else_parameter`` (either may be None)."""
        if then_parameter is None and else_parameter is None:
            raise OpValidationError(self, "set_input needs a Parameter of the then or the else "
                                    "body")
        indices = [None if p is None else self._parameter_index(p, body)
                   for body, p in ((self.THEN, then_parameter), (self.ELSE, else_parameter))]
        input_index = self._add_input(value)
        for body, index in enumerate(indices):
            if index is not None:
                self._input_descriptions[body].append(InvariantInput(input_index, index))
        self.validate_and_infer_types()

    def set_output(self, then_result, else_result):
        """A new output: ``then_result``'s value when the condition holds, else ``else_result``'s."""
        indices = [self._result_index(then_result, self.THEN),
                   self._result_index(else_result, self.ELSE)]
        output = self._add_output()
        for body, index in enumerate(indices):
            self._output_descriptions[body].append(BodyOutput(index, output, -1))
        self.validate_and_infer_types()
        return self.output(output)

    # inference --------------------------------------------------------------------------------
    def infer(self):
        shape = self.get_input_partial_shape(0)
        self.check(not shape.rank_is_static or all(d.is_static and d.get_length() == 1
                                                   for d in shape),
                   f"the condition must be a scalar or a 1-element tensor, got shape {shape}")
        self.check(self.get_input_element_type(0) in (Type.boolean, Type.dynamic),
                   f"the condition must be boolean, got {self.get_input_element_type(0)}")
        if any(body is None for body in self._bodies):
            return
        for body in (self.THEN, self.ELSE):
            self._infer_body(body)
        condition = _scalar_value(self.input_value(0))
        self._set_output_count(max(len(self._outputs), self.num_outputs))
        produced = {}
        for body in (self.THEN, self.ELSE):
            results = self._bodies[body].get_results()
            for description in self._output_descriptions[body]:
                result = results[description.body_value_index]
                produced.setdefault(description.output_index, {})[body] = (
                    result.get_output_element_type(0), result.get_output_partial_shape(0))
        for index, branches in sorted(produced.items()):
            if condition is not None:
                taken = self.THEN if condition else self.ELSE
                self.check(taken in branches, f"output {index} has no value in the "
                           f"{self.body_names[taken]}")
                element_type, shape = branches[taken]
            else:
                self.check(len(branches) == 2, f"output {index} needs a Result in both bodies")
                (type_a, shape_a), (type_b, shape_b) = branches[self.THEN], branches[self.ELSE]
                self.check(type_a.compatible(type_b), f"output {index}: the then body gives "
                           f"{type_a}, the else body {type_b}")
                element_type = type_a if type_a.is_static else type_b
                shape = shape_a if str(shape_a) == str(shape_b) else merge_shapes(shape_a,
                                                                                   shape_b)
            self.set_output_type(index, element_type, shape)
