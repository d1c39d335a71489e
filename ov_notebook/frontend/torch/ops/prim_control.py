"""TorchScript scalar helpers that scripted control flow uses: ``prim::max``/``prim::min``,
``aten::__range_length``/``aten::__derive_index`` (a for-loop's trip count and index),
``aten::item``, ``aten::tensor`` and ``prim::dtype`` of a tensor whose type only the conversion
knows. Values known at conversion time stay Python numbers; others are 0-d tensors.
"""
from __future__ import annotations

import builtins

import numpy as np

from .... import opset as ops
from ....ir.node import Output, as_output
from ....ir.types import Type
from ..node_context import TensorRef
from ..registry import translator
from ..ts_decoder import SCALAR_TYPE_CODES
from ._common import ov_type, promote_types, to_type

_CODES = {"u8": SCALAR_TYPE_CODES["Byte"], "i8": SCALAR_TYPE_CODES["Char"],
          "i16": SCALAR_TYPE_CODES["Short"], "i32": SCALAR_TYPE_CODES["Int"],
          "i64": SCALAR_TYPE_CODES["Long"], "f16": SCALAR_TYPE_CODES["Half"],
          "f32": SCALAR_TYPE_CODES["Float"], "f64": SCALAR_TYPE_CODES["Double"],
          "boolean": SCALAR_TYPE_CODES["Bool"], "bf16": SCALAR_TYPE_CODES["BFloat16"]}


def _value(ctx, raw):
    if isinstance(raw, TensorRef):
        raw = ctx.value_of(raw)
    if isinstance(raw, list):
        return [_value(ctx, item) for item in raw]
    if isinstance(raw, Output):
        known = raw.get_known_value()
        if known is not None and known.ndim == 0:
            return known.item()
    return raw


def _scalar(value) -> Output:
    if isinstance(value, Output):
        return value
    dtype = np.bool_ if isinstance(value, bool) else np.int64 if isinstance(value, int) \
        else np.float32
    return ops.constant(np.asarray(value, dtype)).output(0)


def _common(values):
    """The values as 0-d tensors of their promoted element type."""
    tensors = [_scalar(v) for v in values]
    element_type = tensors[0].get_element_type()
    for tensor in tensors[1:]:
        element_type = promote_types(element_type, tensor.get_element_type())
    return [to_type(t, element_type) for t in tensors]


def _extreme(python_function, builder):
    def translate(ctx):  # prim::max.int(int a, int b) / prim::max.float / prim::max.int_list(int[])
        values = [_value(ctx, raw) for raw in ctx.node.args]
        if len(values) == 1 and isinstance(values[0], list):
            values = values[0]
        if not values:
            ctx.fail("max/min of an empty list")
        if not any(isinstance(v, Output) for v in values):
            return python_function(values)
        tensors = _common(values)
        result = tensors[0]
        for tensor in tensors[1:]:
            result = as_output(builder(result, tensor))
        return result

    return translate


translator("prim::max")(_extreme(builtins.max, ops.maximum))
translator("prim::min")(_extreme(builtins.min, ops.minimum))


def _floor_divide(numerator, denominator) -> Output:
    # (a - a mod b) / b: exact floor division, whatever way the runtime rounds integer Divide
    remainder = ops.floor_mod(numerator, denominator)
    return as_output(ops.divide(ops.subtract(numerator, remainder), denominator))


@translator("aten::__range_length")
def range_length(ctx):  # aten::__range_length(int lo, int hi, int step) -> int
    low, high, step = (_value(ctx, raw) for raw in ctx.node.args[:3])
    if not any(isinstance(v, Output) for v in (low, high, step)):
        if step == 0:
            ctx.fail("range() step must not be zero")
        return len(range(low, high, step))
    if not isinstance(step, int) or step == 0:
        ctx.fail("range() with a step computed at run time is not supported")
    low, high = (to_type(_scalar(v), Type.i64) for v in (low, high))
    span = ops.subtract(high, low) if step > 0 else ops.subtract(low, high)
    size = abs(step)
    count = _floor_divide(as_output(ops.add(span, ops.constant(np.int64(size - 1)))),
                          ops.constant(np.int64(size)).output(0))
    return as_output(ops.maximum(count, ops.constant(np.int64(0))))


@translator("aten::__derive_index")
def derive_index(ctx):  # aten::__derive_index(int index, int start, int step) -> int
    index, start, step = (_value(ctx, raw) for raw in ctx.node.args[:3])
    if not any(isinstance(v, Output) for v in (index, start, step)):
        return start + index * step
    index, start, step = (to_type(_scalar(v), Type.i64) for v in (index, start, step))
    return as_output(ops.add(start, ops.multiply(index, step)))


