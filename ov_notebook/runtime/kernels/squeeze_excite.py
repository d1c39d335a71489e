"""The squeeze-excite step (``SqueezeExciteNHWC``, passes/squeeze_excite.py) on NHWC tensors.

On the oneDNN backend the ``prepare`` hook makes a ``SqueezeExciteKernel``
(``runtime/onednn/squeeze_excite.py``: reduction, two matmuls with their post-ops, binary
multiply), its primitives created for a static shape, else per layout at run time; the numpy
kernel below runs where it returns None (a post-op oneDNN lacks, other memory layouts)."""
from __future__ import annotations

import functools

import numpy as np

from .. import onednn
from . import kernel
from ._epilogue import apply_epilogue, parse_post_ops
from ._onednn import _constant, _f32, _mark, _static_shape
from .pooling import global_mean_nhwc


def _matrix(filters):
    """[O, C, 1, 1] filters as the [C, O] matrix a row vector multiplies."""
    return np.ascontiguousarray(np.asarray(filters, np.float32).reshape(filters.shape[:2]).T)


def _prepare(node, attrs):
    attrs = dict(attrs)
    post_ops = attrs["first_post_ops"], attrs["second_post_ops"]
    for key in ("first_post_ops", "second_post_ops"):
        attrs[key] = parse_post_ops(attrs[key])
    for index, key in ((1, "w1"), (2, "w2")):
        source = node.input_value(index).get_node()
        if source.get_type_name() == "Constant":
            attrs[key] = _matrix(source.get_value())
    attrs["dnnl"] = _onednn_kernel(node, attrs, *post_ops)
    return attrs


def _pointwise(vector, matrix, program, extras):
    """A 1x1 convolution of [N, 1, 1, C] with its epilogue: [N, 1, 1, O]."""
    y = np.matmul(vector.reshape(vector.shape[0], -1), matrix).reshape(vector.shape[0], 1, 1, -1)
    if len(extras) == 1 and program[0][1] and not any(reads for _, reads in program[1:]) and \
            extras[0].size == y.shape[-1]:  # the usual bias [1, 1, 1, O]: no broadcast to check
        program[0][0](y, extras[0].reshape(-1), out=y)
        for function, _ in program[1:]:
            y = function(y)
        return y
    return apply_epilogue(y, program, extras)


# rows of about this many elements for the multiply by the scale (see _scale)
_ROW = 8192


@functools.lru_cache(maxsize=256)
def _positions_per_row(positions: int, channels: int) -> int:
    """The largest divisor of ``positions`` whose row of channels stays within ``_ROW``."""
    count = max(1, min(positions, _ROW // max(channels, 1)))
    while positions % count:
        count -= 1
    return count


def _scale(x, scale, out):
    """x [N, H, W, C] * scale [N, 1, 1, C] into ``out`` (or a new array). numpy's broadcast
    runs its inner loop over the C channels of one position (12544 loops of 32 for
    efficientnet_b0's first block); as rows of k positions times the scale tiled k times the
    loops run ~8K elements: 2x faster (82 -> 37 us on 112x112x32)."""
    batch, channels = x.shape[0], x.shape[3]
    positions = x.shape[1] * x.shape[2]
    if not x.size or not x.flags.c_contiguous or (out is not None and not out.flags.c_contiguous):
        return np.multiply(x, scale, out=out)
    count = _positions_per_row(positions, channels)
    rows = np.tile(scale.reshape(batch, 1, channels), (1, 1, count))
    target = np.empty_like(x) if out is None else out
    shape = (batch, positions // count, count * channels)
    np.multiply(x.reshape(shape), rows, out=target.reshape(shape))
    return target


def _onednn_pointwise(node, matrix, post_ops, extras):
    """The oneDNN form of one 1x1 convolution whose epilogue reads the step's extra inputs at
    ``extras`` (a range): a leading add of a constant [O] vector becomes the matmul's bias."""
    from ..onednn._capi import BINARY
    from ..onednn.ops import epilogue_post_ops
    from ..onednn.squeeze_excite import Pointwise

    steps = epilogue_post_ops(post_ops)
    if steps is None:
        return None
    bias = None
    if steps and steps[0] == ("binary", BINARY["add"]):
        value = _constant(node, 3 + extras.start)
        if value is not None and value.size == matrix.shape[1] and \
                value.shape[-1] == matrix.shape[1]:
            bias, steps, extras = value.reshape(-1), steps[1:], extras[1:]
    return Pointwise(matrix, bias, steps, extras)


def _onednn_kernel(node, attrs, first_post_ops, second_post_ops):
    """A oneDNN SqueezeExciteKernel for ``node`` (constant filters, f32), or None."""
    context = onednn.current()
    if context is None or not _f32(node) or attrs.get("w1") is None or attrs.get("w2") is None:
        return None
    from ..onednn._runtime import aligned_empty
    from ..onednn.squeeze_excite import SqueezeExciteKernel, matrix_extras

    split = attrs.get("first_extras", 0)
    first = _onednn_pointwise(node, attrs["w1"], first_post_ops, range(split))
    second = _onednn_pointwise(node, attrs["w2"], second_post_ops,
                               range(split, node.get_input_size() - 3))
    if first is None or second is None:
        return None
    runtime, threads = context
    kernel = SqueezeExciteKernel(runtime, first, second)
    shapes = [_static_shape(node, i) for i in range(node.get_input_size())]
    created = None
    if shapes[0] is not None and all(shapes[3 + i] is not None for i in kernel.extras):
        extras = matrix_extras([aligned_empty(shapes[3 + i]) for i in kernel.extras],
                               shapes[0][0])
        created = None if extras is None else \
            kernel.primitive(threads, (aligned_empty(shapes[0]), *extras))
        if created is None:
            return None
    _mark(node, kernel, created)
    return kernel


@kernel("SqueezeExciteNHWC", inplace=True, prepare=_prepare)
def squeeze_excite_nhwc(x, filters1, filters2, *extras, first_post_ops="", second_post_ops="",
                        first_extras=0, w1=None, w2=None, dnnl=None, out=None):
    # x * act2(conv2(act1(conv1(mean over H, W of x)))), x [N, H, W, C]
    if dnnl is not None and (y := dnnl(x, extras, out=out)) is not None:
        return y
    first, second = (parse_post_ops(p) if isinstance(p, str) else p
                     for p in (first_post_ops, second_post_ops))
    w1 = _matrix(filters1) if w1 is None else w1
    w2 = _matrix(filters2) if w2 is None else w2
    squeezed = _pointwise(global_mean_nhwc(x), w1, first, extras[:first_extras])
    scale = _pointwise(squeezed, w2, second, extras[first_extras:]).astype(x.dtype, copy=False)
    if out is not None and (out.shape != x.shape or out.dtype != x.dtype):
        out = None
    return _scale(x, scale, out)
