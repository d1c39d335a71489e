"""Typed attributes of operations: kinds, coercion of Python values, IR text form."""
from __future__ import annotations

import numbers

import numpy as np

from .shape import PartialShape
from .types import Type

__all__ = ["Attr", "REQUIRED"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


def _to_int(value, attr):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return int(value)
        raise TypeError(f"attribute '{attr}' must be an integer, got {value!r}")
    return int(value)


def _to_ints(value, attr):
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    try:
        return [_to_int(v, attr) for v in value]
    except TypeError:
        raise TypeError(f"attribute '{attr}' must be a list of integers, got {value!r}") from None


def _to_float(value, attr):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"attribute '{attr}' must be a number, got {value!r}")
    return float(value)


def _to_bool(value, attr):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise TypeError(f"attribute '{attr}' must be a boolean, got {value!r}")


# OpenVINO's IR reader (XmlDeserializer::on_adapter for bool) lower-cases the text and takes
# "true"/"1" and "false"/"0": IR v10 files and older converters wrote the digits, some tools
# "True"/"FALSE". OpenVINO silently keeps the default for any other text; we name it instead.
_XML_TRUE, _XML_FALSE = ("true", "1"), ("false", "0")


def _bool_from_xml(text, attr):
    spelling = text.lower()
    if spelling in _XML_TRUE or spelling in _XML_FALSE:
        return spelling in _XML_TRUE
    raise ValueError(f"attribute '{attr}' must be a boolean written true/false or 1/0 (any case), "
                     f"got {text!r}")


def _format_float(value):
    text = f"{value:.17g}"
    return text


class Attr:
    """An attribute of an operation: name, kind, default and, for enums, the accepted values.

    Kinds: ``int``, ``float``, ``bool``, ``str``, ``ints``, ``floats``, ``strs`` (a list of
    strings, each one of ``choices`` when given; IR text ``"sigmoid, tanh"``), ``type`` (element
    type), ``pshape`` (a PartialShape) and ``shape`` (a list of non-negative ints).
    """

    __slots__ = ("name", "kind", "default", "choices")

    def __init__(self, name, kind, default=REQUIRED, choices=None):
        self.name = name
        self.kind = kind
        self.default = default
        self.choices = tuple(choices) if choices else None

    def coerce(self, value):
        name, kind = self.name, self.kind
        if kind == "int":
            return _to_int(value, name)
        if kind == "float":
            return _to_float(value, name)
        if kind == "bool":
            return _to_bool(value, name)
        if kind == "str":
            if isinstance(value, Type):
                value = value.get_type_name()
            if not isinstance(value, str):
                raise TypeError(f"attribute '{name}' must be a string, got {value!r}")
            if self.choices:
                for choice in self.choices:
                    if choice.lower() == value.lower():
                        return choice
                raise ValueError(f"attribute '{name}' must be one of {', '.join(self.choices)}, "
                                 f"got {value!r}")
            return value
        if kind in ("ints", "shape"):
            values = _to_ints(value, name)
            if kind == "shape" and any(v < 0 for v in values):
                raise ValueError(f"attribute '{name}' must not be negative, got {values}")
            return values
        if kind == "floats":
            if isinstance(value, np.ndarray):
                value = value.reshape(-1).tolist()
            if isinstance(value, (numbers.Real, np.number)):
                value = [value]
            return [_to_float(v, name) for v in value]
        if kind == "strs":
            if isinstance(value, str):
                value = [part.strip() for part in value.split(",")] if value.strip() else []
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"attribute '{name}' must be a list of strings, got {value!r}")
            return [Attr(name, "str", choices=self.choices).coerce(v) for v in value]
        if kind == "type":
            return Type(value)
        if kind == "pshape":
            return PartialShape(value)
        raise AssertionError(f"unknown attribute kind {kind}")

    def to_xml(self, value) -> str:
        kind = self.kind
        if kind == "bool":
            return "true" if value else "false"
        if kind == "float":
            return _format_float(value)
        if kind in ("ints", "shape"):
            return ", ".join(str(v) for v in value)
        if kind == "floats":
            return ", ".join(_format_float(v) for v in value)
        if kind == "strs":
            return ", ".join(value)
        if kind == "type":
            return value.get_type_name()
        if kind == "pshape":
            return str(value)[1:-1] if value.rank.is_static else "..."
        return str(value)

    def from_xml(self, text: str):
        kind = self.kind
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            return _bool_from_xml(text, self.name)
        if kind in ("ints", "shape"):
            text = text.strip()
            return self.coerce([int(p) for p in text.split(",")] if text else [])
        if kind == "floats":
            text = text.strip()
            return [float(p) for p in text.split(",")] if text else []
        if kind == "pshape":
            return PartialShape.parse(text)
        return self.coerce(text)
