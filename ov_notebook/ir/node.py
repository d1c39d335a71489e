"""Nodes and their input/output ports.

Operations (:class:`Op`, ``register_op``) live in ``op.py`` and typed attributes (:class:`Attr`)
in ``attributes.py``; both are re-exported here, where op modules have always imported them.
"""
from __future__ import annotations

import itertools
import weakref

from .shape import PartialShape, Shape
from .types import Type

__all__ = ["Node", "Output", "Input", "Op", "Attr", "register_op", "get_op_class",
           "registered_ops", "REQUIRED"]

_ids = itertools.count()

# Largest number of elements an op's value is computed for during shape inference.
EVALUATE_LIMIT = 4096



class OutputDesc:
    """What an output port carries: element type, shape, tensor names and, when known, its value."""

    __slots__ = ("element_type", "partial_shape", "names", "rt_info", "consumers", "value",
                 "dims_value")

    def __init__(self):
        self.element_type = Type.dynamic
        self.partial_shape = PartialShape.dynamic()
        self.names = set()
        self.rt_info = {}
        self.consumers = []  # [(weakref to node, input index)]
        self.value = None  # numpy array when the value is known during shape inference
        # list[Dimension] for 1-D (or 0-D: one element) shape-like tensors with partly known
        # values; known negative elements (-1 in a Reshape pattern) may stay ints
        self.dims_value = None


def _names_str(names):
    return ", ".join(sorted(names))


class Output:
    """An output port of a node: ``node.output(i)``; model inputs and outputs are Outputs."""

    __slots__ = ("_node", "_index")

    def __init__(self, node, index):
        self._node = node
        self._index = index

    @property
    def _desc(self) -> OutputDesc:
        return self._node._output_desc(self._index)

    def get_node(self) -> "Node":
        return self._node

    @property
    def node(self) -> "Node":
        return self._node

    def get_index(self) -> int:
        return self._index

    @property
    def index(self) -> int:
        return self._index

    def get_element_type(self) -> Type:
        return self._desc.element_type

    @property
    def element_type(self) -> Type:
        return self._desc.element_type

    def get_partial_shape(self) -> PartialShape:
        return PartialShape(self._desc.partial_shape)

    @property
    def partial_shape(self) -> PartialShape:
        return self.get_partial_shape()

    def get_shape(self) -> Shape:
        shape = self._desc.partial_shape
        if not shape.is_static:
            raise ValueError(f"output {self._index} of {self._node.get_friendly_name()} has a dynamic "
                             f"shape {shape}; use get_partial_shape()")
        return shape.to_shape()

    @property
    def shape(self) -> Shape:
        return self.get_shape()

    def get_names(self) -> set:
        return set(self._desc.names)

    @property
    def names(self) -> set:
        return self.get_names()

    def get_any_name(self) -> str:
        names = self._desc.names
        if not names:
            raise RuntimeError(f"output {self._index} of {self._node.get_friendly_name()} has no "
                               "tensor names; address it by index")
        return min(names)

    @property
    def any_name(self) -> str:
        return self.get_any_name()

    def set_names(self, names) -> None:
        self._desc.names = _validated_names(names)

    def add_names(self, names) -> None:
        self._desc.names |= _validated_names(names)

    def get_tensor(self):
        """The tensor this port produces; here the port itself carries names, type and shape."""
        return self

    @property
    def tensor(self):
        return self

    def get_rt_info(self) -> dict:
        return self._desc.rt_info

    @property
    def rt_info(self) -> dict:
        return self._desc.rt_info

    def set_rt_info(self, value, key) -> None:
        self._desc.rt_info[key] = value

    @property
    def target_inputs(self) -> set:
        return self.get_target_inputs()

    def get_target_inputs(self) -> set:
        found = set()
        for ref, index in self._desc.consumers:
            node = ref()
            if node is not None and index < len(node._inputs) and node._inputs[index] == self:
                found.add(Input(node, index))
        return found

    def replace(self, replacement: "Output") -> None:
        """Make every consumer of this output read ``replacement`` instead."""
        replacement = as_output(replacement)
        for target in sorted(self.get_target_inputs(), key=lambda i: (i.node._id, i.index)):
            target.replace_source_output(replacement)

    def __eq__(self, other):
        return isinstance(other, Output) and other._node is self._node and other._index == self._index

    def __hash__(self):
        return hash((id(self._node), self._index))

    def __repr__(self):
        return (f"<Output: names[{_names_str(self._desc.names)}] shape{self._desc.partial_shape} "
                f"type: {self._desc.element_type}>")


def _validated_names(names) -> set:
    if isinstance(names, str):
        names = {names}
    names = set(names)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"tensor names must be non-empty strings, got {name!r}")
    return names


class Input:
    """An input port of a node: ``node.input(i)``."""

    __slots__ = ("_node", "_index")

    def __init__(self, node, index):
        self._node = node
        self._index = index

    def get_node(self) -> "Node":
        return self._node

    @property
    def node(self) -> "Node":
        return self._node

    def get_index(self) -> int:
        return self._index

    @property
    def index(self) -> int:
        return self._index

    def get_source_output(self) -> Output:
        return self._node._inputs[self._index]

    def get_element_type(self) -> Type:
        return self.get_source_output().get_element_type()

    def get_partial_shape(self) -> PartialShape:
        return self.get_source_output().get_partial_shape()

    def get_shape(self) -> Shape:
        return self.get_source_output().get_shape()

    def get_rt_info(self) -> dict:
        return self._node._input_rt_info.setdefault(self._index, {})

    @property
    def rt_info(self) -> dict:
        return self.get_rt_info()

    def set_rt_info(self, value, key) -> None:
        self.get_rt_info()[key] = value

    def get_tensor(self):
        return self.get_source_output().get_tensor()

    def replace_source_output(self, output) -> None:
        self._node.set_argument(self._index, output)

    def __eq__(self, other):
        return isinstance(other, Input) and other._node is self._node and other._index == self._index

    def __hash__(self):
        return hash((id(self._node), self._index))

    def __repr__(self):
        return f"<Input: {self._node.get_friendly_name()}[{self._index}]>"


class TypeInfo:
    """What ``node.get_type_info()`` returns: the op type name and the opset it appeared in."""

    __slots__ = ("name", "version_id")

    def __init__(self, name, version_id):
        self.name = name
        self.version_id = version_id

    def __eq__(self, other):
        return isinstance(other, TypeInfo) and (self.name, self.version_id) == (
            other.name, other.version_id)

    def __hash__(self):
        return hash((self.name, self.version_id))

    def __repr__(self):
        return f"<DiscreteTypeInfo: {self.name} {self.version_id}>"


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

    def get_type_info(self) -> "TypeInfo":
        return TypeInfo(self.get_type_name(), self.get_version())

    @property
    def type_info(self) -> "TypeInfo":
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

    def __repr__(self):
        shapes = ", ".join(str(self._output_desc(i).partial_shape) for i in range(len(self._outputs)))
        return f"<{self.get_type_name()}: '{self.get_friendly_name()}' ({shapes})>"


# Re-exported: op modules import these from ``ov_notebook.ir.node``. Imported last because
# ``op.py`` subclasses Node.
from .attributes import REQUIRED, Attr  # noqa: E402
from .op import Op, get_op_class, register_op, registered_ops  # noqa: E402
