"""HTML and text forms of an ``InferReport``: outputs, per-leaf verdicts, top-k, latency, figures.

The comparison reads like the reference document's cat example, side by side::

    ✔ 1 output within tolerance (atol 0.0001 + rtol 0.001 × max|PyTorch|)
    output  shape      max abs error  max rel error  cosine  verdict
    [0]     [1, 1000]  2.1e-06        1.3e-07        1       pass
    rank  label       PyTorch  converted
    1     tabby cat   0.412    0.412
"""
from __future__ import annotations

import numpy as np

from . import figures
from .html import (FAIL_COLOR, PASS_COLOR, WARN_COLOR, escape, number, section, table, text_table,
                   verdict, wrap)

__all__ = ["report_html", "report_text"]


def _headline(report) -> tuple:
    count = len(report.comparisons)
    bound = f"atol {report.atol:g} + rtol {report.rtol:g} × max|PyTorch|"
    if not count:
        outputs = len(report.outputs)
        plural = "s" if outputs != 1 else ""
        return None, f"{outputs} output{plural} of the converted model ({report.name})"
    failed = sum(1 for c in report.comparisons if not c.passed)
    if failed:
        return False, f"{failed} of {count} outputs over tolerance ({bound})"
    return True, f"{count} output{'s' if count > 1 else ''} within tolerance ({bound})"


def _comparison_rows(report) -> list:
    return [[c.path or "(output)", str(list(c.shape)), c.dtype, number(c.max_abs_error),
             number(c.max_rel_error), number(c.cosine, 6), number(c.tolerance), c.passed, c.note]
            for c in report.comparisons]


_COMPARISON_HEAD = ["output", "shape", "dtype", "max abs error", "max rel error", "cosine",
                    "tolerance", "verdict", "note"]
_OUTPUT_HEAD = ["output", "shape", "dtype", "min", "max", "mean", "values"]


def _output_rows(report) -> list:
    rows = []
    for path, array in report.outputs.items():
        flat = np.asarray(array).ravel()
        numeric = flat.astype(np.float64) if flat.size else np.zeros(1)
        preview = ", ".join(number(v) for v in flat[:4]) + (" …" if flat.size > 4 else "")
        rows.append([path or "(output)", str(list(np.shape(array))), str(np.asarray(array).dtype),
                     number(numeric.min()), number(numeric.max()), number(numeric.mean()), preview])
    return rows


def _topk_rows(result) -> list:
    if result.agree_top1 is None:  # no PyTorch side: the converted model's ranking alone
        return [[rank, label, number(conv)] for rank, label, conv in result.converted]
    rows = []
    for (rank, label, ref, conv), (_, conv_label, conv_own) in zip(result.rows, result.converted):
        rows.append([rank, label, number(ref), number(conv), conv_label, number(conv_own)])
    return rows


_TOPK_HEAD = ["rank", "label", "PyTorch prob", "converted prob", "converted's own top-k",
              "prob"]
_TOPK_ALONE_HEAD = ["rank", "label", "prob"]


def _topk_head(result) -> list:
    return _TOPK_ALONE_HEAD if result.agree_top1 is None else _TOPK_HEAD


def _topk_summary(result) -> str:
    if result.agree_top1 is None:
        return f"top-{result.k} of {result.path or 'the output'}"
    return (f"top-{result.k} of {result.path or 'the output'}: top-1 "
            f"{'agrees' if result.agree_top1 else 'DIFFERS'}, {result.overlap} of {result.k} "
            "classes in both")


def _latency_rows(report) -> list:
    return [[s.name, number(s.median_ms), number(s.spread_ms), number(s.min_ms),
             len(s.samples_ms), s.threads] for s in report.latency.values()]


_LATENCY_HEAD = ["side", "median ms", "spread ms (p75-p25)", "min ms", "runs", "threads"]


NOISE = 0.2  # a p25-p75 spread over this share of the median makes the ratio meaningless


def noisy_sides(report) -> list:
    """The sides whose p25-p75 spread exceeds ``NOISE`` of their median."""
    return [s.name for s in report.latency.values() if s.spread_ms > NOISE * s.median_ms]


def _ratio(report) -> str:
    if not {"PyTorch", "converted"} <= set(report.latency):
        return ""
    noisy = noisy_sides(report)
    if noisy:
        return (f"⚠ too noisy to compare: the p25-p75 spread of {' and '.join(noisy)} exceeds "
                f"{NOISE:.0%} of the median (other load on the machine?); rerun with more "
                "--runs or on a quieter machine")
    ratio = report.latency["converted"].median_ms / report.latency["PyTorch"].median_ms
    return f"converted / PyTorch median: {ratio:.2f}×"


def _latency_html(report) -> str:
    if not report.latency:
        return ""
    body = table(_LATENCY_HEAD, _latency_rows(report), css_class="ovn-latency")
    ratio = _ratio(report)
    style = f" class='ovn-warn' style='color:{WARN_COLOR}'" if ratio.startswith("⚠") else ""
    body += f"<div{style}>{escape(ratio)}</div>"
    body += figures.figure_html(figures.latency_figure(list(report.latency.values())), "latency")
    return section("latency", body)


def report_html(report) -> str:
    passed, headline = _headline(report)
    mark = "" if passed is None else ("✔ " if passed else "✘ ")
    klass, color = (("ovn-pass", f"color:{PASS_COLOR};") if passed else
                    ("ovn-fail", f"color:{FAIL_COLOR};") if passed is False else ("", ""))
    parts = [f"<div class='{klass}' style='font-weight:600;{color}'>{mark}{escape(headline)}</div>"]
    parts += [f"<div class='ovn-warn' style='color:{WARN_COLOR}'>⚠ {escape(n)}</div>"
              for n in report.notes]
    if report.comparisons:
        rows = [r[:7] + [verdict(r[7]), r[8]] for r in _comparison_rows(report)]
        styles = ["" if c.passed else "fail" for c in report.comparisons]
        parts.append(table(_COMPARISON_HEAD, rows, row_classes=styles, raw_columns=(7,),
                           css_class="ovn-comparison"))
    else:
        parts.append(table(_OUTPUT_HEAD, _output_rows(report), css_class="ovn-outputs"))
    if report.topk is not None:
        parts.append(section(_topk_summary(report.topk),
                             table(_topk_head(report.topk), _topk_rows(report.topk),
                                   css_class="ovn-topk")))
    parts.append(_latency_html(report))
    if report.figure is not None:
        parts.append(section("values", figures.figure_html(report.figure, "converted vs PyTorch")))
    if report.layers is not None:
        parts.append(section("per-module error (execution order)", report.layers.html()))
    return wrap("".join(parts))


def report_text(report) -> str:
    passed, headline = _headline(report)
    mark = "" if passed is None else ("PASS: " if passed else "FAIL: ")
    lines = [mark + headline] + [f"note: {n}" for n in report.notes]
    if report.comparisons:
        rows = [r[:7] + ["pass" if r[7] else "FAIL", r[8]] for r in _comparison_rows(report)]
        lines.append(text_table(_COMPARISON_HEAD, rows))
    else:
        lines.append(text_table(_OUTPUT_HEAD, _output_rows(report)))
    if report.topk is not None:
        lines += ["", _topk_summary(report.topk),
                  text_table(_topk_head(report.topk), _topk_rows(report.topk))]
    if report.latency:
        lines += ["", text_table(_LATENCY_HEAD, _latency_rows(report)), _ratio(report)]
    if report.layers is not None:
        lines += ["", repr(report.layers)]
    return "\n".join(lines)
