"""Runtime-internal fused operations: an anchor op (a convolution, MatMul or MVN) plus an epilogue.

``FusedConvolution``, ``FusedGroupConvolution``, ``FusedMatMul`` and ``FusedMVN`` are subclasses
of the anchor's IR specification (same attributes, same shape inference) that take extra inputs
for the epilogue and an attribute ``post_ops``: ``;``-separated steps applied in order to the
anchor's output, in place, before any other op sees it:

    add  sub  mul   y (+|-|*)= next extra input: the binary ops whose class has that
                    ``epilogue_token`` (bias, residual, attention mask: anything that broadcasts
                    into y without growing it)
    <Type>[:<v>...] an activation whose class is ``fusable_activation``, with the values of its
                    ``epilogue_params`` (``Relu``, ``Clamp:0.0:6.0``, ``Elu``-like ops with values)

The steps run the ops' own ``compute`` (``kernels/_epilogue.py``). Fused ops exist only in the
graph a CompiledModel executes (``get_runtime_model()``): they are not in the IR op registry, so
nothing can be saved or read with them.
"""
from __future__ import annotations

from ..ir.node import Attr, Op
from ..ir.ops.convolution import Convolution, GroupConvolution
from ..ir.ops.matmul import MatMul
from ..ir.ops.normalization import MVN

__all__ = ["fused_op_class", "is_fused", "FusedConvolution", "FusedGroupConvolution",
           "FusedMatMul", "FusedMVN", "SqueezeExciteNHWC"]


class FusedConvolution(Convolution):
    """Convolution followed by an in-place epilogue (runtime-internal)."""

    type_name = "FusedConvolution"
    xml_type = None
    anchor_type = "Convolution"
    anchor_inputs = 2
    inputs_spec = ("data", "filters", "epilogue_inputs*")
    attrs = Convolution.attrs + (Attr("post_ops", "str", ""),)


class FusedGroupConvolution(GroupConvolution):
    """GroupConvolution followed by an in-place epilogue (runtime-internal)."""

    type_name = "FusedGroupConvolution"
    xml_type = None
    anchor_type = "GroupConvolution"
    anchor_inputs = 2
    inputs_spec = ("data", "filters", "epilogue_inputs*")
    attrs = GroupConvolution.attrs + (Attr("post_ops", "str", ""),)


class FusedMatMul(MatMul):
    """MatMul followed by an in-place epilogue (runtime-internal)."""

    type_name = "FusedMatMul"
    xml_type = None
    anchor_type = "MatMul"
    anchor_inputs = 2
    inputs_spec = ("a", "b", "epilogue_inputs*")
    attrs = MatMul.attrs + (Attr("post_ops", "str", ""),)


class FusedMVN(MVN):
    """MVN followed by an in-place epilogue (runtime-internal; passes/layer_norm.py)."""

    type_name = "FusedMVN"
    xml_type = None
    anchor_type = "MVN"
    anchor_inputs = 2
    inputs_spec = ("data", "axes", "epilogue_inputs*")
    attrs = MVN.attrs + (Attr("post_ops", "str", ""),)


_BY_ANCHOR = {cls.anchor_type: cls for cls in (FusedConvolution, FusedGroupConvolution,
                                                FusedMatMul, FusedMVN)}


def fused_op_class(anchor_type: str):
    """The fused op class of ``anchor_type`` (Convolution, GroupConvolution, MatMul or MVN)."""
    try:
        return _BY_ANCHOR[anchor_type]
    except KeyError:
        raise ValueError(f"{anchor_type} has no fused form; anchors are "
                         f"{', '.join(_BY_ANCHOR)}") from None


def is_fused(node) -> bool:
    return type(node) in _BY_ANCHOR.values()


class SqueezeExciteNHWC(Op):
    """A squeeze-excite block on an NHWC tensor as one step (runtime-internal;
    passes/squeeze_excite.py):

        s = second(first(mean over H, W of x) . w1) . w2)   # two 1x1 convolutions on [N, 1, 1, C]
        y = x * s                                          # broadcast over H and W

    ``w1`` [C1, C, 1, 1] and ``w2`` [C, C1, 1, 1] are the two convolutions' filters; the epilogue
    inputs are the first convolution's ``first_extras`` ones, then the second's; ``first_post_ops``
    and ``second_post_ops`` are their ``post_ops`` (``runtime/fused_ops.py``'s steps)."""

    type_name = "SqueezeExciteNHWC"
    xml_type = None
    inputs_spec = ("data", "w1", "w2", "epilogue_inputs*")
    attrs = (Attr("first_post_ops", "str", ""), Attr("second_post_ops", "str", ""),
             Attr("first_extras", "int", 0))

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))
