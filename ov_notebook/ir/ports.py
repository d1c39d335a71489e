"""Ports: the outputs and inputs of nodes. Model inputs and outputs are Output ports."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .shape import PartialShape, Shape
from .types import Type

if TYPE_CHECKING:  # node.py imports this module: only type checkers may import it back
    from .node import Node

__all__ = ["Output", "ConstOutput", "Input", "DescriptorTensor", "OutputDesc", "TypeInfo",
           "DiscreteTypeInfo"]


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


class _Port:
    """What output and input ports share: the node they belong to and their index on it."""

    __slots__ = ("_node", "_index")

    def __init__(self, node, index):
        self._node = node
        self._index = index

    def get_node(self) -> Node:
        return self._node

    @property
    def node(self) -> Node:
        return self._node

    def get_index(self) -> int:
        return self._index

    @property
    def index(self) -> int:
        return self._index


class Output(_Port):
    """An output port of a node: ``node.output(i)``; model inputs and outputs are Outputs."""

    __slots__ = ()

    @property
    def _desc(self) -> OutputDesc:
        return self._node._output_desc(self._index)

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

    def get_tensor(self) -> DescriptorTensor:
        """The tensor this port produces: its names (settable), element type, shape, rt_info.

        >>> from ov_notebook import opset as ops
        >>> x = ops.parameter([2], "f32")
        >>> x.output(0).tensor.names = {"x", "input"}
        >>> x.output(0).get_any_name()
        'input'
        """
        return DescriptorTensor(self)

    @property
    def tensor(self) -> DescriptorTensor:
        return self.get_tensor()

    def get_known_value(self):
        """The value type and shape inference already know for this output, or None.

        Known are Constants and what small subgraphs over them compute (shape subgraphs such as
        ``ShapeOf -> Gather`` of a static shape); the counterpart of OpenVINO's
        ``ov::util::get_constant_from_source``. The array is read-only: it may be the graph's own
        data.

        >>> from ov_notebook import opset as ops
        >>> x = ops.parameter([2, 3], "f32")
        >>> ops.shape_of(x).output(0).get_known_value()
        array([2, 3])
        >>> x.output(0).get_known_value() is None
        True
        """
        value = self._desc.value
        if value is None:
            return None
        view = np.asarray(value).view()
        view.flags.writeable = False
        return view

    def get_known_dims(self) -> list | None:
        """The elements of a shape-like 1-D (or 0-D) integer output as far as they are known, or
        None: a list of Dimension (dynamic where unknown; a known negative element, such as the
        -1 of a Reshape pattern, may be an int). Where ``get_known_value()`` is None because one
        dimension is dynamic, the others are still known here.

        >>> from ov_notebook import opset as ops
        >>> x = ops.parameter([-1, 3], "f32")
        >>> ops.shape_of(x).output(0).get_known_dims()
        [<Dimension: ?>, <Dimension: 3>]
        """
        dims = self._desc.dims_value
        return None if dims is None else list(dims)

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

    def replace(self, replacement: Output) -> None:
        """Make every consumer of this output read ``replacement`` instead."""
        from .node import as_output  # node.py imports this module

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


def _read_only(name):
    def refuse(self):
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}': the ports "
                             "of a compiled model are read-only; change the Model before compiling")
    return property(refuse)


class ConstOutput(Output):
    """A read-only output port: what ``CompiledModel.inputs``/``outputs`` hold, as OpenVINO's.

    Equal to (and hashing as) the Output of the same node and index, so either addresses the
    same input or result; the methods that change the graph are absent, as in OpenVINO.
    """

    __slots__ = ()

    set_names = _read_only("set_names")
    add_names = _read_only("add_names")
    replace = _read_only("replace")
    set_rt_info = _read_only("set_rt_info")

    def get_tensor(self) -> DescriptorTensor:
        return DescriptorTensor(self, read_only=True)

    def __repr__(self):
        return "<Const" + super().__repr__()[1:]


def const_output(output: Output) -> ConstOutput:
    """The read-only view of ``output`` (equal to it, so lookups by either agree)."""
    return ConstOutput(output._node, output._index)


class DescriptorTensor:
    """The tensor an output produces (OpenVINO's ``DescriptorTensor``): ``output.tensor``.

    Its ``names`` can be set (``output.tensor.names = {"logits"}``); names are what
    ``model.input("x")``/``model.output("logits")`` look up and what IR files write.
    """

    __slots__ = ("_output", "_read_only")

    def __init__(self, output, read_only=False):
        self._output = output
        self._read_only = read_only

    def get_names(self) -> set:
        return self._output.get_names()

    def set_names(self, names) -> None:
        if self._read_only:
            raise AttributeError("the tensors of a compiled model are read-only; set names on "
                                 "the Model before compiling")
        self._output._desc.names = _validated_names(names)

    def add_names(self, names) -> None:
        if self._read_only:
            raise AttributeError("the tensors of a compiled model are read-only; add names on "
                                 "the Model before compiling")
        self._output._desc.names |= _validated_names(names)

    @property
    def names(self) -> set:
        return self.get_names()

    @names.setter
    def names(self, names):
        self.set_names(names)

    def get_any_name(self) -> str:
        return self._output.get_any_name()

    @property
    def any_name(self) -> str:
        return self._output.get_any_name()

    def get_element_type(self):
        return self._output.get_element_type()

    @property
    def element_type(self):
        return self._output.get_element_type()

    def get_partial_shape(self) -> PartialShape:
        return self._output.get_partial_shape()

    @property
    def partial_shape(self) -> PartialShape:
        return self._output.get_partial_shape()

    def get_shape(self) -> Shape:
        return self._output.get_shape()

    @property
    def shape(self) -> Shape:
        return self._output.get_shape()

    @property
    def size(self) -> int:
        return int(np.prod(self.get_shape(), dtype=np.int64))

    def get_rt_info(self) -> dict:
        return self._output._desc.rt_info

    @property
    def rt_info(self) -> dict:
        return self._output._desc.rt_info

    def __repr__(self):
        return f"<DescriptorTensor: names[{_names_str(self.get_names())}]>"


def _validated_names(names) -> set:
    if isinstance(names, str):
        names = {names}
    if not hasattr(names, "__iter__"):
        raise TypeError(f"tensor names are a set of strings, got {type(names).__name__} {names!r}")
    names = set(names)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"tensor names must be non-empty strings, got {name!r}")
    return names


class Input(_Port):
    """An input port of a node: ``node.input(i)``."""

    __slots__ = ()

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


DiscreteTypeInfo = TypeInfo  # OpenVINO's name: DiscreteTypeInfo("Custom", "extension")
