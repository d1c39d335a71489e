"""From a Model to an executable Plan: clone, run the graph passes, plan memory, set threads."""
from __future__ import annotations

import contextlib
import threading

from ..ir.graph import clone_model
from ..ir.model import Model
from .memory import keep_freed_memory
from .parallel import thread_budget
from .passes import run_passes
from .plan import Plan

__all__ = ["compile_plan", "thread_limit", "ThreadedPlan"]


def compile_plan(model: Model, properties: dict, disabled_passes=()) -> "ThreadedPlan":
    keep_freed_memory()
    graph = clone_model(model)
    applied = run_passes(graph, properties, disabled=disabled_passes)
    plan = ThreadedPlan(Plan(graph), request_threads(properties))
    plan.applied_passes = applied
    return plan


def request_threads(properties: dict) -> int:
    """Threads one inference may use: INFERENCE_NUM_THREADS, else all cores for the LATENCY hint
    and one for THROUGHPUT (requests then run side by side, one per core, as OpenVINO's streams)."""
    threads = int(properties.get("INFERENCE_NUM_THREADS", 0) or 0)
    if threads > 0:
        return threads
    return 1 if properties.get("PERFORMANCE_HINT", "LATENCY") != "LATENCY" else 0


class _KernelPool:
    """The kernels' own process-wide pool (``kernels/_parallel.py``), where present, seen through
    the get/set interface of a threadpoolctl library controller."""

    def __init__(self, module):
        self.module = module

    def get_num_threads(self) -> int:
        return self.module.get_num_threads()

    def set_num_threads(self, threads: int) -> None:
        self.module.set_num_threads(threads)


class _BlasThreads:
    """Process-wide BLAS thread count (and the kernels' pool's), set while a run needs it.

    These pools are global to the process, so concurrent runs share one setting: the first run
    in sets it, the last one out restores the previous value. threadpoolctl's controller is built
    once (scanning the loaded libraries costs ~0.3 ms, too much to repeat per inference). Inside a
    run the fused ops split work over threads themselves, so nested pools are held to one thread.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._libraries = None
        self._saved = []

    def _blas(self):
        if self._libraries is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # without threadpoolctl the BLAS keeps its own setting
                self._libraries = []
            else:
                self._libraries = ThreadpoolController().select(user_api="blas").lib_controllers
            try:
                from .kernels import _parallel
            except ImportError:  # no kernel pool: only BLAS to hold
                pass
            else:
                self._libraries = list(self._libraries) + [_KernelPool(_parallel)]
        return self._libraries

    def enter(self, threads: int) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._saved = [(lib, lib.get_num_threads()) for lib in self._blas()]
            for lib in self._blas():
                if lib.get_num_threads() != threads:
                    lib.set_num_threads(threads)

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                for lib, threads in self._saved:
                    lib.set_num_threads(threads)


_BLAS_THREADS = _BlasThreads()


@contextlib.contextmanager
def thread_limit(threads: int):
    """Limit the BLAS thread pools to ``threads`` while inside (0: leave them alone)."""
    if threads <= 0:
        yield
        return
    _BLAS_THREADS.enter(threads)
    try:
        yield
    finally:
        _BLAS_THREADS.leave()


class ThreadedPlan:
    """A Plan run with BLAS single-threaded and a budget of ``threads`` for the runtime's own
    intra-op parallelism (``kernels/_tiling.py``, ``parallel.py``): the fused ops split their
    GEMMs and epilogues over threads themselves, which stays fast when the machine is busier
    than its cores, where BLAS's own worker hand-off stalls for whole scheduler slices."""

    def __init__(self, plan: Plan, threads: int):
        self.plan = plan
        self.threads = threads
        self.model = plan.model
        self.applied_passes = []

    def run(self, feeds, timings=None):
        with thread_budget(self.threads):
            _BLAS_THREADS.enter(1)
            try:
                return self.plan.run(feeds, timings)
            finally:
                _BLAS_THREADS.leave()
