"""Kernels of the channels-last layout pass's runtime-internal ops (``runtime/layout_ops.py``):
the layout conversions at region boundaries and the NHWC fused convolutions (``_nhwc_conv.py``).
The NHWC pools live with the other pools (``pooling.py``)."""
from __future__ import annotations

import numpy as np

from ...ir.ops.convolution import resolve_pads
from ..layout_ops import TO_CHANNELS_FIRST, TO_CHANNELS_LAST
from ..parallel import chunk_bounds, current_threads, parallel_for, splitting_pays
from . import kernel
from ._epilogue import parse_post_ops
from ._onednn import conversion_call, convolution_kernel, run_convolution
from .fused import leading_bias
from ._nhwc_conv import convolve_nhwc, prepare_channels_last_weights
from .shape_ops import StaticView

# a conversion splits over threads (by images, then rows) from this many elements
PARALLEL_ELEMENTS = 1 << 18


def _converted(x, order):
    """``x`` transposed by ``order`` into fresh C-contiguous memory, split over threads by the
    output's axis 1 when it is big (a strided copy is memory-bound on one core)."""
    out = np.empty([x.shape[axis] for axis in order], x.dtype)
    source = x.transpose(order)
    if out.size < PARALLEL_ELEMENTS or not splitting_pays():
        np.copyto(out, source)
        return out
    bounds = chunk_bounds(out.shape[1], 2 * current_threads())
    parallel_for(len(bounds), lambda i: np.copyto(out[:, slice(*bounds[i])],
                                                  source[:, slice(*bounds[i])]))
    return out


def _prepare_conversion(order):
    def prepare(node, attrs):
        # where every spatial size is 1 (after a global pooling) both layouts are the same
        # memory: the conversion is a view, on either backend
        shape = node.get_input_partial_shape(0)
        if shape.is_static and _keeps_memory_order([d.get_length() for d in shape], order):
            return dict(attrs, fast_call=StaticView.of(node))
        # on oneDNN a static f32 conversion is a reorder primitive (vectorized, on the model's
        # threads): 194 -> about 100 us for mobilenet_v3_large's input, as OpenVINO's Reorder
        return dict(attrs, fast_call=conversion_call(node, order))
    return prepare


def _keeps_memory_order(shape, order) -> bool:
    """Whether transposing C-contiguous ``shape`` by ``order`` leaves every element where it
    is: the axes longer than 1 keep their relative order."""
    return [axis for axis in order if shape[axis] != 1] == \
        [axis for axis in range(len(shape)) if shape[axis] != 1]


@kernel("ToChannelsLast", prepare=_prepare_conversion(TO_CHANNELS_LAST))
def to_channels_last(x):  # [N, C, H, W] -> [N, H, W, C]
    return _converted(x, TO_CHANNELS_LAST)


@kernel("ToChannelsFirst", prepare=_prepare_conversion(TO_CHANNELS_FIRST))
def to_channels_first(x):  # [N, H, W, C] -> [N, C, H, W]
    return _converted(x, TO_CHANNELS_FIRST)


# --- FusedConvolutionNHWC, FusedGroupConvolutionNHWC ----------------------------------------------
def _prepare(grouped):
    def prepare(node, attrs):
        attrs = dict(attrs)
        post_ops = attrs.pop("post_ops")
        program = parse_post_ops(post_ops)
        bias = leading_bias(node, program, axis=-1)
        attrs.update(post_ops=program[bias is not None:], bias=bias,
                     extras_from=int(bias is not None))
        attrs["dnnl"] = convolution_kernel(node, post_ops, bias, attrs["extras_from"],
                                           channels_last=True)
        attrs["fast_call"] = getattr(attrs["dnnl"], "static_call", None)  # the plan takes it
        if attrs["fast_call"] is not None and attrs["dnnl"].in_place_input is not None:
            attrs["inplace_input"] = attrs["dnnl"].in_place_input  # a residual summed into
        filters = node.input_value(1).get_node()
        if filters.get_type_name() == "Constant" and attrs["dnnl"] is None:
            attrs["packed"] = prepare_channels_last_weights(filters.get_value(), grouped=grouped)
            node.rt_info["prepacked_weights"] = f"{attrs['packed'].kind} channels-last"
        return attrs
    return prepare


def _fused_nhwc(type_name, grouped):
    @kernel(type_name, prepare=_prepare(grouped))
    def run(x, filters, *extras, post_ops="", bias=None, extras_from=0, packed=None, strides,
            dilations, pads_begin, pads_end, auto_pad="explicit", dnnl=None, out=None):
        # ``out``: a dead residual buffer the plan offers; only the static oneDNN call sums
        # into it (onednn/static.py), this path leaves it alone
        if dnnl is not None:  # the oneDNN backend (None back: a case it has no primitive for)
            y = run_convolution(dnnl, x, extras[extras_from:], dict(
                strides=strides, dilations=dilations, pads_begin=pads_begin, pads_end=pads_end,
                auto_pad=auto_pad), channels_last=True)
            if y is not None:
                return y
        program = parse_post_ops(post_ops) if isinstance(post_ops, str) else post_ops
        if packed is None:  # run without the plan's prepare hook
            packed = prepare_channels_last_weights(filters, grouped=grouped)
        dilations = list(dilations) or [1, 1]
        begin, end = resolve_pads(auto_pad, x.shape[1:3], packed.kernel_shape, strides,
                                  dilations, pads_begin, pads_end)
        return convolve_nhwc(x, packed, strides, dilations, begin, end, bias, program,
                             extras[extras_from:])

    run.__name__ = type_name.lower()
    return run


_fused_nhwc("FusedConvolutionNHWC", grouped=False)
_fused_nhwc("FusedGroupConvolutionNHWC", grouped=True)
