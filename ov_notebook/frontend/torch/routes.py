"""Getting a graph out of a torch model: torch.export, torch.jit.trace and torch.jit.script.

The trace route calls the model through :class:`FlatCall`, a wrapper that takes the flattened
input tensors and returns the flattened outputs, so the traced graph has exactly the converted
model's inputs and outputs and both routes share one signature.
"""
from __future__ import annotations

import contextlib
import functools
import warnings

from ...ir import structure
from ..errors import ConversionError
from .example_input import rebuild_object, value_tree

__all__ = ["FlatCall", "export_program", "export_flat", "trace_graph", "script_graph",
           "release_constants", "module_types"]

WRAPPED = "model"  # the FlatCall attribute holding the user's model, stripped from scope names


@functools.cache
def _flat_call_class():
    import torch

    class FlatCall(torch.nn.Module):
        """``forward(*leaves)``: rebuilds the original arguments from the flat input tensors,
        calls the model, and returns its outputs flattened (structure kept in
        ``output_tree``)."""

        def __init__(self, model, input_tree):
            super().__init__()
            self.model = model
            self.input_tree = input_tree
            self.output_tree = None

        def forward(self, *leaves):
            args, kwargs = structure.unflatten_call(self.input_tree, list(leaves),
                                                   rebuild=rebuild_object)
            outputs = self.model(*args, **kwargs)
            flat = []
            self.output_tree = value_tree(outputs, flat, leaf_types=(bool, int, float))
            return tuple(v if isinstance(v, torch.Tensor) else torch.tensor(v) for v in flat)

    return FlatCall


def FlatCall(model, input_tree):  # noqa: N802  (a class made on demand: torch loads lazily)
    return _flat_call_class()(model, input_tree)


@contextlib.contextmanager
def _quiet():
    """torch.jit warns that it is deprecated on every call; the conversion is not the place."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.jit")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.jit")
        warnings.filterwarnings("ignore", category=UserWarning, message=".*TracerWarning.*")
        yield


# --- torch.export -------------------------------------------------------------------------------
# torch logs a full traceback at ERROR level when an op fails on fake tensors during export; the
# failure reaches the user as one ConversionError (or the trace fallback), so silence the log
_NOISY_LOGGERS = ("torch._subclasses.fake_tensor", "torch.fx.experimental.symbolic_shapes",
                  "torch._dynamo", "torch.export")


@contextlib.contextmanager
def _quiet_export_logs():
    import logging

    loggers = [logging.getLogger(name) for name in _NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def export_program(model, args, kwargs, input_tree, specs):
    """``torch.export.export(model, args, kwargs, strict=False)``; dimensions ``specs`` declare
    dynamic are exported dynamic (raises when torch has to specialize them)."""
    import torch

    dynamic = _dynamic_shapes(input_tree, specs)
    with _size_oblivious(dynamic is not None), _quiet_export_logs():
        return torch.export.export(model, tuple(args), dict(kwargs), dynamic_shapes=dynamic,
                                   strict=False)


def export_flat(wrapper, leaves, specs):
    """``torch.export.export(wrapper, leaves)`` for a FlatCall, which takes one positional
    argument per input leaf; dimensions ``specs`` declare dynamic are exported dynamic."""
    import torch

    per_leaf = [_leaf_dims(spec) for spec in specs]
    dynamic = None if all(d is None for d in per_leaf) else (tuple(per_leaf),)  # *leaves
    with _size_oblivious(dynamic is not None), _quiet_export_logs():
        return torch.export.export(wrapper, tuple(leaves), dynamic_shapes=dynamic, strict=False)


def _dynamic_shapes(input_tree, specs):
    """torch.export ``dynamic_shapes`` (a dict by argument name) from the dynamic dimensions of
    ``specs`` (one per leaf), or None when every dimension is static."""
    per_leaf = [_leaf_dims(spec) for spec in specs]
    if all(d is None for d in per_leaf):
        return None
    if any("." in name for name in input_tree["names"]):
        return None  # *args: torch expects a tuple for them; export static, shapes applied later
    return {name: structure.unflatten(item, per_leaf) if item["kind"] != "const" else None
            for name, item in zip(input_tree["names"], input_tree["items"])}


def _leaf_dims(spec):
    from torch.export import Dim

    if spec is None or spec.shape is None or not spec.shape.rank_is_static:
        return None
    dims = {}
    for axis, dim in enumerate(spec.shape):
        if dim.is_static:
            continue
        low, high = dim.get_min_length(), dim.get_max_length()
        bounds = {"min": low} if low > 0 else {}
        if high != -1:
            bounds["max"] = high
        dims[axis] = Dim.DYNAMIC(**bounds) if bounds else Dim.DYNAMIC
    return dims or None


@contextlib.contextmanager
def _size_oblivious(enabled):
    # without it torch.export specializes dimensions whose example size is 0 or 1
    if not enabled:
        yield
        return
    try:
        import torch.fx.experimental._config as fx_config

        patch = fx_config.patch(backed_size_oblivious=True)
    except (ImportError, AttributeError, KeyError):
        patch = contextlib.nullcontext()
    with patch:
        yield


# --- TorchScript ------------------------------------------------------------------------------
def trace_graph(model, input_tree, leaves):
    """``(graph, module, output_tree)`` of ``model`` traced through FlatCall, frozen."""
    import torch

    wrapper = FlatCall(model, input_tree).eval()  # the model is in eval mode already
    with _quiet(), torch.no_grad():
        traced = torch.jit.trace(wrapper, tuple(leaves), check_trace=False, strict=False)
    graph, module = _frozen_graph(traced)
    return graph, module, wrapper.output_tree


def script_graph(model):
    """``(graph, module)`` of ``model`` scripted (unless it already is), frozen and inlined."""
    import torch

    with _quiet():
        if isinstance(model, torch.jit.ScriptFunction):
            graph = model.graph.copy()
            torch._C._jit_pass_inline(graph)
            return graph, None
        scripted = model if isinstance(model, torch.jit.ScriptModule) else torch.jit.script(model)
    return _frozen_graph(scripted.eval())


def _frozen_graph(module):
    """Freezing folds attributes (``self.training`` branches, weights) into the graph. Only the
    freezing itself: torch.jit.freeze's optimizations would fold batch norms into new weights."""
    import torch

    with _quiet():
        try:
            frozen = torch.jit.RecursiveScriptModule(torch._C._freeze_module(module._c, []))
            torch.jit.RecursiveScriptModule._finalize_scriptmodule(frozen)
            graph = frozen.graph
            torch._C._jit_pass_inline(graph)
            torch._C._jit_pass_dce(graph)
            _keep_input_types(module.graph, graph)
            return graph, frozen
        except RuntimeError:
            return module.inlined_graph, module  # GetAttr chains are resolved by the decoder


