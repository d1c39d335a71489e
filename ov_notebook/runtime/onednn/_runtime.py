"""The engine, memory descriptors described by strides, primitives and their execution.

A :class:`Primitive` is created once per layout of its inputs (its creator caches it) and may run
on several threads at once: each thread gets its own stream, memory objects and scratchpad
(``dnnl_scratchpad_mode_user``), which is what oneDNN's library-managed scratchpad does not allow.
The number of OpenMP threads a primitive uses is the calling thread's ``omp_set_num_threads``
value (set through the libgomp that libdnnl itself resolved, whichever was loaded first: torch's,
numba's or the system's), both when it is created and when it runs.
"""
from __future__ import annotations

import ctypes
import math
import threading

import numpy as np

from . import _capi as C

__all__ = ["Runtime", "Primitive", "MemoryDesc", "aligned_empty"]

ALIGNMENT = 64  # bytes: AVX-512 loads and stores on aligned lines run 13-23% faster


def aligned_empty(shape, dtype=np.float32) -> np.ndarray:
    """An uninitialized C-contiguous array whose data starts on a 64-byte boundary."""
    dtype = np.dtype(dtype)
    count = math.prod(shape)
    raw = np.empty(count * dtype.itemsize + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start:start + count * dtype.itemsize].view(dtype).reshape(shape)


