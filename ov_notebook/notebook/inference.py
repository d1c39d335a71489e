"""Running both sides of ``%infer`` on the same input, leaf by leaf.

- :func:`compiled_for`: one shared cache of compiled models, so ``%infer`` twice compiles once
  (keyed by the Model object, or an IR path and its modification time, and the thread count).
- :func:`flat_inputs`: the original model's argument structure (tensor, tuple, dict) -> the
  converted model's flattened inputs, through the recorded input tree (as ``infer_structured``),
  or :func:`bind_inputs` by each Parameter's ``structure_path`` where no tree was recorded.
- :func:`converted_leaves` / :func:`torch_leaves`: ``[(structure path, array), ...]`` outputs.

    >>> compiled = compiled_for(ov_model)
    >>> converted_leaves(compiled, (x, (b0, b1)))
    [('["sum"]', array(...)), ('["parts"][0]', array(...))]
"""
from __future__ import annotations

import os
import weakref

import numpy as np

from .errors import NotebookTypeError, NotebookValueError
from .structure import flatten, is_leaf, root_of, structure_path

__all__ = ["compiled_for", "bind_inputs", "flat_inputs", "converted_leaves", "torch_leaves",
           "call_torch", "call_arguments", "clear_cache", "to_numpy"]

_CACHE = {}


def clear_cache() -> None:
    _CACHE.clear()


def compiled_for(model, threads: int = 0):
    """A CompiledModel for a Model, CompiledModel or IR path, compiled once per (model, threads)."""
    from ..ir.model import Model
    from ..runtime import CompiledModel, compile_model

    if isinstance(model, CompiledModel):
        return model
    config = {"INFERENCE_NUM_THREADS": int(threads)} if threads else {}
    if isinstance(model, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(model))
        if not os.path.exists(path):
            raise NotebookValueError(f"model file {path} does not exist")
        key = ("path", path, os.path.getmtime(path), threads)
        if key not in _CACHE:
            _CACHE[key] = compile_model(path, "CPU", config)
        return _CACHE[key]
    if not isinstance(model, Model):
        raise NotebookTypeError(f"MODEL must be a converted Model, a CompiledModel or a path to an "
                                f"IR .xml, got {type(model).__name__}")
    key = ("model", id(model), threads)
    if key not in _CACHE:
        _CACHE[key] = compile_model(model, "CPU", config)
        weakref.finalize(model, _CACHE.pop, key, None)  # ids are reused once a model dies
    return _CACHE[key]


def to_numpy(value) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # torch.Tensor; torch not imported
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _candidates(value, roots) -> list:
    """Ways ``value`` can be the model's arguments by ``example_input``'s rules, likeliest first."""
    candidates = []
    if isinstance(value, dict) and value and all(k in roots for k in value):
        candidates.append(dict(value))
    if isinstance(value, (tuple, list)) and len(value) == len(roots):
        candidates.append(dict(zip(roots, value)))  # positional (also a 1-tuple around one input)
    if len(roots) == 1:
        candidates.append({roots[0]: value})
    return candidates


def bind_inputs(ports, value) -> list:
    """The flat list of arrays for ``ports`` from ``value`` in the original model's structure."""
    paths = [structure_path(p) for p in ports]
    if not all(paths):  # no structure recorded (a hand-built model): the runtime's own rules
        return value if isinstance(value, dict) or is_leaf(value) else \
            [leaf for _, leaf in flatten(value)]
    roots = list(dict.fromkeys(root_of(p) for p in paths))
    tried = []
    for arguments in _candidates(value, roots):
        leaves = dict(pair for root, arg in arguments.items() for pair in flatten(arg, root))
        if set(leaves) == set(paths):
            return [leaves[p] for p in paths]
        tried.append(sorted(leaves))
    got = (f"a {type(value).__name__} of {len(value)}" if isinstance(value, (tuple, list, dict))
           else f"a {type(value).__name__}")
    detail = f" (read as leaves {tried[0]})" if tried else ""
    raise NotebookValueError(f"the input does not have the structure the model was converted "
                             f"with: expected arguments ({', '.join(roots)}) with leaves {paths}; "
                             f"got {got}{detail}. Pass a tuple in argument order or a dict by "
                             "argument name.")


def _output_paths(ports) -> list:
    paths = [structure_path(p) for p in ports]
    if len(set(paths)) != len(paths):  # no (or ambiguous) structure: name outputs by index
        return [f"[{i}]" if len(paths) > 1 else "" for i in range(len(paths))]
    return paths


def call_arguments(value) -> tuple:
    """``(args, kwargs)`` of a call with ``value``, by ``example_input``'s rules: a dict is keyword
    arguments, a tuple or list is positional arguments, anything else is the one argument."""
    if isinstance(value, dict):
        return (), dict(value)
    if isinstance(value, (tuple, list)):
        return tuple(value), {}
    return (value,), {}


def flat_inputs(compiled, value) -> list:
    """The converted model's flat inputs for ``value`` in the original model's structure.

    Models converted by ov_notebook carry their input tree: it is matched as ``infer_structured``
    matches it (keywords, None arguments, constants). Others (IR from elsewhere, hand-built
    models) are matched by each Parameter's ``structure_path``, or by position.
    """
    try:
        from ..ir.structure import flatten_call
        from ..runtime.structure import model_trees

        input_tree, _ = model_trees(compiled.model)
    except (ImportError, ValueError):  # no recorded tree
        return bind_inputs(compiled.inputs, value)
    try:
        return list(flatten_call(input_tree, *call_arguments(value)))
    except ValueError as error:
        raise NotebookValueError(f"the input does not match the converted model's inputs: "
                                 f"{error}") from None


def converted_leaves(compiled, value) -> list:
    """Run the converted model on ``value``; ``[(path, array)]`` in output order."""
    from ..runtime import InputError

    try:
        results = compiled(flat_inputs(compiled, value))
    except InputError as error:
        raise NotebookValueError(str(error)) from None
    return list(zip(_output_paths(compiled.outputs), [np.asarray(a) for a in results.values()]))


def _as_torch(value):
    """numpy arrays (which the converted side takes) as tensors, for the PyTorch side."""
    import torch

    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_as_torch(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_torch(v) for k, v in value.items()}
    return value


def call_torch(model, value):
    """Call a PyTorch model as ``convert_model`` calls it with ``example_input``."""
    import torch

    args, kwargs = call_arguments(_as_torch(value))
    with torch.no_grad():
        return model(*args, **kwargs)


def torch_leaves(model, value) -> list:
    """Run the PyTorch model on ``value``: ``[(path, array)]`` in the frontend's flattened order."""
    try:
        output = call_torch(model, value)
    except Exception as error:  # noqa: BLE001  the user's model or input: one clear line
        raise NotebookValueError(f"the PyTorch model failed on the input: "
                                 f"{type(error).__name__}: {error}", "--torch") from None
    return [(path, to_numpy(leaf)) for path, leaf in flatten(output)]
