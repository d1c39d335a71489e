"""oneDNN kernels of the hot operations, made at compile time by the kernels' ``prepare`` hooks.

Each kernel object is called with the step's arrays (logical NC... views: an NHWC tensor is
given as its ``transpose(0, 3, 1, 2)`` view, whose strides tell oneDNN the memory layout) and
returns the result, or None when oneDNN has no fast implementation for that case (the caller
then runs its numpy kernel). Primitives are cached by the layouts of the runtime inputs and
the thread count, so a dynamic shape creates one primitive per new shape.
"""
from __future__ import annotations

import threading

import numpy as np

from . import _capi as C
from ._runtime import (MemoryDesc, Primitive, aligned_empty, create, implementation_name,
                       layout_of, next_implementation, query_md, reorder, reorder_primitive)

__all__ = ["epilogue_post_ops", "ConvolutionKernel", "MatMulKernel"]

def _eltwise(name, values):
    """The oneDNN eltwise post-op of an activation step (its class's ``onednn_eltwise``), or
    None."""
    from ...ir.errors import UnknownOpError
    from ...ir.node import get_op_class

    try:
        op_class = get_op_class(name)
    except UnknownOpError:
        return None
    if not op_class.fusable_activation or op_class.onednn_eltwise is None or \
            len(values) != len(op_class.epilogue_params):
        return None
    from .eltwise import eltwise_algorithm

    found = eltwise_algorithm(op_class.onednn_eltwise, dict(zip(op_class.epilogue_params, values)))
    return None if found is None else ("eltwise", C.ELTWISE[found[0]], *found[1:])


def epilogue_post_ops(post_ops: str):
    """``"add;Relu"`` -> [("binary", alg), ("eltwise", alg, alpha, beta)], or None when a step
    has no oneDNN post-op. Binary steps read the next extra input."""
    steps = []
    for token in filter(None, post_ops.split(";")):
        name, *values = token.split(":")
        step = ("binary", C.BINARY[name]) if name in C.BINARY and not values else \
            _eltwise(name, values)
        if step is None:
            return None
        steps.append(step)
    return steps


def _fast(primitive: Primitive) -> bool:
    """Whether oneDNN found a tuned implementation (its ``ref`` ones are loops in C)."""
    return not primitive.implementation.startswith("ref")


class _Cached:
    """Primitives by (threads, layouts of the runtime inputs); None caches 'no fast path'."""

    def __init__(self, runtime):
        self.runtime = runtime
        self._cache = {}
        self._seen = {}  # raw (shape, byte strides) key -> the primitive of its layout
        self._lock = threading.Lock()

    def primitive(self, threads, arrays, geometry=()):
        # raw shapes and strides first (cheap); the canonical layouts only when those miss
        raw = (threads, geometry) + tuple((a.shape, a.strides) for a in arrays)
        found = self._seen.get(raw, self)
        if found is not self:
            return found
        key = (threads, geometry) + tuple(layout_of(a) for a in arrays)
        found = self._cache.get(key, self)
        if found is self:
            with self._lock:
                found = self._cache.get(key, self)
                if found is self:
                    self.runtime.set_threads(threads)
                    if any(s < 0 for a in arrays for s in a.strides) or \
                            any(a.dtype != np.float32 for a in arrays):
                        found = None
                    else:
                        found = self.build(*arrays, *geometry)
                    self._cache[key] = found
        self._seen[raw] = found
        return found

    def build(self, *arrays):
        raise NotImplementedError


def _post_op_attrs(runtime, steps, extras, dst_ndim):
    """oneDNN post-ops of ``steps``, the binary ones reading ``extras`` (broadcast to ``dst_ndim``
    with leading ones, numpy's rule); None when an extra has more dimensions than the output."""
    attrs, extra = [], iter(extras)
    for step in steps:
        if step[0] in ("eltwise", "sum"):  # a sum reads the destination's own contents
            attrs.append(step)
            continue
        array = next(extra)
        if array.ndim > dst_ndim:
            return None
        array = array.reshape((1,) * (dst_ndim - array.ndim) + array.shape)
        attrs.append(("binary", step[1], MemoryDesc.of_array(runtime, array)))
    return attrs


def channels_last_empty(shape):
    """An aligned buffer of logical shape [N, C, spatial...] laid out [N, spatial..., C]."""
    if len(shape) == 4:
        return aligned_empty((shape[0], shape[2], shape[3], shape[1])).transpose(0, 3, 1, 2)
    order = (0,) + tuple(range(2, len(shape))) + (1,)
    back = (0, len(shape) - 1) + tuple(range(1, len(shape) - 1))
    return aligned_empty([shape[axis] for axis in order]).transpose(back)


