"""The result of ``%infer``: outputs, and with ``--torch`` the side-by-side comparison.

    >>> report = run_infer(ov_model, x, torch_model=model, runs=10)
    >>> report.passed, report.max_abs_error, report.topk.agree_top1
    (True, 3.1e-06, True)
    >>> report.latency["converted"].median_ms
    41.7

Numbers: ``outputs`` (path -> array), ``comparisons`` (``LeafComparison`` per leaf),
``max_abs_error``, ``max_rel_error``, ``min_cosine``, ``passed``, ``topk``, ``latency`` (by side),
``layers`` (``--layers``), ``figure`` (matplotlib Figure).
"""
from __future__ import annotations

import contextlib

import numpy as np

from .compare import compare_leaf, looks_like_classifier, measure_latency, topk
from .inference import call_torch, compiled_for, converted_leaves, flat_inputs, torch_leaves
from .session import progress
from .views import comparison, figures

__all__ = ["InferReport", "run_infer"]


@contextlib.contextmanager
def _torch_threads(threads):
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _pair_leaves(reference, converted):
    """Match PyTorch and converted leaves by structure path, or by position when paths differ."""
    by_path = dict(reference)
    if all(path in by_path for path, _ in converted):
        return [(path, by_path[path], array) for path, array in converted]
    if len(reference) != len(converted):
        raise ValueError(f"PyTorch returned {len(reference)} output leaves "
                         f"({[p for p, _ in reference]}), the converted model "
                         f"{len(converted)} ({[p for p, _ in converted]})")
    return [(path, ref, array) for (path, array), (_, ref) in zip(converted, reference)]


def run_infer(model, value, torch_model=None, labels=None, k=5, runs=0, layers=False,
              config=None, name="model"):
    """Run ``model`` (and ``torch_model``) on ``value`` and build an :class:`InferReport`."""
    threads = getattr(config, "threads", 0)
    if torch_model is not None and not threads:
        import torch

        threads = torch.get_num_threads()  # time both sides with PyTorch's thread count
    atol, rtol = getattr(config, "atol", 1e-4), getattr(config, "rtol", 1e-3)
    compiled = compiled_for(model, threads)
    report = InferReport(name, converted_leaves(compiled, value), atol, rtol, k, labels)
    if labels is not None and report.topk is None:
        shapes = ", ".join(f"{p or 'output'} {list(np.shape(a))}" for p, a in
                           report.outputs.items())
        report.notes.append(f"--labels ignored: no output is a classifier's scores for "
                            f"{len(labels)} labels (a float [1, {len(labels)}] or "
                            f"[{len(labels)}] array); outputs: {shapes}")
    if torch_model is not None:
        if getattr(torch_model, "training", False):
            report.notes.append("the PyTorch model is in training mode (dropout, batch-norm "
                                "statistics): call model.eval() for a meaningful comparison")
        with _torch_threads(threads):
            report.add_reference(torch_leaves(torch_model, value))
    if runs:
        report.latency = _time_both(compiled, torch_model, value, runs, threads, config)
    if layers and torch_model is not None:
        from .layers import layer_divergence

        with progress(4, "per-module error", config) as bar:
            report.layers = layer_divergence(torch_model, compiled.model, value, atol, rtol, bar)
        report.model = compiled.model
    return report


def _time_both(compiled, torch_model, value, runs, threads, config) -> dict:
    """Latency of each side with the same thread count, one warm-up run each."""
    arrays = flat_inputs(compiled, value)
    sides = [("converted", lambda: compiled(arrays))]
    if torch_model is not None:
        sides.insert(0, ("PyTorch", lambda: call_torch(torch_model, value)))
    threads_context = _torch_threads(threads) if torch_model is not None else \
        contextlib.nullcontext()
    with progress(runs * len(sides), "timing", config) as bar, threads_context:
        return {side: measure_latency(side, fn, runs, threads, bar) for side, fn in sides}


class InferReport:
    """Outputs of the converted model, and their comparison with PyTorch when there is one."""

    def __init__(self, name, leaves, atol, rtol, k=5, labels=None):
        self.name, self.atol, self.rtol, self.k, self.labels = name, atol, rtol, k, labels
        self.outputs = dict(leaves)
        self.reference = None
        self.comparisons = []
        self.latency = {}
        self.layers = None
        self.notes = []
        self.topk = self._topk(None)
        self._figure = None
        self._graph = None
        self.model = None     # the converted Model, kept with --layers for the error overlay
        self.config = None

    def _classifier_path(self):
        """The output to rank: the one the labels fit, or a lone [1, C] output without labels
        (a model with several outputs, like BERT's hidden states and pooler, is no classifier)."""
        if self.labels is None and len(self.outputs) != 1:
            return None
        for path, array in self.outputs.items():
            if looks_like_classifier(array, self.labels):
                return path
        return None

    def _topk(self, reference):
        path = self._classifier_path()
        if path is None:
            return None
        return topk(path, self.outputs[path], None if reference is None else reference.get(path),
                    self.k, self.labels)

    def add_reference(self, reference_leaves):
        pairs = _pair_leaves(reference_leaves, list(self.outputs.items()))
        self.reference = {path: ref for path, ref, _ in pairs}
        self.comparisons = [compare_leaf(p, ref, act, self.atol, self.rtol)
                            for p, ref, act in pairs]
        self.topk = self._topk(self.reference)

    # --- numbers -----------------------------------------------------------------------------
    def _values(self, field):
        return [getattr(c, field) for c in self.comparisons if getattr(c, field) is not None]

    @property
    def max_abs_error(self):
        return max(self._values("max_abs_error"), default=None)

    @property
    def max_rel_error(self):
        return max(self._values("max_rel_error"), default=None)

    @property
    def min_cosine(self):
        return min(self._values("cosine"), default=None)

    @property
    def passed(self):
        return all(c.passed for c in self.comparisons) if self.comparisons else None

    @property
    def figure(self):
        """Scatter of converted vs PyTorch values and the error histogram (float outputs)."""
        if self._figure is None and self.reference is not None:
            pairs = [(p, self.reference[p], a) for p, a in self.outputs.items()
                     if np.asarray(a).dtype.kind == "f" and np.shape(self.reference[p]) == a.shape]
            if pairs:
                self._figure = figures.comparison_figure(pairs)
        return self._figure

    @property
    def graph(self):
        """With ``--layers``: the graph colored by each module's relative error (else None)."""
        if self._graph is None and self.layers is not None and self.model is not None:
            from .views.graph import GraphView

            self._graph = GraphView(self.model).overlay_errors(self.layers)
        return self._graph

    # --- display -----------------------------------------------------------------------------
    def display_outputs(self) -> list:
        """The report as display outputs: HTML and text, then (``--layers``) the error graph."""
        bundles = [{"text/html": self._repr_html_(), "text/plain": repr(self)}]
        if self.graph is not None:
            bundles.append(self.graph.mimebundle())
        return bundles

    def widget(self):
        """With ``--layers``: the interactive graph with the error overlay and its legend."""
        if self.graph is None:
            return None
        from .views.graph_widget import graph_widget

        return graph_widget(self.graph)

    def _repr_html_(self) -> str:
        return comparison.report_html(self)

    def __repr__(self) -> str:
        return comparison.report_text(self)

    def _ipython_display_(self):
        from .session import show

        show(self, self.config)
