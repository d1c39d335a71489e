"""Kernels of the element-wise ops that have a oneDNN form (the ``onednn_eltwise`` and
``onednn_binary`` traits of their classes): the op's own numpy ``compute``, preceded on the
oneDNN backend by a primitive its ``prepare`` hook made at compile time
(``runtime/onednn/eltwise.py``), for f32 and from the sizes where oneDNN measured faster.
Each kernel wraps the op's ``compute`` (``inspect.unwrap`` gives it back): the numpy math stays
written once. Fused into a convolution or MatMul, the same ops run as oneDNN post-ops."""
from __future__ import annotations

import functools
import math

from ...ir.node import get_op_class, registered_ops
from .. import onednn
from ..parallel import current_threads
from . import kernel
from ._onednn import _f32, _mark, _static_shape


def _eltwise_kernel(node):
    """A oneDNN EltwiseKernel for the activation ``node``, or None (numpy)."""
    from ..onednn._runtime import aligned_empty
    from ..onednn.eltwise import MIN_ELEMENTS, EltwiseKernel, eltwise_algorithm

    arguments = node.activation_arguments()
    found = None if arguments is None else eltwise_algorithm(node.onednn_eltwise, arguments)
    if found is None or found[0] not in MIN_ELEMENTS:
        return None
    runtime, threads = onednn.current()
    dnnl_kernel = EltwiseKernel(runtime, *found, min_elements=MIN_ELEMENTS[found[0]])
    shape = _static_shape(node, 0)
    return _created(node, dnnl_kernel, [shape], lambda: (aligned_empty(shape),), threads)


def _binary_kernel(node, attrs):
    """A oneDNN BinaryKernel for the binary ``node`` (numpy broadcasting only), or None."""
    from ..onednn._runtime import aligned_empty
    from ..onednn.eltwise import BINARY_MIN_ELEMENTS, BinaryKernel, binary_operands

    if attrs.get("auto_broadcast", "numpy").lower() != "numpy" or \
            node.get_input_element_type(1) != node.get_input_element_type(0):
        return None
    runtime, threads = onednn.current()
    dnnl_kernel = BinaryKernel(runtime, node.onednn_binary, node.commutative, BINARY_MIN_ELEMENTS)
    shapes = [_static_shape(node, 0), _static_shape(node, 1)]
    if None not in shapes and binary_operands(*map(aligned_empty, shapes),
                                              node.commutative) is None:
        return None  # a broadcast of both operands: oneDNN's binary has none
    return _created(node, dnnl_kernel, shapes,
                    lambda: binary_operands(*map(aligned_empty, shapes), node.commutative)[:2],
                    threads)


def _created(node, dnnl_kernel, shapes, samples, threads):
    """``dnnl_kernel`` with its primitive made now for static ``shapes`` (None: oneDNN refused,
    or they are below its size threshold), or made per shape at run time."""
    created = None
    if None not in shapes:
        if max(math.prod(s) for s in shapes) < dnnl_kernel.min_elements:
            return None
        created = dnnl_kernel.primitive(threads, samples())
        if created is None:
            return None
    _mark(node, dnnl_kernel, created)
    return dnnl_kernel


def _prepare(node, attrs):
    if onednn.current() is None or not _f32(node):
        return attrs
    made = _binary_kernel(node, attrs) if node.onednn_binary else _eltwise_kernel(node)
    return dict(attrs, dnnl=made)


def _unary(compute):
    @functools.wraps(compute)
    def run(x, *rest, out=None, dnnl=None, **attrs):
        if dnnl is not None and (y := dnnl(x, current_threads(), out)) is not None:
            return y
        return compute(x, *rest, out=out, **attrs)
    return run


def _binary(compute):
    @functools.wraps(compute)
    def run(a, b, *, out=None, dnnl=None, **attrs):
        if dnnl is not None and (y := dnnl(a, b, current_threads(), out)) is not None:
            return y
        return compute(a, b, out=out, **attrs)
    return run


for _name in registered_ops():
    _class = get_op_class(_name)
    if _class.compute is not None and (_class.onednn_eltwise or _class.onednn_binary):
        _run = _binary(_class.compute) if _class.onednn_binary else _unary(_class.compute)
        kernel(_name, inplace=True, prepare=_prepare)(_run)
