"""Variables: ReadValue and Assign (opset 6, and their opset 3 forms), with OpenVINO's
``Variable``/``VariableInfo``.

A variable is state that outlives one inference: ``ReadValue`` returns its value (its
``init_value`` input, or zeros of ``variable_shape`` with dynamic dimensions 0, while the variable
has none), ``Assign`` stores a new one. The runtime keeps values per InferRequest; these
definitions only say what flows through the graph. Both are ``stateful`` (never constant-folded:
the value changes from run to run), and ``Assign`` is a sink: the Model keeps it
(``Model(results, sinks, parameters)``) though nothing reads its output.
"""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import PartialShape
from ..types import Type

__all__ = ["ReadValue", "Assign", "ReadValue3", "Assign3", "Variable", "VariableInfo"]


class VariableInfo:
    """What a variable holds: ``variable_id``, ``data_shape`` (PartialShape), ``data_type``."""

    def __init__(self, variable_id="", data_shape=None, data_type=None):
        self.variable_id = variable_id
        self.data_shape = PartialShape.dynamic() if data_shape is None else PartialShape(data_shape)
        self.data_type = Type.dynamic if data_type is None else Type(data_type)

    def __repr__(self):
        return f"<VariableInfo {self.variable_id!r} {self.data_type} {self.data_shape}>"


class Variable:
    """A variable, by its VariableInfo (``openvino.op.util.Variable``)."""

    def __init__(self, info: VariableInfo):
        if not isinstance(info, VariableInfo):
            raise TypeError(f"Variable expects a VariableInfo, got {type(info).__name__}")
        self.info = info

    def get_info(self) -> VariableInfo:
        return self.info

    def update(self, info: VariableInfo) -> None:
        self.info = info

    def __repr__(self):
        return f"<Variable: {self.info.variable_id!r}>"


class _StateOp(Op):
    stateful = True

    def get_variable_id(self) -> str:
        return self._attrs["variable_id"]

    def get_variable(self) -> Variable:
        return Variable(self._variable_info())

    def _variable_info(self) -> VariableInfo:
        return VariableInfo(self._attrs["variable_id"], self.get_output_partial_shape(0),
                            self.get_output_element_type(0))


@register_op
class ReadValue(_StateOp):
    """ReadValue-6: the variable's value; ``init_value`` (optional) while it has none."""

    type_name = "ReadValue"
    version = "opset6"
    inputs_spec = ("init_value?",)
    attrs = (Attr("variable_id", "str"), Attr("variable_type", "type", Type.dynamic),
             Attr("variable_shape", "pshape", PartialShape.dynamic()))

    def infer(self):
        self.check(self._attrs["variable_id"] != "", "variable_id must not be empty")
        element_type, shape = self._attrs["variable_type"], self._attrs["variable_shape"]
        if self.get_input_size():
            init_type = self.get_input_element_type(0)
            init_shape = self.get_input_partial_shape(0)
            self.check(element_type.is_dynamic() or init_type.is_dynamic()
                       or init_type == element_type,
                       f"init_value has element type {init_type}, the variable "
                       f"{element_type}")
            self.check(shape.compatible(init_shape),
                       f"init_value has shape {init_shape}, not compatible with the "
                       f"variable's {shape}")
            if element_type.is_dynamic():
                element_type = init_type
            if not shape.rank_is_static:
                shape = init_shape
        self.set_output_type(0, element_type, shape)

    def _variable_info(self) -> VariableInfo:
        return VariableInfo(self._attrs["variable_id"], self._attrs["variable_shape"],
                            self._attrs["variable_type"])


@register_op
class Assign(_StateOp):
    """Assign-6: stores ``new_value`` in the variable; its output is ``new_value``."""

    type_name = "Assign"
    version = "opset6"
    inputs_spec = ("new_value",)
    attrs = (Attr("variable_id", "str"),)
    is_sink = True

    def infer(self):
        self.check(self._attrs["variable_id"] != "", "variable_id must not be empty")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))


@register_op
class ReadValue3(ReadValue):
    """ReadValue-3: ``init_value`` required; the variable takes its type and shape."""

    version = "opset3"
    inputs_spec = ("init_value",)
    attrs = (Attr("variable_id", "str"),)

    def infer(self):
        self.check(self._attrs["variable_id"] != "", "variable_id must not be empty")
        self.set_output_type(0, self.get_input_element_type(0), self.get_input_partial_shape(0))

    def _variable_info(self) -> VariableInfo:
        return VariableInfo(self._attrs["variable_id"], self.get_output_partial_shape(0),
                            self.get_output_element_type(0))


@register_op
class Assign3(Assign):
    """Assign-3: as Assign-6."""

    version = "opset3"
