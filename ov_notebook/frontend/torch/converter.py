"""DecodedGraph -> Model: Parameters, translated nodes, Results, names and rt_info.

Every source node is translated by the function ``find_translator`` returns for its op; every
IR node created while translating it is stamped with ``module_path``, ``module_type``,
``source_op`` and ``source_node`` (rt_info strings). Ops without a translator are all collected
before anything is translated and reported together in one UnsupportedOpsError.
"""
from __future__ import annotations

import functools

from ... import opset as ops
from ...ir import node as ir_node
from ...ir import structure
from ...ir.node import Node, Output
from ...ir.model import Model
from ...ir.ops.core import Constant
from ...ir.shape import PartialShape
from ...ir.types import Type
from ..errors import ConversionError, UnsupportedOpsError
from . import control_flow
from .registry import find_translator
from .decoded import tensor_to_array
from .node_context import DecodedNode, NodeContext, TensorRef

__all__ = ["convert_graph", "unsupported_ops"]

_OTHER_ROUTE = {
    "export": "convert through TorchScript instead: ov.convert_model(torch.jit.trace(model, "
              "example_args))",
    "torchscript": "convert through torch.export instead: ov.convert_model("
                   "torch.export.export(model, example_args))",
}


class _Values(dict):
    """The converted value of every key; weights become Constants on first use (one per
    distinct torch storage, so tied weights stay one Constant)."""

    def __init__(self, constants, names, share_weights):
        super().__init__()
        self._constants = constants
        self._names = names
        self._share = share_weights
        self._by_storage = {}

    def __missing__(self, key):
        if key not in self._constants:
            raise KeyError(key)
        value = self._constants[key]
        if _is_torch_tensor(value):
            value = self._constant_for(value, self._names.get(key))
        self[key] = value
        return value

    def python_value(self, key):
        """The value of ``key`` when it is a Python value or a list (not a tensor), else
        _ABSENT; weights are not materialized by asking."""
        if dict.__contains__(self, key):
            value = dict.__getitem__(self, key)
        elif key in self._constants and not _is_torch_tensor(self._constants[key]):
            value = self._constants[key]
        else:
            return _ABSENT
        return _ABSENT if isinstance(value, Output) else value

    def child(self):
        """A copy for translating a loop or branch body: what the body binds and converts stays
        in it, and weights it materializes are not reused outside it."""
        child = _Values(self._constants, self._names, self._share)
        dict.update(child, self)
        child._by_storage = dict(self._by_storage)
        return child

    def reference(self, output):
        """A TensorRef to ``output`` (stored under a key of its own)."""
        key = f"_value_{len(self)}_{id(output)}"
        self[key] = output
        return TensorRef(key)

    def _constant_for(self, tensor, name):
        identity = (tensor.data_ptr(), tuple(tensor.shape), tuple(tensor.stride()), tensor.dtype)
        if tensor.numel() and identity in self._by_storage:
            return self._by_storage[identity]
        array, element_type = tensor_to_array(tensor, self._share)
        output = Constant(array, element_type, shared_memory=True, name=name).output(0)
        self._by_storage[identity] = output
        return output


def _is_torch_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "data_ptr")


# --- unsupported ops ---------------------------------------------------------------------------
def unsupported_ops(decoded) -> dict:
    """``{op: (count, [module paths])}`` of the nodes (of a DecodedGraph or a list of
    DecodedItems) that have no translator."""
    found = {}
    for item in (decoded.items if hasattr(decoded, "items") else decoded):
        if item.branches is not None:
            continue  # checked when the branch taken is known
        if item.loop is not None:
            for op, (count, paths) in unsupported_ops(item.loop[0]).items():
                known_count, known_paths = found.get(op, (0, []))
                found[op] = (known_count + count,
                             known_paths + [p for p in paths if p not in known_paths])
            continue
        op = item.node.op
        if find_translator(op) is None:
            count, paths = found.get(op, (0, []))
            path = item.node.module_path or "<root>"
            found[op] = (count + 1, paths if path in paths else paths + [path])
    return found


