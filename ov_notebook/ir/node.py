"""Nodes, their input/output ports, typed attributes and the registry of operation specifications.

Every operation is a subclass of :class:`Op` registered with :func:`register_op`: it declares its
inputs, its attributes (name, kind, default) and implements ``infer()`` (type and shape inference).
Ops whose value can be computed cheaply on small constant inputs implement ``evaluate()`` so that
shape subgraphs (``ShapeOf -> Gather -> Concat -> Reshape``) infer static shapes.
"""
from __future__ import annotations

import itertools
import numbers
import weakref

import numpy as np

from .errors import OpValidationError, UnknownOpError
from .shape import Dimension, PartialShape, Shape
from .types import Type

__all__ = ["Node", "Output", "Input", "Op", "Attr", "register_op", "get_op_class",
           "registered_ops", "REQUIRED"]

_ids = itertools.count()

# Largest number of elements an op's value is computed for during shape inference.
EVALUATE_LIMIT = 4096


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


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
        self.dims_value = None  # list[Dimension] for 1-D shape-like tensors with partly known values


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
        return self

    def get_rt_info(self) -> dict:
        return self._desc.rt_info

    @property
    def rt_info(self) -> dict:
        return self._desc.rt_info

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

    def replace_source_output(self, output) -> None:
        self._node.set_argument(self._index, output)

    def __eq__(self, other):
        return isinstance(other, Input) and other._node is self._node and other._index == self._index

    def __hash__(self):
        return hash((id(self._node), self._index))

    def __repr__(self):
        return f"<Input: {self._node.get_friendly_name()}[{self._index}]>"


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

    def get_rt_info(self) -> dict:
        return self.rt_info

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


# ---------------------------------------------------------------------------------------
# attributes
# ---------------------------------------------------------------------------------------
def _to_int(value, attr):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return int(value)
        raise TypeError(f"attribute '{attr}' must be an integer, got {value!r}")
    return int(value)


def _to_ints(value, attr):
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        return [int(value)]
    if isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    try:
        return [_to_int(v, attr) for v in value]
    except TypeError:
        raise TypeError(f"attribute '{attr}' must be a list of integers, got {value!r}") from None


def _to_float(value, attr):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"attribute '{attr}' must be a number, got {value!r}")
    return float(value)


def _to_bool(value, attr):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise TypeError(f"attribute '{attr}' must be a boolean, got {value!r}")


def _format_float(value):
    text = "%.17g" % value
    return text


class Attr:
    """An attribute of an operation: name, kind, default and, for enums, the accepted values.

    Kinds: ``int``, ``float``, ``bool``, ``str``, ``ints``, ``floats``, ``type`` (element type),
    ``pshape`` (a PartialShape) and ``shape`` (a list of non-negative ints).
    """

    __slots__ = ("name", "kind", "default", "choices")

    def __init__(self, name, kind, default=REQUIRED, choices=None):
        self.name = name
        self.kind = kind
        self.default = default
        self.choices = tuple(choices) if choices else None

    def coerce(self, value):
        name, kind = self.name, self.kind
        if kind == "int":
            return _to_int(value, name)
        if kind == "float":
            return _to_float(value, name)
        if kind == "bool":
            return _to_bool(value, name)
        if kind == "str":
            if isinstance(value, Type):
                value = value.get_type_name()
            if not isinstance(value, str):
                raise TypeError(f"attribute '{name}' must be a string, got {value!r}")
            if self.choices:
                for choice in self.choices:
                    if choice.lower() == value.lower():
                        return choice
                raise ValueError(f"attribute '{name}' must be one of {', '.join(self.choices)}, "
                                 f"got {value!r}")
            return value
        if kind in ("ints", "shape"):
            values = _to_ints(value, name)
            if kind == "shape" and any(v < 0 for v in values):
                raise ValueError(f"attribute '{name}' must not be negative, got {values}")
            return values
        if kind == "floats":
            if isinstance(value, np.ndarray):
                value = value.reshape(-1).tolist()
            if isinstance(value, (numbers.Real, np.number)):
                value = [value]
            return [_to_float(v, name) for v in value]
        if kind == "type":
            return Type(value)
        if kind == "pshape":
            return PartialShape(value)
        raise AssertionError(f"unknown attribute kind {kind}")

    def to_xml(self, value) -> str:
        kind = self.kind
        if kind == "bool":
            return "true" if value else "false"
        if kind == "float":
            return _format_float(value)
        if kind in ("ints", "shape"):
            return ", ".join(str(v) for v in value)
        if kind == "floats":
            return ", ".join(_format_float(v) for v in value)
        if kind == "type":
            return value.get_type_name()
        if kind == "pshape":
            return str(value)[1:-1] if value.rank.is_static else "..."
        return str(value)

    def from_xml(self, text: str):
        kind = self.kind
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            return _to_bool(text, self.name)
        if kind in ("ints", "shape"):
            text = text.strip()
            return self.coerce([int(p) for p in text.split(",")] if text else [])
        if kind == "floats":
            text = text.strip()
            return [float(p) for p in text.split(",")] if text else []
        if kind == "pshape":
            return PartialShape.parse(text)
        return self.coerce(text)


