"""Helpers shared by the shape inference of the operation families."""
from __future__ import annotations

import numpy as np

from ..shape import Dimension, PartialShape
from ..types import Type

AUTO_BROADCAST = ("none", "numpy", "pdpd")


def normalize_axis(node, axis: int, rank: int, what="axis") -> int:
    if not -rank <= axis < max(rank, 1) or (rank == 0 and axis not in (0, -1)):
        node.fail(f"{what} {axis} is out of range for rank {rank} (expected [{-rank}, {rank - 1}])")
    return axis + rank if axis < 0 else axis


def normalize_axes(node, axes, rank: int, what="axes") -> list:
    result = [normalize_axis(node, int(a), rank, what) for a in axes]
    if len(set(result)) != len(result):
        node.fail(f"{what} {list(axes)} repeat an axis")
    return result


def broadcast_numpy(node, a: PartialShape, b: PartialShape) -> PartialShape:
    """NumPy broadcasting of two partial shapes."""
    if not a.rank_is_static or not b.rank_is_static:
        return PartialShape.dynamic()
    left, right = list(a), list(b)
    rank = max(len(left), len(right))
    left = [Dimension(1)] * (rank - len(left)) + left
    right = [Dimension(1)] * (rank - len(right)) + right
    dims = []
    for x, y in zip(left, right):
        merged = x.broadcast_merge(y)
        if merged is None:
            node.fail(f"shapes {a} and {b} cannot be broadcast (numpy rules)")
        dims.append(merged)
    return PartialShape(dims)


def broadcast_shapes(node, shapes, mode="numpy") -> PartialShape:
    mode = (mode or "numpy").lower()
    if mode == "none":
        merged = shapes[0]
        for shape in shapes[1:]:
            merged = merged.merge(shape)
            if merged is None:
                node.fail(f"shapes {', '.join(str(s) for s in shapes)} must be equal "
                          "(auto_broadcast is 'none')")
        return merged
    if mode == "pdpd":
        node.fail("auto_broadcast 'pdpd' is not supported")
    result = shapes[0]
    for shape in shapes[1:]:
        result = broadcast_numpy(node, result, shape)
    return result


def merge_types(node, types, what="inputs") -> Type:
    merged = Type.dynamic
    for t in types:
        nxt = merged.merge(t)
        if nxt is None:
            node.fail(f"{what} must have the same element type, got "
                      f"{', '.join(str(x) for x in types)}")
        merged = nxt
    return merged


def value_of(node, index):
    """The known value (numpy array) of input ``index``, or None."""
    return node._inputs[index]._desc.value


def dims_of(node, index):
    """The partly known value of a 1-D integer input as a list of Dimension, or None.

    Known negative values are returned as ints so callers can give them special meanings
    (``-1`` in Reshape); unknown elements are dynamic Dimensions.
    """
    desc = node._inputs[index]._desc
    if desc.value is not None:
        value = desc.value
        if value.ndim > 1:
            return None
        return [int(v) if int(v) < 0 else Dimension(int(v)) for v in value.reshape(-1)]
    return None if desc.dims_value is None else list(desc.dims_value)


def scalar_value(node, index, what):
    """An integer scalar (or 1-element) input whose value must be known, e.g. an axis."""
    value = value_of(node, index)
    if value is None:
        return None
    if value.size != 1:
        node.fail(f"{what} must be a scalar or a 1-element tensor, got shape {list(value.shape)}")
    return value.reshape(-1)[0].item()


def require_integral(node, index, what):
    t = node.get_input_element_type(index)
    if t.is_static and not t.is_integral_number():
        node.fail(f"{what} (input {index}) must be an integer tensor, got {t}")


def require_rank(node, index, ranks, what):
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) not in ranks:
        allowed = " or ".join(str(r) for r in ranks)
        node.fail(f"{what} (input {index}) must have rank {allowed}, got {shape}")


def static_shape_from_dims(dims):
    """A PartialShape from a list mixing Dimensions and ints."""
    return PartialShape([d if isinstance(d, Dimension) else Dimension(d) for d in dims])


def float_types_only(node, index, what="data"):
    t = node.get_input_element_type(index)
    if t.is_static and not t.is_real:
        node.fail(f"{what} (input {index}) must be a floating-point tensor, got {t}")


def as_numpy_dtype(element_type: Type):
    return np.dtype(element_type.to_dtype())
