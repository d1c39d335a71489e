"""Layouts (``Layout("NCHW")``), as OpenVINO's ``ov::Layout``, and the helpers around them:
``layout_helpers`` (``batch_idx``, ``get_layout``, ...) and ``get_batch``/``set_batch``.

A port's layout lives in its tensor's rt_info under ``"layout"``, which IR files write as
``<attribute name="layout" version="0" layout="[N,C,H,W]" />`` (serialize.py).
"""
from __future__ import annotations

import re

__all__ = ["Layout", "LayoutError", "get_batch", "set_batch"]

LAYOUT_KEY = "layout"  # the rt_info key of a tensor's layout
_FULL_NAMES = {"BATCH": "N", "CHANNELS": "C", "DEPTH": "D", "HEIGHT": "H", "WIDTH": "W"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class LayoutError(ValueError, RuntimeError):
    """A layout that cannot be parsed, or a dimension it does not name (OpenVINO raises
    RuntimeError in the same places)."""


class Layout:
    """A layout: named dimensions, ``?`` for an unnamed one and ``...`` for any number of them.

        >>> Layout("NCHW"), Layout("[n,c,?]"), Layout("N...C").get_index_by_name("C")
        (<Layout: [N,C,H,W]>, <Layout: [N,C,?]>, -1)
    """

    __slots__ = ("_left", "_right", "_dynamic", "_scalar")

    def __init__(self, layout=""):
        if isinstance(layout, Layout):
            self._left, self._right = layout._left, layout._right
            self._dynamic, self._scalar = layout._dynamic, layout._scalar
            return
        if not isinstance(layout, str):
            raise TypeError(f"a Layout is made from a string such as 'NCHW' or '[N,C,?]', got "
                            f"{type(layout).__name__} {layout!r}")
        self._scalar = layout.strip() == "**SCALAR**"
        names = [] if self._scalar else _split(layout.strip())
        if "..." in names:
            at = names.index("...")
            self._left, self._right, self._dynamic = tuple(names[:at]), tuple(names[at + 1:]), True
        else:
            self._left, self._right, self._dynamic = tuple(names), (), False
        if not names and not self._scalar:
            self._dynamic = True  # "" is "...": any rank, nothing named
        named = [n for n in self._left + self._right if n != "?"]
        for name in named:
            if named.count(name) > 1:
                raise LayoutError(f"dimension ({name}) is defined multiple times in layout "
                                  f"{layout!r}")

    @staticmethod
    def scalar() -> Layout:
        return Layout("**SCALAR**")

    @property
    def empty(self) -> bool:
        """True for the layout that says nothing (``...``)."""
        return self._dynamic and not self._left and not self._right

    def has_name(self, name: str) -> bool:
        return _canonical(name) in self._left + self._right

    def get_index_by_name(self, name: str) -> int:
        """The axis of ``name``: from the start, or negative when it follows ``...``."""
        name = _canonical(name)
        if name in self._left:
            return self._left.index(name)
        if name in self._right:
            return self._right.index(name) - len(self._right)
        raise LayoutError(f"{name} dimension index is not defined in layout {self}")

    def to_string(self) -> str:
        if self._scalar:
            return "**SCALAR**"
        return "[" + ",".join(self._left + (("...",) if self._dynamic else ()) + self._right) + "]"

    def _compatible_rank(self, rank) -> bool:
        fixed = len(self._left) + len(self._right)
        return rank >= fixed if self._dynamic else rank == (0 if self._scalar else fixed)

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Layout(other)
            except (LayoutError, TypeError):
                return False
        if not isinstance(other, Layout):
            return NotImplemented
        return self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __str__(self):
        return self.to_string()

    def __repr__(self):
        return f"<Layout: {self.to_string()}>"


def _canonical(name: str) -> str:
    name = name.strip().upper()
    return _FULL_NAMES.get(name, name)


def _split(text: str) -> list:
    if text.startswith("[") and text.endswith("]"):
        parts = [p.strip() for p in text[1:-1].split(",")] if text[1:-1].strip() else []
        for part in parts:
            if part not in ("?", "...") and not _NAME.fullmatch(part):
                raise LayoutError(f"layout {text!r}: {part!r} is not a dimension name, ? or ...")
        return [part if part in ("?", "...") else _canonical(part) for part in parts]
    names, rest = [], text
    while rest:
        if rest.startswith("..."):
            names.append("...")
            rest = rest[3:]
        elif rest[0] == "?" or rest[0].isalpha():
            names.append(rest[0] if rest[0] == "?" else rest[0].upper())
            rest = rest[1:]
        else:
            raise LayoutError(f"layout {text!r}: {rest[0]!r} is not a one-letter dimension, ? or "
                              "...; name longer dimensions in brackets: '[batch,seq,?]'")
    if names.count("...") > 1:
        raise LayoutError(f"layout {text!r} has more than one '...'")
    return names


# --- ports -------------------------------------------------------------------------------------
def get_layout(port) -> Layout:
    """The layout of an output port (empty when none was set)."""
    value = port.get_rt_info().get(LAYOUT_KEY)
    return Layout() if value is None else Layout(value)


def set_layout(port, layout) -> None:
    """Set the layout of an output port; its rank must fit the port's shape."""
    if not isinstance(layout, Layout):
        raise TypeError(f"set_layout takes a Layout (Layout('NCHW')), got {type(layout).__name__} "
                        f"{layout!r}")
    shape = port.get_partial_shape()
    if shape.rank.is_static and not layout._compatible_rank(shape.rank.get_length()):
        raise LayoutError(f"{port.get_node().get_type_name()} '{port.get_node().get_friendly_name()}'"
                          f": layout {layout} is not compatible with shape {shape}")
    if layout.empty:
        port.get_rt_info().pop(LAYOUT_KEY, None)
    else:
        port.get_rt_info()[LAYOUT_KEY] = layout


# --- batch -------------------------------------------------------------------------------------
def _batch_inputs(model):
    found = []
    for parameter in model.get_parameters():
        layout = get_layout(parameter.output(0))
        if layout.has_name("N"):
            found.append((parameter, layout.get_index_by_name("N")))
    if not found:
        names = ", ".join(f"{p.get_friendly_name()} {p.get_output_partial_shape(0)} layout "
                          f"{get_layout(p.output(0))}" for p in model.get_parameters())
        raise LayoutError(f"no model input has a layout with a batch dimension (N): {names}; set "
                          "one with parameter.set_layout(Layout('NCHW'))")
    return found


def get_batch(model):
    """The batch dimension of ``model``: the N dimension of the inputs whose layout has one."""
    from .dimension import Dimension

    batch = Dimension()
    for parameter, axis in _batch_inputs(model):
        shape = parameter.get_output_partial_shape(0)
        if shape.rank.is_dynamic:
            continue
        merged = batch.merge(shape[axis])
        if merged is None:
            raise LayoutError(f"inputs disagree on the batch: {batch} and {shape[axis]} "
                              f"('{parameter.get_friendly_name()}' {shape})")
        batch = merged
    return batch


def set_batch(model, batch_size=-1) -> None:
    """Reshape ``model`` so the N dimension of every input whose layout has one is
    ``batch_size`` (an int, -1 for dynamic, or a Dimension)."""
    from .dimension import Dimension
    from .shape import PartialShape

    batch = Dimension(batch_size)
    shapes = {}
    for parameter, axis in _batch_inputs(model):
        shape = parameter.get_output_partial_shape(0)
        if shape.rank.is_dynamic:
            raise LayoutError(f"input '{parameter.get_friendly_name()}' has a dynamic rank: its "
                              "batch dimension cannot be set")
        dims = [Dimension(d) for d in shape]
        dims[axis] = batch
        shapes[parameter.output(0)] = PartialShape(dims)
    model.reshape(shapes)
