"""ov_notebook.explore: Model Explorer's graph JSON and node data, checked with Model Explorer's own
Python classes (the dataclasses its server and node-data providers load graphs into), and the
``%convert --explorer`` hook end to end against its real server."""
import json
import math
import sys
import urllib.request

import numpy as np
import pytest
import torch

import ov_notebook as ov
from ov_notebook.notebook import explorer
from ov_notebook.notebook.errors import NotebookError


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class ConvNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(Block(), torch.nn.MaxPool2d(2))
        self.head = torch.nn.Linear(8 * 4 * 4, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


@pytest.fixture(scope="module")
def convnet():
    torch.manual_seed(0)
    net = ConvNet().eval()
    x = torch.rand(1, 3, 8, 8)
    return net, x, ov.convert_model(net, example_input=x)


def _validated(graphs):
    """The graphs as Model Explorer's ``graph_builder.Graph`` objects (unknown keys rejected)."""
    dacite = pytest.importorskip("dacite")
    graph_builder = pytest.importorskip("model_explorer.graph_builder")
    assert set(graphs) == {"graphs"}
    json.dumps(graphs)  # what the server sends must be JSON
    return [dacite.from_dict(graph_builder.Graph, graph, config=dacite.Config(strict=True))
            for graph in graphs["graphs"]]


def _by_id(graph):
    return {node["id"]: node for node in graph["nodes"]}


def _attrs(items) -> dict:
    return {item["key"]: item["value"] for item in items}


def _check_graph(model, graphs):
    """One node per op, unique ids, edges that point at real outputs, shapes as the model's."""
    (graph,) = graphs["graphs"]
    ordered = model.get_ordered_ops()
    assert len(graph["nodes"]) == len(ordered)
    nodes = _by_id(graph)
    assert len(nodes) == len(ordered)
    for op, node in zip(ordered, graph["nodes"]):
        assert node["id"] == op.get_friendly_name() and node["label"] == op.get_type_name()
        assert len(node["incomingEdges"]) == op.get_input_size()
        for edge, port in zip(node["incomingEdges"], op.inputs()):
            source = port.get_source_output()
            assert edge["sourceNodeId"] == source.get_node().get_friendly_name()
            assert int(edge["sourceNodeOutputId"]) < len(nodes[edge["sourceNodeId"]][
                "outputsMetadata"])
            assert edge["sourceNodeOutputId"] == str(source.get_index())
        for meta, port in zip(node["outputsMetadata"], op.outputs()):
            assert _attrs(meta["attrs"])["shape"] == str(port.get_partial_shape())
            assert _attrs(meta["attrs"])["element_type"] == str(port.get_element_type())
    return graph


def test_conv_model_graph_json_loads_in_model_explorer(convnet):
    _, _, model = convnet
    graphs = explorer.graph_json(model, "convnet")
    graph = _check_graph(model, graphs)
    (loaded,) = _validated(graphs)
    assert loaded.id == "convnet" and len(loaded.nodes) == len(graph["nodes"])

    by_type = {}
    for node in graph["nodes"]:
        by_type.setdefault(node["label"], []).append(node)
    (conv,) = by_type["Convolution"]
    assert conv["namespace"] == "features/0/conv"  # module path features.0.conv
    conv_attrs = _attrs(conv["attrs"])
    assert conv_attrs["op"] == "Convolution-1"
    assert conv_attrs["source_op"].startswith("aten")
    assert conv_attrs["module_type"] == "Conv2d"
    assert conv_attrs["strides"] == "[1, 1]" and conv_attrs["pads_begin"] == "[1, 1]"
    assert [_attrs(m["attrs"])["__tensor_tag"] for m in conv["inputsMetadata"]] == ["data",
                                                                                   "filters"]
    assert _attrs(conv["outputsMetadata"][0]["attrs"])["tensor_shape"] == "f32[1,8,8,8]"
    (maxpool,) = by_type["MaxPool"]
    assert maxpool["namespace"] == "features/1"
    assert {n["namespace"] for n in by_type["Parameter"] + by_type["Result"]} == {""}
    assert graph["groupNodeAttributes"]["features/0/conv"]["module_type"] == "Conv2d"
    assert graph["groupNodeAttributes"]["head"]["module_type"] == "Linear"
    # a small Constant shows its values, a weight its statistics
    weight = next(n for n in by_type["Constant"] if n["id"] == "features.0.conv.weight")
    stats = _attrs(weight["attrs"])
    data = model.get_ordered_ops()[[op.get_friendly_name() for op in model.get_ordered_ops()]
                                   .index("features.0.conv.weight")].get_data()
    assert float(stats["max"]) == pytest.approx(float(data.max()), rel=1e-5)
    assert "value" not in stats


@pytest.mark.slow
def test_resnet18_graph_json_namespaces_and_validation():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    net = torchvision.models.resnet18().eval()  # random weights: no download
    model = ov.convert_model(net, example_input=torch.rand(1, 3, 64, 64))
    graphs = explorer.graph_json(model, "resnet18")
    graph = _check_graph(model, graphs)
    _validated(graphs)
    namespaces = {node["namespace"] for node in graph["nodes"]}
    assert {"conv1", "layer1/0/conv1", "layer4/1/bn2", "fc"} <= namespaces
    groups = graph["groupNodeAttributes"]
    assert groups["layer2/0/downsample/0"]["module_type"] == "Conv2d"
    assert sum(n["label"] == "Convolution" for n in graph["nodes"]) == 20


def test_dict_overlays_become_model_explorer_node_data(convnet):
    _, _, model = convnet
    names = [op.get_friendly_name() for op in model.get_ordered_ops()]
    conv = next(n for n in names if n.startswith("Convolution"))
    data = explorer.node_data(model, {"error": {conv: np.float32(3e-3), names[-2]: 1e-7},
                                      "latency share": {conv: 75.0, names[-2]: 25}}, "convnet")
    assert list(data) == ["error", "latency share"]
    error = data["error"]["convnet"]
    assert error["results"] == {conv: {"value": float(np.float32(3e-3))},
                                names[-2]: {"value": 1e-7}}
    json.dumps(data)  # numpy scalars became JSON numbers
    bounds = [item["value"] for item in error["thresholds"]]
    assert bounds == sorted(bounds) and bounds[0] == 1e-6  # log-scale buckets
    assert "gradient" in data["latency share"]["convnet"]
    dacite = pytest.importorskip("dacite")
    builder = pytest.importorskip("model_explorer.node_data_builder")
    for overlay in data.values():
        loaded = builder.ModelNodeData(graphsData={
            graph: dacite.from_dict(builder.GraphNodeData, value, config=dacite.Config(strict=True))
            for graph, value in overlay.items()})
        assert json.loads(loaded.to_json_string())["convnet"]["results"][conv]["value"] > 0


def test_layer_table_and_profiling_overlays(convnet):
    from ov_notebook.notebook.layers import layer_divergence

    net, x, model = convnet
    table = layer_divergence(net, model, x)
    matched = {row.node: row.comparison.max_rel_error for row in table.rows if row.node}
    assert matched
    data = explorer.node_data(model, [table], "convnet")
    assert {k: v["value"] for k, v in data["error vs PyTorch"]["convnet"]["results"].items()} == \
        pytest.approx(matched)

    compiled = ov.compile_model(model, "CPU", {"PERF_COUNT": True})
    request = compiled.create_infer_request()
    request.infer(x.numpy())
    data = explorer.node_data(model, {"latency": request.get_profiling_info()}, "convnet")
    shares = {k: v["value"] for k, v in data["latency"]["convnet"]["results"].items()}
    names = {op.get_friendly_name() for op in model.get_ordered_ops()}
    assert shares and set(shares) <= names
    assert all(0 <= share <= 100 for share in shares.values())
    assert sum(shares.values()) <= 100 + 1e-9
    fused = [i for i in request.get_profiling_info() if i.node_type == "FusedConvolution"]
    assert fused and fused[0].node_name in shares


@pytest.mark.parametrize("overlays, message", [
    ({"error": {"no_such_node": 1.0}}, "does not have: no_such_node"),
    ({"error": {"__first__": math.nan}}, "expected a finite number"),
    ({"error": {"__first__": "big"}}, "expected a finite number"),
    ({"__first__": 1.0}, "maps overlay names to their values"),
    ({"error": 42}, "must be a dict {node friendly name: number}"),
])
def test_bad_overlays_are_named(convnet, overlays, message):
    _, _, model = convnet
    first = model.get_ordered_ops()[1].get_friendly_name()
    overlays = json.loads(json.dumps(overlays).replace("__first__", first))  # NaN survives
    with pytest.raises(NotebookError, match="explore: ") as error:
        explorer.node_data(model, overlays)
    assert message in str(error.value)


def test_explore_rejects_what_is_not_a_model():
    with pytest.raises(NotebookError, match="expected a converted Model"):
        ov.explore(np.zeros(3))


def _served_graph(url):
    port = url.split("://", 1)[1].split("/", 1)[0]
    with urllib.request.urlopen(f"http://{port}/api/v1/load_graphs_json?graph_index=0") as resp:
        first = json.loads(resp.read())
    with urllib.request.urlopen(f"http://{port}/api/v1/check_new_version") as resp:
        version = json.loads(resp.read())
    return first, version


def test_convert_explorer_flag_serves_the_graph(ip, capsys):
    pytest.importorskip("model_explorer")
    ip.user_ns["net"] = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()).eval()
    ip.user_ns["x"] = torch.rand(1, 3, 8, 8)
    report = ip.run_line_magic("convert", "net -e x --explorer")
    shown = capsys.readouterr().out
    assert "Model Explorer: net_ov" in shown and "http://127.0.0.1:" in shown
    url = shown.split("\n")[1].strip()
    assert url.startswith("http://127.0.0.1:") and "graphs%3A//net_ov/" in url
    first, version = _served_graph(url)
    assert first["graphs"][0]["nodes"]  # the server answers with a graph of ours
    assert version["version"] == ""  # the PyPI version check is off: no network
    view = ov.explore(report.model, name="again")
    assert view.url != url and "graphs%3A//again/" in view.url  # one server, graphs appended
    assert "<iframe" in view._repr_html_() and view.node_count == len(report.model.get_ops())


