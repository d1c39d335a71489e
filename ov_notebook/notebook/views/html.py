"""Static HTML building blocks shared by the views: tables, tabs, text tables.

Everything here renders without a kernel and without JavaScript, so an executed notebook reads the
same in JupyterLab (trusted or not), nbconvert's HTML, nbviewer and GitHub. Tables carry inline
styles because GitHub's renderer and JupyterLab's sanitizer drop ``<style>`` blocks; sections are
``<details>`` elements, which open and close without scripts or styles.

    >>> print(text_table(["op", "count"], [["Add", 3], ["Relu", 12]]))
    op    count
    ----  -----
    Add   3
    Relu  12
"""
from __future__ import annotations

import html
import itertools

__all__ = ["escape", "table", "panels", "text_table", "section", "verdict", "number", "wrap", "CSS",
           "MUTED", "PASS_COLOR", "FAIL_COLOR", "WARN_COLOR"]

_ids = itertools.count()

# Colors: JupyterLab's --jp-* variables where a <style> block applies (trusted notebooks, nbconvert),
# and translucent inline colors that read on light and dark backgrounds where it does not (the
# sanitizer of untrusted notebooks keeps inline rgba() colors but drops <style> and var()).
CSS = """<style>
.ovn{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;line-height:1.4;
 color:var(--jp-content-font-color1,inherit)}
.ovn table th{background:var(--jp-layout-color2,rgba(128,128,128,.14));
 color:var(--jp-content-font-color1,inherit)}
.ovn table td,.ovn table th{border-color:var(--jp-border-color2,rgba(128,128,128,.35))}
.ovn .ovn-muted{color:var(--jp-content-font-color2,#777)}
.ovn .ovn-pass{color:var(--jp-success-color1,#1a7f37)}
.ovn .ovn-fail,.ovn .ovn-error{color:var(--jp-error-color1,#cf222e)}
.ovn .ovn-warn{color:var(--jp-warn-color1,#9a6700)}
.ovn details>summary{cursor:pointer;font-weight:600;margin:4px 0}
.ovn ul.ovn-tree{margin:2px 0 2px 0;padding-left:18px}
</style>"""

_TABLE = "border-collapse:collapse;margin:4px 0;font-size:12px"
_CELL = "border:1px solid rgba(128,128,128,0.35);padding:2px 8px;text-align:left;vertical-align:top"
_HEAD = _CELL + ";background-color:rgba(128,128,128,0.14);font-weight:600"
ROW_STYLES = {"fail": "background-color:rgba(230,60,50,0.16)",
              "first-fail": "background-color:rgba(230,60,50,0.34);font-weight:600",
              "pass": "", "match": "background-color:rgba(255,200,0,0.28)",
              "input": "background-color:rgba(60,160,80,0.12)", "": ""}
MUTED = "color:rgba(128,128,128,0.95)"
PASS_COLOR, FAIL_COLOR, WARN_COLOR = "rgb(40,150,70)", "rgb(215,50,45)", "rgb(190,130,0)"


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
        return f"<span style='{MUTED}'>—</span>"
    return (f"<span class='ovn-pass' style='color:{PASS_COLOR};font-weight:600'>✔ pass</span>"
            if passed else
            f"<span class='ovn-fail' style='color:{FAIL_COLOR};font-weight:600'>✘ fail</span>")


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


def panels(items, opened=(0,)) -> str:
    """Collapsible sections: ``items`` is ``[(title, html), ...]``, those in ``opened`` open.

    ``<details>`` opens and closes without JavaScript or a stylesheet, so it works in untrusted
    notebooks (where CSS radio tabs would show every panel and dead buttons), on GitHub and in
    nbconvert's HTML.
    """
    parts = []
    for index, (title, body) in enumerate(items):
        state = " open" if index in opened else ""
        parts.append(f"<details class='ovn-panel' data-panel='{escape(title)}'{state}>"
                     f"<summary>{escape(title)}</summary>{body}</details>")
    return "".join(parts)


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