def _report(found, route) -> str:
    lines = [f"cannot convert the model: {len(found)} operation(s) have no translator "
             f"(route: {route}):"]
    for op, (count, paths) in sorted(found.items()):
        shown = ", ".join(paths[:5]) + (f" (+{len(paths) - 5} more)" if len(paths) > 5 else "")
        lines.append(f"  {op}: {count} node{'s' if count != 1 else ''}, in {shown}")
    hint = _OTHER_ROUTE.get(route, "")
    lines.append("Hint: " + (f"{hint}; or " if hint else "") + "export the model to ONNX "
                 "(torch.onnx.export) and convert the .onnx file; please file an issue naming "
                 "these operations.")
    return "\n".join(lines)


# --- conversion --------------------------------------------------------------------------------
def convert_graph(decoded, specs=None, share_weights=True, log=None) -> Model:
    """Build the Model of ``decoded``; ``specs``: per flat input, an InputSpec or None."""
    log = log or (lambda message: None)
    found = unsupported_ops(decoded)
    if found:
        raise UnsupportedOpsError(_report(found, decoded.route), found)
    values = _Values(decoded.constants, decoded.constant_names, share_weights)
    parameters = _make_parameters(decoded, specs or [None] * len(decoded.inputs), values)
    log(f"translating {len(decoded.items)} nodes")
    for item in decoded.items:
        _translate(item, values, decoded.route)
    results = _make_results(decoded, values, parameters)
    model = Model(results, parameters, decoded.name)
    model.rt_info["ov_notebook"] = {
        "framework": "pytorch", "route": decoded.route,
        "input_tree": structure.encode(decoded.input_tree),
        "output_tree": structure.encode(decoded.output_tree),
    }
    return model


def _make_parameters(decoded, specs, values):
    names = structure.leaf_names(decoded.input_tree)
    paths = structure.leaf_paths(decoded.input_tree)
    parameters = []
    for graph_input, spec in zip(decoded.inputs, specs):
        index = graph_input.index
        element_type = _first(spec and spec.element_type, graph_input.element_type, Type.f32)
        shape = _first(spec and spec.shape, graph_input.shape, PartialShape.dynamic())
        name = _first(spec and spec.name, names[index], graph_input.key)
        parameter = ops.parameter(shape, element_type, name=name)
        parameter.rt_info["structure_path"] = paths[index]
        values[graph_input.key] = parameter.output(0)
        parameters.append(parameter)
    return parameters


def _first(*candidates):
    """The first candidate that is not None (a 0-d shape is falsy but given)."""
    return next(c for c in candidates if c is not None)


def _translate(item, values, route="torchscript"):
    if item.branches is not None:
        _translate_branch(item, values, route)
        return
    if item.loop is not None:
        _translate_loop(item, values, route)
        return
    node = _resolved(item.node, values)
    translator = find_translator(node.op)
    context = NodeContext(node, values)
    first_new_id = next(ir_node._ids)  # every node made from here on belongs to this source node
    try:
        result = translator(context)
    except ConversionError:
        raise
    except Exception as exc:  # noqa: BLE001  any translator failure is reported with its node
        where = f" in module '{node.module_path}'" if node.module_path else ""
        raise ConversionError(f"{node.op} (node '{node.name}'{where}): {type(exc).__name__}: "
                              f"{exc}") from exc
    result = _normalize(result)
    result = _write_out_arguments(node, result, values)
    _store(item, result, values, context)
    _stamp(result, first_new_id, node, name_nodes=route == "export")


_ABSENT = object()


