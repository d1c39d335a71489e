"""``ov_notebook.layout_helpers``, as ``openvino.layout_helpers``: where a layout puts the batch,
channels, depth, height and width, and the layout of a port."""
from __future__ import annotations

from .layout import Layout, LayoutError, get_layout, set_layout

__all__ = ["batch_idx", "channels_idx", "depth_idx", "height_idx", "width_idx", "has_batch",
           "has_channels", "has_depth", "has_height", "has_width", "get_layout", "set_layout"]


def _index(layout: Layout, name: str) -> int:
    if not isinstance(layout, Layout):
        raise TypeError(f"expected a Layout, got {type(layout).__name__} {layout!r}")
    if not layout.has_name(name):
        raise LayoutError(f"{name} dimension index is not defined in layout {layout}")
    return layout.get_index_by_name(name)


def batch_idx(layout) -> int:
    return _index(layout, "N")


def channels_idx(layout) -> int:
    return _index(layout, "C")


def depth_idx(layout) -> int:
    return _index(layout, "D")


def height_idx(layout) -> int:
    return _index(layout, "H")


def width_idx(layout) -> int:
    return _index(layout, "W")


def has_batch(layout) -> bool:
    return layout.has_name("N")


def has_channels(layout) -> bool:
    return layout.has_name("C")


def has_depth(layout) -> bool:
    return layout.has_name("D")


def has_height(layout) -> bool:
    return layout.has_name("H")


def has_width(layout) -> bool:
    return layout.has_name("W")
