"""The layout algebra preprocessing needs (OpenVINO's ``layout::utils``): dimension lookup by
name with the rank known, and the permutations, squeezes and unsqueezes between two layouts.
Layouts are read by ``ov_notebook.Layout`` (``"NCHW"``, ``"NC..."``, ``"[N,C,?,W]"``); names after
``...`` count from the end (negative indices) and ``?`` is a dimension without a name, as in
OpenVINO's ``src/core/src/layout.cpp``.
"""
from __future__ import annotations

from .errors import PreprocessError

class LayoutSpec:
    """A parsed layout: ``index_of`` maps names to indices (negative after ``...``), ``left`` and
    ``right`` count the dimensions before and after ``...``; ``dynamic`` says there is a ``...``.
    The empty layout (``LayoutSpec.parse(None)``) is ``...`` with no names."""

    def __init__(self, names=None, left=0, right=0, dynamic=True):
        self.index_of = dict(names or {})
        self.left = left
        self.right = right
        self.dynamic = dynamic

    @property
    def name_at(self) -> dict:
        return {index: name for name, index in self.index_of.items()}

    # --- reading ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, value) -> LayoutSpec:
        """From a ``Layout`` (ours or OpenVINO's), a layout string, or None (the empty layout);
        strings are read by ``ov_notebook.Layout``, whose canonical ``[N,C,...]`` text this
        reads back."""
        if isinstance(value, LayoutSpec):
            return value
        if value is None:
            return cls()
        if isinstance(value, str):
            from ..ir.layout import Layout

            try:
                value = Layout(value)
            except (ValueError, RuntimeError) as error:
                raise PreprocessError(str(error)) from None
        to_string = getattr(value, "to_string", None)
        if to_string is None:
            raise PreprocessError(f"a layout must be a Layout or a string such as 'NCHW', got "
                                  f"{type(value).__name__} {value!r}")
        text = to_string().strip()
        if not (text.startswith("[") and text.endswith("]")):
            raise PreprocessError(f"unexpected layout text {text!r}")
        items = [item.strip() for item in text[1:-1].split(",")] if text[1:-1].strip() else []
        if items == ["..."] or not items:
            return cls()
        return cls._from_items(items)

    @classmethod
    def _from_items(cls, items) -> LayoutSpec:
        spec = cls(dynamic="..." in items)
        before = items[:items.index("...")] if spec.dynamic else items
        after = items[items.index("...") + 1:] if spec.dynamic else []
        spec.left, spec.right = len(before), len(after)
        for index, item in list(enumerate(before)) + [(i - len(after), x) for i, x in enumerate(after)]:
            if item != "?":
                spec.index_of[item] = index
        return spec

    # --- questions ---------------------------------------------------------------------------
    def empty(self) -> bool:
        return self.dynamic and not self.index_of and self.left == 0 and self.right == 0

    def has(self, name) -> bool:
        return name in self.index_of

    def index(self, name, rank=None, what=None) -> int:
        """The index of ``name``; with ``rank``, made non-negative and checked against it."""
        if name not in self.index_of:
            raise PreprocessError(f"Layout {self.to_string()} doesn't have `{what or name}` dimension")
        index = self.index_of[name]
        if rank is not None:
            if index < 0:
                index += rank
            if not 0 <= index < rank:
                raise PreprocessError(f"{(what or name).capitalize()} dimension is out of bounds "
                                      f"{index}")
        return index

    def to_string(self) -> str:
        name_at = self.name_at
        parts = [name_at.get(i, "?") for i in range(self.left)]
        if self.dynamic:
            parts.append("...")
            parts += [name_at.get(i, "?") for i in range(-self.right, 0)]
        return "[" + ",".join(parts) + "]"

    def __eq__(self, other):
        if not isinstance(other, LayoutSpec):
            return NotImplemented
        return (self.index_of, self.left, self.right, self.dynamic) == \
            (other.index_of, other.left, other.right, other.dynamic)

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return f"LayoutSpec({self.to_string()})"

    def compatible_with_rank(self, rank) -> bool:
        """OpenVINO's ``is_compatible``: a rank (None when dynamic) this layout can describe."""
        if rank is None:
            return True
        low = self.left + self.right
        return rank >= low if self.dynamic else rank == low

    def to_static(self, rank) -> LayoutSpec:
        """The layout written out for ``rank`` dimensions (no ``...``, no negative indices)."""
        if not self.dynamic:
            return self
        if rank is None:
            raise PreprocessError("Conversion is not supported for dynamic layouts with fully "
                                  "dynamic shapes")
        names = {name: (index + rank if index < 0 else index)
                 for name, index in self.index_of.items()}
        return LayoutSpec(names, rank, 0, dynamic=False)


