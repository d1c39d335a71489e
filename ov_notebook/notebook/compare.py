"""The numbers behind ``%infer --torch``: per-leaf errors, top-k agreement, latency.

    >>> c = compare_leaf('["logits"]', torch_logits, converted_logits, atol=1e-4, rtol=1e-3)
    >>> c.max_abs_error, c.cosine, c.passed
    (2.3e-06, 0.9999999, True)

Verdict: an output passes when ``max_abs_error <= atol + rtol * max|PyTorch value|`` (the relative
part scales with the output's magnitude, as ``numpy.allclose`` does per element, but stated once per
output so the report can print the bound it used). Integer and boolean outputs must match exactly.
``max_rel_error`` is ``max_abs_error / max|PyTorch value|``: it stays meaningful where elements
are near zero, where an element-wise ratio would explode.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["LeafComparison", "compare_leaf", "TopK", "topk", "looks_like_classifier",
           "LatencyStats", "measure_latency"]


@dataclass
class LeafComparison:
    """One output leaf, PyTorch vs converted."""

    path: str
    shape: tuple
    dtype: str
    reference_shape: tuple
    reference_dtype: str
    max_abs_error: float | None
    max_rel_error: float | None
    cosine: float | None
    tolerance: float | None
    passed: bool
    note: str = ""


def _cosine(a, b) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norm == 0.0:
        return 1.0 if not np.any(a) and not np.any(b) else 0.0
    return float(np.dot(a.ravel(), b.ravel()) / norm)


def compare_leaf(path, reference, actual, atol=1e-4, rtol=1e-3) -> LeafComparison:
    """Compare one PyTorch output leaf with the converted one (both array-like)."""
    reference, actual = np.asarray(reference), np.asarray(actual)
    base = dict(path=path, shape=tuple(actual.shape), dtype=str(actual.dtype),
                reference_shape=tuple(reference.shape), reference_dtype=str(reference.dtype))
    if reference.shape != actual.shape:
        return LeafComparison(**base, max_abs_error=None, max_rel_error=None, cosine=None,
                              tolerance=None, passed=False,
                              note=f"shape differs: PyTorch {list(reference.shape)}")
    ref64, act64 = reference.astype(np.float64), actual.astype(np.float64)
    diff = np.abs(ref64 - act64)
    max_abs = float(np.nanmax(diff)) if diff.size else 0.0
    scale = float(np.nanmax(np.abs(ref64))) if ref64.size else 0.0
    exact = reference.dtype.kind in "biu" or actual.dtype.kind in "biu"
    tolerance = 0.0 if exact else atol + rtol * scale
    nan_mismatch = bool(np.any(np.isnan(ref64) != np.isnan(act64)))
    note = "NaN where PyTorch has none (or the reverse)" if nan_mismatch else ""
    if reference.dtype != actual.dtype:
        note = (note + "; " if note else "") + f"dtype differs: PyTorch {reference.dtype}"
    return LeafComparison(**base, max_abs_error=max_abs,
                          max_rel_error=max_abs / scale if scale else max_abs,
                          cosine=_cosine(np.nan_to_num(ref64), np.nan_to_num(act64)),
                          tolerance=tolerance, passed=max_abs <= tolerance and not nan_mismatch,
                          note=note)


# --- top-k ---------------------------------------------------------------------------------------
def looks_like_classifier(array, labels=None) -> bool:
    """Float scores of shape [C] or [1, C] (C >= 2, matching ``labels`` when given)."""
    array = np.asarray(array)
    if array.dtype.kind != "f" or array.ndim not in (1, 2) or \
            (array.ndim == 2 and array.shape[0] != 1):
        return False
    classes = array.shape[-1]
    return classes >= 2 and (labels is None or len(labels) == classes)


def _probabilities(scores) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if scores.min() >= 0 and abs(scores.sum() - 1.0) < 1e-3:
        return scores  # already probabilities
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


@dataclass
class TopK:
    """Top-k of both sides: ``rows`` are (rank, label, PyTorch prob, converted prob) by PyTorch
    ranking; ``converted`` is the converted model's own ranking; ``agree_top1``, ``overlap``."""

    path: str
    rows: list
    converted: list
    agree_top1: bool | None
    overlap: int = 0
    k: int = 5
    labels_given: bool = False


def _label(labels, index) -> str:
    return str(labels[index]) if labels is not None and index < len(labels) else f"class {index}"


def topk(path, converted, reference=None, k=5, labels=None) -> TopK:
    """Top-k table of a classifier output (softmax applied unless it is already probabilities)."""
    conv_prob = _probabilities(converted)
    ref_prob = _probabilities(reference) if reference is not None else None
    ranking = np.argsort(-(ref_prob if ref_prob is not None else conv_prob))[:k]
    conv_ranking = np.argsort(-conv_prob)[:k]
    rows = [(rank + 1, _label(labels, int(i)),
             None if ref_prob is None else float(ref_prob[i]), float(conv_prob[i]))
            for rank, i in enumerate(ranking)]
    converted_rows = [(rank + 1, _label(labels, int(i)), float(conv_prob[i]))
                      for rank, i in enumerate(conv_ranking)]
    agree = None if ref_prob is None else bool(ranking[0] == conv_ranking[0])
    overlap = len(set(ranking.tolist()) & set(conv_ranking.tolist()))
    return TopK(path, rows, converted_rows, agree, overlap, k, labels is not None)


# --- latency -------------------------------------------------------------------------------------
@dataclass
class LatencyStats:
    """Wall-clock latency of one side over ``runs`` runs (after one warm-up run), in ms."""

    name: str
    samples_ms: list
    threads: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def spread_ms(self) -> float:
        """Interquartile range (p75 - p25); 0 with fewer than 4 runs."""
        if len(self.samples_ms) < 4:
            return max(self.samples_ms) - min(self.samples_ms)
        quartiles = statistics.quantiles(self.samples_ms, n=4)
        return quartiles[2] - quartiles[0]

    @property
    def min_ms(self) -> float:
        return min(self.samples_ms)


def measure_latency(name, function, runs, threads, bar=None) -> LatencyStats:
    """Time ``function()`` ``runs`` times after one warm-up call."""
    function()
    samples = []
    for index in range(max(runs, 1)):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1e3)
        if bar is not None:
            bar.step(f"{name} run {index + 1}/{runs}")
    return LatencyStats(name, samples, threads)
