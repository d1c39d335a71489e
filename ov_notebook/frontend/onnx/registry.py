"""ONNX translator table: (domain, op type) -> translators by the opset version they appeared in.

``@onnx_op("Softmax", since=13)`` registers the translator used for models whose opset of the
op's domain is 13 or newer; an older model picks the newest registration not newer than its
opset, as ONNX operator versioning works.
"""
from __future__ import annotations

from ..._registry import Registry, import_submodules

__all__ = ["onnx_op", "find_onnx_translator", "registered_onnx_ops"]

# ("domain:op_type" or "op_type", since) -> translator; the modules in ``ops`` register themselves
_TRANSLATORS = Registry("ONNX translator", lambda: import_submodules(f"{__package__}.ops"),
                        versioned=True, key_text=lambda key: f"{key[0]} (opset {key[1]})")


def _name(domain: str, op_type: str) -> str:
    return f"{domain}:{op_type}" if domain else op_type


def onnx_op(*op_types, since=1, domain=""):
    """Register the decorated function for ``op_types`` from opset ``since`` on; duplicates raise."""
    return _TRANSLATORS.decorator(*[(_name(domain, op_type), since) for op_type in op_types])


def find_onnx_translator(op_type: str, opset: int, domain: str = ""):
    """The translator for ``op_type`` at ``opset``, or None."""
    domain = "" if domain in ("", "ai.onnx") else domain
    versions = _TRANSLATORS.versions(_name(domain, op_type))
    usable = [since for since in versions if since <= opset]
    return versions[max(usable)] if usable else None


def registered_onnx_ops() -> dict:
    """``{op_type: [since versions]}`` for the default domain (and ``domain:op`` for others)."""
    return {name: sorted(_TRANSLATORS.versions(name)) for name in _TRANSLATORS.names()}
