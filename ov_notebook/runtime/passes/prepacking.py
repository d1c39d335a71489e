"""Weight prepacking: every convolution with constant filters runs on filters packed once.

The fused kernels pack constant filters into the layout the convolution kernel multiplies with
(``[O, C*K]`` for dense and 1x1, ``[taps, G, O/G]`` for depthwise...) when the plan is built;
a plain ``Convolution`` kernel would repack them on every call. Convolutions the epilogue fusion
left alone (e.g. a downsampling branch whose output feeds a residual Add fused elsewhere) become
``Fused*`` ops with an empty epilogue, so they are packed too:

    conv(x, W)   -> fused_conv[](x, W)        # same math, W packed at compile time
"""
from __future__ import annotations

from ...ir.graph import replace_output
from ...ir.ops.core import Constant
from ..fused_ops import fused_op_class

_CONVOLUTIONS = frozenset({"Convolution", "GroupConvolution"})


def prepack_weights(model) -> bool:
    """Turn constant-filter convolutions into fused ops with no epilogue; whether any was."""
    changed = False
    for node in model.get_ordered_ops():
        if node.get_type_name() not in _CONVOLUTIONS or \
                not isinstance(node.input_value(1).get_node(), Constant):
            continue
        cls = fused_op_class(node.get_type_name())
        packed = cls(*node.input_values()[:cls.anchor_inputs], name=node.get_friendly_name(),
                     post_ops="", **node.get_attributes())
        packed.rt_info.update(node.rt_info)
        replace_output(node.output(0), packed.output(0))
        changed = True
    return changed
