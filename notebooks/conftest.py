"""How pytest checks the tutorial notebooks (nbval, enabled by pyproject's addopts).

Every cell of every notebook here runs in one kernel per notebook, and its outputs are compared
with the ones saved in the notebook, after ``nbval_sanitize.cfg`` has rewritten what legitimately
varies (durations, temporary paths, memory addresses, embedded images). Cells whose whole output
varies (latency) say ``# NBVAL_IGNORE_OUTPUT``.

Two settings nbval has no command-line option for:

- stderr is not compared: it carries library warnings whose text and source lines change with
  library versions; what a notebook teaches is in its stdout and displayed results.
- the notebooks run in a pytest call of their own, without pytest-xdist (README's test command:
  ``python -m pytest notebooks``): a notebook's cells share one kernel, so they must run in order
  in one process; spreading them over xdist workers would split that kernel.
"""
import pytest


def _is_notebook(node) -> bool:
    path = getattr(node, "path", None)
    return path is not None and path.suffix == ".ipynb"


def pytest_collectstart(collector):
    if _is_notebook(collector) and hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)


def pytest_configure(config):
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        raise pytest.UsageError("the notebooks run cell by cell in one kernel each: run them "
                                "without -n (python -m pytest notebooks)")
