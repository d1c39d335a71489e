"""ExportedProgram (torch.export, FX) -> DecodedGraph.

Placeholders are the lifted parameters, buffers and constants (from the graph signature) and
the user inputs (in the pytree order of ``call_spec.in_spec``); ``call_function`` nodes become
DecodedNodes with their aten schema; the output node's user outputs follow ``out_spec``.
"""
from __future__ import annotations

import numbers

from ...ir import structure
from ...ir.shape import Dimension
from ..errors import ConversionError
from .registry import find_translator
from .decoded import (DecodedGraph, DecodedItem, GraphInput, clean_module_path, dtype_name,
                      module_type_name, partial_shape, torch_type)
from .node_context import DecodedNode, TensorRef

__all__ = ["decompose", "decode_exported_program"]


def decompose(program):
    """``program`` lowered to core ATen, except ops that have a translator of their own
    (``linear``, ``layer_norm``, ``scaled_dot_product_attention``, ...): one IR op translated
    from the high-level op beats the dozen a decomposition leaves behind."""
    import torch

    if not _needs_decomposition(program):
        return program  # decomposing would keep every op anyway; it costs a second trace
    table = torch.export.default_decompositions()
    for op in list(table.keys()):
        if find_translator(str(op)) is not None:
            table.pop(op)
    return program.run_decompositions(table)


def _needs_decomposition(program) -> bool:
    """Whether some op has no translator, mutates its inputs, or the program mutates buffers or
    inputs: then functionalization and decomposition are needed."""
    signature = program.graph_signature
    if getattr(signature, "buffers_to_mutate", None) or getattr(signature,
                                                                "user_inputs_to_mutate", None):
        return True
    for node in program.graph.nodes:
        if node.op != "call_function":
            continue
        schema = getattr(node.target, "_schema", None)
        if schema is not None and schema.is_mutable and _inplace_argument(node) is None \
                and not _eval_dropout(node):
            return True
        if find_translator(op_name(node.target)) is None:
            return True
    return False


def _eval_dropout(node) -> bool:
    """``dropout_(x, p, train=False)``: writes nothing, even when ``x`` is a view (EfficientNet's
    classifier drops out in place on a flatten)."""
    if not str(node.target).startswith(("aten.dropout_.", "aten.feature_dropout_.",
                                        "aten.alpha_dropout_.", "aten.feature_alpha_dropout_.")):
        return False
    train = node.args[2] if len(node.args) > 2 else node.kwargs.get("train", True)
    return train is False


def _aliases(node) -> bool:
    """Whether ``node``'s output may share memory with an input (a view op)."""
    schema = getattr(node.target, "_schema", None)
    return schema is not None and any(r.alias_info is not None for r in schema.returns)


def _inplace_argument(node):
    """For an in-place op (``aten.relu_``) that only writes its first argument, a tensor no view
    shares: that argument's node (the converter rebinds it to the op's result); else None."""
    schema = getattr(node.target, "_schema", None)
    written = [a for a in schema.arguments if a.alias_info is not None and a.alias_info.is_write]
    if len(written) != 1 or written[0].name != schema.arguments[0].name or not node.args:
        return None
    target = node.args[0]
    if not hasattr(target, "op") or target.op != "call_function":
        return None
    if _aliases(target) and _inplace_target(target) is None:  # x.add_(y).relu_() is a chain
        return None
    if any(user is not node and user.op == "call_function" and _aliases(user)
           for user in target.users):
        return None
    return target


def decode_exported_program(program, names=None, name="") -> DecodedGraph:
    """Decode a (decomposed) ExportedProgram. ``names``: forward's argument names, when known
    better than the program's ``forward_arg_names``."""
    graph = DecodedGraph("export", name)
    signature = program.graph_signature
    kinds = {spec.arg.name: spec for spec in signature.input_specs if hasattr(spec.arg, "name")}
    ranges = dict(program.range_constraints)
    user_values = []
    for node in program.graph.nodes:
        if node.op == "placeholder":
            _placeholder(graph, program, node, kinds.get(node.name), ranges, user_values)
        elif node.op == "call_function":
            decoded = _decoded_node(node, graph)
            graph.items.append(DecodedItem(decoded, [node.name], rebinds=_rebinds(node)))
            graph.items.extend(_chain_write_backs(node, decoded))
        elif node.op == "get_attr":
            graph.constants[node.name] = _fetch_attr(program.graph_module, node.target)
            graph.constant_names[node.name] = str(node.target)
        elif node.op == "output":
            outputs = _user_outputs(node, signature)
    in_spec, out_spec = program.call_spec.in_spec, program.call_spec.out_spec
    graph.input_tree = _input_tree(in_spec, user_values, names or _forward_arg_names(program))
    graph.output_tree, graph.outputs = _output_tree(out_spec, outputs, graph)
    return graph


