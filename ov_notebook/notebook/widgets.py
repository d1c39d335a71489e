"""ipywidgets controls that sit under a static report and redraw it in place.

The report itself stays static HTML (readable without a kernel); these controls only change its
state and call ``refresh``, which updates the output through its display id. Saved notebooks keep
the last drawn state, and the widgets' own saved state holds nothing the page needs to read well.
"""
from __future__ import annotations

__all__ = ["graph_controls"]


def graph_controls(view, refresh):
    """A depth slider and a search box for a :class:`GraphView`; ``refresh()`` redraws the report.

    >>> box = graph_controls(report.graph, redraw)
    >>> box.children[0].value = 3        # the slider: expand three module levels
    """
    import ipywidgets as widgets

    depth = widgets.IntSlider(value=view.depth, min=0, max=max(view.max_depth, 0),
                              description="graph depth", continuous_update=False,
                              style={"description_width": "initial"})
    search = widgets.Text(value=view.query, placeholder="op type, node or module path",
                          description="search", continuous_update=False)
    status = widgets.Label(f"{view.visible_node_count} boxes")

    def on_depth(change):
        view.set_depth(change["new"])
        status.value = f"{view.visible_node_count} boxes"
        refresh()

    def on_search(change):
        found = view.search(change["new"])
        status.value = f"{view.visible_node_count} boxes, {len(found)} matches"
        refresh()

    depth.observe(on_depth, names="value")
    search.observe(on_search, names="value")
    return widgets.HBox([depth, search, status])
