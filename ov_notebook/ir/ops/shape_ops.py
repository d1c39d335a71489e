"""Shape-changing data movement: Reshape-1, Squeeze-15, Unsqueeze-1, Transpose-1.

Each op also evaluates its value on small known inputs and passes partly known shape vectors
(``dims_value``) through, so ``ShapeOf -> Gather -> Concat -> Reshape`` chains infer static shapes.
"""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ._movement import INT64_MAX as _MAX, as_dimension, fail, interval, times
from ._util import dims_of, require_integral, value_of



def _pattern_length(node, index):
    """The static element count of a 1-D input, 0 for a scalar, None when unknown."""
    shape = node.get_input_partial_shape(index)
    if not shape.rank_is_static:
        return None
    if len(shape) == 0:
        return 0
    return shape[0].get_length() if shape[0].is_static else None


def _check_rank_at_most_one(node, index, what):
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) > 1:
        node.fail(f"{what} (input {index}) must be a scalar or a 1-D tensor, got shape {shape}")


def _pass_dims(node, count):
    """``dims_value`` of input 0 when the op only regroups a 1-D or 0-D shape vector."""
    dims = dims_of(node, 0)
    shape = node.get_output_partial_shape(0)
    if dims is None or not shape.rank_is_static or len(shape) > 1 or len(dims) != count:
        return None
    if len(shape) == 1 and not shape[0] == count:
        return None
    return dims


# ----------------------------------------------------------------------------------------------
# Reshape: the product bookkeeping follows OpenVINO's reshape_shape_inference.hpp
# ----------------------------------------------------------------------------------------------
class _Product:
    """Input and output element counts as (static, dynamic) interval pairs."""

    def __init__(self):
        self.inputs, self.outputs = [], []
        self.infinite = False

    def totals(self):
        outs = list(self.outputs)
        static_in = dynamic_in = static_out = dynamic_out = (1, 1)
        if self.infinite:
            dynamic_in = dynamic_out = (0, _MAX)
        for d in self.inputs:
            # equal static dims cancel (OpenVINO also cancels equal symbols, which we do not track)
            match = next((i for i, o in enumerate(outs) if d.is_static and d == o and d != 0), None)
            if match is not None:
                del outs[match]
            elif d.is_static:
                static_in = times(static_in, interval(d))
            else:
                dynamic_in = times(dynamic_in, interval(d))
        for d in outs:
            if d.is_static:
                static_out = times(static_out, interval(d))
            else:
                dynamic_out = times(dynamic_out, interval(d))
        if static_in != static_out:
            dynamic_in, dynamic_out = times(dynamic_in, static_in), times(dynamic_out, static_out)
        return static_in[0], static_out[0], dynamic_in, dynamic_out


