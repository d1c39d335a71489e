"""Where the oneDNN backend hooks into the kernels: the fused ops' ``prepare`` hooks call these
at compile time; inside ``onednn.building`` (a model compiled for oneDNN) they return a
kernel object from ``runtime/onednn/ops.py`` (its primitive for the static shape already
created), else None and the numpy kernel runs.

The kernel objects take logical NC... arrays; the NHWC variants hand them ``to_logical`` views.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.convolution import resolve_pads
from .. import onednn
from ..parallel import current_threads

__all__ = ["convolution_kernel", "matmul_kernel", "run_convolution", "run_matmul", "to_logical",
           "softmax_kernel", "layer_norm_kernel", "pooling_kernel", "run_pooling",
           "conversion_call", "global_pool_call"]


def to_logical(array: np.ndarray, ndim: int = 4) -> np.ndarray:
    """An NHWC tensor (or one that broadcasts into it) as its NCHW view."""
    array = array.reshape((1,) * (ndim - array.ndim) + array.shape)
    return array.transpose(0, 3, 1, 2)


def _f32(node) -> bool:
    return node.get_output_element_type(0).get_type_name() == "f32" and \
        node.get_input_element_type(0).get_type_name() == "f32"


def _constant(node, index):
    source = node.input_value(index).get_node()
    return source.get_value() if source.get_type_name() == "Constant" else None


def _static_shape(node, index):
    shape = node.get_input_partial_shape(index)
    return [d.get_length() for d in shape] if shape.is_static else None


def _steps(post_ops: str, bias):
    from ..onednn.ops import epilogue_post_ops

    steps = epilogue_post_ops(post_ops)
    if steps is None:
        return None
    return steps[1:] if bias is not None else steps


def _mark(node, kernel, created):
    """Name the implementation in the runtime model's rt_info (get_runtime_model()): ``created``
    is the primitive made at compile time, or None when it is made per input shape at run time
    (dynamic shapes; pooling), where a shape oneDNN has no fast implementation for runs numpy."""
    node.rt_info["kernel_backend"] = "onednn" if created else "onednn (made per shape at run time)"
    if created:
        node.rt_info["onednn_implementation"] = created.implementation


def convolution_kernel(node, post_ops: str, bias, extras_from: int, channels_last=False):
    """A oneDNN (Group)Convolution with ``post_ops`` for ``node``, or None."""
    context = onednn.current()
    filters = _constant(node, 1)
    if context is None or filters is None or not _f32(node):
        return None
    steps = _steps(post_ops, bias)
    if steps is None:
        return None
    from ..onednn.ops import ConvolutionKernel, channels_last_empty

    attrs = node.get_attributes()
    runtime, threads = context
    dilations = list(attrs["dilations"]) or [1] * len(attrs["strides"])
    kernel = ConvolutionKernel(runtime, filters, bias, steps, attrs["strides"], dilations)
    shapes = [_static_shape(node, i) for i in range(node.get_input_size())]
    created = None
    if shapes[0] is not None and all(s is not None for s in shapes[2 + extras_from:]):
        x = channels_last_empty(shapes[0])  # NHWC ops report their input 0 as NCHW too
        received = [_sample_extra(s, channels_last) for s in shapes[2 + extras_from:]]
        extras = [to_logical(e) for e in received] if channels_last else received
        begin, end = _pads(attrs, x.shape, kernel.filters.shape)
        created, used_x, used_extras = kernel.prepared(x, extras, threads, begin, end)
        if created is None:
            return None
        if channels_last and x.ndim != 4:
            return None  # run_convolution has no NHWC path for it
        kernel.static_call = _convolution_call(kernel, created, threads, x, received, extras,
                                               used_x, used_extras, 2 + extras_from,
                                               channels_last, (begin, end))
    _mark(node, kernel, created)
    return kernel


def _same_memory(given, used) -> bool:
    """Whether the kernel read ``used`` straight from ``given`` (a view), not from a copy."""
    return given.__array_interface__["data"][0] == used.__array_interface__["data"][0]


def _convolution_call(kernel, primitive, threads, x, received, extras, used_x, used_extras,
                      extras_at, channels_last, pads):
    """The StaticCall of a convolution step whose compile-time samples the kernel read as
    they were (no reorder into channels-last memory first), else None. The step receives
    ``x`` as NHWC memory from ``channels_last`` steps (the logical channels-first view
    otherwise) and the ``received`` extras, and returns what ``run_convolution`` returns.
    An NHWC step that adds a full-size residual also gets the variant that sums into the
    residual's dead buffer (``in_place``); ``kernel.in_place_input`` names that argument."""
    from ..onednn.static import OUT, StaticCall

    if not _same_memory(x, used_x) or \
            not all(_same_memory(e, u) for e, u in zip(extras, used_extras)):
        return None
    expected = {0: x.transpose(0, 2, 3, 1) if channels_last else x}
    expected.update((extras_at + i, e) for i, e in enumerate(received))
    order = [0, kernel.weights[primitive]] + \
        ([kernel.bias] if kernel.bias is not None else []) + [None] + \
        [extras_at + i for i in range(len(extras))]
    shape = primitive.output_shape  # logical [N, C, spatial...], channels-last memory
    memory_order = (0,) + tuple(range(2, len(shape))) + (1,)
    memory_shape = [shape[axis] for axis in memory_order]
    if channels_last:
        call = StaticCall(kernel.runtime, primitive, threads, order, expected, memory_shape)
        residual = next((i for i, e in enumerate(received) if e.flags.c_contiguous and
                         list(e.shape) == memory_shape), None)
        variant = None if residual is None else \
            kernel.summing(primitive, used_x, used_extras, *pads, residual)
        if variant is not None:
            at = extras_at + residual
            order = [OUT if item is None else item for item in order
                     if not (type(item) is int and item == at)]
            call.in_place = StaticCall(kernel.runtime, variant, threads, order,
                                       {i: e for i, e in expected.items() if i != at},
                                       memory_shape)
            kernel.in_place_input = at
        return call
    view = tuple(int(i) for i in np.argsort(memory_order))
    return StaticCall(kernel.runtime, primitive, threads, order, expected, memory_shape, view)