# --- placeholders ---------------------------------------------------------------------------
def _placeholder(graph, program, node, spec, ranges, user_values):
    kind = getattr(getattr(spec, "kind", None), "name", "USER_INPUT")
    if kind in ("PARAMETER", "BUFFER", "CONSTANT_TENSOR"):
        target = spec.target
        value = program.state_dict.get(target)
        if value is None:
            value = program.constants.get(target)
        if value is None:
            raise ConversionError(f"the ExportedProgram has no value for {kind.lower()} {target}")
        graph.constants[node.name] = value
        graph.constant_names[node.name] = target
        return
    if kind != "USER_INPUT":
        raise ConversionError(f"ExportedProgram input {node.name} of kind {kind} is not supported")
    value = node.meta.get("val")
    user_values.append(value)
    if _is_tensor(value):
        shape = [_dimension(d, ranges) for d in value.shape]
        graph.inputs.append(GraphInput(node.name, len(graph.inputs), torch_type(value.dtype),
                                       partial_shape(shape)))
    elif _is_symbolic(value):
        from ...ir.types import Type

        graph.inputs.append(GraphInput(node.name, len(graph.inputs), Type.i64, partial_shape([])))
    else:
        graph.constants[node.name] = value  # specialized by torch.export: a Python value


def _is_tensor(value) -> bool:
    import torch

    return isinstance(value, torch.Tensor)


def _is_symbolic(value) -> bool:
    import torch

    return isinstance(value, (torch.SymInt, torch.SymFloat, torch.SymBool))


def _dimension(size, ranges):
    """A Dimension for a static size or a SymInt bounded by the program's range constraints."""
    if isinstance(size, numbers.Integral):
        return Dimension(int(size))
    expr = size.node.expr
    if expr.is_number:
        return Dimension(int(expr))
    bounds = ranges.get(expr)
    if bounds is None:
        return Dimension()
    from torch.utils._sympy.numbers import int_oo

    upper = -1 if bounds.upper == int_oo else int(bounds.upper)
    lower = int(bounds.lower)
    if upper == -1 and lower <= 2:  # torch's default range [2, oo): nothing the user asked for
        return Dimension()
    return Dimension(lower, upper)


def _fetch_attr(module, target):
    value = module
    for atom in str(target).split("."):
        value = getattr(value, atom)
    return value


def _forward_arg_names(program):
    try:
        return list(program.module_call_graph[0].signature.forward_arg_names or [])
    except (AttributeError, IndexError):
        return []


# --- nodes --------------------------------------------------------------------------------------
def op_name(target) -> str:
    """``aten.add.Tensor`` for OpOverloads, ``operator.getitem``/``torch.sym_float`` for Python
    functions, ``higher_order.cond`` for higher-order ops."""
    if hasattr(target, "_schema") or hasattr(target, "_qualified_op_name"):
        return str(target)
    if type(target).__name__ == "HigherOrderOperator" or hasattr(target, "_ns"):
        return f"higher_order.{getattr(target, 'name', lambda: str(target))()}"
    module = getattr(target, "__module__", None) or "builtins"
    module = {"_operator": "operator", "torch.fx.experimental.sym_node": "torch"}.get(module,
                                                                                      module)
    return f"{module}.{getattr(target, '__name__', str(target))}"


def _inplace_target(node):
    """The node an in-place ``node`` writes (see _inplace_argument), or None."""
    schema = getattr(node.target, "_schema", None)
    if schema is None or not schema.is_mutable:
        return None
    return _inplace_argument(node)


def _rebinds(node):
    target = _inplace_target(node)
    return None if target is None else target.name


def _chain_write_backs(node, decoded):
    """``x.add_(y).relu_()``: relu_ rebinds add_'s result, and ``x`` must read relu_'s result
    too: one alias write per earlier tensor of the chain. (Without chains, ResNet's
    ``out += identity; relu_(out)`` needed run_decompositions: two thirds of its conversion.)"""
    items, target = [], _inplace_target(node)
    while target is not None and (target := _inplace_target(target)) is not None:
        key = f"{node.name}.{target.name}.alias"
        alias = DecodedNode("prim::alias_write", key, [TensorRef(node.name)], {}, ["self"], {},
                            decoded.module_path, decoded.module_type, None, 1)
        items.append(DecodedItem(alias, [key], rebinds=target.name))
    return items


def _schema(target):
    schema = getattr(target, "_schema", None)
    if schema is None:
        return [], {}
    names = [a.name for a in schema.arguments]
    defaults = {a.name: _plain(a.default_value) for a in schema.arguments if a.has_default_value()}
    return names, defaults


def _decoded_node(node, graph) -> DecodedNode:
    names, defaults = _schema(node.target)
    stack = node.meta.get("nn_module_stack") or {}
    module_path, module_type = "", ""
    if stack:
        module_path, module_type = list(stack.values())[-1]
        module_path, module_type = clean_module_path(module_path), module_type_name(module_type)
    value = node.meta.get("val")
    meta = [_meta(v) for v in value] if isinstance(value, (list, tuple)) else [_meta(value)]
    return DecodedNode(op_name(node.target), node.name,
                       [_argument(a, graph) for a in node.args],
                       {k: _argument(v, graph) for k, v in node.kwargs.items()},
                       names, defaults, module_path, module_type, meta,
                       len(value) if isinstance(value, (list, tuple)) else 1)


