"""Helpers shared by the op builders: turning Python values into Constants, naming nodes."""
from __future__ import annotations

import numbers

import numpy as np

from ..ir.node import Node, Output
from ..ir.ops.core import Constant
from ..ir.types import Type

NodeInput = "Node | Output | int | float | list | numpy.ndarray"


EXPECTED_VALUE = "a node, an output, a number, a (nested) list of numbers or a numpy array"


class BuilderValueError(ValueError):
    """A builder argument that cannot become a Constant; ``value`` is the offending argument, so
    ``ov_notebook.opset`` can name the argument it was given as."""

    def __init__(self, value, message):
        super().__init__(message)
        self.value = value


class BuilderTypeError(TypeError):
    """As BuilderValueError, for a value of the wrong kind (None, a string, an object...)."""

    def __init__(self, value, message):
        super().__init__(message)
        self.value = value


def numeric_array(value) -> np.ndarray:
    """``value`` (a number, nested lists of numbers, a numpy array) as a numeric numpy array."""
    if isinstance(value, np.ndarray):
        array = value
    elif hasattr(value, "__array__") and not isinstance(value, (str, bytes)):  # ov.Tensor, torch
        try:
            array = np.asarray(value)
        except Exception as exc:  # noqa: BLE001  e.g. a torch tensor that requires grad
            raise BuilderTypeError(value, f"cannot read {type(value).__name__} as an array: "
                                          f"{exc}") from None
    elif isinstance(value, (numbers.Number, np.generic, list, tuple)):
        try:
            array = np.asarray(value)
        except ValueError:  # numpy: "setting an array element with a sequence"
            raise BuilderValueError(value, f"expected {EXPECTED_VALUE}, got a ragged list (rows of "
                                           f"different lengths): {_short(value)}") from None
    else:
        raise BuilderTypeError(value, f"expected {EXPECTED_VALUE}, got {type(value).__name__} "
                                      f"{_short(value)}")
    kind = array.dtype.kind
    if kind == "O":
        big = [v for v in array.reshape(-1) if isinstance(v, numbers.Integral)]
        if big and len(big) == array.size:
            raise BuilderValueError(value, f"integer {max(big, key=abs)} does not fit in 64 bits")
        raise BuilderTypeError(value, f"expected {EXPECTED_VALUE}, got {_short(value)} (it holds "
                                      "non-numeric objects)")
    if kind not in "biuf":
        what = {"U": "strings", "S": "bytes", "c": "complex numbers"}.get(kind, f"{array.dtype}")
        raise BuilderTypeError(value, f"expected {EXPECTED_VALUE}, got {_short(value)} (it holds "
                                      f"{what})")
    return array


def is_python_value(value) -> bool:
    """A Python number or (nested) list, whose element type the builder chooses."""
    return isinstance(value, (numbers.Number, list, tuple)) and not isinstance(value, np.generic)


def _short(value, limit=60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_fits(array, element_type, value, why):
    """Python numbers must keep their value in ``element_type``: no silent wrap or truncation."""
    if element_type.is_dynamic() or array.size == 0:
        return
    dtype = element_type.to_dtype() if element_type is not Type.bf16 else np.dtype(np.float32)
    if dtype.kind in "iub" and array.dtype.kind == "f":
        if not (np.all(np.isfinite(array)) and np.all(array == np.round(array))):
            raise BuilderValueError(value, f"{_short(value)} is not an integer, but {why} is "
                                           f"{element_type}")
    if dtype.kind == "b":
        if np.any((array != 0) & (array != 1)):
            raise BuilderValueError(value, f"{_short(value)} is not a boolean (0 or 1), but {why} "
                                           f"is {element_type}")
    elif dtype.kind in "iu" and array.dtype.kind in "iuf":
        info = np.iinfo(dtype)
        low, high = array.min(), array.max()
        if low < info.min or high > info.max:
            raise BuilderValueError(value, f"{_short(value)} does not fit in {element_type} "
                                           f"([{info.min}, {info.max}]), the type of {why}")
    elif dtype.kind == "f" and array.dtype.kind in "iuf":
        finite = np.abs(array[np.isfinite(array)]) if array.dtype.kind == "f" else np.abs(array)
        if finite.size and finite.max() > np.finfo(dtype).max:
            raise BuilderValueError(value, f"{_short(value)} overflows {element_type} (largest "
                                           f"{np.finfo(dtype).max:g}), the type of {why}")


def as_node(value, like=None, dtype=None) -> Output:
    """An Output for ``value``: nodes and outputs pass through, other values become Constants.

    A Python scalar or list takes ``dtype`` if given, else the element type of ``like`` (so
    ``add(x, 1.0)`` adds an f16 constant to an f16 ``x``), else i64 for ints and f32 for floats.
    A Python value that would not keep its value in that type (``add(int32_x, 0.5)``,
    ``add(int32_x, 2**40)``) raises instead of wrapping or truncating.
    """
    if isinstance(value, Output):
        return value
    if isinstance(value, Node):
        return value.output(0)
    array = numeric_array(value)
    python_value = is_python_value(value)
    if dtype is not None:
        element_type = Type(dtype)
        if python_value:
            check_fits(array, element_type, value, "the requested type")
        return Constant(array, element_type).output(0)
    if not python_value:  # numpy arrays and scalars, ov.Tensor, torch tensors: their own dtype
        return Constant(array).output(0)
    if like is not None:
        like_type = as_node(like).get_element_type()
        if like_type.is_static:
            check_fits(array, like_type, value, "the other operand")
            return Constant(array, like_type).output(0)
    if array.dtype == np.float64:
        check_fits(array, Type.f32, value, "a Python float constant (f32)")
        return Constant(array, Type.f32).output(0)
    if array.dtype.kind in "iu":
        return Constant(array, Type.i64).output(0)
    return Constant(array).output(0)


def node_list(values) -> list:
    """The items of a list argument (``concat(nodes)``, ``einsum(inputs)``) as Outputs."""
    if isinstance(values, (Node, Output, str, bytes, np.ndarray)) or not hasattr(values, "__iter__"):
        raise BuilderTypeError(values, f"expected a list of nodes, got {type(values).__name__} "
                                       f"{_short(values)}")
    return list(values)


def as_nodes(*values):
    """Outputs for operands of an element-wise op: scalars take the type of the first node."""
    like = next((v for v in values if isinstance(v, (Node, Output))), None)
    return [as_node(v, like=like) for v in values]


def named(node, name):
    if name is not None:
        node.set_friendly_name(name)
    return node


def is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
