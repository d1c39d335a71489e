"""``example_input`` -> the arguments to call the model with, and the input structure tree.

The rules are those of the reference document ("Supported Input Parameter Types"):

* a tensor (``torch.Tensor``, ``ov_notebook.Tensor``, ``numpy.ndarray``) or a Python number is
  the single positional argument;
* a ``tuple``/``list`` holds the positional arguments in ``forward`` order, so a single argument
  that is itself a tuple is written ``example_input=((a, b),)``;
* a ``dict`` holds keyword arguments named like ``forward``'s parameters, in any order;
* nested tuples, lists and dicts are flattened into one input per tensor, depth-first;
* ``None`` anywhere removes that input (the model is converted as if called with None), with
  a warning;
* key/value cache objects (transformers ``DynamicCache``) are one input per layer key and value,
  named ``past_key_values.0.key``, ``past_key_values.0.value``, ... (optimum-intel's names), and
  other types registered with torch's pytree (``torch.utils._pytree``) flatten as torch.export
  flattens them, dataclasses by their fields.

Python numbers become 0-d tensors (bool, int64, float32) so that they stay model inputs.
"""
from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Mapping

import numpy as np

from ...ir import structure
from ..errors import ConversionError

__all__ = ["Signature", "signature_of", "prepare_example", "value_tree",
           "rebuild_object"]


class Signature:
    """The parameters of the model's ``forward`` (without ``self``).

    ``positional``: names that can be passed by position, in order; ``keyword_only``: names that
    must be passed by keyword; ``varargs``/``varkw``: the ``*args``/``**kwargs`` names or None;
    ``required``: names without a default.
    """

    def __init__(self, positional=(), keyword_only=(), varargs=None, varkw=None, required=()):
        self.positional = list(positional)
        self.keyword_only = list(keyword_only)
        self.varargs = varargs
        self.varkw = varkw
        self.required = list(required)

    @property
    def names(self) -> list:
        return self.positional + self.keyword_only

    def position_of(self, name):
        return self.positional.index(name) if name in self.positional else None

    def describe(self) -> str:
        names = list(self.positional)
        if self.varargs:
            names.append(f"*{self.varargs}")
        names += self.keyword_only
        if self.varkw:
            names.append(f"**{self.varkw}")
        return f"forward({', '.join(names)})"


def signature_of(model) -> Signature:
    """The Signature of an nn.Module's forward, a ScriptModule's or a ScriptFunction's schema."""
    schema = _script_schema(model)
    if schema is not None:
        arguments = list(schema.arguments)
        if arguments and _is_module_argument(arguments[0]):
            arguments = arguments[1:]  # a method's first argument is the module (self)
        return Signature([a.name for a in arguments if not a.kwarg_only],
                         [a.name for a in arguments if a.kwarg_only],
                         required=[a.name for a in arguments if not a.has_default_value()])
    function = getattr(model, "forward", model)
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return Signature()
    kinds = inspect.Parameter
    return Signature(
        [p.name for p in parameters if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)],
        [p.name for p in parameters if p.kind == kinds.KEYWORD_ONLY],
        next((p.name for p in parameters if p.kind == kinds.VAR_POSITIONAL), None),
        next((p.name for p in parameters if p.kind == kinds.VAR_KEYWORD), None),
        [p.name for p in parameters if p.default is kinds.empty
         and p.kind not in (kinds.VAR_POSITIONAL, kinds.VAR_KEYWORD)])


def _is_module_argument(argument) -> bool:
    import torch

    return isinstance(argument.type, torch.ClassType)


def _script_schema(model):
    import torch

    if isinstance(model, torch.jit.ScriptFunction):
        return model.schema
    if isinstance(model, torch.jit.ScriptModule):
        try:
            return model.forward.schema
        except AttributeError:
            return None
    return None


# --- example values ---------------------------------------------------------------------------
def prepare_example(example_input, signature: Signature):
    """``(args, kwargs, tree, leaves)``: torch arguments for ``model(*args, **kwargs)``, the
    ``call`` tree of the flattened inputs and the leaf tensors in input order."""
    if isinstance(example_input, Mapping):
        args, kwargs = (), _keyword_arguments(example_input, signature)
    elif isinstance(example_input, (tuple, list)):
        args, kwargs = tuple(_to_torch(v, f"[{i}]") for i, v in enumerate(example_input)), {}
    else:
        args, kwargs = (_to_torch(example_input, ""),), {}
    _check_arguments(args, kwargs, signature)
    tree, leaves = _call_tree(args, kwargs, signature)
    _warn_about_none(tree)
    return args, kwargs, tree, leaves