def is_channels_last(array) -> bool:
    """Whether ``array`` [N, C, spatial...] is dense channels-last memory."""
    strides = array.strides
    expected = array.itemsize
    for axis in (1,) + tuple(range(array.ndim - 1, 1, -1)) + (0,):
        if array.shape[axis] != 1 and strides[axis] != expected:
            return False
        expected *= array.shape[axis]
    return True


class Reorder(_Cached):
    """A copy into channels-last memory (``channels_last_empty``) by a reorder primitive."""

    def build(self, x):
        rt = self.runtime
        return reorder_primitive(rt, MemoryDesc.of_array(rt, x),
                                 MemoryDesc.of_array(rt, channels_last_empty(x.shape)))

    def __call__(self, x, threads):
        primitive = self.primitive(threads, (x,))
        if primitive is None:
            return None
        y = channels_last_empty(x.shape)
        self.runtime.set_threads(threads)
        primitive.execute(x, y)
        return y


def _weighted_primitive(rt, pd, src, weights, bias, dst, post_ops):
    """The primitive of a convolution or MatMul descriptor ``pd`` (destroyed here) with its
    arguments: source, weights (None: the layout the primitive picked), bias, destination and
    the binary post-ops' inputs; and the weights' memory descriptor."""
    try:
        if weights is None:
            weights = query_md(rt, pd, C.QUERY_WEIGHTS_MD)
        arguments = [C.ARG_SRC, C.ARG_WEIGHTS] + ([C.ARG_BIAS] if bias else []) + [C.ARG_DST]
        arguments += [C.post_op_argument(i) for i, op in enumerate(post_ops)
                      if op[0] == "binary"]
        descs = [src, weights] + ([bias] if bias else []) + [dst] + \
            [op[2] for op in post_ops if op[0] == "binary"]
        return Primitive(rt, pd, arguments, descs), weights
    finally:
        rt.lib.dnnl_primitive_desc_destroy(pd)


def _with_rank(array, ndim):
    return array.reshape((1,) * (ndim - array.ndim) + array.shape)


