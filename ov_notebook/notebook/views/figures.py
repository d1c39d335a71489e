"""matplotlib figures of ``%infer --torch``, embedded as PNG so they read without a kernel.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas, never pyplot, so they do not
also pop up through the inline backend and they leave the user's pyplot state alone.

    >>> figure = comparison_figure([("logits", torch_array, converted_array)])
    >>> figure.savefig("compare.png")
    >>> html = figure_html(figure)          # an <img> with the PNG inline
"""
from __future__ import annotations

import base64
import io

import numpy as np

__all__ = ["comparison_figure", "latency_figure", "figure_html", "figure_png"]


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _sample(reference, actual, limit, seed=0):
    reference = np.asarray(reference, dtype=np.float64).ravel()
    actual = np.asarray(actual, dtype=np.float64).ravel()
    if reference.size > limit:  # a fixed seed keeps re-executed notebooks byte-stable
        keep = np.random.default_rng(seed).choice(reference.size, limit, replace=False)
        reference, actual = reference[keep], actual[keep]
    return reference, actual


def comparison_figure(pairs, limit=20000):
    """Scatter of converted vs PyTorch values (all float leaves) and the |error| histogram."""
    figure = _figure(9, 3.4)
    scatter, histogram = figure.subplots(1, 2)
    errors = []
    for path, reference, actual in pairs:
        ref, act = _sample(reference, actual, limit)
        scatter.scatter(ref, act, s=4, alpha=0.5, label=path or "output", rasterized=True)
        errors.append(np.abs(np.asarray(reference, np.float64) -
                             np.asarray(actual, np.float64)).ravel())
    low, high = scatter.get_xlim()
    scatter.plot([low, high], [low, high], color="#888", linewidth=0.8, linestyle="--")
    scatter.set(xlabel="PyTorch value", ylabel="converted value", title="converted vs PyTorch")
    if len(pairs) > 1:
        scatter.legend(fontsize=7, markerscale=3)
    every = np.concatenate(errors) if errors else np.zeros(1)
    positive = every[every > 0]
    if positive.size:
        bins = np.logspace(np.log10(positive.min()), np.log10(positive.max()) + 1e-9, 40)
        histogram.hist(positive, bins=bins, color="#4a90d9")
        histogram.set_xscale("log")
    else:
        histogram.text(0.5, 0.5, "every element matches exactly", ha="center", va="center",
                       transform=histogram.transAxes, color="#1a7f37")
        histogram.set_yticks([])
        histogram.set_xticks([])
    histogram.set(xlabel="|converted - PyTorch|", ylabel="elements",
                  title=f"absolute error ({int((every == 0).sum())} exact)")
    return figure


def latency_figure(stats):
    """Box plot of per-run latency for each side (``LatencyStats`` list)."""
    figure = _figure(7, 0.7 + 0.5 * len(stats))
    axes = figure.subplots()
    samples = [s.samples_ms for s in stats]
    try:
        axes.boxplot(samples, orientation="horizontal", widths=0.5)
    except TypeError:  # matplotlib < 3.10 spells it vert=False
        axes.boxplot(samples, vert=False, widths=0.5)
    axes.set_yticks(range(1, len(stats) + 1), [f"{s.name} ({s.threads} threads)" for s in stats])
    axes.set_xlabel("latency, ms (median line, box = p25..p75)")
    return figure


def figure_png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def figure_html(figure, alt="figure") -> str:
    encoded = base64.b64encode(figure_png(figure)).decode()
    return f"<img class='ovn-figure' alt='{alt}' src='data:image/png;base64,{encoded}'>"
