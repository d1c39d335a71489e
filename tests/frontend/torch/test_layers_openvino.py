"""Real OpenVINO reads the IR the translators write and computes what our runtime computes.

One case per translator choice where OpenVINO could read an attribute or an op differently from
us (pool rounding, interpolation coordinates, integer division, indices types, MVN/BatchNorm...),
taken from the layer tables and run on both routes.
"""
import pytest

import test_layers_activations as activations
import test_layers_arithmetic as arithmetic
import test_layers_conv_pool as conv_pool
import test_layers_creation as creation
import test_layers_indexing as indexing
import test_layers_interpolate as interpolate
import test_layers_linear as linear
import test_layers_normalization as normalization
import test_layers_reductions as reductions
import test_layers_shape_ops as shape_ops
from layer_harness import check_openvino_agrees

SELECTED = [
    (arithmetic.BINARY, ["div_int_floor", "div_int_trunc", "div_trunc", "remainder", "fmod",
                         "pow_int_float"]),
    (arithmetic.PROMOTION, ["int_plus_float_tensor", "uint8_plus_int8"]),
    (arithmetic.UNARY, ["round_decimals", "rsqrt"]),
    (arithmetic.SELECTION, ["clamp_int_float_bound", "where_int_float", "masked_fill_broadcast"]),
    (activations.ACTIVATIONS, ["gelu_tanh", "softplus_beta_threshold", "selu", "prelu_channels",
                               "hardsigmoid", "log_softmax"]),
    (conv_pool.CONVOLUTIONS, ["conv2d_same", "conv2d_groups", "conv_transpose2d_pads",
                              "conv1d"]),
    (conv_pool.POOLS, ["max_pool2d_ceil_pad", "max_pool2d_indices", "avg_pool2d_ceil_pad_exclude",
                      "adaptive_avg_pool2d_uneven", "adaptive_max_pool2d_indices"]),
    (linear.PRODUCTS, ["addmm", "einsum_bmm"]),
    (linear.ATTENTION, ["sdpa_causal", "sdpa_bool_mask"]),
    (normalization.NORMS, ["batch_norm2d", "layer_norm_2d_shape", "group_norm",
                           "instance_norm2d_affine", "rms_norm"]),
    (reductions.REDUCTIONS, ["max_dim", "argmin_keepdim", "std_correction", "norm_p1_keepdim",
                             "logsumexp"]),
    (reductions.SCANS_AND_SORTS, ["cumsum_int", "topk_smallest_dim", "sort_descending_dim"]),
    (shape_ops.SHAPES, ["flatten_middle", "expand_minus_one", "squeeze_non_one_dim"]),
    (indexing.SLICE_GATHER, ["slice_step", "index_separated", "flip", "roll_flat"]),
    (indexing.PADS, ["pad_reflect", "pad_negative", "pad_to_multiple"]),
    (creation.CREATION, ["arange_float", "triu_diagonal"]),
    (interpolate.UPSAMPLING, ["nearest_fractional_scale", "nearest_exact",
                              "bilinear_align_corners", "bilinear_fractional_scale",
                              "bicubic_scale", "trilinear_3d"]),
]


def _params():
    for table, names in SELECTED:
        for name in names:
            make_module, make_inputs = table[name][:2]
            for route in ("export", "trace"):
                yield pytest.param(make_module, make_inputs, route, id=f"{name}-{route}")


@pytest.mark.parametrize("make_module, make_inputs, route", list(_params()))
def test_openvino_agrees(make_module, make_inputs, route):
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-4, atol=1e-4)
