"""oneDNN kernel backend: the hot operations (convolutions, transposed convolutions, MatMuls with
their fused epilogues, pooling, softmax, layer normalization, large element-wise steps) run as
oneDNN primitives called through ctypes.

Which kernels a compiled model runs is its ``KERNEL_BACKEND`` property: ``"onednn"``,
``"numpy"`` or ``"auto"`` (the default: oneDNN where the library loads, numpy elsewhere). The
environment variable ``OV_NOTEBOOK_KERNELS`` gives the default for models compiled without the
property. The library comes from the ``onednn-cpu-gomp`` wheel (oneDNN 3.2, Linux x86-64 only);
``OV_NOTEBOOK_DNNL_LIBRARY`` names another ``libdnnl.so.3``. Where it is absent or cannot load,
``auto`` runs numpy and ``onednn`` is an error that says why.

Threads: a primitive uses the OpenMP thread count of the thread that creates and runs it, which
the runtime sets to the compiled model's ``INFERENCE_NUM_THREADS`` through the libgomp libdnnl
resolved (torch's when torch was imported first). libgomp's idle workers spin for 300000
iterations after each parallel region by default, which on a machine busier than its cores
costs 10x (mobilenet_v3_large, 2 threads, load 8 on 2 cores: 1040 ms against 32 ms); ``import
ov_notebook`` before libgomp is loaded sets ``GOMP_SPINCOUNT=10000`` unless ``OMP_WAIT_POLICY``
or ``GOMP_SPINCOUNT`` is set (``ov_notebook/_openmp_policy.py``; libgomp reads them once).

Kernels ask :func:`current` at compile time (inside :func:`building`) for the runtime to create
their primitives with; None means numpy.
"""
from __future__ import annotations

import contextlib
import os
import threading

__all__ = ["BACKENDS", "ENVIRONMENT_VARIABLE", "resolve_backend", "runtime", "unavailable_reason",
           "building", "current", "BackendUnavailable"]

BACKENDS = ("auto", "onednn", "numpy")
ENVIRONMENT_VARIABLE = "OV_NOTEBOOK_KERNELS"

_lock = threading.Lock()
_loaded = None  # (Runtime or None, reason it is None)
_local = threading.local()


class BackendUnavailable(RuntimeError):
    """KERNEL_BACKEND "onednn" was asked for where oneDNN cannot load."""


def _load():
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                from ._capi import LibraryUnavailable, load_library
                from ._runtime import Runtime

                try:
                    _loaded = (Runtime(load_library()), "")
                except LibraryUnavailable as exc:
                    _loaded = (None, str(exc))
    return _loaded


def runtime():
    """The process's oneDNN runtime (engine, library), or None where it cannot load."""
    return _load()[0]


def unavailable_reason() -> str:
    """Why :func:`runtime` is None ("" when it loaded)."""
    return _load()[1]


def default_backend() -> str:
    """What KERNEL_BACKEND "auto" means here: ``OV_NOTEBOOK_KERNELS`` when set, else auto."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "auto").strip().lower() or "auto"
    if value not in BACKENDS:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be one of {', '.join(BACKENDS)}, "
                         f"got {value!r}")
    return value


def resolve_backend(requested="auto") -> str:
    """``"onednn"`` or ``"numpy"``: the backend a model compiled with KERNEL_BACKEND
    ``requested`` runs on ("auto" defers to ``OV_NOTEBOOK_KERNELS``, then to whether oneDNN
    loads)."""
    requested = default_backend() if requested in (None, "", "auto") else requested
    if requested == "numpy":
        return "numpy"
    if runtime() is not None:
        return "onednn"
    if requested == "onednn":
        raise BackendUnavailable(f"KERNEL_BACKEND 'onednn' was requested but "
                                 f"{unavailable_reason()}")
    return "numpy"


@contextlib.contextmanager
def building(backend: str, threads: int):
    """Inside, kernels' compile-time hooks create oneDNN primitives (``backend == "onednn"``)
    for ``threads`` OpenMP threads."""
    saved = getattr(_local, "building", None)
    _local.building = (runtime(), threads) if backend == "onednn" else None
    try:
        yield
    finally:
        _local.building = saved
        if saved is None and backend == "onednn":
            from ._runtime import release_staging
            release_staging()  # the buffer misaligned weights were copied through


def current():
    """(Runtime, threads) while a model is compiled for oneDNN, else None."""
    return getattr(_local, "building", None)
