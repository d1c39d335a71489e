"""Variable state of stateful models (ReadValue/Assign): one :class:`VariableStore` per
InferRequest (and one for calls on the CompiledModel itself), as OpenVINO keeps state per request.

The plan hands the store to the ``stateful`` steps (kernels in ``kernels/state.py``): ``ReadValue``
reads it (its ``init_value``, or zeros of the variable's shape with dynamic dimensions 0, while
the variable has no value), ``Assign`` stores a copy of its input.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor

__all__ = ["VariableStore", "VariableState"]


class VariableStore:
    """Values of a compiled model's variables: ``variable_id`` -> array, or None when unset."""

    def __init__(self, variables):
        self._infos = {v.get_info().variable_id: v.get_info() for v in variables}
        self._values = dict.fromkeys(self._infos)

    def __contains__(self, variable_id):
        return variable_id in self._infos

    def names(self) -> list:
        return list(self._infos)

    def get(self, variable_id):
        return self._values.get(variable_id)

    def set(self, variable_id, value) -> None:
        info = self._infos[variable_id]
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if info.data_type.is_static:
            dtype = info.data_type.to_dtype()
            if array.dtype != dtype and not np.can_cast(array.dtype, dtype, "same_kind"):
                raise TypeError(f"variable {variable_id!r} holds {info.data_type}, got "
                                f"{array.dtype} data")
            array = array.astype(dtype, copy=False)
        if not info.data_shape.compatible(list(array.shape)):
            raise ValueError(f"variable {variable_id!r} has shape {info.data_shape}, got "
                             f"{list(array.shape)}")
        self._values[variable_id] = np.array(array, copy=True)

    def reset(self, variable_id=None) -> None:
        for name in ([variable_id] if variable_id is not None else list(self._values)):
            self._values[name] = None

    def default(self, variable_id) -> np.ndarray:
        """The value of an unset variable without an ``init_value``: zeros of its shape, dynamic
        dimensions 0 (what OpenVINO's CPU plugin returns)."""
        return _zeros(self._infos[variable_id], variable_id)

    def states(self) -> list:
        return [VariableState(self, name) for name in self._infos]


def _zeros(info, variable_id) -> np.ndarray:
    if info.data_type.is_dynamic() or not info.data_shape.rank_is_static:
        raise RuntimeError(f"variable {variable_id!r} has no value yet and no init_value, and "
                           f"its type {info.data_type} or shape {info.data_shape} is not known "
                           "enough to start from zeros")
    dims = [d.get_length() if d.is_static else 0 for d in info.data_shape]
    return np.zeros(dims, dtype=info.data_type.to_dtype())


class VariableState:
    """One variable of an InferRequest (``InferRequest.query_state()``), as OpenVINO's:
    ``name``, ``state`` (a Tensor; assign a Tensor or array to set it), ``reset()``."""

    def __init__(self, store: VariableStore, name: str):
        self._store = store
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def get_name(self) -> str:
        return self._name

    @property
    def state(self) -> Tensor:
        value = self._store.get(self._name)
        if value is None:
            value = self._store.default(self._name)
        return Tensor(value)

    @state.setter
    def state(self, value) -> None:
        self._store.set(self._name, value)

    def get_state(self) -> Tensor:
        return self.state

    def set_state(self, value) -> None:
        self.state = value

    def reset(self) -> None:
        """The variable starts again from its ``init_value`` (or zeros) at the next inference."""
        self._store.reset(self._name)

    def __repr__(self):
        return f"<VariableState: {self._name!r}>"
