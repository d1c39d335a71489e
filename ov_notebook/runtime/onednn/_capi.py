"""ctypes bindings of the oneDNN 3.x C API (``dnnl.h``, ``dnnl_types.h``), written from its
declarations: the wheel (``onednn-cpu-gomp``, oneDNN 3.2) ships no headers.

Only enums that are stable across 3.x are bound (data types, propagation and algorithm kinds,
queries, argument indices); layouts are described by strides, never by format tags, whose
numbering changes between releases (``format_tag_any`` = 1 is the one tag used).
"""
from __future__ import annotations

import ctypes
import glob
import os
import sys

__all__ = ["load_library", "LibraryUnavailable", "DnnlError", "check"]

# dnnl_status_t
SUCCESS = 0
_STATUS = {1: "out of memory", 2: "invalid arguments", 3: "unimplemented",
           4: "last implementation reached", 5: "runtime error", 6: "not required"}
# dnnl_data_type_t
F32 = 3
# dnnl_format_tag_t: the primitive chooses the layout
FORMAT_ANY = 1
ENGINE_CPU = 1
STREAM_DEFAULT = 1
# dnnl_prop_kind_t, dnnl_alg_kind_t
FORWARD_INFERENCE = 96
CONVOLUTION_DIRECT = 0x1
DECONVOLUTION_DIRECT = 0xA
ELTWISE = {"relu": 0x20, "tanh": 0x21, "elu": 0x22, "square": 0x23, "abs": 0x24, "sqrt": 0x25,
           "linear": 0x26, "soft_relu": 0x27, "hardsigmoid": 0x28, "logistic": 0x29, "exp": 0x2A,
           "gelu_tanh": 0x2B, "swish": 0x2C, "log": 0x2D, "clip": 0x2E, "clip_v2": 0x2F,
           "pow": 0x30, "gelu_erf": 0x31, "round": 0x32, "mish": 0x33, "hardswish": 0x34}
POOLING_MAX = 0x1FF
POOLING_AVG_INCLUDE_PADDING = 0x2FF
POOLING_AVG_EXCLUDE_PADDING = 0x3FF
BINARY = {"add": 0x1FFF0, "mul": 0x1FFF1, "max": 0x1FFF2, "min": 0x1FFF3, "div": 0x1FFF4,
          "sub": 0x1FFF5}
SOFTMAX_ACCURATE = 0x30000
SOFTMAX_LOG = 0x30001
# dnnl_normalization_flags_t
USE_SCALE = 0x2
USE_SHIFT = 0x4
# dnnl_query_t
QUERY_IMPL_INFO_STR = 8
QUERY_SRC_MD = 129
QUERY_WEIGHTS_MD = 131
QUERY_DST_MD = 133
QUERY_WORKSPACE_MD = 135
QUERY_SCRATCHPAD_MD = 136
# dnnl_scratchpad_mode_t: we hand every execution its own scratchpad (thread safety)
SCRATCHPAD_USER = 1
# DNNL_ARG_*
ARG_SRC = 1
ARG_SRC_1 = 2
ARG_DST = 17
ARG_WEIGHTS = 33
ARG_BIAS = 41
ARG_MEAN = 49
ARG_VARIANCE = 50
ARG_SCALE = 51
ARG_SHIFT = 52
ARG_WORKSPACE = 64
ARG_SCRATCHPAD = 80
ARG_ATTR_MULTIPLE_POST_OP_BASE = 32768


def post_op_argument(index: int, argument: int = ARG_SRC_1) -> int:
    """DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | argument: a binary post-op's second input."""
    return ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1) | argument


class LibraryUnavailable(RuntimeError):
    """libdnnl could not be found or loaded; the message says why."""


class DnnlError(RuntimeError):
    """A oneDNN call returned an error status."""

    def __init__(self, function: str, status: int):
        self.status = status
        super().__init__(f"oneDNN {function} failed: {_STATUS.get(status, f'status {status}')}")


class Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_int), ("minor", ctypes.c_int), ("patch", ctypes.c_int),
                ("hash", ctypes.c_char_p), ("cpu_runtime", ctypes.c_uint),
                ("gpu_runtime", ctypes.c_uint)]


class ExecArg(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_int), ("memory", ctypes.c_void_p)]


Dims = ctypes.c_int64 * 12  # dnnl_dims_t (DNNL_MAX_NDIMS = 12)
_p = ctypes.c_void_p
_pp = ctypes.POINTER(ctypes.c_void_p)
_i, _u, _f, _sz, _i32 = ctypes.c_int, ctypes.c_uint, ctypes.c_float, ctypes.c_size_t, ctypes.c_int32
_dims = ctypes.POINTER(ctypes.c_int64)

