"""Kernels of Reshape, Squeeze, Unsqueeze, Transpose: zero-copy views.

The executor never mutates inputs, but an ``inplace`` kernel may write into a buffer it is told is
dead; a view of a live buffer must not be such a target, so every view a movement kernel returns is
read-only (``readonly``). In-place kernels check ``flags.writeable`` and allocate instead, and the
plan copies read-only results before handing them to the user.

Transpose returns a strided view as well: its consumers (element-wise ufuncs, matmul, reshape) read
strided arrays directly, and a Reshape after it copies once anyway, so an eager copy would only
double the memory traffic.

A Reshape, Squeeze or Unsqueeze whose input and output shapes are static and whose pattern or axes
are constants has nothing left to compute at run time: compile time binds a :class:`StaticView`,
which checks the input's shape and returns the read-only view of the output's shape (~1 us, against
~12 us for resolving the pattern on every call; more in a model, where that Python runs with
caches just flushed by a convolution).
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.shape_ops import normalize_axes_loose, reshape_target, squeezed_shape, \
    transpose_order, unsqueezed_shape
from . import kernel


def readonly(result, *inputs):
    """``result``, made read-only when it may share memory with one of ``inputs``."""
    if any(np.may_share_memory(result, source) for source in inputs):
        result = result.view()
        result.flags.writeable = False
    return result


class StaticView:
    """A step's fast call (``Plan._make_step``'s ``fast_call``): ``x`` of shape ``source`` as a
    read-only view of shape ``target``; any other input runs the step's kernel."""

    __slots__ = ("source", "target")

    def __init__(self, source, target):
        self.source, self.target = tuple(source), tuple(target)

    @classmethod
    def of(cls, node, constant_inputs=()):
        """For ``node`` whose input 0 and output shapes are static and whose inputs at
        ``constant_inputs`` (where it has them) are Constants; else None."""
        source, target = node.get_input_partial_shape(0), node.get_output_partial_shape(0)
        if not (source.is_static and target.is_static):
            return None
        if any(index < node.get_input_size() and
               node.input_value(index).get_node().get_type_name() != "Constant"
               for index in constant_inputs):
            return None
        return cls([d.get_length() for d in source], [d.get_length() for d in target])

    def bind(self, function, attrs):
        source, target, ndarray = self.source, self.target, np.ndarray

        def call(data, *rest):
            if data.__class__ is not ndarray or data.shape != source:
                return function(data, *rest, **attrs)
            view = data.reshape(target)  # a copy only where no view has these strides
            view.flags.writeable = False
            return view
        call.__name__ = getattr(function, "__name__", "call")
        return call


def _prepare_view(*constant_inputs):
    def prepare(node, attrs):
        view = StaticView.of(node, constant_inputs)
        return attrs if view is None else dict(attrs, fast_call=view)
    return prepare


@kernel("Reshape", prepare=_prepare_view(1))
def reshape(data, shape, *, special_zero=False):  # Reshape-1
    target = reshape_target(data.shape, shape.reshape(-1), special_zero)
    return readonly(data.reshape(target), data)


@kernel("Squeeze", prepare=_prepare_view(1))
def squeeze(data, axes=None, *, allow_axis_skip=False):  # Squeeze-1/15
    axes = [] if axes is None else normalize_axes_loose(None, axes, data.ndim)
    return readonly(data.reshape(squeezed_shape(data.shape, axes)), data)


@kernel("Unsqueeze", prepare=_prepare_view(1))
def unsqueeze(data, axes):  # Unsqueeze-1
    return readonly(data.reshape(unsqueezed_shape(None, list(data.shape), axes.reshape(-1))), data)


@kernel("Transpose")
def transpose(data, order):  # Transpose-1
    return readonly(np.transpose(data, transpose_order(None, order, data.ndim)), data)
