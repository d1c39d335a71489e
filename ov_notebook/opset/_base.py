"""Helpers shared by the op builders: the ``@builder`` decorator, turning Python values into
Constants, naming nodes.

Argument conversions take the name of the argument they convert (``as_node(value, "right_node")``)
and put it in their errors; ``@builder`` puts the builder's name in front of those errors:
``add(): argument 'right_node': expected a node, ..., got str 'x'``.
"""
from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np

from ..ir.node import Node, Output
from ..ir.ops.core import Constant
from ..ir.shape import PartialShape
from ..ir.types import Type

NodeInput = "Node | Output | int | float | list | numpy.ndarray"


EXPECTED_VALUE = "a node, an output, a number, a (nested) list of numbers or a numpy array"


def _where(argument) -> str:
    """``argument 'right_node': `` for ``"right_node"``, ``argument 'nodes'[1]: `` for
    ``"nodes[1]"`` (an item of a list argument); empty when the argument is not known."""
    if argument is None:
        return ""
    name, bracket, index = argument.partition("[")
    return f"argument '{name}'{bracket}{index}: "


class BuilderValueError(ValueError):
    """A builder argument whose value cannot be used (a ragged list, a number that does not fit
    the operand's type). The message starts with the argument's name when it is known;
    ``@builder`` adds the builder's name in front of it."""

    builder = None  # the name of the builder that the message names, once it does

    def __init__(self, message, argument=None):
        super().__init__(_where(argument) + message)


class BuilderTypeError(TypeError):
    """As BuilderValueError, for a value of the wrong kind (None, a string, an object...)."""

    builder = None

    def __init__(self, message, argument=None):
        super().__init__(_where(argument) + message)


_ABSENT = object()


# openvino name -> builders of older op versions (``@builder(older_version_of="topk")``), which
# the opsetN modules (ov_notebook/opset1.py ...) pick for the opsets before the newest version
OLDER_VERSIONS: dict = {}


def builder(function=None, *, none_allowed=(), older_version_of=None):
    """Decorates an op builder: errors of its argument conversions (BuilderTypeError,
    BuilderValueError, which name the argument) get the builder's name in front, and None for an
    argument without a default is refused up front (a None would otherwise become an attribute's
    default, or fail deep inside numpy). ``none_allowed`` lists the exceptions
    (``parameter(None)`` has a dynamic rank). ``older_version_of`` marks a private builder
    (``_topk_3``) of an older version of the op that builder builds: ``ov_notebook.opset8.topk``
    is ``_topk_3``, with opset8's signature, and errors name it ``topk``. The op version of a
    builder is the ``version`` of the op class its return annotation names.

        >>> @builder
        ... def relu(node, name=None):
        ...     return spec.Relu(as_node(node, "node"), name=name)
    """
    if function is None:
        return functools.partial(builder, none_allowed=none_allowed,
                                 older_version_of=older_version_of)
    name = older_version_of or function.__name__
    required = [(index, parameter.name)
                for index, parameter in enumerate(inspect.signature(function).parameters.values())
                if parameter.default is parameter.empty and parameter.name not in none_allowed
                and parameter.kind is parameter.POSITIONAL_OR_KEYWORD]

    @functools.wraps(function)
    def build(*args, **kwargs):
        for index, argument in required:
            given = args[index] if index < len(args) else kwargs.get(argument, _ABSENT)
            if given is None:
                error = BuilderTypeError(f"{name}(): argument '{argument}' is required, got None")
                error.builder = name
                raise error
        try:
            return function(*args, **kwargs)
        except (BuilderTypeError, BuilderValueError) as error:
            if error.builder is None:  # a builder called by this one has named itself already
                error.builder = name
                error.args = (f"{name}(): {error}",)
            raise

    if older_version_of:
        OLDER_VERSIONS.setdefault(older_version_of, []).append(build)
    return build


def numeric_array(value, argument=None) -> np.ndarray:
    """``value`` (a number, nested lists of numbers, a numpy array) as a numeric numpy array;
    errors name ``argument``."""
    if isinstance(value, np.ndarray):
        array = value
    elif hasattr(value, "__array__") and not isinstance(value, (str, bytes)):  # ov.Tensor, torch
        try:
            array = np.asarray(value)
        except Exception as exc:  # noqa: BLE001  e.g. a torch tensor that requires grad
            raise BuilderTypeError(f"cannot read {type(value).__name__} as an array: {exc}",
                                   argument) from None
    elif isinstance(value, (numbers.Number, np.generic, list, tuple)):
        try:
            array = np.asarray(value)
        except ValueError:  # numpy: "setting an array element with a sequence"
            raise BuilderValueError(f"expected {EXPECTED_VALUE}, got a ragged list (rows of "
                                    f"different lengths): {_short(value)}", argument) from None
    else:
        raise BuilderTypeError(f"expected {EXPECTED_VALUE}, got {type(value).__name__} "
                               f"{_short(value)}", argument)
    kind = array.dtype.kind
    if kind == "O":
        big = [v for v in array.reshape(-1) if isinstance(v, numbers.Integral)]
        if big and len(big) == array.size:
            raise BuilderValueError(f"integer {max(big, key=abs)} does not fit in 64 bits",
                                    argument)
        raise BuilderTypeError(f"expected {EXPECTED_VALUE}, got {_short(value)} (it holds "
                               "non-numeric objects)", argument)
    if kind not in "biuf":
        what = {"U": "strings", "S": "bytes", "c": "complex numbers"}.get(kind, f"{array.dtype}")
        raise BuilderTypeError(f"expected {EXPECTED_VALUE}, got {_short(value)} (it holds "
                               f"{what})", argument)
    return array


