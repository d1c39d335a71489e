"""The PyTorch frontend: torch models in every form of the reference document -> Model.

* ``torch.nn.Module`` with ``example_input``: torch.export (non-strict), falling back to
  torch.jit.trace when export fails; without ``example_input``: torch.jit.script.
* ``torch.jit.ScriptModule``/``ScriptFunction``: converted from their frozen graph;
  ``example_input`` gives the shapes and element types of the inputs.
* ``torch.export.ExportedProgram``, and files: ``.pt2`` (torch.export.save) and ``.pt``
  (torch.jit.save, ``example_input`` required).

torch is imported only when this package is.
"""
from __future__ import annotations

import os

from ...ir import structure
from ...ir.shape import PartialShape
from ..errors import ConversionError, UnsupportedOpsError
from .converter import convert_graph
from .decoded import torch_type
from .input_spec import check_against_example, parse_input, resolve_specs
from .registry import find_translator
from .routes import WRAPPED, eval_mode, module_types

__all__ = ["convert_torch", "ConversionError", "UnsupportedOpsError"]


def convert_torch(input_model, input=None, output=None, example_input=None, extension=None,
                  verbose=False, share_weights=True):
    """Convert a PyTorch model (see the module docstring for the forms) to a Model::

        ov_model = convert_torch(model, example_input=(x, (a, b)))
        [p.get_any_name() for p in ov_model.inputs]   # ['x', 'pair.0', 'pair.1']

    ``input``: shapes/types/names of the flattened inputs (``input_spec``); ``share_weights``:
    weights are views of the torch tensors (True) or copies (False).
    """
    _reject_options(output, extension)
    log = _logger(verbose)
    model = input_model
    if isinstance(model, (str, os.PathLike)):
        from .loading import load_model_file

        model = load_model_file(os.fspath(model), example_input, log)
    parsed = parse_input(input)
    with eval_mode(model):  # as OpenVINO: dropout off, batch norm on its running statistics
        decoded, specs = _decode(model, parsed, example_input, log)
    converted = convert_graph(decoded, specs, share_weights, log)
    _refine_unranked_inputs(converted)
    log(f"done: {len(converted.inputs)} input(s), {len(converted.outputs)} output(s), "
        f"{len(converted.get_ordered_ops())} operations (route: {decoded.route})")
    return converted


def _decode(model, parsed, example_input, log):
    """``(DecodedGraph, per-input InputSpec)`` of ``model`` by the route its form takes."""
    import torch

    if isinstance(model, torch.export.ExportedProgram):
        return _from_program(model, parsed, log, example_input)
    if not isinstance(model, (torch.nn.Module, torch.jit.ScriptFunction)):
        raise ConversionError(f"cannot convert a {type(model).__name__}; expected a torch.nn.Module, "
                              "torch.jit.ScriptModule, torch.jit.ScriptFunction or "
                              "torch.export.ExportedProgram")
    if example_input is not None and not isinstance(model, (torch.jit.ScriptModule,
                                                            torch.jit.ScriptFunction)):
        return _from_example(model, example_input, parsed, log)
    # scripted code is converted from its own graph; the example gives shapes and types
    return _from_script(model, parsed, log, example_input)


def _refine_unranked_inputs(model):
    """Inputs of unknown rank (scripted without example_input) that feed a convolution take
    its rank and input channels, as OpenVINO infers ``[?,3,?,?]`` for an image model."""
    changed = False
    for parameter in model.get_parameters():
        if parameter.get_partial_shape().rank_is_static:
            continue
        for target in parameter.output(0).get_target_inputs():
            node = target.get_node()
            if node.get_type_name() != "Convolution" or target.get_index() != 0:
                continue
            weights = node.get_input_partial_shape(1)
            if weights.rank_is_static and weights[1].is_static:
                dims = [-1, weights[1].get_length()] + [-1] * (len(weights) - 2)
                parameter.set_partial_shape(PartialShape(dims))
                changed = True
                break
    if changed:
        model.validate_nodes_and_infer_types()


def _reject_options(output, extension):
    if output is not None:
        raise ConversionError("output= is not supported for PyTorch models: the converted model "
                              "returns what forward returns; return the tensors you want from "
                              "forward (a wrapper module) before converting")
    if extension is not None:
        raise ConversionError("extension= is not supported for PyTorch models by ov_notebook; "
                              "unsupported operations are listed in the conversion error")


