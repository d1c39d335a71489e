"""Writing OpenVINO IR version 11 (``model.xml`` + ``model.bin``) the way OpenVINO's serializer does."""
from __future__ import annotations

import hashlib
import os
import re
from xml.sax.saxutils import quoteattr

import numpy as np

from .errors import IRWriteError
from .model import Model
from .node import Attr
from .ops.core import Constant, Convert
from .types import Type

__all__ = ["save_model", "serialize"]

DECOMPRESSION = "decompression"
_F16_MAX = 65504.0
_F16_MIN_NORMAL = 2.0 ** -14
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _escape_names(names) -> str:
    # OpenVINO joins tensor names with commas and escapes the commas inside names
    return ",".join(n.replace(",", "\\,") for n in sorted(names))


def _dims_xml(shape, indent):
    if not shape.rank_is_static:
        return []
    return [f"{indent}<dim>{d.get_length() if d.is_static else -1}</dim>" for d in shape]


def _port_xml(port_id, element_type, shape, names, indent):
    attrs = f'id="{port_id}" precision="{element_type.precision}"'
    if names:
        attrs += f" names={quoteattr(_escape_names(names))}"
    dims = _dims_xml(shape, indent + "\t")
    if not dims:
        return [f"{indent}<port {attrs} />"]
    return [f"{indent}<port {attrs}>"] + dims + [f"{indent}</port>"]


def _rt_info_value(value) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _node_rt_info_xml(rt_info, indent):
    if not rt_info:
        return []
    lines = [f"{indent}<rt_info>"]
    for key in sorted(rt_info):
        value = rt_info[key]
        text = _rt_info_value(value)
        value_attr = f" value={quoteattr(text)}" if text != "" else ""
        lines.append(f'{indent}\t<attribute name={quoteattr(str(key))} version="0"{value_attr} />')
    lines.append(f"{indent}</rt_info>")
    return lines


def _model_rt_info_xml(rt_info, indent):
    lines = []
    for key, value in rt_info.items():
        key = str(key)
        if isinstance(value, dict):
            if not _XML_NAME.match(key) or key == "info":
                raise IRWriteError(f"model rt_info key {key!r} holds a nested dict and must be a "
                                   "valid XML element name")
            lines.append(f"{indent}<{key}>")
            lines.extend(_model_rt_info_xml(value, indent + "\t"))
            lines.append(f"{indent}</{key}>")
        elif _XML_NAME.match(key) and key != "info":
            lines.append(f"{indent}<{key} value={quoteattr(_rt_info_value(value))} />")
        else:
            lines.append(f"{indent}<info name={quoteattr(key)} value={quoteattr(_rt_info_value(value))} />")
    return lines


def _should_compress(node) -> bool:
    """OpenVINO's rule: keep f32 when at least 75% of the values do not fit f16 (|x| > 65504, or
    0 < |x| < 2**-14, the smallest normal f16)."""
    if node.get_element_type() is not Type.f32:
        return False
    data = node.get_data()
    if data.size == 0:
        return False
    magnitude = np.abs(data)
    out_of_range = np.count_nonzero((magnitude > _F16_MAX) | ((magnitude < _F16_MIN_NORMAL) &
                                                                (magnitude != 0)))
    return out_of_range / data.size < 0.75


def _to_f16(data: np.ndarray) -> np.ndarray:
    """f32 -> f16 with out-of-range values clamped to +-65504, as OpenVINO compresses."""
    return np.clip(data, -_F16_MAX, _F16_MAX).astype(np.float16)


class _Blobs:
    """Constant buffers written once each, identical ones shared."""

    def __init__(self, stream):
        self.stream = stream
        self.offset = 0
        self.seen = {}

    def add(self, data: np.ndarray):
        raw = np.ascontiguousarray(data)
        buffer = memoryview(raw).cast("B") if raw.size else b""
        digest = hashlib.blake2b(buffer, digest_size=16).digest()
        key = (digest, len(buffer))
        if key in self.seen:
            return self.seen[key], len(buffer)
        offset = self.offset
        self.stream.write(buffer)
        self.offset += len(buffer)
        self.seen[key] = offset
        return offset, len(buffer)


