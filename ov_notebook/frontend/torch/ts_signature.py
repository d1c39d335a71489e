"""Inputs and outputs of a TorchScript graph as flat model inputs/outputs and structure trees.

A graph traced through the flat wrapper takes and returns flat tensors: its trees come from the
wrapper. A scripted graph is flattened by its argument types (tensors and numbers are leaves,
tuples are flattened; Optional arguments are inputs only when ``example_input`` passes a
tensor), and its outputs by the containers that build the returned value.
"""
from __future__ import annotations

import warnings

from ...ir import structure
from ...ir.shape import PartialShape
from ...ir.types import Type
from ..errors import ConversionError
from .decoded import GraphInput, partial_shape, torch_type
from .node_context import TensorRef

__all__ = ["graph_inputs", "graph_outputs"]

_ABSENT = object()


def graph_inputs(decoder, inputs, input_tree, example):
    """Registers the graph's inputs with ``decoder``; returns the input tree."""
    if input_tree is not None:
        if structure.count_leaves(input_tree) != len(inputs):
            raise ConversionError(f"the traced graph has {len(inputs)} inputs, expected "
                                  f"{structure.count_leaves(input_tree)}")
        for value in inputs:
            decoder.reps[value.debugName()] = _add_input(decoder, value.debugName(), value.type())
        return input_tree
    names = [value.debugName().split(".")[0] for value in inputs]
    given = _bind(names, example)
    items = []
    for value, name in zip(inputs, names):
        rep, item = _typed_input(decoder, value.debugName(), value.type(), name, given[name])
        decoder.reps[value.debugName()] = rep
        items.append(item)
    return structure.call(names, items)


def _bind(names, example):
    """``{argument name: example value or _ABSENT}``."""
    given = {name: _ABSENT for name in names}
    if example is None:
        return given
    args, kwargs = example
    if len(args) > len(names):
        raise ConversionError(f"example_input gives {len(args)} arguments; the scripted model "
                              f"takes {len(names)} ({', '.join(names)})")
    given.update(zip(names, args))
    for key, value in kwargs.items():
        if key not in given:
            raise ConversionError(f"example_input key {key!r} is not an argument of the scripted "
                                  f"model ({', '.join(names)})")
        given[key] = value
    return given


def _add_input(decoder, key, kind, value=_ABSENT):
    element_type, shape = _input_type(kind)
    if value is not _ABSENT and hasattr(value, "shape"):  # the example knows better
        element_type, shape = torch_type(value.dtype), PartialShape(list(value.shape))
    decoder.decoded.inputs.append(GraphInput(key, len(decoder.decoded.inputs), element_type, shape))
    return TensorRef(key)


def _input_type(kind):
    import torch

    if isinstance(kind, torch.OptionalType):
        kind = kind.getElementType()
    if isinstance(kind, torch.TensorType):
        dtype = kind.dtype() if hasattr(kind, "dtype") else None
        sizes = kind.varyingSizes()
        return (torch_type(dtype) if dtype is not None else None), \
            (None if sizes is None else partial_shape(sizes))
    scalar = {torch.IntType: Type.i64, torch.FloatType: Type.f32, torch.BoolType: Type.boolean}
    for torch_kind, element_type in scalar.items():
        if isinstance(kind, torch_kind):
            return element_type, PartialShape([])
    raise ConversionError(f"a scripted model input of type {kind} cannot be converted; its "
                          "inputs must be tensors, numbers, or tuples of them")


def _typed_input(decoder, key, kind, label, value):
    """(rep, tree) of a scripted graph input from its type (and example value, if any)."""
    import torch

    if isinstance(kind, torch.OptionalType):
        if value is _ABSENT:
            # nothing says what to pass: convert as called with the default (None)
            warnings.warn(f"scripted model argument {label!r} is Optional: it is converted as "
                          "None and the converted model has no input for it; pass example_input "
                          "to give it a value", stacklevel=4)
        if value is _ABSENT or value is None:
            return None, structure.none()
        kind = kind.getElementType()
    elif value is None:
        raise ConversionError(f"example_input gives None for {label!r}, which the scripted model "
                              f"types as {kind}")
    if isinstance(kind, torch.TupleType):
        elements = kind.elements()
        if value is not _ABSENT and (not isinstance(value, (tuple, list)) or
                                     len(value) != len(elements)):
            raise ConversionError(f"example_input for {label!r} must be a tuple of "
                                  f"{len(elements)} values")
        reps, items = [], []
        for index, element in enumerate(elements):
            part = _ABSENT if value is _ABSENT else value[index]
            rep, item = _typed_input(decoder, f"{key}.{index}", element, label, part)
            reps.append(rep)
            items.append(item)
        return reps, structure.sequence("tuple", items)
    rep = _add_input(decoder, key, kind, value)
    return rep, structure.leaf(len(decoder.decoded.inputs) - 1)


def graph_outputs(decoded, returned, output_tree):
    """Sets ``decoded.outputs`` (flat) and ``decoded.output_tree``."""
    if output_tree is not None:
        flat = returned if isinstance(returned, list) else [returned]
        if structure.count_leaves(output_tree) != len(flat):
            raise ConversionError(f"the traced graph returns {len(flat)} values, expected "
                                  f"{structure.count_leaves(output_tree)}")
        decoded.outputs, decoded.output_tree = flat, output_tree
        return
    flat = []
    decoded.output_tree = _returned_tree(returned, flat)
    decoded.outputs = flat


def _returned_tree(rep, flat):
    if isinstance(rep, list):
        return structure.sequence("tuple", [_returned_tree(r, flat) for r in rep])
    if isinstance(rep, dict):
        return structure.mapping([str(k) for k in rep], [_returned_tree(r, flat)
                                                         for r in rep.values()])
    if rep is None:
        return structure.none()
    flat.append(rep)
    return structure.leaf(len(flat) - 1)
