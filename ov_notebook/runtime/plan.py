"""The executable plan of a compiled model: a list of kernel calls over numbered value slots.

Every node output gets a slot. Constants fill their slots once, at compile time; each run copies
the slot list (not the arrays), so concurrent runs share weights and nothing else. After the step
that reads a slot for the last time the slot is released, so intermediates are freed as soon as
they are dead; kernels registered ``inplace`` receive such a dead buffer as ``out=`` (their
first input's, or the input their compile-time hook names: a residual a oneDNN convolution sums
into).

A dead buffer is only handed out when this run produced it, it owns its memory and no live slot
can alias it: a kernel that returns a view of (or the very array of) one of its inputs marks those
slots as shared for the rest of the run, so writing into one can never change another.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from ..ir.model import Model
from ..ir.ops.core import Constant, Parameter, Result
from .arena import SEGMENT, ArenaLayout, escape
from .kernels import get_kernel
from .parallel import current_threads

__all__ = ["Plan", "KernelError", "NodeCallbackError"]


def describe_node(node) -> str:
    """``Type 'name'``, and the model's own nodes behind it when it is a fused op."""
    fused = node.rt_info.get("fused_names")
    origin = f" (fused from {fused.replace(',', ', ')})" if fused else ""
    return f"{node.get_type_name()} '{node.get_friendly_name()}'{origin}"


class KernelError(RuntimeError):
    """A kernel failed; the message names the node, its type and its input shapes."""

    def __init__(self, node, inputs, cause):
        self.node = node
        self.cause = cause
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a)
                           for a in inputs)
        super().__init__(f"While executing {describe_node(node)} with inputs ({shapes}): "
                         f"{type(cause).__name__}: {cause}")


class NodeCallbackError(RuntimeError):
    """The per-node callback of a run (``InferRequest.set_node_callback``) raised; the message
    names the node whose outputs it was given."""

    def __init__(self, node, cause):
        self.node = node
        self.cause = cause
        super().__init__(f"The node callback failed on the outputs of {describe_node(node)}: "
                         f"{type(cause).__name__}: {cause}")


def _read_only(value) -> np.ndarray:
    """A view of ``value`` that cannot write into the run's buffers (or weights, or inputs)."""
    view = np.asarray(value).view()
    view.flags.writeable = False
    return view


class Step:
    __slots__ = ("function", "inputs", "outputs", "attrs", "node", "inplace_slot", "release",
                 "stateful", "fast_call", "inplace_index")

    def __init__(self, function, inputs, outputs, attrs, node):
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        self.node = node
        self.inplace_slot = None
        self.release = ()
        self.stateful = getattr(node, "stateful", False)  # gets the run's ``variables``
        self.fast_call = None  # see Plan._make_step
        self.inplace_index = 0  # which input's dead buffer goes in as ``out=``

    def __repr__(self):
        return (f"<Step {self.node.get_type_name()} '{self.node.get_friendly_name()}' "
                f"{self.inputs}->{self.outputs} inplace={self.inplace_slot} release={self.release}>")


def _owner(array):
    """The array that owns the memory of ``array`` (numpy collapses view chains to the owner)."""
    base = getattr(array, "base", None)
    return array if base is None else base


def _owner_references(array) -> int:
    owner = array.base
    return sys.getrefcount(owner) if isinstance(owner, np.ndarray) else -1


# what getrefcount counts for the owner of a view that alone reaches it (interpreters differ in
# the references their own frames hold, so measured rather than assumed)
_SOLE_REFERENCES = _owner_references(np.empty(1)[:])


def _sole_view(array) -> bool:
    """Whether ``array`` is a C-contiguous view through which alone its owner's memory is
    reachable (the oneDNN kernels' outputs are views of 64-byte aligned buffers): no other
    array, slot or cache holds the owner, so none can see a write into it."""
    return array.flags.c_contiguous and _owner_references(array) == _SOLE_REFERENCES and \
        array.base.flags.owndata


