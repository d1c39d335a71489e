"""Dimensions and shapes, static, bounded or dynamic, printed the way OpenVINO prints them."""
from __future__ import annotations

from ._flags import flag
from .dimension import _INF, Dimension, _as_int

__all__ = ["Dimension", "PartialShape", "Shape"]  # Dimension lives in dimension.py


class PartialShape:
    """A shape whose rank and dimensions may be dynamic.

    ``PartialShape([1, 3, -1, -1])`` prints ``[1,3,?,?]``; ``PartialShape.dynamic()`` has a dynamic rank
    and prints ``[...]``; strings like ``"[1,3,?,224]"`` or ``"1..10,3"`` are parsed.
    """

    __slots__ = ("_dims",)

    def __init__(self, dims=None):
        if isinstance(dims, PartialShape):
            self._dims = None if dims._dims is None else list(dims._dims)
        elif isinstance(dims, str):
            self._dims = PartialShape.parse(dims)._dims
        elif dims is None:
            self._dims = None
        else:
            try:
                items = list(dims)
            except TypeError:
                raise TypeError(f"a shape must be a list of dimensions, got {dims!r}") from None
            self._dims = [Dimension._coerce(d) if not isinstance(d, str) else Dimension.parse(d)
                          for d in items]

    @staticmethod
    def dynamic(rank=None) -> PartialShape:
        if rank is None:
            return PartialShape(None)
        if isinstance(rank, Dimension):
            rank = rank.get_length() if rank.is_static else None
        else:
            rank = _as_int(rank, "a rank")
        if rank is None or rank == -1:  # -1: a dynamic rank, as in OpenVINO
            return PartialShape(None)
        if rank < 0:
            raise ValueError(f"a rank must be >= 0 or -1 (dynamic), got {rank}")
        return PartialShape([Dimension() for _ in range(rank)])

    @staticmethod
    def parse(text: str) -> PartialShape:
        text = text.strip()
        if text in ("...", "[...]"):  # "?" is one dynamic dimension, as in OpenVINO
            return PartialShape(None)
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        text = text.strip()
        if not text:
            return PartialShape([])
        return PartialShape([Dimension.parse(part) for part in text.split(",")])

    # --- queries ----------------------------------------------------------------------
    @property
    def rank(self) -> Dimension:
        return Dimension() if self._dims is None else Dimension(len(self._dims))

    def get_rank(self) -> Dimension:
        return self.rank

    @property
    def is_static(self):
        return flag(self._dims is not None and all(d.is_static for d in self._dims))

    @property
    def is_dynamic(self):
        return flag(not self.is_static)

    @property
    def rank_is_static(self):
        return flag(self._dims is not None)

    @property
    def all_non_negative(self):
        return flag(True)  # dimensions cannot be negative here

    def get_dimension(self, index) -> Dimension:
        return self[index]

    def to_shape(self) -> Shape:
        if not self.is_static:
            raise ValueError(f"shape {self} is not static and cannot be converted to a Shape")
        return Shape([d.get_length() for d in self._dims])

    def get_shape(self) -> Shape:
        return self.to_shape()

    def get_min_shape(self) -> Shape:
        if self._dims is None:
            raise ValueError("the rank is dynamic")
        return Shape([d.min_length for d in self._dims])

    def get_max_shape(self) -> Shape:
        if self._dims is None:
            raise ValueError("the rank is dynamic")
        return Shape([d.max_length if d.max_length != _INF else 2**63 - 1 for d in self._dims])

    def compatible(self, other) -> bool:
        other = PartialShape._coerce(other)
        if self._dims is None or other._dims is None:
            return True
        return len(self._dims) == len(other._dims) and all(
            a.compatible(b) for a, b in zip(self._dims, other._dims))

    def same_scheme(self, other) -> bool:
        other = PartialShape._coerce(other)
        if self._dims is None or other._dims is None:
            return self._dims is None and other._dims is None
        return len(self._dims) == len(other._dims) and all(
            a.same_scheme(b) for a, b in zip(self._dims, other._dims))

    def refines(self, other) -> bool:
        other = PartialShape._coerce(other)
        if other._dims is None:
            return True
        if self._dims is None or len(self._dims) != len(other._dims):
            return False
        return all(a.refines(b) for a, b in zip(self._dims, other._dims))

    def relaxes(self, other) -> bool:
        return PartialShape._coerce(other).refines(self)

    def merge(self, other) -> PartialShape | None:
        """The most specific shape compatible with both, or None where they conflict."""
        other = PartialShape._coerce(other)
        if self._dims is None:
            return PartialShape(other)
        if other._dims is None:
            return PartialShape(self)
        if len(self._dims) != len(other._dims):
            return None
        dims = [a.merge(b) for a, b in zip(self._dims, other._dims)]
        return None if any(d is None for d in dims) else PartialShape(dims)

    def merge_rank(self, rank) -> bool:
        rank = rank.get_length() if isinstance(rank, Dimension) else _as_int(rank, "a rank")
        if self._dims is None:
            self._dims = [Dimension() for _ in range(rank)]
            return True
        return len(self._dims) == rank

    @staticmethod
    def _coerce(value) -> PartialShape:
        return value if isinstance(value, PartialShape) else PartialShape(value)

    def to_list(self):
        """Dimensions as ints, with -1 for each dynamic dimension (rank must be static)."""
        if self._dims is None:
            raise ValueError("the rank is dynamic")
        return [d.get_length() if d.is_static else -1 for d in self._dims]

    # --- sequence protocol --------------------------------------------------------------
    def _require_rank(self):
        if self._dims is None:
            raise ValueError("the rank of this shape is dynamic: its dimensions cannot be indexed")
        return self._dims

    def __len__(self):
        return len(self._require_rank())

    def __iter__(self):
        return iter(self._require_rank())

    def __getitem__(self, index):
        dims = self._require_rank()
        if isinstance(index, slice):
            return PartialShape(dims[index])
        try:
            return dims[index]
        except IndexError:
            raise IndexError(f"dimension index {index} is out of range for shape {self} of rank "
                             f"{len(dims)}") from None
        except TypeError:
            raise TypeError(f"shape dimensions are indexed by int or slice, not "
                            f"{type(index).__name__} {index!r}") from None

    def __setitem__(self, index, value):
        self._require_rank()[index] = Dimension._coerce(value)

    def __eq__(self, other):
        if isinstance(other, (PartialShape, Shape, list, tuple)):
            other = PartialShape._coerce(other)
            return self._dims == other._dims
        return NotImplemented

    def __hash__(self):
        return hash(None if self._dims is None else tuple(self._dims))

    def __str__(self):
        if self._dims is None:
            return "[...]"
        return "[" + ",".join(str(d) for d in self._dims) + "]"

    def __repr__(self):
        return f"<PartialShape: {self}>"

    def to_string(self) -> str:
        return str(self)


class Shape(tuple):
    """A static shape: a tuple of non-negative ints, printed ``[1,3,224,224]``."""

    def __new__(cls, dims=()):
        if isinstance(dims, PartialShape):
            dims = dims.to_shape()
        elif isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
            raise TypeError(f"a static shape is a list of non-negative integers, got "
                            f"{type(dims).__name__} {dims!r}")
        values = []
        for d in dims:
            if isinstance(d, Dimension):
                d = d.get_length()
            d = _as_int(d, "shape dimension")
            if d < 0:
                raise ValueError(f"a static shape cannot have negative dimension {d}")
            values.append(d)
        return super().__new__(cls, values)

    def __eq__(self, other):
        if isinstance(other, list):  # OpenVINO's Shape equals the list of its dims
            other = tuple(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = tuple.__hash__

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Shape(item) if isinstance(index, slice) else item  # a slice is a Shape, as OpenVINO's

    def __str__(self):
        return "[" + ",".join(str(d) for d in self) + "]"

    def __repr__(self):
        return f"<Shape: {self}>"

    def to_string(self) -> str:
        return str(self)
