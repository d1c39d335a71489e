"""Builders for the YUV 4:2:0 to RGB/BGR conversions (NV12toRGB-8 ... I420toBGR-8)."""
from __future__ import annotations

from ..ir.ops import color as spec
from ._base import as_node, builder


def _planes(*values):
    present = [(value, name) for value, name in values if value is not None]
    return [as_node(value, name) for value, name in present]


@builder
def nv12_to_rgb(arg, arg_uv=None, name=None) -> spec.NV12toRGB:
    """NV12toRGB-8: ``arg`` a single-plane NV12 image ``[N, H*3/2, W, 1]``, or the Y plane
    ``[N, H, W, 1]`` with ``arg_uv`` ``[N, H/2, W/2, 2]``; gives ``[N, H, W, 3]``."""
    return spec.NV12toRGB(*_planes((arg, "arg"), (arg_uv, "arg_uv")), name=name)


@builder
def nv12_to_bgr(arg, arg_uv=None, name=None) -> spec.NV12toBGR:
    """NV12toBGR-8: as nv12_to_rgb, channels in BGR order."""
    return spec.NV12toBGR(*_planes((arg, "arg"), (arg_uv, "arg_uv")), name=name)


@builder
def i420_to_rgb(arg, arg_u=None, arg_v=None, name=None) -> spec.I420toRGB:
    """I420toRGB-8: ``arg`` a single-plane I420 image ``[N, H*3/2, W, 1]``, or the Y plane with
    ``arg_u`` and ``arg_v`` ``[N, H/2, W/2, 1]``; gives ``[N, H, W, 3]``."""
    return spec.I420toRGB(*_planes((arg, "arg"), (arg_u, "arg_u"), (arg_v, "arg_v")), name=name)


@builder
def i420_to_bgr(arg, arg_u=None, arg_v=None, name=None) -> spec.I420toBGR:
    """I420toBGR-8: as i420_to_rgb, channels in BGR order."""
    return spec.I420toBGR(*_planes((arg, "arg"), (arg_u, "arg_u"), (arg_v, "arg_v")), name=name)
