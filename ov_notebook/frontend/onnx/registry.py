"""ONNX translator table: (domain, op type) -> translators by the opset version they appeared in.

``@onnx_op("Softmax", since=13)`` registers the translator used for models whose opset of the
op's domain is 13 or newer; an older model picks the newest registration not newer than its
opset, as ONNX operator versioning works.
"""
from __future__ import annotations

from ..._plugins import import_submodules

__all__ = ["onnx_op", "find_onnx_translator", "registered_onnx_ops"]

_TABLE: dict = {}  # (domain, op_type) -> {since: function}


def onnx_op(*op_types, since=1, domain=""):
    """Register the decorated function for ``op_types`` from opset ``since`` on; duplicates raise."""

    def register(function):
        for op_type in op_types:
            versions = _TABLE.setdefault((domain, op_type), {})
            if since in versions:
                raise ValueError(f"ONNX translator for {op_type} (opset {since}) registered twice")
            versions[since] = function
        return function

    return register


def find_onnx_translator(op_type: str, opset: int, domain: str = ""):
    """The translator for ``op_type`` at ``opset``, or None."""
    _load_all()
    domain = "" if domain in ("", "ai.onnx") else domain
    versions = _TABLE.get((domain, op_type))
    if not versions:
        return None
    usable = [since for since in versions if since <= opset]
    return versions[max(usable)] if usable else None


def registered_onnx_ops() -> dict:
    """``{op_type: [since versions]}`` for the default domain (and ``domain:op`` for others)."""
    _load_all()
    return {(f"{d}:{o}" if d else o): sorted(v) for (d, o), v in sorted(_TABLE.items())}


_loaded = False


def _load_all():
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import ops

    import_submodules(ops)