def test_without_the_extra_explore_says_what_to_install(convnet, monkeypatch):
    _, _, model = convnet
    monkeypatch.setattr(explorer, "_SERVER", explorer._Server())
    monkeypatch.setitem(sys.modules, "model_explorer", None)  # import fails as if not installed
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    with pytest.raises(NotebookError, match=r"pip install 'ov-notebook\[explorer\]'"):
        ov.explore(model)
    assert explorer.graph_json(model)["graphs"][0]["nodes"]  # building the JSON needs no extra


def test_reports_without_the_data_an_overlay_needs(convnet):
    net, x, model = convnet
    from ov_notebook.notebook.infer_report import run_infer

    report = run_infer(model, x, net)  # compared, but without --layers
    with pytest.raises(NotebookError, match="without per-layer errors .*--layers"):
        explorer.node_data(model, {"error": report})
    request = ov.compile_model(model, "CPU", {"PERF_COUNT": True}).create_infer_request()
    with pytest.raises(NotebookError, match="no executed node .*PERF_COUNT"):
        explorer.node_data(model, [request.get_profiling_info()])


# --- reaching the server: direct or through jupyter-server-proxy -----------------------------------
from ov_notebook.notebook import explorer_server  # noqa: E402


def test_web_app_assets_lose_their_root_paths():
    """Behind /proxy/<port>/ a root path ("/api/v1/...", <base href="/">) misses the prefix."""
    server = pytest.importorskip("model_explorer.server")
    assets = explorer_server._RelativeAssets(server)
    assert {"index.html"} <= set(assets.rewritten) and any(
        name.startswith("main") for name in assets.rewritten)
    for name, body in assets.rewritten.items():
        assert not explorer_server._ROOT_PATHS.search(body), name
        assert b'<base href="/">' not in body, name
    assert b'<base href="./">' in assets.rewritten["index.html"]
    assert b"fonts.gstatic.com" not in assets.rewritten["index.html"]  # no web fonts: offline
    assert b"url(static_files/" in assets.rewritten["index.html"]  # the shipped fonts stay
    main = next(body for name, body in assets.rewritten.items() if name.startswith("main"))
    assert b'"api/v1/load_graphs_json"' in main and b'"apistream/server_director"' in main