def _logger(verbose):
    if not verbose:
        return lambda message: None
    return lambda message: print(f"[ov_notebook] {message}", flush=True)


# --- routes ------------------------------------------------------------------------------------
def _from_program(program, parsed, log, example_input=None):
    from .fx_decoder import decode_exported_program, decompose

    if example_input is not None:
        log("example_input is not used for an ExportedProgram: it already has its inputs")
    log("route: ExportedProgram (decomposed where an op has no translator or writes in place)")
    decoded = decode_exported_program(decompose(program), name="ExportedProgram")
    specs = resolve_specs(parsed, _input_names(decoded))
    return decoded, specs


def _from_example(model, example_input, parsed, log):
    from .example_input import prepare_example, rebuild_object, signature_of

    args, kwargs, tree, leaves = prepare_example(example_input, signature_of(model))
    specs = resolve_specs(parsed, structure.leaf_names(tree))
    leaves = _apply_specs(leaves, specs, structure.leaf_names(tree))
    args, kwargs = structure.unflatten_call(tree, leaves, rebuild=rebuild_object)
    log(f"example_input: {len(leaves)} input tensor(s): {', '.join(structure.leaf_paths(tree))}")
    export_error = None
    if _exportable(model):
        decoded, export_error = _try_export(model, args, kwargs, tree, specs, log)
        if decoded is not None:
            return decoded, specs
    try:
        return _trace(model, tree, leaves, log), specs
    except ConversionError:
        raise
    except Exception as exc:  # noqa: BLE001  tracing runs user code: report what failed
        tried = f"torch.export failed ({export_error}); " if export_error else ""
        raise ConversionError(f"cannot get a graph of {_name_of(model)}: {tried}torch.jit.trace "
                              f"failed ({type(exc).__name__}: {_first_line(exc)}); check that "
                              "example_input is what forward expects") from exc


def _exportable(model) -> bool:
    import torch

    return isinstance(model, torch.nn.Module) and not isinstance(model, torch.jit.ScriptModule)


def _try_export(model, args, kwargs, tree, specs, log):
    """``(decoded ExportedProgram, None)``, or ``(None, reason)`` when torch.export cannot
    handle the model."""
    from .fx_decoder import decode_exported_program, decompose
    from .routes import export_program

    log("route: torch.export.export(strict=False)")
    find_translator("")  # load the translators here: their errors are not export failures
    if _has_objects(tree):
        return _export_flat(model, tree, structure.flatten_call(tree, args, kwargs), specs, log)
    try:
        program = decompose(export_program(model, args, kwargs, tree, specs))
    except Exception as exc:  # noqa: BLE001  any export failure falls back to tracing
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
        log(f"torch.export failed ({reason}); falling back to torch.jit.trace")
        return None, reason
    decoded = decode_exported_program(program, name=type(model).__name__)
    if structure.count_leaves(decoded.input_tree) != structure.count_leaves(tree):
        raise ConversionError("torch.export flattened the inputs differently from example_input "
                              f"({structure.leaf_paths(decoded.input_tree)} vs "
                              f"{structure.leaf_paths(tree)})")
    decoded.input_tree = tree  # same leaves in the same order; keeps forward's argument layout
    return decoded, None


def _has_objects(tree) -> bool:
    """Whether the tree holds a cache or another object (a ``dict`` with a ``type``)."""
    return tree["kind"] == "cache" or "type" in tree or any(
        _has_objects(child) for child in tree.get("items", ()) if isinstance(child, dict))


def _export_flat(model, tree, leaves, specs, log):
    """torch.export of the model called through FlatCall: cache and other objects in the inputs
    are built inside the program from their flat tensors (in the input tree's order), so their
    type need not be registered with torch's pytree."""
    from .fx_decoder import decode_exported_program, decompose
    from .routes import FlatCall, export_flat

    import torch

    wrapper = FlatCall(model, tree).eval()
    try:
        with torch.no_grad():  # records the output tree: export runs forward on a copy
            wrapper(*leaves)
        program = decompose(export_flat(wrapper, leaves, specs))
    except Exception as exc:  # noqa: BLE001  any export failure falls back to tracing
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
        log(f"torch.export failed ({reason}); falling back to torch.jit.trace")
        return None, reason
    decoded = decode_exported_program(program, name=type(model).__name__)
    if len(decoded.inputs) != structure.count_leaves(tree) or wrapper.output_tree is None:
        reason = (f"the program has {len(decoded.inputs)} inputs for "
                  f"{structure.count_leaves(tree)} leaves of example_input")
        log(f"torch.export: {reason}; falling back to torch.jit.trace")
        return None, reason
    decoded.input_tree, decoded.output_tree = tree, wrapper.output_tree
    for item in decoded.items:  # module paths as if the model had been exported itself
        path = item.node.module_path
        if path == WRAPPED or path.startswith(WRAPPED + "."):
            item.node.module_path = path[len(WRAPPED) + 1:]
    return decoded, None


