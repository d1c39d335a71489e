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


# --- older versions, for ov_notebook.opset1 ... opset15 (see opset/_versions.py) ----------------
@builder(older_version_of="max_pool")
def _max_pool_1(data, strides, pads_begin, pads_end, kernel_shape, rounding_type="floor",
                auto_pad=None, name=None) -> spec.MaxPool1:
    """MaxPool-1 (``openvino.opset1.max_pool``): one output, no dilations."""
    return spec.MaxPool1(as_node(data, "data"), strides=strides, pads_begin=pads_begin,
                         pads_end=pads_end, kernel=kernel_shape, rounding_type=rounding_type,
                         auto_pad=auto_pad or "explicit", name=name)


@builder(older_version_of="max_pool")
def _max_pool_8(data, strides, dilations, pads_begin, pads_end, kernel_shape, rounding_type="floor",
                auto_pad=None, index_element_type="i64", axis=0, name=None) -> spec.MaxPool8:
    """MaxPool-8 (``openvino.opset8.max_pool``): values and indices."""
    return spec.MaxPool8(as_node(data, "data"), strides=strides, dilations=dilations,
                         pads_begin=pads_begin, pads_end=pads_end, kernel=kernel_shape,
                         rounding_type=rounding_type, auto_pad=auto_pad or "explicit",
                         index_element_type=element_type(index_element_type,
                                                          "index_element_type"),
                         axis=0 if axis is None else axis, name=name)


def _avg_pool_older(op_class, data_batch, strides, pads_begin, pads_end, kernel_shape, exclude_pad,
                    rounding_type, auto_pad, name):
    return op_class(as_node(data_batch, "data_batch"), strides=strides, pads_begin=pads_begin,
                    pads_end=pads_end, kernel=kernel_shape, **{"exclude-pad": exclude_pad},
                    rounding_type=rounding_type, auto_pad=auto_pad or "explicit", name=name)


@builder(older_version_of="avg_pool")
def _avg_pool_1(data_batch, strides, pads_begin, pads_end, kernel_shape, exclude_pad,
                rounding_type="floor", auto_pad=None, name=None) -> spec.AvgPool1:
    """AvgPool-1 (``openvino.opset1.avg_pool``)."""
    return _avg_pool_older(spec.AvgPool1, data_batch, strides, pads_begin, pads_end, kernel_shape,
                           exclude_pad, rounding_type, auto_pad, name)


@builder(older_version_of="avg_pool")
def _avg_pool_14(data_batch, strides, pads_begin, pads_end, kernel_shape, exclude_pad,
                 rounding_type="floor", auto_pad=None, name=None) -> spec.AvgPool14:
    """AvgPool-14 (``openvino.opset14.avg_pool``): rounding_type ceil_torch too."""
    return _avg_pool_older(spec.AvgPool14, data_batch, strides, pads_begin, pads_end,
                           kernel_shape, exclude_pad, rounding_type, auto_pad, name)
