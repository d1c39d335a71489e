"""Static segments: runs of oneDNN static calls executed against a per-thread memory arena.

A step bound to a :class:`~ov_notebook.runtime.onednn.static.StaticCall` still pays, per call,
the plan loop's bookkeeping, a layout check and an address read of every argument, a fresh output
buffer and the numpy view of it: ~8 us of Python when the caches are warm. In a model they are
not: each step runs right after a convolution streamed its weights and activations through the
caches, and the same Python took ~19 us per oneDNN call (efficientnet_b0, batch 1, one thread:
2.2 ms of its 15 ms; OpenVINO's whole executor costs ~0.2 ms).

For static shapes compile time knows every output's size and every step's readers, so the outputs
of static calls can live at fixed offsets of one buffer per thread, planned by lifetime as
OpenVINO's memory solver does (a region is reused once its value's last reader has run; a residual
summed into in place shares its region with the sum). A run of consecutive static calls becomes one
program entry whose loop, per step, only compares the primitive's bound addresses with the ones
planned (set once per thread; re-set if another path moved them), checks and reads the inputs
produced outside the arena, and calls ``dnnl_primitive_execute``.

Rules that keep it exact:

- A value in the arena is overwritten once its region is reused, so nothing may outlive its
  planned lifetime: results never live in the arena, and what a step outside the arena returns is
  copied out when it shares memory with the arena (a Reshape's view of a convolution's output;
  ``escape``). A dead arena value goes out as ``out=`` only to a step outside that the layout
  planned the write for (guard 2: a squeeze-excite step scaling its input in place, whose output
  then holds the region for its own lifetime); ``Plan``'s ownership rule refuses every other.
- An input produced outside laid out otherwise than compile time saw (a view, another dtype) runs
  the step's own call, whose output is copied into the step's region.
- Another thread count than the primitives were made for, or a run re-entering the same plan on
  the same thread (from a node callback), runs the plan's ordinary program.

Memory: a region is shared only by arena values, so where steps outside make values as big as
those inside (a transformer's attention and element-wise steps), the arena's size and their peak
add up. ``build`` estimates both peaks from the static shapes and makes no arena when it would
exceed ``MEMORY_LIMIT`` times the peak without it (the convolution networks keep theirs at 1.0-1.15x;
ViT-B/16 and BERT run without: 1.6-1.7x, and their GEMM-bound steps gain nothing from it).

``OV_NOTEBOOK_ARENA=0`` turns it off (every step then allocates as before), to compare.
"""
from __future__ import annotations

import os
import threading
import time

import numpy as np

__all__ = ["ArenaLayout", "escape", "ENVIRONMENT_VARIABLE"]

ENVIRONMENT_VARIABLE = "OV_NOTEBOOK_ARENA"
ALIGNMENT = 64
SEGMENT = 3  # the program entry's mode (Plan._program: 0 call, 1 in-place call, 2 stateful)
# the arena is used where its estimated peak (its size plus the values outside it) stays within
# this factor of the peak without it (resnet50 batch 8: 45.9 against 39.8 MiB, for 6% less time)
MEMORY_LIMIT = 1.2


def enabled() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE, "1") != "0"


def _static_call(step):
    """The StaticCall a step is bound to (duck-typed: ``runtime.onednn`` is optional), or None."""
    call = step.fast_call
    return call if call is not None and hasattr(call, "primitive") and \
        hasattr(call, "in_place") else None


def escape(value, raw):
    """``value`` (a step's output, or a tuple of them) with every array that may share memory with
    the arena ``raw`` replaced by a copy."""
    if isinstance(value, np.ndarray):
        return value.copy() if value.base is raw or np.may_share_memory(value, raw) else value
    if isinstance(value, (tuple, list)):
        return type(value)(escape(item, raw) for item in value)
    return value


class _Entry:
    """One static step in the arena: the StaticCall it runs (the in-place variant when its output
    shares the dead residual's region), where its inputs come from, its output's region."""

    __slots__ = ("index", "step", "call", "bound", "output", "arena_inputs", "external_inputs")

    def __init__(self, index, step, call, bound):
        self.index, self.step, self.call, self.bound = index, step, call, bound
        self.output = step.outputs[0]
        self.arena_inputs = ()  # (primitive position, slot)
        self.external_inputs = ()  # (primitive position, slot, shape, strides)