def _sample_extra(shape, channels_last):
    """An extra input of a convolution step as the step receives it: NHWC memory for
    ``channels_last`` steps, else channels-last memory viewed channels-first (what oneDNN
    convolutions return) where that is a layout."""
    from ..onednn._runtime import aligned_empty
    from ..onednn.ops import channels_last_empty

    if channels_last:
        return aligned_empty(shape)
    if len(shape) >= 3 and 1 not in shape[1:]:
        return channels_last_empty(shape)
    return aligned_empty(shape)


def _pads(attrs, x_shape, filters_shape):
    spatial = len(x_shape) - 2
    dilations = list(attrs["dilations"]) or [1] * spatial
    return resolve_pads(attrs.get("auto_pad", "explicit"), x_shape[2:], filters_shape[-spatial:],
                        attrs["strides"], dilations, attrs["pads_begin"], attrs["pads_end"])


def run_convolution(kernel, x, extras, attrs, channels_last=False):
    """The oneDNN result of a prepared convolution (NHWC memory for ``channels_last``), or None."""
    if channels_last:
        if x.ndim != 4:
            return None
        x, extras = to_logical(x), [to_logical(e) for e in extras]
    pads = kernel.pads.get(x.shape)
    if pads is None:
        pads = kernel.pads[x.shape] = tuple(map(tuple, _pads(attrs, x.shape,
                                                              kernel.filters.shape)))
    y = kernel(x, extras, current_threads(), *pads)
    if y is None or not channels_last:
        return y
    return y.transpose(0, 2, 3, 1)


def matmul_kernel(node, post_ops: str, bias, extras_from: int, transpose_b: bool):
    """A oneDNN MatMul with ``post_ops`` for ``node`` (a constant B reordered once), or None."""
    context = onednn.current()
    if context is None or not _f32(node) or node.get_input_element_type(1) != \
            node.get_input_element_type(0):
        return None
    steps = _steps(post_ops, bias)
    if steps is None:
        return None
    from ..onednn._runtime import aligned_empty
    from ..onednn.ops import MatMulKernel

    runtime, threads = context
    weights = _constant(node, 1)
    if weights is not None:
        if weights.ndim < 2:
            return None
        weights = np.swapaxes(weights, -1, -2) if transpose_b else weights
    kernel = MatMulKernel(runtime, weights, bias, steps)
    shapes = [_static_shape(node, i) for i in range(node.get_input_size())]
    attrs = node.get_attributes()
    created = None
    if all(s is not None for i, s in enumerate(shapes) if i != 1 and i < 2 + extras_from) and \
            all(s is not None for s in shapes[2 + extras_from:]) and \
            (weights is not None or shapes[1] is not None):
        received_a = aligned_empty(shapes[0])
        received_b = None if weights is not None else aligned_empty(shapes[1])
        a = _transposed(received_a, attrs.get("transpose_a"))
        b = weights if weights is not None else \
            _transposed(received_b, attrs.get("transpose_b"))
        extras = [aligned_empty(s) for s in shapes[2 + extras_from:]]
        created = kernel.prepared(a, b, extras, threads)
        if created is None:
            return None
        kernel.static_call = _matmul_call(kernel, created, threads, received_a, received_b, a,
                                          b, extras, 2 + extras_from)
    _mark(node, kernel, created)
    return kernel


