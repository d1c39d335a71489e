"""Embedding bags: EmbeddingBagOffsets-15 and EmbeddingBagPacked-15 (sum or mean of table rows
per bag, optionally weighted per index)."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type

_REDUCTION = Attr("reduction", "str", "sum", choices=("sum", "mean"))


class _EmbeddingBagBase(Op):
    """Checks and inference shared by both layouts; ``bags_of()`` gives the bag count dim."""

    weights_index = None  # index of the per_sample_weights input

    def _check_index_type(self, index, what):
        element_type = self.get_input_element_type(index)
        if element_type.is_static and element_type not in (Type.i32, Type.i64):
            self.fail(f"{what} (input {index}) must be i32 or i64, got {element_type}")
        return element_type

    def _check_common(self):
        indices_type = self._check_index_type(1, "indices")
        table_type = self.get_input_element_type(0)
        weights = self.weights_index
        if weights is not None and len(self._inputs) > weights:
            if self._attrs["reduction"] != "sum":
                self.fail("per_sample_weights can only be used with reduction 'sum', got "
                          f"'{self._attrs['reduction']}'")
            weights_type = self.get_input_element_type(weights)
            if table_type.is_static and weights_type.is_static and weights_type != table_type:
                self.fail(f"per_sample_weights (input {weights}) must have the table's element "
                          f"type ({table_type}), got {weights_type}")
            if not self.get_input_partial_shape(weights).compatible(
                    self.get_input_partial_shape(1)):
                self.fail(f"per_sample_weights {self.get_input_partial_shape(weights)} must have "
                          f"the shape of indices {self.get_input_partial_shape(1)}")
        return indices_type

    def _set_output(self, bags):
        table = self.get_input_partial_shape(0)
        if not table.rank_is_static:
            return self.set_output_type(0, self.get_input_element_type(0), PartialShape.dynamic())
        if len(table) < 1:
            self.fail(f"emb_table (input 0) must have rank 1 or more, got {table}")
        self.set_output_type(0, self.get_input_element_type(0), [bags] + list(table)[1:])


def _require_rank(node, index, rank, what):
    shape = node.get_input_partial_shape(index)
    if shape.rank_is_static and len(shape) != rank:
        node.fail(f"{what} (input {index}) must be {rank}-D, got {shape}")
    return shape


@register_op
class EmbeddingBagOffsets(_EmbeddingBagBase):
    """EmbeddingBagOffsets-15: bag ``b`` reduces the rows ``emb_table[indices[offsets[b]:
    offsets[b + 1]]]`` (the last bag to the end of ``indices``), each scaled by its
    ``per_sample_weights`` (sum only); an empty bag is the row ``default_index`` or zeros."""

    type_name = "EmbeddingBagOffsets"
    version = "opset15"
    inputs_spec = ("emb_table", "indices", "offsets", "default_index?", "per_sample_weights?")
    attrs = (_REDUCTION,)
    weights_index = 4

    def infer(self):
        indices_type = self._check_common()
        _require_rank(self, 1, 1, "indices")
        offsets = _require_rank(self, 2, 1, "offsets")
        for index, what in ((2, "offsets"), (3, "default_index")):
            if index < len(self._inputs):
                element_type = self._check_index_type(index, what)
                if element_type.is_static and indices_type.is_static \
                        and element_type != indices_type:
                    self.fail(f"{what} (input {index}) must have the element type of indices "
                              f"({indices_type}), got {element_type}")
        if len(self._inputs) > 3:
            _require_rank(self, 3, 0, "default_index")
        if len(self._inputs) > 4:
            _require_rank(self, 4, 1, "per_sample_weights")
        self._set_output(offsets[0] if offsets.rank_is_static else Dimension())


@register_op
class EmbeddingBagPacked(_EmbeddingBagBase):
    """EmbeddingBagPacked-15: row ``b`` of ``indices`` [bags, per_bag] is bag ``b``; its table
    rows are summed (scaled by ``per_sample_weights``) or averaged."""

    type_name = "EmbeddingBagPacked"
    version = "opset15"
    inputs_spec = ("emb_table", "indices", "per_sample_weights?")
    attrs = (_REDUCTION,)
    weights_index = 2

    def infer(self):
        self._check_common()
        indices = _require_rank(self, 1, 2, "indices")
        self._set_output(indices[0] if indices.rank_is_static else Dimension())
