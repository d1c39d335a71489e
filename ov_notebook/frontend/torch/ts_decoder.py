"""TorchScript graph (traced or scripted, frozen and inlined) -> DecodedGraph.

Structural ``prim::`` nodes are resolved here, so translators see the same arguments as from
FX: constants and ``ListConstruct``/``TupleConstruct`` become Python values and lists (tensors
in them as TensorRef), ``GetAttr`` chains become weight constants, ``If`` on a constant
condition is replaced by the branch taken, ``ListUnpack``/``TupleIndex`` of known lists pick
elements. Every other node becomes a DecodedNode; TorchScript passes keyword-only arguments
positionally, and they are moved to ``kwargs`` by schema name as FX has them.
"""
from __future__ import annotations

import re


from ..errors import ConversionError
from .decoded import DecodedGraph, DecodedItem
from .node_context import DecodedNode, TensorRef
from .ts_views import VIEWS, parse_schema, write_back_items

__all__ = ["decode_script_graph", "ModuleRef", "SCALAR_TYPE_CODES"]

# c10::ScalarType names (TensorType.scalarType()) -> dtype names and ScalarType numbers
_DTYPES = {"Float": "float32", "Double": "float64", "Half": "float16", "BFloat16": "bfloat16",
           "Long": "int64", "Int": "int32", "Short": "int16", "Char": "int8", "Byte": "uint8",
           "Bool": "bool"}
SCALAR_TYPE_CODES = {"Byte": 0, "Char": 1, "Short": 2, "Int": 3, "Long": 4, "Half": 5,
                     "Float": 6, "Double": 7, "Bool": 11, "BFloat16": 15}
_HIERARCHY = re.compile(r"([^.()]+)\(([^()]*)\)")  # "name(Type)" segments of a call hierarchy
_SKIPPED = {"prim::RaiseException", "aten::warn", "prim::Print", "prim::SetAttr"}
_UNPACKS = {"prim::ListUnpack", "prim::TupleUnpack"}


class ModuleRef:
    """A module reached through ``prim::GetAttr`` (not a tensor: its attributes are)."""

    __slots__ = ("module", "path")

    def __init__(self, module, path):
        self.module = module
        self.path = path


class _ScriptDecoder:
    def __init__(self, graph, module, module_prefix, module_types, name):
        self.graph = graph
        self.module = module
        self.prefix = module_prefix
        self.module_types = module_types
        self.decoded = DecodedGraph("torchscript", name)
        self.reps = {}  # Value.debugName() -> argument representation
        self._schemas = {}
        self.views = {}  # key of a view -> (TensorRef of its base, op, view args)
        self.loop_depth = 0  # inside a loop body, Python lists must not be appended to once

    # --- values ---------------------------------------------------------------------------------
    def rep(self, value):
        name = value.debugName()
        if name not in self.reps:
            raise ConversionError(f"TorchScript value %{name} is used before it is defined")
        return self.reps[name]

    def constant_tensor(self, key, tensor, label):
        self.decoded.constants[key] = tensor
        self.decoded.constant_names[key] = label
        return TensorRef(key)

    # --- nodes ----------------------------------------------------------------------------------
    def visit_block(self, block):
        for node in block.nodes():
            self.visit(node)

    def visit(self, node):
        kind = node.kind()
        outputs = list(node.outputs())
        handler = _HANDLERS.get(kind)
        if handler is not None and handler(self, node, outputs):
            return
        if kind in _SKIPPED:
            return
        self.emit(node, outputs)

    def set_outputs(self, outputs, reps):
        for value, rep in zip(outputs, reps):
            self.reps[value.debugName()] = rep

    def emit(self, node, outputs):
        kind = node.kind()
        names, defaults, kwarg_only = self.schema(node)
        args, kwargs = [], {}
        for index, value in enumerate(node.inputs()):
            rep = self.rep(value)
            if index < len(names) and names[index] in kwarg_only:
                kwargs[names[index]] = rep
            else:
                args.append(rep)
        keys = [o.debugName() for o in outputs]
        path = self.module_path(node)
        decoded = DecodedNode(kind, keys[0] if keys else kind, args, kwargs, names, defaults, path,
                              self.module_types.get(path, ""), [_meta(o) for o in outputs],
                              len(outputs))
        rebinds = None
        if kind.startswith("aten::") and kind.endswith("_") and not kind.endswith("__") and args \
                and isinstance(args[0], TensorRef):
            rebinds = args[0].key  # in-place: later readers of the input see the result
        self.decoded.items.append(DecodedItem(decoded, keys, rebinds))
        self.set_outputs(outputs, [TensorRef(k) for k in keys])
        if kind in VIEWS and args and isinstance(args[0], TensorRef) and keys:
            self.views[keys[0]] = (args[0], kind, args)
        if rebinds is not None and keys:
            self.decoded.items.extend(write_back_items(self.views, rebinds, TensorRef(keys[0]),
                                                       decoded))

    def schema(self, node):
        try:
            text = str(node.schema())
        except RuntimeError:
            text = "(no schema)"
        if text not in self._schemas:
            self._schemas[text] = parse_schema(text)
        return self._schemas[text]

    def module_path(self, node) -> str:
        """Traced nodes name their module in the scope (``__module.layer1/__module.layer1.0``);
        scripted ones in their call hierarchy (``layer1(Sequential).0(BasicBlock)``)."""
        scope = node.scopeName() or ""
        last = scope.split("/")[-1]
        path = last[len("__module."):] if last.startswith("__module.") else ""
        if not path and hasattr(node, "getModuleHierarchy"):
            path = ".".join(name for name, kind in _HIERARCHY.findall(node.getModuleHierarchy())
                            if name not in ("SELF", "UNKNOWN_INSTANCE"))  # methods, functions
        if self.prefix:
            if path == self.prefix:
                return ""
            if path.startswith(self.prefix + "."):
                return path[len(self.prefix) + 1:]
        return path


