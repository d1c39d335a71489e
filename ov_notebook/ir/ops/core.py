"""Graph boundary and type ops: Parameter, Constant, Result, Convert, ConvertLike, ShapeOf."""
from __future__ import annotations

import numbers

import numpy as np

from .. import layout as _layout
from ..errors import OpValidationError
from ..node import EVALUATE_LIMIT, Attr, Op, as_output, register_op
from ..shape import Dimension, PartialShape, Shape
from ..types import NF4_VALUES, Type, pack_values, packed_byte_size, unpack_values


class _LayoutOfOutput:
    """``get_layout``/``set_layout``/``layout`` of Parameter and Result: the layout of their
    output tensor (a Result's is the tensor it reads), as OpenVINO's."""

    def get_layout(self):
        return _layout.get_layout(self.output(0))

    def set_layout(self, layout) -> None:
        _layout.set_layout(self.output(0), layout)

    @property
    def layout(self):
        return self.get_layout()

    @layout.setter
    def layout(self, layout):
        self.set_layout(layout)


@register_op
class Parameter(_LayoutOfOutput, Op):
    """A model input (Parameter-1)."""

    type_name = "Parameter"
    attrs = (Attr("shape", "pshape", PartialShape.dynamic()), Attr("element_type", "type", Type.dynamic))

    def __init__(self, element_type=Type.dynamic, shape=None, name=None):
        if isinstance(element_type, (list, tuple, PartialShape, Shape)) and not isinstance(
                shape, (list, tuple, PartialShape, Shape)):
            element_type, shape = (shape if shape is not None else Type.dynamic), element_type
        super().__init__(name=name, element_type=element_type,
                         shape=PartialShape.dynamic() if shape is None else shape)

    @classmethod
    def from_ir(cls, inputs, attributes, name):
        return cls(attributes.get("element_type", Type.dynamic), attributes.get("shape"), name=name)

    def infer(self):
        self.set_output_type(0, self._attrs["element_type"], self._attrs["shape"])

    def get_element_type(self) -> Type:
        return self._attrs["element_type"]

    def set_element_type(self, element_type) -> None:
        self._attrs["element_type"] = Type(element_type)

    def get_partial_shape(self) -> PartialShape:
        return PartialShape(self._attrs["shape"])

    def set_partial_shape(self, shape) -> None:
        self._attrs["shape"] = PartialShape(shape)

    @property
    def element_type(self) -> Type:
        return self.get_element_type()

    @element_type.setter
    def element_type(self, element_type):
        self.set_element_type(element_type)

    @property
    def partial_shape(self) -> PartialShape:
        return self.get_partial_shape()

    @partial_shape.setter
    def partial_shape(self, shape):
        self.set_partial_shape(shape)




def _array_for(value, element_type):
    """A numpy array in the storage dtype of ``element_type`` (bf16 is rounded into raw uint16)."""
    if element_type is Type.bf16:
        array = np.asarray(value)
        if array.dtype == np.uint16:  # already raw bf16 bits
            return array
        bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
        rounded = bits + (0x7FFF + ((bits >> 16) & 1))  # round to nearest even
        return (rounded >> 16).astype(np.uint16)
    if element_type.is_packed:
        return _packed_values(np.asarray(value), element_type)
    dtype = element_type.to_dtype()
    return np.asarray(value).astype(dtype, copy=False)


def _is_tensor(value) -> bool:
    return not isinstance(value, np.ndarray) and all(
        hasattr(value, name) for name in ("get_element_type", "get_shape", "_values"))


_PACKED_RANGES = {"u4": (0, 15), "i4": (-8, 7)}


def _packed_values(array, element_type):
    """Numbers -> the unpacked storage of a packed type, as OpenVINO's Constant takes them: u1 is
    ``x != 0``, u4/i4 must be in range (floats truncate), nf4 takes the nearest of its 16 values."""
    if element_type is Type.u1:
        return (array != 0).astype(np.uint8)
    if element_type is Type.nf4:
        numbers = array.astype(np.float32)
        midpoints = (NF4_VALUES[1:] + NF4_VALUES[:-1]) / 2
        return np.searchsorted(midpoints, numbers, side="right").astype(np.uint8)
    low, high = _PACKED_RANGES[element_type.get_type_name()]
    if array.size and (np.min(array) < low or np.max(array) > high):
        raise ValueError(f"values out of range for {element_type} (expected {low} .. {high}, "
                         f"got {np.min(array)} .. {np.max(array)})")
    return np.trunc(array).astype(element_type.to_dtype()) if array.dtype.kind == "f" else \
        array.astype(element_type.to_dtype())


def bf16_to_f32(raw: np.ndarray) -> np.ndarray:
    """Widen raw bf16 bits (uint16) to float32."""
    return (raw.astype(np.uint32) << 16).view(np.float32)


