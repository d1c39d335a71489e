"""Builders for the convolutions, with the signatures of ``openvino.opset1``."""
from __future__ import annotations

import numpy as np

from ..ir.ops import convolution as spec
from ._base import BuilderTypeError, as_node, builder


@builder
def convolution(data, filters, strides, pads_begin, pads_end, dilations, auto_pad="EXPLICIT",
                name=None) -> spec.Convolution:
    """Convolution-1: ``filters`` [C_out, C_in, kernel...] over ``data`` [N, C_in, spatial...].

        >>> y = convolution(x, weights, [1, 1], [1, 1], [1, 1], [1, 1])  # 3x3 "same"
    """
    data = as_node(data, "data")
    return spec.Convolution(data, as_node(filters, "filters", like=data), strides=strides,
                            pads_begin=pads_begin, pads_end=pads_end, dilations=dilations,
                            auto_pad=auto_pad, name=name)


@builder
def group_convolution(data, filters, strides, pads_begin, pads_end, dilations,
                      auto_pad="EXPLICIT", name=None) -> spec.GroupConvolution:
    """GroupConvolution-1: ``filters`` [groups, C_out/groups, C_in/groups, kernel...]."""
    data = as_node(data, "data")
    return spec.GroupConvolution(data, as_node(filters, "filters", like=data), strides=strides,
                                 pads_begin=pads_begin, pads_end=pads_end, dilations=dilations,
                                 auto_pad=auto_pad, name=name)


def _backprop_inputs(data, filters, output_shape):
    data = as_node(data, "data")
    inputs = [data, as_node(filters, "filters", like=data)]
    if output_shape is not None:
        # a list of ints becomes an i64 Constant
        inputs.append(as_node(output_shape, "output_shape"))
    return inputs


def _backprop_attrs(strides, pads_begin, pads_end, dilations, auto_pad, output_padding):
    if not isinstance(strides, (list, tuple, np.ndarray)):
        raise BuilderTypeError(f"expected a list of integers (one per spatial axis), got "
                               f"{strides!r}", "strides")
    count = len(strides)
    return dict(strides=strides,
                pads_begin=[0] * count if pads_begin is None else pads_begin,
                pads_end=[0] * count if pads_end is None else pads_end,
                dilations=[1] * count if dilations is None else dilations,
                auto_pad="explicit" if auto_pad is None else auto_pad,
                output_padding=[0] * count if output_padding is None else output_padding)


@builder
def convolution_backprop_data(data, filters, strides, output_shape=None, pads_begin=None,
                              pads_end=None, dilations=None, auto_pad=None, output_padding=None,
                              name=None) -> spec.ConvolutionBackpropData:
    """ConvolutionBackpropData-1 (transposed convolution), ``filters`` [C_in, C_out, kernel...];
    ``output_shape`` (spatial sizes) is optional."""
    return spec.ConvolutionBackpropData(
        *_backprop_inputs(data, filters, output_shape), name=name,
        **_backprop_attrs(strides, pads_begin, pads_end, dilations, auto_pad, output_padding))


@builder
def group_convolution_backprop_data(data, filters, strides, output_shape=None, pads_begin=None,
                                    pads_end=None, dilations=None, auto_pad="EXPLICIT",
                                    output_padding=None, name=None
                                    ) -> spec.GroupConvolutionBackpropData:
    """GroupConvolutionBackpropData-1, ``filters`` [groups, C_in/groups, C_out/groups, k...]."""
    return spec.GroupConvolutionBackpropData(
        *_backprop_inputs(data, filters, output_shape), name=name,
        **_backprop_attrs(strides, pads_begin, pads_end, dilations, auto_pad, output_padding))