def _matmul_call(kernel, primitive, threads, received_a, received_b, a, b, extras, extras_at):
    """The StaticCall of a MatMul step: the kernel reads views of what the step receives
    (transposes, folded rows), so the primitive runs on the received arrays' memory. None
    for a 1-D operand, which ``run_matmul`` leaves to numpy (OpenVINO's vector rules)."""
    from ..onednn.static import StaticCall

    if a.ndim < 2 or b.ndim < 2:
        return None
    expected = {0: received_a}
    if received_b is not None:
        expected[1] = received_b
    expected.update((extras_at + i, e) for i, e in enumerate(extras))
    order = [0, kernel.packed[primitive] if kernel.constant is not None else 1] + \
        ([kernel.bias] if kernel.bias is not None else []) + [None] + \
        [extras_at + i for i in range(len(extras))]
    # the shape __call__ returns: a's rows folded into one GEMM come back with a's batch axes
    shape = a.shape[:-1] + (b.shape[-1],)
    folded = kernel._arguments(a, b, extras)[0].ndim == 2 and len(shape) > 2  # noqa: SLF001
    return StaticCall(kernel.runtime, primitive, threads, order, expected,
                      shape if folded else primitive.output_shape)


def _transposed(array, transpose):
    return np.swapaxes(array, -1, -2) if transpose and array.ndim >= 2 else array


def run_matmul(kernel, a, b, extras, transpose_a=False, transpose_b=False):
    """The oneDNN result of a prepared MatMul, or None (1-D operands, no fast primitive)."""
    if a.ndim < 2 or b.ndim < 2:
        return None
    a = _transposed(a, transpose_a)
    if kernel.constant is None:
        b = _transposed(b, transpose_b)
    return kernel(a, b, extras, current_threads())


def softmax_kernel(node, axis: int, log=False):
    """A oneDNN (Log)Softmax for ``node``, its primitive made for a static shape, or None."""
    context = onednn.current()
    if context is None or not _f32(node):
        return None
    from ..onednn._runtime import aligned_empty
    from ..onednn.simple_ops import SoftmaxKernel

    runtime, threads = context
    kernel = SoftmaxKernel(runtime, axis, log)
    shape = _static_shape(node, 0)
    created = None
    if shape is not None:
        created = kernel.primitive(threads, (aligned_empty(shape),))
        if created is None:
            return None
    _mark(node, kernel, created)
    return kernel


def layer_norm_kernel(node, post_ops: str, eps: float, eps_mode: str):
    """(oneDNN layer normalization, how many leading post_ops steps it applies) for a FusedMVN
    over the last axis whose epilogue starts with a constant per-channel ``mul`` and/or
    ``add`` (LayerNorm's gamma and beta), or (None, 0)."""
    context = onednn.current()
    shape = node.get_input_partial_shape(0)
    if context is None or not _f32(node) or eps_mode.upper() != "INSIDE_SQRT" or \
            not shape.rank_is_static or len(shape) < 2 or not shape[-1].is_static:
        return None, 0
    from ..onednn._runtime import aligned_empty
    from ..onednn.simple_ops import LayerNormKernel

    channels = shape[-1].get_length()
    vectors, steps = {}, [s for s in post_ops.split(";") if s]
    # x * gamma + beta: "mul" then "add", or either alone, each with a constant [C]
    for index, token in enumerate(steps[:2]):
        if token not in ("mul", "add") or token in vectors or "add" in vectors or \
                2 + index >= node.get_input_size():
            break  # an activation step (no extra input) ends the gamma/beta prefix
        value = _constant(node, 2 + index)
        if value is None or \
                value.size != channels or value.shape[-1:] != (channels,) or \
                value.ndim > len(shape):
            break
        vectors[token] = value.reshape(-1)
    runtime, threads = context
    kernel = LayerNormKernel(runtime, eps, vectors.get("mul"), vectors.get("add"))
    static = _static_shape(node, 0)
    created = None
    if static is not None:
        created = kernel.primitive(threads, (aligned_empty(static),))
        if created is None:
            return None, 0
    _mark(node, kernel, created)
    return kernel, len(vectors)