@register_op
class Constant(Op):
    """A constant tensor (Constant-1). ``Constant(np.array(...))`` or ``Constant(value, Type.f16)``.

    With ``shared_memory=True`` a contiguous array of the right dtype is kept without a copy.
    """

    type_name = "Constant"
    xml_type = "Const"
    attrs = (Attr("element_type", "type"), Attr("shape", "shape"))

    def __init__(self, value, element_type=None, shape=None, name=None, shared_memory=False):
        if isinstance(value, Type) and shape is not None:  # OpenVINO's Constant(type, shape, values)
            value, element_type, shape = shape, value, element_type
        if isinstance(value, Constant):
            value = value.get_value() if value.get_element_type().is_packed else value.get_data()
        storage = None  # values already in the storage of element_type
        if _is_tensor(value):  # a runtime Tensor (duck-typed: ir does not import the runtime)
            tensor_type = value.get_element_type()
            if tensor_type.is_packed and element_type in (None, tensor_type):
                storage, element_type = value._values(), tensor_type
                value = storage
            elif element_type is None and tensor_type is Type.bf16:
                value, element_type = value.data, tensor_type
        if element_type is None:
            if isinstance(value, bool):
                element_type = Type.boolean
            elif isinstance(value, numbers.Integral):
                element_type = Type.i64
            elif isinstance(value, float):
                element_type = Type.f32
            else:
                array = np.asarray(value)
                if array.dtype == object:
                    raise TypeError("a Constant needs a numeric array, got objects")
                element_type = Type(array.dtype)
        element_type = Type(element_type)
        if element_type.is_dynamic():
            raise OpValidationError(None, "a Constant needs a static element type")
        if storage is not None:
            data = storage
        elif shared_memory and isinstance(value, np.ndarray) and element_type is not Type.bf16 \
                and not element_type.is_packed and value.dtype == element_type.to_dtype() \
                and value.flags.c_contiguous:
            data = value
        else:
            try:
                if not isinstance(value, np.ndarray) and np.asarray(value).dtype.kind in "OUSV":
                    raise TypeError("expected numbers")
                data = np.require(_array_for(value, element_type), requirements="C")
            except (OverflowError, ValueError, TypeError) as exc:
                text = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                raise OpValidationError(None, f"a Constant of element type {element_type} cannot "
                                        f"be made from {text}: {exc}") from None
        if shape is not None:
            shape = [int(d) for d in shape]
            if data.size == 1 and int(np.prod(shape)) != 1:
                data = np.full(shape, data.reshape(()), dtype=data.dtype)
            elif data.size != int(np.prod(shape)):
                raise OpValidationError(None, f"Constant value with {data.size} elements cannot take "
                                        f"shape {shape}")
            else:
                data = data.reshape(shape)
        self._data = data
        super().__init__(name=name, element_type=element_type, shape=list(data.shape))

    def infer(self):
        element_type = self._attrs["element_type"]
        shape = self._attrs["shape"]
        if list(self._data.shape) != list(shape):
            self.fail(f"data of shape {list(self._data.shape)} does not match attribute shape {shape}")
        self.set_output_type(0, element_type, shape)

    @classmethod
    def from_packed(cls, raw, element_type, shape, name=None) -> Constant:
        """A Constant of a packed type (u1, u4, i4, nf4) from its bytes as OpenVINO stores them."""
        element_type = Type(element_type)
        if not element_type.is_packed:
            raise OpValidationError(None, f"from_packed takes a packed element type (u1, u4, i4, "
                                    f"nf4), got {element_type}")
        try:
            return cls._of_storage(unpack_values(raw, element_type, shape), element_type, name)
        except ValueError as exc:
            raise OpValidationError(None, f"a Constant of element type {element_type}: {exc}") \
                from None

    @classmethod
    def _of_storage(cls, data, element_type, name=None) -> Constant:
        """A Constant holding ``data`` as it is (already in the storage of ``element_type``)."""
        self = cls.__new__(cls)
        self._data = data
        Op.__init__(self, name=name, element_type=element_type, shape=list(data.shape))
        return self

    def clone_with_new_inputs(self, inputs) -> Constant:
        clone = Constant._of_storage(self._data, self._attrs["element_type"],
                                     name=self._friendly_name)
        clone.rt_info = dict(self.rt_info)
        clone._outputs[0].names = set(self._outputs[0].names)
        clone._outputs[0].rt_info = dict(self._outputs[0].rt_info)
        return clone

    def _propagate_values(self):
        desc = self._outputs[0]
        desc.value = None
        desc.dims_value = None
        if self._data.size <= EVALUATE_LIMIT and self._attrs["element_type"] is not Type.bf16:
            desc.value = self.get_value()
            if self._data.ndim == 1 and self._attrs["element_type"].is_integral_number():
                desc.dims_value = [Dimension(int(v)) if v >= 0 else Dimension() for v in self._data]

    def get_data(self) -> np.ndarray:
        """The values, in the storage dtype of the element type (bf16 as raw uint16 bits; packed
        types as their packed bytes, as OpenVINO's ``get_data``)."""
        element_type = self._attrs["element_type"]
        if element_type.is_packed:
            return pack_values(self._data, element_type).view(element_type.to_dtype())
        return self._data

    @property
    def data(self) -> np.ndarray:
        return self.get_data()

    def get_vector(self) -> list:
        return self.get_value().reshape(-1).tolist()

    def get_value(self) -> np.ndarray:
        """The values as numbers (bf16 widened to float32, packed types one value per element,
        nf4 as the float32 values of its codes)."""
        if self._attrs["element_type"] is Type.bf16:
            return bf16_to_f32(self._data)
        if self._attrs["element_type"] is Type.nf4:
            return NF4_VALUES[self._data]
        return self._data

    def get_byte_size(self) -> int:
        element_type = self._attrs["element_type"]
        if element_type.is_packed:
            return packed_byte_size(element_type, self._data.size)
        return int(self._data.nbytes)

    def get_element_type(self) -> Type:
        return self._attrs["element_type"]


