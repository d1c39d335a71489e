"""Reading OpenVINO IR version 10/11 (``model.xml`` + ``model.bin``) into a Model.

Everything wrong with the files raises :class:`IRReadError` naming the layer, port or file, and
nothing half-built is returned. XML with a DOCTYPE (and so any entity declaration) is refused
before anything is expanded, so entity-expansion ("billion laughs") and external-entity attacks
cannot run.
"""
from __future__ import annotations

import heapq
import math
import mmap
import os

import numpy as np

from .errors import IRReadError, UnknownOpError
from .ir_xml import Layer, as_int, parse_xml, read_model_rt_info, split_names
from .model import Model
from .node import get_op_class
from .ops import control_flow as cf
from .ops.core import Constant, Parameter, Result
from .shape import PartialShape
from .types import Type, packed_byte_size

__all__ = ["read_model", "read_model_from_string"]


class _Weights:
    """The ``.bin`` file, mapped on first use; constants are views into it (no copy)."""

    def __init__(self, source):
        self.source = source
        self._buffer = None

    def _open(self):
        if self.source is None:
            raise IRReadError("the model has constants but no weights (.bin) were given")
        if isinstance(self.source, (bytes, bytearray, memoryview, np.ndarray)):
            self._buffer = np.frombuffer(self.source, dtype=np.uint8)
            return
        if not os.path.isfile(self.source):
            raise IRReadError(f"weights file {self.source} does not exist (the .bin next to the "
                              ".xml)")
        if os.path.getsize(self.source) == 0:
            self._buffer = np.zeros(0, np.uint8)
            return
        with open(self.source, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._buffer = np.frombuffer(mapped, dtype=np.uint8)

    def read(self, offset, size, element_type, shape, where):
        count = math.prod(shape)
        if count == 0:  # OpenVINO writes empty weights with size 1
            return np.zeros(0 if element_type.is_packed else shape, element_type.to_dtype())
        if self._buffer is None:
            self._open()
        total = int(self._buffer.size)
        if offset < 0 or size < 0:
            raise IRReadError(f"{where}: negative offset {offset} or size {size}")
        expected = packed_byte_size(element_type, count) if element_type.is_packed else \
            count * element_type.size
        if size != expected:
            raise IRReadError(f"{where}: size {size} does not match {element_type} shape "
                              f"{list(shape)} ({expected} bytes)")
        if offset + size > total:
            name = self.source if isinstance(self.source, str) else "weights"
            raise IRReadError(f"{where}: bytes [{offset}, {offset + size}) are outside {name} of "
                              f"{total} bytes (truncated .bin?)")
        if element_type.is_packed:  # the packed bytes; the Constant unpacks them
            return self._buffer[offset:offset + size]
        return self._buffer[offset:offset + size].view(element_type.to_dtype()).reshape(shape)


def _shape_list(text, where):
    text = text.strip()
    if not text:
        return []
    try:
        dims = [int(p) for p in text.split(",")]
    except ValueError:
        raise IRReadError(f"{where}: invalid shape {text!r}") from None
    if any(d < 0 for d in dims):
        raise IRReadError(f"{where}: negative dimension in shape {text!r}")
    return dims


def _make_constant(layer, weights):
    where = layer.where
    try:
        element_type = Type(layer.data.get("element_type", ""))
    except TypeError:
        raise IRReadError(f"{where}: unknown element_type {layer.data.get('element_type')!r}") \
            from None
    if element_type.is_dynamic:
        raise IRReadError(f"{where}: a Const needs an element_type")
    shape = _shape_list(layer.data.get("shape", ""), where)
    offset = as_int(layer.data.get("offset"), f"{where}: 'offset'")
    size = as_int(layer.data.get("size"), f"{where}: 'size'")
    data = weights.read(offset, size, element_type, shape, where)
    if element_type.is_packed:
        return Constant.from_packed(data, element_type, shape, name=layer.name)
    return Constant(data, element_type, name=layer.name, shared_memory=True)


def _make_parameter(layer):
    try:
        element_type = Type(layer.data.get("element_type", "dynamic"))
        shape = PartialShape.parse(layer.data.get("shape", "..."))
    except (TypeError, ValueError) as exc:
        raise IRReadError(f"{layer.where}: {exc}") from None
    return Parameter(element_type, shape, name=layer.name)


def _make_node(layer, inputs, weights):
    try:
        cls = get_op_class(layer.type, layer.version)
    except UnknownOpError as exc:
        raise IRReadError(f"{layer.where}: {exc}") from None
    if cls is Constant:
        return _make_constant(layer, weights)
    if cls is Parameter:
        return _make_parameter(layer)
    attributes = _sub_graph_attributes(cls, layer, weights) if hasattr(cls, "body_names") else {}
    for spec in cls.attrs:
        if spec.name in layer.data:
            try:
                attributes[spec.name] = spec.from_xml(layer.data[spec.name])
            except (TypeError, ValueError) as exc:
                raise IRReadError(f"{layer.where}: attribute '{spec.name}'="
                                  f"{layer.data[spec.name]!r}: {exc}") from None
    try:
        return cls.from_ir(inputs, attributes, layer.name)
    except Exception as exc:  # noqa: BLE001  any op's inference may reject what a file says
        raise IRReadError(f"{layer.where}: {type(exc).__name__}: {exc}") from None


def _check_ports(layer, node):
    """The declared output ports must agree with what the operation infers; names attach here."""
    if isinstance(node, Result):
        return
    if len(layer.outputs) != node.get_output_size():
        raise IRReadError(f"{layer.where} declares {len(layer.outputs)} output ports but the "
                          f"operation has {node.get_output_size()}")
    for port, out in zip(layer.outputs, node.outputs()):
        inferred_type, inferred = out.get_element_type(), out.get_partial_shape()
        if not port.element_type.compatible(inferred_type):
            raise IRReadError(f"{layer.where} output port {port.id} is declared "
                              f"{port.element_type} but the operation produces {inferred_type}")
        declared = port.shape
        if declared is None and inferred.rank_is_static and len(inferred) == 0:
            declared = PartialShape([])
        if declared is not None and not declared.compatible(inferred):
            raise IRReadError(f"{layer.where} output port {port.id} is declared {declared} but "
                              f"the operation produces {inferred}")
        out.set_names(port.names)
        out.get_rt_info().update(port.rt_info)


class _Graph:
    """The layers and edges of one ``<net>``, checked, then built into nodes in dependency order."""

    def __init__(self, root, source):
        self.source = source
        self.layers, self.order = {}, []
        for element in self._child(root, "layers").findall("layer"):
            layer = Layer(element)
            if layer.id in self.layers:
                raise IRReadError(f"{source}: layer id {layer.id} is used twice")
            self.layers[layer.id] = layer
            self.order.append(layer.id)
        self.incoming = {lid: {} for lid in self.layers}  # {to_port: (from_layer, from_port)}
        edges = root.find("edges")
        for edge in (edges.findall("edge") if edges is not None else []):
            self._add_edge(edge)
        self._check_inputs_connected()

    def _child(self, root, tag):
        found = root.find(tag)
        if found is None:
            raise IRReadError(f"{self.source}: no <{tag}> element")
        return found

    def _add_edge(self, edge):
        src, src_port, dst, dst_port = (as_int(edge.get(k), f"{self.source}: an <edge>'s '{k}'")
                                        for k in ("from-layer", "from-port", "to-layer", "to-port"))
        text = f"{self.source}: edge {src}:{src_port} -> {dst}:{dst_port}"
        if src not in self.layers or dst not in self.layers:
            raise IRReadError(f"{text} refers to a layer that does not exist")
        if src_port not in {p.id for p in self.layers[src].outputs}:
            raise IRReadError(f"{text} starts at port {src_port}, which is not an output port of "
                              f"layer {src}")
        if dst_port not in {p.id for p in self.layers[dst].inputs}:
            raise IRReadError(f"{text} ends at port {dst_port}, which is not an input port of "
                              f"layer {dst}")
        if dst_port in self.incoming[dst]:
            raise IRReadError(f"{text}: input port {dst_port} of layer {dst} has two incoming edges")
        self.incoming[dst][dst_port] = (src, src_port)

    def _check_inputs_connected(self):
        for lid, layer in self.layers.items():
            for port in layer.inputs:
                if port.id not in self.incoming[lid]:
                    raise IRReadError(f"{self.source}: input port {port.id} of {layer.where} has "
                                      "no incoming edge")

    def dependency_order(self):
        """Kahn's algorithm, ties broken by file order so Parameters and Results keep theirs."""
        pending = {lid: len({s for s, _ in self.incoming[lid].values()}) for lid in self.layers}
        consumers = {lid: set() for lid in self.layers}
        for lid in self.layers:
            for src, _ in self.incoming[lid].values():
                consumers[src].add(lid)
        position = {lid: i for i, lid in enumerate(self.order)}
        heap = [(position[lid], lid) for lid in self.order if pending[lid] == 0]
        heapq.heapify(heap)
        ordered = []
        while heap:
            _, lid = heapq.heappop(heap)
            ordered.append(lid)
            for nxt in consumers[lid]:
                pending[nxt] -= 1
                if pending[nxt] == 0:
                    heapq.heappush(heap, (position[nxt], nxt))
        if len(ordered) != len(self.layers):
            stuck = sorted(set(self.layers) - set(ordered))
            raise IRReadError(f"{self.source}: the graph has a cycle through layers {stuck[:10]}")
        return ordered

    def build_nodes(self, weights):
        nodes = {}
        for lid in self.dependency_order():
            layer = self.layers[lid]
            inputs = [self._input_value(layer, port, nodes) for port in layer.inputs]
            node = _make_node(layer, inputs, weights)
            _check_ports(layer, node)
            node.rt_info.update(layer.rt_info)
            nodes[lid] = node
        return nodes

    def _input_value(self, layer, port, nodes):
        src, src_port = self.incoming[layer.id][port.id]
        value = nodes[src].output(self.layers[src].output_index(src_port))
        if not port.element_type.compatible(value.get_element_type()):
            raise IRReadError(f"{self.source}: input port {port.id} of {layer.where} is declared "
                              f"{port.element_type} but receives {value.get_element_type()}")
        return value


def _sub_graph_attributes(cls, layer, weights):
    """Bodies, input/output descriptions (and Loop's special ports) from ``<port_map>``,
    ``<back_edges>`` and ``<body>`` (If: ``then_``/``else_`` ones)."""
    bodies, inputs, outputs = [], [], []
    special = [-1, -1]
    single = len(cls.body_names) == 1
    for tag in cls.body_names:
        element = layer.element.find(tag)
        if element is None:
            raise IRReadError(f"{layer.where}: no <{tag}>")
        body, graph = _build_graph(element, weights, f"{layer.where} <{tag}>")
        port_map = layer.element.find("port_map" if single else tag.replace("body", "port_map"))
        if port_map is None:
            raise IRReadError(f"{layer.where}: no port map for its <{tag}>")
        parameters = {lid: i for i, lid in enumerate(
            lid for lid in graph.order if isinstance(graph.nodes[lid], Parameter))}
        results = {lid: i for i, lid in enumerate(
            lid for lid in graph.order if isinstance(graph.nodes[lid], Result))}
        back = {}
        for edge in layer.element.findall("back_edges/edge") if single else ():
            source, target = _port_int(edge, "from-layer", layer), _port_int(edge, "to-layer", layer)
            if source not in results or target not in parameters:
                raise IRReadError(f"{layer.where}: back edge {source} -> {target} must go from a "
                                  "body Result to a body Parameter")
            back[target] = source
        found_inputs, found_outputs = [], []
        for entry in port_map:
            internal = _port_int(entry, "internal_layer_id", layer)
            table = parameters if entry.tag == "input" else results
            if internal not in table:
                raise IRReadError(f"{layer.where}: port map {entry.tag} refers to body layer "
                                  f"{internal}, which is not a body "
                                  f"{'Parameter' if entry.tag == 'input' else 'Result'}")
            index, purpose = table[internal], entry.get("purpose")
            if purpose in ("current_iteration", "execution_condition"):
                special[0 if purpose == "current_iteration" else 1] = index
                continue
            external = _port_int(entry, "external_port_id", layer)
            sliced = [_port_int(entry, key, layer) for key in ("start", "stride", "part_size",
                                                               "end", "axis")] \
                if entry.get("axis") is not None else None
            if entry.tag == "input":
                found_inputs.append(
                    cf.SlicedInput(external, index, *sliced) if sliced else
                    cf.MergedInput(external, index, results[back[internal]]) if internal in back
                    else cf.InvariantInput(external, index))
            else:
                output = external - len(layer.inputs)
                found_outputs.append(cf.ConcatOutput(index, output, *sliced) if sliced else
                                     cf.BodyOutput(index, output, -1))
        bodies.append(body)
        inputs.append(found_inputs)
        outputs.append(found_outputs)
    attributes = {"bodies": bodies, "input_descriptions": inputs, "output_descriptions": outputs}
    if single:
        attributes["special_body_ports"] = special
    return attributes


def _port_int(element, key, layer):
    return as_int(element.get(key), f"{layer.where}: <{element.tag}> attribute '{key}'")


def _build_graph(root, weights, source):
    """A Model from the ``<layers>``/``<edges>`` (and ``<rt_info>``) of a net or a body."""
    graph = _Graph(root, source)
    nodes = graph.build_nodes(weights)
    graph.nodes = nodes
    params = [nodes[lid] for lid in graph.order if isinstance(nodes[lid], Parameter)]
    results = [nodes[lid] for lid in graph.order if isinstance(nodes[lid], Result)]
    if not results:
        raise IRReadError(f"{source}: the model has no Result layers")
    for lid in graph.order:
        names = graph.layers[lid].output_names  # OpenVINO 2025+ writes a Result's names on it
        if names and isinstance(nodes[lid], Result):
            nodes[lid].output(0).add_names(split_names(names))
    sinks = [nodes[lid] for lid in graph.order if getattr(nodes[lid], "is_sink", False)]
    try:
        model = Model(results, params, root.get("name") or "", sinks=sinks)
    except (ValueError, TypeError) as exc:
        raise IRReadError(f"{source}: {exc}") from None
    rt = root.find("rt_info")
    if rt is not None:
        model.rt_info.update(read_model_rt_info(rt))
    return model, graph


def _build(root, weights, source):
    if root.tag != "net":
        raise IRReadError(f"{source}: the root element must be <net>, got <{root.tag}>")
    version = root.get("version")
    if version not in ("10", "11"):
        raise IRReadError(f"{source}: IR version {version!r} is not supported (expected 10 or 11)")
    return _build_graph(root, weights, source)[0]


def read_model_from_string(xml_text, weights=None, source="<string>") -> Model:
    """Read IR from XML text (str or bytes) and weights given as a path, bytes or a uint8 array.

    Raises :class:`IRReadError` for anything malformed or inconsistent.
    """
    if isinstance(xml_text, str):
        xml_text = xml_text.encode("utf-8")
    root = parse_xml(bytes(xml_text), source)
    weights_reader = weights if isinstance(weights, _Weights) else _Weights(weights)
    try:
        return _build(root, weights_reader, source)
    except IRReadError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError,
            MemoryError) as exc:
        raise IRReadError(f"{source}: {type(exc).__name__}: {exc}") from None


