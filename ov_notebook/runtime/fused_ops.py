"""Runtime-internal fused operations: an anchor op (a convolution or MatMul) plus an epilogue.

``FusedConvolution``, ``FusedGroupConvolution`` and ``FusedMatMul`` are subclasses of the anchor's
IR specification (same attributes, same shape inference) that take extra inputs for the epilogue
and an attribute ``post_ops``: ``;``-separated steps applied in order to the anchor's output, in
place, before any other op sees it:

    add        y += next extra input      (bias, residual, attention mask: anything that
    sub        y -= next extra input       broadcasts into y without growing it)
    mul        y *= next extra input
    Relu  Sigmoid  Tanh  HSwish  HSigmoid  Clamp:<min>:<max>  Swish:<beta>  Gelu:<ERF|TANH>

They exist only in the graph a CompiledModel executes (``get_runtime_model()``): they are not in
the IR op registry, so nothing can be saved or read with them.
"""
from __future__ import annotations

from ..ir.node import Attr, get_op_class

__all__ = ["fused_op_class", "is_fused", "INPUT_STEPS"]

INPUT_STEPS = ("add", "sub", "mul")  # epilogue steps that read the next extra input
_CLASSES: dict = {}


def fused_op_class(anchor_type: str):
    """The fused op class of ``anchor_type`` (made once, on first use)."""
    cls = _CLASSES.get(anchor_type)
    if cls is None:
        anchor = get_op_class(anchor_type)
        required = tuple(s for s in anchor.inputs_spec if not s.endswith(("?", "*")))
        cls = type(f"Fused{anchor_type}", (anchor,), {
            "type_name": f"Fused{anchor_type}",
            "xml_type": None,
            "anchor_type": anchor_type,
            "anchor_inputs": len(required),
            "inputs_spec": required + ("epilogue_inputs*",),
            "attrs": tuple(anchor.attrs) + (Attr("post_ops", "str", ""),),
            "__module__": __name__,
            "__doc__": f"{anchor_type} followed by an in-place epilogue (runtime-internal).",
        })
        _CLASSES[anchor_type] = cls
    return cls


def is_fused(node) -> bool:
    return type(node) in _CLASSES.values()
