"""The ``ovc --input`` syntax: input names, shapes and element types in one string.

Shared by the ``ovn`` command and the ``%convert --input`` magic, so both read the same syntax::

    >>> [str(s) for s in parse_input_spec("x[1,3,?,?],y[1..10]{i64}")]
    ['x[1,3,?,?]', 'y[1..10]{i64}']
    >>> spec = parse_input_spec("[1,3,224,224]")[0]
    >>> spec.name is None, spec.shape
    (True, <PartialShape: [1,3,224,224]>)

Grammar (as ovc): comma-separated items ``NAME[SHAPE]{TYPE}``; every part is optional but an item
needs at least one; ``[SHAPE]`` and ``{TYPE}`` may come in either order. Dimensions are separated by
commas or spaces and written ``3``, ``-1`` or ``?`` (dynamic), ``1..10``, ``..10``, ``1..``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..ir.shape import Dimension, PartialShape
from ..ir.types import Type

__all__ = ["InputSpec", "InputSpecError", "parse_input_spec", "split_items"]


class InputSpecError(ValueError):
    """A malformed ``--input`` string; the message quotes the offending item."""


@dataclass(frozen=True)
class InputSpec:
    """One model input: ``name`` (None: by position), ``shape`` and ``element_type`` (None: keep)."""

    name: str | None = None
    shape: PartialShape | None = None
    element_type: Type | None = None

    def as_tuple(self) -> tuple:
        """The ``(name, shape, type)`` form ``convert_model(input=[...])`` takes, Nones dropped."""
        return tuple(part for part in (self.name, self.shape, self.element_type) if part is not None)

    def __str__(self):
        text = self.name or ""
        if self.shape is not None:
            text += str(self.shape)
        if self.element_type is not None:
            text += "{" + self.element_type.get_type_name() + "}"
        return text


# NAME is anything up to the first bracket or brace; shape and type follow in either order.
_ITEM = re.compile(r"^(?P<name>[^\[\]{}]*)(?P<rest>(?:\[[^\]]*\]|\{[^}]*\})*)$")
_PART = re.compile(r"\[([^\]]*)\]|\{([^}]*)\}")


def split_items(text: str) -> list:
    """Split on commas that are outside ``[...]`` and ``{...}`` (dimensions use commas too)."""
    items, depth, current = [], 0, []
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items]


def _parse_shape(text: str, item: str) -> PartialShape:
    dims = [d for d in re.split(r"[,\s]+", text.strip()) if d]
    try:
        return PartialShape([Dimension.parse(d) for d in dims])
    except (TypeError, ValueError) as exc:
        raise InputSpecError(f"--input item {item!r}: bad shape [{text}]: {exc}; dimensions are "
                             "integers, -1 or ? (dynamic), or ranges like 1..10") from None


def _parse_type(text: str, item: str) -> Type:
    try:
        return Type(text.strip())
    except (TypeError, ValueError, KeyError) as exc:
        raise InputSpecError(f"--input item {item!r}: unknown element type {{{text}}}: {exc}") from None


def _parse_item(item: str) -> InputSpec:
    if "->" in item:
        raise InputSpecError(f"--input item {item!r}: values (->) are not supported, as in ovc; "
                             "give an example input instead")
    match = _ITEM.match(item)
    if not item or match is None:
        raise InputSpecError(f"--input item {item!r} is not NAME[SHAPE]{{TYPE}} (e.g. "
                             "x[1,3,?,?]{f32})")
    shape = element_type = None
    for part in _PART.finditer(match.group("rest")):
        if part.group(0).startswith("{"):
            if element_type is not None:
                raise InputSpecError(f"--input item {item!r} gives two element types")
            element_type = _parse_type(part.group(2), item)
        else:
            if shape is not None:
                raise InputSpecError(f"--input item {item!r} gives two shapes")
            shape = _parse_shape(part.group(1), item)
    name = match.group("name").strip() or None
    return InputSpec(name, shape, element_type)


def parse_input_spec(text: str) -> list:
    """Parse an ``ovc --input`` string into :class:`InputSpec` items, in order.

    >>> parse_input_spec("ids{i64},mask[1,?]")[0].element_type
    <Type: 'int64_t'>
    """
    if not isinstance(text, str) or not text.strip():
        raise InputSpecError("--input is empty; expected e.g. x[1,3,224,224]{f32},y[1..10]{i64}")
    specs = [_parse_item(item) for item in split_items(text)]
    names = [s.name for s in specs if s.name]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputSpecError(f"--input names {', '.join(duplicates)} more than once")
    return specs
