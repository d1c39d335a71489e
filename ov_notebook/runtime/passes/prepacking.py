"""Weight prepacking: every convolution and MatMul with constant weights runs on weights packed
once, into owned memory, in the layout its kernel multiplies with.

The fused kernels pack constant filters into the layout the convolution kernel multiplies with
(``[O, C*K]`` for dense and 1x1, ``[taps, G, O/G]`` for depthwise...) when the plan is built;
a plain ``Convolution`` kernel would repack them on every call. Convolutions the epilogue fusion
left alone (e.g. a downsampling branch whose output feeds a residual Add fused elsewhere) become
``Fused*`` ops with an empty epilogue, so they are packed too; a constant MatMul operand B is
copied once as ``[K, N]`` (transpose_b applied), out of the memory-mapped IR file; MatMuls of two
run-time values become fused ops too, for the fused kernel's split over threads:

    conv(x, W)   -> fused_conv[](x, W)        # same math, W packed at compile time
    x @ W^T      -> fused_matmul[](x, W)      # W copied as [K, N]
"""
from __future__ import annotations

from ...ir.graph import replace_output
from ...ir.ops.core import Constant
from ..fused_ops import fused_op_class

_ANCHORS = frozenset({"Convolution", "GroupConvolution", "MatMul"})


def _constant_weights(node) -> bool:
    weights = node.input_value(1).get_node()
    return isinstance(weights, Constant) and weights.get_value().ndim >= 2 and \
        weights.get_value().dtype.kind == "f"


def prepack_weights(model) -> bool:
    """Turn constant-weight anchors into fused ops with no epilogue; whether any was."""
    changed = False
    for node in model.get_ordered_ops():
        # every MatMul goes through the fused kernel, which splits it over threads
        if node.get_type_name() not in _ANCHORS or not (
                _constant_weights(node) or node.get_type_name() == "MatMul"):
            continue
        cls = fused_op_class(node.get_type_name())
        packed = cls(*node.input_values()[:cls.anchor_inputs], name=node.get_friendly_name(),
                     post_ops="", **node.get_attributes())
        packed.rt_info.update(node.rt_info)
        replace_output(node.output(0), packed.output(0))
        changed = True
    return changed
