"""Discrete Fourier transforms: DFT-7, IDFT-7, RDFT-9, IRDFT-9, STFT-15.

Complex tensors are real tensors with a trailing dimension of 2 (real, imaginary), OpenVINO's
layout. ``axes`` count over the complex dimensions (the trailing 2 excluded, negative axes from
its end); ``signal_size`` (optional, -1 = the input's size) trims or zero-pads each transformed
axis before the transform, as ``numpy.fft.fftn(x, s, axes)`` does. The math is numpy's pocketfft
(``compute``), the result cast back to the input's element type.
"""
from __future__ import annotations

import numpy as np

from ..node import Attr, Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type
from ._movement import small_output
from ._util import require_integral, value_of

_FLOAT_TYPES = (Type.f32, Type.f16, Type.bf16)


def _complex(data):
    return data[..., 0].astype(np.float64) + 1j * data[..., 1].astype(np.float64)


def _split_complex(values, dtype):
    return np.stack([values.real, values.imag], axis=-1).astype(dtype)


def _axes_and_sizes(axes, signal_size, shape):
    """Normalized axes (over ``shape``, the complex or real dimensions) and the signal sizes
    with -1 replaced by the input's size."""
    rank = len(shape)
    axes = [int(a) + rank if int(a) < 0 else int(a) for a in np.asarray(axes).reshape(-1)]
    if signal_size is None:
        return axes, [shape[a] for a in axes]
    sizes = [int(s) for s in np.asarray(signal_size).reshape(-1)]
    return axes, [shape[a] if s == -1 else s for a, s in zip(axes, sizes)]


class _FourierBase(Op):
    """Validation and shape inference shared by the four transforms; subclasses say whether input
    and output are complex (trailing 2) and how the last transformed axis is sized."""

    inputs_spec = ("data", "axes", "signal_size?")
    complex_input = True
    complex_output = True

    def _check(self, data):
        element_type = self.get_input_element_type(0)
        if element_type.is_static and element_type not in _FLOAT_TYPES:
            self.fail(f"data (input 0) must be f32, f16 or bf16, got {element_type}")
        require_integral(self, 1, "axes")
        axes_shape = self.get_input_partial_shape(1)
        if axes_shape.rank_is_static and len(axes_shape) != 1:
            self.fail(f"axes (input 1) must be 1-D, got shape {axes_shape}")
        if len(self._inputs) == 3:
            require_integral(self, 2, "signal_size")
            size_shape = self.get_input_partial_shape(2)
            if size_shape.rank_is_static and len(size_shape) != 1:
                self.fail(f"signal_size (input 2) must be 1-D, got shape {size_shape}")
            if axes_shape.rank_is_static and size_shape.rank_is_static \
                    and not axes_shape[0].compatible(size_shape[0]):
                self.fail(f"axes {axes_shape} and signal_size {size_shape} must have the same "
                          "length")
        if self.complex_input and data.rank_is_static:
            if len(data) < 2:
                self.fail(f"data (input 0) must be complex: rank 2 or more with a last "
                          f"dimension of 2, got {data}")
            if not data[-1].compatible(2):
                self.fail(f"the last dimension of data (input 0) must be 2 (real, imaginary), "
                          f"got {data}")

    def _known_axes(self, rank):
        axes = value_of(self, 1)
        if axes is None:
            return None
        axes = [int(a) for a in axes.reshape(-1)]
        if len(set(axes)) != len(axes):
            self.fail(f"axes must be unique, got {axes}")
        if rank is None:
            return axes
        for axis in axes:
            if not -rank <= axis < rank:
                self.fail(f"axis {axis} is out of the range [{-rank}, {rank - 1}] of the "
                          f"{rank} transformable dimensions")
        sizes = value_of(self, 2) if len(self._inputs) == 3 else None
        if sizes is not None and sizes.size != len(axes):
            self.fail(f"axes {axes} and signal_size {sizes.reshape(-1).tolist()} must have the "
                      "same length")
        return [a + rank if a < 0 else a for a in axes]

    def infer(self):
        data = self.get_input_partial_shape(0)
        self._check(data)
        element_type = self.get_input_element_type(0)
        if not data.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        dims = list(data)[:-1] if self.complex_input else list(data)
        axes = self._known_axes(len(dims))
        has_sizes = len(self._inputs) == 3
        if axes is None:
            dims = dims if (self.complex_input and self.complex_output and not has_sizes) \
                else [Dimension() for _ in dims]
        else:
            sizes = value_of(self, 2) if has_sizes else None
            for index, axis in enumerate(axes):
                if has_sizes and sizes is None:
                    dims[axis] = Dimension()
                elif sizes is not None and int(sizes.reshape(-1)[index]) != -1:
                    dims[axis] = Dimension(int(sizes.reshape(-1)[index]))
                elif index == len(axes) - 1:
                    dims[axis] = self._default_last(dims[axis])
            if axes and not (has_sizes and sizes is None):
                dims[axes[-1]] = self._last(dims[axes[-1]], sizes is not None
                                            and int(sizes.reshape(-1)[-1]) != -1)
        shape = dims + [Dimension(2)] if self.complex_output else dims
        self.set_output_type(0, element_type, shape)

    def _default_last(self, dim):
        """The size of the last transformed axis when its signal size is not given."""
        return dim

    def _last(self, dim, given):
        """The output size of the last transformed axis (its signal size applied)."""
        return dim

    def evaluate(self, values):
        if not small_output(self):
            return None
        return [self.compute(*values)]