def _meta(value):
    """``(dtype name, shape)`` from a TorchScript value type, where the type knows them."""
    import torch

    kind = value.type()
    if isinstance(kind, torch.TensorType):
        dtype = _DTYPES.get(str(kind.scalarType())) if kind.scalarType() else None
        sizes = kind.varyingSizes()
        return dtype, (None if sizes is None else [s for s in sizes])
    if isinstance(kind, torch.IntType):
        return "int64", []
    if isinstance(kind, torch.FloatType):
        return "float32", []
    if isinstance(kind, torch.BoolType):
        return "bool", []
    return None


# --- structural handlers: return True when the node needs no DecodedNode ------------------------
def _constant(decoder, node, outputs):
    import torch

    value = outputs[0]
    if isinstance(value.type(), torch._C.NoneType) or not node.hasAttribute("value"):
        decoder.set_outputs(outputs, [None])
        return True
    ivalue = value.toIValue()
    if isinstance(ivalue, torch.Tensor):
        rep = decoder.constant_tensor(value.debugName(), ivalue, _constant_label(decoder, value))
    else:
        rep = _python(ivalue)
    decoder.set_outputs(outputs, [rep])
    return True


def _constant_label(decoder, value):
    name = value.debugName()
    for prefix in ("self.", f"{decoder.prefix}." if decoder.prefix else None):
        if prefix and name.startswith(prefix):
            name = name[len(prefix):]
    return name


def _python(value):
    import torch

    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_python(v) for v in value]
    return value


def _construct(decoder, node, outputs):
    reps = [decoder.rep(v) for v in node.inputs()]
    if node.kind() == "prim::DictConstruct":
        keys, values = reps[0::2], reps[1::2]
        decoder.set_outputs(outputs, [dict(zip(keys, values))])
    else:
        decoder.set_outputs(outputs, [reps])
    return True


def _get_attr(decoder, node, outputs):
    import torch

    owner = decoder.rep(node.inputsAt(0))
    if not isinstance(owner, ModuleRef):
        return False
    name = node.s("name")
    value = getattr(owner.module, name)
    path = f"{owner.path}.{name}" if owner.path else name
    if isinstance(value, torch.Tensor):
        rep = decoder.constant_tensor(f"attr:{path}", value, path)
    elif isinstance(value, torch.nn.Module):
        rep = ModuleRef(value, path)
    else:
        rep = _python(value)
    decoder.set_outputs(outputs, [rep])
    return True


def _if(decoder, node, outputs):
    condition = decoder.rep(node.inputsAt(0))
    blocks = list(node.blocks())
    raising = [any(n.kind() == "prim::RaiseException" for n in block.nodes()) for block in blocks]
    if raising.count(True) == 1 and not isinstance(condition, bool):
        condition = not raising[0]  # a valid input never takes the branch that raises
    if isinstance(condition, bool):
        block = blocks[0 if condition else 1]
        decoder.visit_block(block)
        decoder.set_outputs(outputs, [decoder.rep(v) for v in block.outputs()])
        return True
    # known only once converted (``x.dim() != 4``): both branches decoded, one translated
    branches, items = [], decoder.decoded.items
    for block in blocks:
        decoder.decoded.items = []
        decoder.visit_block(block)
        branches.append((decoder.decoded.items, [decoder.rep(v) for v in block.outputs()]))
    decoder.decoded.items = items
    keys = [o.debugName() for o in outputs]
    path = decoder.module_path(node)
    decoded = DecodedNode("prim::If", keys[0] if keys else "prim::If", [condition], {}, ["cond"],
                          {}, path, decoder.module_types.get(path, ""), [_meta(o) for o in outputs],
                          len(outputs))
    items.append(DecodedItem(decoded, keys, branches=tuple(branches)))
    decoder.set_outputs(outputs, [TensorRef(k) for k in keys])
    return True


