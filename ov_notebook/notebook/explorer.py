"""Hand-off to Google's Model Explorer (``pip install ov-notebook[explorer]``) for very large graphs.

Model Explorer (``ai-edge-model-explorer``) ships its web app and a small local server. This module
builds its custom graph JSON from a converted Model (one node per op, namespaces from the PyTorch
module paths the converter records in rt_info, attributes, input/output shapes and element types,
op type and version, source aten op) and its node data (error against PyTorch, latency share),
serves them from Model Explorer's server on a free localhost port, and shows it inline::

    >>> view = ov.explore(ov_model, overlays={"error": report.layers,
    ...                                       "latency": request.get_profiling_info()})
    >>> view.url                    # http://127.0.0.1:<port>/?data=...   (an iframe in Jupyter)
    >>> view.save_json("resnet.json")   # open later in Model Explorer, or share

Under a Jupyter server with jupyter-server-proxy (Binder, JupyterHub, a remote Lab) the URL goes
through the proxy, ``<base_url>proxy/<port>/?data=...`` (explorer_server.py says how the web app
is made to work under that prefix); ``proxy=`` or ``%config OVNotebook.explorer_proxy`` override.

Building the JSON (:func:`graph_json`, :func:`node_data`) needs nothing but the Model; only
:func:`explore` needs the extra. Nothing goes to the network: the web app is served from the
installed package, and its version check (a request to PyPI) is switched off.
"""
from __future__ import annotations

import html
import json
import math
import numbers
import os
import sys

from .errors import NotebookTypeError, NotebookValueError
from .explorer_server import ExplorerServer as _Server
from .explorer_server import app_root, url_name

__all__ = ["explore", "graph_json", "node_data", "ExplorerView"]

_ERROR_THRESHOLDS = ((1e-6, "#d9f0d3"), (1e-4, "#a6dba0"), (1e-3, "#fee08b"), (1e-2, "#fdae61"),
                     (1e-1, "#f46d43"), (math.inf, "#d73027"))  # log-scale buckets, green to red
_LATENCY_GRADIENT = ({"stop": 0, "bgColor": "#fff5eb"}, {"stop": 0.5, "bgColor": "#fd8d3c"},
                     {"stop": 1, "bgColor": "#7f2704"})
_MAX_VALUE_ELEMENTS = 16  # a Constant with more elements shows statistics instead of its values


# --- graph JSON --------------------------------------------------------------------------------
def _node_ids(ordered) -> dict:
    """id(node) -> a unique id: the friendly name, suffixed in the rare case two nodes share it."""
    ids, taken = {}, set()
    for node in ordered:
        name = base = node.get_friendly_name()
        suffix = 1
        while name in taken:
            name, suffix = f"{base}#{suffix}", suffix + 1
        ids[id(node)] = name
        taken.add(name)
    return ids


def _namespace(node) -> str:
    path = str(node.get_rt_info().get("module_path", "") or "")
    return "/".join(part for part in path.split(".") if part)


def _version(node) -> str:
    version = str(node.get_type_info().version_id or "")
    return version[len("opset"):] if version.startswith("opset") else version


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(item) for item in value) + "]"
    return str(value)


def _constant_attrs(node) -> list:
    data = node.get_data()
    if data.size <= _MAX_VALUE_ELEMENTS:
        return [("value", _text(data.tolist()))]
    if data.dtype.kind not in "fiub":
        return []
    values = data.astype("float64")
    return [("min", f"{values.min():.6g}"), ("max", f"{values.max():.6g}"),
            ("mean", f"{values.mean():.6g}")]


def _attrs(node) -> list:
    info = node.get_rt_info()
    pairs = [("op", f"{node.get_type_name()}-{_version(node)}"), ("name", node.get_friendly_name())]
    for key in ("source_op", "source_node", "module_path", "module_type", "structure_path"):
        if info.get(key):
            pairs.append((key, str(info[key])))
    if node.get_type_name() == "Constant":
        pairs += _constant_attrs(node)
    else:
        pairs += [(key, _text(value)) for key, value in node.get_attributes().items()]
    return [{"key": key, "value": value} for key, value in pairs]


