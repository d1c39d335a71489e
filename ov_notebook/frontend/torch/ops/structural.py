"""Structural translators: containers, Python scalars and symbolic sizes, not tensor math.

FX graphs index multi-output nodes with ``operator.getitem`` and compute dynamic sizes with
``aten.sym_size`` and Python ``operator.*`` on SymInts; TorchScript graphs unpack lists and
tuples, and move numbers between tensors and Python scalars (``prim::NumToTensor``,
``aten::Int``). Sizes that are known at conversion time stay Python numbers, so translators
downstream see constants; unknown ones become 0-d i64 tensors (ShapeOf -> Gather).
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .... import opset as ops
from ....ir.node import Output, as_output
from ....ir.types import Type
from ..node_context import TensorRef
from ..registry import TRANSLATORS, translator
from .prim_control import element_at_run_time


def _structural(*names):
    """``@translator`` for the names no op-family module registered first (they win)."""
    free = [name for name in names if name not in TRANSLATORS]
    return translator(*free) if free else (lambda function: function)


def _value(ctx, raw):
    """An argument as its converted value: Outputs, Python numbers or lists of them."""
    if isinstance(raw, TensorRef):
        return ctx.value_of(raw)
    if isinstance(raw, list):
        return [_value(ctx, item) for item in raw]
    return raw


def _known(value):
    """A Python number for a value known at conversion time (a constant 0-d tensor too)."""
    if isinstance(value, Output):
        known = value.get_known_value()
        return known.item() if known is not None and known.ndim == 0 else None
    return value


def _scalar_output(value, element_type=None) -> Output:
    if isinstance(value, Output):
        return value if element_type is None else _converted(value, element_type)
    if element_type is None:
        element_type = Type.boolean if isinstance(value, bool) else (
            Type.i64 if isinstance(value, int) else Type.f32)
    return ops.constant(np.asarray(value, dtype=element_type.to_dtype())).output(0)


def _converted(value, element_type) -> Output:
    if value.get_element_type() == element_type:
        return value
    return ops.convert(value, element_type).output(0)


def _element(ctx, vector, index):
    """``vector[index]`` of a 1-D i64 Output: a Python int when known, else a 0-d tensor."""
    dims = vector.get_known_dims()
    if dims is not None and index < len(dims) and dims[index].is_static:
        return dims[index].get_length()
    gathered = ops.gather(vector, ops.constant(np.int64(index)), ops.constant(np.int64(0)))
    return as_output(gathered)


# --- FX -------------------------------------------------------------------------------------------
@_structural("operator.getitem")
def getitem(ctx):  # operator.getitem(container, index): picks one output of a multi-output node
    container = _value(ctx, ctx.node.args[0])
    index = ctx.arg(1)
    if isinstance(container, (list, tuple)):
        return container[index]
    if isinstance(container, Output) and container.get_partial_shape().rank_is_static and \
            len(container.get_partial_shape()) == 1:
        return _element(ctx, container, index)
    ctx.fail(f"cannot index a {type(container).__name__} with {index!r}")


@_structural("aten.sym_size.int", "aten.sym_size")
def sym_size(ctx):  # aten::sym_size.int(Tensor self, int dim) -> SymInt
    data = ctx.input(0)
    shape = data.get_partial_shape()
    dim = ctx.arg(1, "dim")
    if shape.rank_is_static and shape[dim].is_static:
        return shape[dim].get_length()
    return _element(ctx, ops.shape_of(data).output(0), dim % len(shape) if shape.rank_is_static
                    else dim)


@_structural("aten.sym_numel", "aten.sym_numel.default")
def sym_numel(ctx):  # aten::sym_numel(Tensor self) -> SymInt
    data = ctx.input(0)
    shape = data.get_partial_shape()
    if shape.is_static:
        return int(np.prod(list(shape.to_shape()), dtype=np.int64))
    return ops.reduce_prod(ops.shape_of(data), ops.constant(np.int64([0])), False).output(0)


@_structural("aten.sym_stride.int", "aten.sym_stride")
def sym_stride(ctx):  # aten::sym_stride.int(Tensor self, int dim) -> SymInt (contiguous)
    shape = ctx.input(0).get_partial_shape()
    dim = ctx.arg(1, "dim")
    following = list(shape)[dim % len(shape) + 1:]
    if not all(d.is_static for d in following):
        ctx.fail("the stride of a dynamic shape is not known at conversion time")
    return int(np.prod([d.get_length() for d in following], dtype=np.int64))


_ASSERTS = ("aten._assert_scalar", "aten._assert_tensor_metadata", "aten._assert_async",
            "aten.sym_constrain_range", "aten.sym_constrain_range_for_size",
            "aten._check_is_size", "torch._check", "torch._check_is_size")


@_structural(*_ASSERTS)
def assertion(ctx):  # run-time checks torch.export records; the converted model has none
    return None


def _integer_floordiv(a, b):
    return ops.divide(a, b)  # Divide floors integers (m_pythondiv), as Python's //


def _float_floordiv(a, b):
    return ops.floor(ops.divide(a, b))


# Python operator -> (Python function, IR builder for tensors)
_SCALAR_BINARY = {
    "operator.add": (operator.add, ops.add), "operator.sub": (operator.sub, ops.subtract),
    "operator.mul": (operator.mul, ops.multiply), "operator.mod": (operator.mod, ops.floor_mod),
    "operator.pow": (operator.pow, ops.power), "torch.sym_max": (max, ops.maximum),
    "torch.sym_min": (min, ops.minimum),
    "operator.eq": (operator.eq, ops.equal), "operator.ne": (operator.ne, ops.not_equal),
    "operator.lt": (operator.lt, ops.less), "operator.le": (operator.le, ops.less_equal),
    "operator.gt": (operator.gt, ops.greater), "operator.ge": (operator.ge, ops.greater_equal),
}


def _scalar_binary(python_function, builder):
    def translate(ctx):  # operator.<op>(SymInt|int|float a, SymInt|int|float b)
        a, b = _value(ctx, ctx.node.args[0]), _value(ctx, ctx.node.args[1])
        known_a, known_b = _known(a), _known(b)
        if known_a is not None and known_b is not None:
            return python_function(known_a, known_b)
        element_type = _common_type(a, b)
        return as_output(builder(_scalar_output(a, element_type), _scalar_output(b, element_type)))

    return translate


def _common_type(*values):
    types = [v.get_element_type() if isinstance(v, Output) else
             (Type.f32 if isinstance(v, float) else Type.i64) for v in values]
    return Type.f32 if any(t.is_real for t in types) else Type.i64


for _name, (_python, _builder) in _SCALAR_BINARY.items():
    _structural(_name)(_scalar_binary(_python, _builder))


@_structural("operator.floordiv")
def floordiv(ctx):  # operator.floordiv(a, b) on SymInts
    a, b = _value(ctx, ctx.node.args[0]), _value(ctx, ctx.node.args[1])
    if _known(a) is not None and _known(b) is not None:
        return _known(a) // _known(b)
    element_type = _common_type(a, b)
    build = _integer_floordiv if element_type == Type.i64 else _float_floordiv
    return as_output(build(_scalar_output(a, element_type), _scalar_output(b, element_type)))


@_structural("operator.truediv")
def truediv(ctx):  # operator.truediv(a, b) -> float
    a, b = _value(ctx, ctx.node.args[0]), _value(ctx, ctx.node.args[1])
    if _known(a) is not None and _known(b) is not None:
        return _known(a) / _known(b)
    return as_output(ops.divide(_scalar_output(a, Type.f32), _scalar_output(b, Type.f32)))


@_structural("operator.neg")
def neg(ctx):  # operator.neg(a)
    a = _value(ctx, ctx.node.args[0])
    if _known(a) is not None:
        return -_known(a)
    return as_output(ops.negative(a))


def _cast(python_type, element_type, rounding=None):
    def translate(ctx):  # torch.sym_float / sym_int, math.floor / ceil, aten::Int / Float / Bool
        value = _value(ctx, ctx.node.args[0])
        known = _known(value)
        if known is not None:
            return python_type(rounding(known) if rounding else known)
        if not isinstance(value, Output):
            ctx.fail(f"expected a number or a tensor, got {type(value).__name__}")
        if rounding is not None:
            value = as_output((ops.floor if rounding is math.floor else ops.ceiling)(value))
        return _converted(value, element_type)

    return translate


_structural("torch.sym_float", "aten::Float", "aten::FloatImplicit")(_cast(float, Type.f32))
_structural("torch.sym_int", "aten::Int", "aten::IntImplicit")(_cast(int, Type.i64))
_structural("aten::Bool")(_cast(bool, Type.boolean))
_structural("math.floor")(_cast(int, Type.i64, math.floor))
_structural("math.ceil")(_cast(int, Type.i64, math.ceil))


# --- TorchScript ----------------------------------------------------------------------------------
@_structural("prim::ListUnpack", "prim::TupleUnpack")
def unpack(ctx):  # prim::ListUnpack(t[] list) -> (t, t, ...): one value per output
    values = _unpacked(ctx)
    # one output takes its value itself (a whole result stored under one key is a list)
    return values[0] if ctx.node.num_outputs == 1 and len(values) == 1 else values


def _unpacked(ctx):
    value = _value(ctx, ctx.node.args[0])
    if isinstance(value, (list, tuple)):
        return list(value)
    count = ctx.node.num_outputs
    if hasattr(value, "unpack_pieces"):  # a split along a dynamic dimension: now the count is known
        return value.unpack_pieces(count)
    if isinstance(value, Output):
        shape = value.get_partial_shape()
        if shape.rank_is_static and len(shape) == 1 and value.get_element_type().is_integral_number():
            return [_element(ctx, value, i) for i in range(count)]
    ctx.fail(f"cannot unpack {type(value).__name__} into {count} values")


@_structural("prim::TupleIndex", "aten::__getitem__")
def list_getitem(ctx):  # aten::__getitem__.t(t[](a) list, int idx) -> t(*)
    container = _value(ctx, ctx.node.args[0])
    if ctx.is_tensor(1) and _known(_value(ctx, ctx.node.args[1])) is None:  # a loop's index
        found = element_at_run_time(ctx, container, ctx.input(1))
        if found is not None:
            return found
    index = ctx.arg(1)
    if isinstance(container, (list, tuple)):
        return container[index]
    if hasattr(container, "piece"):  # one piece of a dynamic split
        return container.piece(index)
    if isinstance(container, Output):
        length = container.get_partial_shape()
        if length.rank_is_static and len(length) == 1 and length[0].is_static:
            return _element(ctx, container, index % length[0].get_length())
    ctx.fail(f"cannot index a {type(container).__name__} with {index!r}")


@_structural("aten::len")
def length(ctx):  # aten::len.t(t[] a) -> int; aten::len.Tensor(Tensor t) -> int
    value = _value(ctx, ctx.node.args[0])
    if isinstance(value, (list, tuple)):
        return len(value)
    shape = value.get_partial_shape()
    if shape.rank_is_static and len(shape) and shape[0].is_static:
        return shape[0].get_length()
    return _element(ctx, ops.shape_of(value).output(0), 0)


@_structural("prim::alias_write")
def alias_write(ctx):  # the decoder's: an alias of a tensor was written in place; the tensor
    return ctx.input(0)  # takes the written value


@_structural("prim::NumToTensor", "aten::ScalarImplicit", "aten::list")
def number_to_tensor(ctx):  # prim::NumToTensor(Scalar a) -> Tensor: already a 0-d value
    value = _value(ctx, ctx.node.args[0])
    if isinstance(value, (Output, list)):
        return value
    return _scalar_output(value)