def _keyword_arguments(example, signature):
    for key in example:
        if not isinstance(key, str):
            raise ConversionError(f"example_input dict keys must be forward's argument names "
                                  f"(strings), got {key!r}")
    unknown = [k for k in example if k not in signature.names]
    if unknown and signature.varkw is None and signature.names:
        raise ConversionError(f"example_input has key(s) {unknown} that are not arguments of "
                              f"{signature.describe()}")
    order = {name: i for i, name in enumerate(signature.names)}
    keys = sorted(example, key=lambda k: (order.get(k, len(order)), list(example).index(k)))
    return {k: _to_torch(example[k], f"[{k!r}]") for k in keys}


def _check_arguments(args, kwargs, signature):
    if not signature.names and signature.varargs is None and signature.varkw is None:
        return  # no usable signature (a builtin or C++ function): let torch check the call
    if len(args) > len(signature.positional) and signature.varargs is None:
        raise ConversionError(f"example_input gives {len(args)} positional arguments but "
                              f"{signature.describe()} takes {len(signature.positional)}; a "
                              "single argument that is a tuple must be wrapped: "
                              "example_input=((a, b),)")
    given = set(signature.positional[:len(args)]) | set(kwargs)
    missing = [name for name in signature.required if name not in given]
    if missing:
        raise ConversionError(f"example_input does not give {', '.join(map(repr, missing))} "
                              f"required by {signature.describe()}")


