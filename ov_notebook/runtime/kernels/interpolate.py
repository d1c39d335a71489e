"""Interpolate kernel: separable resampling, one axis at a time.

Each resized axis gets a table of source indices and weights (``taps``), built in float32 with the
coordinate, rounding and weight rules of OpenVINO's CPU plugin, so nearest indices and filter
weights are the same numbers it uses; the data is then gathered and accumulated tap by tap.
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.ops.interpolate import scaled_length
from . import kernel

F32 = np.float32
_HALF = F32(0.5)


def source_coordinates(out_len, in_len, scale, mode):
    """Input coordinate of each output index (float32, as the CPU plugin computes it)."""
    out = np.arange(out_len, dtype=F32)
    scale = F32(scale)
    if scale == 1 or in_len == out_len:
        return out
    if mode in ("pytorch_half_pixel", "align_corners") and out_len <= 1:
        return np.zeros(out_len, dtype=F32)
    if mode in ("half_pixel", "pytorch_half_pixel"):
        return (out + _HALF) / scale - _HALF
    if mode == "asymmetric":
        return out / scale
    if mode == "tf_half_pixel_for_nn":
        return (out + _HALF) / scale
    return out * (F32(in_len - 1) / F32(out_len - 1))  # align_corners


def _round_half_away(values):
    """std::round: halves away from zero, exactly (no x + 0.5 rounding in float)."""
    truncated = np.trunc(values)
    away = np.abs(values - truncated) >= _HALF
    return truncated + np.copysign(away, values).astype(values.dtype)


def nearest_indices(coords, in_len, nearest_mode, downsample):
    """Nearest source index per output index, clamped into the input."""
    if nearest_mode == "round_prefer_floor":
        tie = coords == np.trunc(coords) + _HALF
        rounded = np.where(tie, np.floor(coords), _round_half_away(coords))
    elif nearest_mode == "round_prefer_ceil":
        rounded = _round_half_away(coords)
    elif nearest_mode == "floor":
        rounded = np.floor(coords)
    elif nearest_mode == "ceil":
        rounded = np.ceil(coords)
    else:  # simple
        rounded = np.ceil(coords) if downsample else np.trunc(coords)
    return np.clip(rounded, 0, in_len - 1).astype(np.intp)


def linear_onnx_taps(coords, in_len):
    """Two neighbours, weights by distance; coordinates clamped into the input."""
    clamped = np.clip(coords, F32(0), F32(in_len - 1))
    low = np.minimum(clamped.astype(np.intp), in_len - 1)
    high = np.minimum(low + 1, in_len - 1)
    weights = np.stack([np.abs(clamped - high.astype(F32)), np.abs(clamped - low.astype(F32))], -1)
    weights[low == high] = _HALF
    return np.stack([low, high], -1), weights


def cubic_taps(coords, in_len, cube_coeff):
    """Four neighbours floor(x)-1 .. floor(x)+2 (clamped), Keys cubic weights with a=cube_coeff."""
    base = np.floor(coords)
    m = coords - base
    a = F32(cube_coeff)
    one, two, three = F32(1), F32(2), F32(3)
    weights = np.stack([
        a * (m - one) * (m - one) * m,
        ((a + two) * m - (a + three)) * m * m + one,
        (((-a - two) * m + (two * a + three)) * m - a) * m,
        -a * m * m * (m - one),
    ], -1)
    indices = base.astype(np.intp)[:, None] + np.arange(-1, 3)
    return np.clip(indices, 0, in_len - 1), weights


def _normalized(weights):
    total = weights.sum(axis=-1, keepdims=True)
    safe = np.where(total == 0, F32(1), total)
    return np.where(total == 0, F32(0), weights / safe)


def linear_taps(coords, in_len, scale, antialias):
    """Triangle filter over round(x) +- r, weights normalized over the taps inside the input;
    antialiasing stretches it by the scale (r = ceil(2 / scale) when downscaling)."""
    stretch = F32(scale) if antialias else F32(1)
    radius = 2 if scale > 1 else int(math.ceil(F32(2) / stretch))
    indices = _round_half_away(coords).astype(np.intp)[:, None] + np.arange(-radius, radius + 1)
    distance = stretch * (coords[:, None] - indices.astype(F32))
    weights = stretch * np.maximum(F32(0), F32(1) - np.abs(distance))
    weights[(indices < 0) | (indices >= in_len)] = 0
    return np.clip(indices, 0, in_len - 1), _normalized(weights)


def _pillow_bilinear(m):
    m = np.abs(m)
    return np.where(m < 1, F32(1) - m, F32(0))


def _pillow_bicubic(m):  # a = -0.5, the first branch in double as the plugin computes it
    m = np.abs(m)
    near = (((-0.5 + 2.0) * m.astype(np.float64) - (-0.5 + 3.0)) * m * m + 1.0).astype(F32)
    far = (((m - F32(5)) * m + F32(8)) * m - F32(4)) * F32(-0.5)
    return np.where(m < 1, near, np.where(m < 2, far, F32(0)))


def pillow_taps(coords, in_len, scale, bicubic):
    """Pillow's resampling filter: support widened by the downscale factor, normalized."""
    clip_scale = max(F32(1) / F32(scale), F32(1))
    radius = (F32(2) if bicubic else F32(1)) * clip_scale
    length = int(math.ceil(radius) * 2 + 1)
    low = np.maximum((coords - radius + _HALF).astype(np.intp), 0)
    high = np.minimum((coords + radius + _HALF).astype(np.intp), in_len)
    count = np.minimum(high - low, length)
    taps = np.arange(length)
    indices = low[:, None] + taps
    reciprocal = F32(1) / clip_scale
    distance = (indices.astype(F32) - coords[:, None] + _HALF) * reciprocal
    weights = (_pillow_bicubic if bicubic else _pillow_bilinear)(distance)
    weights[taps[None, :] >= count[:, None]] = 0
    return np.clip(indices, 0, in_len - 1), _normalized(weights)


