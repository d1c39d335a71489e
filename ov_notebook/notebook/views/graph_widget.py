"""The interactive graph: an anywidget over :class:`GraphView`, shown beside the static image.

    >>> widget = graph_widget(ov_model)      # or report.widget() after %convert
    >>> widget.query = "Add"                 # what typing in its search box does
    >>> widget.click("c:layer1#1")           # what clicking a cluster does: collapse it

Layout stays graphviz's (the same ``dot`` run as the static image, so both read the same way and
module calls are clusters); the browser side is one hand-written ES module (``static/``, no npm
build, no CDN) that pans, zooms, fits, sends clicks and keystrokes, and shows the details panel.
Python re-draws on expand/collapse and search, which ``dot`` does in well under a second at the
node budget; a browser layout engine (ELK, dagre) would need a bundled npm build for the same job.

Clicking a collapsed module's box opens it; clicking a cluster's frame closes it; clicking an op
shows its details: op type and opset, attributes, input and output shapes and element types, the
source aten op, module path and type, and statistics of the weights it reads.

The browser side writes the widget's state into the notebook's ``metadata.widgets`` on every
save, so a notebook reopened after its kernel is gone draws the saved graph (pan and zoom only)
instead of "Error displaying widget"; when the kernel dies with the page open, the widget's
output becomes a line of text. The static image beside it stays in both cases.
"""
from __future__ import annotations

import pathlib

import numpy as np

from .graph import GraphView, RenderError

__all__ = ["graph_widget", "node_details"]

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"
_WIDGET_CLASS = None


def _weights(port, seen=0):
    """The Constant behind ``port`` (through a decompressing Convert), or None."""
    node = port.get_node()
    if node.get_type_name() == "Constant":
        return node
    if node.get_type_name() == "Convert" and seen < 2:
        return _weights(node.input_value(0), seen + 1)
    return None


def node_details(node, parameter_count: int = 0) -> dict:
    """What the details panel shows for one op, as plain strings and lists (JSON-ready)."""
    info = node.get_rt_info()
    type_info = node.get_type_info()
    weights = []
    for index, port in enumerate(node.input_values()):
        constant = _weights(port)
        if constant is None:
            continue
        data = np.asarray(constant.get_data())
        if data.size < 2 or data.dtype.kind not in "fiu":
            continue
        values = data.astype(np.float64)
        weights.append({"input": index, "shape": list(data.shape), "dtype": str(data.dtype),
                        "min": float(values.min()), "max": float(values.max()),
                        "mean": float(values.mean()),
                        "share": data.size / parameter_count if parameter_count else None})
    return {
        "name": node.get_friendly_name(),
        "type": node.get_type_name(),
        "version": str(getattr(type_info, "version_id", "")),
        "attributes": {k: str(v) for k, v in node.get_attributes().items()},
        "inputs": [f"{p.get_partial_shape()} {p.get_element_type()}" for p in node.inputs()],
        "outputs": [f"{p.get_partial_shape()} {p.get_element_type()}" for p in node.outputs()],
        "source_op": str(info.get("source_op", "") or ""),
        "module_path": str(info.get("module_path", "") or ""),
        "module_type": str(info.get("module_type", "") or ""),
        "weights": weights,
    }


def _widget_class():
    global _WIDGET_CLASS
    if _WIDGET_CLASS is not None:
        return _WIDGET_CLASS
    import anywidget
    import traitlets

    class GraphWidget(anywidget.AnyWidget):
        """See the module docstring. ``view`` is the GraphView it draws."""

        _esm = STATIC / "graph_widget.js"
        _css = STATIC / "graph_widget.css"
        svg = traitlets.Unicode("").tag(sync=True)
        summary = traitlets.Unicode("").tag(sync=True)
        query = traitlets.Unicode("").tag(sync=True)
        depth = traitlets.Int(0).tag(sync=True)
        max_depth = traitlets.Int(0).tag(sync=True)
        matches = traitlets.List([]).tag(sync=True)   # drawn box ids holding a match
        clicked = traitlets.Unicode("").tag(sync=True)
        details = traitlets.Dict({}).tag(sync=True)
        error = traitlets.Unicode("").tag(sync=True)
        # the model's own id, so the browser side can close the model once the kernel is gone
        # (see closeWhenKernelGoes in graph_widget.js)
        widget_id = traitlets.Unicode("").tag(sync=True)

        def __init__(self, view: GraphView, parameter_count: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.widget_id = self.model_id
            self.view = view
            self.parameter_count = parameter_count
            self.max_depth = view.max_depth
            self.depth = view.depth
            self.redraw()

        def __repr__(self):  # the text/plain shown where the widget cannot draw (untrusted)
            view = getattr(self, "view", None)   # traitlets may ask before __init__ sets it
            if view is None:
                return "interactive graph"
            return (f"interactive graph: depth {view.depth} of {view.max_depth}, "
                    f"{len(view.layout.nodes)} nodes; run the cell to use it")

        def redraw(self):
            try:
                svg = self.view.svg()
                self.error = ""
            except RenderError as error:
                svg, self.error = "", f"graph not drawn: {error}"
            self.depth = self.view.depth
            self.matches = [f"u{i}" for i, unit in enumerate(self.view.units().values())
                            if any(id(n) in self.view._found_ids for n in unit.ops)]
            self.summary = self.view.summary()
            self.svg = svg

        @traitlets.observe("query")
        def _on_query(self, change):
            self.view.search(change["new"])
            self.redraw()

        @traitlets.observe("depth")
        def _on_depth(self, change):
            if change["new"] != self.view.depth:
                self.view.set_depth(change["new"])
                self.view.expanded.clear()
                self.view.collapsed.clear()
                self.redraw()

        @traitlets.observe("clicked")
        def _on_click(self, change):
            target = change["new"].split("|", 1)[0]  # "u12|3": a counter makes repeats changes
            if target:
                self.click(target)

        def click(self, target: str):
            """``"uN"``: open a module box or show an op's details; ``"c:<call>"``: close it."""
            if target.startswith("c:"):
                self.view.toggle(target[2:])
                self.redraw()
                return
            units = list(self.view.units().values())
            index = int(target[1:]) if target[1:].isdigit() else -1
            if not 0 <= index < len(units):
                return
            unit = units[index]
            if unit.kind == "module":
                self.view.toggle(unit.call)
                self.redraw()
            else:
                self.details = node_details(unit.node, self.parameter_count)

    _WIDGET_CLASS = GraphWidget
    return GraphWidget


def graph_widget(model_or_view, parameter_count=None, node_budget=300):
    """The interactive graph of a Model (or of a :class:`GraphView`'s current state). Graphs of
    more than 1,000 ops open collapsed to their top-level modules."""
    from .ops import weight_stats

    view = model_or_view
    if not isinstance(view, GraphView):
        view = GraphView(model_or_view, node_budget=node_budget)
        if len(view.layout.nodes) > 1000:
            view.set_depth(0)
    if parameter_count is None:
        parameter_count = weight_stats(view.layout.model)[0]
    return _widget_class()(view, parameter_count)


