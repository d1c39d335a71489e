"""Graph view: the converted graph drawn by graphviz, clustered by PyTorch module call.

    >>> view = GraphView(ov_model)              # depth chosen so that <= node_budget boxes show
    >>> view.depth, view.visible_node_count
    (2, 187)
    >>> view.set_depth(3).visible_node_count    # expand one more level of modules
    431
    >>> view.search("Add")                      # matching ops, revealed inside collapsed modules
    >>> view.overlay_errors(report.layers)      # color by relative error against PyTorch
    >>> view.save_svg("graph.svg"); view.save_dot("graph.dot")

The view displays as an image (``image/svg+xml`` with an ``image/png`` twin and a text outline),
never as SVG text inside HTML: JupyterLab shows the PNG in notebooks that are not trusted (its
sanitizer strips inline SVG and does not render SVG outputs there), GitHub and nbconvert show it
too. Search and overlays are drawn into the image itself (fill colors), not added by CSS.

``dot`` runs with a timeout. Big graphs (BERT-base, ViT) start collapsed to the depth that fits the
node budget; if ``dot`` still runs out of time, the view falls back to shallower depths, and to a
text outline if even depth 0 fails, so a notebook cell never hangs on layout.
"""
from __future__ import annotations

import base64
import math
import os
import shutil
import subprocess
import tempfile
import time

from .graph_layout import GraphLayout
from .html import escape

__all__ = ["GraphView", "RenderError", "error_color", "latency_color", "search_text"]

# Boxes are drawn on the image's own white background, so the image reads in light and dark
# themes alike (the notebook's colors cannot reach inside an <img>).
_COLORS = {"input": "#c8f0c8", "output": "#ffd8a8", "op": "#ffffff", "module": "#dde8f8"}
_HIGHLIGHT = "#ffd23f"
# relative error against PyTorch, log scale: <=1e-7 ... >=1e-2
_ERROR_STEPS = [(1e-7, "#d7f5d3"), (1e-6, "#b8e6a0"), (1e-5, "#f2e88c"), (1e-4, "#f7c46c"),
                (1e-3, "#f29053"), (1e-2, "#e0443a")]
# share of the measured latency: <1% ... >=20%
_LATENCY_STEPS = [(0.0, "#fdf0e4"), (0.01, "#fbd3ad"), (0.03, "#f7ad72"), (0.07, "#f0873f"),
                  (0.12, "#d9641d"), (0.2, "#a8430b")]


class RenderError(RuntimeError):
    """``dot`` is missing, failed, or ran past its timeout."""