def _loop(decoder, node, outputs):
    """``prim::Loop(max_trip_count, initial_condition, *carried)``: the body block is decoded
    once, apart; the converter unrolls it or builds a Loop-5 from it."""
    block = next(iter(node.blocks()))
    arguments = [decoder.rep(v) for v in node.inputs()]
    input_keys = [v.debugName() for v in block.inputs()]
    for key in input_keys:
        decoder.reps[key] = TensorRef(key)
    items, decoder.decoded.items = decoder.decoded.items, []
    decoder.loop_depth += 1
    try:
        decoder.visit_block(block)
    finally:
        decoder.loop_depth -= 1
        body, decoder.decoded.items = decoder.decoded.items, items
    body_outputs = [decoder.rep(v) for v in block.outputs()]
    keys = [o.debugName() for o in outputs]
    path = decoder.module_path(node)
    decoded = DecodedNode("prim::Loop", keys[0] if keys else "prim::Loop", arguments, {},
                          ["max_trip_count", "initial_condition"], {}, path,
                          decoder.module_types.get(path, ""), [_meta(o) for o in outputs],
                          len(outputs))
    items.append(DecodedItem(decoded, keys, loop=(body, input_keys, body_outputs)))
    decoder.set_outputs(outputs, [TensorRef(k) for k in keys])
    return True


def _unpack(decoder, node, outputs):
    source = decoder.rep(node.inputsAt(0))
    if not isinstance(source, list):
        return False
    if len(source) != len(outputs):
        raise ConversionError(f"{node.kind()} of {len(source)} elements into {len(outputs)} values")
    decoder.set_outputs(outputs, source)
    return True


def _index(decoder, node, outputs):
    source = decoder.rep(node.inputsAt(0))
    index = decoder.rep(node.inputsAt(1))
    if not isinstance(source, list) or not isinstance(index, int) or isinstance(index, bool):
        return False
    decoder.set_outputs(outputs, [source[index]])
    return True


def _identity(decoder, node, outputs):
    decoder.set_outputs(outputs, [decoder.rep(node.inputsAt(0))])
    return True


def _none_check(decoder, node, outputs):
    left, right = (decoder.rep(v) for v in node.inputs())
    if right is not None or isinstance(left, list):
        return False
    is_none = left is None
    decoder.set_outputs(outputs, [is_none if node.kind() == "aten::__is__" else not is_none])
    return True


def _not(decoder, node, outputs):
    value = decoder.rep(node.inputsAt(0))
    if not isinstance(value, bool):
        return False
    decoder.set_outputs(outputs, [not value])
    return True


def _dtype(decoder, node, outputs):
    import torch

    kind = node.inputsAt(0).type()
    if not isinstance(kind, torch.TensorType) or kind.scalarType() is None:
        return False
    decoder.set_outputs(outputs, [SCALAR_TYPE_CODES[str(kind.scalarType())]])
    return True


def _device(decoder, node, outputs):
    decoder.set_outputs(outputs, ["cpu"])
    return True


def _append(decoder, node, outputs):
    # scripted code builds lists with append: the list is a Python list shared by identity, so
    # appending to it is seen by every later reader
    source = decoder.rep(node.inputsAt(0))
    if not isinstance(source, list) or decoder.loop_depth:
        return False
    source.append(decoder.rep(node.inputsAt(1)))
    decoder.set_outputs(outputs, [source])
    return True


def _uninitialized(decoder, node, outputs):
    decoder.set_outputs(outputs, [None])
    return True


_HANDLERS = {
    "prim::Constant": _constant, "prim::ListConstruct": _construct,
    "prim::TupleConstruct": _construct, "prim::DictConstruct": _construct,
    "prim::GetAttr": _get_attr, "prim::If": _if, "prim::Loop": _loop, "prim::ListUnpack": _unpack,
    "prim::TupleUnpack": _unpack, "prim::TupleIndex": _index, "aten::__getitem__": _index,
    "prim::unchecked_cast": _identity, "aten::__is__": _none_check, "aten::__isnot__": _none_check,
    "aten::__not__": _not, "prim::dtype": _dtype, "prim::device": _device,
    "prim::Uninitialized": _uninitialized, "aten::append": _append,
}


# --- the graph ------------------------------------------------------------------------------------
def decode_script_graph(graph, module=None, input_tree=None, output_tree=None, module_prefix="",
                        module_types=None, name="", example=None) -> DecodedGraph:
    """Decode a frozen/inlined TorchScript graph.

    ``input_tree``/``output_tree``: the flat structure the graph was traced with (a wrapper
    taking and returning flat tensors); when None they are read from the graph's types
    (scripting), with ``example`` (``(args, kwargs)`` of torch values) giving shapes, element
    types and which Optional arguments are passed. ``module_prefix``: the wrapper's attribute
    holding the user model, stripped from scope names.
    """
    from .ts_signature import graph_inputs, graph_outputs

    decoder = _ScriptDecoder(graph, module, module_prefix, module_types or {}, name)
    inputs = list(graph.inputs())
    if inputs and _is_module_type(inputs[0]):
        decoder.reps[inputs[0].debugName()] = ModuleRef(module, "")
        inputs = inputs[1:]
    decoder.decoded.input_tree = graph_inputs(decoder, inputs, input_tree, example)
    decoder.visit_block(graph)
    returned = [decoder.rep(v) for v in graph.outputs()]
    graph_outputs(decoder.decoded, returned[0] if len(returned) == 1 else returned, output_tree)
    return decoder.decoded


def _is_module_type(value) -> bool:
    import torch

    return isinstance(value.type(), torch.ClassType)
