"""Matrix products: MatMul-1 and Einsum-7, with the equation parsing the kernel shares."""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._util import broadcast_numpy, merge_types


@register_op
class MatMul(Op):
    """MatMul-1: numpy matmul after optional swaps of the last two axes (ignored for 1-D inputs).

    A 1-D first input is a row vector, a 1-D second input a column vector, and the added axis is
    removed from the result; batch axes broadcast numpy-style.
    """

    type_name = "MatMul"
    inputs_spec = ("a", "b")
    attrs = (Attr("transpose_a", "bool", False), Attr("transpose_b", "bool", False))

    def infer(self):
        element_type = merge_types(self, [self.get_input_element_type(0),
                                          self.get_input_element_type(1)], "both inputs")
        if element_type is Type.boolean:
            self.fail("inputs must be numeric, got boolean")
        a, b = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        if not a.rank_is_static or not b.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        if len(a) == 0 or len(b) == 0:
            self.fail(f"inputs must not be scalars, got shapes {a} and {b}")
        left = _as_matrix(list(a), self._attrs["transpose_a"], row=True)
        right = _as_matrix(list(b), self._attrs["transpose_b"], row=False)
        inner_a, inner_b = left[-1], right[-2]
        if inner_a.is_static and inner_b.is_static and inner_a != inner_b:
            self.fail(f"the inner dimensions differ: {inner_a} vs {inner_b} (shapes {a} and {b}, "
                      f"transpose_a={self._attrs['transpose_a']}, "
                      f"transpose_b={self._attrs['transpose_b']})")
        batch = _broadcast_batch(self, left[:-2], right[:-2])
        dims = batch + ([left[-2]] if len(a) > 1 else []) + ([right[-1]] if len(b) > 1 else [])
        self.set_output_type(0, element_type, dims)

    def evaluate(self, values):
        a, b = values
        if self._attrs["transpose_a"] and a.ndim > 1:
            a = np.swapaxes(a, -1, -2)
        if self._attrs["transpose_b"] and b.ndim > 1:
            b = np.swapaxes(b, -1, -2)
        return [np.matmul(a, b)]


def _as_matrix(dims, transpose, row):
    if transpose and len(dims) > 1:
        dims[-2], dims[-1] = dims[-1], dims[-2]
    if len(dims) == 1:
        return [Dimension(1)] + dims if row else dims + [Dimension(1)]
    return dims


def _broadcast_batch(node, left, right):
    """Numpy broadcasting of batch axes; dynamic dims never fail (as in OpenVINO)."""
    rank = max(len(left), len(right))
    left = [Dimension(1)] * (rank - len(left)) + left
    right = [Dimension(1)] * (rank - len(right)) + right
    result = []
    for index, (x, y) in enumerate(zip(left, right)):
        merged = x.broadcast_merge(y)
        if merged is None:
            if x.is_static and y.is_static:
                node.fail(f"batch dimensions {x} and {y} at batch axis {index} cannot be broadcast")
            merged = Dimension()
        result.append(merged)
    return result


# ------------------------------------------------------------------------------------------------
# Einsum
# ------------------------------------------------------------------------------------------------
ELLIPSIS = "..."


def split_labels(subscript: str, what: str) -> list:
    """Labels of one subscript: single letters and at most one ``...``."""
    labels, index = [], 0
    while index < len(subscript):
        if subscript.startswith(ELLIPSIS, index):
            if ELLIPSIS in labels:
                raise ValueError(f"{what} '{subscript}' has more than one ellipsis")
            labels.append(ELLIPSIS)
            index += 3
        elif subscript[index].isascii() and subscript[index].isalpha():
            labels.append(subscript[index])
            index += 1
        else:
            raise ValueError(f"{what} '{subscript}' may hold only letters and one '...'")
    return labels


def parse_equation(equation: str):
    """(labels of each input, output labels) of an Einsum equation; implicit output as OpenVINO:
    the labels used once, in ASCII order, after the ellipsis if any input has one."""
    equation = "".join(equation.split())
    inputs_text, arrow, output_text = equation.partition("->")
    inputs = [split_labels(s, "input subscript") for s in inputs_text.split(",")]
    has_ellipsis = any(ELLIPSIS in labels for labels in inputs)
    if not arrow:
        counts = {}
        for labels in inputs:
            for label in labels:
                counts[label] = counts.get(label, 0) + 1
        once = sorted(label for label, n in counts.items() if n == 1 and label != ELLIPSIS)
        return inputs, ([ELLIPSIS] if has_ellipsis else []) + once
    output = split_labels(output_text, "output subscript")
    if has_ellipsis != (ELLIPSIS in output):
        raise ValueError("the output subscript must have an ellipsis exactly when an input has one")
    if len(set(output)) != len(output):
        raise ValueError(f"output subscript '{output_text}' repeats a label")
    return inputs, output


@register_op
class Einsum(Op):
    """Einsum-7: ``equation`` like ``bhqd,bhkd->bhqk``; ellipsis broadcasting, repeated labels
    within an input take diagonals, labels missing from the output are summed."""

    type_name = "Einsum"
    version = "opset7"
    inputs_spec = ("inputs*",)
    attrs = (Attr("equation", "str"),)

    def infer(self):
        self._attrs["equation"] = "".join(self._attrs["equation"].split())
        if not self._inputs:
            self.fail("Einsum needs at least one input")
        types = [self.get_input_element_type(i) for i in range(len(self._inputs))]
        element_type = merge_types(self, types, "all inputs")
        if element_type is Type.boolean:
            self.fail("inputs must be numeric, got boolean")
        try:
            inputs, output = parse_equation(self._attrs["equation"])
        except ValueError as exc:
            self.fail(f"bad equation '{self._attrs['equation']}': {exc}")
        if len(inputs) != len(self._inputs):
            self.fail(f"equation '{self._attrs['equation']}' has {len(inputs)} input subscripts "
                      f"for {len(self._inputs)} inputs")
        sizes = {}
        for index, labels in enumerate(inputs):
            self._collect_sizes(index, labels, sizes)
        for label in output:
            self.check(label in sizes, f"output label '{label}' is in no input subscript")
        dims = []
        for label in output:
            dims.extend(sizes[label])
        self.set_output_type(0, element_type, dims)

    def _collect_sizes(self, index, labels, sizes):
        """Record the dims each label stands for, checking repeated labels agree."""
        shape = self.get_input_partial_shape(index)
        if not shape.rank_is_static:
            self.check(ELLIPSIS not in labels, f"input {index} has a dynamic rank, so its "
                       "subscript cannot have an ellipsis")
            for label in labels:
                sizes.setdefault(label, [Dimension()])
            return
        dims = list(shape)
        fixed = len(labels) - (ELLIPSIS in labels)
        self.check(len(dims) >= fixed if ELLIPSIS in labels else len(dims) == fixed,
                   f"input {index} of shape {shape} does not fit subscript '{''.join(labels)}'")
        position = 0
        for label in labels:
            if label == ELLIPSIS:
                width = len(dims) - fixed
                part = PartialShape(dims[position:position + width])
                previous = sizes.get(label)
                sizes[label] = list(part if previous is None else
                                    broadcast_numpy(self, PartialShape(previous), part))
                position += width
                continue
            dim = dims[position]
            if label in sizes:
                merged = sizes[label][0].merge(dim)
                self.check(merged is not None, f"label '{label}' stands for both "
                           f"{sizes[label][0]} and {dim}")
                dim = merged
            sizes[label] = [dim]
            position += 1
