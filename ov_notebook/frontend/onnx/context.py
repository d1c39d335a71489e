"""OnnxContext: what an ONNX translator sees of one node."""
from __future__ import annotations

import numpy as np

from ...ir.node import Output
from ...opset import as_node
from ..errors import ConversionError

__all__ = ["OnnxContext"]

_MISSING = object()


class OnnxContext:
    """``ctx.input(i)`` (an Output, or None for an omitted optional input), ``ctx.attr(name,
    default)``, ``ctx.opset``, ``ctx.const(value)``, ``ctx.value(i)`` (the numpy value of a constant
    input, or None) and ``ctx.fail(message)``."""

    def __init__(self, node, values: dict, opset: int, attributes: dict):
        self.node = node
        self._values = values
        self.opset = opset
        self._attributes = attributes

    @property
    def op_type(self) -> str:
        return self.node.op_type

    @property
    def name(self) -> str:
        return self.node.name or (self.node.output[0] if self.node.output else self.node.op_type)

    def fail(self, message):
        raise ConversionError(f"ONNX {self.node.op_type} node '{self.name}': {message}")

    def num_inputs(self) -> int:
        return len(self.node.input)

    def has_input(self, index) -> bool:
        return index < len(self.node.input) and self.node.input[index] != ""

    def input(self, index, default=_MISSING) -> Output | None:
        if not self.has_input(index):
            if default is _MISSING:
                self.fail(f"input {index} is required")
            return default
        name = self.node.input[index]
        try:
            return self._values[name]
        except KeyError:
            self.fail(f"input '{name}' is not produced by any earlier node, initializer or graph input")

    def inputs(self) -> list:
        return [self.input(i) if self.has_input(i) else None for i in range(len(self.node.input))]

    def value(self, index):
        """The numpy value of input ``index`` when it is known at conversion time, else None."""
        if not self.has_input(index):
            return None
        output = self.input(index)
        known = output.get_known_value()
        return known if known is not None else _constant_data(output)

    def required_value(self, index, what):
        value = self.value(index)
        if value is None:
            self.fail(f"{what} (input {index}) must be a constant known at conversion time")
        return value

    def attr(self, name, default=_MISSING):
        if name in self._attributes:
            return self._attributes[name]
        if default is _MISSING:
            self.fail(f"attribute '{name}' is required")
        return default

    def has_attr(self, name) -> bool:
        return name in self._attributes

    def const(self, value, dtype=None) -> Output:
        return as_node(np.asarray(value), dtype=dtype)

    def const_like(self, value, like) -> Output:
        return as_node(value, like=like)


def _constant_data(output):
    node = output.get_node()
    if node.get_type_name() == "Constant":
        return node.get_value()
    return None