def apply_permutation(layout: LayoutSpec, dims) -> LayoutSpec:
    """The layout of ``Transpose(x, dims)`` when ``x`` has ``layout``."""
    dims = [int(d) for d in dims]
    used = [False] * len(dims)
    for dim in dims:
        if not 0 <= dim < len(dims):
            raise PreprocessError(f"Convert layout: dimension {dim} is out of bounds")
        if used[dim]:
            raise PreprocessError(f"Convert layout: dimension {dim} is used more than once in "
                                  "convert arguments")
        used[dim] = True
    if layout.empty():
        return layout
    if layout.dynamic:
        raise PreprocessError(f"Layout conversion by indexes is not supported for dynamic layout: "
                              f"{layout.to_string()}")
    name_at = layout.name_at
    names = {name_at[dim]: i for i, dim in enumerate(dims) if dim in name_at}
    return LayoutSpec(names, layout.left, 0, dynamic=False)


def find_permutation(src: LayoutSpec, rank, dst: LayoutSpec) -> list:
    """The Transpose order taking ``src`` to ``dst`` (empty when none is needed)."""
    if src == dst or src.empty() or dst.empty():
        return []
    src_static, dst_static = src.to_static(rank), dst.to_static(rank)
    if src_static.left != dst_static.left:
        raise PreprocessError(f"Conversion is not supported for layouts with different sizes, "
                              f"{src.to_string()} <-> {dst.to_string()}")
    if rank is not None and src_static.left != rank:
        raise PreprocessError(f"Conversion layout {src.to_string()} <-> {dst.to_string()} failure. "
                              f"Layout is not consistent with input shape rank {rank}")
    size = src_static.left
    result = [-1] * size
    if len(src_static.index_of) > len(dst_static.index_of):
        inverted = find_permutation(dst_static, rank, src_static)
        if not inverted:
            return []
        for i, value in enumerate(inverted):
            result[value] = i
        return _unless_trivial(result)
    mapped = [False] * size
    for name, index in src_static.index_of.items():
        if not dst.has(name):
            raise PreprocessError(f"Dimension name '{name}' is not found in layout: "
                                  f"{dst_static.to_string()}")
        result[dst_static.index_of[name]] = index
        mapped[index] = True
    free = (i for i in range(size) if not mapped[i])
    for i in range(size):
        if result[i] < 0:
            result[i] = next(free)
    return _unless_trivial(result)


def _unless_trivial(order):
    return [] if order == list(range(len(order))) else order


def find_squeeze(src: LayoutSpec, shape, dst: LayoutSpec):
    """Model layout ``src`` (e.g. NCHW) with more dimensions than tensor layout ``dst`` (HWC):
    the shape and layout of ``src`` without the dimensions ``dst`` lacks (CHW)."""
    if src.dynamic or dst.dynamic or src.left <= dst.left:
        return shape, src
    if src.left != len(src.index_of):
        raise PreprocessError(f"Layout conversion {dst.to_string()} <-> {src.to_string()} is not "
                              f"supported. Please use fully specified model layout, current is "
                              f"{src.to_string()}")
    if dst.left != len(dst.index_of):
        raise PreprocessError(f"Layout conversion {dst.to_string()} <-> {src.to_string()} is not "
                              f"supported. Please use fully specified tensor layout, current is "
                              f"{dst.to_string()}")
    rank = None if shape is None else len(shape)
    if rank is not None and rank != src.left:
        raise PreprocessError(f"Model input layout {src.to_string()} is inconsistent with input "
                              f"shape of rank {rank}")
    dims, names = [], {}
    name_at = src.name_at
    for index in range(src.left):
        name = name_at[index]
        if dst.has(name):
            names[name] = len(dims)
            dims.append(None if shape is None else shape[index])
    if len(dims) != dst.left:
        missing = [n for n in dst.index_of if n not in names]
        raise PreprocessError(f"Layout conversion failed. Tensor layout {dst.to_string()} has "
                              f"dimensions missing in model layout {src.to_string()}. Missing "
                              f"dimensions are {missing}")
    return (None if shape is None else dims), LayoutSpec(names, dst.left, 0, dynamic=False)


def find_unsqueeze(src: LayoutSpec, shape, dst: LayoutSpec):
    """Tensor layout ``src`` (HWC) with fewer dimensions than ``dst`` (NCDHW): the shape and layout
    after putting the missing dimensions (size 1) in front, and how many were added."""
    if src.dynamic or dst.dynamic or src.left >= dst.left:
        return shape, src, 0
    added = dst.left - src.left
    dims = None if shape is None else [1] * dst.left
    names, unset = {}, 0
    dst_name_at = dst.name_at
    for i in range(dst.left):
        name = dst_name_at.get(i)
        if name is None:
            raise PreprocessError(f"Layout conversion {src.to_string()} -> {dst.to_string()} is not "
                                  "supported. Please use a fully specified layout")
        if src.has(name):
            src_index = src.index_of[name]
            names[name] = src_index + added
            if dims is not None:
                dims[src_index + added] = shape[src_index]
        else:
            names[name] = unset
            unset += 1
    return dims, LayoutSpec(names, dst.left, 0, dynamic=False), added