def _tensor_attrs(port, tag=None) -> list:
    shape, element_type = port.get_partial_shape(), port.get_element_type()
    pairs = [("__tensor_tag", tag)] if tag else []
    pairs += [("tensor_shape", f"{element_type}{shape}"), ("shape", str(shape)),
              ("element_type", str(element_type))]
    names = sorted(port.get_names()) if hasattr(port, "get_names") else []
    if names:
        pairs.append(("tensor_name", ", ".join(names)))
    return [{"key": key, "value": value} for key, value in pairs]


def _input_tags(node) -> list:
    """The inputs' names in the op's spec (``data``, ``filter``), variadic ones numbered."""
    spec = [name.rstrip("?*") for name in getattr(node, "inputs_spec", ())]
    variadic = any(name.endswith("*") for name in getattr(node, "inputs_spec", ()))
    tags = []
    for index in range(node.get_input_size()):
        if index < len(spec) and not (variadic and index >= len(spec) - 1):
            tags.append(spec[index])
        else:
            tags.append(f"{spec[-1] if spec else 'input'}_{index}")
    return tags


def _graph_node(node, ids) -> dict:
    tags = _input_tags(node)
    edges, inputs = [], []
    for index, port in enumerate(node.inputs()):
        source = port.get_source_output()
        edges.append({"sourceNodeId": ids[id(source.get_node())],
                      "sourceNodeOutputId": str(source.get_index()),
                      "targetNodeInputId": str(index)})
        inputs.append({"id": str(index), "attrs": _tensor_attrs(source, tags[index])})
    outputs = [{"id": str(index), "attrs": _tensor_attrs(port)}
               for index, port in enumerate(node.outputs())]
    return {"id": ids[id(node)], "label": node.get_type_name(), "namespace": _namespace(node),
            "subgraphIds": [], "attrs": _attrs(node), "incomingEdges": edges,
            "outputsMetadata": outputs, "inputsMetadata": inputs}


def _group_attributes(ordered) -> dict:
    """namespace -> {"module_type": ...} for the side panel of each module group."""
    groups = {}
    for node in ordered:
        info = node.get_rt_info()
        namespace = _namespace(node)
        if namespace and info.get("module_type"):
            groups.setdefault(namespace, {"module_path": str(info["module_path"]),
                                          "module_type": str(info["module_type"])})
    return groups


def _check_model(model):
    if not hasattr(model, "get_ordered_ops"):
        raise NotebookTypeError(f"explore: expected a converted Model (ov_notebook.Model, as "
                                f"convert_model or read_model return), got {type(model).__name__}",
                                "MODEL")
    return model


def graph_json(model, name: str = "model") -> dict:
    """Model Explorer's custom graph JSON (``{"graphs": [graph]}``) for ``model``.

    Node ids are the ops' friendly names, so node data and overlays are keyed by friendly name.
    """
    ordered = _check_model(model).get_ordered_ops()
    ids = _node_ids(ordered)
    graph = {"id": name, "nodes": [_graph_node(node, ids) for node in ordered],
             "groupNodeAttributes": _group_attributes(ordered)}
    return {"graphs": [graph]}


# --- node data (overlays) -------------------------------------------------------------------------
def _from_layer_table(table) -> dict:
    """``%infer --layers`` rows: the converted node of each module -> its relative error."""
    values = {}
    for row in table.rows:
        comparison = getattr(row, "comparison", None)
        if not row.node or comparison is None:
            continue
        error = getattr(comparison, "max_rel_error", None)
        if error is None:
            error = getattr(comparison, "max_abs_error", None)
        if error is not None:
            values[row.node] = float(error)
    return values


def _from_profiling(infos, ids) -> dict:
    """``InferRequest.get_profiling_info()``: each executed node's share of the total, in %.

    A fused kernel's time goes to the node it is named after (``FusedConvolution`` runs the
    Convolution and its epilogue under the Convolution's name); runtime-made nodes that are not
    in the model count in the total only.
    """
    times = {info.node_name: info.real_time.total_seconds() for info in infos
             if getattr(info.status, "name", "") == "EXECUTED"}
    total = sum(times.values())
    if total <= 0:
        raise NotebookValueError("explore: the profiling info has no executed node with a time "
                                 "(compile with {'PERF_COUNT': True} and run an inference first)",
                                 "overlays")
    return {name: 100.0 * seconds / total for name, seconds in times.items() if name in ids}