def read_model(model, weights=None) -> Model:
    """Read an IR model: ``read_model("model.xml")`` reads ``model.bin`` beside it.

    ``model`` may also be the XML itself as bytes (then ``weights`` are bytes or a path). Raises
    :class:`IRReadError` for missing, malformed or inconsistent files::

        model = ov.read_model("model.xml")
    """
    if isinstance(model, (bytes, bytearray)):
        return read_model_from_string(model, weights)
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(f"read_model expects a path to an IR .xml (or the XML as bytes), got "
                        f"{type(model).__name__}")
    path = os.fspath(model)
    if os.path.isdir(path):
        raise IRReadError(f"{path} is a directory; give the path of the model's .xml file")
    if not os.path.isfile(path):
        raise IRReadError(f"model file {path} does not exist")
    if path.lower().endswith(".bin"):
        raise IRReadError(f"{path} is the weights file; read the model's .xml (its .bin is found "
                          "beside it)")
    if weights is None:
        weights = (path[:-4] if path.endswith(".xml") else path) + ".bin"
    elif not isinstance(weights, (bytes, bytearray, memoryview, np.ndarray)):
        weights = os.fspath(weights)
    with open(path, "rb") as handle:
        text = handle.read()
    return read_model_from_string(text, _Weights(weights), source=path)
