"""Kernels of the runtime-internal fused ops (see ``runtime/fused_ops.py``): run the anchor's
kernel (with its prepacked weights), then the epilogue in place on its freshly made output."""
from __future__ import annotations

import numpy as np

from . import get_kernel, kernel
from ._epilogue import parse_post_ops, run_epilogue
from ._onednn import convolution_kernel, matmul_kernel, run_convolution, run_matmul
from ._tiling import convolve_parallel, matmul_parallel


def _owned_result(y, inputs):
    """``y`` if the epilogue may write into it: writeable and sharing no memory with an input."""
    if isinstance(y, np.ndarray) and y.flags.writeable and not any(
            np.may_share_memory(y, a) for a in inputs):
        return y
    return np.array(y, copy=True)


# --- compile time: parse the epilogue, lift a leading constant bias, prepack the weights ---------
def leading_bias(node, program, axis=None):
    """The constant of a leading ``add`` as a per-channel vector (the anchor adds it itself);
    channels along ``axis`` (default: the anchor's channel axis; -1 for the NHWC variants)."""
    from ..passes.affine_folding import channel_axis, per_channel  # passes import kernels

    if not program or program[0][0] is not np.add:
        return None
    source = node.input_value(node.anchor_inputs).get_node()
    if source.get_type_name() != "Constant":
        return None
    vector = per_channel(source.get_value(), node.output(0),
                         channel_axis(node) if axis is None else axis)
    dtype = node.get_output_element_type(0).to_dtype()
    return None if vector is None else vector.astype(dtype)


def _pack_convolution(node, anchor_type):
    """The conv engineer's prepacked filters, or None (non-constant filters, older kernels)."""
    try:
        from .convolution import prepare_convolution_weights
    except ImportError:
        return None
    filters = node.input_value(1).get_node()
    if filters.get_type_name() != "Constant":
        return None
    return prepare_convolution_weights(_owned_copy(filters.get_value()),
                                       grouped=anchor_type == "GroupConvolution")


def _owned_copy(weights: np.ndarray) -> np.ndarray:
    """Weights in fresh anonymous memory: constants read from IR map the .bin file, whose 4 KiB
    pages make BLAS ~1.6x slower than numpy's own (huge-page advised) allocations."""
    return np.array(weights, dtype=np.float32 if weights.dtype == np.float16 else weights.dtype,
                    order="C", copy=True)


def _pack_matmul(node, attrs):
    """A constant B as an owned [..., K, N] C-contiguous copy (transpose_b applied once)."""
    weights = node.input_value(1).get_node()
    if weights.get_type_name() != "Constant" or weights.get_value().ndim < 2:
        return None
    value = weights.get_value()
    if attrs.get("transpose_b"):
        value = np.swapaxes(value, -1, -2)
        attrs["transpose_b"] = False
    return _owned_copy(value)


def _prepare(anchor_type):
    def prepare(node, attrs):
        attrs = dict(attrs)
        post_ops = attrs.pop("post_ops")
        program = parse_post_ops(post_ops)
        bias = leading_bias(node, program)
        if bias is not None:
            program = program[1:]
        attrs.update(post_ops=program, bias=bias, extras_from=0 if bias is None else 1)
        if anchor_type in _CONVOLUTIONS:
            attrs["dnnl"] = convolution_kernel(node, post_ops, bias, attrs["extras_from"])
            attrs["fast_call"] = getattr(attrs["dnnl"], "static_call", None)  # the plan takes it
            attrs["packed"] = None if attrs["dnnl"] else _pack_convolution(node, anchor_type)
            if attrs["packed"] is not None:  # visible in CompiledModel.get_runtime_model()
                node.rt_info["prepacked_weights"] = attrs["packed"].kind
        elif anchor_type == "MatMul":
            attrs["dnnl"] = matmul_kernel(node, post_ops, bias, attrs["extras_from"],
                                          attrs.get("transpose_b", False))
            attrs["fast_call"] = getattr(attrs["dnnl"], "static_call", None)  # the plan takes it
            if attrs["dnnl"] is None and \
                    node.get_input_element_type(1) == node.get_output_element_type(0):
                attrs["weights"] = _pack_matmul(node, attrs)
                if attrs["weights"] is not None:
                    node.rt_info["prepacked_weights"] = "matrix"
        anchor = get_kernel(anchor_type)
        if anchor.needs_node:
            attrs["node"] = node
        return attrs
    return prepare


