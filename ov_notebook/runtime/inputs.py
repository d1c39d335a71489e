"""Checking and converting what a compiled model is called with.

Inputs are matched by position, tensor name, index or port; each becomes a C-contiguous numpy array
of the input's element type. Conversions that lose nothing (int32 -> i64, uint8 -> f32, bool ->
f32) happen silently; anything else (f64 -> f32, i64 -> i32, f32 -> i64) is an error naming the
input, as are a wrong rank, a static or bounded dimension out of range, and a wrong input count.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..ir.node import Output
from .tensor import Tensor

__all__ = ["InputError", "prepare_inputs", "to_array", "port_label"]


class InputError(ValueError):
    """Inputs given to a compiled model that do not match its inputs; the message names the input."""


def _as_numpy(value, label: str) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor, without importing torch
        tensor = value.detach().cpu()
        if str(tensor.dtype) == "torch.bfloat16":  # numpy has no bfloat16
            tensor = tensor.float()
        return tensor.resolve_conj().numpy() if tensor.is_conj() else tensor.numpy()
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001  any failure to make an array is the user's input
        raise InputError(f"input {label}: cannot make an array from {type(value).__name__}: "
                         f"{exc}") from None
    if array.dtype == object:
        raise InputError(f"input {label}: expected a numeric array, got {type(value).__name__} "
                         "holding objects")
    return array


def _convert_type(array, value, element_type, label: str) -> np.ndarray:
    target = element_type.to_dtype()
    if isinstance(value, (int, float, bool, list, tuple)):  # Python numbers take the input's type
        converted = array.astype(target)
        if array.dtype.kind in "fc" and target.kind in "iub" and not np.array_equal(converted, array):
            raise InputError(f"input {label} expects {element_type}, got non-integer values")
        return converted
    if np.can_cast(array.dtype, target, casting="safe"):
        return array.astype(target)
    raise InputError(f"input {label} expects element type {element_type}, got a {array.dtype} "
                     f"array, which cannot be converted without loss; convert it first "
                     f"(e.g. .astype(np.{np.dtype(target).name}))")


def _check_shape(array, shape, label: str) -> None:
    if not shape.rank_is_static:
        return
    if array.ndim != len(shape):
        raise InputError(f"input {label} expects rank {len(shape)} (shape {shape}), got an array "
                         f"of shape {list(array.shape)}")
    for axis, (dim, size) in enumerate(zip(shape, array.shape)):
        low, high = dim.get_min_length(), dim.get_max_length()
        if size < low or (high != -1 and size > high):
            raise InputError(f"input {label} expects shape {shape}, got {list(array.shape)} "
                             f"(dimension {axis} is {size}, allowed {dim})")


def to_array(value, port: Output, label: str) -> np.ndarray:
    """``value`` as a C-contiguous array of ``port``'s element type, checked against its shape."""
    array = _as_numpy(value, label)
    element_type = port.get_element_type()
    if element_type.is_static and array.dtype != element_type.to_dtype():
        array = _convert_type(array, value, element_type, label)
    _check_shape(array, port.get_partial_shape(), label)
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def port_label(port: Output, index: int) -> str:
    names = sorted(port.get_names())
    return f"{index} ('{names[0]}')" if names else f"{index}"


def prepare_inputs(model, inputs) -> list:
    """The arrays to feed, in input order, from what the caller passed."""
    ports = model.inputs
    if inputs is None:
        inputs = []
    if isinstance(inputs, Mapping):
        arrays = [None] * len(ports)
        for key, value in inputs.items():
            try:
                port = model.input(key)
            except (KeyError, IndexError, TypeError) as exc:
                raise InputError(f"unknown input {key!r}: {exc.args[0] if exc.args else exc}") \
                    from None
            index = ports.index(port)
            if arrays[index] is not None:
                raise InputError(f"input {port_label(port, index)} is given twice")
            arrays[index] = value
        missing = [port_label(ports[i], i) for i, a in enumerate(arrays) if a is None]
        if missing:
            raise InputError(f"missing inputs: {', '.join(missing)}; the model takes "
                             f"{len(ports)} input{'s' if len(ports) != 1 else ''}")
    elif isinstance(inputs, (list, tuple)):
        arrays = list(inputs)
    else:
        arrays = [inputs]
    if len(arrays) != len(ports):
        raise InputError(f"the model takes {len(ports)} input{'s' if len(ports) != 1 else ''} "
                         f"({', '.join(port_label(p, i) for i, p in enumerate(ports))}), "
                         f"got {len(arrays)}")
    return [to_array(value, port, port_label(port, index))
            for index, (port, value) in enumerate(zip(ports, arrays))]
