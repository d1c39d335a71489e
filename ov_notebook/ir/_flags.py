"""A truth value that can also be called.

OpenVINO's Python API spells some predicates as methods (``Type.is_real()``, ``Type.is_static()``)
and others as properties (``PartialShape.is_static``, ``Dimension.is_dynamic``). Code written from
memory mixes the two, and a bound method used as a condition is always true — a silent bug. Every
such predicate here returns a ``Flag``, which works in both spellings.
"""
from __future__ import annotations

__all__ = ["Flag", "TRUE", "FALSE", "flag"]


class Flag(int):
    """``True``/``False`` that also answers ``flag()`` with itself as a bool."""

    __slots__ = ()

    def __call__(self) -> bool:
        return bool(self)

    def __repr__(self):
        return "True" if self else "False"

    __str__ = __repr__


TRUE = Flag(1)
FALSE = Flag(0)


def flag(value) -> Flag:
    return TRUE if value else FALSE
