"""Tensor: a numpy array with an element type, as ``openvino.Tensor``."""
from __future__ import annotations

import sys

import numpy as np

from ..ir.ops.core import _array_for, bf16_to_f32
from ..ir.shape import PartialShape, Shape
from ..ir.types import Type, pack_values, packed_byte_size, unpack_values
from .errors import ElementTypeError, TensorError

__all__ = ["Tensor", "tensor_from_file"]


def _torch_int16():
    """torch.int16, for a torch tensor given to us: torch is loaded already (this module never
    imports it)."""
    return sys.modules["torch"].int16


def _converted(source, element_type):
    """``source`` in ``element_type``'s storage; a conversion that changes values raises."""
    if element_type.is_packed:  # packed here, where the Tensor takes its values
        return _array_for(source, element_type)
    if element_type is Type.bf16:  # uint16 data are raw bf16 bits; other numbers are rounded
        if source.dtype == np.uint16:
            return source
        with np.errstate(over="ignore", invalid="ignore"):  # checked below
            converted = _array_for(source, Type.bf16)
        _check_overflow(source, bf16_to_f32(converted), element_type)
        return converted
    dtype = element_type.to_dtype()
    with np.errstate(invalid="ignore", over="ignore"):  # checked below
        converted = source.astype(dtype)
        back = converted.astype(source.dtype) if source.dtype.kind in "biuf" else None
    if back is not None and source.dtype.kind in "biuf" and dtype.kind in "biu" and \
            not np.array_equal(back, source):
        raise ValueError(f"converting the {source.dtype} data to {element_type} would change "
                         f"values (out of range or not integers); convert it yourself first")
    if dtype.kind == "f":
        _check_overflow(source, converted, element_type)
    return converted


def _check_overflow(source, converted, element_type) -> None:
    """Finite numbers must stay finite (inf and nan given as such are kept)."""
    if source.dtype.kind in "iuf" and np.any(np.isfinite(source) & ~np.isfinite(converted)):
        raise ValueError(f"converting the {source.dtype} data to {element_type} overflows")


def _is_element_type(value, shape) -> bool:
    """Whether ``Tensor(value, shape)`` names an element type (``Type.f32``, ``np.float32``,
    ``np.dtype("f4")``, ``"f32"``) rather than data."""
    if isinstance(value, (Type, np.dtype)):
        return True
    if isinstance(value, type) and issubclass(value, (np.generic, bool, int, float)):
        return True
    return isinstance(value, str) and shape is not None


def _static_dims(shape) -> tuple:
    return tuple(Shape(PartialShape(shape).to_shape() if not isinstance(shape, Shape) else shape))