class ArenaLayout:
    """Which slots of a plan live in the arena and where; its program with static segments.

    ``program``: ``Plan._program()``'s tuple. ``build`` returns None where no step qualifies."""

    def __init__(self, plan, program, entries, offsets, size, threads, guarded):
        self.plan, self.entries, self.offsets, self.size = plan, entries, offsets, size
        self.threads = threads
        # program index -> 1 for a step outside that reads arena values, 2 for one that may also
        # write into the arena region of the dead input the plan hands it as out=
        self.guarded = guarded
        self.program = self._segmented(program)
        self._local = threading.local()

    @classmethod
    def build(cls, plan, program):
        if not enabled():
            return None
        keep = set(plan.result_slots) | plan.borrowed
        last_use = {}
        for index, step in enumerate(plan.steps):
            for slot in step.inputs:
                last_use[slot] = index
        entries, group_of, groups = {}, {}, []  # groups: [start, end, bytes]
        produced = {}  # arena slot -> (shape, strides) of the value its step returns
        through = set()  # steps outside given an arena region as out=
        threads = None
        for index, (function, _, _, mode, inplace, outputs, _, step, _) in enumerate(program):
            call = _static_call(step)
            if call is None and mode == 1 and inplace is not None and inplace[0] in produced \
                    and outputs.__class__ is int and outputs not in keep:
                # a step outside (squeeze-excite) may write into the dead value's region: its
                # output holds the region as long as it lives (read per run, not trusted)
                group_of[outputs] = group = group_of[inplace[0]]
                groups[group][1] = max(groups[group][1], last_use.get(outputs, index))
                through.add(index)
                continue
            if call is None or mode == 2 or outputs.__class__ is not int or outputs in keep or \
                    call.given_output or not call.output_bytes or \
                    (threads is not None and call.threads != threads):
                continue
            threads = call.threads
            residual = inplace[0] if inplace is not None else None
            if residual is not None and call.in_place is not None and \
                    produced.get(residual) == _layout(call.in_place):
                group = group_of[residual]  # the sum goes into the dead residual's region
                entry = _Entry(index, step, call.in_place, function)
            else:
                group = len(groups)
                groups.append([index, index, call.output_bytes])
                entry = _Entry(index, step, call, function)
            group_of[outputs] = group
            produced[outputs] = _layout(entry.call)
            groups[group][1] = max(groups[group][1], last_use.get(outputs, index))
            entries[index] = entry
        if not entries:
            return None
        offsets, size = _place(groups)
        plain, with_arena = _peaks(plan, program, last_use, keep, group_of, size)
        if with_arena > MEMORY_LIMIT * plain + (256 << 10):
            return None  # what the arena keeps apart would outweigh what it saves
        slot_offsets = {slot: offsets[group] for slot, group in group_of.items()}
        for entry in entries.values():
            _wire(entry, produced)
        guarded = {index: 2 if index in through else 1 for index, step in enumerate(plan.steps)
                   if index not in entries and any(slot in group_of for slot in step.inputs)}
        return cls(plan, program, entries, slot_offsets, size, threads, guarded)

    def _segmented(self, program):
        """``program`` with each run of consecutive arena steps replaced by one entry whose
        function runs them (``Plan.run`` calls it with the run's values and arena state) and
        which releases what they released; steps outside that read arena values marked."""
        result, run = [], []

        def close():
            if run:
                released = tuple(slot for index in run for slot in program[index][6])
                entries = tuple(self.entries[index] for index in run)
                result.append((_segment_runner(entries), (), {}, SEGMENT, None, None, released,
                               None, False))
                run.clear()
        for index, item in enumerate(program):
            if index in self.entries:
                run.append(index)
                continue
            close()
            result.append(item[:8] + (self.guarded.get(index, 0),))
        close()
        return tuple(result)

    def state(self):
        """This thread's arena (made at its first run), or None while a run of this plan on this
        thread is in progress (a re-entrant run uses the ordinary program)."""
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = _State(self)
        return None if state.busy else state


