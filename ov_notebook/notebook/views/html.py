"""Static HTML building blocks shared by the views: tables, tabs, text tables.

Everything here renders without a kernel and without JavaScript, so an executed notebook reads the
same in JupyterLab, nbconvert's HTML, nbviewer and GitHub. Tables carry inline styles because
GitHub's renderer drops ``<style>`` blocks; the tabs need the ``<style>`` block (CSS radio tabs) and
degrade to panels shown one under another where it is dropped.

    >>> print(text_table(["op", "count"], [["Add", 3], ["Relu", 12]]))
    op    count
    ----  -----
    Add   3
    Relu  12
"""
from __future__ import annotations

import html
import itertools

__all__ = ["escape", "table", "tabs", "text_table", "section", "verdict", "number", "wrap", "CSS"]

_ids = itertools.count()

CSS = """<style>
.ovn{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;line-height:1.4}
.ovn .ovn-tabs>input{position:absolute;opacity:0;pointer-events:none}
.ovn .ovn-tabs>label{display:inline-block;padding:4px 12px;margin-right:2px;cursor:pointer;
 border:1px solid #ccc;border-bottom:none;border-radius:4px 4px 0 0;background:#f3f3f3}
.ovn .ovn-tabs>.ovn-panel{display:none;border-top:1px solid #ccc;padding:8px 0}
.ovn .ovn-tabs>input:checked+label{background:#fff;font-weight:600}
.ovn .ovn-tabs>input:checked+label+.ovn-panel{display:block}
.ovn .ovn-tabs{display:flex;flex-wrap:wrap}
.ovn .ovn-tabs>.ovn-panel{order:99;width:100%}
.ovn ul.ovn-tree{margin:2px 0 2px 0;padding-left:18px}
</style>"""

_TABLE = "border-collapse:collapse;margin:4px 0;font-size:12px"
_CELL = "border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top"
_HEAD = _CELL + ";background:#f3f3f3;font-weight:600"
ROW_STYLES = {"fail": "background:#fde2e1", "first-fail": "background:#f8b4b0;font-weight:600",
              "pass": "", "match": "background:#fff3b0", "": ""}


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def number(value, digits: int = 3) -> str:
    """Short human form of a float: 1.23e-05, 0.998, 12.4; ints as they are."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if value != value:
        return "nan"
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.{digits}g}" if abs(value) < 1 else f"{value:.{digits + 1}g}"
    return f"{value:.{digits - 1}e}"


def verdict(passed) -> str:
    if passed is None:
        return "<span style='color:#888'>—</span>"
    return ("<span style='color:#1a7f37;font-weight:600'>✔ pass</span>" if passed else
            "<span style='color:#cf222e;font-weight:600'>✘ fail</span>")


def table(headers, rows, caption=None, row_classes=None, raw_columns=(), css_class="") -> str:
    """An HTML table. Cells are escaped except in ``raw_columns`` (indices holding HTML);
    ``row_classes`` names a style per row (``"fail"``, ``"first-fail"``, ``"match"``)."""
    head = "".join(f"<th style='{_HEAD}'>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        style = ROW_STYLES.get(row_classes[index] if row_classes else "", "")
        cells = "".join(f"<td style='{_CELL}'>{cell if col in raw_columns else escape(cell)}</td>"
                        for col, cell in enumerate(row))
        body.append(f"<tr style='{style}'>{cells}</tr>")
    cap = f"<caption style='text-align:left;font-weight:600'>{escape(caption)}</caption>" \
        if caption else ""
    klass = f" class='{css_class}'" if css_class else ""
    return f"<table{klass} style='{_TABLE}'>{cap}<thead><tr>{head}</tr></thead>" \
           f"<tbody>{''.join(body)}</tbody></table>"


def tabs(panels, selected: int = 0) -> str:
    """CSS-only tabs: ``panels`` is ``[(title, html), ...]``; works without a kernel or JS."""
    group = f"ovn-tab-{next(_ids)}-{id(panels) % 10000}"
    parts = []
    for index, (title, body) in enumerate(panels):
        tab_id = f"{group}-{index}"
        checked = " checked" if index == selected else ""
        parts.append(f"<input type='radio' name='{group}' id='{tab_id}'{checked}>"
                     f"<label for='{tab_id}'>{escape(title)}</label>"
                     f"<div class='ovn-panel' data-tab='{escape(title)}'>{body}</div>")
    return f"<div class='ovn-tabs'>{''.join(parts)}</div>"


def section(title: str, body: str) -> str:
    head = f"<div style='font-weight:600'>{escape(title)}</div>"
    return f"<div style='margin:6px 0'>{head}{body}</div>"


def text_table(headers, rows) -> str:
    """A plain-text table with aligned columns (the ``__repr__`` form of the views)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max([len(str(h))] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def wrap(body: str) -> str:
    """The outer ``<div class='ovn'>`` with the stylesheet, for a complete output."""
    return f"<div class='ovn'>{CSS}{body}</div>"
