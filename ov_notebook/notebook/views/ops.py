"""Ops view: how many operations of each type the converted graph has (table and bar chart).

    >>> OpsView(ov_model).counts.most_common(2)
    [('Convolution', 53), ('Relu', 49)]

The bars are plain HTML (a div per row), so the chart reads without a kernel or an image.
"""
from __future__ import annotations

from collections import Counter

from .html import MUTED, escape, text_table, wrap

__all__ = ["OpsView", "op_counts", "weight_stats"]

_SKIPPED = {"Parameter", "Result"}


def op_counts(model, include_constants: bool = False) -> Counter:
    """Op type -> count over the model's nodes (Parameters and Results left out)."""
    counts = Counter(node.get_type_name() for node in model.get_ordered_ops())
    for name in _SKIPPED | (set() if include_constants else {"Constant"}):
        counts.pop(name, None)
    return counts


def weight_stats(model) -> tuple:
    """``(parameter_count, bytes)`` over the weights: floating-point Constants of 2+ elements
    (integer Constants are shapes and axes, single floats are epsilons and scales)."""
    elements = size = 0
    for node in model.get_ordered_ops():
        if node.get_type_name() != "Constant" or not node.get_output_element_type(0).is_real():
            continue
        shape = node.get_output_partial_shape(0)
        count = 1
        for dim in shape:
            count *= dim.get_length()
        if count > 1:
            elements += count
            size += node.get_byte_size() if hasattr(node, "get_byte_size") else 0
    return elements, size


class OpsView:
    """Op-type histogram of a model: ``counts`` (a Counter), an HTML table with bars, text."""

    def __init__(self, model):
        self.counts = op_counts(model)
        self.constants = op_counts(model, include_constants=True).get("Constant", 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def html(self) -> str:
        top = max(self.counts.values(), default=1)
        rows = []
        for name, count in self.counts.most_common():
            width = max(1, round(240 * count / top))
            rows.append(f"<tr><td style='padding:1px 8px 1px 0'>{escape(name)}</td>"
                        f"<td style='text-align:right;padding:1px 6px'>{count}</td>"
                        f"<td><div style='background:#4a90d9;height:11px;width:{width}px'></div>"
                        f"</td></tr>")
        note = (f"<div class='ovn-muted' style='{MUTED}'>{self.total} operations of "
                f"{len(self.counts)} types, plus {self.constants} constants</div>")
        return (f"{note}<table class='ovn-ops' style='font-size:12px;border-collapse:collapse'>"
                f"<thead><tr><th style='text-align:left'>op type</th><th>count</th><th></th></tr>"
                f"</thead><tbody>{''.join(rows)}</tbody></table>")

    def _repr_html_(self) -> str:
        return wrap(self.html())

    def __repr__(self) -> str:
        rows = [[name, count] for name, count in self.counts.most_common()]
        return (f"{self.total} operations of {len(self.counts)} types, plus {self.constants} "
                f"constants\n" + text_table(["op type", "count"], rows))