# ---------------------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------------------
_REGISTRY: dict = {}  # type_name -> {version: class}
_XML_NAMES: dict = {}  # IR type name -> type_name


class Op(Node):
    """Base class of operation specifications.

    Subclasses set ``type_name``, ``version``, ``inputs_spec`` (input names; a trailing ``?`` marks an
    optional input, ``*`` a variadic one), ``attrs`` and implement ``infer()``. ``num_outputs`` is
    the default output count.
    """

    type_name = "Op"
    version = "opset1"
    xml_type = None  # the IR spelling of type_name where it differs (Relu -> ReLU)
    inputs_spec: tuple = ()
    attrs: tuple = ()
    num_outputs = 1

    def __init__(self, *inputs, name=None, **attributes):
        inputs = [as_output(v) for v in inputs]
        self._check_input_count(len(inputs))
        super().__init__(inputs, self.num_outputs, name)
        self._attrs = {}
        known = {a.name: a for a in self.attrs}
        unknown = set(attributes) - set(known)
        if unknown:
            raise OpValidationError(None, f"{self.type_name} has no attribute(s) "
                                    f"{', '.join(sorted(unknown))}; it has "
                                    f"{', '.join(known) or 'none'}")
        for attr in self.attrs:
            value = attributes.get(attr.name, attr.default)
            if value is REQUIRED:
                raise OpValidationError(None, f"{self.type_name} requires attribute '{attr.name}'")
            try:
                self._attrs[attr.name] = None if value is None else attr.coerce(value)
            except (TypeError, ValueError) as exc:
                raise OpValidationError(None, f"{self.type_name}: {exc}") from None
        self.validate_and_infer_types()

    @classmethod
    def _input_bounds(cls):
        low = high = 0
        for spec in cls.inputs_spec:
            if spec.endswith("*"):
                high = None
            elif spec.endswith("?"):
                high = None if high is None else high + 1
            else:
                low += 1
                high = None if high is None else high + 1
        return low, high

    @classmethod
    def _check_input_count(cls, count):
        low, high = cls._input_bounds()
        if count < low or (high is not None and count > high):
            expected = f"{low}" if low == high else (f"at least {low}" if high is None
                                                     else f"{low} to {high}")
            names = ", ".join(cls.inputs_spec)
            raise OpValidationError(None, f"{cls.type_name} takes {expected} inputs ({names}), "
                                    f"got {count}")

    @classmethod
    def from_ir(cls, inputs, attributes, name):
        """Build the op from its inputs and attributes as read from IR."""
        return cls(*inputs, name=name, **attributes)

    def clone_with_new_inputs(self, inputs) -> "Op":
        """A copy of this op (attributes, friendly name, rt_info, tensor names) reading ``inputs``."""
        clone = type(self).from_ir(list(inputs), dict(self._attrs), self._friendly_name)
        clone.rt_info = dict(self.rt_info)
        for mine, theirs in zip(self._outputs, clone._outputs):
            theirs.names = set(mine.names)
            theirs.rt_info = dict(mine.rt_info)
        return clone

    # --- attributes -----------------------------------------------------------------------
    def get_attributes(self) -> dict:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._attrs.items()}

    def attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise KeyError(f"{self.type_name} has no attribute '{name}'") from None

    def set_attribute(self, name, value) -> None:
        spec = next((a for a in self.attrs if a.name == name), None)
        if spec is None:
            raise KeyError(f"{self.type_name} has no attribute '{name}'")
        self._attrs[name] = None if value is None else spec.coerce(value)

    # --- inference ------------------------------------------------------------------------
    def validate_and_infer_types(self) -> None:
        for index, source in enumerate(self._inputs):
            if source is None:
                raise OpValidationError(self, f"input {index} is not connected")
        try:
            self.infer()
        except OpValidationError:
            raise
        except (ValueError, TypeError, IndexError) as exc:
            raise OpValidationError(self, str(exc)) from None
        self._propagate_values()

    def infer(self) -> None:
        raise NotImplementedError(f"{self.type_name} has no shape inference")

    def fail(self, message):
        """Raise a validation error naming this node."""
        raise OpValidationError(self, message)

    def check(self, condition, message):
        if not condition:
            raise OpValidationError(self, message)

    # --- value propagation for shape subgraphs -----------------------------------------------
    def evaluate(self, values):
        """Output values from input values (numpy arrays); None where the op cannot be evaluated."""
        return None

    def evaluate_dims(self):
        """Output ``dims_value`` (list of Dimension) from the inputs' partly known values."""
        return None

    def _propagate_values(self):
        for desc in self._outputs:
            desc.value = None
            desc.dims_value = None
        values = [source._desc.value for source in self._inputs]
        if self._outputs and all(v is not None for v in values) and all(
                v.size <= EVALUATE_LIMIT for v in values):
            try:
                results = self.evaluate(values)
            except Exception:  # a value that cannot be computed is just unknown
                results = None
            if results is not None:
                for desc, value in zip(self._outputs, results):
                    value = np.asarray(value)
                    if desc.element_type.is_static and value.size <= EVALUATE_LIMIT:
                        desc.value = value.astype(desc.element_type.to_dtype(), copy=False)
                        if value.ndim == 1 and desc.element_type.is_integral_number():
                            desc.dims_value = [Dimension(int(v)) if v >= 0 else Dimension()
                                               for v in desc.value]
                return
        try:
            dims = self.evaluate_dims()
        except Exception:
            dims = None
        if dims is not None:
            self._outputs[0].dims_value = dims


