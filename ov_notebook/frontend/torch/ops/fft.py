"""Fourier transforms and complex tensors: ``torch.fft.*`` -> DFT/IDFT/RDFT/IRDFT, ``stft`` ->
STFT, ``complex``, ``real``, ``imag``, ``view_as_real``, ``view_as_complex``.

As in OpenVINO's frontend (its ``ComplexTypeMark``), a complex tensor is carried through the
conversion as a :class:`ComplexTensor`: a real tensor with a trailing dimension of 2 (real,
imaginary), the layout the DFT operations read and write. Only the ops of this module accept one;
any other translator refuses it, and a model cannot output one (``view_as_real`` it first).
"""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.node import Output
from ....ir.types import Type
from ..registry import translator
from ._common import as_list, i64, out, shape_of, static_rank

_NORMS = ("backward", "forward", "ortho")
# aten::_fft_* normalization numbers: none, 1/sqrt(n), 1/n
_NORM_NUMBERS = {0: "none", 1: "sqrt", 2: "n"}


class ComplexTensor:
    """A complex tensor while converting: ``data`` is real, shaped ``[..., 2]``."""

    __slots__ = ("data",)

    def __init__(self, data: Output):
        self.data = data

    def __repr__(self):
        return f"<complex tensor {self.data.get_element_type()}{self.data.get_partial_shape()}>"


def complex_or_real(ctx, index, name=None):
    """Argument ``index`` as a ComplexTensor or a real Output."""
    value = ctx.converted(index, name)
    return value if isinstance(value, ComplexTensor) else ctx.input(index, name)


def as_complex(value) -> Output:
    """The trailing-2 data of ``value``; a real tensor gets a zero imaginary part."""
    if isinstance(value, ComplexTensor):
        return value.data
    zeros = ops.broadcast(ops.constant(0, dtype=value.get_element_type()), shape_of(value))
    parts = [ops.unsqueeze(v, i64(-1)) for v in (value, zeros)]
    return out(ops.concat(parts, -1))


def _complex_rank(ctx, value):
    data = value.data if isinstance(value, ComplexTensor) else value
    return static_rank(ctx, data, "input") - (1 if isinstance(value, ComplexTensor) else 0)


def _axes_and_sizes(ctx, rank, dims, sizes):
    """torch's ``dim``/``s`` rules: no ``dim`` means the last ``len(s)`` dimensions (all without
    ``s``); axes come back non-negative."""
    sizes = as_list(sizes)
    if dims is None:
        dims = list(range(rank - len(sizes), rank)) if sizes is not None else list(range(rank))
    axes = [d + rank if d < 0 else d for d in as_list(dims)]
    if any(not 0 <= a < rank for a in axes):
        ctx.fail(f"dim {dims} is out of range for a tensor of {rank} dimensions")
    if sizes is not None and len(sizes) != len(axes):
        ctx.fail(f"s {sizes} and dim {dims} must have the same length")
    return axes, sizes


def _scale(value, count, how):
    """``value`` divided (``how`` "n" or "sqrt") or multiplied ("times n", "times sqrt") by
    ``count``, a 1-D tensor of signal lengths."""
    if how == "none":
        return value
    factor = ops.convert_like(ops.reduce_prod(count, i64(0), False), value)
    if how.endswith("sqrt"):
        factor = ops.sqrt(factor)
    scaled = ops.multiply(value, factor) if how.startswith("times") else ops.divide(value, factor)
    return out(scaled)


def _transform(kind, data, axes, sizes, how, signal_of):
    """The DFT op ``kind`` over ``axes`` with signal ``sizes`` (or None), normalized by the
    signal lengths read from ``signal_of`` (``"output"`` or ``"input"``)."""
    build = {"dft": ops.dft, "idft": ops.idft, "rdft": ops.rdft, "irdft": ops.irdft}[kind]
    axes_node = i64(axes)
    result = out(build(data, axes_node) if sizes is None else build(data, axes_node, i64(sizes)))
    if how == "none":
        return result
    source = result if signal_of == "output" else data
    count = ops.gather(shape_of(source), axes_node, i64(0))
    if sizes is not None and signal_of == "input":  # RDFT: the resized input's lengths
        count = ops.select(ops.equal(i64(sizes), i64(-1)), count, i64(sizes))
    return _scale(result, out(count), how)


