"""Builders for Softmax-8 and LogSoftmax-5."""
from __future__ import annotations

from ..ir.ops import softmax as spec
from ._base import as_node, builder


@builder
def softmax(data, axis, name=None) -> spec.Softmax:
    """Softmax-8 along ``axis`` (negative counts from the end)."""
    return spec.Softmax(as_node(data, "data"), axis=axis, name=name)


@builder
def log_softmax(data, axis, name=None) -> spec.LogSoftmax:
    """LogSoftmax-5 along ``axis`` (negative counts from the end)."""
    return spec.LogSoftmax(as_node(data, "data"), axis=axis, name=name)


@builder(older_version_of="softmax")
def _softmax_1(data, axis, name=None) -> spec.Softmax1:
    """Softmax-1 (``openvino.opset1.softmax``): a non-negative ``axis``."""
    return spec.Softmax1(as_node(data, "data"), axis=axis, name=name)
