"""ScaledDotProductAttention-13: softmax(Q K^T * scale + mask) V with numpy-broadcast batch dims."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type


def _broadcast(batch: PartialShape, other: PartialShape):
    """Numpy broadcast of two batch shapes (``batch`` None: the first one); None when they
    cannot broadcast."""
    if batch is None:
        return PartialShape(other)
    if not batch.rank_is_static or not other.rank_is_static:
        return PartialShape.dynamic()
    rank = max(len(batch), len(other))
    left = [Dimension(1)] * (rank - len(batch)) + list(batch)
    right = [Dimension(1)] * (rank - len(other)) + list(other)
    dims = [a.broadcast_merge(b) for a, b in zip(left, right)]
    return None if any(d is None for d in dims) else PartialShape(dims)


def _merge(dim: Dimension, other: Dimension, node, what):
    merged = dim.broadcast_merge(other)
    if merged is None:
        node.fail(f"{what} shape is not compatible with the other inputs ({dim} vs {other})")
    return merged


@register_op
class ScaledDotProductAttention(Op):
    """ScaledDotProductAttention-13: softmax(Q K^T * scale + bias) V. Q [N..., L, E],
    K [N..., S, E], V [N..., S, Ev] -> [N..., L, Ev]; scale defaults to 1/sqrt(E); a boolean
    mask keeps True positions, a float mask is added; ``causal`` masks j > i and ignores the
    mask."""

    type_name = "ScaledDotProductAttention"
    version = "opset13"
    inputs_spec = ("query", "key", "value", "attention_mask?", "scale?")
    attrs = (Attr("causal", "bool", False),)

    def infer(self):
        element_type = self._check_types()
        batch, length, depth = self._split(0, "query", None, None, None)
        batch = PartialShape.dynamic() if batch is None else batch
        batch, source, key_depth = self._split(1, "key", batch, None, None)
        if key_depth is not None and depth is not None:
            _merge(depth, key_depth, self, "key (input 1)")
        batch, value_length, value_depth = self._split(2, "value", batch, source, None)
        source = value_length if value_length is not None else source
        if len(self._inputs) >= 4 and not self._attrs["causal"]:
            batch, length = self._check_mask(batch, length, source)
        if len(self._inputs) == 5:
            scale = self.get_input_partial_shape(4)
            if scale.is_static and not (len(scale) == 0 or scale.to_shape() == (1,)):
                self.fail(f"scale (input 4) must be a scalar or have 1 element, got shape {scale}")
        shape = PartialShape.dynamic()
        if batch.rank_is_static:
            shape = PartialShape(list(batch) + [length or Dimension(), value_depth or Dimension()])
        self.set_output_type(0, element_type, shape)

    def _check_types(self):
        element_type = self.get_input_element_type(0)
        if not element_type.is_dynamic() and not element_type.is_real:
            self.fail(f"query (input 0) must be a floating-point tensor, got {element_type}")
        for index in range(1, len(self._inputs)):
            other = self.get_input_element_type(index)
            if index == 3 and other is Type.boolean:
                continue
            merged = element_type.merge(other)
            if merged is None:
                self.fail(f"input {index} has element type {other} but query has {element_type}; "
                          "mixed input types are not supported")
            element_type = merged
        return element_type

    def _split(self, index, name, batch, rows, depth):
        """Broadcast input ``index``'s batch dims into ``batch``; its last two dims (rows merged
        with ``rows`` when given)."""
        shape = self.get_input_partial_shape(index)
        if not shape.rank_is_static:
            return batch, rows, depth
        if len(shape) < 3:
            self.fail(f"{name} (input {index}) must have rank 3 or more ([N, ..., rows, "
                      f"columns]), got {shape}")
        merged = _broadcast(batch, shape[:-2])
        if merged is None:
            self.fail(f"{name} (input {index}) batch dims {shape[:-2]} do not broadcast with {batch}")
        if rows is not None:
            rows = _merge(rows, shape[-2], self, f"{name} (input {index})")
        return merged, rows if rows is not None else shape[-2], shape[-1]

    def _check_mask(self, batch, length, source):
        mask = self.get_input_partial_shape(3)
        if not mask.rank_is_static or len(mask) == 0:
            return batch, length
        if len(mask) < 2:
            self.fail(f"attention_mask (input 3) must be a scalar or have rank 2 or more "
                      f"([..., L, S]), got {mask}")
        what = "attention_mask (input 3)"
        # like OpenVINO, the mask's L refines the output's (a query L of 1 broadcasts)
        length = _merge(length or Dimension(), mask[-2], self, what)
        _merge(source or Dimension(), mask[-1], self, what)
        if len(mask) >= 3:
            merged = _broadcast(batch, mask[:-2])
            if merged is None:
                self.fail(f"{what} batch dims {mask[:-2]} do not broadcast with {batch}")
            batch = merged
        return batch, length
