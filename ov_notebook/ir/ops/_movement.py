"""Helpers shared by the data-movement ops: interval arithmetic on dimensions, slice clamping,
the size guard of value evaluation, errors raised with or without a node.

Slice-8 and StridedSlice-1 share the slice arithmetic: clamping at run time and interval shapes.

OpenVINO clamps a slice's start and stop differently from Python for negative steps: a start before
the first element is clamped to the first element (``[0..5)[-100:-200:-1]`` is ``[0]`` in OpenVINO,
empty in Python), so kernels and value evaluation go through :func:`python_slice`, which turns
OpenVINO's clamped bounds into a Python slice with non-negative start and stop.

Shape inference works on *bounds*: each start/stop element is a ``(lower, upper)`` pair, exact for
known values and an interval for partly known shape values (``ShapeOf -> Gather``). The interval
logic follows OpenVINO's ``slice_shape_inference_utils.hpp`` so both infer the same dimensions.
"""
from __future__ import annotations

import numpy as np

from ..node import EVALUATE_LIMIT
from ..shape import Dimension
from ._util import dims_of

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
_INF = -1  # OpenVINO's "infinite bound" marker for a dimension length


def interval(d):
    """``(lower, upper)`` of a Dimension, an unbounded upper as INT64_MAX (OpenVINO's s_max)."""
    return d.min_length, INT64_MAX if d.max_length == _INF else d.max_length


def times(a, b):
    """Interval product with OpenVINO's saturation: 0 times anything is 0, infinity sticks."""
    def clip(x, y):
        return 0 if 0 in (x, y) else (INT64_MAX if INT64_MAX in (x, y) else min(x * y, INT64_MAX))
    return clip(a[0], b[0]), clip(a[1], b[1])


def as_dimension(bounds):
    low, high = bounds
    return Dimension(low, _INF if high == INT64_MAX else high)


def small_output(node) -> bool:
    """Whether output 0 is static and small enough to compute during shape inference; ops whose
    output can dwarf their inputs (Broadcast, Tile, Range...) check it before evaluating."""
    shape = node.get_output_partial_shape(0)
    return shape.is_static and int(np.prod(shape.to_list())) <= EVALUATE_LIMIT


def python_slice(length: int, start: int, stop: int, step: int) -> slice:
    """A Python slice selecting what OpenVINO's Slice/StridedSlice select on an axis of
    ``length``."""
    if step > 0:
        first = min(max(start + length if start < 0 else start, 0), length)
        last = min(max(stop + length if stop < 0 else stop, 0), length)
        return slice(first, last, step)
    if length == 0:
        return slice(0, 0, step)
    first = min(max(start + length if start < 0 else start, 0), length - 1)
    last = min(max(stop + length if stop < 0 else stop, -1), length)
    return slice(first, None if last < 0 else last, step)


def bounds_of(node, index):
    """``[(lower, upper), ...]`` for a 1-D integer input known exactly or partly, else None."""
    dims = dims_of(node, index)
    if dims is None:
        return None
    bounds = []
    for d in dims:
        if isinstance(d, int):
            bounds.append((d, d))
        else:
            bounds.append((d.min_length, INT64_MAX if d.max_length == _INF else d.max_length))
    return bounds


def _trunc_div(a: int, b: int) -> int:
    """C++ integer division (truncates toward zero), which OpenVINO's slice arithmetic relies on."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def _normalize(value, length):
    return value + length if value < 0 else value


def _clip(value, low, high):
    return min(max(value, low), high)


def _sliced_value(dim: int, start: int, stop: int, step: int) -> int:
    """Elements selected on an axis of length ``dim`` (-1: unbounded); -1 when unbounded."""
    reverse = step < 0
    length = INT64_MAX if dim == _INF else dim
    unbounded = length == INT64_MAX
    start_negative = start < 0
    signs_differ = start_negative != (stop < 0)
    start_max, stop_max = start == INT64_MAX, stop == INT64_MAX
    start_limit = start_max or start == INT64_MIN
    if unbounded and (signs_differ or start_max or stop_max or start_limit):
        if reverse:
            upper = _INF if (start_negative or start_max or stop_max) else _INF - start
        elif start_negative and not start_limit:
            upper = -start if stop_max else stop
        else:
            upper = _INF
        lower = 0
    else:
        lower = _clip(_normalize(start, length), 0, length - 1 if reverse else length)
        upper = _clip(_normalize(stop, length), _INF if reverse else 0, length)
    if unbounded and lower == 0 and upper == _INF:
        return _INF
    value = min(0, upper - lower) if reverse else max(0, upper - lower)
    if step == -1:
        return -value
    if value != 0 and step != 1:
        value = value + 1 if reverse else value - 1
        return _trunc_div(value, step) + 1
    return value


def _zero_crossing(bounds):
    return bounds[0] < 0 <= bounds[1]


def _lower_within(lower, dim: Dimension):
    return dim.max_length == _INF or lower + dim.max_length >= 0


def _upper_within(upper, dim: Dimension):
    return dim.max_length == _INF or upper < dim.max_length


def sliced_dim(dim: Dimension, start, stop, step: int) -> Dimension:
    """The sliced length of ``dim`` for start/stop bounds ``(lower, upper)`` and a known step."""
    def tighten(bounds):
        crossing = _zero_crossing(bounds)
        low = 0 if crossing and _lower_within(bounds[0], dim) else bounds[0]
        high = -1 if crossing and _upper_within(bounds[1], dim) else bounds[1]
        return low, high

    start_low, start_high = tighten(start)
    stop_low, stop_high = tighten(stop)
    if step > 0:
        low = _sliced_value(dim.min_length, start_high, stop_low, step)
        high = _sliced_value(dim.max_length, start_low, stop_high, step)
    else:
        low = _sliced_value(dim.min_length, start_low, stop_high, step)
        high = _sliced_value(dim.max_length, start_high, stop_low, step)
    return Dimension(max(low, 0), high)  # -1 (unbounded) as the upper bound means no limit


def fail(node, message):
    """``node.fail(message)``; a ValueError when a kernel calls a shared helper without a node."""
    if node is None:
        raise ValueError(message)
    node.fail(message)