def _values_of(name, source, ids) -> tuple:
    """``(values by node name, scheme)`` for one overlay; scheme is "error" or "latency"."""
    if hasattr(source, "layers") and hasattr(source, "comparisons"):  # an InferReport
        if source.layers is None:
            raise NotebookValueError(f"explore: overlay {name!r} is an %infer report without "
                                     "per-layer errors (run %infer with --torch and --layers)",
                                     "overlays")
        source = source.layers
    if hasattr(source, "rows"):
        return _from_layer_table(source), "error"
    if isinstance(source, dict):
        scheme = "latency" if any(w in name.lower() for w in ("latency", "time")) else "error"
        return dict(source), scheme
    items = list(source) if isinstance(source, (list, tuple)) else None
    if items and all(hasattr(i, "node_name") and hasattr(i, "real_time") for i in items):
        return _from_profiling(items, ids), "latency"
    raise NotebookTypeError(f"explore: overlay {name!r} must be a dict {{node friendly name: "
                            "number}}, an %infer --layers table or report, or a list of "
                            f"ProfilingInfo; got {type(source).__name__}", "overlays")


def _named_overlays(overlays, ids) -> list:
    if overlays is None:
        return []
    if isinstance(overlays, dict):
        if set(overlays) & ids and all(isinstance(v, numbers.Real) for v in overlays.values()):
            raise NotebookTypeError("explore: overlays maps overlay names to their values, e.g. "
                                    "{'error': {'conv2d': 1e-5}}; got node values at the top "
                                    "level", "overlays")
        return list(overlays.items())
    sources = overlays if isinstance(overlays, (list, tuple)) and not (
        overlays and hasattr(overlays[0], "node_name")) else [overlays]
    named = []
    for source in sources:
        latency = isinstance(source, (list, tuple))
        named.append(("latency share %" if latency else "error vs PyTorch", source))
    return named


def _results(name, values, ids) -> dict:
    unknown = sorted(set(values) - ids)
    if unknown:
        raise NotebookValueError(f"explore: overlay {name!r} names {len(unknown)} node(s) the "
                                 f"model does not have: {', '.join(unknown[:5])} (keys are node "
                                 "friendly names, node.get_friendly_name())", "overlays")
    results = {}
    for node, value in values.items():
        # numbers.Real: numpy scalars (np.float32 is no float) are welcome too
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(
                value):
            raise NotebookValueError(f"explore: overlay {name!r} gives node {node!r} the value "
                                     f"{value!r}; expected a finite number", "overlays")
        results[node] = {"value": float(value)}
    return results


def node_data(model, overlays, name: str = "model") -> dict:
    """``{overlay name: GraphNodeData JSON}`` (Model Explorer's node data) for each overlay.

    ``overlays``: ``{name: source}`` where a source is a dict ``{node friendly name: number}``,
    an ``%infer --torch --layers`` report or its ``.layers`` table (relative error of each
    module's output node), or ``InferRequest.get_profiling_info()`` (share of latency, %); or a
    list of such sources. Errors are colored on a log scale, latency shares on a gradient.
    """
    ids = {node["id"] for node in graph_json(model, name)["graphs"][0]["nodes"]}
    data = {}
    for overlay, source in _named_overlays(overlays, ids):
        values, scheme = _values_of(overlay, source, ids)
        graph_data = {"name": overlay, "results": _results(overlay, values, ids)}
        if scheme == "error":
            graph_data["thresholds"] = [{"value": value, "bgColor": color}
                                        for value, color in _ERROR_THRESHOLDS[:-1]]
            graph_data["thresholds"].append({"value": 1e300, "bgColor": _ERROR_THRESHOLDS[-1][1]})
        else:
            graph_data["gradient"] = [dict(item) for item in _LATENCY_GRADIENT]
        data[overlay] = {name: graph_data}
    return data


# --- serving (explorer_server.py) -------------------------------------------------------------
_SERVER = _Server()