def pooling_kernel(node, attrs, average=None):
    """A oneDNN pooling for MaxPool/AvgPool ``node`` (``average``: None for max, else
    exclude-pad), or None: not f32, or a MaxPool whose indices someone reads."""
    context = onednn.current()
    if context is None or not _f32(node) or node.get_input_partial_shape(0).rank_is_static and \
            len(node.get_input_partial_shape(0)) < 3:
        return None
    if node.get_output_size() > 1 and node.output(1).get_target_inputs():
        return None  # OpenVINO's flat indices are not what oneDNN's workspace holds
    from ..onednn.simple_ops import PoolingKernel

    runtime, _ = context
    dilations = list(attrs.get("dilations") or ()) or [1] * len(attrs["kernel"])
    kernel = PoolingKernel(runtime, attrs["kernel"], attrs["strides"], dilations, average)
    _mark(node, kernel, None)
    return kernel


def run_pooling(kernel, x, attrs, geometry, channels_last=False):
    """The oneDNN pooling of ``x`` (NHWC memory in and out for ``channels_last``), or None.
    ``geometry(x) -> (dilations, pads_begin, padded end, output sizes)``: the numpy kernel's,
    whose rules (ceil windows, auto_pad) both follow."""
    if channels_last:
        if x.ndim != 4:
            return None
        x = to_logical(x)
    found = kernel.geometry.get(x.shape)
    if found is None:
        _, begin, end, sizes = geometry(x)
        if kernel.algorithm == _include_padding() and list(end) != list(resolve_pads(
                attrs.get("auto_pad", "explicit"), x.shape[2:], attrs["kernel"], attrs["strides"],
                list(attrs.get("dilations") or ()) or [1] * len(sizes), attrs.get("pads_begin", ()),
                attrs.get("pads_end", ()))[1]):
            found = kernel.geometry[x.shape] = ()  # OpenVINO divides ceil windows its own way
        else:
            found = kernel.geometry[x.shape] = (tuple(begin), tuple(end),
                                                tuple(x.shape[:2]) + tuple(sizes))
    if not found:
        return None
    y = kernel(x, current_threads(), *found)
    if y is None or not channels_last:
        return y
    return y.transpose(0, 2, 3, 1)


def _include_padding():
    from ..onednn._capi import POOLING_AVG_INCLUDE_PADDING

    return POOLING_AVG_INCLUDE_PADDING


def conversion_call(node, order):
    """The StaticCall of a layout conversion ``node`` (a transpose by ``order`` into fresh
    C-contiguous memory) on a oneDNN reorder, for a static f32 input; else None."""
    context = onednn.current()
    shape = _static_shape(node, 0)
    if context is None or shape is None or not _f32(node) or 0 in shape:
        return None
    from ..onednn._runtime import MemoryDesc, aligned_empty, reorder_primitive
    from ..onednn.ops import _fast
    from ..onednn.static import StaticCall

    runtime, threads = context
    runtime.set_threads(threads)
    received = aligned_empty(shape)
    target_shape = [shape[axis] for axis in order]
    # the destination as the input's axes: the transposed view of the C-contiguous output
    target = aligned_empty(target_shape).transpose(np.argsort(order))
    primitive = reorder_primitive(runtime, MemoryDesc.of_array(runtime, received),
                                  MemoryDesc.of_array(runtime, target))
    if not _fast(primitive):
        return None
    node.rt_info["kernel_backend"] = "onednn"
    node.rt_info["onednn_implementation"] = primitive.implementation
    return StaticCall(runtime, primitive, threads, [0, None], {0: received}, target_shape)


def global_pool_call(node):
    """The StaticCall of a global average pooling ``node`` (AdaptiveAvgPoolNHWC: x [N, H, W, C]
    to [N, 1, 1, C]) on a oneDNN pooling primitive, for a static f32 input; else None.

    The numpy kernel's own work is tiny (one BLAS product, ~5 us), but in a model it runs right
    after a convolution has streamed megabytes of weights through the caches, where its dozen
    numpy calls took 60-110 us (efficientnet_b0's last pooling, batch 1) against 20-27 us for
    OpenVINO's ReduceMean: a static call makes a few Python calls and one oneDNN one."""
    context = onednn.current()
    source = node.input_value(0).get_partial_shape()  # NHWC (the node's own input view: NCHW)
    shape = [d.get_length() for d in source] if source.is_static else None
    if context is None or shape is None or len(shape) != 4 or not _f32(node) or 0 in shape:
        return None
    from ..onednn._runtime import aligned_empty
    from ..onednn.simple_ops import global_mean_primitive
    from ..onednn.static import StaticCall

    runtime, threads = context
    runtime.set_threads(threads)
    batch, _, _, channels = shape
    received = aligned_empty(shape)
    primitive = global_mean_primitive(runtime, received)
    if primitive is None:
        return None
    node.rt_info["kernel_backend"] = "onednn"
    node.rt_info["onednn_implementation"] = primitive.implementation
    return StaticCall(runtime, primitive, threads, [0, None], {0: received},
                      (batch, 1, 1, channels))