@translator("aten::item")
def item(ctx):  # aten::item(Tensor self) -> Scalar
    value = _value(ctx, ctx.node.args[0])
    if not isinstance(value, Output):
        return value
    shape = value.get_partial_shape()
    if shape.rank_is_static and len(shape) == 0:
        return value
    return as_output(ops.reshape(value, ops.constant(np.zeros(0, np.int64)), False))


@translator("aten::tensor")
def tensor(ctx):  # aten::tensor(t[] data, *, ScalarType? dtype, Device? device, bool grad)
    data = _value(ctx, ctx.node.args[0])
    dtype = ov_type(ctx.arg(1, "dtype", None))
    if not _holds_outputs(data):
        array = np.asarray(data)
        if dtype is None:
            dtype = Type.boolean if array.dtype == np.bool_ else \
                Type.i64 if array.dtype.kind in "iu" else Type.f32
        return ops.constant(array.astype(dtype.to_dtype())).output(0)
    return _stacked(data, dtype)


def _holds_outputs(data) -> bool:
    if isinstance(data, list):
        return builtins.any(_holds_outputs(d) for d in data)
    return isinstance(data, Output)


def _stacked(data, dtype) -> Output:
    """A nested list of scalars (some computed at run time) as one tensor."""
    if not isinstance(data, list):
        value = _scalar(data)
        return value if dtype is None else to_type(value, dtype)
    rows = [_stacked(d, dtype) for d in data]
    if dtype is None:
        rows = _common(rows)
    axis = ops.constant(np.int64(0))
    return as_output(ops.concat([ops.unsqueeze(row, axis) for row in rows], 0))


@translator("prim::dtype")
def dtype(ctx):  # prim::dtype(Tensor a) -> int: the ScalarType number of a's element type
    value = ctx.input(0)
    element_type = value.get_element_type()
    if element_type.get_type_name() not in _CODES:
        ctx.fail(f"the element type of the input is {element_type}, not known at conversion")
    return _CODES[element_type.get_type_name()]


def list_concatenation(ctx):
    """``aten::add.t(t[] a, t[] b)``, list + list, or None when the operands are not lists (the
    int/float overloads share the argument names): Python lists join in Python, lists with values
    computed at run time (a shape's slice) join as 1-D i64 tensors."""
    if ctx.node.schema_names[:2] != ["a", "b"]:
        return None
    operands = [_value(ctx, raw) for raw in ctx.node.args[:2]]
    if not builtins.any(isinstance(v, list) or _is_vector(v) for v in operands):
        return None
    if builtins.all(isinstance(v, list) and not _holds_outputs(v) for v in operands):
        return operands[0] + operands[1]
    parts = [_vector(v) for v in operands]
    return as_output(ops.concat(parts, 0))


def _is_vector(value) -> bool:
    if not isinstance(value, Output):
        return False
    shape = value.get_partial_shape()
    return shape.rank_is_static and len(shape) == 1


def _vector(value) -> Output:
    if isinstance(value, Output):
        return to_type(value, Type.i64)
    if not value:
        return ops.constant(np.zeros(0, np.int64)).output(0)
    return to_type(_stacked(value, None), Type.i64)


def element_at_run_time(ctx, container, index):
    """``container[index]`` with ``index`` known only at run time (a loop's iteration number):
    the list (or 1-D tensor) as a tensor, negative indices counted from its end, then Gather.
    None when ``container`` is not a list of scalars or a 1-D tensor."""
    if isinstance(container, list):
        values = [_value(ctx, item) for item in container]
        if not values or builtins.any(isinstance(v, list) for v in values):
            return None
        if builtins.any(isinstance(v, Output) and v.get_partial_shape().rank_is_static and
                        len(v.get_partial_shape()) > 0 for v in values):
            return None  # a list of tensors: no one tensor holds it
        vector = _stacked(values, None)
    elif _is_vector(container):
        vector = container
    else:
        return None
    index = to_type(index, Type.i64)
    length = as_output(ops.gather(ops.shape_of(vector), ops.constant(np.int64(0)),
                                  ops.constant(np.int64(0))))
    index = as_output(ops.floor_mod(index, length))  # -1 -> the last element, as Python
    return as_output(ops.gather(vector, index, ops.constant(np.int64(0))))