def _aliases(value, args) -> bool:
    """Whether ``value`` may share memory with one of ``args`` (is one, or a view of one's owner)."""
    owner = _owner(value)
    return any(owner is _owner(arg) for arg in args)


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
            elif isinstance(node, Constant):
                self.constant_slots.add(new_slot((id(node), 0), node.get_value()))
            elif not isinstance(node, Result):
                steps.append(self._make_step(node, slot_of, new_slot))
        self.result_slots = [slot_of[(id(r.input_value(0).get_node()), r.input_value(0).get_index())]
                             for r in model.get_results()]
        self.initial = initial
        self.steps = steps
        self.program = None  # the steps as run() reads them, built by its first call
        self.arena = None  # its ArenaLayout (runtime/arena.py), if static steps qualify
        self._plan_memory()

    @staticmethod
    def _make_step(node, slot_of, new_slot):
        spec = get_kernel(node.get_type_name())
        attrs = node.get_attributes()
        if spec.needs_node:
            attrs["node"] = node
        fast_call = inplace_input = None
        if spec.prepare is not None:  # compile-time work on constant inputs (weight prepacking)
            attrs = spec.prepare(node, attrs)
            # a call with what the hook resolved for static shapes (onednn/static.py); its
            # ``bind(function, attrs)`` runs the kernel where the arguments differ
            fast_call = attrs.pop("fast_call", None)
            # another input than the first whose dead buffer the kernel may write into
            inplace_input = attrs.pop("inplace_input", None)
        inputs = tuple(slot_of[(id(src.get_node()), src.get_index())] for src in node.input_values())
        outputs = tuple(new_slot((id(node), i)) for i in range(node.get_output_size()))
        step = Step(spec.function, inputs, outputs, attrs, node)
        step.fast_call = fast_call
        step.inplace_slot = -1 if spec.inplace or inplace_input is not None else None
        step.inplace_index = inplace_input or 0
        return step

    def _plan_memory(self):
        self.borrowed = frozenset(self.constant_slots | set(self.parameter_slots))
        keep = set(self.result_slots) | self.borrowed
        last_use = {}
        for index, step in enumerate(self.steps):
            for slot in step.inputs:
                last_use[slot] = index
        for index, step in enumerate(self.steps):
            dead = {s for s in step.inputs if last_use.get(s) == index and s not in keep}
            # outputs nobody reads are released right after they are produced
            dead.update(s for s in step.outputs if s not in last_use and s not in keep)
            step.release = tuple(sorted(dead))
            if step.inplace_slot is not None:
                index = step.inplace_index
                first = step.inputs[index] if index < len(step.inputs) else None
                # only a buffer this plan produced and nobody reads later may be overwritten
                step.inplace_slot = first if first in dead and step.inputs.count(first) == 1 else None

    def variables(self):
        """A new, empty store of this plan's variables (ReadValue/Assign state)."""
        from .state import VariableStore

        return VariableStore(self.model.get_variables())

    def _program(self) -> tuple:
        """Per step, what the loop of ``run`` reads, as one flat tuple: ``(function, input
        slots, attributes, mode, (inplace slot, its input index) or None, output slot or slots,
        released slots, step)``.
        ``mode`` 0 calls ``function(*args, **attrs)``; 1 may pass a dead buffer as ``out=``;
        2 passes the run's ``variables``; 3 is a segment of static steps on the arena (its
        function runs them; ``runtime/arena.py``), whose program also marks (last field, the
        guard) the steps whose outputs may alias the arena (1) and those it planned an in-place
        write into an arena region for (2). Built at the first run (compile-time hooks such as
        ``share_packed_weights`` edit the plan after ``__init__``), then read by every run.
        """
        program = []
        for step in self.steps:
            mode = 2 if step.stateful else 1 if step.inplace_slot is not None else 0
            outputs = step.outputs[0] if len(step.outputs) == 1 else step.outputs
            function, attrs = step.function, step.attrs
            if step.fast_call is not None and mode != 2:
                function, attrs = step.fast_call.bind(function, attrs), {}
            inplace = None if step.inplace_slot is None else \
                (step.inplace_slot, step.inplace_index)
            program.append((function, step.inputs, attrs, mode, inplace, outputs, step.release,
                            step, False))
        return tuple(program)

    def run(self, feeds, timings=None, on_step=None, variables=None):
        """Execute every step and return the result arrays.

        ``variables``: the VariableStore stateful steps (ReadValue, Assign) read and write.

        ``timings`` (a list) receives the seconds of each step's kernel, in step order;
        ``on_step(node, outputs)`` is called after each step with its node and a tuple of
        read-only views of its outputs, valid until the next step (which may overwrite them in
        place). Without either, the loop reads no clock and calls nothing extra.

        The loop is the executor's per-step cost, so it reads only the flat tuples of
        ``_program`` and checks aliasing inline (see the module docstring for the rules).
        """
        program = self.program
        if program is None:
            program = self.program = self._program()
            self.arena = ArenaLayout.build(self, program)
        arena, state, raw = self.arena, None, None
        if arena is not None and current_threads() == arena.threads:
            state = arena.state()  # None: this thread is inside a run of this plan already
        if state is not None:
            program, raw = arena.program, state.raw
            state.busy = True
        try:
            return self._run(program, feeds, timings, on_step, variables, state, raw)
        finally:
            if state is not None:
                state.busy = False

    def _run(self, program, feeds, timings, on_step, variables, state, raw):
        values = list(self.initial)
        for slot, value in zip(self.parameter_slots, feeds):
            values[slot] = value
        shared = set()  # slots that may alias another slot's memory in this run
        observed = timings is not None or on_step is not None
        clock = time.perf_counter
        ndarray = np.ndarray
        for function, inputs, attrs, mode, inplace, outputs, release, step, guard in program:
            if mode == SEGMENT:
                function(values, state, timings, on_step)
                for slot in release:
                    values[slot] = None
                continue
            args = [values[s] for s in inputs]
            out = None
            try:
                if observed:
                    started = clock()
                if mode == 0:
                    produced = function(*args, **attrs)
                elif mode == 1:
                    if inplace is not None and inplace[0] not in shared:
                        out = args[inplace[1]]
                        flags = out.flags if out.__class__ is ndarray else None
                        # (an arena region the layout planned for this write: guard 2)
                        if flags is not None and flags.writeable and \
                                (flags.owndata or guard == 2 or _sole_view(out)):
                            produced = function(*args, out=out, **attrs)
                        else:
                            out = None
                            produced = function(*args, **attrs)
                    else:
                        produced = function(*args, **attrs)
                else:
                    produced = function(*args, variables=variables, **attrs)
            except Exception as exc:
                raise KernelError(step.node, args, exc) from exc
            # nothing derived from arena memory outlives its region's planned lifetime
            if guard and not (guard == 2 and produced is out and out is not None):
                produced = escape(produced, raw)
            if observed:
                self._observe(step, produced, clock() - started, timings, on_step)
            # the dead buffer given as out= may be returned: aliasing it is harmless
            if out is not None:
                del args[inplace[1]]
            if outputs.__class__ is int:
                if args:
                    base = getattr(produced, "base", None)
                    owner = produced if base is None else base
                    for arg in args:
                        base = getattr(arg, "base", None)
                        if owner is arg or owner is base:
                            shared.update(inputs)
                            shared.add(outputs)
                            break
                values[outputs] = produced
            else:
                for slot, value in zip(outputs, produced):
                    if args and _aliases(value, args):
                        shared.update(inputs)
                        shared.add(slot)
                    values[slot] = value
            for slot in release:
                values[slot] = None
            # released values must not live on until the next step; nor may the owner found
            # by the aliasing check (held here, it made the next step's in-place check fail on
            # a buffer just produced: one reference more than a sole view's), nor the flags of
            # the buffer written in place (they hold it: its memory outlived its release), nor
            # the last output of a multi-output step (the loop variable held a MaxPool's unread
            # indices, 12 MiB at resnet50's batch 8, to the end of the run)
            args = out = produced = owner = base = flags = value = None
        results, seen = [], set()
        for slot in self.result_slots:  # an output listed twice must not come back as one array
            results.append(self._result(slot, values[slot], shared, slot in seen))
            seen.add(slot)
        return results

    @staticmethod
    def _observe(step, produced, seconds, timings, on_step):
        if timings is not None:
            timings.append(seconds)
        if on_step is not None:
            outputs = produced if len(step.outputs) > 1 else (produced,)
            views = tuple(_read_only(value) for value in outputs)
            try:
                on_step(step.node, views)
            except Exception as exc:
                raise NodeCallbackError(step.node, exc) from exc

    def _result(self, slot, value, shared, repeated):
        # results must not alias weights, the caller's inputs or each other's views
        if repeated or slot in self.borrowed or slot in shared:
            return np.array(value, copy=True)
        return np.asarray(value)
