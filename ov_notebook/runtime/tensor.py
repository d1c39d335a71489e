"""Tensor: a numpy array with an element type, as ``openvino.Tensor``."""
from __future__ import annotations

import sys

import numpy as np

from ..ir.ops.core import _array_for, bf16_to_f32
from ..ir.shape import PartialShape, Shape
from ..ir.types import Type
from .errors import ElementTypeError

__all__ = ["Tensor", "tensor_from_file"]


def _torch_int16():
    """torch.int16, for a torch tensor given to us: torch is loaded already (this module never
    imports it)."""
    return sys.modules["torch"].int16


def _converted(source, element_type):
    """``source`` in ``element_type``'s storage; a conversion that changes values raises."""
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


class Tensor:
    """A tensor for inputs and outputs.

    ``Tensor(array)`` copies the array; ``Tensor(array, shared_memory=True)`` wraps it without a copy
    (writes through ``.data`` are seen by the array). ``Tensor(Type.f32, [1, 3])`` allocates zeros.
    ``.data`` is a numpy view.
    """

    __slots__ = ("_data", "_element_type")

    def __init__(self, array=None, shape=None, shared_memory=False, *, type=None):
        if isinstance(array, Type) or (isinstance(array, str) and shape is not None):
            element_type = Type(array)
            dims = Shape(PartialShape(shape).to_shape() if not isinstance(shape, Shape) else shape)
            self._data = np.zeros(tuple(dims), dtype=element_type.to_dtype())
            self._element_type = element_type
            return
        if isinstance(array, Tensor):
            source = array._data
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
                raise ElementTypeError(f"numpy dtype {source.dtype} has no OpenVINO element type") from None
        if shape is not None:
            dims = tuple(Shape(shape))
            if int(np.prod(dims)) != source.size:
                raise ValueError(f"a Tensor of {source.size} elements cannot take shape "
                                 f"{list(dims)}")
            source = source.reshape(dims)
        self._data = source if shared_memory else np.array(source, copy=True, order="C")
        self._element_type = element_type

    @classmethod
    def _wrap(cls, array: np.ndarray, element_type: Type) -> Tensor:
        """A Tensor over ``array`` itself (no copy, no check): the runtime's own buffers."""
        tensor = cls.__new__(cls)
        tensor._data = array
        tensor._element_type = element_type
        return tensor

    @property
    def data(self) -> np.ndarray:
        return self._data

    @property
    def shape(self) -> Shape:
        return Shape(self._data.shape)

    @shape.setter
    def shape(self, value):
        self.set_shape(value)

    def get_shape(self) -> Shape:
        return Shape(self._data.shape)

    def set_shape(self, shape) -> None:
        """Resize: keeps the data when the element count is unchanged, else reallocates zeros."""
        dims = tuple(Shape(shape))
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
        return int(self._data.size)

    def get_size(self) -> int:
        return self.size

    @property
    def byte_size(self) -> int:
        return int(self._data.nbytes)

    def get_byte_size(self) -> int:
        return self.byte_size

    def copy_to(self, target: Tensor) -> None:
        if not isinstance(target, Tensor):
            raise TypeError(f"copy_to expects a Tensor, got {type(target).__name__}")
        target._data = np.array(self._data, copy=True)
        target._element_type = self._element_type

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __repr__(self):
        return f"<Tensor: shape{self.shape} type: {self._element_type}>"


def tensor_from_file(path) -> Tensor:
    """The bytes of the file at ``path`` as a u8 Tensor of shape ``[size]``, as
    ``openvino.tensor_from_file`` (memory-mapped copy-on-write: writes never reach the file);
    for ``Core.read_model(xml, weights_tensor)``."""
    import os

    path = os.fspath(path)
    if os.path.getsize(path) == 0:  # mmap cannot map an empty file; raises for a missing one
        return Tensor._wrap(np.zeros(0, np.uint8), Type.u8)
    return Tensor._wrap(np.asarray(np.memmap(path, dtype=np.uint8, mode="c")), Type.u8)