class MemoryDesc:
    """An owned ``dnnl_memory_desc_t``."""

    __slots__ = ("runtime", "handle", "__weakref__")

    def __init__(self, runtime, handle):
        self.runtime, self.handle = runtime, handle

    @classmethod
    def of(cls, runtime, shape, strides=None):
        """f32 ``shape`` with element ``strides`` (C-contiguous when None)."""
        shape = [int(d) for d in shape]
        if strides is None:
            strides = [int(np.prod(shape[i + 1:], dtype=np.int64)) for i in range(len(shape))]
        handle = ctypes.c_void_p()
        C.check(runtime.lib.dnnl_memory_desc_create_with_strides(
            ctypes.byref(handle), len(shape), C.dims(shape), C.F32, C.dims(strides)),
            "dnnl_memory_desc_create_with_strides")
        return cls(runtime, handle)

    @classmethod
    def of_array(cls, runtime, array: np.ndarray):
        """``array``'s own strides: oneDNN matches layouts on every stride, size-1 axes' too."""
        return cls.of(runtime, array.shape, [s // array.itemsize for s in array.strides])

    @classmethod
    def any(cls, runtime, shape):
        """``shape`` in the layout the primitive picks (format_tag any)."""
        handle = ctypes.c_void_p()
        C.check(runtime.lib.dnnl_memory_desc_create_with_tag(
            ctypes.byref(handle), len(shape), C.dims(shape), C.F32, C.FORMAT_ANY),
            "dnnl_memory_desc_create_with_tag")
        return cls(runtime, handle)

    @classmethod
    def clone(cls, runtime, handle):
        copy = ctypes.c_void_p()
        C.check(runtime.lib.dnnl_memory_desc_clone(ctypes.byref(copy), handle),
                "dnnl_memory_desc_clone")
        return cls(runtime, copy)

    def size(self) -> int:
        return self.runtime.lib.dnnl_memory_desc_get_size(self.handle)

    def __del__(self):
        if self.handle:
            self.runtime.lib.dnnl_memory_desc_destroy(self.handle)
            self.handle = None


def layout_of(array) -> tuple:
    """The cache key of a primitive made for ``array``: its shape and element strides, those
    of size-1 axes made the array's whole extent (any value addresses the same memory, so
    a primitive made with one runs on the other): a [197, 1, 768] view and its contiguous
    copy share one primitive and one reordered copy of the weights."""
    strides = [s // array.itemsize for s in array.strides]
    if 1 in array.shape:
        extent = max([st * size for st, size in zip(strides, array.shape) if size != 1] or [1])
        strides = [extent if size == 1 else st for st, size in zip(strides, array.shape)]
    return array.shape, tuple(strides)


class Runtime:
    """The loaded library, its CPU engine and the OpenMP thread control of the calling thread."""

    def __init__(self, lib):
        self.lib = lib
        self.engine = ctypes.c_void_p()
        C.check(lib.dnnl_engine_create(ctypes.byref(self.engine), C.ENGINE_CPU, 0),
                "dnnl_engine_create")
        self._local = threading.local()
        try:  # dlsym through libdnnl's handle finds the libgomp it was linked against
            self._omp_set = lib.omp_set_num_threads
            self._omp_get = lib.omp_get_max_threads
            self._omp_set.argtypes, self._omp_set.restype = (ctypes.c_int,), None
            self._omp_get.argtypes, self._omp_get.restype = (), ctypes.c_int
        except AttributeError:  # a build without OpenMP: its threads are its own
            self._omp_set = self._omp_get = None

    def set_threads(self, threads: int) -> None:
        """OpenMP threads for the primitives this thread creates and runs from now on. Read
        back every time: torch.set_num_threads writes the same per-thread value when libdnnl
        shares torch's libgomp."""
        if self._omp_set is not None and self._omp_get() != threads:
            self._omp_set(threads)

    def threads(self) -> int:
        return self._omp_get() if self._omp_get is not None else 1

    def stream(self):
        stream = getattr(self._local, "stream", None)
        if stream is None:
            stream = ctypes.c_void_p()
            C.check(self.lib.dnnl_stream_create(ctypes.byref(stream), self.engine,
                                                C.STREAM_DEFAULT), "dnnl_stream_create")
            self._local.stream = stream
        return stream

    def attributes(self, post_ops=()):
        """A primitive attribute (user scratchpad) with ``post_ops``: ("eltwise", alg, alpha,
        beta), ("binary", alg, MemoryDesc) or ("sum", scale)."""
        attr = ctypes.c_void_p()
        C.check(self.lib.dnnl_primitive_attr_create(ctypes.byref(attr)), "attr_create")
        C.check(self.lib.dnnl_primitive_attr_set_scratchpad_mode(attr, C.SCRATCHPAD_USER),
                "dnnl_primitive_attr_set_scratchpad_mode")
        if post_ops:
            chain = ctypes.c_void_p()
            C.check(self.lib.dnnl_post_ops_create(ctypes.byref(chain)), "dnnl_post_ops_create")
            for kind, *values in post_ops:
                if kind == "eltwise":
                    C.check(self.lib.dnnl_post_ops_append_eltwise(chain, *values),
                            "dnnl_post_ops_append_eltwise")
                elif kind == "binary":
                    C.check(self.lib.dnnl_post_ops_append_binary(chain, values[0],
                                                                 values[1].handle),
                            "dnnl_post_ops_append_binary")
                else:
                    C.check(self.lib.dnnl_post_ops_append_sum(chain, values[0], 0, C.F32),
                            "dnnl_post_ops_append_sum")
            C.check(self.lib.dnnl_primitive_attr_set_post_ops(attr, chain), "set_post_ops")
            self.lib.dnnl_post_ops_destroy(chain)
        return attr


class Primitive:
    """A created primitive and the memory descriptors of its arguments, run on numpy arrays.

    ``arguments``: the DNNL_ARG_* indices, in the order ``execute`` receives their arrays.
    """

    def __init__(self, runtime: Runtime, pd, arguments, descs):
        lib = runtime.lib
        self.runtime = runtime
        self.arguments = tuple(arguments)
        self.descs = list(descs)
        self.implementation = _query_string(lib, pd, C.QUERY_IMPL_INFO_STR)
        scratch = lib.dnnl_primitive_desc_query_md(pd, C.QUERY_SCRATCHPAD_MD, 0)
        self.scratchpad = MemoryDesc.clone(runtime, scratch) if scratch else None
        self.scratchpad_bytes = self.scratchpad.size() if self.scratchpad else 0
        self.handle = ctypes.c_void_p()
        C.check(lib.dnnl_primitive_create(ctypes.byref(self.handle), pd), "dnnl_primitive_create")
        self._local = threading.local()
        self._memories = []  # every thread's memory objects

    def _bound(self):
        """This thread's memory objects (and scratchpad) for the arguments."""
        bound = getattr(self._local, "bound", None)
        if bound is None:
            lib, engine = self.runtime.lib, self.runtime.engine
            descs = self.descs + ([self.scratchpad] if self.scratchpad_bytes else [])
            arguments = self.arguments + ((C.ARG_SCRATCHPAD,) if self.scratchpad_bytes else ())
            memories = []
            for desc in descs:
                memory = ctypes.c_void_p()
                C.check(lib.dnnl_memory_create(ctypes.byref(memory), desc.handle, engine, None),
                        "dnnl_memory_create")
                memories.append(memory)
            exec_args = (C.ExecArg * len(memories))(
                *[C.ExecArg(arg, memory) for arg, memory in zip(arguments, memories)])
            scratch = aligned_empty((self.scratchpad_bytes,), np.uint8) \
                if self.scratchpad_bytes else None
            if scratch is not None:
                lib.dnnl_memory_set_data_handle(memories[-1], scratch.ctypes.data)
            bound = self._local.bound = (memories, exec_args, scratch, [None] * len(memories))
            self._memories.extend(memories)  # list.extend is atomic: destroyed with the primitive
        return bound

    def execute(self, *arrays) -> None:
        """Run on ``arrays`` (one per argument, in order; an int is a data pointer). A memory
        object keeps its pointer between runs on a thread: weights are set once."""
        memories, exec_args, _, pointers = self._bound()
        set_handle = self.runtime.lib.dnnl_memory_set_data_handle
        for index, array in enumerate(arrays):
            pointer = array if array.__class__ is int else array.ctypes.data
            if pointers[index] != pointer:
                set_handle(memories[index], pointer)
                pointers[index] = pointer
        self.launch(exec_args)

    def launch(self, exec_args) -> None:
        """Execute on this thread's stream with ``exec_args`` (this thread's memory objects,
        their data handles set): what ``execute`` and a static call end with."""
        C.check(self.runtime.lib.dnnl_primitive_execute(
            self.handle, self.runtime.stream(), len(exec_args), exec_args),
            "dnnl_primitive_execute")

    def __del__(self):
        handle = getattr(self, "handle", None)
        if handle:
            for memory in self._memories:
                self.runtime.lib.dnnl_memory_destroy(memory)
            self.runtime.lib.dnnl_primitive_destroy(handle)
            self.handle = None


def _query_string(lib, pd, what) -> str:
    text = ctypes.c_char_p()
    if lib.dnnl_primitive_desc_query(pd, what, 0, ctypes.byref(text)) != C.SUCCESS:
        return "unknown"
    return (text.value or b"unknown").decode()


def implementation_name(runtime: Runtime, pd) -> str:
    """The name of the implementation ``pd`` currently stands for (``brdgmm_dw:avx512_core``)."""
    return _query_string(runtime.lib, pd, C.QUERY_IMPL_INFO_STR)


def next_implementation(runtime: Runtime, pd, prefix: str) -> bool:
    """Advance ``pd`` through oneDNN's list of implementations to the first whose name starts
    with ``prefix``: True if found; False once the list is exhausted (``pd`` is then left on its
    last implementation)."""
    while runtime.lib.dnnl_primitive_desc_next_impl(pd) == C.SUCCESS:
        if implementation_name(runtime, pd).startswith(prefix):
            return True
    return False


def create(runtime: Runtime, function: str, *arguments, attr_post_ops=()):
    """``dnnl_<function>_primitive_desc_create(&pd, engine, *arguments, attr)``: the primitive
    descriptor, or None when oneDNN has no implementation for it (``unimplemented``)."""
    pd = ctypes.c_void_p()
    attr = runtime.attributes(attr_post_ops)
    try:
        status = getattr(runtime.lib, f"dnnl_{function}_primitive_desc_create")(
            ctypes.byref(pd), runtime.engine, *arguments, attr)
    finally:
        runtime.lib.dnnl_primitive_attr_destroy(attr)
    if status in (2, 3):  # invalid arguments or unimplemented: no oneDNN path for this case
        return None
    C.check(status, f"dnnl_{function}_primitive_desc_create")
    return pd


def query_md(runtime: Runtime, pd, what) -> MemoryDesc:
    return MemoryDesc.clone(runtime, runtime.lib.dnnl_primitive_desc_query_md(pd, what, 0))


def reorder_primitive(runtime: Runtime, source: MemoryDesc, target: MemoryDesc) -> Primitive:
    """A reorder from memory laid out as ``source`` into memory laid out as ``target``."""
    pd = ctypes.c_void_p()
    attr = runtime.attributes()
    try:
        C.check(runtime.lib.dnnl_reorder_primitive_desc_create(
            ctypes.byref(pd), source.handle, runtime.engine, target.handle, runtime.engine, attr),
            "dnnl_reorder_primitive_desc_create")
    finally:
        runtime.lib.dnnl_primitive_attr_destroy(attr)
    try:
        return Primitive(runtime, pd, (C.ARG_SRC, C.ARG_DST), (source, target))
    finally:
        runtime.lib.dnnl_primitive_desc_destroy(pd)


def reorder(runtime: Runtime, array: np.ndarray, target: MemoryDesc) -> np.ndarray:
    """``array`` (f32, any strides) copied into a fresh aligned buffer laid out as ``target``.

    A view that is not 4-byte aligned (a constant mapped from a .bin where a 1-byte constant came
    before it) is copied first, through a staging buffer, in its own axis order: the source
    descriptor must describe the memory the primitive reads, so a transposed view stays
    transposed (a C-order copy of one, read with the view's strides, gave wrong weights). A
    large one goes through in slices of its last axis, each reordered into its part of the
    target, so the staging buffer stays small beside the weight being packed."""
    out = aligned_empty((max(1, target.size() // 4),), np.float32)
    if array.flags.aligned:
        reorder_primitive(runtime, MemoryDesc.of_array(runtime, array), target).execute(array, out)
        return out
    slices = _slices(runtime, array, target)
    if slices and target.size() > array.size * 4:
        out[...] = 0  # padding of blocks, which reorders into parts leave as they find it
    for columns, part in slices or [(slice(None), target)]:
        source = _staging_copy(array[..., columns])
        reorder_primitive(runtime, MemoryDesc.of_array(runtime, source), part).execute(source, out)
    from . import current
    if current() is None:  # a primitive made at run time: no compile to release it after
        release_staging()
    return out


STAGING_SLICE_BYTES = 16 << 20


def _slices(runtime, array, target):
    """[(columns of ``array``'s last axis, the target's part for them)] in slices of about
    STAGING_SLICE_BYTES whose widths are multiples of 64 (oneDNN's blocks of the weights'
    last axis divide 64); None when ``array`` is small or oneDNN refuses such parts."""
    width = array.shape[-1] if array.ndim else 0
    step = (STAGING_SLICE_BYTES // max(1, array.nbytes // max(1, width))) // 64 * 64
    if array.ndim == 0 or array.nbytes <= STAGING_SLICE_BYTES or step == 0 or step >= width:
        return None
    parts = []
    for start in range(0, width, step):
        stop = min(width, start + step)
        handle = ctypes.c_void_p()
        status = runtime.lib.dnnl_memory_desc_create_submemory(
            ctypes.byref(handle), target.handle, C.dims(array.shape[:-1] + (stop - start,)),
            C.dims((0,) * (array.ndim - 1) + (start,)))
        if status != C.SUCCESS:
            return None
        parts.append((slice(start, stop), MemoryDesc(runtime, handle)))
    return parts


_staging = threading.local()  # per thread: one buffer the misaligned weights are copied through


def _staging_copy(array: np.ndarray) -> np.ndarray:
    """A copy of ``array`` with its axes laid out in the same order, in a per-thread buffer that
    the next copy reuses (grown when too small), until :func:`release_staging`: one fresh
    allocation per weight would page-fault its memory again each time and, since the runtime
    asks glibc to keep freed memory, stay in the heap beside the packed weights."""
    order = sorted(range(array.ndim), key=lambda axis: -abs(array.strides[axis]))
    source = array.transpose(order)
    buffer = getattr(_staging, "buffer", None)
    if buffer is None or buffer.nbytes < source.nbytes:
        _staging.buffer = None  # free the smaller one before the new one is allocated
        buffer = _staging.buffer = aligned_empty((source.nbytes,), np.uint8)
    copy = buffer[:source.nbytes].view(array.dtype).reshape(source.shape)
    np.copyto(copy, source)
    return copy.transpose(np.argsort(order))


def release_staging() -> None:
    """Free this thread's staging buffer (``onednn.building`` does, when a compile ends)."""
    _staging.buffer = None