def _peaks(plan, program, last_use, keep, group_of, arena_bytes):
    """Estimated peak bytes of one run's values without the arena and with it (its size plus
    the peak of the values that stay outside), from the static output shapes; a value the plan
    writes in place shares its input's memory; one of unknown size, or that nobody reads (freed
    as it is made; a MaxPool's indices are not even allocated), counts 0.

    Without the arena every value is freed at its last use; with it, a region is only shared by
    values of the arena, so where steps outside make big values too (attention, element-wise
    numpy steps of a transformer) the two peaks add up: ViT-B/16 at batch 8 measured 32.4 MiB
    without and 55.4 with."""
    start, end, nbytes, group = {}, {}, {}, {}
    for index, (_, _, _, mode, inplace, outputs, _, step, _) in enumerate(program):
        slots = (outputs,) if outputs.__class__ is int else outputs
        for port, slot in enumerate(slots):
            if slot in keep and slot not in plan.result_slots:
                continue
            if port == 0 and mode == 1 and inplace is not None and inplace[0] in group:
                group[slot] = group[inplace[0]]  # written into its dead input
            else:
                group[slot] = slot
                start[slot] = index
                read = slot in last_use or slot in plan.result_slots
                nbytes[slot] = _bytes(step.node, port) if read else 0
            owner = group[slot]
            end[owner] = max(end.get(owner, index), last_use.get(slot, index))
    inside = {group[slot] for slot in group_of if slot in group}
    outside = [owner for owner in start if owner not in inside]
    steps = len(program)

    def peak(owners):
        live = [0] * (steps + 1)
        for owner in owners:
            live[start[owner]] += nbytes[owner]
            live[min(end[owner], steps - 1) + 1] -= nbytes[owner]
        best = total = 0
        for change in live:
            total += change
            best = max(best, total)
        return best
    return peak(start), arena_bytes + peak(outside)


def _bytes(node, port) -> int:
    shape = node.get_output_partial_shape(port)
    if not shape.is_static:
        return 0
    count = 1
    for dim in shape:
        count *= dim.get_length()
    try:
        return count * np.dtype(node.get_output_element_type(port).to_dtype()).itemsize
    except (TypeError, ValueError, AttributeError):  # packed or unusual element types
        return count