def _shareable(array, form: str) -> np.ndarray:
    """``array`` itself, for the forms that keep the caller's memory (OpenVINO refuses others)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{form} shares the memory of a numpy array, got {type(array).__name__}")
    if not array.flags.c_contiguous:
        raise TensorError(f"{form} shares the array's memory, which needs a C-contiguous array; "
                          f"got one with strides {array.strides} (pass np.ascontiguousarray(x), "
                          f"or Tensor(x) to copy)")
    return array


class Tensor:
    """A tensor for inputs and outputs, as ``openvino.Tensor``; ``.data`` is a numpy view.

    - ``Tensor(array)`` copies the array (a list too); ``Tensor(array, shared_memory=True)``
      wraps a C-contiguous array without a copy (writes through ``.data`` are seen by the array);
    - ``Tensor(Type.f32, [1, 3])``, ``Tensor(np.float32, [1, 3])``: zeros of that type and shape;
    - ``Tensor(array, shape)``: the array's memory (C-contiguous) seen in ``shape``;
      ``Tensor(array, shape, Type.i32)``: its bytes read as ``shape`` elements of another type
      (as OpenVINO's ``Tensor(array, shape, type)``; the array must hold enough bytes);
    - ``Tensor(tensor, begin, end)``: a region of ``tensor`` (a view; ``is_continuous()`` False
      unless it is whole rows);
    - ``Tensor(array, type="bf16")`` (ov_notebook): the values converted to ``type``.

    Packed types (u1, u4, i4, nf4) are as OpenVINO exposes them: ``.data`` is the packed bytes
    (two 4-bit values a byte, low nibble first; u1 eight a byte, first value in the high bit),
    ``shape`` and ``size`` count values, ``get_byte_size()`` the packed bytes, and ``strides``
    raises RuntimeError.
    """

    __slots__ = ("_data", "_element_type", "_packed_shape")

    def __init__(self, array=None, shape=None, shared_memory=False, *, type=None):
        self._packed_shape = None
        if _is_element_type(array, shape):
            if shape is None:
                raise TypeError(f"Tensor({array!r}) needs a shape: Tensor(type, shape)")
            element_type = Type(array)
            self._element_type = element_type
            if element_type.is_packed:
                self._set_packed(np.zeros(0, np.uint8), _static_dims(shape))
                return
            self._data = np.zeros(_static_dims(shape), dtype=element_type.to_dtype())
            return
        if isinstance(array, Tensor) and shape is not None and \
                isinstance(shared_memory, (list, tuple, np.ndarray)):
            self._init_region(array, shape, shared_memory)
            return
        if shared_memory is not False and shared_memory is not True and \
                _is_element_type(shared_memory, shape):
            self._init_reinterpreted(array, shape, Type(shared_memory))
            return
        self._init_from_data(array, shape, shared_memory, type)

    def _init_region(self, tensor, begin, end) -> None:
        """``Tensor(tensor, begin, end)``: the view ``tensor[begin:end]``, per axis."""
        if tensor._element_type.is_packed:
            raise TensorError(f"a region of a Tensor of {tensor._element_type} (a packed type) "
                              f"cannot be viewed: its values do not start at byte boundaries")
        begin, end = [int(b) for b in begin], [int(e) for e in end]
        shape = tensor._data.shape
        if len(begin) != len(shape) or len(end) != len(shape) or any(
                not 0 <= b <= e <= size for b, e, size in zip(begin, end, shape)):
            raise TensorError(f"a region of a Tensor of shape {list(shape)} needs one begin and "
                              f"one end per axis with 0 <= begin <= end <= size; got begin "
                              f"{begin}, end {end}")
        self._data = tensor._data[tuple(slice(b, e) for b, e in zip(begin, end))]
        self._element_type = tensor._element_type

    def _init_reinterpreted(self, array, shape, element_type) -> None:
        """``Tensor(array, shape, type)``: the array's bytes read as ``type``, without a copy."""
        array = _shareable(array, "Tensor(array, shape, type)")
        dims = _static_dims(shape)
        itemsize = np.dtype(element_type.to_dtype()).itemsize
        needed = packed_byte_size(element_type, np.prod(dims)) if element_type.is_packed else \
            int(np.prod(dims)) * itemsize
        if array.nbytes < needed:
            raise TensorError(f"Tensor(array, shape, type): {list(dims)} elements of "
                              f"{element_type} take {needed} bytes; the array has only "
                              f"{array.nbytes}")
        raw = array.reshape(-1).view(np.uint8)[:needed]
        self._element_type = element_type
        if element_type.is_packed:
            self._data, self._packed_shape = raw.view(element_type.to_dtype()), dims
            return
        self._data = raw.view(element_type.to_dtype()).reshape(dims)

    def _set_packed(self, values, dims) -> None:
        """Hold ``values`` (unpacked, one per byte; empty for zeros) packed, of shape ``dims``."""
        if values.size == 0:
            values = np.zeros(int(np.prod(dims)), np.uint8)
        self._data = pack_values(values, self._element_type).view(self._element_type.to_dtype())
        self._packed_shape = tuple(int(d) for d in dims)

    def _values(self) -> np.ndarray:
        """The values one per element (packed types unpacked; nf4 as its 4-bit codes)."""
        if self._packed_shape is None:
            return self._data
        return unpack_values(self._data, self._element_type, self._packed_shape)

    def _init_from_data(self, array, shape, shared_memory, type) -> None:
        if isinstance(array, Tensor):
            source = array._values()
            element_type = array._element_type
        else:
            element_type = None
            if hasattr(array, "detach") and hasattr(array, "numpy"):  # a torch.Tensor
                array = array.detach().cpu()
                if str(array.dtype) == "torch.bfloat16":  # numpy has no bfloat16: keep the bits
                    array, element_type = array.view(_torch_int16()).numpy().view(np.uint16), \
                        Type.bf16
                else:
                    array = array.numpy()
            try:
                source = np.asarray(array)
            except ValueError as exc:  # a ragged nested list
                raise ValueError(f"a Tensor needs rectangular numeric data: {exc}") from None
        if source.dtype == object:
            raise TypeError("a Tensor needs numeric data, got an object array")
        if type is not None:
            requested = Type(type)
            if element_type is not requested:
                source = _converted(source, requested)
            element_type = requested
        if element_type is None:
            try:
                element_type = Type(source.dtype)
            except TypeError:
                raise ElementTypeError(f"numpy dtype {source.dtype} has no OpenVINO element "
                                       f"type") from None
        # OpenVINO's Tensor(array, shape) and Tensor(array, shared_memory=True) keep the array's
        # memory; a list, a converted type or a torch tensor has none of the caller's to keep
        shares = type is None and isinstance(array, np.ndarray) and \
            (shared_memory is True or shape is not None)
        if shares:
            source = _shareable(source, "Tensor(array, shape)" if shape is not None else
                                "Tensor(array, shared_memory=True)")
        if shape is not None:
            dims = tuple(Shape(shape))
            if int(np.prod(dims)) != source.size:
                raise ValueError(f"a Tensor of {source.size} elements cannot take shape "
                                 f"{list(dims)}")
            source = source.reshape(dims)
        self._element_type = element_type
        if element_type.is_packed:  # packing copies
            self._set_packed(source if source.size else np.zeros(0, np.uint8), source.shape)
            return
        self._data = source if shares or shared_memory is True else \
            np.array(source, copy=True, order="C")

    @classmethod
    def _wrap(cls, array: np.ndarray, element_type: Type) -> Tensor:
        """A Tensor over ``array`` itself (no copy, no check): the runtime's own buffers."""
        tensor = cls.__new__(cls)
        tensor._element_type = element_type
        tensor._packed_shape = None
        if element_type.is_packed:  # the runtime's values are unpacked; OpenVINO shows bytes
            values = np.asarray(array)  # nf4: the runtime holds the values, the Tensor codes
            tensor._set_packed(_array_for(values, element_type) if element_type is Type.nf4
                               else values, values.shape)
            return tensor
        tensor._data = array
        return tensor

    @property
    def data(self) -> np.ndarray:
        return self._data

    @property
    def _dims(self) -> tuple:
        return self._data.shape if self._packed_shape is None else self._packed_shape

    @property
    def shape(self) -> Shape:
        return Shape(self._dims)

    @shape.setter
    def shape(self, value):
        self.set_shape(value)

    def get_shape(self) -> Shape:
        return Shape(self._dims)

    def set_shape(self, shape) -> None:
        """Resize: keeps the data when the element count is unchanged, else reallocates zeros."""
        dims = tuple(Shape(shape))
        if self._packed_shape is not None:
            if int(np.prod(dims)) != int(np.prod(self._packed_shape)):
                self._data = np.zeros(packed_byte_size(self._element_type, np.prod(dims)),
                                      self._data.dtype)
            self._packed_shape = dims
            return
        if int(np.prod(dims)) == self._data.size:
            self._data = self._data.reshape(dims)
        else:
            self._data = np.zeros(dims, dtype=self._data.dtype)

    @property
    def element_type(self) -> Type:
        return self._element_type

    def get_element_type(self) -> Type:
        return self._element_type

    @property
    def size(self) -> int:
        return int(np.prod(self._dims, dtype=np.int64))

    def get_size(self) -> int:
        return self.size

    @property
    def byte_size(self) -> int:
        return int(self._data.nbytes)

    def get_byte_size(self) -> int:
        return self.byte_size

    @property
    def strides(self) -> tuple:
        """The byte strides of ``.data``, as OpenVINO's (a tuple here, a ``Strides`` there)."""
        if self._packed_shape is not None:
            raise TensorError(f"a Tensor of {self._element_type} has no strides: its values "
                              f"({self._element_type.bitwidth} bits each) do not take whole bytes")
        return tuple(int(stride) for stride in self._data.strides)

    def get_strides(self) -> tuple:
        return self.strides

    def is_continuous(self) -> bool:
        """Whether the elements lie in one dense row-major block (False for most regions made
        with ``Tensor(tensor, begin, end)``)."""
        return bool(self._data.flags.c_contiguous)

    def copy_to(self, target: Tensor) -> None:
        """Copy into ``target``, which takes this tensor's shape; element types must match."""
        if not isinstance(target, Tensor):
            raise TypeError(f"copy_to expects a Tensor, got {type(target).__name__}")
        _copy(self, target)

    def copy_from(self, source) -> None:
        """Copy ``source`` (a Tensor or a numpy array of this tensor's element type) into this
        tensor, which takes its shape."""
        if isinstance(source, np.ndarray):
            source = Tensor(source, shared_memory=source.flags.c_contiguous)
        elif not isinstance(source, Tensor):
            raise TypeError(f"copy_from expects a Tensor or a numpy array, got "
                            f"{type(source).__name__}")
        _copy(source, self)

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __repr__(self):
        return f"<Tensor: shape{self.shape} type: {self._element_type}>"


def _copy(source: Tensor, target: Tensor) -> None:
    """OpenVINO's ``ITensor::copy_to``: same element type; the target is resized (reallocated
    when its element count changes, else written in place, so memory it shares sees the copy)."""
    if source._element_type is not target._element_type:
        raise TensorError(f"cannot copy a Tensor of {source._element_type} into one of "
                          f"{target._element_type}: the element types must be equal")
    if source._data is target._data:
        return
    if source._packed_shape is not None:
        target.set_shape(list(source._packed_shape))
        np.copyto(target._data, source._data)
        return
    if target._data.shape != source._data.shape:
        target.set_shape(list(source._data.shape))
    np.copyto(target._data, source._data)


def tensor_from_file(path) -> Tensor:
    """The bytes of the file at ``path`` as a u8 Tensor of shape ``[size]``, as
    ``openvino.tensor_from_file`` (memory-mapped copy-on-write: writes never reach the file);
    for ``Core.read_model(xml, weights_tensor)``."""
    import os

    path = os.fspath(path)
    if os.path.getsize(path) == 0:  # mmap cannot map an empty file; raises for a missing one
        return Tensor._wrap(np.zeros(0, np.uint8), Type.u8)
    return Tensor._wrap(np.asarray(np.memmap(path, dtype=np.uint8, mode="c")), Type.u8)