class ConvolutionKernel(_Cached):
    """(Group)Convolution with bias and post-ops. ``filters`` [O, C, k...] or, grouped,
    [G, O/G, C/G, k...]. oneDNN's fast f32 convolutions run on channels-last memory: an input
    in another layout is reordered first, and the output is a channels-first view of
    channels-last memory (the NHWC kernels return that memory itself)."""

    primitive_kind, algorithm = "convolution_forward", C.CONVOLUTION_DIRECT
    static_call = None  # the StaticCall of the primitive made at compile time (kernels/_onednn)
    in_place_input = None  # the step argument its static call may sum into (its ``out=``)
    # Depthwise: oneDNN 3.2 lists brdgmm_dw first, but its jit_dw kernel is 6-22% faster per
    # layer on every depthwise convolution of mobilenet_v3_large and efficientnet_b0 (NHWC, f32,
    # 1 thread, eltwise post-op; benchmarks/kernels_impl.py), so the descriptor is advanced to it.
    replaced, depthwise_preferred = "brdgmm_dw", "jit_dw:avx512"

    def __init__(self, runtime, filters, bias, steps, strides, dilations):
        super().__init__(runtime)
        self.filters = np.asarray(filters, np.float32)
        self.bias = None if bias is None else np.ascontiguousarray(bias, np.float32)
        self.steps = steps
        self.strides = list(strides)
        self.dilations = list(dilations)
        self.to_channels_last = Reorder(runtime)
        self.weights = {}  # primitive -> filters reordered to its layout
        self.pads = {}  # input shape -> (pads_begin, pads_end): the caller resolves auto_pad
        self.grouped = self.filters.ndim == len(self.strides) + 3
        depthwise = self.grouped and self.filters.shape[1] == self.filters.shape[2] == 1
        self.preferred = self.depthwise_preferred if depthwise else None

    def output_shape(self, x, begin, end):
        kernel = self.filters.shape[-len(self.strides):]
        out = self.filters.shape[0] * self.filters.shape[1] if self.grouped else \
            self.filters.shape[0]
        spatial = [(size + b + e - (k - 1) * d - 1) // s + 1 for size, k, s, d, b, e in zip(
            x.shape[2:], kernel, self.strides, self.dilations, begin, end)]
        return [x.shape[0], out] + spatial

    @staticmethod
    def _output(shape):
        return channels_last_empty(shape)

    @staticmethod
    def fast(primitive) -> bool:
        return _fast(primitive)

    def build(self, x, *extras_and_pads):
        *extras, begin, end = extras_and_pads
        made = self._create(x, extras, begin, end, self.steps)
        if made is None:
            return None
        primitive, weights = made
        self.weights[primitive] = reorder(self.runtime, self.filters, weights)
        return primitive

    def summing(self, primitive, x, extras, begin, end, residual):
        """A variant of ``primitive`` (made for ``x``, ``extras``) whose binary add of
        ``extras[residual]`` is oneDNN's sum post-op instead: it adds what the destination
        holds, so the step writes into the residual's own (dead) buffer rather than a new one,
        as OpenVINO's CPU plugin does. Reads the same reordered weights; None when oneDNN picks
        another weight layout for it or has no fast implementation."""
        binary = [i for i, step in enumerate(self.steps) if step[0] == "binary"]
        if residual >= len(binary) or self.steps[binary[residual]][1] != C.BINARY["add"]:
            return None
        steps = list(self.steps)
        steps[binary[residual]] = ("sum", 1.0)
        kept = [e for i, e in enumerate(extras) if i != residual]
        made = self._create(x, kept, begin, end, steps)
        if made is None:
            return None
        variant, weights = made
        if not self.runtime.lib.dnnl_memory_desc_equal(weights.handle,
                                                       primitive.weights_desc.handle):
            return None
        self.weights[variant] = self.weights[primitive]
        return variant

    def _create(self, x, extras, begin, end, steps):
        """(primitive with ``steps`` as post-ops, the weights' memory descriptor it picked)
        or None."""
        rt = self.runtime
        shape = self.output_shape(x, begin, end)
        if min(shape) <= 0 or x.shape[0] == 0:
            return None
        post_ops = _post_op_attrs(rt, steps, extras, len(shape))
        if post_ops is None:
            return None
        dst = MemoryDesc.of_array(rt, self._output(shape))
        src = MemoryDesc.of_array(rt, x)
        weights = MemoryDesc.any(rt, self.filters.shape)
        bias = MemoryDesc.of(rt, self.bias.shape) if self.bias is not None else None
        dilations = [d - 1 for d in self.dilations]

        def descriptor():
            return create(rt, self.primitive_kind, C.FORWARD_INFERENCE, self.algorithm,
                          src.handle, weights.handle, bias.handle if bias else None, dst.handle,
                          C.dims(self.strides), C.dims(dilations), C.dims(begin), C.dims(end),
                          attr_post_ops=post_ops)
        pd = descriptor()
        if pd is None:
            return None
        if self.preferred and implementation_name(rt, pd).startswith(self.replaced) and \
                not next_implementation(rt, pd, self.preferred):
            rt.lib.dnnl_primitive_desc_destroy(pd)  # walked past the default: start again
            pd = descriptor()
        primitive, weights = _weighted_primitive(rt, pd, src, None, bias, dst, post_ops)
        if not self.fast(primitive):
            return None
        primitive.output_shape = shape
        primitive.weights_desc = weights
        return primitive, weights

    def _channels_last_extra(self, extra, threads):
        """A residual in another layout than the output's, reordered (oneDNN's fast
        convolutions read a full-size post-op input in the destination's layout)."""
        if extra.ndim < 3 or is_channels_last(extra) or 1 in extra.shape[1:]:
            return extra
        return self.to_channels_last(extra, threads)

    def prepared(self, x, extras, threads, begin, end):
        """(primitive or None, x, extras): the arguments as the primitive reads them."""
        if not is_channels_last(x):
            x = self.to_channels_last(x, threads)
            if x is None:
                return None, x, extras
        extras = [self._channels_last_extra(_with_rank(e, x.ndim), threads) for e in extras]
        if any(e is None for e in extras):
            return None, x, extras
        return self.primitive(threads, (x, *extras), (tuple(begin), tuple(end))), x, extras

    def __call__(self, x, extras, threads, begin, end):
        """``x`` [N, C, spatial...] convolved with pads ``begin``/``end``; None: no oneDNN path."""
        primitive, x, extras = self.prepared(x, extras, threads, begin, end)
        if primitive is None:
            return None
        y = self._output(primitive.output_shape)
        self.runtime.set_threads(threads)
        weights = self.weights[primitive]
        if self.bias is not None:
            primitive.execute(x, weights, self.bias, y, *extras)
        else:
            primitive.execute(x, weights, y, *extras)
        return y


