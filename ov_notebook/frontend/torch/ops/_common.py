"""Helpers shared by the translators: torch dtypes, torch's type promotion, shapes and axes.

Not a translator module (the leading underscore keeps the registry from loading it as one).
"""
from __future__ import annotations

import numpy as np

from .... import opset as ops
from ....ir.node import Output, as_output
from ....ir.types import Type
from ...errors import ConversionError

# torch dtype names (as decoders spell them, with or without "torch.") -> element type
_TORCH_DTYPES = {
    "float32": Type.f32, "float": Type.f32, "float64": Type.f64, "double": Type.f64,
    "float16": Type.f16, "half": Type.f16, "bfloat16": Type.bf16, "int64": Type.i64,
    "long": Type.i64, "int32": Type.i32, "int": Type.i32, "int16": Type.i16, "short": Type.i16,
    "int8": Type.i8, "uint8": Type.u8, "uint16": Type.u16, "uint32": Type.u32,
    "uint64": Type.u64, "bool": Type.boolean,
}
# TorchScript passes dtypes as c10::ScalarType numbers
_SCALAR_TYPES = {0: Type.u8, 1: Type.i8, 2: Type.i16, 3: Type.i32, 4: Type.i64, 5: Type.f16,
                 6: Type.f32, 7: Type.f64, 11: Type.boolean, 15: Type.bf16}
# torch's default dtype, which Python floats take when they decide the result type
DEFAULT_FLOAT = Type.f32


def ov_type(dtype):
    """The element type of a torch dtype given as a name, a ScalarType number or a torch.dtype;
    None stays None."""
    if dtype is None or isinstance(dtype, Type):
        return dtype
    if isinstance(dtype, bool):
        raise TypeError(f"not a dtype: {dtype!r}")
    if isinstance(dtype, int):
        if dtype not in _SCALAR_TYPES:
            raise TypeError(f"unsupported torch ScalarType {dtype}")
        return _SCALAR_TYPES[dtype]
    name = str(dtype).replace("torch.", "")
    if name not in _TORCH_DTYPES:
        raise TypeError(f"unsupported torch dtype {dtype!r}")
    return _TORCH_DTYPES[name]


def out(node) -> Output:
    """The first output of a builder's node (translators return Outputs)."""
    return as_output(node)


def to_type(value, element_type) -> Output:
    """``value`` converted to ``element_type`` unless it already has it."""
    value = as_output(value)
    element_type = Type(element_type)
    if value.get_element_type() == element_type:
        return value
    return out(ops.convert(value, element_type))


def meta_type(ctx, index=0):
    """The element type torch recorded for output ``index``, or None."""
    meta = ctx.output_meta(index)
    if not meta or meta[0] is None:
        return None
    try:
        return ov_type(meta[0])
    except TypeError:
        return None


# --- type promotion (c10 ResultTypeState) ---------------------------------------------------

def _category(element_type) -> int:
    if element_type is Type.boolean:
        return 0
    return 2 if element_type.is_real else 1


def promote_types(a, b):
    """torch.promote_types for bool/int/float element types."""
    if a is None or a == b:
        return b if a is None else a
    if b is None:
        return a
    if _category(a) != _category(b):
        return a if _category(a) > _category(b) else b
    if a.is_real:
        if {a, b} == {Type.f16, Type.bf16}:
            return Type.f32
        return a if a.bitwidth > b.bitwidth else b
    if a.is_signed == b.is_signed:
        return a if a.bitwidth > b.bitwidth else b
    signed, unsigned = (a, b) if a.is_signed else (b, a)
    if signed.bitwidth > unsigned.bitwidth:
        return signed
    return {8: Type.i16, 16: Type.i32, 32: Type.i64}.get(unsigned.bitwidth, Type.f32)


def _combine(higher, lower):
    # a higher-priority class keeps its type unless a lower one brings a higher category
    if higher is None or lower is None:
        return lower if higher is None else higher
    if higher.is_real:
        return higher
    if higher is Type.boolean or lower.is_real:
        return promote_types(higher, lower)
    return higher