@register_op
class Result(_LayoutOfOutput, Op):
    """A model output (Result-1). Its output shares the tensor of the value it consumes."""

    type_name = "Result"
    inputs_spec = ("data",)

    def infer(self):
        pass  # the output descriptor is the source's (see _output_desc)

    def _output_desc(self, index):
        if index != 0:
            raise IndexError(f"Result '{self.get_friendly_name()}' has 1 output, not {index + 1}")
        return self._inputs[0]._desc

    def _propagate_values(self):
        pass


@register_op
class Convert(Op):
    """Element-wise type conversion (Convert-1)."""

    type_name = "Convert"
    inputs_spec = ("data",)
    attrs = (Attr("destination_type", "type"),)

    def infer(self):
        destination = self._attrs["destination_type"]
        self.set_output_type(0, destination, self.get_input_partial_shape(0))

    def evaluate(self, values):
        return [convert_values(values[0], self._attrs["destination_type"])]

    def evaluate_dims(self):
        desc = self._inputs[0]._desc
        return None if desc.dims_value is None or not self._attrs[
            "destination_type"].is_integral_number() else list(desc.dims_value)


def convert_values(array: np.ndarray, destination: Type) -> np.ndarray:
    """Convert-1 as OpenVINO's CPU plugin computes it: float to integer truncates toward zero and
    wraps into narrower types (-1.7 -> u8 255), NaN becomes 0, bool is ``x != 0``."""
    array = np.asarray(array)
    if destination is Type.boolean:
        return np.nan_to_num(array) != 0 if array.dtype.kind == "f" else array != 0
    if destination.is_packed:
        return _wrapped_into(np.trunc(np.nan_to_num(array)) if array.dtype.kind == "f" and
                             destination is not Type.nf4 else array, destination)
    dtype = destination.to_dtype()
    if destination.is_integral_number() and array.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            return np.trunc(np.nan_to_num(array)).astype(np.int64).astype(dtype)
    if destination is Type.bf16:
        return _array_for(array, Type.bf16)
    return array.astype(dtype)


def _wrapped_into(array: np.ndarray, destination: Type) -> np.ndarray:
    """Values converted to a packed type, as the runtime holds them (one per byte): u1 is
    ``x != 0``, u4/i4 keep the low 4 bits of the integer (i4 sign-extended), as narrower
    integer types wrap; nf4 the nearest of its 16 values."""
    if destination is Type.nf4:
        return NF4_VALUES[_packed_values(array, Type.nf4)]
    if destination is Type.u1:
        return (array != 0).astype(np.uint8)
    nibbles = (array.astype(np.int64) & 0x0F).astype(np.uint8)
    return ((nibbles.astype(np.int8) << 4) >> 4) if destination is Type.i4 else nibbles


@register_op
class ConvertLike(Op):
    """Converts ``data`` to the element type of ``like`` (ConvertLike-1)."""

    type_name = "ConvertLike"
    inputs_spec = ("data", "like")

    def infer(self):
        self.set_output_type(0, self.get_input_element_type(1), self.get_input_partial_shape(0))

    def evaluate(self, values):
        return [convert_values(values[0], self.get_input_element_type(1))]


@register_op
class ShapeOf(Op):
    """The shape of the input as a 1-D tensor (ShapeOf-3)."""

    type_name = "ShapeOf"
    version = "opset3"
    inputs_spec = ("data",)
    attrs = (Attr("output_type", "type", Type.i64),)

    def infer(self):
        output_type = self._attrs["output_type"]
        if output_type not in (Type.i32, Type.i64):
            self.fail(f"output_type must be i32 or i64, got {output_type}")
        shape = self.get_input_partial_shape(0)
        self.set_output_type(0, output_type, [len(shape)] if shape.rank_is_static else [-1])

    def _propagate_values(self):
        desc = self._outputs[0]
        desc.value = None
        desc.dims_value = None
        shape = self.get_input_partial_shape(0)
        if not shape.rank_is_static:
            return
        if shape.is_static:
            desc.value = np.array(list(shape.to_shape()), dtype=self._attrs["output_type"].to_dtype())
        desc.dims_value = list(shape)


def as_node_output(value, like=None):
    """An Output for a node, an output, or a Python/numpy value (made a Constant)."""
    if isinstance(value, (Op,)) or hasattr(value, "get_node"):
        return as_output(value)
    return Constant(value).output(0)
