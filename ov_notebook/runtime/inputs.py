"""Checking and converting what a compiled model is called with.

Inputs are matched by position, tensor name, index or port; each becomes a C-contiguous numpy array
of the input's element type, converted as OpenVINO converts (``openvino``'s data dispatcher, found
by experiment against it):

- a numpy array (or a torch tensor, or anything with ``__array__``) of any real dtype is cast to
  the input's type with ``astype``: f64 -> f32 rounds, floats truncate toward zero into integer
  inputs, integers wrap into narrower ones, floats too large for f16/f32 become inf. Floats that no
  integer holds (NaN, inf, out of range) are refused where numpy's cast is undefined; complex and
  string arrays are refused (OpenVINO drops the imaginary part, parses numeric strings);
- a 0-d array for an input of one element takes the input's shape, as in OpenVINO;
- a ``Tensor`` is used as it is: one of another element type is refused, as OpenVINO refuses it
  (a bf16 Tensor fed to a float input gives its values);
- Python numbers (lists, scalars) take the input's type, if it holds them: whole numbers within an
  integer type's range, finite floats that stay finite (OpenVINO refuses lists whose own dtype,
  int64 or float64, is not the input's);
- a bf16 input takes raw bf16 bits (uint16 data, bf16 Tensors), torch bfloat16 tensors, Python
  numbers (rounded to bf16) and data bf16 holds exactly.

A wrong rank, a static or bounded dimension out of range and a wrong input count are errors
naming the input.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..ir.node import Output
from ..ir.ops.core import _array_for, bf16_to_f32
from ..ir.types import NF4_VALUES, Type
from .errors import InputError, InputTypeError
from .tensor import Tensor

__all__ = ["InputError", "prepare_inputs", "to_array", "port_label", "input_signature",
           "matching_arrays"]


def _as_numpy(value, label: str, element_type: Type) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Tensor):  # bf16 bits widen to f32 unless the input is bf16 itself
        if value.element_type is Type.bf16 and element_type is not Type.bf16:
            return bf16_to_f32(value.data)
        values = value._values()  # packed types unpacked, one value per element
        return NF4_VALUES[values] if value.element_type is Type.nf4 else values
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor, without importing torch
        return _torch_data(value, label, element_type)
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001  any failure to make an array is the user's input
        raise InputError(f"input {label}: cannot make an array from {type(value).__name__}: "
                         f"{exc}") from None
    if array.dtype == object:
        if array.size and all(isinstance(v, int) for v in array.flat):
            raise InputError(f"input {label}: the integers from {min(array.flat)} to "
                             f"{max(array.flat)} do not fit in 64 bits")
        error = InputTypeError if value is None or array.ndim == 0 else InputError
        raise error(f"input {label}: expected a numeric array, got {type(value).__name__} "
                         "holding objects")
    return array


def _torch_data(tensor, label: str, element_type: Type) -> np.ndarray:
    """A torch tensor's values as numpy (bf16 rounds back exactly into a bf16 input's bits)."""
    needed = "a dense CPU tensor with data"
    if getattr(tensor, "is_meta", False):
        raise InputError(f"input {label}: a torch tensor on the meta device has only a shape, no "
                         f"data; expected {needed}")
    if str(tensor.layout) != "torch.strided":
        raise InputError(f"input {label}: a torch tensor of layout {tensor.layout}; expected "
                         f"{needed} (x.to_dense())")
    try:
        tensor = tensor.detach().cpu()
        if str(tensor.dtype) == "torch.bfloat16":  # numpy has no bfloat16; f32 holds it exactly
            array = tensor.float().numpy()
            return _array_for(array, Type.bf16) if element_type is Type.bf16 else array
        return tensor.resolve_conj().numpy() if tensor.is_conj() else tensor.numpy()
    except (RuntimeError, TypeError, NotImplementedError) as exc:
        raise InputError(f"input {label}: cannot read the torch tensor ({exc}); expected "
                         f"{needed}") from None


def _convert_type(array, value, element_type, label: str) -> np.ndarray:
    """``array`` in the input's type, by OpenVINO's rules (see the module docstring)."""
    if isinstance(value, (int, float, bool, list, tuple)):  # Python numbers take the input's type
        return _from_python_numbers(array, element_type, label)
    if isinstance(value, Tensor) and value.element_type is not Type.bf16:
        raise InputError(f"input {label} expects element type {element_type}, got a Tensor of "
                         f"{value.element_type} ({value.data.dtype}); a Tensor is used as it is, "
                         f"never converted (as in OpenVINO): pass a numpy array to have it "
                         f"converted, or a Tensor of {element_type}")
    if array.dtype.kind not in "biuf":
        kind = "complex" if array.dtype.kind == "c" else "non-numeric"
        raise InputError(f"input {label} expects element type {element_type}, got a {array.dtype} "
                         f"array of {kind} values, which ov_notebook does not convert; convert it "
                         f"first (e.g. .astype(np.{np.dtype(element_type.to_dtype()).name}))")
    if element_type is Type.bf16:
        if array.dtype.kind == "b" or array.dtype in (np.int8, np.uint8):  # exact in bf16
            return _array_for(array.astype(np.float32), Type.bf16)
        raise InputError(f"input {label} expects element type bf16, got a {array.dtype} array, "
                         f"which cannot be converted without loss; round it to bf16 with "
                         f"ov.Tensor(x, type='bf16') (a uint16 array is taken as raw bf16 bits)")
    target = element_type.to_dtype()
    if array.dtype.kind == "f" and target.kind in "iu":
        _check_float_to_integer(array, element_type, label)
    with np.errstate(over="ignore", invalid="ignore"):  # f64 -> f32/f16 may overflow to inf, as C
        return array.astype(target)


def _check_float_to_integer(array, element_type, label: str) -> None:
    """Floats truncate toward zero into an integer input (as OpenVINO's ``astype``); NaN, inf
    and values beyond the type's range have no defined result in C or numpy, so they are refused
    instead of giving whatever the machine makes of them."""
    if array.size == 0:
        return
    if not np.all(np.isfinite(array)):
        raise InputError(f"input {label} expects element type {element_type}, got a "
                         f"{array.dtype} array holding NaN or inf, which no integer holds")
    info = np.iinfo(element_type.to_dtype())
    smallest, largest = float(array.min()), float(array.max())
    if np.trunc(smallest) < info.min or np.trunc(largest) > info.max:
        raise InputError(f"input {label} expects element type {element_type}, which holds "
                         f"{info.min} to {info.max}; got a {array.dtype} array with values from "
                         f"{smallest:g} to {largest:g}")


def _reshape_scalar_array(array, value, shape):
    """A 0-d array for an input of one element takes the input's shape, as OpenVINO reshapes it
    (``np.array(2.0)`` for ``[1, 1]``; ``[1]`` for a dynamic rank-1 input); Python and numpy
    scalars (``2.0``, ``np.float32(2)``) are not reshaped, as in OpenVINO."""
    if array.ndim != 0 or isinstance(value, (np.generic, int, float, bool)) \
            or not shape.rank_is_static or len(shape) == 0:
        return array
    if shape.is_static and int(np.prod([d.get_length() for d in shape])) == 1:
        return array.reshape([d.get_length() for d in shape])
    if len(shape) == 1:
        return array.reshape(1)
    return array


def _from_python_numbers(array, element_type, label: str) -> np.ndarray:
    """Python numbers in the input's type; values that the type cannot hold are refused."""
    if array.dtype.kind not in "biuf":
        kind = "complex" if array.dtype.kind == "c" else f"non-numeric ({array.dtype})"
        raise InputError(f"input {label} expects {element_type}, got {kind} values")
    if element_type.to_dtype().kind in "iub" and element_type is not Type.bf16:
        _check_integers(array, element_type, label)
        return array.astype(element_type.to_dtype())
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked below
        converted = _array_for(array, element_type)
    widened = bf16_to_f32(converted) if element_type is Type.bf16 else converted
    if array.dtype.kind in "iuf" and np.any(np.isfinite(array) & ~np.isfinite(widened)):
        finite = array[np.isfinite(array)]
        raise InputError(f"input {label} expects {element_type}, whose finite values lie within "
                         f"±{_largest_float(element_type):g}; got values from {finite.min():g} "
                         f"to {finite.max():g}, which would overflow to inf")
    return converted


def _largest_float(element_type) -> float:
    if element_type is Type.bf16:
        return float(bf16_to_f32(np.array([0x7F7F], np.uint16))[0])
    return float(np.finfo(element_type.to_dtype()).max)


def _check_integers(array, element_type, label: str) -> None:
    """Python numbers bound for an integer or boolean input: whole and within its range."""
    if array.size == 0:
        return
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise InputError(f"input {label} expects {element_type}, got non-finite values")
    if array.dtype.kind == "f" and np.any(array != np.trunc(array)):
        raise InputError(f"input {label} expects {element_type}, got non-integer values")
    target = element_type.to_dtype()
    low, high = (0, 1) if target.kind == "b" else (int(np.iinfo(target).min),
                                                    int(np.iinfo(target).max))
    smallest, largest = array.min().item(), array.max().item()  # Python compares exactly
    if smallest < low or largest > high:
        raise InputError(f"input {label} expects {element_type}, which holds {low} to {high}; "
                         f"got values from {smallest} to {largest}")


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
    element_type = port.get_element_type()
    array = _as_numpy(value, label, element_type)
    same_tensor = isinstance(value, Tensor) and value.element_type is element_type
    if element_type.is_packed and not isinstance(value, Tensor):
        array = _packed_input(array, element_type, label)
    elif element_type.is_static and array.dtype != element_type.to_dtype() and not same_tensor:
        array = _convert_type(array, value, element_type, label)
    elif isinstance(value, Tensor) and value.element_type is not element_type and \
            element_type.is_static:
        array = _convert_type(array, value, element_type, label)  # refuses (same numpy dtype)
    array = _reshape_scalar_array(array, value, port.get_partial_shape())
    _check_shape(array, port.get_partial_shape(), label)
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def _packed_input(array, element_type, label: str) -> np.ndarray:
    """Values for a u1/u4/i4/nf4 input, one per element (OpenVINO takes only a packed Tensor):
    u4/i4 must be in range, nf4 values take the nearest of its 16 values."""
    if array.dtype.kind not in "biuf":
        raise InputError(f"input {label} expects {element_type} values, got a {array.dtype} "
                         f"array")
    try:
        stored = _array_for(array, element_type)
    except ValueError as exc:
        raise InputError(f"input {label}: {exc}") from None
    return NF4_VALUES[stored] if element_type is Type.nf4 else stored


def port_label(port: Output, index: int) -> str:
    names = sorted(port.get_names())
    return f"{index} ('{names[0]}')" if names else f"{index}"


def input_signature(ports) -> tuple:
    """Per input, the ``(element type, dtype, shape)`` of the data that ``to_array`` would return
    as it is: a static shape and a plain element type; None for the inputs whose data always
    take the full checks (dynamic shapes, packed and bf16 types)."""
    signature = []
    for port in ports:
        element_type, shape = port.get_element_type(), port.get_partial_shape()
        plain = element_type.is_static and not element_type.is_packed and \
            element_type is not Type.bf16 and shape.is_static
        signature.append((element_type, element_type.to_dtype(), tuple(shape.to_shape()))
                         if plain else None)
    return tuple(signature)


def matching_arrays(signature: tuple, inputs):
    """The list ``prepare_inputs`` would make of ``inputs``, when it is one numpy array or a
    list/tuple of arrays and Tensors of exactly their input's element type, each C-contiguous of
    its input's dtype and static shape (``to_array`` would return each as it is); None
    otherwise, for the full checks. The common calls (``request.infer([x])`` with ready arrays,
    ``infer()`` after filling the request's tensors) then skip the per-input checks."""
    if inputs.__class__ is np.ndarray or inputs.__class__ is Tensor:
        inputs = (inputs,)
    elif inputs.__class__ is not list and inputs.__class__ is not tuple:
        return None
    if len(inputs) != len(signature):
        return None
    arrays = []
    for value, expected in zip(inputs, signature):
        if expected is None:
            return None
        if value.__class__ is Tensor:
            if value.element_type is not expected[0]:
                return None
            value = value.data
        if value.__class__ is not np.ndarray or value.dtype != expected[1] or \
                value.shape != expected[2] or not value.flags.c_contiguous:
            return None
        arrays.append(value)
    return arrays


def prepare_inputs(model, inputs, signature=None) -> list:
    """The arrays to feed, in input order, from what the caller passed. ``signature``: the
    model's ``input_signature``, computed once, to take ready arrays without checking them."""
    if signature is not None and (arrays := matching_arrays(signature, inputs)) is not None:
        return arrays
    ports = model.inputs
    if inputs is None:
        inputs = []
    if isinstance(inputs, Mapping):
        arrays = [None] * len(ports)
        for key, value in inputs.items():
            try:
                port = model.input(key)
            except (KeyError, IndexError, TypeError) as exc:
                error = InputTypeError if isinstance(exc, TypeError) else InputError
                raise error(f"unknown input {key!r}: {exc.args[0] if exc.args else exc}") from None
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