def _wrapped_type(value):
    if isinstance(value, bool):
        return Type.boolean
    if isinstance(value, (int, np.integer)):
        return Type.i64
    return DEFAULT_FLOAT


def result_type(operands):
    """torch.result_type of operands given as Outputs (tensors) or Python numbers (wrapped
    scalars): dimensioned tensors outrank zero-dim tensors, which outrank Python numbers, unless
    a lower class brings a higher category (bool < int < float)."""
    classes = [None, None, None]  # dimensioned, zero-dim, wrapped
    for operand in operands:
        if isinstance(operand, Output):
            shape = operand.get_partial_shape()
            rank_zero = shape.rank_is_static and len(shape) == 0
            slot, element_type = (1 if rank_zero else 0), operand.get_element_type()
        else:
            slot, element_type = 2, _wrapped_type(operand)
        classes[slot] = promote_types(classes[slot], element_type)
    return _combine(classes[0], _combine(classes[1], classes[2]))


def operand(ctx, index, name=None):
    """Argument ``index`` as an Output if it is a tensor, else as its Python number."""
    if ctx.is_tensor(index, name):
        return ctx.input(index, name)
    return ctx.arg(index, name)


def promoted(ctx, *indices, target=None):
    """The arguments ``indices`` as Outputs of their torch result type (or of ``target``), and
    that type."""
    values = [operand(ctx, i) for i in indices]
    element_type = Type(target) if target is not None else result_type(values)
    outputs = [to_type(v, element_type) if isinstance(v, Output) else ctx.const(v, element_type)
               for v in values]
    return outputs, element_type


def known_arg(ctx, index, name=None):
    """``ctx.arg`` when the argument's value is known at conversion time, else None."""
    try:
        return ctx.arg(index, name)
    except ConversionError:
        return None


# --- shapes and axes ----------------------------------------------------------------------

def rank_of(value):
    """The static rank of ``value``, or None."""
    shape = as_output(value).get_partial_shape()
    return len(shape) if shape.rank_is_static else None


def static_rank(ctx, value, what="input"):
    rank = rank_of(value)
    if rank is None:
        ctx.fail(f"{what} must have a known rank")
    return rank


def normalize_axis(ctx, axis, rank):
    if not -max(rank, 1) <= axis < max(rank, 1):
        ctx.fail(f"dimension {axis} is out of range for a tensor of rank {rank}")
    return axis + rank if axis < 0 else axis


def as_list(value):
    """A Python int/list argument as a list (torch accepts ``2`` for ``[2, 2]`` in many ops)."""
    if value is None:
        return None
    return list(value) if isinstance(value, (list, tuple)) else [value]


def i64(values) -> Output:
    return out(ops.constant(np.asarray(values, dtype=np.int64)))


def shape_of(value, dtype="i64") -> Output:
    return out(ops.shape_of(value, dtype))


def dims_of(value, axes) -> Output:
    """``shape(value)[axes]`` as a 1-D i64 tensor (axes may be negative)."""
    return out(ops.gather(shape_of(value), i64(list(axes)), i64(0)))


def sizes_input(ctx, index, name=None) -> Output:
    """An ``int[]`` size argument as a 1-D i64 tensor: a constant list, a list mixing Python ints
    and scalar tensors (TorchScript ``x.size(0)``), or a 1-D tensor."""
    if not ctx.is_tensor(index, name):
        items = known_arg(ctx, index, name)
        if items is not None:
            return i64(as_list(items))
        parts = [to_type(out(ops.unsqueeze(v, i64(0))) if rank_of(v) == 0 else v, Type.i64)
                 for v in ctx.input_list(index, name)]
        return out(ops.concat(parts, 0))
    value = to_type(ctx.input(index, name), Type.i64)
    return out(ops.unsqueeze(value, i64(0))) if rank_of(value) == 0 else value
