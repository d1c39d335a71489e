"""Builders for ReadValue-6 and Assign-6 (variables), with openvino.opset6's overloads."""
from __future__ import annotations

from ..ir.ops import state as spec
from ..ir.shape import PartialShape
from ..ir.types import Type
from ._base import BuilderTypeError, as_node, builder


def _variable_info(variable_id, variable_type, variable_shape):
    if isinstance(variable_id, spec.Variable):
        return variable_id.get_info()
    if not isinstance(variable_id, str):
        raise BuilderTypeError(f"argument 'variable_id' must be a string or a Variable, got "
                               f"{type(variable_id).__name__} {variable_id!r}")
    try:
        element_type = Type.dynamic if variable_type is None else Type(variable_type)
        shape = PartialShape.dynamic() if variable_shape is None else PartialShape(variable_shape)
    except (TypeError, ValueError) as exc:
        raise BuilderTypeError(f"variable_type/variable_shape: {exc}") from None
    return spec.VariableInfo(variable_id, shape, element_type)


@builder(none_allowed=("init_value",))
def read_value(init_value=None, variable_id=None, variable_type=None, variable_shape=None,
               name=None) -> spec.ReadValue:
    """ReadValue-6: the value of a variable, ``init_value`` while it has none.

    As openvino.opset6: ``read_value(init_value, "id", type, shape)``,
    ``read_value("id", type, shape)`` (zeros of ``shape``, dynamic dimensions 0, while unset),
    ``read_value(variable)`` and ``read_value(init_value, variable)``.
    """
    if isinstance(init_value, (str, spec.Variable)):  # read_value(variable_id|variable, ...)
        init_value, variable_id, variable_type, variable_shape = (
            None, init_value, variable_id, variable_type)
        if isinstance(variable_id, spec.Variable) and isinstance(variable_type, str) \
                and name is None:
            name, variable_type = variable_type, None  # read_value(variable, name)
    inputs = () if init_value is None else (as_node(init_value, "init_value"),)
    if variable_id is None:
        raise BuilderTypeError("argument 'variable_id' is required: a string or a Variable")
    info = _variable_info(variable_id, variable_type, variable_shape)
    return spec.ReadValue(*inputs, variable_id=info.variable_id, variable_type=info.data_type,
                          variable_shape=info.data_shape, name=name)


@builder
def assign(new_value, variable_id, name=None) -> spec.Assign:
    """Assign-6: store ``new_value`` in the variable ``variable_id`` (a string or a Variable);
    list the node as one of the model's sinks: ``Model(results, [assign], parameters)``."""
    new_value = as_node(new_value, "new_value")
    info = _variable_info(variable_id, None, None)
    return spec.Assign(new_value, variable_id=info.variable_id, name=name)


@builder(older_version_of="read_value")
def _read_value_3(init_value, variable_id, name=None) -> spec.ReadValue3:
    """ReadValue-3 (``openvino.opset3.read_value``): the variable takes ``init_value``'s type and
    shape."""
    if not isinstance(variable_id, str):
        raise BuilderTypeError(f"argument 'variable_id' must be a string, got "
                               f"{type(variable_id).__name__} {variable_id!r}")
    return spec.ReadValue3(as_node(init_value, "init_value"), variable_id=variable_id, name=name)


@builder(older_version_of="assign")
def _assign_3(new_value, variable_id, name=None) -> spec.Assign3:
    """Assign-3 (``openvino.opset3.assign``)."""
    if not isinstance(variable_id, str):
        raise BuilderTypeError(f"argument 'variable_id' must be a string, got "
                               f"{type(variable_id).__name__} {variable_id!r}")
    return spec.Assign3(as_node(new_value, "new_value"), variable_id=variable_id, name=name)
