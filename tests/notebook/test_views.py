"""Signature, graph and ops views on hand-built Models of real-model size (module_path rt_info)."""
import re
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
    assert all(u.clusters == (u.module.split(".")[0],) for u in folded)
    dot = view.to_dot()
    assert 'subgraph "cluster_layer1"' in dot and "Bottleneck · 21 ops" in dot


def test_graph_renders_big_models_within_budget(bert):
    view = GraphView(bert, node_budget=300, timeout=20)
    started = time.perf_counter()
    html = view._repr_html_()
    assert time.perf_counter() - started < 20
    assert "<svg" in html and "graph not drawn" not in html
    assert html.count("class=\"node\"") == view.visible_node_count
    assert "download='graph.svg'" in html and "download='graph.dot'" in html
    assert "input: input_ids" in html and "fillcolor" not in html  # labels drawn, DOT not leaked


def test_graph_full_depth_bert_renders(bert):
    view = GraphView(bert, node_budget=300, timeout=30).set_depth(99)
    assert view.depth == view.max_depth
    svg = view.svg()
    assert svg.count("class=\"node\"") == len(view.layout.nodes)


def test_graph_falls_back_when_dot_times_out(resnet):
    view = GraphView(resnet, timeout=1e-4).set_depth(2)
    html = view.html()
    # with no time at all even depth 0 fails: the view says so and shows a text outline
    assert "graph not drawn" in html and "layer1" in html


def test_graph_search_highlights(resnet):
    view = GraphView(resnet, depth=2)
    found = view.search("layer2.1")
    assert len(found) == 4 and "layer2.1.op0" in found  # three sub-module boxes and the skip Add
    assert all(u.module.startswith("layer2.1") for u in view._matches())
    html = view.html()
    ids = re.findall(r"g#(u\d+) > path", html)
    assert len(ids) == len(found) and "#ffe066" in html
    assert view.search("") == [] and "#ffe066" not in view.html()


def test_graph_timeout_collapses_straight_to_the_budget_depth(bert, monkeypatch):
    from ov_notebook.notebook.views import graph

    view = GraphView(bert, node_budget=300).set_depth(99)
    budget_depth = view.layout.depth_for_budget(300)
    tried = []

    def slow_dot(self, source):
        tried.append(self.depth)
        if self.depth > budget_depth:
            raise graph.RenderError("dot ran past 10 s")
        return "<svg></svg>"

    monkeypatch.setattr(graph.GraphView, "_run_dot", slow_dot)
    assert view.svg().startswith("<svg")
    assert tried == [view.max_depth, budget_depth] and view.depth == budget_depth
    assert f"collapsed from depth {view.max_depth} to {budget_depth}" in view.html()
