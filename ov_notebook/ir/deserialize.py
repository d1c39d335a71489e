"""Reading OpenVINO IR version 10/11 (``model.xml`` + ``model.bin``) into a Model.

Everything wrong with the files raises :class:`IRReadError` naming the layer, port or file, and
nothing half-built is returned. XML with a DOCTYPE or entity declarations is refused, so entity
expansion attacks cannot run.
"""
from __future__ import annotations

import heapq
import mmap
import os
import xml.etree.ElementTree as ET
from xml.parsers import expat

import numpy as np

from .errors import IRReadError, OpValidationError, UnknownOpError
from .model import Model
from .node import get_op_class
from .ops.core import Constant, Parameter, Result
from .shape import Dimension, PartialShape
from .types import Type

__all__ = ["read_model", "read_model_from_string"]


class _Forbidden(IRReadError):
    pass


def _parse_xml(text: bytes, source: str):
    """Parse with expat into an ElementTree, refusing DTDs and entity declarations outright."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()

    def refuse_doctype(*_):
        raise _Forbidden(f"{source}: DOCTYPE declarations are not allowed in IR files")

    def refuse_entity(*_):
        raise _Forbidden(f"{source}: entity declarations are not allowed in IR files")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
        return builder.close()
    except _Forbidden:
        raise
    except expat.ExpatError as exc:
        raise IRReadError(f"{source} is not well-formed XML: {exc}") from None
    except (ValueError, UnicodeError, AssertionError) as exc:
        raise IRReadError(f"{source} is not well-formed XML: {exc}") from None


def _int_attr(element, name, where):
    text = element.get(name)
    if text is None:
        raise IRReadError(f"{where} has no '{name}' attribute")
    try:
        return int(text)
    except ValueError:
        raise IRReadError(f"{where}: '{name}' must be an integer, got {text!r}") from None


def _split_names(text):
    # names are comma-joined, commas inside names escaped as '\,'
    names, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] == ",":
            current.append(",")
            index += 2
            continue
        if char == ",":
            names.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    names.append("".join(current).strip())
    return {n for n in names if n}


class _Port:
    __slots__ = ("id", "element_type", "shape", "names")

    def __init__(self, element, where):
        self.id = _int_attr(element, "id", where)
        precision = element.get("precision")
        try:
            self.element_type = Type(precision) if precision else Type.dynamic
        except TypeError:
            raise IRReadError(f"{where} port {self.id}: unknown precision {precision!r}") from None
        dims = element.findall("dim")
        if dims:
            parsed = []
            for dim in dims:
                text = (dim.text or "").strip()
                try:
                    parsed.append(Dimension.parse(text) if text not in ("-1", "?") else Dimension())
                except ValueError:
                    raise IRReadError(f"{where} port {self.id}: invalid dim {text!r}") from None
            self.shape = PartialShape(parsed)
        else:
            # a port without <dim> children is a scalar, unless the op says the rank is dynamic
            self.shape = None
        names = element.get("names")
        self.names = _split_names(names) if names else set()


class _Layer:
    __slots__ = ("id", "name", "type", "version", "data", "rt_info", "inputs", "outputs",
                 "output_names")

    def __init__(self, element):
        self.id = _int_attr(element, "id", "a <layer>")
        where = f"layer {self.id}"
        self.name = element.get("name") or f"layer_{self.id}"
        self.type = element.get("type")
        if not self.type:
            raise IRReadError(f"{where} ('{self.name}') has no type")
        self.version = element.get("version") or "opset1"
        self.output_names = element.get("output_names")
        data = element.find("data")
        self.data = dict(data.attrib) if data is not None else {}
        self.rt_info = {}
        rt = element.find("rt_info")
        if rt is not None:
            for attribute in rt.findall("attribute"):
                key = attribute.get("name")
                if key:
                    self.rt_info[key] = attribute.get("value", "")
        where = f"layer {self.id} ('{self.name}')"
        inputs = element.find("input")
        outputs = element.find("output")
        self.inputs = [_Port(p, where) for p in inputs.findall("port")] if inputs is not None else []
        self.outputs = [_Port(p, where) for p in outputs.findall("port")] if outputs is not None else []
        ids = [p.id for p in self.inputs + self.outputs]
        if len(set(ids)) != len(ids):
            raise IRReadError(f"{where} repeats a port id: {ids}")


def _read_rt_info(element):
    info = {}
    for child in element:
        if child.tag == "info" and child.get("name") is not None:
            key = child.get("name")
        else:
            key = child.tag
        if len(child):
            info[key] = _read_rt_info(child)
        else:
            info[key] = child.get("value", "")
    return info


class _Weights:
    def __init__(self, path):
        self.path = path
        self._buffer = None
        self._size = None

    @property
    def size(self):
        if self._size is None:
            self._open()
        return self._size

    def _open(self):
        if self.path is None:
            raise IRReadError("the model has constants but no weights (.bin) were given")
        if isinstance(self.path, (bytes, bytearray, memoryview, np.ndarray)):
            self._buffer = np.frombuffer(self.path, dtype=np.uint8)
        else:
            if not os.path.isfile(self.path):
                raise IRReadError(f"weights file {self.path} does not exist (the .bin next to the .xml)")
            size = os.path.getsize(self.path)
            if size == 0:
                self._buffer = np.zeros(0, np.uint8)
            else:
                with open(self.path, "rb") as handle:
                    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                self._buffer = np.frombuffer(mapped, dtype=np.uint8)
        self._size = int(self._buffer.size)

    def read(self, offset, size, element_type, shape, where):
        if self._buffer is None:
            self._open()
        if offset < 0 or size < 0:
            raise IRReadError(f"{where}: negative offset {offset} or size {size}")
        if offset + size > self._size:
            raise IRReadError(f"{where}: bytes [{offset}, {offset + size}) are outside the weights "
                              f"file {self.path if isinstance(self.path, str) else ''} of "
                              f"{self._size} bytes (truncated .bin?)")
        count = int(np.prod(shape)) if shape else 1
        expected = count * element_type.size
        if size != expected:
            raise IRReadError(f"{where}: size {size} does not match {element_type} shape {list(shape)} "
                              f"({expected} bytes)")
        raw = self._buffer[offset:offset + size]
        return raw.view(element_type.to_dtype()).reshape(shape)


def _parse_shape_list(text, where):
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


def _make_node(layer, inputs, weights):
    where = f"layer {layer.id} ('{layer.name}', {layer.type} {layer.version})"
    try:
        cls = get_op_class(layer.type, layer.version)
    except UnknownOpError as exc:
        raise IRReadError(f"{where}: {exc}") from None
    if cls is Constant:
        try:
            element_type = Type(layer.data.get("element_type", ""))
        except TypeError:
            raise IRReadError(f"{where}: unknown element_type {layer.data.get('element_type')!r}") from None
        if element_type.is_dynamic():
            raise IRReadError(f"{where}: a Const needs an element_type")
        shape = _parse_shape_list(layer.data.get("shape", ""), where)
        offset = _int_attr_dict(layer.data, "offset", where)
        size = _int_attr_dict(layer.data, "size", where)
        data = weights.read(offset, size, element_type, shape, where)
        return Constant(data, element_type, name=layer.name, shared_memory=True)
    if cls is Parameter:
        try:
            element_type = Type(layer.data.get("element_type", "dynamic"))
            shape = PartialShape.parse(layer.data.get("shape", "..."))
        except (TypeError, ValueError) as exc:
            raise IRReadError(f"{where}: {exc}") from None
        return Parameter(element_type, shape, name=layer.name)
    attributes = {}
    for spec in cls.attrs:
        if spec.name in layer.data:
            try:
                attributes[spec.name] = spec.from_xml(layer.data[spec.name])
            except (TypeError, ValueError) as exc:
                raise IRReadError(f"{where}: attribute '{spec.name}'={layer.data[spec.name]!r}: "
                                  f"{exc}") from None
    try:
        return cls.from_ir(inputs, attributes, layer.name)
    except (OpValidationError, TypeError, ValueError, IndexError) as exc:
        raise IRReadError(f"{where}: {exc}") from None


def _int_attr_dict(data, name, where):
    if name not in data:
        raise IRReadError(f"{where} has no '{name}' attribute")
    try:
        return int(data[name])
    except ValueError:
        raise IRReadError(f"{where}: '{name}' must be an integer, got {data[name]!r}") from None


def _check_ports(layer, node):
    where = f"layer {layer.id} ('{layer.name}', {layer.type})"
    if node.get_type_name() == "Result":
        return
    if len(layer.outputs) != node.get_output_size():
        raise IRReadError(f"{where} declares {len(layer.outputs)} output ports but the operation has "
                          f"{node.get_output_size()}")
    for port, out in zip(layer.outputs, node.outputs()):
        inferred_type = out.get_element_type()
        if port.element_type.is_static and inferred_type.is_static and port.element_type != inferred_type:
            raise IRReadError(f"{where} output port {port.id} is declared {port.element_type} but the "
                              f"operation produces {inferred_type}")
        declared = port.shape
        inferred = out.get_partial_shape()
        if declared is None:
            declared = PartialShape([]) if inferred.rank_is_static and len(inferred) == 0 else None
        if declared is not None and not declared.compatible(inferred):
            raise IRReadError(f"{where} output port {port.id} is declared {declared} but the operation "
                              f"produces {inferred}")
        out.set_names(port.names)


def _build(root, weights, source):
    if root.tag != "net":
        raise IRReadError(f"{source}: the root element must be <net>, got <{root.tag}>")
    version = root.get("version")
    if version not in ("10", "11"):
        raise IRReadError(f"{source}: IR version {version!r} is not supported (expected 10 or 11)")
    layers_element = root.find("layers")
    if layers_element is None:
        raise IRReadError(f"{source}: no <layers> element")
    layers = {}
    order = []
    for element in layers_element.findall("layer"):
        layer = _Layer(element)
        if layer.id in layers:
            raise IRReadError(f"{source}: layer id {layer.id} is used twice")
        layers[layer.id] = layer
        order.append(layer.id)
    incoming = {lid: {} for lid in layers}  # layer -> {to_port: (from_layer, from_port)}
    edges_element = root.find("edges")
    for edge in (edges_element.findall("edge") if edges_element is not None else []):
        src = _int_attr(edge, "from-layer", "an <edge>")
        src_port = _int_attr(edge, "from-port", "an <edge>")
        dst = _int_attr(edge, "to-layer", "an <edge>")
        dst_port = _int_attr(edge, "to-port", "an <edge>")
        if src not in layers or dst not in layers:
            raise IRReadError(f"{source}: edge {src}:{src_port} -> {dst}:{dst_port} refers to a layer "
                              "that does not exist")
        if src_port not in {p.id for p in layers[src].outputs}:
            raise IRReadError(f"{source}: edge {src}:{src_port} -> {dst}:{dst_port} starts at port "
                              f"{src_port}, which is not an output port of layer {src}")
        if dst_port not in {p.id for p in layers[dst].inputs}:
            raise IRReadError(f"{source}: edge {src}:{src_port} -> {dst}:{dst_port} ends at port "
                              f"{dst_port}, which is not an input port of layer {dst}")
        if dst_port in incoming[dst]:
            raise IRReadError(f"{source}: input port {dst_port} of layer {dst} has two incoming edges")
        incoming[dst][dst_port] = (src, src_port)
    for lid, layer in layers.items():
        connected = incoming[lid]
        for port in layer.inputs:
            if port.id not in connected:
                raise IRReadError(f"{source}: input port {port.id} of layer {lid} ('{layer.name}') "
                                  "has no incoming edge")

    # Kahn's algorithm in file order, so Parameters and Results keep their order
    pending = {lid: len({s for s, _ in incoming[lid].values()}) for lid in layers}
    consumers = {lid: set() for lid in layers}
    for lid in layers:
        for src, _ in incoming[lid].values():
            consumers[src].add(lid)
    ready = [lid for lid in order if pending[lid] == 0]
    position = {lid: i for i, lid in enumerate(order)}
    nodes, built = {}, []
    heap = [(position[lid], lid) for lid in ready]
    heapq.heapify(heap)
    while heap:
        _, lid = heapq.heappop(heap)
        layer = layers[lid]
        inputs = []
        for port in layer.inputs:
            src, src_port = incoming[lid][port.id]
            producer_layer = layers[src]
            index = [p.id for p in producer_layer.outputs].index(src_port)
            producer = nodes[src]
            if index >= producer.get_output_size():
                raise IRReadError(f"{source}: layer {src} has no output {index}")
            inputs.append(producer.output(index))
        for port, value in zip(layer.inputs, inputs):
            if port.element_type.is_static and value.get_element_type().is_static and \
                    port.element_type != value.get_element_type():
                raise IRReadError(f"{source}: input port {port.id} of layer {lid} ('{layer.name}') is "
                                  f"declared {port.element_type} but receives "
                                  f"{value.get_element_type()}")
        node = _make_node(layer, inputs, weights)
        _check_ports(layer, node)
        node.rt_info.update(layer.rt_info)
        nodes[lid] = node
        built.append(lid)
        for nxt in consumers[lid]:
            pending[nxt] -= 1
            if pending[nxt] == 0:
                heapq.heappush(heap, (position[nxt], nxt))
    if len(built) != len(layers):
        stuck = sorted(set(layers) - set(built))
        raise IRReadError(f"{source}: the graph has a cycle through layers {stuck[:10]}")

    params = [nodes[lid] for lid in order if isinstance(nodes[lid], Parameter)]
    results = [nodes[lid] for lid in order if isinstance(nodes[lid], Result)]
    if not results:
        raise IRReadError(f"{source}: the model has no Result layers")
    for lid in order:
        node = nodes[lid]
        if isinstance(node, Result):
            extra = layers[lid].output_names  # OpenVINO 2025+ writes Result names on the layer
            if extra and not node.output(0).get_names():
                node.output(0).set_names(_split_names(extra))
    try:
        model = Model(results, params, root.get("name") or "")
    except (ValueError, TypeError) as exc:
        raise IRReadError(f"{source}: {exc}") from None
    rt = root.find("rt_info")
    if rt is not None:
        model.rt_info.update(_read_rt_info(rt))
    return model


def read_model_from_string(xml_text, weights=None, source="<string>") -> Model:
    """Read IR from XML text (str or bytes) and weights given as a path, bytes or a uint8 array."""
    if isinstance(xml_text, str):
        xml_text = xml_text.encode("utf-8")
    root = _parse_xml(xml_text, source)
    weights_reader = weights if isinstance(weights, _Weights) else _Weights(weights)
    try:
        return _build(root, weights_reader, source)
    except IRReadError:
        raise
    except (OpValidationError, ValueError, TypeError, KeyError, IndexError, OverflowError,
            RecursionError, MemoryError) as exc:
        raise IRReadError(f"{source}: {type(exc).__name__}: {exc}") from None


def read_model(model, weights=None) -> Model:
    """Read an IR model: ``read_model("model.xml")`` reads ``model.bin`` beside it.

    Raises :class:`IRReadError` for missing, malformed or inconsistent files.
    """
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise IRReadError(f"model file {path} does not exist")
    if weights is None:
        stem = path[:-4] if path.endswith(".xml") else path
        weights = stem + ".bin"
    else:
        weights = os.fspath(weights)
    with open(path, "rb") as handle:
        text = handle.read()
    return read_model_from_string(text, _Weights(weights), source=path)