@register_op
class DFT(_FourierBase):
    """DFT-7: the discrete Fourier transform of a complex tensor over ``axes``."""

    type_name = "DFT"
    version = "opset7"

    @staticmethod
    def compute(data, axes, signal_size=None, out=None):
        axes, sizes = _axes_and_sizes(axes, signal_size, data.shape[:-1])
        return _split_complex(np.fft.fftn(_complex(data), sizes, axes), data.dtype)


@register_op
class IDFT(_FourierBase):
    """IDFT-7: the inverse transform (scaled by 1/N, as numpy's ``ifftn``)."""

    type_name = "IDFT"
    version = "opset7"

    @staticmethod
    def compute(data, axes, signal_size=None, out=None):
        axes, sizes = _axes_and_sizes(axes, signal_size, data.shape[:-1])
        return _split_complex(np.fft.ifftn(_complex(data), sizes, axes), data.dtype)


@register_op
class RDFT(_FourierBase):
    """RDFT-9: the transform of a real tensor, keeping the ``n // 2 + 1`` non-redundant
    frequencies of the last axis in ``axes``; the output is complex."""

    type_name = "RDFT"
    version = "opset9"
    complex_input = False

    def _last(self, dim, given):
        return dim // 2 + 1 if dim.is_static else _interval(dim, lambda n: n // 2 + 1)

    @staticmethod
    def compute(data, axes, signal_size=None, out=None):
        axes, sizes = _axes_and_sizes(axes, signal_size, data.shape)
        if not axes:
            return _split_complex(data.astype(np.complex128), data.dtype)
        return _split_complex(np.fft.rfftn(data.astype(np.float64), sizes, axes), data.dtype)


@register_op
class IRDFT(_FourierBase):
    """IRDFT-9: the inverse of RDFT: a real tensor from the non-redundant half of a Hermitian
    spectrum; the last axis in ``axes`` has ``signal_size`` or ``2 * (n - 1)`` elements."""

    type_name = "IRDFT"
    version = "opset9"
    complex_output = False

    def _default_last(self, dim):
        return Dimension(2 * (dim.get_length() - 1)) if dim.is_static \
            else _interval(dim, lambda n: 2 * (n - 1))

    @staticmethod
    def compute(data, axes, signal_size=None, out=None):
        values = _complex(data)
        axes, sizes = _axes_and_sizes(axes, signal_size, values.shape)
        if not axes:
            return np.ascontiguousarray(data[..., 0])
        if signal_size is None or int(np.asarray(signal_size).reshape(-1)[-1]) == -1:
            sizes[-1] = 2 * (values.shape[axes[-1]] - 1)
        return np.fft.irfftn(values, sizes, axes).astype(data.dtype)