def test_relative_asset_rewrites_only_the_app_paths():
    body = (b'<base href="/"><link href="/static_files/a.svg">'
            b'<style>x{src:url(/static_files/f.woff2)}</style>'
            b'<script>fetch("/api/v1/x");fetch(`/apipost/v1/y`);e="/apistream/z";'
            b'r="/g";k="/user/test/";</script>')
    assert explorer_server.relative_asset(body) == (
        b'<base href="./"><link href="static_files/a.svg">'
        b'<style>x{src:url(static_files/f.woff2)}</style>'
        b'<script>fetch("api/v1/x");fetch(`apipost/v1/y`);e="apistream/z";'
        b'r="/g";k="/user/test/";</script>')


@pytest.fixture
def no_jupyter(monkeypatch, tmp_path):
    """No JupyterHub, no Jupyter server runtime files: the kernel of a terminal IPython."""
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    return tmp_path


def _server_file(runtime_dir, pid, base_url):
    (runtime_dir / f"jpserver-{pid}.json").write_text(json.dumps(
        {"pid": pid, "base_url": base_url, "port": 8888, "url": "http://127.0.0.1:8888/"}))


class _Running:
    """What app_root reads of a started ExplorerServer."""
    host, port, serves_under_prefix = "127.0.0.1", 5000, True


