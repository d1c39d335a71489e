"""From a Model to an executable Plan: clone, run the graph passes, plan memory."""
from __future__ import annotations

import contextlib

from ..ir.graph import clone_model
from ..ir.model import Model
from .passes import run_passes
from .plan import Plan

__all__ = ["compile_plan", "thread_limit"]


def compile_plan(model: Model, properties: dict) -> "ThreadedPlan":
    graph = clone_model(model)
    run_passes(graph, properties)
    return ThreadedPlan(Plan(graph), int(properties.get("INFERENCE_NUM_THREADS", 0) or 0))


@contextlib.contextmanager
def thread_limit(threads: int):
    """Limit BLAS/OpenMP thread pools to ``threads`` (0: leave them alone)."""
    if threads <= 0:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # without threadpoolctl the BLAS keeps its own setting
        yield
        return
    with threadpool_limits(limits=threads):
        yield


class ThreadedPlan:
    """A Plan run under the configured thread limit."""

    def __init__(self, plan: Plan, threads: int):
        self.plan = plan
        self.threads = threads
        self.model = plan.model

    def run(self, feeds):
        if self.threads <= 0:
            return self.plan.run(feeds)
        with thread_limit(self.threads):
            return self.plan.run(feeds)
