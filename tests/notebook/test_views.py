"""Signature, graph and ops views on hand-built Models of real-model size (module_path rt_info)."""
import base64
import time

import pytest

from ov_notebook.notebook.views.graph import GraphView
from ov_notebook.notebook.views.graph_layout import GraphLayout
from ov_notebook.notebook.views.ops import OpsView
from ov_notebook.notebook.views.signature import SignatureView
from synthetic import bert_like, nested_io, resnet50_like


@pytest.fixture(scope="module")
def bert():
    return bert_like()


@pytest.fixture(scope="module")
def resnet():
    return resnet50_like()


def test_signature_rows_and_tree():
    view = SignatureView(nested_io())
    assert [r["path"] for r in view.inputs] == ["x", "b[0]", "b[1][0]"]
    assert [r["path"] for r in view.outputs] == ['["sum"]', '["parts"][0]']
    assert view.inputs[1] == {"kind": "input", "index": 1, "names": "b.0", "path": "b[0]",
                              "shape": "[2,3]", "type": "f32"}
    html = view._repr_html_()
    assert "class='ovn-signature'" in html and html.count("<tr") == 1 + 5
    assert "original inputs structure" in html and "<code>[1]</code>" in html
    text = repr(view)
    assert "b[1][0]" in text and "original outputs structure:" in text and "  parts" in text


def test_ops_view_counts_and_bars(resnet):
    view = OpsView(resnet)
    assert view.counts["Multiply"] == view.counts["Relu"] == 161
    assert view.total == sum(view.counts.values())
    html = view._repr_html_()
    assert html.count("background:#4a90d9") == len(view.counts)
    assert repr(view).splitlines()[0].startswith(f"{view.total} operations")


@pytest.mark.parametrize("make, size", [(resnet50_like, 300), (bert_like, 2400)])
def test_graph_default_depth_keeps_a_few_hundred_boxes(make, size):
    model = make()
    view = GraphView(model, node_budget=300)
    assert len(view.layout.nodes) > size
    assert view.visible_node_count <= 300
    assert view.layout.unit_count(view.depth + 1) > 300 or view.depth == view.max_depth


def test_graph_depth_changes_visible_count(bert):
    layout = GraphLayout(bert)
    counts = [layout.unit_count(d) for d in range(layout.max_depth + 1)]
    assert counts == sorted(counts) and counts[0] < 20 and counts[-1] == len(layout.nodes)
    view = GraphView(bert)
    before = view.visible_node_count
    assert view.set_depth(view.depth + 1).visible_node_count > before
    assert view.set_depth(0).visible_node_count == counts[0]


def test_graph_clusters_by_module(resnet):
    view = GraphView(resnet, depth=1)
    assert {"layer1", "layer4"} <= view.clusters
    units = view.layout.units(1)
    folded = [u for u in units.values() if u.kind == "module"]
    assert {u.module for u in folded} >= {"layer1.0", "layer4.2"}
    assert all(u.clusters == (u.module.split(".")[0] + "#1",) for u in folded)
    dot = view.to_dot()
    assert 'subgraph "cluster_layer1#1"' in dot and "Bottleneck · 21 ops" in dot


def _shared_relu():
    """block.conv -> relu -> block.conv2 -> (+ skip) -> relu: one ReLU module called twice."""
    import numpy as np

    from ov_notebook import opset as ops
    from synthetic import _finish, _param, tag

    x = _param("x", [1, 4], "x")
    a = tag(ops.multiply(x, np.float32(2)), "block.conv1", "Conv2d")
    a = tag(ops.relu(a), "block.relu", "ReLU", "aten.relu.default")
    b = tag(ops.multiply(a, np.float32(3)), "block.conv2", "Conv2d")
    b = tag(ops.add(b, x), "block", "BasicBlock")
    b = tag(ops.relu(b), "block.relu", "ReLU", "aten.relu.default")
    return _finish([b], [x], "shared", [""])


