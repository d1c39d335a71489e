"""How pytest checks the tutorial notebooks (nbval, enabled by pyproject's addopts).

Every cell of every notebook here runs in one kernel per notebook, and its outputs are compared
with the ones saved in the notebook, after ``nbval_sanitize.cfg`` has rewritten what legitimately
varies (durations, temporary paths, memory addresses, embedded images). Cells whose whole output
varies (latency) say ``# NBVAL_IGNORE_OUTPUT``.

Two settings nbval has no command-line option for:

- stderr is not compared: it carries library warnings whose text and source lines change with
  library versions; what a notebook teaches is in its stdout and displayed results.
- with pytest-xdist (``-n 2``) the cells of one notebook must run in order on one worker: each
  notebook's cells form one ``xdist_group`` (pyproject sets ``--dist loadgroup``; tests without
  that mark are spread across workers as usual).
"""
import pytest


def _is_notebook(node) -> bool:
    path = getattr(node, "path", None)
    return path is not None and path.suffix == ".ipynb"


def pytest_collectstart(collector):
    if _is_notebook(collector) and hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)


def pytest_itemcollected(item):
    if _is_notebook(item):
        item.add_marker(pytest.mark.xdist_group(f"notebook:{item.path.name}"))
