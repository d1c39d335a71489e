"""Keep freed memory for reuse instead of returning it to the OS after every inference.

Kernels allocate their outputs and temporaries with numpy, i.e. with the C library's malloc. For
blocks of hundreds of KiB glibc maps fresh pages from the OS and unmaps them on free (or trims the
heap top), so every inference pays a page fault per 4 KiB it touches again: measured here, two
live 4.8 MiB temporaries cost 3.5 ms per allocation round against 0.18 ms when the memory is kept
(a microVM makes page faults dearer still). OpenVINO and ONNX Runtime keep per-request memory
arenas for the same reason. A numpy runtime cannot own numpy's allocations, so it asks glibc to
keep them: mmap only blocks of 256 MiB and more, and trim the heap only past 512 MiB free. The
process then keeps up to its peak working set mapped, which the next inference reuses.

Called once, when the first model is compiled; a no-op where the C library is not glibc, and
disabled by setting the environment variable ``OV_NOTEBOOK_KEEP_MEMORY=0``.

Compiling is the exception: its garbage (weights decompressed from f16, then packed into
another copy) is as large as the weights and no inference reuses it, so ``compile_model`` hands
it back to the OS once at its end (:func:`release_freed_memory`).

Compiling also allocates without numpy's huge-page advice (:func:`small_pages`): numpy asks for
transparent huge pages (``madvise``) on every large array, and where the kernel's THP ``defrag``
setting is ``madvise`` (a common default) each such fault may compact memory synchronously. The
weight copies a compile writes are as large as the model: a 1B-parameter Llama's oneDNN weight
packing took 12.3 s (10.3 s of it system time) with the advice and 3.1 s without. Inference
allocations keep numpy's default.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import threading

__all__ = ["keep_freed_memory", "release_freed_memory", "small_pages"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 << 20
TRIM_THRESHOLD = 512 << 20
_applied = None
_pages_lock = threading.Lock()
_small_pages_users = 0
_huge_pages_before = None


def keep_freed_memory() -> bool:
    """Apply the malloc settings once per process; returns whether they are in effect."""
    global _applied
    if _applied is None:
        _applied = _apply()
    return _applied


def release_freed_memory() -> bool:
    """Return the heap's free pages to the OS (glibc's ``malloc_trim``); whether it could."""
    if not keep_freed_memory():  # glibc's own thresholds already trim, or not glibc at all
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def _apply() -> bool:
    if os.environ.get("OV_NOTEBOOK_KEEP_MEMORY", "1") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
            bool(libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError):  # not glibc after all: leave malloc as it is
        return False


def _set_madvise_hugepage(enabled: bool):
    """numpy's switch (private: ``numpy._core.multiarray._set_madvise_hugepage``); returns the
    previous value, or None where this numpy has no such switch."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray
    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    return None if setter is None else bool(setter(enabled))


@contextlib.contextmanager
def small_pages():
    """Inside, numpy allocates without asking for huge pages (process-wide: numpy has one switch;
    nested and concurrent compiles restore it when the last one leaves)."""
    global _small_pages_users, _huge_pages_before
    with _pages_lock:
        if _small_pages_users == 0:
            _huge_pages_before = _set_madvise_hugepage(False)
        _small_pages_users += 1
    try:
        yield
    finally:
        with _pages_lock:
            _small_pages_users -= 1
            if _small_pages_users == 0 and _huge_pages_before is not None:
                _set_madvise_hugepage(_huge_pages_before)
