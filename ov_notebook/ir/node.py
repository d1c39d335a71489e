"""Nodes of the graph.

Ports (:class:`Output`, :class:`Input`) live in ``ports.py``, operations (:class:`Op`,
``register_op``) in ``op.py`` and typed attributes (:class:`Attr`) in ``attributes.py``; all are
re-exported here, where op modules have always imported them.
"""
from __future__ import annotations

import functools
import itertools
import numbers
import weakref

from .ports import Input, Output, OutputDesc, TypeInfo  # noqa: F401  (re-exported)
from .shape import PartialShape, Shape
from .types import Type

__all__ = ["Node", "Output", "Input", "Op", "Attr", "register_op", "get_op_class",
           "registered_ops", "REQUIRED"]

_ids = itertools.count()

# Largest number of elements an op's value is computed for during shape inference.
EVALUATE_LIMIT = 4096



def as_output(value) -> Output:
    """An Output from an Output or a single-output-by-default Node."""
    if isinstance(value, Output):
        return value
    if isinstance(value, Node):
        if not value._outputs:
            raise ValueError(f"{value.get_type_name()} '{value.get_friendly_name()}' has no outputs")
        return value.output(0)
    raise TypeError(f"expected a Node or an Output, got {type(value).__name__}")


class Node:
    """A node of the graph. Operations are subclasses of :class:`Op`."""

    type_name = "Node"
    version = "opset1"

    def __init__(self, inputs=(), num_outputs=1, name=None):
        self._id = next(_ids)
        self._inputs = []
        self._input_rt_info = {}
        self._outputs = [OutputDesc() for _ in range(num_outputs)]
        self._friendly_name = name
        self.rt_info = {}
        for index, value in enumerate(inputs):
            self._inputs.append(None)
            self._connect(index, as_output(value))

    # --- graph wiring ------------------------------------------------------------------
    def _connect(self, index, output):
        previous = self._inputs[index]
        if previous is not None:
            desc = previous._desc
            desc.consumers = [(r, i) for r, i in desc.consumers if not (r() is self and i == index)]
        self._inputs[index] = output
        output._desc.consumers.append((weakref.ref(self), index))

    def set_argument(self, index, output) -> None:
        if not 0 <= index < len(self._inputs):
            raise IndexError(f"{self.get_friendly_name()} has {len(self._inputs)} inputs, not {index + 1}")
        self._connect(index, as_output(output))

    def set_arguments(self, outputs) -> None:
        outputs = [as_output(o) for o in outputs]
        if len(outputs) != len(self._inputs):
            raise ValueError(f"{self.get_friendly_name()} takes {len(self._inputs)} inputs, "
                             f"got {len(outputs)}")
        for index, output in enumerate(outputs):
            self._connect(index, output)

    def _output_desc(self, index) -> OutputDesc:
        try:
            return self._outputs[index]
        except IndexError:
            raise IndexError(f"{self.get_type_name()} '{self.get_friendly_name()}' has "
                             f"{len(self._outputs)} outputs, not {index + 1}") from None

    def _set_output_count(self, count):
        while len(self._outputs) < count:
            self._outputs.append(OutputDesc())
        del self._outputs[count:]

    # --- identity ---------------------------------------------------------------------
    def get_type_name(self) -> str:
        return self.type_name

    def get_version(self) -> str:
        return self.version

    def get_name(self) -> str:
        return f"{self.type_name}_{self._id}"

    def get_friendly_name(self) -> str:
        return self._friendly_name if self._friendly_name else self.get_name()

    def set_friendly_name(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"a friendly name must be a string, got {name!r}")
        self._friendly_name = name

    @property
    def friendly_name(self) -> str:
        return self.get_friendly_name()

    @friendly_name.setter
    def friendly_name(self, name):
        self.set_friendly_name(name)

    @property
    def name(self) -> str:
        return self.get_name()

    def get_instance_id(self) -> int:
        """A number unique to this node in the process (OpenVINO's instance id)."""
        return self._id

    def get_type_info(self) -> TypeInfo:
        return TypeInfo(self.get_type_name(), self.get_version())

    @property
    def type_info(self) -> TypeInfo:
        return self.get_type_info()

    def get_rt_info(self) -> dict:
        return self.rt_info

    def set_rt_info(self, value, key) -> None:
        """OpenVINO's argument order: value first, then key."""
        self.rt_info[key] = value

    def get_attributes(self) -> dict:
        return {}

    # --- ports ------------------------------------------------------------------------
    def get_input_size(self) -> int:
        return len(self._inputs)

    def get_output_size(self) -> int:
        return len(self._outputs)

    def input(self, index) -> Input:
        if not 0 <= index < len(self._inputs):
            raise IndexError(f"{self.get_friendly_name()} has {len(self._inputs)} inputs, not {index + 1}")
        return Input(self, index)

    def inputs(self) -> list:
        return [Input(self, i) for i in range(len(self._inputs))]

    def output(self, index) -> Output:
        self._output_desc(index)
        return Output(self, index)

    def outputs(self) -> list:
        return [Output(self, i) for i in range(len(self._outputs))]

    def input_value(self, index) -> Output:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or \
                not -len(self._inputs) <= index < len(self._inputs):
            raise IndexError(f"{self.get_type_name()} '{self.get_friendly_name()}' has "
                             f"{len(self._inputs)} inputs; {index!r} is not a valid input index")
        return self._inputs[index]

    def input_values(self) -> list:
        return list(self._inputs)

    def get_input_element_type(self, index) -> Type:
        return self._inputs[index].get_element_type()

    def get_input_partial_shape(self, index) -> PartialShape:
        return self._inputs[index].get_partial_shape()

    def get_input_shape(self, index) -> Shape:
        return self._inputs[index].get_shape()

    def _single_output(self, what):
        if len(self._outputs) != 1:
            raise RuntimeError(f"{what} of {self.get_type_name()} '{self.get_friendly_name()}' is "
                               f"ambiguous: it has {len(self._outputs)} outputs; use output(i)")
        return self.output(0)

    def get_element_type(self) -> Type:
        """The element type of the only output."""
        return self._single_output("get_element_type()").get_element_type()

    @property
    def shape(self) -> Shape:
        """The static shape of the only output."""
        return self._single_output("shape").get_shape()

    def get_output_tensor(self, index):
        return self.output(index).get_tensor()

    def get_input_tensor(self, index):
        return self.input(index).get_tensor()

    def get_output_element_type(self, index) -> Type:
        return self._output_desc(index).element_type

    def get_output_partial_shape(self, index) -> PartialShape:
        return PartialShape(self._output_desc(index).partial_shape)

    def get_output_shape(self, index) -> Shape:
        return self.output(index).get_shape()

    def set_output_type(self, index, element_type, shape) -> None:
        desc = self._output_desc(index)
        desc.element_type = Type(element_type)
        desc.partial_shape = PartialShape(shape)

    def validate_and_infer_types(self) -> None:
        pass

    def constructor_validate_and_infer_types(self) -> None:
        self.validate_and_infer_types()

    def set_output_size(self, count: int) -> None:
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
            raise ValueError(f"an output count is a non-negative integer, got {count!r}")
        self._set_output_count(int(count))

    # --- evaluation ------------------------------------------------------------------------
    def evaluate(self, values):
        """Output values (numpy arrays) from input values, or None when this node cannot
        compute them; OpenVINO's ``evaluate(output_values, input_values)`` works too."""
        return None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("evaluate")
        if own is not None and not hasattr(own, "internal"):
            cls.evaluate = _with_openvino_arguments(own)

    # --- arithmetic: ``a + b`` builds Add as OpenVINO's Node does (operand rules: arithmetic.py)
    def __array_ufunc__(self, ufunc, method, *operands, **kwargs):
        # numpy_array + node builds Add(Constant, node), as OpenVINO's; other ufuncs (comparisons
        # included: array == node) are refused, as OpenVINO refuses them
        type_name = _UFUNC_OPS.get(ufunc.__name__)
        if method != "__call__" or type_name is None or kwargs or len(operands) != 2:
            raise TypeError(f"Unsupported __array_ufunc__ operation between ov_notebook.Node and "
                            f"np.array ({ufunc.__name__})")
        return _binary(type_name, *operands)

    def __add__(self, other):
        return _binary("Add", self, other)

    def __radd__(self, other):
        return _binary("Add", other, self)

    def __sub__(self, other):
        return _binary("Subtract", self, other)

    def __rsub__(self, other):
        return _binary("Subtract", other, self)

    def __mul__(self, other):
        return _binary("Multiply", self, other)

    def __rmul__(self, other):
        return _binary("Multiply", other, self)

    def __truediv__(self, other):
        return _binary("Divide", self, other)

    def __rtruediv__(self, other):
        return _binary("Divide", other, self)

    def __repr__(self):
        shapes = ", ".join(str(self._output_desc(i).partial_shape) for i in range(len(self._outputs)))
        return f"<{self.get_type_name()}: '{self.get_friendly_name()}' ({shapes})>"


_UFUNC_OPS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide"}


def _with_openvino_arguments(internal):
    """``evaluate`` of a Node class: ``evaluate(values)`` -> list of arrays (the ops' own, used
    by shape inference), and OpenVINO's ``evaluate(output_values, input_values)`` -> bool,
    which writes into the output tensors (``evaluation.py``)."""
    @functools.wraps(internal)
    def evaluate(self, *args, **kwargs):
        if len(args) == 1 and not kwargs:
            return internal(self, args[0])
        from .evaluation import evaluate_node

        return evaluate_node(self, *args, **kwargs)

    evaluate.internal = internal
    return evaluate


Node.evaluate = _with_openvino_arguments(Node.evaluate)

# Re-exported: op modules import these from ``ov_notebook.ir.node``. Imported last because
# ``op.py`` subclasses Node.
from .arithmetic import binary as _binary  # noqa: E402
from .attributes import REQUIRED, Attr  # noqa: E402
from .op import Op, get_op_class, register_op, registered_ops  # noqa: E402
