"""Compile-time graph passes of the CPU runtime, run in order by :func:`run_passes`.

Each pass takes the (cloned) Model and returns whether it changed anything.
"""
from __future__ import annotations

from .constant_folding import fold_constants

PIPELINE = [fold_constants]


def run_passes(model, properties=None) -> list:
    """Run every pass once in order; returns the names of the passes that changed the graph."""
    changed = []
    for graph_pass in PIPELINE:
        if graph_pass(model):
            changed.append(graph_pass.__name__)
    return changed
