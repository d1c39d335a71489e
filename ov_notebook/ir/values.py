"""Small value types of OpenVINO's Python API: ``OVAny`` (what ``get_rt_info(path)`` returns),
``Strides``, ``Coordinate``, ``CoordinateDiff`` and ``AxisVector`` (lists of integers)."""
from __future__ import annotations

import numbers

__all__ = ["OVAny", "Strides", "Coordinate", "CoordinateDiff", "AxisVector"]


class OVAny:
    """A value held as OpenVINO's ``ov::Any``: ``value``/``get()``, ``astype(t)``, ``aslist(t)``;
    it compares equal to the value it holds.

        >>> OVAny("5").astype(int), OVAny("1 2").aslist(int), OVAny([1, 2]).astype(str)
        (5, [1, 2], '1 2')
    """

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value._value if isinstance(value, OVAny) else value

    @property
    def value(self):
        return self._value

    def get(self):
        return self._value

    def set(self, value) -> None:
        self._value = value._value if isinstance(value, OVAny) else value

    def astype(self, target_type):
        """The value as ``target_type`` (str, int, float, bool, list, dict), converted the way
        OpenVINO's Any reads its string form (lists are space-separated)."""
        value = self._value
        if target_type is str:
            if isinstance(value, (list, tuple)):
                return " ".join(str(v) for v in value)
            if isinstance(value, bool):
                return "YES" if value else "NO"
            return str(value)
        if target_type is bool:
            if isinstance(value, str):
                spelling = value.strip().lower()
                if spelling in ("yes", "true", "1"):
                    return True
                if spelling in ("no", "false", "0"):
                    return False
                raise ValueError(f"OVAny {value!r} is not a boolean (YES/NO, true/false, 1/0)")
            return bool(value)
        if target_type in (int, float):
            try:
                return target_type(value)
            except (TypeError, ValueError):
                raise ValueError(f"OVAny {value!r} cannot be read as {target_type.__name__}") \
                    from None
        if target_type is list:
            return self.aslist()
        if target_type is dict:
            if not isinstance(value, dict):
                raise ValueError(f"OVAny {value!r} is not a dict")
            return dict(value)
        raise TypeError(f"OVAny.astype takes str, int, float, bool, list or dict, got "
                        f"{target_type!r}")

    def aslist(self, element_type=str) -> list:
        """The value as a list of ``element_type`` (None: as they are); a string is split at
        spaces."""
        value = self._value
        items = value.split() if isinstance(value, str) else (
            list(value) if isinstance(value, (list, tuple)) else [value])
        if element_type is None:
            return items
        return [OVAny(item).astype(element_type) for item in items]

    def __getitem__(self, key):
        return self._value[key]

    def __len__(self):
        return len(self._value)

    def __eq__(self, other):
        return self._value == (other._value if isinstance(other, OVAny) else other)

    __hash__ = None

    def __repr__(self):
        return f"<OVAny: {self._value!r}>"


class _IntegerVector(list):
    """A list of integers, checked when made (non-negative unless ``signed``)."""

    signed = False

    def __init__(self, values=()):
        values = list(values)
        for value in values:
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or \
                    (not self.signed and value < 0):
                kind = "integers" if self.signed else "non-negative integers"
                raise TypeError(f"{type(self).__name__} holds {kind}, got {value!r} in {values}")
        super().__init__(int(v) for v in values)

    def __str__(self):
        return ", ".join(str(v) for v in self)

    def __repr__(self):
        return f"<{type(self).__name__}: ({', '.join(str(v) for v in self)})>"


class Strides(_IntegerVector):
    """Strides of a convolution or pooling, as OpenVINO's ``Strides``."""


class Coordinate(_IntegerVector):
    """An index into a tensor (OpenVINO's ``Coordinate``); made from a list or a Shape."""


class CoordinateDiff(_IntegerVector):
    """Signed offsets, such as paddings (OpenVINO's ``CoordinateDiff``)."""

    signed = True


class AxisVector(_IntegerVector):
    """An ordered list of axes (OpenVINO's ``AxisVector``)."""

    def __repr__(self):
        return f"<AxisVector {{{', '.join(str(v) for v in self)}}}>"

    __str__ = __repr__