def _place(groups):
    """Offsets for ``groups`` ([first step, last step, bytes]) such that two whose step ranges
    overlap never overlap in memory: largest first, each at the lowest gap that fits."""
    order = sorted(range(len(groups)), key=lambda g: (-groups[g][2], groups[g][0]))
    offsets, placed, size = {}, [], 0
    for group in order:
        start, end, nbytes = groups[group]
        nbytes = -(-nbytes // ALIGNMENT) * ALIGNMENT
        busy = sorted((offsets[other], offsets[other] + -(-groups[other][2] // ALIGNMENT) *
                       ALIGNMENT) for other in placed
                      if not (groups[other][1] < start or end < groups[other][0]))
        offset = 0
        for low, high in busy:
            if offset + nbytes <= low:
                break
            offset = max(offset, high)
        offsets[group] = offset
        placed.append(group)
        size = max(size, offset + nbytes)
    return offsets, size


def _layout(call):
    """(shape, strides) of the array a StaticCall returns: its C-contiguous output, transposed
    by ``output_view`` where it has one."""
    shape, strides, view = call.output_shape, call.output_strides, call.output_view
    if view is None:
        return shape, strides
    return tuple(shape[axis] for axis in view), tuple(strides[axis] for axis in view)


def _wire(entry, produced):
    """Split the step's inputs into those in the arena (addresses fixed per thread) and those
    checked and read per run: produced outside, or in the arena laid out otherwise than the
    primitive was made for (which then runs the step's own call)."""
    call, step = entry.call, entry.step
    checks = {index: (shape, strides) for index, shape, strides in call.checks}
    arena, external = [], []
    for position, index in call.inputs:
        slot = step.inputs[index]
        if produced.get(slot) == checks[index]:
            arena.append((position, slot))
        else:
            external.append((position, slot) + checks[index])
    entry.arena_inputs, entry.external_inputs = tuple(arena), tuple(external)


class _State:
    """One thread's arena: the buffer, the value each arena slot holds (a view of it), and per
    step the primitive's bound memory objects with the addresses planned for them."""

    def __init__(self, layout):
        self.busy = False
        raw = self.raw = np.empty(layout.size + ALIGNMENT, np.uint8)  # every view's base
        start = -raw.ctypes.data % ALIGNMENT
        base = raw.ctypes.data + start
        self.views = {}
        self.addresses = {}
        for entry in layout.entries.values():
            call, offset = entry.call, layout.offsets[entry.output]
            memory = raw[start + offset:start + offset + call.output_bytes].view(np.float32)
            value = memory.reshape(call.output_shape)
            self.views[entry.output] = value if call.output_view is None else \
                value.transpose(call.output_view)
            self.addresses[entry.output] = base + offset
        self.steps = {}

    def prepared(self, entry):
        """(bound memory objects, their exec args, pointers, fixed (position, address) pairs,
        the primitive's handle) of ``entry``'s primitive on this thread."""
        found = self.steps.get(entry.index)
        if found is None:
            call = entry.call
            primitive = call.primitive
            memories, exec_args, _, pointers = getattr(primitive._local, "bound", None) or \
                primitive._bound()  # noqa: SLF001
            fixed = [(position, address) for position, address, _ in call.constants]
            fixed += [(position, self.addresses[slot]) for position, slot in entry.arena_inputs]
            fixed.append((call.output, self.addresses[entry.output]))
            found = self.steps[entry.index] = (memories, exec_args, pointers, tuple(fixed),
                                               primitive.handle)
        return found


def _segment_runner(entries):
    """The function of a segment's program entry: ``run(values, state, timings, on_step)``."""
    from .plan import KernelError, Plan  # (a cycle at import time: plan imports this module)

    first = entries[0].call
    runtime = first.runtime
    lib = runtime.lib
    execute, set_handle = lib.dnnl_primitive_execute, lib.dnnl_memory_set_data_handle
    threads = first.threads
    ndarray, f32 = np.ndarray, np.dtype(np.float32)
    clock = time.perf_counter

    def fallback(entry, values, view):
        """The step's own call on what it received, its output copied into its region."""
        step = entry.step
        args = [values[slot] for slot in step.inputs]
        try:
            produced = entry.bound(*args)
        except Exception as exc:
            raise KernelError(step.node, args, exc) from exc
        np.copyto(view, produced)

    def run(values, state, timings, on_step):
        runtime.set_threads(threads)
        stream = runtime.stream()
        views = state.views
        observed = timings is not None or on_step is not None
        for entry in entries:
            memories, exec_args, pointers, fixed, handle = state.prepared(entry)
            if observed:
                started = clock()
            for position, address in fixed:
                if pointers[position] != address:
                    set_handle(memories[position], address)
                    pointers[position] = address
            view = views[entry.output]
            for position, slot, shape, strides in entry.external_inputs:
                array = values[slot]
                if array.__class__ is not ndarray or array.dtype is not f32 or \
                        array.shape != shape or array.strides != strides:
                    fallback(entry, values, view)
                    runtime.set_threads(threads)
                    break
                address = array.ctypes.data
                if pointers[position] != address:
                    set_handle(memories[position], address)
                    pointers[position] = address
            else:
                status = execute(handle, stream, len(exec_args), exec_args)
                if status:
                    from .onednn._capi import check

                    args = [values[slot] for slot in entry.step.inputs]
                    try:
                        check(status, "dnnl_primitive_execute")
                    except Exception as exc:
                        raise KernelError(entry.step.node, args, exc) from exc
            values[entry.output] = view
            if observed:
                Plan._observe(entry.step, view, clock() - started, timings, on_step)  # noqa: SLF001
    run.entries = entries
    return run