def _torch_norm(ctx, index, inverse):
    norm = ctx.arg(index, "norm", None) or "backward"
    if norm not in _NORMS:
        ctx.fail(f"norm must be one of {', '.join(_NORMS)}, got {norm!r}")
    if norm == "backward":  # IDFT/IRDFT already scale by 1/n
        return "none"
    scale = "sqrt" if norm == "ortho" else "n"
    return f"times {scale}" if inverse else scale


# name -> (transform, default dims: "1" one dim, "2" the last two, "n" all/given)
_FFTS = {
    "fft": ("dft", "1"), "ifft": ("idft", "1"), "rfft": ("rdft", "1"), "irfft": ("irdft", "1"),
    "fft2": ("dft", "2"), "ifft2": ("idft", "2"), "rfft2": ("rdft", "2"),
    "irfft2": ("irdft", "2"), "fftn": ("dft", "n"), "ifftn": ("idft", "n"),
    "rfftn": ("rdft", "n"), "irfftn": ("irdft", "n"),
}


def _fft_translator(name, kind, arity):
    # aten::fft_fft(Tensor self, SymInt? n=None, int dim=-1, str? norm=None);
    # aten::fft_fft2(Tensor self, SymInt[1]? s=None, int[1] dim=[-2,-1], str? norm=None);
    # aten::fft_fftn(Tensor self, SymInt[1]? s=None, int[1]? dim=None, str? norm=None)
    def translate(ctx):
        value = complex_or_real(ctx, 0, "self")
        if kind == "rdft" and isinstance(value, ComplexTensor):
            ctx.fail(f"fft_{name} expects a real input tensor, got a complex one")
        rank = _complex_rank(ctx, value)
        if arity == "1":
            sizes = ctx.arg(1, "n", None)
            axes, sizes = _axes_and_sizes(ctx, rank, ctx.arg(2, "dim", -1),
                                          None if sizes is None else [sizes])
        else:
            dims = ctx.arg(2, "dim", [-2, -1] if arity == "2" else None)
            axes, sizes = _axes_and_sizes(ctx, rank, dims, ctx.arg(1, "s", None))
        data = value if kind == "rdft" else as_complex(value)
        how = _torch_norm(ctx, 3, inverse=kind in ("idft", "irdft"))
        result = _transform(kind, data, axes, sizes, how,
                            "input" if kind == "rdft" else "output")
        return result if kind == "irdft" else ComplexTensor(result)
    translate.__name__ = f"fft_{name}"
    return translate


for _name, (_kind, _arity) in _FFTS.items():
    translator(f"aten.fft_{_name}", f"aten::fft_{_name}")(_fft_translator(_name, _kind, _arity))


def _core_norm(ctx, index, inverse):
    how = _NORM_NUMBERS.get(ctx.arg(index, "normalization"))
    if how is None:
        ctx.fail(f"normalization must be 0, 1 or 2, got {ctx.arg(index, 'normalization')!r}")
    if not inverse:
        return how
    # the inverse ops divide by n already: undo that, then apply the requested scaling
    return {"none": "times n", "sqrt": "times sqrt", "n": "none"}[how]


@translator("aten._fft_r2c")
def fft_r2c(ctx):  # aten::_fft_r2c(Tensor self, int[] dim, int normalization, bool onesided)
    value = ctx.input(0, "self")
    axes, _ = _axes_and_sizes(ctx, static_rank(ctx, value), ctx.arg(1, "dim"), None)
    how = _core_norm(ctx, 2, inverse=False)
    if ctx.arg(3, "onesided"):
        return ComplexTensor(_transform("rdft", value, axes, None, how, "input"))
    return ComplexTensor(_transform("dft", as_complex(value), axes, None, how, "output"))


@translator("aten._fft_c2c")
def fft_c2c(ctx):  # aten::_fft_c2c(Tensor self, SymInt[] dim, int normalization, bool forward)
    value = complex_or_real(ctx, 0, "self")
    axes, _ = _axes_and_sizes(ctx, _complex_rank(ctx, value), ctx.arg(1, "dim"), None)
    forward = ctx.arg(3, "forward")
    how = _core_norm(ctx, 2, inverse=not forward)
    kind = "dft" if forward else "idft"
    return ComplexTensor(_transform(kind, as_complex(value), axes, None, how, "output"))