# name: (argument types); every function returns dnnl_status_t unless listed in _RESTYPES
_SIGNATURES = {
    "dnnl_engine_create": (_pp, _i, _sz),
    "dnnl_stream_create": (_pp, _p, _u),
    "dnnl_stream_wait": (_p,),
    "dnnl_memory_desc_create_with_strides": (_pp, _i, _dims, _i, _dims),
    "dnnl_memory_desc_create_with_tag": (_pp, _i, _dims, _i, _i),
    "dnnl_memory_desc_clone": (_pp, _p),
    "dnnl_memory_desc_create_submemory": (_pp, _p, _dims, _dims),
    "dnnl_memory_desc_destroy": (_p,),
    "dnnl_memory_desc_equal": (_p, _p),
    "dnnl_memory_desc_get_size": (_p,),
    "dnnl_memory_create": (_pp, _p, _p, _p),
    "dnnl_memory_destroy": (_p,),
    "dnnl_memory_set_data_handle": (_p, _p),
    "dnnl_primitive_attr_create": (_pp,),
    "dnnl_primitive_attr_destroy": (_p,),
    "dnnl_primitive_attr_set_post_ops": (_p, _p),
    "dnnl_primitive_attr_set_scratchpad_mode": (_p, _i),
    "dnnl_post_ops_create": (_pp,),
    "dnnl_post_ops_destroy": (_p,),
    "dnnl_post_ops_append_eltwise": (_p, _i, _f, _f),
    "dnnl_post_ops_append_sum": (_p, _f, _i32, _i),
    "dnnl_post_ops_append_binary": (_p, _i, _p),
    "dnnl_convolution_forward_primitive_desc_create": (
        _pp, _p, _i, _i, _p, _p, _p, _p, _dims, _dims, _dims, _dims, _p),
    "dnnl_deconvolution_forward_primitive_desc_create": (
        _pp, _p, _i, _i, _p, _p, _p, _p, _dims, _dims, _dims, _dims, _p),
    "dnnl_matmul_primitive_desc_create": (_pp, _p, _p, _p, _p, _p, _p),
    "dnnl_pooling_forward_primitive_desc_create": (
        _pp, _p, _i, _i, _p, _p, _dims, _dims, _dims, _dims, _dims, _p),
    "dnnl_softmax_forward_primitive_desc_create": (_pp, _p, _i, _i, _p, _p, _i, _p),
    "dnnl_layer_normalization_forward_primitive_desc_create": (
        _pp, _p, _i, _p, _p, _p, _f, _u, _p),
    "dnnl_eltwise_forward_primitive_desc_create": (_pp, _p, _i, _i, _p, _p, _f, _f, _p),
    "dnnl_binary_primitive_desc_create": (_pp, _p, _i, _p, _p, _p, _p),
    "dnnl_reorder_primitive_desc_create": (_pp, _p, _p, _p, _p, _p),
    "dnnl_primitive_desc_query": (_p, _i, _i, _p),
    "dnnl_primitive_desc_query_md": (_p, _i, _i),
    "dnnl_primitive_desc_next_impl": (_p,),
    "dnnl_primitive_desc_destroy": (_p,),
    "dnnl_primitive_create": (_pp, _p),
    "dnnl_primitive_destroy": (_p,),
    "dnnl_primitive_execute": (_p, _p, _i, ctypes.POINTER(ExecArg)),
    "dnnl_version": (),
}
_RESTYPES = {"dnnl_memory_desc_equal": _i, "dnnl_memory_desc_get_size": _sz,
             "dnnl_primitive_desc_query_md": _p, "dnnl_version": ctypes.POINTER(Version)}
# the oneDNN major version these bindings are written for (argument indices and enums above)
SUPPORTED_MAJOR = 3


def _candidates():
    """Where the library may be: OV_NOTEBOOK_DNNL_LIBRARY, the wheel's ``<prefix>/lib``, the
    system's search path."""
    explicit = os.environ.get("OV_NOTEBOOK_DNNL_LIBRARY")
    if explicit:
        return [explicit]
    found = []
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, os.path.expanduser("~/.local"))):
        found += sorted(glob.glob(os.path.join(prefix, "lib", "libdnnl.so.3*")))
    return found + ["libdnnl.so.3"]


def load_library():
    """The loaded libdnnl with argument types set, or :class:`LibraryUnavailable`."""
    errors = []
    for path in _candidates():
        try:
            library = ctypes.CDLL(path)
        except OSError as exc:
            errors.append(f"{path}: {exc}")
            continue
        missing = [name for name in _SIGNATURES if not hasattr(library, name)]
        if missing:
            errors.append(f"{path}: lacks {', '.join(missing[:3])}")
            continue
        for name, arguments in _SIGNATURES.items():
            function = getattr(library, name)
            function.argtypes = arguments
            function.restype = _RESTYPES.get(name, _i)
        version = library.dnnl_version().contents
        if version.major != SUPPORTED_MAJOR:
            errors.append(f"{path}: oneDNN {version.major}.{version.minor}, the bindings need "
                          f"{SUPPORTED_MAJOR}.x")
            continue
        library.path = path
        library.version = (version.major, version.minor, version.patch)
        return library
    raise LibraryUnavailable("oneDNN (libdnnl.so.3) could not be loaded: " + "; ".join(errors)
                             + ". Install it with `pip install onednn-cpu-gomp` (Linux x86-64).")


def check(status: int, function: str) -> None:
    if status != SUCCESS:
        raise DnnlError(function, status)


def dims(values) -> Dims:
    array = Dims()
    for index, value in enumerate(values):
        array[index] = int(value)
    return array
