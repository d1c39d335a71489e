"""Builders for pooling, with the signatures of ``openvino.opset14``/``opset16``/``opset8``."""
from __future__ import annotations

from ..ir.ops import pooling as spec
from ._base import as_node, builder, element_type


@builder
def max_pool(data, strides, dilations, pads_begin, pads_end, kernel_shape, rounding_type="floor",
             auto_pad=None, index_element_type="i64", axis=0, name=None) -> spec.MaxPool:
    """MaxPool-14: two outputs, the maxima and their indices (flattened from ``axis``).

        >>> values, indices = max_pool(x, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2]).outputs()
    """
    return spec.MaxPool(as_node(data, "data"), strides=strides, dilations=dilations,
                        pads_begin=pads_begin, pads_end=pads_end, kernel=kernel_shape,
                        rounding_type=rounding_type, auto_pad=auto_pad or "explicit",
                        index_element_type=element_type(index_element_type,
                                                         "index_element_type"),
                        axis=0 if axis is None else axis, name=name)


@builder
def avg_pool(data_batch, strides, pads_begin, pads_end, kernel_shape, exclude_pad,
             rounding_type="floor", auto_pad=None, dilations=None, name=None) -> spec.AvgPool:
    """AvgPool-16; ``exclude_pad`` averages over the non-padding elements only."""
    return spec.AvgPool(as_node(data_batch, "data_batch"), strides=strides, pads_begin=pads_begin,
                        pads_end=pads_end, kernel=kernel_shape, **{"exclude-pad": exclude_pad},
                        rounding_type=rounding_type, auto_pad=auto_pad or "explicit",
                        dilations=[] if dilations is None else dilations, name=name)


@builder
def adaptive_avg_pool(data, output_shape, name=None) -> spec.AdaptiveAvgPool:
    """AdaptiveAvgPool-8: average into ``output_shape`` (spatial sizes) bins."""
    return spec.AdaptiveAvgPool(as_node(data, "data"), as_node(output_shape, "output_shape"),
                                name=name)


@builder
def adaptive_max_pool(data, output_shape, index_element_type="i64", name=None
                      ) -> spec.AdaptiveMaxPool:
    """AdaptiveMaxPool-8: maxima of ``output_shape`` bins and their indices in each plane."""
    return spec.AdaptiveMaxPool(as_node(data, "data"), as_node(output_shape, "output_shape"),
                                index_element_type=element_type(index_element_type,
                                                                "index_element_type"),
                                name=name)
