"""Graph view: the converted graph drawn by graphviz, clustered by PyTorch module path.

    >>> view = GraphView(ov_model)              # depth chosen so that <= node_budget boxes show
    >>> view.depth, view.visible_node_count
    (2, 187)
    >>> view.set_depth(3).visible_node_count    # expand one more level of modules
    431
    >>> view.search("layer1.0")                 # highlights matching boxes; returns their labels
    >>> view.save_svg("graph.svg"); view.save_dot("graph.dot")

``dot`` runs with a timeout. Big graphs (BERT-base, ViT) start collapsed to the depth that fits the
node budget; if ``dot`` still runs out of time, the view falls back to shallower depths, and to a
text outline if even depth 0 fails, so a notebook cell never hangs on layout.
"""
from __future__ import annotations

import base64
import shutil
import subprocess
import time

from .graph_layout import GraphLayout
from .html import escape, wrap

__all__ = ["GraphView", "RenderError"]

_COLORS = {"input": "#c8f0c8", "output": "#ffd8a8", "op": "#ffffff", "module": "#dde8f8"}
_HIGHLIGHT = "#ffe066"


class RenderError(RuntimeError):
    """``dot`` is missing, failed, or ran past its timeout."""


def _quote(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape_text(node) -> str:
    if node.get_output_size() == 0:
        return ""
    return str(node.get_output_partial_shape(0))


def _search_text(unit) -> str:
    parts = [unit.module]
    for node in unit.ops[:200]:  # a module box matches on its first ops' names and types
        info = node.get_rt_info()
        parts += [node.get_friendly_name(), node.get_type_name(), str(info.get("source_op", ""))]
    return " ".join(parts).lower()


class GraphView:
    """A depth-collapsible, searchable drawing of a Model (SVG inside the notebook output)."""

    def __init__(self, model, depth=None, node_budget=300, timeout=10.0):
        self.layout = GraphLayout(model)
        self.node_budget = node_budget
        self.timeout = timeout
        self.depth = self.layout.depth_for_budget(node_budget) if depth is None else int(depth)
        self.depth = max(0, min(self.depth, self.layout.max_depth))
        self.query = ""
        self.note = ""
        self.render_seconds = None
        self._svg = {}

    # --- state -------------------------------------------------------------------------------
    @property
    def max_depth(self) -> int:
        return self.layout.max_depth

    @property
    def visible_node_count(self) -> int:
        return self.layout.unit_count(self.depth)

    @property
    def clusters(self) -> set:
        """Module paths drawn as clusters at the current depth."""
        return {c for unit in self.layout.units(self.depth).values() for c in unit.clusters}

    def set_depth(self, depth: int) -> GraphView:
        self.depth = max(0, min(int(depth), self.layout.max_depth))
        return self

    def search(self, query: str) -> list:
        """Highlight the boxes whose name, op type, source op or module path contains ``query``."""
        self.query = (query or "").strip()
        return [u.module if u.kind == "module" else u.node.get_friendly_name()
                for u in self._matches()]

    def _matches(self) -> list:
        if not self.query:
            return []
        needle = self.query.lower()
        return [u for u in self.layout.units(self.depth).values() if needle in _search_text(u)]

    # --- DOT -----------------------------------------------------------------------------------
    def _label(self, unit) -> str:
        if unit.kind == "module":
            kind = self.layout.module_types.get(unit.module, "module")
            return f"{unit.module}\n{kind} · {len(unit.ops)} ops\n{_shape_text(unit.node)}"
        node = unit.node
        if unit.kind in ("input", "output"):
            names = sorted(node.output(0).get_names() if unit.kind == "input" else
                           node.input_value(0).get_names())
            title = names[0] if names else node.get_friendly_name()
            return f"{unit.kind}: {title}\n{node.get_output_element_type(0)} {_shape_text(node)}"
        return f"{node.get_type_name()}\n{_shape_text(node)}"

    def _node_line(self, index, unit) -> str:
        node = unit.node
        info = node.get_rt_info()
        tooltip = f"{node.get_friendly_name()}\nmodule: {unit.module or '(root)'}"
        if info.get("source_op"):
            tooltip += f"\nsource: {info['source_op']}"
        style = "rounded,filled,bold" if unit.kind in ("input", "output") else "rounded,filled"
        return (f"u{index} [id=\"u{index}\" label={_quote(self._label(unit))} shape=box "
                f"style=\"{style}\" fillcolor=\"{_COLORS[unit.kind]}\" tooltip={_quote(tooltip)}];")

    def to_dot(self) -> str:
        """The DOT source of the current depth (``dot -Tsvg`` draws it)."""
        units = self.layout.units(self.depth)
        index = {key: i for i, key in enumerate(units)}
        tree = {}
        for key, unit in units.items():
            tree.setdefault(unit.clusters, []).append(self._node_line(index[key], unit))
        lines = ["digraph model {", "rankdir=TB; nodesep=0.2; ranksep=0.3;",
                 "node [fontname=\"Helvetica\" fontsize=10 margin=\"0.08,0.03\" height=0.3];",
                 "edge [color=\"#666666\" arrowsize=0.6];"]
        lines += self._cluster_lines((), tree)
        lines += [f"u{index[a]} -> u{index[b]};" for a, b, _ in self.layout.edges(self.depth)]
        return "\n".join(lines + ["}"])

    def _cluster_lines(self, prefix, tree) -> list:
        lines = list(tree.get(prefix, []))
        children = sorted({c[:len(prefix) + 1] for c in tree if len(c) > len(prefix)
                           and c[:len(prefix)] == prefix}, key=lambda c: c[-1])
        for child in children:
            path = child[-1]
            kind = self.layout.module_types.get(path, "")
            label = f"{path.rsplit('.', 1)[-1]}" + (f" ({kind})" if kind else "")
            lines.append(f"subgraph {_quote('cluster_' + path)} {{ label={_quote(label)}; "
                         f"tooltip={_quote(path)}; style=\"rounded\"; color=\"#9db4d0\"; "
                         "fontsize=9; fontcolor=\"#4a6a90\";")
            lines += self._cluster_lines(child, tree)
            lines.append("}")
        return lines

    # --- rendering -----------------------------------------------------------------------------
    def _run_dot(self, source: str) -> str:
        executable = shutil.which("dot")
        if executable is None:
            raise RenderError("graphviz's `dot` is not installed (apt-get install graphviz)")
        try:
            done = subprocess.run([executable, "-Tsvg"], input=source.encode(), capture_output=True,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"dot ran past {self.timeout:g} s") from None
        if done.returncode != 0:
            raise RenderError(f"dot failed: {done.stderr.decode(errors='replace')[:300]}")
        svg = done.stdout.decode()
        # natural size, scrolled inside its box: notebook CSS would shrink a big graph to a blur
        return svg[svg.find("<svg"):].replace("<svg ", "<svg style='max-width:none' ", 1)

    def svg(self) -> str:
        """SVG of the current depth; falls back to shallower depths if ``dot`` times out."""
        while True:
            if self.depth in self._svg:
                return self._svg[self.depth]
            started = time.perf_counter()
            try:
                self._svg[self.depth] = self._run_dot(self.to_dot())
                self.render_seconds = time.perf_counter() - started
            except RenderError as error:
                if self.depth == 0 or "not installed" in str(error):
                    raise
                # straight to the depth that fits the budget: each try may cost a full timeout
                fallback = min(self.depth - 1, self.layout.depth_for_budget(self.node_budget))
                self.note = f"{error}; collapsed from depth {self.depth} to {fallback}"
                self.depth = fallback

    def save_svg(self, path) -> None:
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.svg())

    def save_dot(self, path) -> None:
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.to_dot())

    def _highlight_css(self, scope: str) -> str:
        keys = list(self.layout.units(self.depth))
        ids = [f"#{scope} g#u{keys.index(u.key)} > path, #{scope} g#u{keys.index(u.key)} > polygon"
               for u in self._matches()]
        return f"<style>{', '.join(ids)} {{fill:{_HIGHLIGHT} !important}}</style>" if ids else ""

    def _links(self, svg: str) -> str:
        links = []
        for name, mime, data in (("graph.svg", "image/svg+xml", svg),
                                 ("graph.dot", "text/vnd.graphviz", self.to_dot())):
            if len(data) < 4_000_000:  # larger files would bloat the notebook: use save_svg()
                encoded = base64.b64encode(data.encode()).decode()
                links.append(f"<a download='{name}' href='data:{mime};base64,{encoded}'>{name}</a>")
        return " · ".join(links)

    def _summary(self) -> str:
        total = len(self.layout.nodes)
        text = (f"depth {self.depth} of {self.max_depth} · {self.visible_node_count} boxes drawn "
                f"for {total} nodes; constants and weight decompression hidden")
        if self.query:
            text += f" · search “{self.query}”: {len(self._matches())} matches"
        return text + (f" · {self.note}" if self.note else "")

    def html(self) -> str:
        try:
            svg = self.svg()
        except RenderError as error:
            return (f"<div style='color:#cf222e'>graph not drawn: {escape(error)}</div>"
                    f"<pre>{escape(self._outline())}</pre>")
        scope = f"ovn-graph-{id(self)}-{self.depth}"
        return (f"<div style='color:#666'>{escape(self._summary())} · download: "
                f"{self._links(svg)}</div>{self._highlight_css(scope)}"
                f"<div id='{scope}' class='ovn-graph' style='max-height:720px;overflow:auto;"
                f"border:1px solid #eee'>{svg}</div>")

    def _outline(self) -> str:
        units = list(self.layout.units(0).values())
        lines = [f"{u.kind:7} {self._label(u).splitlines()[0]}" for u in units[:60]]
        return "\n".join(lines + ([f"... {len(units) - 60} more"] if len(units) > 60 else []))

    def _repr_html_(self) -> str:
        return wrap(self.html())

    def __repr__(self) -> str:
        return f"<GraphView: {self._summary()}>\n{self._outline()}"
