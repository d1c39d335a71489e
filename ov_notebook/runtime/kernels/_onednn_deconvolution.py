"""The oneDNN path of (Group)ConvolutionBackpropData: the kernels' ``prepare`` hook makes a
``DeconvolutionKernel`` inside ``onednn.building`` (its primitive created for a static input
shape and a constant or absent ``output_shape``), and the kernel runs it, falling back to numpy
when it returns None. The runtime fuses no epilogue onto these ops, so none is applied here."""
from __future__ import annotations

from ...ir.ops.convolution import backprop_geometry, dilated
from .. import onednn
from ..parallel import current_threads
from ._onednn import _constant, _f32, _mark, _static_shape

__all__ = ["prepare_deconvolution", "run_deconvolution"]


def _geometry(attrs, x_shape, kernel_shape, output_shape):
    """oneDNN's (pads_begin, pads_end) of the transposed convolution OpenVINO defines."""
    count = len(x_shape) - 2
    dilations = list(attrs["dilations"]) or [1] * count
    begin, sizes = backprop_geometry(
        attrs.get("auto_pad", "explicit"), x_shape[2:], kernel_shape, attrs["strides"],
        dilations, attrs["pads_begin"], attrs["pads_end"], attrs.get("output_padding", ()),
        output_shape)
    full = [(n - 1) * s + dilated(k, d) for n, k, s, d in zip(
        x_shape[2:], kernel_shape, attrs["strides"], dilations)]
    return tuple(begin), tuple(f - b - o for f, b, o in zip(full, begin, sizes))


def _output_shape_key(value):
    return None if value is None else tuple(int(v) for v in value.reshape(-1))


def prepare_deconvolution(node, attrs):
    """``attrs`` with ``dnnl``: a oneDNN DeconvolutionKernel for ``node``, or None (numpy)."""
    return dict(attrs, dnnl=_deconvolution_kernel(node, attrs))


def _deconvolution_kernel(node, attrs):
    context = onednn.current()
    filters = _constant(node, 1)
    if context is None or filters is None or not _f32(node) or \
            node.get_input_element_type(1) != node.get_input_element_type(0):
        return None
    from ..onednn.deconvolution import DeconvolutionKernel
    from ..onednn.ops import channels_last_empty

    runtime, threads = context
    count = filters.ndim - (3 if node.get_type_name().startswith("Group") else 2)
    dilations = list(attrs["dilations"]) or [1] * count
    kernel = DeconvolutionKernel(runtime, filters, attrs["strides"], dilations)
    shape = _static_shape(node, 0)
    output_shape = _constant(node, 2) if node.get_input_size() > 2 else None
    created = None
    if shape is not None and (node.get_input_size() == 2 or output_shape is not None):
        x = channels_last_empty(shape)
        key = (tuple(shape), _output_shape_key(output_shape))
        pads = kernel.pads[key] = _geometry(attrs, shape, filters.shape[-count:], output_shape)
        created = kernel.prepared(x, [], threads, *pads)[0]
        if created is None:
            return None
    _mark(node, kernel, created)
    return kernel


def run_deconvolution(kernel, x, output_shape, attrs):
    """The oneDNN result of a prepared transposed convolution, or None (no fast primitive)."""
    if x.ndim < 3:
        return None
    key = (x.shape, _output_shape_key(output_shape))
    pads = kernel.pads.get(key)
    if pads is None:
        count = x.ndim - 2
        if key[1] is not None and len(key[1]) != count:
            return None  # the numpy kernel reports the bad output_shape
        pads = kernel.pads[key] = _geometry(attrs, x.shape, kernel.filters.shape[-count:],
                                            output_shape)
    return kernel(x, [], current_threads(), *pads)