def _to_torch(value, path):
    import torch

    if value is None or isinstance(value, torch.Tensor):
        return value
    if isinstance(value, bool):
        return torch.tensor(value, dtype=torch.bool)
    if isinstance(value, int):
        return torch.tensor(value, dtype=torch.int64)
    if isinstance(value, float):
        return torch.tensor(value, dtype=torch.float32)
    if isinstance(value, (np.ndarray, np.generic)):
        return _from_numpy(np.asarray(value))
    if _is_ov_tensor(value):
        return _from_numpy(np.asarray(value.data))
    if isinstance(value, tuple):
        return tuple(_to_torch(v, f"{path}[{i}]") for i, v in enumerate(value))
    if isinstance(value, list):
        return [_to_torch(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {k: _to_torch(v, f"{path}[{k!r}]") for k, v in value.items()}
    if _cache_layers(value) is not None or _container_children(value) is not None or \
            _is_dataclass_instance(value):
        return value  # the model gets the object itself; its tensors become the inputs
    raise ConversionError(f"example_input{path}: unsupported type {type(value).__name__}; "
                          "expected torch.Tensor, ov_notebook.Tensor, numpy.ndarray, a Python "
                          "number, None, a key/value cache (DynamicCache), a type registered "
                          "with torch's pytree, or tuples/lists/dicts of them")


def _from_numpy(array):
    import torch

    if array.dtype == object:
        raise ConversionError("example_input holds a numpy array of Python objects")
    if not array.flags.writeable or not array.flags.c_contiguous:
        array = np.array(array, copy=True, order="C")  # torch.from_numpy needs writable memory
    return torch.from_numpy(array)


def _is_ov_tensor(value) -> bool:
    return type(value).__name__ == "Tensor" and isinstance(getattr(value, "data", None), np.ndarray)


# --- trees ------------------------------------------------------------------------------------
def _call_tree(args, kwargs, signature):
    leaves, names, items, positions = [], [], [], []
    for index, value in enumerate(args):
        if index < len(signature.positional):
            names.append(signature.positional[index])
        else:
            names.append(f"{signature.varargs or 'args'}.{index - len(signature.positional)}")
        positions.append(index)
        items.append(value_tree(value, leaves))
    for name, value in kwargs.items():
        names.append(name)
        positions.append(signature.position_of(name))
        items.append(value_tree(value, leaves))
    return structure.call(names, items, positions), leaves


def value_tree(value, leaves, leaf_types=None):
    """The structure tree of ``value``; tensors (and ``leaf_types``) are appended to ``leaves``
    and become leaves, None becomes ``none``, other non-containers ``const``."""
    import torch

    if value is None:
        return structure.none()
    if isinstance(value, torch.Tensor) or (leaf_types and isinstance(value, leaf_types)):
        leaves.append(value)
        return structure.leaf(len(leaves) - 1)
    if isinstance(value, Mapping):
        return structure.mapping([str(k) for k in value],
                                 [value_tree(v, leaves, leaf_types) for v in value.values()])
    if isinstance(value, list):
        return structure.sequence("list", [value_tree(v, leaves, leaf_types) for v in value])
    if isinstance(value, tuple):  # namedtuples too: they flatten like tuples
        return structure.sequence("tuple", [value_tree(v, leaves, leaf_types) for v in value])
    if isinstance(value, (bool, int, float, str)):
        return structure.const(value)
    layers = _cache_layers(value)
    if layers is not None:
        return structure.cache([[value_tree(t, leaves, leaf_types) for t in pair]
                                for pair in layers], _qualified_name(type(value)))
    if _is_dataclass_instance(value):  # an unregistered dataclass: keyed by its fields
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {**value_tree(fields, leaves, leaf_types), "type": _qualified_name(type(value))}
    children = _container_children(value)
    if isinstance(children, dict):
        tree = value_tree(children, leaves, leaf_types)
        tree["type"] = _qualified_name(type(value))
        tree["context"] = type(_pytree_context(value)).__name__
        return tree
    if children is not None:
        return value_tree(children, leaves, leaf_types)
    raise ConversionError(f"cannot flatten a value of type {type(value).__name__} in the "
                          "model's inputs or outputs; expected tensors, tuples, lists and dicts")


def _cache_layers(value):
    """``[(key, value), ...]`` of a key/value cache object (a transformers cache, whether or
    not it is registered with torch's pytree), None for anything else. Layers without tensors
    yet (a cache made before the first step) are not a cache of this form."""
    import torch

    if isinstance(value, (tuple, list, Mapping, torch.Tensor)):
        return None
    pairs = structure.cache_pairs(value)
    if pairs is None or not all(isinstance(t, torch.Tensor) for pair in pairs for t in pair):
        return None
    return pairs


def _qualified_name(kind) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def rebuild_object(tree, plain):
    """The object a ``cache`` tree or a ``dict`` tree with a ``type`` was made from, holding the
    values of ``plain`` (its legacy pairs or its fields); ``plain`` itself when its type cannot
    be imported or built from them."""
    import importlib

    from torch.utils import _pytree

    module_name, _, class_name = tree["type"].rpartition(".")
    try:
        kind = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        return plain
    if tree["kind"] == "dict":
        if dataclasses.is_dataclass(kind) and kind not in _pytree.SUPPORTED_NODES:
            return kind(**plain)
        node = _pytree.SUPPORTED_NODES.get(kind)
        if node is None:
            return plain
        context = tuple(plain) if tree.get("context") == "tuple" else list(plain)
        return node.unflatten_fn(list(plain.values()), context)
    pairs = plain
    if callable(getattr(kind, "from_legacy_cache", None)):
        return kind.from_legacy_cache(pairs)
    try:
        return kind(pairs)  # transformers >= 4.56: DynamicCache(ddp_cache_data)
    except TypeError:
        return pairs


def _is_dataclass_instance(value) -> bool:
    from torch.utils import _pytree

    return dataclasses.is_dataclass(value) and not isinstance(value, type) and \
        type(value) not in _pytree.SUPPORTED_NODES and not isinstance(value, Mapping)


def _pytree_context(value):
    from torch.utils import _pytree

    return _pytree.SUPPORTED_NODES[type(value)].flatten_fn(value)[1]


def _container_children(value):
    """A tuple/dict view of a type registered with torch's pytree (as torch.export flattens
    it; a dict when its context is its field names), or None."""
    from torch.utils import _pytree

    node = _pytree.SUPPORTED_NODES.get(type(value))
    if node is None:
        return None
    children, context = node.flatten_fn(value)
    if isinstance(context, (list, tuple)) and len(context) == len(children) and \
            all(isinstance(k, str) for k in context):
        return dict(zip(context, children))
    return tuple(children)


def _warn_about_none(tree):
    removed = _none_paths(tree, "")
    if removed:
        warnings.warn(f"example_input has None at {', '.join(removed)}: the model is converted "
                      "as called with None there, and the converted model has no input for it",
                      stacklevel=4)


def _none_paths(tree, path):
    kind = tree["kind"]
    if kind == "none":
        return [path]
    found = []
    if kind == "call":
        for name, child in zip(tree["names"], tree["items"]):
            found += _none_paths(child, name)
    elif kind in ("tuple", "list", "cache"):
        for i, child in enumerate(tree["items"]):
            found += _none_paths(child, f"{path}[{i}]")
    elif kind == "dict":
        for key, child in zip(tree["keys"], tree["items"]):
            found += _none_paths(child, f"{path}[{key!r}]")
    return found