def test_module_called_twice_is_two_clusters_and_two_boxes():
    view = GraphView(_shared_relu(), depth=1)
    layout = view.layout
    assert layout.call_counts["block.relu"] == 2 and layout.call_counts["block"] == 1
    boxes = [u for u in view.units().values() if u.kind == "module"]
    assert [u.call for u in boxes] == ["block.conv1#1", "block.relu#1", "block.conv2#1",
                                       "block.relu#2"]
    dot = view.set_depth(2).to_dot()
    assert 'subgraph "cluster_block.relu#1"' in dot and 'subgraph "cluster_block.relu#2"' in dot
    assert "relu (call 2 of 2) (ReLU)" in dot
    # collapsed, each call is its own box: the edges run down the page, never back up
    edges = [(a, b) for a, b, _ in layout.edges(1)]
    order = list(layout.units(1))
    assert all(order.index(a) < order.index(b) for a, b in edges)


def test_graph_renders_as_an_image_within_budget(bert):
    view = GraphView(bert, node_budget=300, timeout=20)
    started = time.perf_counter()
    bundle = view._repr_mimebundle_()
    assert time.perf_counter() - started < 20
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    svg = bundle["image/svg+xml"]
    assert svg.startswith("<svg") and svg.count('class="node"') == view.visible_node_count
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "input: input_ids" in svg and "fillcolor" not in svg  # labels drawn, DOT not leaked
    caption = view.caption_html()
    assert "download='graph.svg'" in caption and "download='graph.dot'" in caption
    assert "<svg" not in caption  # no raw SVG inside HTML: sanitizers strip it
    assert bundle["text/plain"].startswith("<GraphView: depth")


def test_graph_full_depth_bert_renders(bert):
    view = GraphView(bert, node_budget=300, timeout=30).set_depth(99)
    assert view.depth == view.max_depth
    svg = view.svg()
    assert svg.count("class=\"node\"") == len(view.layout.nodes)


def test_graph_falls_back_when_dot_times_out(resnet):
    view = GraphView(resnet, timeout=1e-4).set_depth(2)
    # with no time at all even depth 0 fails: the view says so and shows a text outline
    assert "graph not drawn" in view.caption_html() and "layer1" in view.caption_html()
    bundle = view.mimebundle()
    assert set(bundle) == {"text/plain"} and "graph not drawn" in bundle["text/plain"]


def test_graph_search_highlights_and_reveals(resnet):
    view = GraphView(resnet, depth=1)
    collapsed = view.visible_node_count
    found = view.search("layer2.1.op1")
    assert len(found) == 6 and all(view._module(n) == "layer2.1.op1" for n in view._found)
    # the matches sat inside the collapsed layer2.1 box: it is expanded to show them
    assert view.hidden_match_count == 6 and view.visible_node_count > collapsed
    drawn = {id(n) for u in view.units().values() if u.kind == "op" for n in u.ops}
    assert all(id(n) in drawn for n in view._found)
    dot = view.to_dot()
    assert dot.count("penwidth=3") == 6 and dot.count('fillcolor="#ffd23f"') == 6
    assert "6 matches, 6 inside collapsed modules (expanded)" in view.summary()
    assert view.search("") == [] and "penwidth=3" not in view.to_dot()
    assert view.visible_node_count == collapsed


def test_graph_search_with_too_many_matches_highlights_boxes(resnet):
    view = GraphView(resnet, depth=0, node_budget=20)
    found = view.search("Relu")
    assert len(found) == 161 and view.reveal == frozenset()
    assert view.visible_node_count == view.layout.unit_count(0)
    assert "their boxes highlighted" in view.summary()
    assert view.to_dot().count("penwidth=3") == sum(
        1 for u in view.units().values() if any(n.get_type_name() == "Relu" for n in u.ops))


