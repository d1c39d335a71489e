"""A step's oneDNN call with everything compile time knows resolved, for static shapes.

A kernel of ``ops.py`` called through its step does per call what only the first call needs:
views of the arguments in oneDNN's logical order, layout checks and a cache lookup by shape and
strides, pads, an output buffer whose address numpy computes once more, and a pointer read of
every argument, weights included: 16-19 us of Python around 1.5 us of oneDNN work on a small
convolution (``benchmarks/overhead.py --kind conv``). For a step whose input shapes are static
its primitive was made at compile time, for arrays laid out as the step receives them; a
:class:`StaticCall` keeps that primitive with the expected (shape, strides, dtype) of each
runtime argument and the constant arguments' addresses, and per call only compares layouts,
reads the runtime arguments' addresses, allocates the output and executes. An argument laid out
otherwise (a view, another batch of a dynamic model, another thread budget) takes the kernel's
own path, which handles every case.
"""
from __future__ import annotations

import numpy as np

from ._runtime import ALIGNMENT
from ..parallel import current_threads

__all__ = ["StaticCall", "OUT"]

_F32 = np.dtype(np.float32)
OUT = "out"  # an ``order`` entry: the output is the buffer the plan passes as ``out=``


class StaticCall:
    """``primitive`` run on a step's arguments as compile time saw them.

    ``order``: the primitive's ``execute`` arguments in order, each the index of the step's
    argument it reads (int), a constant array (weights, bias: its address is set once per
    thread), None for the output, allocated per call, or :data:`OUT` for the output written
    into the dead buffer the plan passes as ``out=`` (a residual a sum post-op adds to).
    ``expected``: {step argument index: sample array laid out as the step receives it}.
    ``output_shape``: the array the step returns (C-contiguous); ``output_view``: an axis order
    the step returns it in (a channels-first view of channels-last memory), or None.
    """

    __slots__ = ("runtime", "primitive", "threads", "checks", "inputs", "constants", "output",
                 "output_shape", "output_bytes", "output_view", "arity", "given_output",
                 "output_strides", "in_place")

    def __init__(self, runtime, primitive, threads, order, expected, output_shape,
                 output_view=None):
        self.runtime, self.primitive, self.threads = runtime, primitive, threads
        self.checks = tuple((index, sample.shape, sample.strides)
                            for index, sample in sorted(expected.items()))
        self.inputs = tuple((position, item) for position, item in enumerate(order)
                            if isinstance(item, int))
        # (position, address, array): holding the array keeps its address valid
        self.constants = tuple((position, item.ctypes.data, item) for position, item
                               in enumerate(order) if isinstance(item, np.ndarray))
        outputs = [position for position, item in enumerate(order)
                   if item is None or item is OUT]
        if len(outputs) != 1 or len(order) != len(primitive.arguments):
            raise ValueError(f"a static oneDNN call needs one output among the primitive's "
                             f"{len(primitive.arguments)} arguments, got {order!r}")
        self.output = outputs[0]
        self.given_output = order[self.output] is OUT
        self.output_shape = tuple(int(d) for d in output_shape)
        self.output_bytes = int(np.prod(self.output_shape, dtype=np.int64)) * 4
        self.output_strides = np.empty(self.output_shape, _F32).strides if self.output_bytes \
            else None
        self.output_view = output_view
        self.arity = max([index for index, *_ in self.checks] + [-1]) + 1
        self.in_place = None  # the variant writing into ``out=`` (a StaticCall with OUT)

    def matches(self, args, out=None) -> bool:
        """Whether ``args`` (and ``out``, for a call that writes into it) are laid out as the
        primitive was made for, on its thread count."""
        if len(args) < self.arity or current_threads() != self.threads:
            return False
        if self.given_output and (out.__class__ is not np.ndarray or out.dtype is not _F32 or
                                  out.shape != self.output_shape or
                                  out.strides != self.output_strides):
            return False
        for index, shape, strides in self.checks:
            array = args[index]
            if array.__class__ is not np.ndarray or array.dtype is not _F32 or \
                    array.shape != shape or array.strides != strides:
                return False
        return True

    def run(self, args, out):
        """Execute on ``args`` into ``out`` (``matches(args, out)`` must hold): the call of an
        ``in_place`` variant; a call that allocates its output runs in :meth:`bind`'s closure."""
        primitive, runtime = self.primitive, self.runtime
        bound = getattr(primitive._local, "bound", None) or primitive._bound()  # noqa: SLF001
        memories, exec_args, _, pointers = bound
        set_handle = runtime.lib.dnnl_memory_set_data_handle
        for position, address, _ in self.constants:
            if pointers[position] != address:  # once per thread: constants do not move
                set_handle(memories[position], address)
                pointers[position] = address
        for position, index in self.inputs:
            address = args[index].ctypes.data
            if pointers[position] != address:
                set_handle(memories[position], address)
                pointers[position] = address
        address, position = out.ctypes.data, self.output
        if pointers[position] != address:
            set_handle(memories[position], address)
            pointers[position] = address
        runtime.set_threads(self.threads)
        primitive.launch(exec_args)
        return out if self.output_view is None else out.transpose(self.output_view)

    def bind(self, function, attrs):
        """The step's function taking its arguments (and the plan's ``out=``) only: the
        ``in_place`` variant where it matches ``out``, else this call where the arguments
        match, else ``function(*args, **attrs)``. This call allocates its output (an ``OUT``
        one is only reached as another's ``in_place``).

        The closure is :meth:`matches` and an allocating run inlined, with everything they read
        bound to its locals: a Python call and a few attribute reads cost ~0.1 us each, and
        ``benchmarks/overhead.py --kind conv`` steps are ~8 us in all."""
        if self.given_output:
            raise ValueError("bind the StaticCall that allocates its output; the one writing "
                             "into out= is reached as its in_place variant")
        call = self._allocating_call(function, attrs)
        call.__name__ = getattr(function, "__name__", "call")
        call.static_call = self
        return call

    def _allocating_call(self, function, attrs):
        in_place, threads, checks, arity = self.in_place, self.threads, self.checks, self.arity
        inputs, constants, position = self.inputs, self.constants, self.output
        primitive, runtime = self.primitive, self.runtime
        local, bind_memories = primitive._local, primitive._bound  # noqa: SLF001
        set_handle = runtime.lib.dnnl_memory_set_data_handle
        launch, set_threads = primitive.launch, runtime.set_threads  # (launch: tests spy on it)
        shape, nbytes, empty, uint8 = self.output_shape, self.output_bytes, np.empty, np.uint8
        view = self.output_view
        ndarray, f32 = np.ndarray, _F32

        def call(*args, out=None):
            if out is not None and in_place is not None and in_place.matches(args, out):
                return in_place.run(args, out)
            if len(args) < arity or current_threads() != threads:
                return function(*args, **attrs) if out is None else \
                    function(*args, out=out, **attrs)
            for index, expected_shape, strides in checks:
                array = args[index]
                if array.__class__ is not ndarray or array.dtype is not f32 or \
                        array.shape != expected_shape or array.strides != strides:
                    return function(*args, **attrs) if out is None else \
                        function(*args, out=out, **attrs)
            memories, exec_args, _, pointers = getattr(local, "bound", None) or bind_memories()
            for slot, address, _ in constants:
                if pointers[slot] != address:  # once per thread: constants do not move
                    set_handle(memories[slot], address)
                    pointers[slot] = address
            for slot, index in inputs:
                address = args[index].ctypes.data
                if pointers[slot] != address:
                    set_handle(memories[slot], address)
                    pointers[slot] = address
            raw = empty(nbytes + ALIGNMENT, uint8)  # the output, from a 64-byte boundary
            address = raw.ctypes.data
            start = -address % ALIGNMENT
            address += start
            if pointers[position] != address:
                set_handle(memories[position], address)
                pointers[position] = address
            set_threads(threads)
            launch(exec_args)
            y = raw[start:start + nbytes].view(f32).reshape(shape)
            return y if view is None else y.transpose(view)
        return call
