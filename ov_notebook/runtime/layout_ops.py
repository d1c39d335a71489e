"""Runtime-internal operations of the channels-last (NHWC) layout pass (passes/channels_last.py).

A region of the graph runs on tensors whose memory is [N, H, W, C] while the model speaks of
[N, C, H, W]. Inside a region every 4-D value is the NHWC permutation of the model's value:

    ToChannelsLast(x)   [N, C, H, W] -> [N, H, W, C]   (at a region's entry)
    ToChannelsFirst(y)  [N, H, W, C] -> [N, C, H, W]   (at its exits: heads, model outputs)

and the ops with spatial semantics run as ``<Type>NHWC`` variants (``channels_last_class``):
subclasses of their IR (or fused) class with the same attributes whose shape inference sees the
data input permuted back to NCHW and permutes the outputs to NHWC, so every check, pad rule and
dynamic dimension works as in the original op. Element-wise ops, axis ops and constants need no
class of their own: the pass permutes constants and remaps axes.

Like the fused ops, these exist only in the graph a CompiledModel executes
(``get_runtime_model()``): nothing can be saved or read with them.
"""
from __future__ import annotations

from ..ir.node import Op
from ..ir.shape import PartialShape

__all__ = ["TO_CHANNELS_LAST", "TO_CHANNELS_FIRST", "ToChannelsLast", "ToChannelsFirst",
           "channels_last_class", "is_channels_last", "permuted"]

TO_CHANNELS_LAST = (0, 2, 3, 1)
TO_CHANNELS_FIRST = (0, 3, 1, 2)


def permuted(shape: PartialShape, order) -> PartialShape:
    """``shape`` with its 4 dimensions in ``order``; a dynamic rank stays dynamic."""
    if not shape.rank_is_static:
        return shape
    return PartialShape([shape[axis] for axis in order])


class _Conversion(Op):
    inputs_spec = ("data",)
    order = TO_CHANNELS_LAST

    def infer(self):
        shape = self.get_input_partial_shape(0)
        self.check(not shape.rank_is_static or len(shape) == 4,
                   f"{self.type_name} takes a 4-D tensor, got {shape}")
        self.set_output_type(0, self.get_input_element_type(0), permuted(shape, self.order))


class ToChannelsLast(_Conversion):
    """[N, C, H, W] -> [N, H, W, C] in fresh C-contiguous memory (runtime-internal)."""
    type_name = "ToChannelsLast"


class ToChannelsFirst(_Conversion):
    """[N, H, W, C] -> [N, C, H, W] in fresh C-contiguous memory (runtime-internal)."""
    type_name = "ToChannelsFirst"
    order = TO_CHANNELS_FIRST


_CLASSES: dict = {}


def channels_last_class(base):
    """``base`` (an op class whose input 0 and outputs are NCHW) running on NHWC tensors."""
    cls = _CLASSES.get(base)
    if cls is None:
        def get_input_partial_shape(self, index):
            shape = base.get_input_partial_shape(self, index)
            return permuted(shape, TO_CHANNELS_FIRST) if index == 0 else shape

        def set_output_type(self, index, element_type, shape):
            base.set_output_type(self, index, element_type,
                                 permuted(PartialShape(shape), TO_CHANNELS_LAST))

        cls = type(f"{base.__name__}NHWC", (base,), {
            "type_name": f"{base.type_name}NHWC",
            "xml_type": None,
            "get_input_partial_shape": get_input_partial_shape,
            "set_output_type": set_output_type,
            "__module__": __name__,
            "__doc__": f"{base.type_name} on channels-last tensors (runtime-internal).",
        })
        _CLASSES[base] = cls
    return cls


def is_channels_last(node) -> bool:
    return type(node) in _CLASSES.values()