class MatMulKernel(_Cached):
    """MatMul ``a @ b`` (transposes already applied as strided views) with an optional bias
    over the last axis and post-ops; ``weights``: a constant B, reordered to oneDNN's layout."""

    static_call = None  # the StaticCall of the primitive made at compile time (kernels/_onednn)

    def __init__(self, runtime, weights, bias, steps):
        super().__init__(runtime)
        self.constant = None if weights is None else np.asarray(weights, np.float32)
        self.bias = None if bias is None else np.ascontiguousarray(bias, np.float32)
        self.steps = steps
        self.packed = {}

    def build(self, a, b, *extras):
        rt = self.runtime
        if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2] or 0 in a.shape + b.shape:
            return None
        ndim = max(a.ndim, b.ndim)
        a, b = _with_rank(a, ndim), _with_rank(b, ndim)
        try:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            return None
        if any(x != y and y != 1 for x, y in zip(batch, b.shape[:-2])) or \
                tuple(batch) != a.shape[:-2]:
            return None  # oneDNN broadcasts the weights' batch only
        shape = list(batch) + [a.shape[-2], b.shape[-1]]
        post_ops = _post_op_attrs(rt, self.steps, extras, len(shape))
        if post_ops is None:
            return None
        src = MemoryDesc.of_array(rt, a)
        weights = MemoryDesc.any(rt, b.shape) if self.constant is not None else \
            MemoryDesc.of_array(rt, b)
        bias = MemoryDesc.of(rt, [1] * (ndim - 1) + [self.bias.shape[-1]]) \
            if self.bias is not None else None
        dst = MemoryDesc.of(rt, shape)
        pd = create(rt, "matmul", src.handle, weights.handle, bias.handle if bias else None,
                    dst.handle, attr_post_ops=post_ops)
        if pd is None:
            return None
        primitive, weights = _weighted_primitive(
            rt, pd, src, None if self.constant is not None else weights, bias, dst, post_ops)
        if not _fast(primitive):
            return None
        if self.constant is not None:
            self.packed[primitive] = reorder(rt, _with_rank(self.constant, ndim), weights)
        primitive.output_shape = shape
        primitive.rank = ndim
        return primitive

    def _arguments(self, a, b, extras):
        """(a, b, extras) as the primitive takes them: with constant 2-D weights the batch
        axes of ``a`` fold into its rows when its memory allows (one GEMM, not a batch of
        GEMVs: [197, 1, 768] from a sequence-first attention), else ranks padded to equal."""
        if self.constant is not None:
            b = self.constant
            if b.ndim == 2 and a.ndim > 2 and all(
                    e.ndim <= 1 or all(d == 1 for d in e.shape[:-2]) and e.shape[-2] == 1
                    for e in extras):
                rows = _rows(a)
                if rows is not None:
                    return rows, b, [e.reshape(1, -1) if e.ndim else e for e in extras]
        rank = max(a.ndim, b.ndim)
        return _with_rank(a, rank), _with_rank(b, rank), [_with_rank(e, rank) for e in extras]

    def prepared(self, a, b, extras, threads):
        """The primitive for these arguments (made on first use), or None."""
        a, b, extras = self._arguments(a, b, extras)
        return self.primitive(threads, (a, b, *extras))

    def __call__(self, a, b, extras, threads):
        shape = a.shape[:-1] + (b.shape[-1] if self.constant is None else self.constant.shape[-1],)
        a, b, extras = self._arguments(a, b, extras)
        primitive = self.primitive(threads, (a, b, *extras))
        if primitive is None:
            return None
        if self.constant is not None:
            b = self.packed[primitive]
        y = aligned_empty(primitive.output_shape)
        self.runtime.set_threads(threads)
        if self.bias is not None:
            primitive.execute(a, b, self.bias, y, *extras)
        else:
            primitive.execute(a, b, y, *extras)
        return y.reshape(shape) if a.ndim == 2 and len(shape) > 2 else y


def _rows(a):
    """``a`` [..., M, K] as a [rows, K] view without copying, or None."""
    view = a.view()
    try:
        view.shape = (-1, a.shape[-1])
    except AttributeError:  # numpy: the memory does not allow it without a copy
        return None
    return view