def _meta(value):
    """``(dtype name, shape)`` of a FakeTensor/SymInt, shape entries None where symbolic."""
    if _is_tensor(value):
        shape = [int(d) if isinstance(d, numbers.Integral) else None for d in value.shape]
        return dtype_name(value.dtype), shape
    if _is_symbolic(value) or isinstance(value, (int, float, bool)):
        kind = type(value).__name__.replace("Sym", "").lower()
        return {"int": "int64", "float": "float32", "bool": "bool"}.get(kind), []
    return None


def _argument(value, graph):
    """An FX argument in the DecodedNode convention: nodes as TensorRef, dtypes as names."""
    import torch

    if isinstance(value, torch.fx.Node):
        return TensorRef(value.name)
    if isinstance(value, (list, tuple)):
        return [_argument(v, graph) for v in value]
    if isinstance(value, dict):
        return {k: _argument(v, graph) for k, v in value.items()}
    if isinstance(value, torch.Tensor):  # a tensor literal in the arguments: make it a constant
        key = f"_literal_{len(graph.constants)}"
        graph.constants[key] = value
        return TensorRef(key)
    return _plain(value)


def _plain(value):
    import torch

    if isinstance(value, torch.dtype):
        return dtype_name(value)
    if isinstance(value, (torch.device, torch.memory_format, torch.layout)):
        return str(value).replace("torch.", "")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- outputs and trees ------------------------------------------------------------------------
def _user_outputs(node, signature):
    values = list(node.args[0]) if isinstance(node.args[0], (list, tuple)) else [node.args[0]]
    kinds = [getattr(spec.kind, "name", "USER_OUTPUT") for spec in signature.output_specs]
    return [v for v, kind in zip(values, kinds) if kind == "USER_OUTPUT"]


def _input_tree(in_spec, user_values, names):
    """The call tree of the program's inputs: ``in_spec`` is ``(args, kwargs)``."""
    values = iter(user_values)
    counter = [0]

    def make_leaf(value):
        if _is_tensor(value) or _is_symbolic(value):
            counter[0] += 1
            return structure.leaf(counter[0] - 1)
        return structure.none() if value is None else structure.const(value)

    args_spec, kwargs_spec = _children(in_spec)
    items, call_names, positions = [], [], []
    for index, child in enumerate(_children(args_spec)):
        items.append(_spec_tree(child, lambda: make_leaf(next(values))))
        call_names.append(names[index] if index < len(names) else f"args.{index}")
        positions.append(index)
    for key, child in zip(kwargs_spec.context, _children(kwargs_spec)):
        items.append(_spec_tree(child, lambda: make_leaf(next(values))))
        call_names.append(str(key))
        positions.append(names.index(key) if key in names else None)
    return structure.call(call_names, items, positions)


def _children(spec):
    children = getattr(spec, "children", None)  # torch >= 2.10; children_specs before
    return list(children()) if callable(children) else list(spec.children_specs)


def _spec_tree(spec, make_leaf):
    """A structure tree for a pytree TreeSpec; ``make_leaf()`` is called per leaf, in order."""
    if spec.is_leaf():
        return make_leaf()
    children = [_spec_tree(child, make_leaf) for child in _children(spec)]
    kind, context = spec.type, spec.context
    if _is_cache_spec(kind, children):  # transformers' pytree of a cache: [keys], [values]
        keys, values = children
        return structure.cache(zip(keys["items"], values["items"]),
                               f"{kind.__module__}.{kind.__qualname__}")
    if kind is list:
        return structure.sequence("list", children)
    if isinstance(kind, type) and issubclass(kind, dict) or (
            isinstance(context, (list, tuple)) and len(context) == len(children)
            and all(isinstance(k, str) for k in context)):
        return structure.mapping([str(k) for k in context], children)
    if kind is type(None):
        return structure.none()
    return structure.sequence("tuple", children)  # tuples, namedtuples, other containers


def _is_cache_spec(kind, children) -> bool:
    return (isinstance(kind, type) and kind.__name__.endswith("Cache") and len(children) == 2
            and all(child["kind"] == "list" for child in children)
            and len(children[0]["items"]) == len(children[1]["items"]))


def _output_tree(out_spec, outputs, graph):
    """``(tree, flat outputs)``: tensors and Python numbers are leaves, None is ``none``."""
    import torch

    values, flat = iter(outputs), []

    def make_leaf():
        value = next(values)
        if value is None:
            return structure.none()
        if isinstance(value, torch.fx.Node) or isinstance(value, (bool, int, float)):
            flat.append(_argument(value, graph))
            return structure.leaf(len(flat) - 1)
        return structure.const(_plain(value))

    return _spec_tree(out_spec, make_leaf), flat