def _resolve_minus_one(node, product):
    static_in, static_out, (low, high), (out_low, out_high) = product.totals()
    if low == high and out_low == out_high:
        if out_low in (0, 1):
            if static_out == 0 and static_in != 0:
                node.fail("cannot infer the -1 dimension: the other output dimensions are "
                          "zero-size while the input is not")
            return Dimension(low)
        if low % out_low:
            node.fail("the non -1 output dimensions do not evenly divide the input dimensions")
        return Dimension(low // out_low)
    unknown_divisor = out_low == 0 and out_high == _MAX
    new_high = high // out_low if high != _MAX and out_low != 0 and not unknown_divisor else _MAX
    new_low = -(-low // out_high) if out_high != 0 else low
    if new_high != _MAX and new_low > new_high:
        node.fail("the non -1 output dimensions do not evenly divide the input dimensions")
    return as_dimension((new_low, new_high))


def _reshape_pattern(node, pattern):
    """Pattern elements as Dimensions and the position of -1 (or None)."""
    dims, minus_one = [], None
    for i, p in enumerate(pattern):
        if isinstance(p, int):
            if p != -1:
                node.fail(f"shape element {i} is {p}: the only negative value allowed is -1")
            if minus_one is not None:
                node.fail("more than one dimension of the target shape is -1")
            minus_one = i
            dims.append(Dimension())
        else:
            dims.append(p)
    return dims, minus_one


def _reshape_infer(node, shape, pattern, special_zero):
    dims, minus_one = _reshape_pattern(node, pattern)
    product, output = _Product(), []
    if not shape.rank_is_static:
        for d in dims:
            if special_zero and d == 0:
                output.append(Dimension())
                product.infinite = True
            else:
                output.append(d)
                product.outputs.append(d)
    else:
        inputs = list(shape)
        for i, d in enumerate(dims):
            copied = special_zero and d == 0
            if i == minus_one:
                output.append(Dimension())
            elif copied:
                if i >= len(inputs):
                    node.fail(f"special_zero copies input dimension {i}, but the input has rank "
                              f"{len(inputs)}")
                output.append(inputs[i])
            else:
                output.append(d)
                product.outputs.append(d)
            if i < len(inputs) and not copied:
                product.inputs.append(inputs[i])
        product.inputs.extend(inputs[len(dims):])
    if minus_one is not None:
        output[minus_one] = _resolve_minus_one(node, product)
    elif shape.is_static and all(d.is_static for d in output):
        size_in = int(np.prod(shape.to_list()))
        size_out = int(np.prod([d.get_length() for d in output]))
        if size_in != size_out and not (special_zero and any(d == 0 for d in dims)):
            node.fail(f"cannot reshape {shape} ({size_in} elements) to {PartialShape(output)} "
                      f"({size_out} elements)")
    return PartialShape(output)


def reshape_target(input_shape, pattern, special_zero) -> tuple:
    """The static output shape of Reshape-1 for a static input shape and a known pattern."""
    output, minus_one = [], None
    pattern = [int(v) for v in pattern]
    if pattern.count(-1) > 1 or any(p < -1 for p in pattern):
        raise ValueError(f"shape pattern {pattern} may hold one -1 and otherwise sizes >= 0")
    for i, p in enumerate(pattern):
        if p == -1:
            minus_one = i
        if special_zero and p == 0 and i >= len(input_shape):
            raise ValueError(f"shape pattern {pattern}: 0 at position {i} copies an input "
                             f"dimension, but the input {list(input_shape)} has rank "
                             f"{len(input_shape)}")
        output.append(input_shape[i] if special_zero and p == 0 else p)
    total = int(np.prod(input_shape))
    if minus_one is not None:
        known = int(np.prod([d for i, d in enumerate(output) if i != minus_one]))
        output[minus_one] = total // known if known else (1 if total == 0 else 0)
    if int(np.prod(output)) != total:
        raise ValueError(f"cannot reshape {list(input_shape)} ({total} elements) to "
                         f"{output} ({int(np.prod(output))} elements), from the pattern {pattern}")
    return tuple(output)


@register_op
class Reshape(Op):
    """Reshape-1: ``data`` with the shape given by ``shape``; -1 infers one dimension and, with
    ``special_zero``, 0 copies the input dimension at the same position."""

    type_name = "Reshape"
    inputs_spec = ("data", "shape")
    attrs = (Attr("special_zero", "bool", False),)

    def infer(self):
        require_integral(self, 1, "shape")
        _check_rank_at_most_one(self, 1, "shape")
        pattern = dims_of(self, 1)
        special_zero = self._attrs["special_zero"]
        shape = self.get_input_partial_shape(0)
        element_type = self.get_input_element_type(0)
        pattern_rank = self.get_input_partial_shape(1)
        if pattern_rank.rank_is_static and len(pattern_rank) == 0:  # a scalar pattern: a scalar
            if pattern is not None and not pattern[0] == 1:
                self.fail(f"a scalar shape pattern must be 1, got {pattern[0]}")
            if shape.rank_is_static and any(not d.compatible(1) for d in shape):
                self.fail(f"a scalar shape pattern needs a one-element input, got {shape}")
            return self.set_output_type(0, element_type, [])
        if pattern is None:
            length = _pattern_length(self, 1)
            return self.set_output_type(0, element_type, PartialShape.dynamic(length))
        self.set_output_type(0, element_type, _reshape_infer(self, shape, pattern, special_zero))

    def evaluate(self, values):
        pattern = values[1].reshape(-1)
        target = reshape_target(values[0].shape, pattern, self._attrs["special_zero"])
        return [values[0].reshape(target)]

    def evaluate_dims(self):
        dims = dims_of(self, 0)
        return None if dims is None else _pass_dims(self, len(dims))


# ----------------------------------------------------------------------------------------------
# Squeeze / Unsqueeze
# ----------------------------------------------------------------------------------------------
@register_op
class Squeeze(Op):
    """Squeeze-15: removes the size-1 dimensions listed in ``axes`` (all of them without ``axes``);
    a listed dimension that is not 1 stays. With ``allow_axis_skip`` a listed dynamic dimension
    that may be 1 makes the output rank dynamic instead of being removed."""

    type_name = "Squeeze"
    version = "opset15"
    inputs_spec = ("data", "axes?")
    attrs = (Attr("allow_axis_skip", "bool", False),)

    def _axes(self, rank):
        """Normalized axes, [] for "every size-1 dimension", or None when unknown."""
        if len(self._inputs) == 1:
            return []
        axes = value_of(self, 1)
        return None if axes is None else sorted(set(normalize_axes_loose(self, axes, rank)))

    def infer(self):
        element_type = self.get_input_element_type(0)
        shape = self.get_input_partial_shape(0)
        if len(self._inputs) == 2:
            require_integral(self, 1, "axes")
            _check_rank_at_most_one(self, 1, "axes")
        if not shape.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        axes = self._axes(len(shape))
        if axes is None:
            count = self.get_input_partial_shape(1)
            single = count.is_static and int(np.prod(count.to_list())) == 1 and len(shape) > 0
            maybe = any(d.compatible(1) for d in shape)
            unknown = not single or maybe
            return self.set_output_type(0, element_type,
                                        PartialShape.dynamic() if unknown else shape)
        self.set_output_type(0, element_type, self._squeezed(shape, axes))

    def _squeezed(self, shape, axes):
        if not axes:
            if any(d.is_dynamic and d.compatible(1) for d in shape):
                return PartialShape.dynamic()
            return PartialShape([d for d in shape if not d.compatible(1)])
        if self._attrs.get("allow_axis_skip", False) and any(
                shape[a].is_dynamic and shape[a].compatible(1) for a in axes):
            return PartialShape.dynamic()
        return PartialShape([d for i, d in enumerate(shape)
                             if i not in axes or not d.compatible(1)])

    def evaluate(self, values):
        data = values[0]
        axes = [] if len(values) == 1 else normalize_axes_loose(self, values[1], data.ndim)
        return [data.reshape(squeezed_shape(data.shape, axes))]

    def evaluate_dims(self):
        dims = dims_of(self, 0)
        return None if dims is None else _pass_dims(self, len(dims))


@register_op
class Squeeze1(Squeeze):
    """Squeeze-1 (opset1 in IR): Squeeze without ``allow_axis_skip`` (read from older IR)."""

    version = "opset1"
    attrs = ()


def normalize_axes_loose(node, axes, rank):
    """Axes in [-rank, rank) made non-negative; repeated axes are allowed (Squeeze, Unsqueeze)."""
    values = [int(a) for a in np.asarray(axes).reshape(-1)]
    return [a + rank if a < 0 else a for a in _in_range(node, values, rank)]


def _in_range(node, axes, rank):
    for a in axes:
        if not -rank <= a < max(rank, 1):
            fail(node, f"axis {a} is out of range for rank {rank} (expected [{-rank}, {rank - 1}])")
    return axes


def squeezed_shape(shape, axes) -> tuple:
    """The shape Squeeze-15 produces at run time (a listed dimension that is not 1 stays)."""
    if len(axes) == 0:
        return tuple(d for d in shape if d != 1)
    axes = set(axes)
    return tuple(d for i, d in enumerate(shape) if i not in axes or d != 1)


def unsqueezed_shape(node, shape, axes):
    """Unsqueeze-1 on a list of dims: repeated axes are removed before and after normalization."""
    unique = list(dict.fromkeys(int(a) for a in axes))
    if not unique:
        fail(node, "axes must not be empty")
    rank = len(shape) + len(unique)
    output = list(shape)
    for axis in sorted(set(normalize_axes_loose(node, unique, rank))):
        if axis <= len(output):
            output.insert(axis, 1)
        else:  # two spellings of one axis shrink the rank; OpenVINO appends
            output.append(1)
    return output


@register_op
class Unsqueeze(Op):
    """Unsqueeze-1: inserts size-1 dimensions at ``axes`` (positions in the output)."""

    type_name = "Unsqueeze"
    inputs_spec = ("data", "axes")

    def infer(self):
        require_integral(self, 1, "axes")
        _check_rank_at_most_one(self, 1, "axes")
        element_type = self.get_input_element_type(0)
        shape = self.get_input_partial_shape(0)
        axes = value_of(self, 1)
        if axes is not None and shape.rank_is_static:
            dims = unsqueezed_shape(self, list(shape), axes.reshape(-1))
            return self.set_output_type(0, element_type, dims)
        # OpenVINO 2026 leaves the rank unknown even for a single unknown axis
        self.set_output_type(0, element_type, PartialShape.dynamic())

    def evaluate(self, values):
        shape = unsqueezed_shape(self, list(values[0].shape), values[1].reshape(-1))
        return [values[0].reshape(shape)]

    def evaluate_dims(self):
        dims = dims_of(self, 0)
        return None if dims is None else _pass_dims(self, len(dims))


# ----------------------------------------------------------------------------------------------
# Transpose
# ----------------------------------------------------------------------------------------------
@register_op
class Transpose(Op):
    """Transpose-1: output dimension i is input dimension ``input_order[i]``; an empty order
    reverses the dimensions. Negative values in the order are rejected, as in OpenVINO."""

    type_name = "Transpose"
    inputs_spec = ("data", "input_order")

    def infer(self):
        require_integral(self, 1, "input_order")
        order_shape = self.get_input_partial_shape(1)
        if order_shape.rank_is_static and len(order_shape) != 1:
            self.fail(f"input_order must be a 1-D tensor, got shape {order_shape}")
        element_type = self.get_input_element_type(0)
        shape = self.get_input_partial_shape(0)
        if shape.rank_is_static and order_shape.rank_is_static and order_shape[0].is_static \
                and order_shape[0].get_length() not in (0, len(shape)):
            self.fail(f"input_order has {order_shape[0]} elements, but the data has rank "
                      f"{len(shape)}")
        order = value_of(self, 1)
        if order is None or not shape.rank_is_static:
            length = _pattern_length(self, 1)  # a non-empty order tells the rank
            rank = len(shape) if shape.rank_is_static else (length if length else None)
            return self.set_output_type(0, element_type, PartialShape.dynamic(rank))
        order = transpose_order(self, order, len(shape))
        self.set_output_type(0, element_type, [shape[i] for i in order])

    def evaluate(self, values):
        return [np.transpose(values[0], transpose_order(self, values[1], values[0].ndim))]


def transpose_order(node, order, rank) -> list:
    """The permutation of Transpose-1 (empty: reversed), validated."""
    order = [int(v) for v in np.asarray(order).reshape(-1)]
    if not order:
        return list(range(rank))[::-1]
    if sorted(order) != list(range(rank)):
        fail(node, f"input_order {order} is not a permutation of the {rank} input axes")
    return order