def serialize(model: Model, xml_stream, bin_stream, compress_to_fp16=True) -> None:
    """Write ``model`` as IR v11 XML text to ``xml_stream`` and its weights to ``bin_stream``."""
    if not isinstance(model, Model):
        raise TypeError(f"save_model expects an ov_notebook Model, got {type(model).__name__}")
    blobs = _Blobs(bin_stream)
    layers, edges = [], []
    layer_ids, port_base = {}, {}

    def add_layer(node, type_name, version, data_attrs, rt_info, in_ports, out_ports):
        layer_id = len(layers)
        head = (f'\t\t<layer id="{layer_id}" name={quoteattr(node_name(node))} '
                f'type="{type_name}" version="{version}">')
        body = []
        if data_attrs:
            body.append("\t\t\t<data " + " ".join(f"{k}={quoteattr(v)}" for k, v in data_attrs) + " />")
        body += _node_rt_info_xml(rt_info, "\t\t\t")
        if in_ports:
            body.append("\t\t\t<input>")
            for port_id, (element_type, shape) in enumerate(in_ports):
                body += _port_xml(port_id, element_type, shape, None, "\t\t\t\t")
            body.append("\t\t\t</input>")
        if out_ports:
            body.append("\t\t\t<output>")
            for offset, (element_type, shape, names) in enumerate(out_ports):
                body += _port_xml(len(in_ports) + offset, element_type, shape, names, "\t\t\t\t")
            body.append("\t\t\t</output>")
        layers.append("\n".join([head] + body + ["\t\t</layer>"]))
        return layer_id

    name_overrides = {}

    def node_name(node):
        return name_overrides.get(id(node), node.get_friendly_name())

    for node in model.get_ordered_ops():
        if isinstance(node, Constant) and compress_to_fp16 and _should_compress(node):
            # f32 weights are stored as f16 and decompressed by a Convert marked "decompression"
            compressed = _to_f16(node.get_data())
            offset, size = blobs.add(compressed)
            shape = node.get_output_partial_shape(0)
            name_overrides[id(node)] = node.get_friendly_name() + "_compressed"
            const_id = add_layer(node, "Const", "opset1", [
                ("element_type", "f16"), ("shape", Attr("s", "shape").to_xml(list(node.get_data().shape))),
                ("offset", str(offset)), ("size", str(size))], {},
                [], [(Type.f16, shape, None)])
            del name_overrides[id(node)]
            rt_info = dict(node.rt_info)
            rt_info[DECOMPRESSION] = ""
            convert_id = add_layer(node, "Convert", "opset1", [("destination_type", "f32")], rt_info,
                                   [(Type.f16, shape)],
                                   [(Type.f32, shape, node.output(0).get_names())])
            edges.append((const_id, 0, convert_id, 0))
            layer_ids[id(node)] = convert_id
            port_base[id(node)] = 1
            continue
        data_attrs = []
        if isinstance(node, Constant):
            offset, size = blobs.add(node.get_data())
            data_attrs = [("element_type", node.get_element_type().get_type_name()),
                          ("shape", Attr("s", "shape").to_xml(list(node.get_data().shape))),
                          ("offset", str(offset)), ("size", str(size))]
        else:
            for spec in node.attrs:
                value = node._attrs.get(spec.name)
                if value is not None:
                    data_attrs.append((spec.name, spec.to_xml(value)))
        in_ports = [(src.get_element_type(), src.get_partial_shape()) for src in node.input_values()]
        is_result = node.get_type_name() == "Result"
        out_ports = [] if is_result else [
            (out.get_element_type(), out.get_partial_shape(), out.get_names()) for out in node.outputs()]
        layer_id = add_layer(node, node.xml_type or node.type_name, node.version, data_attrs,
                             node.rt_info, in_ports, out_ports)
        layer_ids[id(node)] = layer_id
        port_base[id(node)] = len(in_ports)
        for index, src in enumerate(node.input_values()):
            producer = src.get_node()
            edges.append((layer_ids[id(producer)], port_base[id(producer)] + src.get_index(),
                          layer_id, index))

    name = model.get_friendly_name()
    out = ['<?xml version="1.0"?>', f'<net name={quoteattr(name)} version="11">', "\t<layers>"]
    out += layers
    out += ["\t</layers>", "\t<edges>"]
    for from_layer, from_port, to_layer, to_port in sorted(edges):
        out.append(f'\t\t<edge from-layer="{from_layer}" from-port="{from_port}" '
                   f'to-layer="{to_layer}" to-port="{to_port}" />')
    out.append("\t</edges>")
    rt_lines = _model_rt_info_xml(model.rt_info, "\t\t")
    if rt_lines:
        out += ["\t<rt_info>"] + rt_lines + ["\t</rt_info>"]
    out.append("</net>")
    xml_stream.write("\n".join(out) + "\n")


def save_model(model: Model, output_model, compress_to_fp16: bool = True) -> None:
    """Save ``model`` as IR v11: ``output_model`` is the ``.xml`` path, weights go to ``.bin`` beside it.

    With ``compress_to_fp16=True`` (the default, as in OpenVINO) f32 weights are stored as f16 and
    decompressed on load::

        ov.save_model(ov_model, "model.xml")
    """
    path = os.fspath(output_model)
    if not path.endswith(".xml"):
        raise IRWriteError(f"the output model path must end with .xml, got {path!r}")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    bin_path = path[:-4] + ".bin"
    xml_tmp, bin_tmp = path + ".tmp", bin_path + ".tmp"
    try:
        with open(xml_tmp, "w", encoding="utf-8") as xml_stream, open(bin_tmp, "wb") as bin_stream:
            serialize(model, xml_stream, bin_stream, compress_to_fp16=compress_to_fp16)
        os.replace(bin_tmp, bin_path)
        os.replace(xml_tmp, path)
    finally:
        for leftover in (xml_tmp, bin_tmp):
            if os.path.exists(leftover):
                os.remove(leftover)