def _first_line(exc) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def _trace(model, tree, leaves, log):
    from .routes import check_trace_inputs, release_constants, trace_graph
    from .ts_decoder import decode_script_graph

    check_trace_inputs(leaves)
    log("route: torch.jit.trace")
    # read before tracing runs forward: an out= argument (torch.cat(..., out=y)) resizes y
    recorded = [(torch_type(leaf.dtype), PartialShape(list(leaf.shape))) for leaf in leaves]
    graph, module, output_tree = trace_graph(model, tree, leaves)
    try:
        decoded = decode_script_graph(graph, module, tree, output_tree, module_prefix=WRAPPED,
                                      module_types=module_types(model), name=_name_of(model))
    finally:
        release_constants(graph)  # the decoded graph holds the tensors it needs
    for graph_input, (element_type, shape) in zip(decoded.inputs, recorded):
        graph_input.element_type = element_type  # frozen graphs forget input types
        graph_input.shape = shape
    return decoded


def _from_script(model, parsed, log, example_input=None):
    import torch

    from .routes import release_constants, script_graph
    from .ts_decoder import decode_script_graph

    scripted = isinstance(model, (torch.jit.ScriptModule, torch.jit.ScriptFunction))
    log("route: TorchScript graph" if scripted else "route: torch.jit.script (no example_input)")
    example = None
    if example_input is not None:
        from .example_input import prepare_example, signature_of

        args, kwargs, _, _ = prepare_example(example_input, signature_of(model))
        example = (args, kwargs)
    try:
        graph, module = script_graph(model)
    except Exception as exc:  # noqa: BLE001  scripting fails in many ways; all need the same hint
        raise ConversionError(f"torch.jit.script failed on {_name_of(model)} "
                              f"({type(exc).__name__}: {_first_line(exc)}); pass example_input "
                              "so that the model is exported or traced instead, e.g. "
                              "convert_model(model, example_input=torch.rand(1, 3, 224, 224))"
                              ) from exc
    try:
        decoded = decode_script_graph(graph, module, module_types=module_types(model),
                                      name=_name_of(model), example=example)
    finally:
        release_constants(graph)  # the decoded graph holds the tensors it needs
    specs = resolve_specs(parsed, _input_names(decoded))
    for graph_input, spec in zip(decoded.inputs, specs):
        if example is not None and graph_input.shape is not None:
            check_against_example(spec, _static_dims(graph_input.shape), repr(graph_input.key))
    return decoded, specs


def _static_dims(shape):
    return [d.get_length() if d.is_static else -1 for d in shape] if shape.rank_is_static else []


def _name_of(model) -> str:
    """The model's class name (a ScriptModule's original class, a ScriptFunction's name)."""
    import torch

    if isinstance(model, torch.jit.ScriptFunction):
        return model.name
    return getattr(model, "original_name", None) or type(model).__name__


def _input_names(decoded):
    return structure.leaf_names(decoded.input_tree)


def _apply_specs(leaves, specs, names):
    """Example leaves cast to the element types ``input=`` asks for; shapes checked."""
    prepared = []
    for leaf, spec, name in zip(leaves, specs, names):
        check_against_example(spec, list(leaf.shape), repr(name))
        if spec is not None and spec.element_type is not None:
            leaf = leaf.to(_torch_dtype(spec.element_type))
        prepared.append(leaf)
    return prepared


def _torch_dtype(element_type):
    import torch

    name = {"f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16",
            "i64": "int64", "i32": "int32", "i16": "int16", "i8": "int8", "u8": "uint8",
            "boolean": "bool"}.get(element_type.get_type_name())
    if name is None:
        raise ConversionError(f"input= element type {element_type} has no torch dtype")
    return getattr(torch, name)