@translator("aten._fft_c2r")
def fft_c2r(ctx):  # aten::_fft_c2r(Tensor self, int[] dim, int normalization, SymInt last_dim_size)
    value = complex_or_real(ctx, 0, "self")
    axes, _ = _axes_and_sizes(ctx, _complex_rank(ctx, value), ctx.arg(1, "dim"), None)
    sizes = [-1] * (len(axes) - 1) + [ctx.arg(3, "last_dim_size")]
    how = _core_norm(ctx, 2, inverse=True)
    return _transform("irdft", as_complex(value), axes, sizes, how, "output")


@translator("aten.view_as_real", "aten::view_as_real")
def view_as_real(ctx):  # aten::view_as_real(Tensor(a) self) -> Tensor(a)
    value = ctx.converted(0, "self")
    if not isinstance(value, ComplexTensor):
        ctx.fail("view_as_real expects a complex tensor, got a real one")
    return value.data


@translator("aten.view_as_complex", "aten::view_as_complex")
def view_as_complex(ctx):  # aten::view_as_complex(Tensor(a) self) -> Tensor(a)
    value = ctx.input(0, "self")
    shape = value.get_partial_shape()
    if shape.rank_is_static and (len(shape) == 0 or not shape[-1].compatible(2)):
        ctx.fail(f"view_as_complex expects a last dimension of 2 (real, imaginary), got {shape}")
    return ComplexTensor(value)


@translator("aten.complex", "aten::complex")
def complex_(ctx):  # aten::complex(Tensor real, Tensor imag) -> Tensor
    real, imag = ctx.input(0, "real"), ctx.input(1, "imag")
    if real.get_element_type() != imag.get_element_type():
        ctx.fail(f"real ({real.get_element_type()}) and imag ({imag.get_element_type()}) must "
                 "have the same element type")
    # torch broadcasts the two parts: each to their common shape
    real_b = ops.broadcast(real, shape_of(imag), broadcast_spec="BIDIRECTIONAL")
    imag_b = ops.broadcast(imag, shape_of(real), broadcast_spec="BIDIRECTIONAL")
    parts = [ops.unsqueeze(v, i64(-1)) for v in (real_b, imag_b)]
    return ComplexTensor(out(ops.concat(parts, -1)))


def _part(ctx, index, what):
    value = ctx.converted(0, "self")
    if isinstance(value, ComplexTensor):
        return out(ops.gather(value.data, ops.constant(index, dtype=Type.i64), i64(-1)))
    if what == "real":  # torch.real of a real tensor is the tensor itself
        return ctx.input(0, "self")
    ctx.fail(f"{what} expects a complex tensor, got a real one")


@translator("aten.real", "aten::real")
def real(ctx):  # aten::real(Tensor(a) self) -> Tensor(a)
    return _part(ctx, 0, "real")


@translator("aten.imag", "aten::imag")
def imag(ctx):  # aten::imag(Tensor(a) self) -> Tensor(a)
    return _part(ctx, 1, "imag")


@translator("aten.stft", "aten::stft")
def stft(ctx):
    # aten::stft(Tensor self, int n_fft, int? hop_length=None, int? win_length=None,
    #   Tensor? window=None, bool normalized=False, bool? onesided=None,
    #   bool? return_complex=None) -> Tensor (torch.stft pads for center=True before it)
    signal = ctx.input(0, "self")
    frame_size = ctx.arg(1, "n_fft")
    step = ctx.arg(2, "hop_length", None) or frame_size // 4
    window = ctx.optional_input(4, "window")
    if window is None:
        length = ctx.arg(3, "win_length", None) or frame_size
        window = out(ops.broadcast(ops.convert_like(ops.constant(1.0), signal), i64([length])))
    if ctx.arg(6, "onesided", None) is False:
        ctx.fail("onesided=False has no OpenVINO operation (STFT-15 keeps n_fft // 2 + 1 "
                 "frequencies)")
    # transpose_frames: torch's [batch?, frequencies, frames] layout
    result = out(ops.stft(signal, ops.convert_like(window, signal), i64(frame_size), i64(step),
                          True))
    if ctx.arg(5, "normalized", False):
        result = out(ops.divide(result, ops.convert_like(ops.constant(float(np.sqrt(frame_size))),
                                                         result)))
    return ComplexTensor(result) if ctx.arg(7, "return_complex", None) else result