_PROXIED = (", through jupyter-server-proxy: if this frame shows an error, install it where "
            "Jupyter runs, or pass proxy=False when the browser runs on the kernel's machine")


class ExplorerView:
    """A model shown in Model Explorer: an iframe in Jupyter, the URL as text."""

    def __init__(self, name, graphs, data, url, height=600):
        self.name, self.graphs, self.node_data, self.url = name, graphs, data, url
        self.height = height

    @property
    def node_count(self) -> int:
        return len(self.graphs["graphs"][0]["nodes"])

    def save_json(self, path) -> None:
        """Write the graph JSON: Model Explorer opens it later (``model-explorer path.json``)."""
        with open(os.fspath(path), "w", encoding="utf-8") as file:
            json.dump(self.graphs, file)

    def _repr_html_(self) -> str:
        url = html.escape(self.url, quote=True)
        return (f"<div><iframe src=\"{url}\" width=\"100%\" height=\"{int(self.height)}\" "
                "style=\"border:1px solid #ccc\"></iframe><div>Model Explorer: "
                f"{html.escape(self.name)}, {self.node_count} nodes, overlays: "
                f"{html.escape(', '.join(self.node_data) or 'none')} &middot; <a href=\"{url}\" "
                "target=\"_blank\">open in a new tab</a> (served by the kernel while it runs"
                f"{_PROXIED if self.url.startswith('/') else ''})</div></div>")

    def __repr__(self) -> str:
        overlays = ", ".join(self.node_data) or "none"
        return (f"Model Explorer: {self.name}, {self.node_count} nodes, overlays: {overlays}\n"
                f"{self.url}")


def _configured_proxy():
    """``%config OVNotebook.explorer_proxy`` when the extension is loaded in IPython, or None."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    for configurable in getattr(shell, "configurables", ()):
        if type(configurable).__name__ == "OVNotebook":
            return configurable.explorer_proxy
    return None


def explore(model, overlays=None, *, name: str | None = None, height: int = 600,
            port: int | None = None, proxy: bool | str | None = None) -> ExplorerView:
    """Show ``model`` in Model Explorer, with ``overlays`` as node data (see :func:`node_data`).

        >>> report = %infer resnet_ov batch --torch model --layers
        >>> ov.explore(resnet_ov, overlays={"error": report})

    Starts Model Explorer's server (from the ``explorer`` extra) once per process on a free
    localhost port (or ``port``), adds the graph to it and returns a view that displays as an
    iframe. In Colab, Model Explorer's own notebook embedding shows it instead.

    ``proxy`` says how the browser reaches that port: None (the default, or
    ``%config OVNotebook.explorer_proxy``, "auto") goes through jupyter-server-proxy
    (``<base_url>proxy/<port>/``) when the kernel runs under JupyterHub/Binder or under a Jupyter
    server with jupyter-server-proxy installed, and to ``http://127.0.0.1:<port>/`` otherwise;
    True/"on" forces the proxy, False/"off" the direct URL, and a string such as ``"/user/me/"``
    is the Jupyter server's base URL to proxy through.
    """
    name = name or str(getattr(_check_model(model), "get_friendly_name", lambda: "model")()
                       or "model")
    graphs = graph_json(model, name)
    data = node_data(model, overlays, name)
    if "google.colab" in sys.modules:
        return _explore_in_colab(name, graphs, data, height)
    server = _SERVER.ensure(port)
    root = app_root(_configured_proxy() if proxy is None else proxy, server)
    return ExplorerView(name, graphs, data, root + server.add(name, graphs, data), height)


def _explore_in_colab(name, graphs, data, height) -> ExplorerView:
    import model_explorer

    config = model_explorer.config()
    config.graphs_list.append(json.dumps(graphs))
    config.model_sources.append({"url": f"graphs://{url_name(name)}/0"})
    for overlay, values in data.items():
        config.add_node_data(url_name(overlay), json.dumps(values), model_name=url_name(name))
    model_explorer.visualize_from_config(config, colab_height=height)
    return ExplorerView(name, graphs, data, "(embedded by Model Explorer in Colab)", height)