_DENSE_LIMIT = 1 << 22  # output x input weights up to which one matmul beats gathering taps


def _weight_matrix(indices, weights, in_len):
    """The [out, in] matrix of the taps (clamped duplicates add up, as the taps do)."""
    matrix = np.zeros((indices.shape[0], in_len), dtype=weights.dtype)
    np.add.at(matrix, (np.arange(indices.shape[0])[:, None], indices), weights)
    return matrix


def _resample(data, axis, indices, weights):
    """sum over taps t of weights[:, t] * data[indices[:, t]] along ``axis``: one BLAS matmul
    with the (mostly zero) weight matrix when it is small, else a gather per tap."""
    out_len, in_len = indices.shape[0], data.shape[axis]
    weights = weights.astype(data.dtype, copy=False)
    if out_len * in_len <= _DENSE_LIMIT:
        matrix = _weight_matrix(indices, weights, in_len)
        if axis == data.ndim - 1:
            return np.matmul(data, matrix.T)
        moved = np.moveaxis(data, axis, -2)
        return np.moveaxis(np.matmul(matrix, moved), -2, axis)
    shape = [1] * data.ndim
    shape[axis] = out_len
    result = None
    for tap in range(indices.shape[1]):
        if not weights[:, tap].any():
            continue
        term = np.take(data, indices[:, tap], axis=axis)
        term *= weights[:, tap].reshape(shape)
        result = term if result is None else np.add(result, term, out=result)
    if result is None:
        shape = list(data.shape)
        shape[axis] = out_len
        result = np.zeros(shape, dtype=data.dtype)
    return result


def _taps(mode, coords, in_len, scale, antialias, cube_coeff):
    if mode == "linear_onnx":
        return linear_onnx_taps(coords, in_len)
    if mode == "cubic":
        return cubic_taps(coords, in_len, cube_coeff)
    if mode == "linear":
        return linear_taps(coords, in_len, scale, antialias)
    return pillow_taps(coords, in_len, scale, mode == "bicubic_pillow")