def register_op(cls):
    """Class decorator registering an operation specification; a duplicate raises."""
    versions = _REGISTRY.setdefault(cls.type_name, {})
    if cls.version in versions:
        raise ValueError(f"operation {cls.type_name} {cls.version} is registered twice")
    versions[cls.version] = cls
    xml_name = cls.xml_type or cls.type_name
    _XML_NAMES[xml_name] = cls.type_name
    return cls


def _opset_number(version: str) -> int:
    digits = version[5:] if version.startswith("opset") else ""
    return int(digits) if digits.isdigit() else -1


def get_op_class(type_name: str, version: str | None = None):
    """The class registered for ``type_name`` (IR spelling accepted) and ``version``.

    Without a version, the newest registered version is returned. With a version ``opsetN``, the
    newest registered version not newer than N is returned: an op unchanged since opset1 is found
    in opset8 too, as in OpenVINO.
    """
    canonical = _XML_NAMES.get(type_name, type_name)
    versions = _REGISTRY.get(canonical)
    if not versions:
        raise UnknownOpError(f"unknown operation type '{type_name}'; the operation set has "
                             f"{len(_REGISTRY)} types (see ov_notebook.ir.registered_ops())")
    if version is None:
        return max(versions.values(), key=lambda c: _opset_number(c.version))
    if version in versions:
        return versions[version]
    wanted = _opset_number(version)
    if wanted < 0:
        raise UnknownOpError(f"operation '{type_name}' has no version '{version}'; known versions: "
                             f"{', '.join(sorted(versions))}")
    candidates = [c for c in versions.values() if 0 <= _opset_number(c.version) <= wanted]
    if not candidates:
        raise UnknownOpError(f"operation '{type_name}' has no version '{version}'; known versions: "
                             f"{', '.join(sorted(versions))}")
    return max(candidates, key=lambda c: _opset_number(c.version))


def registered_ops() -> dict:
    """``{type_name: [versions]}`` of every registered operation."""
    return {name: sorted(v, key=_opset_number) for name, v in sorted(_REGISTRY.items())}