def _translate_branch(item, values, route):
    """A ``prim::If``: when the condition is known once its inputs are converted, the branch it
    takes is translated and its outputs become the If's; else both become an If-8's bodies."""
    node = item.node
    condition = runtime_condition = _resolved(node, values).args[0]
    if isinstance(condition, TensorRef):
        runtime_condition = values[condition.key]
        known = runtime_condition.get_known_value() if isinstance(runtime_condition, Output) \
            else None
        condition = None if known is None or known.size != 1 else bool(known.reshape(()))
    known = isinstance(condition, (bool, int))
    found = {}
    for items, _ in (item.branches[0 if condition else 1],) if known else item.branches:
        for op, (count, paths) in unsupported_ops(items).items():
            found[op] = (found.get(op, (0, []))[0] + count, paths)
    if found:
        raise UnsupportedOpsError(_report(found, route), found)
    if not known:  # computed at run time: both branches become the bodies of an If
        first_new_id = next(ir_node._ids)
        if not isinstance(runtime_condition, Output):
            node_context = NodeContext(node, values)
            node_context.fail(f"the condition is {type(runtime_condition).__name__}, not a bool "
                              "or a tensor")
        branch = control_flow.translate_if(item, values, _body_translator(route), _converted_rep,
                                           runtime_condition)
        if branch is not None:
            _stamp(branch.outputs(), first_new_id, node, name_nodes=False)
        return
    items, outputs = item.branches[0 if condition else 1]
    for inner in items:
        _translate(inner, values, route)
    for key, rep in zip(item.output_keys, outputs):
        values[key] = _converted_rep(rep, values)


def _body_translator(route):
    return lambda inner, values: _translate(inner, values, route)


def _translate_loop(item, values, route):
    """A ``prim::Loop``: unrolled when small and known at conversion time, else a Loop-5."""
    node = _resolved(item.node, values)
    arguments = [_converted_rep(rep, values) for rep in node.args]
    first_new_id = next(ir_node._ids)
    try:
        loop = control_flow.translate_loop(item, values, _body_translator(route), _converted_rep,
                                           arguments)
    except ConversionError:
        raise
    except Exception as exc:  # noqa: BLE001  reported with the loop's node, as translators
        where = f" in module '{node.module_path}'" if node.module_path else ""
        raise ConversionError(f"prim::Loop (node '{node.name}'{where}): {type(exc).__name__}: "
                              f"{exc}") from exc
    if loop is not None:
        _stamp(loop.outputs(), first_new_id, node, name_nodes=False)


def _converted_rep(rep, values):
    if isinstance(rep, TensorRef):
        return values[rep.key]
    if isinstance(rep, list):
        return [_converted_rep(r, values) for r in rep]
    return rep


def _resolved(node, values):
    """``node`` with arguments that refer to Python values (sizes known at conversion time,
    lists from structural ops) replaced by those values, as if the decoder had inlined them;
    Outputs inside such lists get keys of their own."""
    def resolve(value):
        if isinstance(value, TensorRef):
            known = values.python_value(value.key)
            if known is _ABSENT:
                return value
            return resolve_list(known) if isinstance(known, list) else known
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    def resolve_list(items):
        return [values.reference(v) if isinstance(v, Output) else
                resolve_list(v) if isinstance(v, list) else v for v in items]

    args = [resolve(a) for a in node.args]
    kwargs = {k: resolve(v) for k, v in node.kwargs.items()}
    if args == node.args and kwargs == node.kwargs:
        return node
    return DecodedNode(node.op, node.name, args, kwargs, node.schema_names, node.schema_defaults,
                       node.module_path, node.module_type, node.output_meta, node.num_outputs)


def _normalize(result):
    if isinstance(result, Node):
        outputs = result.outputs()
        return outputs[0] if len(outputs) == 1 else list(outputs)
    if isinstance(result, (list, tuple)):
        return [_normalize(r) for r in result]
    return result


def _store(item, result, values, context):
    keys = item.output_keys
    if len(keys) == 1:
        values[keys[0]] = result
    elif keys:
        if not isinstance(result, list) or len(result) != len(keys):
            context.fail(f"the translator returned {_describe(result)} for {len(keys)} outputs")
        for key, value in zip(keys, result):
            values[key] = value
    if item.rebinds is not None and keys and isinstance(values[keys[0]], Output):
        values[item.rebinds] = values[keys[0]]


