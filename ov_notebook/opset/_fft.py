"""Builders for DFT, IDFT, RDFT, IRDFT, STFT (``openvino.opset`` signatures)."""
from __future__ import annotations

from ..ir.ops import fft as spec
from ._base import as_node, builder


def _inputs(data, axes, signal_size):
    inputs = [as_node(data, "data"), as_node(axes, "axes")]
    if signal_size is not None:
        inputs.append(as_node(signal_size, "signal_size"))
    return inputs


@builder
def dft(data, axes, signal_size=None, name=None) -> spec.DFT:
    """DFT-7: ``dft(x, [1])`` transforms axis 1 of a complex ``[..., 2]`` tensor."""
    return spec.DFT(*_inputs(data, axes, signal_size), name=name)


@builder
def idft(data, axes, signal_size=None, name=None) -> spec.IDFT:
    """IDFT-7: the inverse of ``dft`` (scaled by 1/N)."""
    return spec.IDFT(*_inputs(data, axes, signal_size), name=name)


@builder
def rdft(data, axes, signal_size=None, name=None) -> spec.RDFT:
    """RDFT-9: ``rdft(x, [-1])`` is ``numpy.fft.rfft`` of real ``x`` in the ``[..., 2]`` layout."""
    return spec.RDFT(*_inputs(data, axes, signal_size), name=name)


@builder
def irdft(data, axes, signal_size=None, name=None) -> spec.IRDFT:
    """IRDFT-9: ``irdft(y, [-1])`` is ``numpy.fft.irfft`` of a complex ``[..., 2]`` tensor."""
    return spec.IRDFT(*_inputs(data, axes, signal_size), name=name)


@builder
def stft(data, window, frame_size, frame_step, transpose_frames, name=None) -> spec.STFT:
    """STFT-15: ``stft(signal, window, 16, 4, True)`` gives [batch?, 9, frames, 2]."""
    return spec.STFT(as_node(data, "data"), as_node(window, "window"),
                     as_node(frame_size, "frame_size"),
                     as_node(frame_step, "frame_step", like=as_node(frame_size)),
                     transpose_frames=transpose_frames, name=name)
