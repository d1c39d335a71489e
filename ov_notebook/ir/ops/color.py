"""YUV 4:2:0 to RGB/BGR: NV12toRGB-8, NV12toBGR-8, I420toRGB-8, I420toBGR-8.

Images are NHWC. A single-plane input holds Y then the chroma rows, ``[N, H * 3 / 2, W, 1]``; the
multi-plane forms take Y ``[N, H, W, 1]`` and, for NV12, interleaved UV ``[N, H / 2, W / 2, 2]``,
for I420, U and V ``[N, H / 2, W / 2, 1]`` each. The output is ``[N, H, W, 3]`` of the input's
element type (u8 or a float type); the arithmetic is OpenVINO's reference (BT.601, limited range,
computed in f32, rounded and clipped to 0..255 for integers, clipped for floats).
"""
from __future__ import annotations

import numpy as np

from ..node import Op, register_op
from ..shape import Dimension, PartialShape
from ..types import Type


def _yuv_to_rgb(y, u, v, bgr, dtype):
    """``[N, H, W]`` planes (u and v already upsampled) -> ``[N, H, W, 3]``."""
    c = y.astype(np.float32) - np.float32(16)
    d = u.astype(np.float32) - np.float32(128)
    e = v.astype(np.float32) - np.float32(128)
    c *= np.float32(1.164)
    b = c + np.float32(2.018) * d
    g = c - np.float32(0.391) * d - np.float32(0.813) * e
    r = c + np.float32(1.596) * e
    out = np.stack((b, g, r) if bgr else (r, g, b), axis=-1)
    if np.issubdtype(dtype, np.integer):
        out = np.rint(out)
    np.clip(out, 0, 255, out=out)
    return out.astype(dtype)


def _upsample(plane):
    return np.repeat(np.repeat(plane, 2, axis=1), 2, axis=2)


class _ConvertColor(Op):
    """Shape and type inference shared by the four conversions."""

    version = "opset8"
    bgr = False
    planes = 1  # chroma planes in the multi-plane form

    def infer(self):
        count = self.get_input_size()
        self.check(count in (1, 1 + self.planes),
                   f"takes 1 (single plane) or {1 + self.planes} inputs, got {count}")
        element_type = self.get_input_element_type(0)
        for index in range(1, count):
            other = self.get_input_element_type(index)
            if element_type.is_static and other.is_static and other != element_type:
                self.fail(f"all planes must have one element type, got {element_type} and {other}")
        if element_type.is_static and not (element_type == Type.u8 or element_type.is_real()):
            self.fail(f"the image must be u8 or a float type, got {element_type}")
        shape = self.get_input_partial_shape(0)
        out = [Dimension(), Dimension(), Dimension(), Dimension(3)]
        if shape.rank_is_static:
            self.check(len(shape) == 4, f"the Y plane must be NHWC (rank 4), got {shape}")
            self.check(shape[3].compatible(1), f"the Y plane must have 1 channel, got {shape}")
            out[0], out[2] = shape[0], shape[2]
            height = shape[1]
            if count == 1 and height.is_static:
                self.check(height.get_length() % 3 == 0,
                           f"a single-plane image has H * 3 / 2 rows; {height} is not a multiple "
                           "of 3")
                height = Dimension(height.get_length() * 2 // 3)
            elif count == 1:
                height = Dimension()
            out[1] = height
            for axis, name in ((1, "height"), (2, "width")):
                if out[axis].is_static:
                    self.check(out[axis].get_length() % 2 == 0,
                               f"the image {name} must be even, got {out[axis]}")
        for index in range(1, count):
            chroma = self.get_input_partial_shape(index)
            if not chroma.rank_is_static:
                continue
            self.check(len(chroma) == 4, f"chroma plane {index} must be NHWC, got {chroma}")
            channels = 2 if self.planes == 1 else 1
            self.check(chroma[3].compatible(channels),
                       f"chroma plane {index} must have {channels} channels, got {chroma}")
            merged = out[0].merge(chroma[0])
            self.check(merged is not None, f"chroma plane {index} has batch {chroma[0]}, the "
                       f"image {out[0]}")
            out[0] = merged
            for axis in (1, 2):
                if not chroma[axis].is_static:
                    continue
                merged = out[axis].merge(Dimension(chroma[axis].get_length() * 2))
                self.check(merged is not None, f"chroma plane {index} must be half the image's "
                           f"size, got {chroma} for an image of {PartialShape(out)}")
                out[axis] = merged
        self.set_output_type(0, element_type, PartialShape(out))


class _NV12(_ConvertColor):
    inputs_spec = ("y", "uv?")

    @classmethod
    def compute(cls, y, uv=None, out=None):
        if uv is None:
            rows = y.shape[1] * 2 // 3
            uv = y[:, rows:].reshape(y.shape[0], rows // 2, y.shape[2] // 2, 2)
            y = y[:, :rows]
        return _yuv_to_rgb(y[..., 0], _upsample(uv[..., 0]), _upsample(uv[..., 1]), cls.bgr,
                           y.dtype)


class _I420(_ConvertColor):
    inputs_spec = ("y", "u?", "v?")
    planes = 2

    @classmethod
    def compute(cls, y, u=None, v=None, out=None):
        if u is None:
            rows = y.shape[1] * 2 // 3
            n, width = y.shape[0], y.shape[2]
            chroma = y[:, rows:].reshape(n, -1)
            quarter = rows * width // 4
            u = chroma[:, :quarter].reshape(n, rows // 2, width // 2, 1)
            v = chroma[:, quarter:].reshape(n, rows // 2, width // 2, 1)
            y = y[:, :rows]
        return _yuv_to_rgb(y[..., 0], _upsample(u[..., 0]), _upsample(v[..., 0]), cls.bgr,
                           y.dtype)


@register_op
class NV12toRGB(_NV12):
    """NV12toRGB-8: NV12 (Y plane, interleaved UV at half resolution) to RGB."""

    type_name = "NV12toRGB"


@register_op
class NV12toBGR(_NV12):
    """NV12toBGR-8: NV12 to BGR."""

    type_name = "NV12toBGR"
    bgr = True


@register_op
class I420toRGB(_I420):
    """I420toRGB-8: I420 (Y, U and V planes, U and V at half resolution) to RGB."""

    type_name = "I420toRGB"


@register_op
class I420toBGR(_I420):
    """I420toBGR-8: I420 to BGR."""

    type_name = "I420toBGR"
    bgr = True