def _split_inputs(node, inputs, by_scales):
    """(scales or sizes, axes or None): Interpolate-4 has separate sizes and scales inputs."""
    if node is not None and node.get_version() == "opset4":
        return inputs[1] if by_scales else inputs[0], inputs[2] if len(inputs) > 2 else None
    return inputs[0], inputs[1] if len(inputs) > 1 else None


def _padded(image, pads_begin, pads_end):
    pads_begin = (list(pads_begin) + [0] * image.ndim)[:image.ndim]
    pads_end = (list(pads_end) + [0] * image.ndim)[:image.ndim]
    if not any(pads_begin) and not any(pads_end):
        return image
    return np.pad(image, list(zip(pads_begin, pads_end)))


def _to_dtype(values, dtype):
    """Float results into the output type; integers truncate toward zero within their range."""
    if dtype.kind == "f":
        return np.ascontiguousarray(values, dtype=dtype)
    info = np.iinfo(dtype)
    return np.clip(np.trunc(values), info.min, info.max).astype(dtype)


def _resize_plan(data, target, axes, by_scales, pillow):
    """{axis: (output length, scale)}; pillow modes and sizes use output / input as the scale."""
    plan = {}
    values = np.asarray(target).reshape(-1)
    axes = list(axes)
    if len(values) != len(axes):
        raise ValueError(f"{'scales' if by_scales else 'sizes'} {values.tolist()} give "
                         f"{len(values)} values for {len(axes)} axes {axes}")
    for axis, value in zip(axes, values):
        if not value >= 0:  # also NaN
            raise ValueError(f"{'scale' if by_scales else 'size'} {value} for axis {axis} must "
                             "not be negative")
        in_len = data.shape[axis]
        out_len = scaled_length(in_len, value) if by_scales else int(value)
        ratio = F32(out_len) / F32(in_len) if in_len else F32(1)
        plan[axis] = (out_len, F32(value) if by_scales and not pillow else ratio)
    return plan


@kernel("Interpolate", needs_node=True)
def interpolate(image, *inputs, mode, shape_calculation_mode,
                coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_floor",
                antialias=False, pads_begin=(), pads_end=(), cube_coeff=-0.75, node=None):
    target, axes = _split_inputs(node, inputs, shape_calculation_mode == "scales")
    axes = range(image.ndim) if axes is None else [int(a) for a in np.ravel(axes)]
    pillow = mode.endswith("_pillow")
    data = _padded(image, pads_begin, pads_end)
    plan = _resize_plan(data, target, axes, shape_calculation_mode == "scales", pillow)
    if any(length == 0 for length, _ in plan.values()) or data.size == 0:
        shape = [plan[axis][0] if axis in plan else n for axis, n in enumerate(data.shape)]
        return np.zeros(shape, dtype=image.dtype)
    if mode == "nearest":  # a gather per axis, in the data's own type
        for axis, (out_len, scale) in plan.items():
            coords = source_coordinates(out_len, data.shape[axis], scale,
                                        coordinate_transformation_mode)
            indices = nearest_indices(coords, data.shape[axis], nearest_mode, scale < 1)
            data = np.take(data, indices, axis=axis)
        return np.ascontiguousarray(data)
    work = data.astype(F32 if data.dtype != np.float64 else data.dtype, copy=False)
    # OpenVINO's CPU plugin honours antialias (the filter stretched by the scale, up or down)
    # for 5-D data only; lower ranks run as plain linear. Outputs follow the plugin.
    antialias = mode == "linear" and antialias and image.ndim == 5
    if pillow:  # Pillow centres filters at (i + 0.5) / scale whatever the attribute says
        coordinate_transformation_mode = "tf_half_pixel_for_nn"
    for axis in sorted(plan, reverse=True):  # last axis first: pillow's x pass, then y
        out_len, scale = plan[axis]
        in_len = work.shape[axis]
        if pillow and in_len == out_len:
            continue
        coords = source_coordinates(out_len, in_len, scale, coordinate_transformation_mode)
        work = _resample(work, axis, *_taps(mode, coords, in_len, scale, antialias, cube_coeff))
        if pillow and image.dtype.kind != "f":  # the plugin rounds integers after each pass
            work = _round_half_away(work)
    return _to_dtype(work, image.dtype)