# --- run time ------------------------------------------------------------------------------------
_CONVOLUTIONS = ("Convolution", "GroupConvolution")


def _convolve(x, packed, extras, program, bias, strides, dilations, pads_begin, pads_end,
              auto_pad="explicit"):
    """Prepacked convolution; bias and epilogue run inside, on its fresh NC... output."""
    from ...ir.ops.convolution import resolve_pads

    dilations = list(dilations) or [1] * (x.ndim - 2)
    begin, end = resolve_pads(auto_pad, x.shape[2:], packed.kernel_shape, strides, dilations,
                              pads_begin, pads_end)
    geometry = (strides, dilations, begin, end)
    result = convolve_parallel(x, packed, geometry, bias, program, extras)
    return result if result is not None else _convolve_serially(x, packed, extras, program, bias,
                                                                 geometry)


def _convolve_serially(x, packed, extras, program, bias, geometry):
    from .convolution import convolve

    grown = []  # run_epilogue returns a new array only when a dynamic broadcast grew y

    def epilogue(y):
        result = run_epilogue(y, program, extras)
        if result is not y:
            grown.append(result)
    y = convolve(x, packed, *geometry, bias=bias, epilogue=epilogue)
    return grown[0] if grown else y


def _matmul(a, b, extras, program, bias, transpose_a=False, transpose_b=False):
    """MatMul with bias and epilogue, split over threads when it pays."""
    if not transpose_a and b.ndim == 2 and a.dtype in (np.float32, np.float64):
        result = matmul_parallel(a, b.T if transpose_b else b, bias, program, extras)
        if result is not None:
            return result
    y = _owned_result(get_kernel("MatMul").function(a, b, transpose_a=transpose_a,
                                                    transpose_b=transpose_b), (a, b))
    if bias is not None:
        y += bias
    return run_epilogue(y, program, extras)


def _fused_kernel(anchor_type, anchor_inputs=2):
    @kernel(f"Fused{anchor_type}", prepare=_prepare(anchor_type))
    def run(*inputs, post_ops="", bias=None, extras_from=0, packed=None, weights=None,
            dnnl=None, **attrs):
        program = parse_post_ops(post_ops) if isinstance(post_ops, str) else post_ops
        anchor_args, extras = inputs[:anchor_inputs], inputs[anchor_inputs + extras_from:]
        if dnnl is not None:  # the oneDNN backend (None back: a case it has no primitive for)
            y = run_matmul(dnnl, *anchor_args, extras, **attrs) if anchor_type == "MatMul" \
                else run_convolution(dnnl, anchor_args[0], extras, attrs)
            if y is not None:
                return y
        if weights is not None:  # prepacked constant B (transpose_b already applied)
            anchor_args = (anchor_args[0], weights)
        if packed is not None:
            return _convolve(anchor_args[0], packed, extras, program, bias, **attrs)
        if anchor_type == "MatMul":
            return _matmul(*anchor_args, extras, program, bias, **attrs)
        y = _owned_result(get_kernel(anchor_type).function(*anchor_args, **attrs), anchor_args)
        if bias is not None:  # per channel: axis 1 of a convolution
            y += bias.reshape((-1,) + (1,) * (y.ndim - 2))
        return run_epilogue(y, program, extras)

    run.__name__ = f"fused_{anchor_type.lower()}"
    return run


for _anchor in ("Convolution", "GroupConvolution", "MatMul"):
    _fused_kernel(_anchor)
