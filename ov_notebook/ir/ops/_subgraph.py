"""The port map of sub-graph operations (see control_flow.py): how a body's Parameters receive
the op's inputs and how its Results become the op's outputs, as OpenVINO's input and output
descriptions."""
from __future__ import annotations

from ..shape import Dimension, PartialShape

__all__ = ["InvariantInput", "MergedInput", "SlicedInput", "BodyOutput", "ConcatOutput",
           "merge_shapes"]


class _Description:
    fields: tuple = ()

    def __init__(self, *values):
        if len(values) != len(self.fields):
            raise TypeError(f"{type(self).__name__} takes {', '.join(self.fields)}")
        for name, value in zip(self.fields, values):
            setattr(self, name, int(value))

    def values(self):
        return tuple(getattr(self, name) for name in self.fields)

    def __eq__(self, other):
        return type(other) is type(self) and other.values() == self.values()

    def __hash__(self):
        return hash((type(self).__name__, self.values()))

    def __repr__(self):
        return f"{type(self).__name__}{self.values()}"


class InvariantInput(_Description):
    fields = ("input_index", "body_parameter_index")


class MergedInput(_Description):
    fields = ("input_index", "body_parameter_index", "body_value_index")


class SlicedInput(_Description):
    fields = ("input_index", "body_parameter_index", "start", "stride", "part_size", "end", "axis")


class BodyOutput(_Description):
    fields = ("body_value_index", "output_index", "iteration")


class ConcatOutput(_Description):
    fields = ("body_value_index", "output_index", "start", "stride", "part_size", "end", "axis")


def merge_shapes(first: PartialShape, second: PartialShape) -> PartialShape:
    """The shape both may have: equal dims kept, different ones dynamic, ranks differing: any."""
    if not first.rank_is_static or not second.rank_is_static or len(first) != len(second):
        return PartialShape.dynamic()
    return PartialShape([a if (a.is_static and b.is_static and a == b) else
                         (a if a == b else Dimension()) for a, b in zip(first, second)])
