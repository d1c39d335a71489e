"""Which activation layouts oneDNN picks for a convolution, and naming memory layouts.

The runtime's convolution regions keep f32 activations channels-last (the ``channels_last``
pass) and describe them to oneDNN by strides. That is a choice measured against the layout
oneDNN itself picks when asked with ``format_tag any``: :func:`preferred_convolution_layouts`
asks, and :func:`layout_name` names the answer (``nhwc``, ``nchw`` or a blocking such as
``nChw16c``), so the benchmark (``benchmarks/kernels_blocked.py``) and the tests can check that the
choice still holds on the machine and library at hand. Figures and reasoning: the
``channels_last`` pass's docstring and docs/internals.md ("Activation layouts on oneDNN").
"""
from __future__ import annotations

import ctypes

from . import _capi as C
from ._runtime import MemoryDesc, create, query_md

__all__ = ["layout_name", "preferred_convolution_layouts", "tagged"]

# dnnl_query_t values of memory descriptor queries (dnnl_common_types.h, stable in 3.x:
# dnnl_query_exec_arg_md = 255, then ndims_s32, dims, data_type, submemory_offset_s64,
# padded_dims, padded_offsets, format_kind, inner_nblks_s32, inner_blks, inner_idxs)
QUERY_INNER_NBLKS = 263
QUERY_INNER_BLKS = 264
QUERY_INNER_IDXS = 265
_AXES = "nchw"


def _memory_desc_query(lib):
    function = lib.dnnl_memory_desc_query
    function.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    function.restype = ctypes.c_int
    return function


def _plain(runtime, shape, order):
    """f32 ``shape`` [N, C, H, W] laid out with its axes nested as ``order`` (outermost first)."""
    strides, step = [0] * len(shape), 1
    for axis in reversed(order):
        strides[axis] = step
        step *= shape[axis]
    return MemoryDesc.of(runtime, shape, strides)


def layout_name(runtime, desc: MemoryDesc, shape) -> str:
    """``"nchw"``, ``"nhwc"``, another plain order as ``"plain"``, or a blocked layout in
    oneDNN's spelling (``nChw16c``: channels in blocks of 16 innermost, the block index where C
    was) for a 4-D f32 memory descriptor ``desc`` of logical ``shape`` [N, C, H, W]."""
    query = _memory_desc_query(runtime.lib)
    count = ctypes.c_int()
    C.check(query(desc.handle, QUERY_INNER_NBLKS, ctypes.byref(count)), "dnnl_memory_desc_query")
    if count.value == 0:
        equal = runtime.lib.dnnl_memory_desc_equal
        for name, order in (("nchw", (0, 1, 2, 3)), ("nhwc", (0, 2, 3, 1))):
            plain = _plain(runtime, shape, order)  # held: its handle dies with it
            if equal(desc.handle, plain.handle):
                return name
        return "plain"
    sizes, axes = ctypes.POINTER(ctypes.c_int64)(), ctypes.POINTER(ctypes.c_int64)()
    C.check(query(desc.handle, QUERY_INNER_BLKS, ctypes.byref(sizes)), "dnnl_memory_desc_query")
    C.check(query(desc.handle, QUERY_INNER_IDXS, ctypes.byref(axes)), "dnnl_memory_desc_query")
    blocks = [(int(sizes[i]), int(axes[i])) for i in range(count.value)]
    outer = "".join(a.upper() if any(axis == i for _, axis in blocks) else a
                    for i, a in enumerate(_AXES))
    return outer + "".join(f"{size}{_AXES[axis]}" for size, axis in blocks)


def tagged(runtime, shape, tag: str) -> MemoryDesc:
    """f32 ``shape`` in the layout of oneDNN's string tag ``tag`` (``aBcd16b`` is nChw16c):
    string tags, unlike the enum ones, keep their meaning across releases."""
    function = runtime.lib.dnnl_memory_desc_create_with_string_tag
    function.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                         ctypes.c_char_p)
    function.restype = ctypes.c_int
    handle = ctypes.c_void_p()
    C.check(function(ctypes.byref(handle), len(shape), C.dims(shape), C.F32, tag.encode()),
            "dnnl_memory_desc_create_with_string_tag")
    return MemoryDesc(runtime, handle)


def preferred_convolution_layouts(runtime, x_shape, filters_shape, strides, pads_begin,
                                  pads_end, dilations=None, post_ops=()):
    """(source layout, destination layout, implementation) oneDNN picks for an f32 forward
    2-D convolution of ``x_shape`` [N, C, H, W] by filters ``filters_shape`` ([O, C, kh, kw],
    or grouped [G, O/G, C/G, kh, kw]) when every activation is ``format_tag any``; None when it
    has no implementation. Layouts as :func:`layout_name` spells them. ``dilations`` as in
    OpenVINO (1: none); ``post_ops`` as :meth:`Runtime.attributes` takes them."""
    kernel = filters_shape[-2:]
    dilations = list(dilations or (1, 1))
    out_channels = filters_shape[0] * (filters_shape[1] if len(filters_shape) == 5 else 1)
    spatial = [(size + b + e - (k - 1) * d - 1) // s + 1 for size, k, s, d, b, e in zip(
        x_shape[2:], kernel, strides, dilations, pads_begin, pads_end)]
    y_shape = [x_shape[0], out_channels] + spatial
    src, dst = MemoryDesc.any(runtime, x_shape), MemoryDesc.any(runtime, y_shape)
    weights = MemoryDesc.any(runtime, filters_shape)
    pd = create(runtime, "convolution_forward", C.FORWARD_INFERENCE, C.CONVOLUTION_DIRECT,
                src.handle, weights.handle, None, dst.handle, C.dims(strides),
                C.dims([d - 1 for d in dilations]), C.dims(pads_begin), C.dims(pads_end),
                attr_post_ops=post_ops)
    if pd is None:
        return None
    try:
        picked_src, picked_dst = query_md(runtime, pd, C.QUERY_SRC_MD), \
            query_md(runtime, pd, C.QUERY_DST_MD)
        text = ctypes.c_char_p()
        runtime.lib.dnnl_primitive_desc_query(pd, C.QUERY_IMPL_INFO_STR, 0, ctypes.byref(text))
        implementation = (text.value or b"unknown").decode()
    finally:
        runtime.lib.dnnl_primitive_desc_destroy(pd)
    return (layout_name(runtime, picked_src, x_shape), layout_name(runtime, picked_dst, y_shape),
            implementation)