def _quote(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape_text(node) -> str:
    if node.get_output_size() == 0:
        return ""
    return str(node.get_output_partial_shape(0))


def search_text(node, module: str) -> str:
    """What a search matches for one op: its name, type, source aten op and module path."""
    info = node.get_rt_info()
    return " ".join([node.get_friendly_name(), node.get_type_name(),
                     str(info.get("source_op", "")), module]).lower()


def _step_color(value, steps) -> str:
    color = steps[0][1]
    for bound, step_color in steps:
        if value >= bound:
            color = step_color
    return color


def error_color(relative_error) -> str:
    """Fill color of a relative error (log scale from 1e-7, green, to 1e-2 and above, red)."""
    return _step_color(relative_error, _ERROR_STEPS)


def latency_color(share) -> str:
    """Fill color of a share of the total latency (0..1)."""
    return _step_color(share, _LATENCY_STEPS)


def _error_text(value) -> str:
    return "0" if value <= 0 else f"1e{math.floor(math.log10(value)):d}"


class GraphView:
    """A depth-collapsible, searchable drawing of a Model (an image in the notebook output)."""

    def __init__(self, model, depth=None, node_budget=300, timeout=10.0):
        self.layout = GraphLayout(model)
        self.node_budget = node_budget
        self.timeout = timeout
        self.depth = self.layout.depth_for_budget(node_budget) if depth is None else int(depth)
        self.depth = max(0, min(self.depth, self.layout.max_depth))
        self.query = ""
        self.note = ""
        self.render_seconds = None
        self.overlay = None          # (kind, {node name: value}, legend title) or None
        self._found = []             # nodes matching the query
        self._found_ids = set()
        self.expanded = set()        # module calls opened by a click, beyond the depth
        self.collapsed = set()       # module calls closed by a click
        self._rendered = {}

    # --- state -------------------------------------------------------------------------------
    @property
    def max_depth(self) -> int:
        return self.layout.max_depth

    @property
    def reveal(self) -> frozenset:
        """Module calls expanded beyond the depth because they hold search matches (none when
        expanding them all would draw more than twice the node budget: then the collapsed boxes
        holding matches are highlighted instead)."""
        calls = frozenset(call for node in self._found for call in self.layout.calls(node))
        if calls and self.layout.unit_count(self.depth, calls) > 2 * self.node_budget:
            calls = frozenset()
        return calls | frozenset(self.expanded)

    def units(self):
        return self.layout.units(self.depth, self.reveal, frozenset(self.collapsed))

    def toggle(self, call: str) -> GraphView:
        """Open a collapsed module call (``"layer1.0#1"``), or close an open one."""
        drawn_as_box = any(u.call == call for u in self.units().values())
        if drawn_as_box:
            self.collapsed.discard(call)
            self.expanded.add(call)
        else:
            self.expanded.discard(call)
            self.collapsed.add(call)
        return self

    @property
    def visible_node_count(self) -> int:
        return len(self.units())

    @property
    def clusters(self) -> set:
        """Module paths drawn as clusters at the current depth."""
        return {c.rpartition("#")[0] for unit in self.units().values() for c in unit.clusters}

    def set_depth(self, depth: int) -> GraphView:
        self.depth = max(0, min(int(depth), self.layout.max_depth))
        return self

    def search(self, query: str) -> list:
        """Highlight the ops whose name, op type, source op or module path contains ``query``;
        module calls holding a match are expanded to show it. Returns the matching op names."""
        self.query = (query or "").strip()
        needle = self.query.lower()
        self._found = [n for n in self.layout.nodes
                       if needle and needle in search_text(n, self._module(n))] if needle else []
        self._found_ids = {id(n) for n in self._found}
        return [n.get_friendly_name() for n in self._found]

    @property
    def hidden_match_count(self) -> int:
        """Matches that the plain depth would have folded into collapsed module boxes."""
        folded = self.layout.units(self.depth)
        return sum(1 for u in folded.values() if u.kind == "module"
                   for n in u.ops if id(n) in self._found_ids)

    def _module(self, node) -> str:
        return str(node.get_rt_info().get("module_path", "") or "")

    def overlay_errors(self, layers) -> GraphView:
        """Color each op (and each collapsed module, by its worst op) by its relative error
        against PyTorch, from ``%infer --layers``'s table (``report.layers``)."""
        values = {}
        for row in getattr(layers, "rows", []):
            if row.comparison is not None and row.comparison.max_rel_error is not None:
                values[row.node] = max(values.get(row.node, 0.0), row.comparison.max_rel_error)
        self.overlay = ("error", values, "relative error vs PyTorch")
        return self

    def overlay_latency(self, times) -> GraphView:
        """Color ops by their share of the latency; ``times`` maps node name -> seconds (or a
        list of ProfilingInfo, as ``InferRequest.get_profiling_info()`` returns)."""
        if not isinstance(times, dict):
            times = {i.node_name: i.real_time.total_seconds() for i in times}
        total = sum(times.values()) or 1.0
        self.overlay = ("latency", {k: v / total for k, v in times.items()}, "share of latency")
        return self

    def clear_overlay(self) -> GraphView:
        self.overlay = None
        return self

    def _overlay_value(self, unit):
        if self.overlay is None:
            return None
        kind, values, _ = self.overlay
        found = [values[n.get_friendly_name()] for n in unit.ops if n.get_friendly_name() in values]
        if not found:
            return None
        return sum(found) if kind == "latency" else max(found)

    # --- DOT -----------------------------------------------------------------------------------
    def _label(self, unit) -> str:
        if unit.kind == "module":
            kind = self.layout.module_types.get(unit.module, "module")
            return f"{self.layout.label(unit.call)}\n{kind} · {len(unit.ops)} ops\n" \
                   f"{_shape_text(unit.node)}"
        node = unit.node
        if unit.kind in ("input", "output"):
            names = sorted(node.output(0).get_names() if unit.kind == "input" else
                           node.input_value(0).get_names())
            title = names[0] if names else node.get_friendly_name()
            return f"{unit.kind}: {title}\n{node.get_output_element_type(0)} {_shape_text(node)}"
        return f"{node.get_type_name()}\n{_shape_text(node)}"

    def _fill(self, unit, value) -> str:
        if value is not None:
            return error_color(value) if self.overlay[0] == "error" else latency_color(value)
        return _COLORS[unit.kind]

    def _node_line(self, index, unit) -> str:
        node = unit.node
        info = node.get_rt_info()
        tooltip = f"{node.get_friendly_name()}\nmodule: {unit.module or '(root)'}"
        if info.get("source_op"):
            tooltip += f"\nsource: {info['source_op']}"
        value = self._overlay_value(unit)
        label = self._label(unit)
        if value is not None:
            label += (f"\nrel. error {value:.1e}" if self.overlay[0] == "error" and value else
                      "\nrel. error 0" if self.overlay[0] == "error"
                      else f"\n{value:.1%} of latency")
        style = "rounded,filled,bold" if unit.kind in ("input", "output") else "rounded,filled"
        extra = ""
        if any(id(n) in self._found_ids for n in unit.ops):
            style, extra = "rounded,filled,bold", ' penwidth=3 color="#c2410c"'
            if value is None:
                extra += f' fillcolor="{_HIGHLIGHT}"'
        fill = "" if "fillcolor" in extra else f' fillcolor="{self._fill(unit, value)}"'
        return (f"u{index} [id=\"u{index}\" label={_quote(label)} shape=box "
                f"style=\"{style}\"{fill}{extra} tooltip={_quote(tooltip)}];")

    def _legend_lines(self) -> list:
        if self.overlay is None:
            return []
        kind, _, title = self.overlay
        steps = _ERROR_STEPS if kind == "error" else _LATENCY_STEPS
        texts = ([f"≤{_error_text(steps[1][0])}"] + [f"≥{_error_text(b)}" for b, _ in steps[1:]]
                 if kind == "error" else
                 [f"<{steps[1][0]:.0%}"] + [f"≥{b:.0%}" for b, _ in steps[1:]])
        cells = "".join(f'<TD BGCOLOR="{color}">{escape(text)}</TD>'
                        for (_, color), text in zip(steps, texts))
        return [f'legend [shape=plaintext label=<<TABLE BORDER="0" CELLBORDER="1" '
                f'CELLSPACING="0" CELLPADDING="3"><TR><TD COLSPAN="{len(steps)}">'
                f'{escape(title)}</TD></TR><TR>{cells}</TR></TABLE>>];']

    def to_dot(self) -> str:
        """The DOT source of the current depth (``dot -Tsvg`` draws it)."""
        units = self.units()
        index = {key: i for i, key in enumerate(units)}
        tree = {}
        for key, unit in units.items():
            tree.setdefault(unit.clusters, []).append(self._node_line(index[key], unit))
        lines = ["digraph model {",
                 "rankdir=TB; nodesep=0.25; ranksep=0.3; bgcolor=\"white\"; newrank=true;",
                 "node [fontname=\"Helvetica\" fontsize=10 margin=\"0.08,0.03\" height=0.3];",
                 "edge [color=\"#666666\" arrowsize=0.6];"]
        lines += self._legend_lines()
        lines += self._cluster_lines((), tree)
        lines += [f"u{index[a]} -> u{index[b]};" for a, b, _ in
                  self.layout.edges(self.depth, self.reveal, frozenset(self.collapsed))]
        return "\n".join(lines + ["}"])

    def _cluster_lines(self, prefix, tree) -> list:
        lines = list(tree.get(prefix, []))
        children = sorted({c[:len(prefix) + 1] for c in tree if len(c) > len(prefix)
                           and c[:len(prefix)] == prefix},
                          key=lambda c: min(i for i, k in enumerate(tree) if k[:len(c)] == c))
        for child in children:
            call = child[-1]
            path = call.rpartition("#")[0]
            kind = self.layout.module_types.get(path, "")
            shown = self.layout.label(call)
            label = shown.replace(path, path.rsplit(".", 1)[-1], 1) + (f" ({kind})" if kind else "")
            lines.append(f"subgraph {_quote('cluster_' + call)} {{ id={_quote('c:' + call)}; "
                         f"label={_quote(label)}; "
                         f"tooltip={_quote(shown)}; style=\"rounded\"; color=\"#9db4d0\"; "
                         "fontsize=9; fontcolor=\"#4a6a90\";")
            lines += self._cluster_lines(child, tree)
            lines.append("}")
        return lines

    # --- rendering -----------------------------------------------------------------------------
    def _run_dot(self, source: str) -> tuple:
        """``(svg text, png bytes)`` of ``source``, laid out once."""
        executable = shutil.which("dot")
        if executable is None:
            raise RenderError("graphviz's `dot` is not installed (apt-get install graphviz)")
        with tempfile.TemporaryDirectory() as directory:
            svg_path, png_path = os.path.join(directory, "g.svg"), os.path.join(directory, "g.png")
            try:
                done = subprocess.run([executable, "-Tsvg", f"-o{svg_path}", "-Tpng",
                                       "-Gdpi=72", f"-o{png_path}"], input=source.encode(),
                                      capture_output=True, timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired:
                raise RenderError(f"dot ran past {self.timeout:g} s") from None
            if done.returncode != 0:
                raise RenderError(f"dot failed: {done.stderr.decode(errors='replace')[:300]}")
            with open(svg_path, encoding="utf-8") as file:
                svg = file.read()
            with open(png_path, "rb") as file:
                png = file.read()
        return svg[svg.find("<svg"):], png

    def _state(self):
        overlay = None if self.overlay is None else (self.overlay[0], id(self.overlay[1]))
        return (self.depth, self.query, overlay, frozenset(self.expanded),
                frozenset(self.collapsed))

    def render(self) -> tuple:
        """``(svg, png)`` of the current state; falls back to shallower depths if ``dot`` times
        out."""
        while True:
            if self._state() in self._rendered:
                return self._rendered[self._state()]
            started = time.perf_counter()
            try:
                self._rendered[self._state()] = self._run_dot(self.to_dot())
                self.render_seconds = time.perf_counter() - started
            except RenderError as error:
                if self.depth == 0 or "not installed" in str(error):
                    raise
                # straight to the depth that fits the budget: each try may cost a full timeout
                fallback = min(self.depth - 1, self.layout.depth_for_budget(self.node_budget))
                self.note = f"{error}; collapsed from depth {self.depth} to {fallback}"
                self.depth = fallback

    def svg(self) -> str:
        """SVG text of the current state."""
        return self.render()[0]

    def png(self) -> bytes:
        return self.render()[1]

    def save_svg(self, path) -> None:
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.svg())

    def save_dot(self, path) -> None:
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.to_dot())

    def summary(self) -> str:
        total = len(self.layout.nodes)
        text = (f"depth {self.depth} of {self.max_depth} · {self.visible_node_count} boxes drawn "
                f"for {total} nodes; constants and weight decompression hidden")
        if self.query:
            hidden = self.hidden_match_count
            expanded = "expanded" if self.reveal else "their boxes highlighted"
            text += (f" · search “{self.query}”: {len(self._found)} matches"
                     + (f", {hidden} inside collapsed modules ({expanded})" if hidden else ""))
        if self.overlay is not None:
            text += f" · colored by {self.overlay[2]}"
        return text + (f" · {self.note}" if self.note else "")

    def outline(self) -> str:
        units = list(self.layout.units(0).values())
        lines = [f"{u.kind:7} {self._label(u).splitlines()[0]}" for u in units[:60]]
        return "\n".join(lines + ([f"... {len(units) - 60} more"] if len(units) > 60 else []))

    def mimebundle(self) -> dict:
        """The image output: SVG, its PNG twin (shown where SVG is not), and a text outline."""
        text = f"<GraphView: {self.summary()}>\n{self.outline()}"
        try:
            svg, png = self.render()
        except RenderError as error:
            return {"text/plain": f"graph not drawn: {error}\n{text}"}
        return {"image/svg+xml": svg, "image/png": base64.b64encode(png).decode(),
                "text/plain": text}

    def caption_html(self) -> str:
        """The line above the image: what is drawn, and download links (SVG, DOT)."""
        try:
            svg = self.svg()
        except RenderError as error:
            return (f"<div class='ovn-error'>graph not drawn: {escape(error)}</div>"
                    f"<pre>{escape(self.outline())}</pre>")
        links = []
        for name, mime, data in (("graph.svg", "image/svg+xml", svg),
                                 ("graph.dot", "text/vnd.graphviz", self.to_dot())):
            if len(data) < 4_000_000:  # larger files would bloat the notebook: use save_svg()
                encoded = base64.b64encode(data.encode()).decode()
                links.append(f"<a download='{name}' href='data:{mime};base64,{encoded}'>{name}</a>")
        return (f"<div class='ovn-muted'>{escape(self.summary())}"
                + (f" · download: {' · '.join(links)}" if links else "") + "</div>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.mimebundle()

    def __repr__(self) -> str:
        return f"<GraphView: {self.summary()}>\n{self.outline()}"
