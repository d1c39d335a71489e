"""The executable plan of a compiled model: a list of kernel calls over numbered value slots.

Every node output gets a slot. Constants fill their slots once, at compile time; each run copies
the slot list (not the arrays), so concurrent runs share weights and nothing else. After the step
that reads a slot for the last time the slot is released, so intermediates are freed as soon as
they are dead; kernels registered ``inplace`` receive such a dead buffer as ``out=``.
"""
from __future__ import annotations

import numpy as np

from ..ir.model import Model
from ..ir.ops.core import Constant, Parameter, Result
from .kernels import get_kernel

__all__ = ["Plan", "KernelError"]


class KernelError(RuntimeError):
    """A kernel failed; the message names the node, its type and its input shapes."""

    def __init__(self, node, inputs, cause):
        self.node = node
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a)
                           for a in inputs)
        super().__init__(f"While executing {node.get_type_name()} '{node.get_friendly_name()}' "
                         f"with inputs ({shapes}): {type(cause).__name__}: {cause}")


class Step:
    __slots__ = ("function", "inputs", "outputs", "attrs", "node", "inplace_slot", "release")

    def __init__(self, function, inputs, outputs, attrs, node):
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        self.node = node
        self.inplace_slot = None
        self.release = ()


class Plan:
    """Compiled from a Model whose passes have run; ``run(feeds)`` returns the result arrays."""

    def __init__(self, model: Model):
        self.model = model
        slot_of = {}
        initial = []

        def new_slot(output_key, value=None):
            slot_of[output_key] = len(initial)
            initial.append(value)
            return slot_of[output_key]

        self.parameter_slots = []
        self.constant_slots = set()
        steps = []
        for node in model.get_ordered_ops():
            if isinstance(node, Parameter):
                self.parameter_slots.append(new_slot((id(node), 0)))
                continue
            if isinstance(node, Constant):
                self.constant_slots.add(new_slot((id(node), 0), node.get_value()))
                continue
            if isinstance(node, Result):
                continue
            spec = get_kernel(node.get_type_name())
            attrs = node.get_attributes()
            if spec.needs_node:
                attrs["node"] = node
            inputs = tuple(slot_of[(id(src.get_node()), src.get_index())] for src in node.input_values())
            outputs = tuple(new_slot((id(node), i)) for i in range(node.get_output_size()))
            step = Step(spec.function, inputs, outputs, attrs, node)
            step.inplace_slot = -1 if spec.inplace else None
            steps.append(step)
        self.result_slots = [slot_of[(id(r.input_value(0).get_node()), r.input_value(0).get_index())]
                             for r in model.get_results()]
        self.initial = initial
        self.steps = steps
        self._plan_memory()

    def _plan_memory(self):
        keep = set(self.result_slots) | self.constant_slots | set(self.parameter_slots)
        last_use = {}
        for index, step in enumerate(self.steps):
            for slot in step.inputs:
                last_use[slot] = index
        for index, step in enumerate(self.steps):
            dead = tuple(sorted({s for s in step.inputs if last_use.get(s) == index and s not in keep}))
            step.release = dead
            if step.inplace_slot is not None:
                first = step.inputs[0] if step.inputs else None
                # only a buffer this plan produced and nobody reads later may be overwritten
                step.inplace_slot = first if first in dead and step.inputs.count(first) == 1 else None
        # outputs nobody reads are released right after they are produced
        for index, step in enumerate(self.steps):
            unused = tuple(s for s in step.outputs if s not in last_use and s not in keep)
            if unused:
                step.release = step.release + unused

    def run(self, feeds):
        values = list(self.initial)
        for slot, value in zip(self.parameter_slots, feeds):
            values[slot] = value
        for step in self.steps:
            args = [values[s] for s in step.inputs]
            try:
                if step.inplace_slot is not None:
                    produced = step.function(*args, out=values[step.inplace_slot], **step.attrs)
                else:
                    produced = step.function(*args, **step.attrs)
            except Exception as exc:
                raise KernelError(step.node, args, exc) from exc
            if len(step.outputs) == 1:
                values[step.outputs[0]] = produced
            else:
                for slot, value in zip(step.outputs, produced):
                    values[slot] = value
            for slot in step.release:
                values[slot] = None
        results = []
        for slot in self.result_slots:
            value = values[slot]
            if slot in self.constant_slots or slot in self.parameter_slots:
                value = np.array(value, copy=True)
            results.append(np.asarray(value))
        return results
