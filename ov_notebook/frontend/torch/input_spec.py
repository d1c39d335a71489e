"""``input=``: shapes, element types and names of the flattened model inputs.

Accepted forms (as ``openvino.convert_model``): one shape (``[1, 3, -1, -1]``, a PartialShape,
``"[1,3,?,?]"``, Dimensions such as ``Dimension(1, 10)``), one element type (``Type.f32``, numpy
or torch dtypes), a name, a tuple ``(name, shape, type)`` with any of them left out, a list of
those (one per flattened input, in order; by name when every entry is named), or a dict
``{name: shape | type | tuple}``. Parts left out are taken from ``example_input``.
"""
from __future__ import annotations

import numbers

import numpy as np

from ...ir.shape import Dimension, PartialShape, Shape
from ...ir.types import Type
from ..errors import ConversionError

__all__ = ["InputSpec", "parse_input", "resolve_specs", "element_type_of"]


class InputSpec:
    """What ``input=`` says about one input; None for the parts it leaves out."""

    __slots__ = ("name", "shape", "element_type")

    def __init__(self, name=None, shape=None, element_type=None):
        self.name = name
        self.shape = shape
        self.element_type = element_type

    def __repr__(self):
        return f"InputSpec(name={self.name!r}, shape={self.shape}, type={self.element_type})"


# --- classification -----------------------------------------------------------------------------
def _is_shape_like(value) -> bool:
    if isinstance(value, (PartialShape, Shape)):
        return True
    if isinstance(value, str):
        return value.strip().startswith("[")
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, Dimension) or (isinstance(v, numbers.Integral) and
                                                not isinstance(v, bool)) for v in value)
    return False


def element_type_of(value):
    """The element type of a Type, numpy dtype/scalar type, torch dtype or Python type; else
    None."""
    if isinstance(value, Type):
        return value
    if isinstance(value, type) and value in (float, int, bool):
        return {float: Type.f32, int: Type.i64, bool: Type.boolean}[value]
    if type(value).__name__ == "dtype" and type(value).__module__.startswith("torch"):
        from .decoded import torch_type

        return torch_type(value)
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        try:
            return Type(np.dtype(value))
        except TypeError:
            raise ConversionError(f"input=: numpy dtype {np.dtype(value)} has no element type") \
                from None
    return None


def _to_shape(value, label) -> PartialShape:
    try:
        return PartialShape(value)
    except (TypeError, ValueError) as exc:
        raise ConversionError(f"input= {label}: invalid shape {value!r}: {exc}") from None


def _single(value, label) -> InputSpec:
    """One input's spec from a shape, a type, a name or a (name, shape, type) tuple."""
    spec = InputSpec()
    parts = value if isinstance(value, tuple) and not _is_shape_like(value) else (value,)
    for part in parts:
        element_type = element_type_of(part)
        if element_type is not None and spec.element_type is None:
            spec.element_type = element_type
        elif _is_shape_like(part) and spec.shape is None:
            spec.shape = _to_shape(part, label)
        elif isinstance(part, str) and spec.name is None:
            spec.name = part
        else:
            raise ConversionError(f"input= {label}: cannot read {part!r} as a name, a shape or an "
                                  "element type (or it repeats one of them)")
    return spec


def _looks_single(value) -> bool:
    """A tuple that describes one input: (name, shape, type) with at least a name or a type."""
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return False
    names = sum(isinstance(v, str) and not _is_shape_like(v) for v in value)
    types = sum(element_type_of(v) is not None for v in value)
    shapes = sum(_is_shape_like(v) for v in value)
    return names <= 1 and types <= 1 and shapes <= 1 and names + types >= 1 and \
        names + types + shapes == len(value)


def parse_input(value):
    """``input=`` as a list of InputSpec (by position), a dict name -> InputSpec, or None."""
    if value is None:
        return None
    if isinstance(value, dict):
        parsed = {}
        for name, item in value.items():
            spec = _single(item, repr(name))
            spec.name = str(name)
            parsed[str(name)] = spec
        return parsed
    if _is_shape_like(value) or _looks_single(value) or not isinstance(value, (list, tuple)):
        return [_single(value, "")]
    return [_single(item, f"[{i}]") for i, item in enumerate(value)]


# --- matching specs to inputs --------------------------------------------------------------
def resolve_specs(parsed, input_names) -> list:
    """Per flattened input, its InputSpec (or None). ``input_names``: the inputs' names in order
    (None for unnamed inputs)."""
    count = len(input_names)
    if parsed is None:
        return [None] * count
    if isinstance(parsed, list) and parsed and all(s.name for s in parsed) and \
            all(s.name in input_names for s in parsed):
        parsed = {s.name: s for s in parsed}
    if isinstance(parsed, dict):
        unknown = [name for name in parsed if name not in input_names]
        if unknown:
            raise ConversionError(f"input= names {unknown} are not inputs of the model; its "
                                  f"inputs are {[n for n in input_names if n]}")
        return [parsed.get(name) if name else None for name in input_names]
    if len(parsed) != count:
        raise ConversionError(f"input= describes {len(parsed)} input(s) but the model has {count} "
                              f"flattened input(s): {[n or i for i, n in enumerate(input_names)]}")
    return list(parsed)


def check_against_example(spec, shape, label):
    """Raise when ``spec``'s shape cannot hold an example of ``shape`` (list of ints)."""
    if spec is None or spec.shape is None:
        return
    wanted = spec.shape
    if wanted.rank_is_static and len(wanted) != len(shape):
        raise ConversionError(f"input {label}: input= gives shape {wanted} (rank {len(wanted)}) "
                              f"but example_input has shape {list(shape)}")
    if wanted.rank_is_static:
        for axis, (dim, size) in enumerate(zip(wanted, shape)):
            low, high = dim.get_min_length(), dim.get_max_length()
            if size < low or (high != -1 and size > high):
                raise ConversionError(f"input {label}: example_input has shape {list(shape)}, "
                                      f"outside input= shape {wanted} at dimension {axis}")