def test_outside_jupyter_the_browser_goes_direct(no_jupyter):
    assert explorer_server.jupyter_base_url() is None
    assert explorer_server.app_root(None, _Running) == "http://127.0.0.1:5000/"
    with pytest.raises(NotebookError, match="proxy=True.*not started by a Jupyter server"):
        explorer_server.app_root(True, _Running)


def test_jupyterhub_prefix_means_the_proxy(no_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann")
    assert explorer_server.app_root("auto", _Running) == "/user/ann/proxy/5000/"
    assert explorer_server.app_root("off", _Running) == "http://127.0.0.1:5000/"


def test_the_parent_jupyter_server_gives_the_base_url(no_jupyter, monkeypatch):
    import os

    _server_file(no_jupyter, os.getppid(), "/lab/base/")
    _server_file(no_jupyter, os.getppid() + 100000, "/someone/else/")  # another server
    monkeypatch.setattr(explorer_server, "_proxy_installed", lambda: True)
    assert explorer_server.app_root(None, _Running) == "/lab/base/proxy/5000/"
    monkeypatch.setattr(explorer_server, "_proxy_installed", lambda: False)
    assert explorer_server.app_root(None, _Running) == "http://127.0.0.1:5000/"
    # forced on: the server may have the proxy where the kernel's environment does not
    assert explorer_server.app_root(True, _Running) == "/lab/base/proxy/5000/"


def test_a_model_explorer_that_cannot_sit_under_a_prefix_is_named(no_jupyter, monkeypatch):
    pytest.importorskip("model_explorer")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")

    class Unhooked(_Running):
        serves_under_prefix = False

    with pytest.raises(NotebookError, match=r"ai-edge-model-explorer .* under a path prefix.*"
                                            r"==0\.1\.34.*proxy=False"):
        explorer_server.app_root(None, Unhooked)
    assert explorer_server.app_root(False, Unhooked) == "http://127.0.0.1:5000/"
    module = type(sys)("fake_server")  # a future server module without the hook
    assert explorer_server._serve_relative_assets(module) is False


@pytest.mark.parametrize("proxy", ["maybe", "user/me", 3])
def test_bad_proxy_settings_are_named(proxy):
    with pytest.raises(NotebookError, match="proxy must be .* got"):
        explorer_server.app_root(proxy, _Running)


def test_explore_and_config_choose_the_url(convnet, ip, no_jupyter, caplog):
    pytest.importorskip("model_explorer")
    _, _, model = convnet
    assert ov.explore(model, proxy="/user/me/").url.startswith("/user/me/proxy/")
    assert ov.explore(model).url.startswith("http://127.0.0.1:")
    ip.run_line_magic("config", "OVNotebook.explorer_proxy = '/hub/user/bo/'")
    try:
        view = ov.explore(model, name="configured")
        assert view.url.startswith("/hub/user/bo/proxy/") and "graphs%3A//configured/" in view.url
        assert ov.explore(model, proxy=False).url.startswith("http://127.0.0.1:")  # argument wins
        ip.run_line_magic("config", "OVNotebook.explorer_proxy = 'sometimes'")  # %config logs
        assert "explorer_proxy must be auto, on, off or a base URL" in caplog.text
        assert ov.explore(model).url.startswith("/hub/user/bo/proxy/")  # the value stayed
    finally:
        ip.run_line_magic("config", "OVNotebook.explorer_proxy = 'auto'")
