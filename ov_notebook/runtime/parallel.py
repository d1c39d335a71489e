"""Intra-op parallelism for numpy work that BLAS does not do for us (epilogues, depthwise convs).

numpy ufuncs release the GIL on large arrays but run on one core; a kernel splits such work into
chunks and calls :func:`parallel_for`, which runs them on the calling thread and on helper threads
of a small shared pool. Chunks are handed out one at a time from a shared counter and the caller
keeps taking chunks itself, so a helper that is slow to wake up (a busy machine) only means it
takes fewer chunks: the caller never waits for a chunk nobody has started. The thread budget is
the compiled model's ``INFERENCE_NUM_THREADS`` (see ``thread_budget``), per calling thread.
"""
from __future__ import annotations

import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

__all__ = ["parallel_for", "thread_budget", "current_threads", "chunk_bounds", "splitting_pays"]

_local = threading.local()
_pool = None
_pool_lock = threading.Lock()


class thread_budget:
    """``with thread_budget(n):`` kernels called inside may use ``n`` threads (0: the CPU count)."""

    def __init__(self, threads: int):
        self.threads = threads if threads > 0 else (os.cpu_count() or 1)

    def __enter__(self):
        self.saved = getattr(_local, "threads", 1)
        _local.threads = self.threads
        return self

    def __exit__(self, *exc):
        _local.threads = self.saved


def current_threads() -> int:
    """Threads the running kernel may use (1 outside a compiled model's run)."""
    return getattr(_local, "threads", 1)


def chunk_bounds(length: int, chunks: int) -> list:
    """``chunks`` near-equal ``(start, stop)`` ranges covering ``range(length)``."""
    chunks = max(1, min(chunks, length))
    step, extra = divmod(length, chunks)
    bounds, start = [], 0
    for index in range(chunks):
        stop = start + step + (index < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def _helpers():
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1),
                                           thread_name_prefix="ov_notebook-intra")
    return _pool


class _Work:
    """Chunks handed out by a shared counter; ``wait`` returns once every started one is done."""

    def __init__(self, function, count):
        self.function, self.count = function, count
        self.next_index = itertools.count()  # next() is atomic under the GIL
        self.started = self.finished = 0
        self.caller_chunks, self.caller_time = 0, 0.0
        self.errors = []
        self.done = threading.Condition()

    def _claim(self, helper: bool) -> int:
        if not helper:
            return next(self.next_index)
        with self.done:  # claiming and counting as started is one step for the waiting caller
            index = next(self.next_index)
            self.started += index < self.count
            return index

    def take_chunks(self, helper: bool):
        while (index := self._claim(helper)) < self.count:
            started = time.perf_counter()
            try:
                self.function(index)
            except BaseException as exc:  # noqa: BLE001  re-raised by the caller
                self.errors.append(exc)
            if helper:
                with self.done:
                    self.finished += 1
                    self.done.notify_all()
            else:
                self.caller_chunks += 1
                self.caller_time += time.perf_counter() - started

    def wait(self):
        with self.done:
            self.done.wait_for(lambda: self.finished == self.started)
        if self.errors:
            raise self.errors[0]


class _Speedup:
    """Recent speedup of split work: the caller's own time per chunk times the chunk count,
    over the wall time the split took.

    When the machine is busier than its cores, helpers wake up late or are preempted mid-chunk
    while the caller waits, and splitting costs more than it saves (copies, re-read weights): the
    kernels then stop splitting, and try again every ``PROBE_EVERY`` calls to notice when cores
    free up. Races between threads updating it only blur the average.
    """

    PROBE_EVERY = 16
    WORTH = 1.15  # below this speedup, splitting is not worth its overhead

    def __init__(self):
        self.speedup = 2.0
        self.skipped = 0

    def record(self, serial_estimate: float, wall: float) -> None:
        measured = serial_estimate / wall if wall > 0 else 2.0
        self.speedup = 0.75 * self.speedup + 0.25 * measured

    def pays(self) -> bool:
        if self.speedup >= self.WORTH:
            return True
        self.skipped += 1
        return self.skipped % self.PROBE_EVERY == 0


_HELPERS = _Speedup()


def splitting_pays() -> bool:
    """Whether a kernel should split its work: more than one thread, and helpers that help."""
    return current_threads() > 1 and _HELPERS.pays()


def parallel_for(count: int, function, threads: int | None = None) -> None:
    """Call ``function(i)`` for ``i in range(count)``, spread over ``threads`` threads."""
    threads = min(count, current_threads() if threads is None else threads)
    if threads <= 1:
        for index in range(count):
            function(index)
        return
    work = _Work(function, count)
    started = time.perf_counter()
    pool = _helpers()
    for _ in range(threads - 1):
        pool.submit(work.take_chunks, True)
    with thread_budget(1):  # a chunk must not split itself again (helpers already have 1)
        work.take_chunks(False)
    work.wait()
    if work.caller_chunks:
        _HELPERS.record(work.caller_time / work.caller_chunks * count, time.perf_counter() - started)