def test_graph_overlays_color_nodes_and_draw_a_legend():
    from ov_notebook.notebook.layers import LayerRow, LayerTable
    from ov_notebook.notebook.compare import compare_leaf
    import numpy as np

    model = _shared_relu()
    view = GraphView(model, depth=2)
    names = [n.get_friendly_name() for n in view.layout.nodes if n.get_type_name() == "Relu"]
    rows = [LayerRow("block.relu (call 1 of 2)", "ReLU", names[0],
                     compare_leaf("a", np.ones(4), np.ones(4) + 2e-3)),
            LayerRow("block.relu (call 2 of 2)", "ReLU", names[1],
                     compare_leaf("b", np.ones(4), np.ones(4)))]
    view.overlay_errors(LayerTable(rows, 1e-4, 1e-3))
    dot = view.to_dot()
    assert "legend [shape=plaintext" in dot and "relative error vs PyTorch" in dot
    assert dot.count("rel. error") == 2 and "rel. error 2.0e-03" in dot and "rel. error 0" in dot
    assert 'fillcolor="#f29053"' in dot  # 2e-3: the 1e-3 step of the log scale
    view.overlay_latency({names[0]: 0.003, names[1]: 0.001})
    dot = view.to_dot()
    assert "75.0% of latency" in dot and "share of latency" in dot
    assert view.svg().count("legend") >= 1


def test_graph_timeout_collapses_straight_to_the_budget_depth(bert, monkeypatch):
    from ov_notebook.notebook.views import graph

    view = GraphView(bert, node_budget=300).set_depth(99)
    budget_depth = view.layout.depth_for_budget(300)
    tried = []

    def slow_dot(self, source):
        tried.append(self.depth)
        if self.depth > budget_depth:
            raise graph.RenderError("dot ran past 10 s")
        return "<svg></svg>", b"png"

    monkeypatch.setattr(graph.GraphView, "_run_dot", slow_dot)
    assert view.svg().startswith("<svg")
    assert tried == [view.max_depth, budget_depth] and view.depth == budget_depth
    assert f"collapsed from depth {view.max_depth} to {budget_depth}" in view.caption_html()


def test_latency_overlay_from_profiling_info():
    import numpy as np

    import ov_notebook as ov

    model = _shared_relu()
    compiled = ov.compile_model(model, "CPU", {"PERF_COUNT": True})
    request = compiled.create_infer_request()
    request.infer([np.ones((1, 4), np.float32)])
    records = request.get_profiling_info()
    view = GraphView(model, depth=2).overlay_latency(records)
    shares = view.overlay[1]
    assert shares and abs(sum(shares.values()) - 1) < 1e-9
    drawn = [n.get_friendly_name() for n in view.layout.nodes]
    assert any(name in shares for name in drawn)  # runtime node names are the graph's
    assert "of latency" in view.to_dot() and "share of latency" in view.summary()


def test_graph_widget_tells_the_browser_its_own_model_id():
    """graph_widget.js closes the model and swaps its output for text once the kernel is gone;
    it finds the model through this synced id."""
    pytest.importorskip("anywidget")
    from ov_notebook.notebook.views.graph_widget import graph_widget

    widget = graph_widget(_shared_relu())
    try:
        assert widget.model_id and widget.widget_id == widget.model_id
        assert widget.get_state()["widget_id"] == widget.model_id
        assert "followKernel(model)" in (widget._esm if isinstance(widget._esm, str)
                                         else widget._esm.read_text())
    finally:
        widget.close()


def test_graph_widget_text_form_is_no_widget_repr():
    """Where the widget cannot show (an untrusted notebook, a console), its text/plain is read."""
    pytest.importorskip("anywidget")
    from ov_notebook.notebook.views.graph_widget import graph_widget

    widget = graph_widget(_shared_relu())
    try:
        text = widget._repr_mimebundle_()[0]["text/plain"]
        assert text.startswith("interactive graph: depth ") and " object at 0x" not in text
        assert "run the cell" in text and len(text) <= 110   # ipywidgets cuts longer reprs
    finally:
        widget.close()
