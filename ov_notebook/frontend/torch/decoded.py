"""What a decoder hands to the converter: graph inputs, constants, decoded nodes and outputs.

Both decoders (``fx_decoder`` for ExportedPrograms, ``ts_decoder`` for TorchScript) produce a
:class:`DecodedGraph`, so the converter never looks at torch graphs. Values are referred to by
keys (TensorRef); weights stay torch tensors until the converter makes Constants of them.
"""
from __future__ import annotations

import re

import numpy as np

from ...ir.shape import Dimension, PartialShape
from ...ir.types import Type
from ..errors import ConversionError

__all__ = ["GraphInput", "DecodedItem", "DecodedGraph", "torch_type", "dtype_name",
           "tensor_to_array", "module_type_name", "clean_module_path"]


class GraphInput:
    """A flat model input: ``key`` in the value map, its leaf ``index`` in the input tree, and the
    element type and shape the source recorded (shape None when unknown)."""

    __slots__ = ("key", "index", "element_type", "shape")

    def __init__(self, key, index, element_type=None, shape=None):
        self.key = key
        self.index = index
        self.element_type = element_type
        self.shape = shape


class DecodedItem:
    """A DecodedNode with the keys its outputs are stored under.

    One key: the translator's whole result is stored under it (a list for multi-output ops, as FX
    ``getitem`` nodes expect). Several keys: the result is split across them (TorchScript nodes
    with several outputs). ``rebinds``: the key of an input the op mutated in place (TorchScript
    ``aten::add_``); later readers of that key see the result. ``branches``: for a TorchScript
    ``prim::If`` whose condition is only known once converted, ``((items, outputs), (items,
    outputs))`` of the then/else blocks; the converter translates the branch taken, or both
    into an If when the condition is only known at run time. ``loop``: for a TorchScript
    ``prim::Loop``, ``(items, input keys, outputs)`` of its body block (input keys: the iteration
    number, then the loop-carried values; outputs: the condition to go on, then their next values).
    """

    __slots__ = ("node", "output_keys", "rebinds", "branches", "loop")

    def __init__(self, node, output_keys, rebinds=None, branches=None, loop=None):
        self.node = node
        self.output_keys = list(output_keys)
        self.rebinds = rebinds
        self.branches = branches
        self.loop = loop


class DecodedGraph:
    """A decoded source graph.

    ``inputs``: GraphInputs in flat order; ``constants``: key -> torch tensor or Python value;
    ``constant_names``: key -> a readable name (``layer1.0.conv1.weight``); ``items``:
    DecodedItems in execution order; ``outputs``: per flat output, a TensorRef or a Python value;
    ``input_tree``/``output_tree``: structure trees (``ov_notebook.ir.structure``).
    """

    def __init__(self, route, name=""):
        self.route = route
        self.name = name
        self.inputs = []
        self.constants = {}
        self.constant_names = {}
        self.items = []
        self.outputs = []
        self.input_tree = None
        self.output_tree = None
        self.module_types = {}


# --- torch values -----------------------------------------------------------------------------
def dtype_name(dtype) -> str:
    """``torch.float32`` -> ``"float32"`` (the spelling DecodedNode args use)."""
    return str(dtype).replace("torch.", "")


_TYPES = {
    "float32": Type.f32, "float64": Type.f64, "float16": Type.f16, "bfloat16": Type.bf16,
    "int64": Type.i64, "int32": Type.i32, "int16": Type.i16, "int8": Type.i8, "uint8": Type.u8,
    "uint16": Type.u16, "uint32": Type.u32, "uint64": Type.u64, "bool": Type.boolean,
}


def torch_type(dtype) -> Type:
    """The element type of a torch dtype; a clear error for dtypes without one."""
    name = dtype_name(dtype)
    if name not in _TYPES:
        raise ConversionError(f"tensors of dtype {name} are not supported (supported: "
                              f"{', '.join(_TYPES)})")
    return _TYPES[name]


def tensor_to_array(tensor, share: bool):
    """``(numpy array, element type)`` of a torch tensor: a view of its memory when ``share``
    (no copy; contiguous tensors only, others are made contiguous first), else a copy."""
    import torch

    if getattr(tensor, "is_quantized", False):
        raise ConversionError("quantized torch tensors are not supported; dequantize the model")
    if tensor.device.type == "meta" or type(tensor).__name__ == "FakeTensor":
        raise ConversionError("a weight has no data (meta or fake tensor); load the weights "
                              "before converting")
    element_type = torch_type(tensor.dtype)
    tensor = tensor.detach()
    if tensor.device.type != "cpu":
        tensor = tensor.cpu()
    if not tensor.is_contiguous():
        tensor = tensor.contiguous()
    if tensor.is_conj() or tensor.is_neg():
        tensor = tensor.resolve_conj().resolve_neg()
    if tensor.dtype == torch.bfloat16:  # numpy has no bf16: keep the raw bits
        array = tensor.view(torch.int16).numpy().view(np.uint16)
    else:
        array = tensor.numpy()
    return (array if share else array.copy()), element_type


def partial_shape(dims) -> PartialShape:
    """A PartialShape from a list of ints, Dimensions or None (dynamic)."""
    return PartialShape([Dimension() if d is None else d for d in dims])


# --- module paths -------------------------------------------------------------------------------
_CALL_SUFFIX = re.compile(r"@\d+$")


def clean_module_path(path: str) -> str:
    """``L['self'].layer1.0`` / ``L__self___layer1`` / ``layer1@1`` -> ``layer1.0`` style."""
    path = _CALL_SUFFIX.sub("", path or "")
    for prefix in ("L['self'].", "L['self']", "self."):
        if path.startswith(prefix):
            path = path[len(prefix):]
    return "" if path == "self" else path


def module_type_name(value) -> str:
    """``torch.nn.modules.conv.Conv2d`` (a class or its qualified name) -> ``Conv2d``."""
    if isinstance(value, type):
        return value.__name__
    return str(value).rsplit(".", 1)[-1]