# --- out= arguments ------------------------------------------------------------------------------
def _write_out_arguments(node, result, values):
    """``torch.cumsum(x, 0, out=y)``: the op's result, cast to the out tensor's dtype as torch
    copies it there, is the op's value and, from here on, ``y``'s (whatever ``y``'s shape was:
    torch resizes out tensors). Serves every ``.out`` overload, both routes."""
    written = [name for name in _written_arguments(node.op, tuple(node.schema_names))
               if isinstance(node.kwargs.get(name), TensorRef)]
    if not written:
        return result
    results = result if isinstance(result, list) and len(written) > 1 else [result]
    cast = []
    for name, value in zip(written, results):
        target = values[node.kwargs[name].key]
        if isinstance(value, Output) and isinstance(target, Output):
            element_type = target.get_element_type()
            if element_type.is_static and element_type != value.get_element_type():
                value = ops.convert(value, element_type).output(0)
            values[node.kwargs[name].key] = value
        cast.append(value)
    return cast + results[len(cast):] if len(written) > 1 else cast[0]


@functools.cache
def _written_arguments(op, schema_names) -> tuple:
    """The keyword-only arguments an op writes (``Tensor(a!) out``, ``max``/``max_values``...),
    from the torch schema whose argument names are the node's; () when none."""
    if not schema_names or not (op.startswith("aten::") or op.startswith("aten.")):
        return ()
    import torch

    name = op.split("::", 1)[1] if "::" in op else op.split(".")[1]
    try:
        schemas = torch._C._jit_get_schemas_for_operator(f"aten::{name}")
    except RuntimeError:
        return ()
    for schema in schemas:
        if tuple(a.name for a in schema.arguments) == schema_names:
            return tuple(a.name for a in schema.arguments if a.kwarg_only and a.alias_info
                         is not None and a.alias_info.is_write)
    return ()


def _describe(result) -> str:
    return f"{len(result)} values" if isinstance(result, list) else type(result).__name__


def _outputs_in(result):
    if isinstance(result, Output):
        yield result
    elif isinstance(result, list):
        for value in result:
            yield from _outputs_in(value)


def _stamp(result, first_new_id, node, name_nodes):
    """rt_info on every node made for ``node``; the nodes producing its results take its name
    when ``name_nodes`` (FX names are unique and readable; TorchScript's are ``%19``)."""
    info = {"module_path": node.module_path or "", "module_type": node.module_type or "",
            "source_op": node.op, "source_node": node.name}
    stack = [output.get_node() for output in _outputs_in(result)]
    for producer in stack if name_nodes else ():
        if producer._id > first_new_id and producer._friendly_name is None:
            producer.set_friendly_name(node.name)
    seen = set()
    while stack:
        current = stack.pop()
        if current._id <= first_new_id or id(current) in seen:
            continue
        seen.add(id(current))
        for key, value in info.items():
            current.rt_info.setdefault(key, value)
        stack.extend(source.get_node() for source in current.input_values())


def _make_results(decoded, values, parameters):
    names = structure.leaf_names(decoded.output_tree)
    paths = structure.leaf_paths(decoded.output_tree)
    taken = {name for p in parameters for name in p.output(0).get_names()}
    results = []
    for index, rep in enumerate(decoded.outputs):
        output = _output_value(rep, values, index)
        result = ops.result(output)
        result.rt_info["structure_path"] = paths[index]
        name = names[index]
        if name is not None and name not in output.get_names():
            name = _free_name(name, taken)
            output.add_names({name})
            taken.add(name)
        results.append(result)
    return results


def _output_value(rep, values, index) -> Output:
    value = values[rep.key] if isinstance(rep, TensorRef) else rep
    if isinstance(value, Output):
        return value
    if isinstance(value, (bool, int, float)):
        return ops.constant(value).output(0)
    raise ConversionError(f"model output {index} is {type(value).__name__}, not a tensor; only "
                          "tensors, numbers and tuples/lists/dicts of them can be outputs")


def _free_name(name, taken):
    if name not in taken:
        return name
    suffix = 1
    while f"{name}_{suffix}" in taken:
        suffix += 1
    return f"{name}_{suffix}"
