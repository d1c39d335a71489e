"""Op builders named like ``openvino.opset*``: build a model by hand.

    >>> import numpy as np, ov_notebook as ov
    >>> from ov_notebook import opset as ops
    >>> x = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="x")
    >>> w = ops.constant(np.random.rand(4, 3, 3, 3).astype(np.float32))
    >>> y = ops.relu(ops.convolution(x, w, [1, 1], [1, 1], [1, 1], [1, 1]))
    >>> model = ov.Model([y], [x], "tiny")

Arguments that are not nodes (ints, floats, lists, arrays) become Constants. A bad argument raises
a TypeError or ValueError that names the builder and the argument
(``add(): argument 'right_node': expected a node, ..., got str 'x'``).

Each builder is a ``@builder`` function of its family module (``_elementwise.py``,
``_reduction.py``, ...); a new builder is imported here and listed in ``__all__``
(tests/api/test_opset_definitions.py checks both).
"""
# abs, range, round and slice shadow Python builtins in this namespace, as in openvino.opset*
from ._base import as_node, as_nodes
from ._core import parameter, constant, result, convert, convert_like, shape_of
from ._elementwise import (
    absolute, abs, negative, sign, floor, ceiling, ceil, sqrt, exp, log, erf, sin, cos, tan, asin,
    acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, relu, sigmoid, hswish, hsigmoid, mish,
    softplus, softsign, logical_not, add, subtract, multiply, divide, power, maximum, minimum,
    squared_difference, floor_mod, mod, equal, not_equal, less, less_equal, greater,
    greater_equal, logical_and, logical_or, logical_xor, elu, clamp, gelu, swish, prelu, selu,
)
from ._bitwise import (
    bitwise_and, bitwise_or, bitwise_xor, bitwise_left_shift, bitwise_right_shift, bitwise_not,
)
from ._reduction import (
    reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod, reduce_l1, reduce_l2,
    reduce_logical_and, reduce_logical_or,
)
from ._matmul import matmul, einsum
from ._convolution import (
    convolution, group_convolution, convolution_backprop_data, group_convolution_backprop_data,
)
from ._pooling import max_pool, avg_pool, adaptive_avg_pool, adaptive_max_pool
from ._normalization import batch_norm_inference, mvn, normalize_l2, group_normalization, lrn
from ._softmax import softmax, log_softmax
from ._attention import scaled_dot_product_attention
from ._shape_ops import reshape, squeeze, unsqueeze, transpose
from ._concat_split import concat, split, variadic_split
from ._slicing import strided_slice, slice
from ._indexing import gather, gather_elements, gather_nd
from ._scatter import scatter_update, scatter_elements_update, scatter_nd_update
from ._selection import select, non_zero, bucketize, one_hot
from ._expand import broadcast, tile, eye, range
from ._layout import (
    pad, reverse, roll, reverse_sequence, depth_to_space, space_to_depth, shuffle_channels,
)
from ._interpolate import interpolate
from ._rounding import round
from ._sorting import topk, cumsum, cum_sum
from ._color import nv12_to_rgb, nv12_to_bgr, i420_to_rgb, i420_to_bgr
from ._quantization import fake_quantize
from ._recurrent import (
    rnn_cell, gru_cell, lstm_cell, rnn_sequence, gru_sequence, lstm_sequence,
)
from ._state import read_value, assign
from ._control_flow import loop, if_op, tensor_iterator
from ._fft import dft, idft, rdft, irdft, stft
from ._sampling import grid_sample
from ._detection import non_max_suppression, roi_align
from ._deformable import deformable_convolution
from ._embedding_bag import embedding_bag_offsets, embedding_bag_packed
from ._fold import col2im

__all__ = [
    "as_node", "as_nodes", "parameter", "constant", "result", "convert", "convert_like",
    "shape_of", "absolute", "abs", "negative", "sign", "floor", "ceiling", "ceil", "sqrt", "exp", "log",
    "erf", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "relu", "sigmoid", "hswish", "hsigmoid", "mish", "softplus", "softsign",
    "logical_not", "add", "subtract", "multiply", "divide", "power", "maximum", "minimum",
    "squared_difference", "floor_mod", "mod", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "elu", "clamp",
    "gelu", "swish", "prelu", "selu", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_left_shift", "bitwise_right_shift", "bitwise_not", "reduce_sum", "reduce_mean",
    "reduce_max", "reduce_min", "reduce_prod", "reduce_l1", "reduce_l2", "reduce_logical_and",
    "reduce_logical_or", "matmul", "einsum", "convolution", "group_convolution",
    "convolution_backprop_data", "group_convolution_backprop_data", "max_pool", "avg_pool",
    "adaptive_avg_pool", "adaptive_max_pool", "batch_norm_inference", "mvn", "normalize_l2",
    "group_normalization", "lrn", "softmax", "log_softmax", "scaled_dot_product_attention",
    "reshape", "squeeze", "unsqueeze", "transpose", "concat", "split", "variadic_split",
    "strided_slice", "slice", "gather", "gather_elements", "gather_nd", "scatter_update",
    "scatter_elements_update", "scatter_nd_update", "select", "non_zero", "bucketize",
    "one_hot", "broadcast", "tile", "eye", "range", "pad", "reverse", "roll",
    "reverse_sequence", "depth_to_space", "space_to_depth", "shuffle_channels", "interpolate",
    "round", "topk", "cumsum", "cum_sum", "nv12_to_rgb", "nv12_to_bgr", "i420_to_rgb",
    "i420_to_bgr", "fake_quantize", "rnn_cell", "gru_cell", "lstm_cell", "rnn_sequence",
    "gru_sequence", "lstm_sequence", "read_value", "assign", "loop", "if_op", "dft", "idft",
    "tensor_iterator",
    "rdft", "irdft", "grid_sample", "non_max_suppression", "roi_align",
    "deformable_convolution", "embedding_bag_offsets", "embedding_bag_packed", "col2im", "stft",
]
