"""Tensor: a numpy array with an element type, as ``openvino.Tensor``."""
from __future__ import annotations

import numpy as np

from ..ir.shape import PartialShape, Shape
from ..ir.types import Type

__all__ = ["Tensor"]


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
            if hasattr(array, "detach") and hasattr(array, "numpy"):  # a torch.Tensor
                array = array.detach().cpu().numpy()
            source = np.asarray(array)
            element_type = None
        if source.dtype == object:
            raise TypeError("a Tensor needs numeric data, got an object array")
        if type is not None:
            element_type = Type(type)
            if source.dtype != element_type.to_dtype():
                source = source.astype(element_type.to_dtype())
        if element_type is None:
            try:
                element_type = Type(source.dtype)
            except TypeError:
                raise TypeError(f"numpy dtype {source.dtype} has no OpenVINO element type") from None
        if shape is not None:
            source = source.reshape(tuple(Shape(shape)))
        self._data = source if shared_memory else np.array(source, copy=True, order="C")
        self._element_type = element_type

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

    def copy_to(self, target: "Tensor") -> None:
        target._data = np.array(self._data, copy=True)
        target._element_type = self._element_type

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __repr__(self):
        return f"<Tensor: shape{self.shape} type: {self._element_type}>"
