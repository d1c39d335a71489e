"""One dimension of a shape: static, dynamic, or a bounded interval, printed as OpenVINO does."""
from __future__ import annotations

import numbers

from ._flags import flag

__all__ = ["Dimension", "DynamicDimensionError"]

_INF = -1  # an unbounded upper limit, as OpenVINO writes it


class DynamicDimensionError(ValueError, RuntimeError):
    """The length of a dynamic dimension was asked for (OpenVINO raises RuntimeError there)."""


def _as_int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    return int(value)


class Dimension:
    """One dimension: static (``Dimension(3)``), dynamic (``Dimension()`` or ``Dimension(-1)``)
    or an interval (``Dimension(1, 10)``; ``Dimension(5, -1)`` has no upper bound)."""

    __slots__ = ("_min", "_max")

    def __init__(self, min_or_value=None, max_value=None):
        if isinstance(min_or_value, Dimension) and max_value is None:
            self._min, self._max = min_or_value._min, min_or_value._max
            return
        if isinstance(min_or_value, str) and max_value is None:
            parsed = Dimension.parse(min_or_value)
            self._min, self._max = parsed._min, parsed._max
            return
        if min_or_value is None:
            if max_value is not None:
                raise TypeError(f"dimension lower bound must be an integer, got None (for "
                                f"[0, {max_value}] write Dimension(0, {max_value}))")
            self._min, self._max = 0, _INF
        elif max_value is None:
            value = _as_int(min_or_value, "dimension")
            if value < -1:
                raise ValueError(f"dimension must be >= 0 or -1 (dynamic), got {value}")
            self._min, self._max = (0, _INF) if value == -1 else (value, value)
        else:
            low = _as_int(min_or_value, "dimension lower bound")
            high = _as_int(max_value, "dimension upper bound")
            low = max(low, 0)
            if high != _INF and (high < 0 or high < low):
                raise ValueError(f"invalid dimension interval [{min_or_value}, {max_value}]")
            self._min, self._max = low, high

    @staticmethod
    def dynamic() -> Dimension:
        return Dimension()

    @staticmethod
    def parse(text: str) -> Dimension:
        """Parse ``3``, ``?``, ``-1``, ``1..10``, ``..10``, ``5..`` into a Dimension."""
        if not isinstance(text, str):
            raise TypeError(f"Dimension.parse expects a string, got {type(text).__name__} {text!r}")
        text = text.strip()
        try:
            if text in ("?", "-1", ""):
                return Dimension()
            if ".." in text:
                low, high = text.split("..", 1)
                return Dimension(int(low) if low else 0, int(high) if high else _INF)
            return Dimension(int(text))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"cannot parse dimension {text!r}: expected N, ?, -1, A..B") from exc

    # --- queries ----------------------------------------------------------------------
    # Flags: true/false as properties (OpenVINO's spelling) and when called.
    @property
    def is_static(self):
        return flag(self._min == self._max)

    @property
    def is_dynamic(self):
        return flag(self._min != self._max)

    @property
    def min_length(self) -> int:
        return self._min

    @property
    def max_length(self) -> int:
        return self._max

    def get_min_length(self) -> int:
        return self._min

    def get_max_length(self) -> int:
        return self._max

    def get_length(self) -> int:
        if not self.is_static:
            raise DynamicDimensionError(f"dimension {self} is not static: it has no length")
        return self._min

    def __len__(self):
        """The value of a static dimension, as OpenVINO's ``len(Dimension(3)) == 3``."""
        return self.get_length()

    def __bool__(self):
        # A Dimension is always true, as before it had len(): shape code tests ``dim or ...``.
        # (OpenVINO's bool() goes through len(): False for 0, an error when dynamic.)
        return True

    def get_interval(self):
        return (self._min, self._max)

    def _contains(self, value: int) -> bool:
        return value >= self._min and (self._max == _INF or value <= self._max)

    def compatible(self, other) -> bool:
        other = Dimension._coerce(other)
        return self._intersect(other) is not None

    def same_scheme(self, other) -> bool:
        """Equal static dimensions, or both dynamic whatever their bounds (OpenVINO's rule)."""
        other = Dimension._coerce(other)
        if self.is_dynamic and other.is_dynamic:
            return True
        return (self._min, self._max) == (other._min, other._max)

    def refines(self, other) -> bool:
        """True when every value this dimension allows is allowed by ``other``."""
        other = Dimension._coerce(other)
        return self._min >= other._min and (other._max == _INF or
                                             (self._max != _INF and self._max <= other._max))

    def relaxes(self, other) -> bool:
        return Dimension._coerce(other).refines(self)

    def _intersect(self, other):
        low = max(self._min, other._min)
        if self._max == _INF:
            high = other._max
        elif other._max == _INF:
            high = self._max
        else:
            high = min(self._max, other._max)
        if high != _INF and high < low:
            return None
        return Dimension(low, high)

    def merge(self, other) -> Dimension | None:
        """The intersection of two dimensions, or None where they cannot be equal."""
        return self._intersect(Dimension._coerce(other))

    def broadcast_merge(self, other) -> Dimension | None:
        """The result of numpy-broadcasting two dimensions, or None where they cannot broadcast.

        As OpenVINO: a dimension that may be 1 at run time lets the other one through, so
        ``[1..3]`` with ``[2..5]`` is ``[2..5]``; when both may be 1 the result spans both.
        """
        other = Dimension._coerce(other)
        if self.is_static and self._min == 1:
            return Dimension(other)
        if other.is_static and other._min == 1:
            return Dimension(self)
        mine, theirs = self._contains(1), other._contains(1)
        if mine and theirs:
            high = -1 if -1 in (self._max, other._max) else max(self._max, other._max)
            return Dimension(min(self._min, other._min), high)
        if mine:
            return Dimension(other)
        if theirs:
            return Dimension(self)
        return self._intersect(other)

    @staticmethod
    def _coerce(value) -> Dimension:
        if isinstance(value, Dimension):
            return value
        if isinstance(value, (tuple, list)):  # (low, high), as OpenVINO accepts in shapes
            if len(value) != 2:
                raise ValueError(f"an interval dimension is (low, high), got {value!r}")
            return Dimension(value[0], value[1])
        return Dimension(value)

    # --- arithmetic on bounds (used by shape inference) -------------------------------
    def __add__(self, other):
        other = Dimension._coerce(other)
        high = _INF if _INF in (self._max, other._max) else self._max + other._max
        return Dimension(self._min + other._min, high)

    __radd__ = __add__

    def __sub__(self, other):
        other = Dimension._coerce(other)
        low = max(self._min - (other._max if other._max != _INF else self._min), 0)
        high = _INF if self._max == _INF else max(self._max - other._min, 0)
        if self.is_static and other.is_static:
            return Dimension(max(self._min - other._min, 0))
        return Dimension(low, high)

    def __mul__(self, other):
        other = Dimension._coerce(other)
        if self.is_static and other.is_static:
            return Dimension(self._min * other._min)
        high = _INF if _INF in (self._max, other._max) else self._max * other._max
        return Dimension(self._min * other._min, high)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        divisor = _as_int(other if not isinstance(other, Dimension) else other.get_length(), "divisor")
        high = _INF if self._max == _INF else self._max // divisor
        return Dimension(self._min // divisor, high)

    # --- comparison & printing ----------------------------------------------------------
    def __eq__(self, other):
        if isinstance(other, Dimension):
            return (self._min, self._max) == (other._min, other._max)
        if isinstance(other, numbers.Integral) and not isinstance(other, bool):
            if other == -1:  # OpenVINO's fully dynamic dimension compares equal to -1
                return (self._min, self._max) == (0, _INF)
            return bool(self.is_static) and self._min == int(other)
        return NotImplemented

    def __hash__(self):
        return hash((self._min, self._max))

    def __str__(self):
        if self.is_static:
            return str(self._min)
        if self._min == 0 and self._max == _INF:
            return "?"
        low = str(self._min) if self._min else ""
        high = "" if self._max == _INF else str(self._max)
        return f"{low}..{high}"

    def __repr__(self):
        return f"<Dimension: {self}>"

    def to_string(self) -> str:
        return str(self)

    def __int__(self):
        return self.get_length()

    def __index__(self):
        return self.get_length()
