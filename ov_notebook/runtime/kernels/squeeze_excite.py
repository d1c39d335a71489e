"""The squeeze-excite step (``SqueezeExciteNHWC``, passes/squeeze_excite.py) on NHWC tensors."""
from __future__ import annotations

import numpy as np

from . import kernel
from ._epilogue import apply_epilogue, parse_post_ops
from .pooling import global_mean_nhwc


def _matrix(filters):
    """[O, C, 1, 1] filters as the [C, O] matrix a row vector multiplies."""
    return np.ascontiguousarray(np.asarray(filters, np.float32).reshape(filters.shape[:2]).T)


def _prepare(node, attrs):
    attrs = dict(attrs)
    for key in ("first_post_ops", "second_post_ops"):
        attrs[key] = parse_post_ops(attrs[key])
    for index, key in ((1, "w1"), (2, "w2")):
        source = node.input_value(index).get_node()
        if source.get_type_name() == "Constant":
            attrs[key] = _matrix(source.get_value())
    return attrs


def _pointwise(vector, matrix, program, extras):
    """A 1x1 convolution of [N, 1, 1, C] with its epilogue: [N, 1, 1, O]."""
    y = np.matmul(vector.reshape(vector.shape[0], -1), matrix)
    return apply_epilogue(y.reshape(vector.shape[0], 1, 1, -1), program, extras)


@kernel("SqueezeExciteNHWC", inplace=True, prepare=_prepare)
def squeeze_excite_nhwc(x, filters1, filters2, *extras, first_post_ops="", second_post_ops="",
                        first_extras=0, w1=None, w2=None, out=None):
    # x * act2(conv2(act1(conv1(mean over H, W of x)))), x [N, H, W, C]
    first, second = (parse_post_ops(p) if isinstance(p, str) else p
                     for p in (first_post_ops, second_post_ops))
    w1 = _matrix(filters1) if w1 is None else w1
    w2 = _matrix(filters2) if w2 is None else w2
    squeezed = _pointwise(global_mean_nhwc(x), w1, first, extras[:first_extras])
    scale = _pointwise(squeezed, w2, second, extras[first_extras:]).astype(x.dtype, copy=False)
    if out is not None and (out.shape != x.shape or out.dtype != x.dtype):
        out = None
    return np.multiply(x, scale, out=out)