def release_constants(graph) -> None:
    """Empty the tensor constants of ``graph`` once it is decoded. Freezing folds the weights
    into the graph of a new module type, and TorchScript keeps every type in its global
    compilation unit for the life of the process: without this, each conversion through
    TorchScript would keep the model's weights alive after the model and the converted model
    are gone (100 MB for a ResNet-50, per conversion)."""
    import torch

    empty = torch.empty(0)
    for node in graph.findAllNodes("prim::Constant"):  # sub-blocks too
        if node.hasAttribute("value") and node.kindOf("value") == "t":
            node.t_("value", empty)


def _keep_input_types(original, frozen):
    """Freezing retypes every input as plain ``Tensor``; a traced graph knew each input's dtype
    and rank, which OpenVINO keeps (with dynamic dimensions): without them a traced model
    converted without example_input would take f32 of any rank, which OpenVINO's CPU plugin
    refuses and integer token ids cannot be fed to."""
    import torch

    for source, target in zip(list(original.inputs())[1:], list(frozen.inputs())[1:]):
        kind = source.type()
        if isinstance(kind, torch.TensorType) and kind.dtype() is not None \
                and kind.dim() is not None:
            target.setType(kind.with_sizes([None] * kind.dim()))


@contextlib.contextmanager
def eval_mode(model):
    """``model`` in eval mode while its graph is captured; each submodule's mode is restored."""
    import torch

    if not isinstance(model, torch.nn.Module):
        yield
        return
    # a frozen ScriptModule (torch.jit.freeze) has no ``training`` left: its mode is baked in
    modes = [(module, module.training) for module in model.modules()
             if hasattr(module, "training")]
    if modes:
        model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


def module_types(model) -> dict:
    """``{module path: class name}`` of ``model``'s submodules (``""`` for the model)."""
    import torch

    if not isinstance(model, torch.nn.Module):
        return {}
    return {path: getattr(module, "original_name", type(module).__name__)
            for path, module in model.named_modules()}


def check_trace_inputs(leaves):
    if not leaves:
        raise ConversionError("example_input has no tensors: the model would have no inputs")
