"""The XML side of reading IR: safe parsing, and layers and ports as plain records.

Parsing refuses any DOCTYPE before anything is expanded, so entity-expansion ("billion laughs")
and external-entity attacks cannot run; every problem is an :class:`IRReadError`.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from .errors import IRReadError
from .shape import Dimension, PartialShape
from .types import Type

__all__ = ["parse_xml", "Layer", "Port", "as_int", "split_names", "read_model_rt_info"]


def parse_xml(text: bytes, source: str):
    """Parse with expat into an ElementTree, refusing DTDs outright."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()

    def refuse(*_):
        raise IRReadError(f"{source}: DOCTYPE and entity declarations are not allowed in IR files")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
        return builder.close()
    except IRReadError:
        raise
    except (expat.ExpatError, ValueError, UnicodeError, AssertionError) as exc:
        raise IRReadError(f"{source} is not well-formed XML: {exc}") from None


def as_int(text, what):
    if text is None:
        raise IRReadError(f"{what} is missing")
    try:
        return int(text)
    except ValueError:
        raise IRReadError(f"{what} must be an integer, got {text!r}") from None


def split_names(text):
    """Tensor names are comma-joined; commas inside names are escaped as ``\\,``."""
    names, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1:index + 2] == ",":
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


def read_rt_attributes(element):
    """``<rt_info><attribute name=... version=... value=.../></rt_info>`` of a layer or port.

    OpenVINO's own attributes may carry their value under another name (``layout="[N,C,H,W]"``).
    """
    info = {}
    rt = element.find("rt_info") if element is not None else None
    for attribute in (rt.findall("attribute") if rt is not None else []):
        key = attribute.get("name")
        if not key:
            continue
        rest = {k: v for k, v in attribute.attrib.items() if k not in ("name", "version")}
        if "value" in rest or not rest:
            info[key] = rest.get("value", "")
        else:
            info[key] = next(iter(rest.values())) if len(rest) == 1 else rest
    return info


def read_model_rt_info(element):
    """Model rt_info: elements are keys, ``<info name=...>`` keys that are not XML names; an
    element with children is a nested dict, one with neither value nor children an empty dict."""
    info = {}
    for child in element:
        key = child.get("name") if child.tag == "info" and child.get("name") is not None \
            else child.tag
        if "value" in child.attrib:
            info[key] = child.get("value")
        else:
            info[key] = read_model_rt_info(child)
    return info


class Port:
    __slots__ = ("id", "element_type", "shape", "names", "rt_info")

    def __init__(self, element, where):
        self.id = as_int(element.get("id"), f"{where}: a port's 'id'")
        precision = element.get("precision")
        try:
            self.element_type = Type(precision) if precision else Type.dynamic
        except TypeError:
            raise IRReadError(f"{where} port {self.id}: unknown precision {precision!r}") from None
        # a port without <dim> children is a scalar, unless the op says the rank is dynamic
        self.shape = None
        dims = element.findall("dim")
        if dims:
            self.shape = PartialShape([self._dim(d.text, where) for d in dims])
        names = element.get("names")
        self.names = split_names(names) if names else set()
        self.rt_info = read_rt_attributes(element)

    def _dim(self, text, where):
        text = (text or "").strip()
        try:
            return Dimension() if text in ("-1", "?") else Dimension.parse(text)
        except ValueError:
            raise IRReadError(f"{where} port {self.id}: invalid dim {text!r}") from None


class Layer:
    __slots__ = ("id", "name", "type", "version", "data", "rt_info", "inputs", "outputs",
                 "output_names", "where", "element")

    def __init__(self, element):
        self.element = element  # sub-graph ops read their bodies and port maps from it
        self.id = as_int(element.get("id"), "a <layer>'s 'id'")
        self.name = element.get("name") or f"layer_{self.id}"
        self.type = element.get("type")
        self.version = element.get("version") or "opset1"
        self.where = f"layer {self.id} ('{self.name}', {self.type} {self.version})"
        if not self.type:
            raise IRReadError(f"layer {self.id} ('{self.name}') has no type")
        self.output_names = element.get("output_names")
        data = element.find("data")
        self.data = dict(data.attrib) if data is not None else {}
        self.rt_info = read_rt_attributes(element)
        self.inputs = self._ports(element.find("input"))
        self.outputs = self._ports(element.find("output"))
        ids = [p.id for p in self.inputs + self.outputs]
        if len(set(ids)) != len(ids):
            raise IRReadError(f"{self.where} repeats a port id: {ids}")

    def _ports(self, element):
        return [] if element is None else [Port(p, self.where) for p in element.findall("port")]

    def output_index(self, port_id):
        return [p.id for p in self.outputs].index(port_id)