def is_python_value(value) -> bool:
    """A Python number or (nested) list, whose element type the builder chooses."""
    return isinstance(value, (numbers.Number, list, tuple)) and not isinstance(value, np.generic)


def _short(value, limit=60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_fits(array, element_type, value, why, argument=None):
    """Python numbers must keep their value in ``element_type``: no silent wrap or truncation."""
    if element_type.is_dynamic() or array.size == 0:
        return
    dtype = element_type.to_dtype() if element_type is not Type.bf16 else np.dtype(np.float32)
    if dtype.kind in "iub" and array.dtype.kind == "f":
        if not (np.all(np.isfinite(array)) and np.all(array == np.round(array))):
            raise BuilderValueError(f"{_short(value)} is not an integer, but {why} is "
                                    f"{element_type}", argument)
    if dtype.kind == "b":
        if np.any((array != 0) & (array != 1)):
            raise BuilderValueError(f"{_short(value)} is not a boolean (0 or 1), but {why} is "
                                    f"{element_type}", argument)
    elif dtype.kind in "iu" and array.dtype.kind in "iuf":
        info = np.iinfo(dtype)
        low, high = array.min(), array.max()
        if low < info.min or high > info.max:
            raise BuilderValueError(f"{_short(value)} does not fit in {element_type} "
                                    f"([{info.min}, {info.max}]), the type of {why}", argument)
    elif dtype.kind == "f" and array.dtype.kind in "iuf":
        finite = np.abs(array[np.isfinite(array)]) if array.dtype.kind == "f" else np.abs(array)
        if finite.size and finite.max() > np.finfo(dtype).max:
            raise BuilderValueError(f"{_short(value)} overflows {element_type} (largest "
                                    f"{np.finfo(dtype).max:g}), the type of {why}", argument)


def as_node(value, argument=None, *, like=None, dtype=None) -> Output:
    """An Output for ``value``: nodes and outputs pass through, other values become Constants;
    errors name ``argument`` (the builder's parameter that ``value`` was given as).

    A Python scalar or list takes ``dtype`` if given, else the element type of ``like`` (so
    ``add(x, 1.0)`` adds an f16 constant to an f16 ``x``), else i64 for ints and f32 for floats.
    A Python value that would not keep its value in that type (``add(int32_x, 0.5)``,
    ``add(int32_x, 2**40)``) raises instead of wrapping or truncating.

        >>> as_node(1.0, "beta", like=x)  # an f16 Constant when x is f16
    """
    if isinstance(value, Output):
        return value
    if isinstance(value, Node):
        return value.output(0)
    if argument is not None and not isinstance(argument, str):
        raise TypeError(f"as_node(): 'argument' names the argument being converted (a str), got "
                        f"{type(argument).__name__}; give like= and dtype= by keyword")
    array = numeric_array(value, argument)
    python_value = is_python_value(value)
    if dtype is not None:
        element_type = Type(dtype)
        if python_value:
            check_fits(array, element_type, value, "the requested type", argument)
        return Constant(array, element_type).output(0)
    if not python_value:  # numpy arrays and scalars, ov.Tensor, torch tensors: their own dtype
        return Constant(array).output(0)
    if like is not None:
        like_type = as_node(like).get_element_type()
        if like_type.is_static:
            check_fits(array, like_type, value, "the other operand", argument)
            return Constant(array, like_type).output(0)
    if array.dtype == np.float64:
        check_fits(array, Type.f32, value, "a Python float constant (f32)", argument)
        return Constant(array, Type.f32).output(0)
    if array.dtype.kind in "iu":
        return Constant(array, Type.i64).output(0)
    return Constant(array).output(0)


def as_nodes(*values) -> list:
    """Outputs for operands of an element-wise op: scalars take the type of the first node."""
    like = next((v for v in values if isinstance(v, (Node, Output))), None)
    return [as_node(v, like=like) for v in values]


def as_operands(**arguments) -> list:
    """As ``as_nodes``, for builder arguments given by name, which errors name:
    ``left, right = as_operands(left_node=left_node, right_node=right_node)``."""
    like = next((v for v in arguments.values() if isinstance(v, (Node, Output))), None)
    return [as_node(value, argument, like=like) for argument, value in arguments.items()]


_ONE_VALUE = (Node, Output, str, bytes, np.ndarray)  # iterable, but not a list of nodes


def node_list(values, argument, *, same_type=False) -> list:
    """The items of a list argument (``concat(nodes)``, ``einsum(inputs)``) as Outputs; with
    ``same_type`` Python numbers take the type of the first node, as in ``as_nodes``."""
    if not hasattr(values, "__iter__") or isinstance(values, _ONE_VALUE):
        raise BuilderTypeError(f"expected a list of nodes, got {type(values).__name__} "
                               f"{_short(values)}", argument)
    values = list(values)
    like = next((v for v in values if isinstance(v, (Node, Output))), None) if same_type else None
    return [as_node(value, f"{argument}[{index}]", like=like) for index, value in enumerate(values)]


def element_type(value, argument) -> Type:
    """``Type(value)`` (an element type, its name or a numpy dtype); errors name ``argument``."""
    try:
        return Type(value)
    except (TypeError, ValueError) as exc:
        raise BuilderTypeError(str(exc), argument) from None


def partial_shape(value, argument) -> PartialShape:
    """``PartialShape(value)`` (a list, ``-1`` or ``"?"`` for a dynamic dimension, a string);
    errors name ``argument``."""
    try:
        return PartialShape(value)
    except TypeError as exc:
        raise BuilderTypeError(str(exc), argument) from None
    except ValueError as exc:
        raise BuilderValueError(str(exc), argument) from None


def named(node, name):
    if name is not None:
        node.set_friendly_name(name)
    return node