def _interval(dim, function):
    """``function`` applied to both bounds of a dynamic dimension (unbounded stays unbounded)."""
    low, high = dim.get_min_length(), dim.get_max_length()
    return Dimension(function(low) if low > 0 else 0, -1 if high == -1 else function(high))


@register_op
class STFT(Op):
    """STFT-15: the short-time Fourier transform of real ``signal`` ([signal_size] or [batch,
    signal_size]): frames of ``frame_size`` samples every ``frame_step``, each multiplied by
    ``window`` (zero-padded on both sides to ``frame_size`` when shorter) and transformed (RDFT):
    [batch?, frames, frame_size // 2 + 1, 2], or [batch?, frequencies, frames, 2] with
    ``transpose_frames``."""

    type_name = "STFT"
    version = "opset15"
    inputs_spec = ("signal", "window", "frame_size", "frame_step")
    attrs = (Attr("transpose_frames", "bool"),)

    def infer(self):
        signal, window = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        element_type = self.get_input_element_type(0)
        window_type = self.get_input_element_type(1)
        for index, (what, t) in enumerate((("signal", element_type), ("window", window_type))):
            if t.is_static and not t.is_real:
                self.fail(f"{what} (input {index}) must be floating-point, got {t}")
        for index, what in ((2, "frame_size"), (3, "frame_step")):
            require_integral(self, index, what)
            shape = self.get_input_partial_shape(index)
            if shape.rank_is_static and len(shape) != 0:
                self.fail(f"{what} (input {index}) must be a scalar, got shape {shape}")
        if signal.rank_is_static and len(signal) not in (1, 2):
            self.fail(f"signal (input 0) must be [signal_size] or [batch, signal_size], got {signal}")
        if window.rank_is_static and len(window) != 1:
            self.fail(f"window (input 1) must be 1-D, got {window}")
        size, step = (_scalar(self, index) for index in (2, 3))
        if step is not None and step <= 0:
            self.fail(f"frame_step must be positive, got {step}")
        if size is not None:
            length = signal[-1] if signal.rank_is_static else Dimension()
            if size < 1 or (length.is_static and size > length.get_length()):
                self.fail(f"frame_size {size} must be in [1, {length}] (the signal's length)")
            if window.rank_is_static and window[0].is_static and \
                    not 1 <= window[0].get_length() <= size:
                self.fail(f"the window's length ({window[0]}) must be in [1, {size}]")
        if not signal.rank_is_static:
            return self.set_output_type(0, element_type, PartialShape.dynamic())
        # as OpenVINO: both dimensions stay dynamic unless frame_size and frame_step are known
        frequencies, frames = Dimension(), Dimension()
        if size is not None and step is not None:
            frequencies = Dimension(size // 2 + 1)
            frames = _interval(signal[-1], lambda n: max((n - size) // step + 1, 1))
            if frames.get_min_length() == 0:
                frames = Dimension(1, frames.get_max_length())
        pair = [frequencies, frames] if self._attrs["transpose_frames"] else [frames, frequencies]
        self.set_output_type(0, element_type, list(signal)[:-1] + pair + [Dimension(2)])

    @staticmethod
    def compute(signal, window, frame_size, frame_step, *, transpose_frames, out=None):
        size, step = int(np.asarray(frame_size).reshape(-1)[0]), \
            int(np.asarray(frame_step).reshape(-1)[0])
        left = (size - window.shape[0]) // 2
        padded = np.zeros(size, dtype=np.float64)
        padded[left:left + window.shape[0]] = window
        count = (signal.shape[-1] - size) // step + 1
        positions = np.arange(count)[:, None] * step + np.arange(size)[None, :]
        spectrum = np.fft.rfft(signal.astype(np.float64)[..., positions] * padded, axis=-1)
        result = _split_complex(spectrum, signal.dtype)  # [..., frames, frequencies, 2]
        return np.ascontiguousarray(np.swapaxes(result, -3, -2)) if transpose_frames else result


def _scalar(node, index):
    value = value_of(node, index)
    return None if value is None else int(value.reshape(-1)[0])
