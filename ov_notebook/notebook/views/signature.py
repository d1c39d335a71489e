"""Signature view: a Model's flattened inputs and outputs next to the original nested structure.

    >>> view = SignatureView(ov_model)
    >>> view.inputs[0]["path"], view.inputs[0]["shape"]
    ('x', '[1,3,224,224]')
    >>> view            # text table in a terminal, an HTML table and a tree in a notebook
"""
from __future__ import annotations

from ..structure import path_tree, structure_path
from .html import MUTED, escape, section, table, text_table, wrap

__all__ = ["SignatureView", "port_rows"]

_HEADERS = ["", "index", "tensor names", "structure path", "partial shape", "element type"]


def port_rows(ports, kind: str) -> list:
    """One dict per port: kind, index, names, path, shape, type (strings, ready to print)."""
    return [{"kind": kind, "index": index, "names": ", ".join(sorted(port.get_names())) or "—",
             "path": structure_path(port), "shape": str(port.get_partial_shape()),
             "type": str(port.get_element_type())}
            for index, port in enumerate(ports)]


def _tree_html(tree, rows_by_path) -> str:
    items = []
    for step, child in tree.items():
        label = f"[{step}]" if isinstance(step, int) else escape(step)
        if isinstance(child, dict):
            items.append(f"<li><code>{label}</code>{_tree_html(child, rows_by_path)}</li>")
        else:
            row = rows_by_path.get(child, {})
            items.append(f"<li><code>{label}</code>: tensor {escape(row.get('shape', '?'))} "
                         f"{escape(row.get('type', ''))} <span style='{MUTED}'>→ "
                         f"{escape(row.get('kind', ''))} {row.get('index', '')}</span></li>")
    return f"<ul class='ovn-tree'>{''.join(items)}</ul>"


def _tree_text(tree, rows_by_path, indent="  ") -> list:
    lines = []
    for step, child in tree.items():
        label = f"[{step}]" if isinstance(step, int) else str(step)
        if isinstance(child, dict):
            lines.append(f"{indent}{label}")
            lines += _tree_text(child, rows_by_path, indent + "  ")
        else:
            row = rows_by_path.get(child, {})
            lines.append(f"{indent}{label}: {row.get('shape', '?')} {row.get('type', '')}")
    return lines


class SignatureView:
    """The model's flattened signature (inputs, outputs) and its original nested structure."""

    def __init__(self, model):
        self.model = model
        self.inputs = port_rows(model.inputs, "input")
        self.outputs = port_rows(model.outputs, "output")

    @property
    def rows(self) -> list:
        return self.inputs + self.outputs

    def _trees(self):
        for title, rows in (("inputs", self.inputs), ("outputs", self.outputs)):
            paths = [r["path"] for r in rows if r["path"]]
            if paths:
                yield title, path_tree(paths), {r["path"]: r for r in rows}

    def _cells(self, row):
        return [row["kind"], row["index"], row["names"], row["path"] or "—", row["shape"],
                row["type"]]

    def html(self) -> str:
        styles = ["input" if r["kind"] == "input" else "" for r in self.rows]
        body = table(_HEADERS, [self._cells(r) for r in self.rows], row_classes=styles,
                     css_class="ovn-signature")
        trees = "".join(section(f"original {title} structure", _tree_html(tree, by_path))
                        for title, tree, by_path in self._trees())
        return f"{body}{trees}"

    def _repr_html_(self) -> str:
        return wrap(self.html())

    def __repr__(self) -> str:
        lines = [text_table(["kind"] + _HEADERS[1:], [self._cells(r) for r in self.rows])]
        for title, tree, by_path in self._trees():
            lines += [f"original {title} structure:"] + _tree_text(tree, by_path)
        return "\n".join(lines)
