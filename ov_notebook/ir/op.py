"""Operation specifications and their registry.

Every operation is a subclass of :class:`Op` registered with :func:`register_op`: it declares its
inputs, its attributes (name, kind, default) and implements ``infer()`` (type and shape inference).
Ops whose value can be computed cheaply on small constant inputs implement ``evaluate()`` so that
shape subgraphs (``ShapeOf -> Gather -> Concat -> Reshape``) infer static shapes.
"""
from __future__ import annotations

import numpy as np

from .._registry import Registry, import_submodules
from .attributes import REQUIRED
from .errors import OpValidationError, UnknownOpError
from .node import EVALUATE_LIMIT, Node, as_output
from .shape import Dimension

__all__ = ["Op", "register_op", "get_op_class", "registered_ops"]

# (type_name, version) -> class; the op family modules in ir/ops register themselves
_OPS = Registry("operation", lambda: import_submodules(f"{__package__}.ops"), versioned=True)
_XML_NAMES: dict = {}  # IR type name -> type_name, where they differ (ReLU -> Relu)


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
    # The op's numpy math, ``compute(*inputs, out=None, **attributes)``, where it is written once
    # for constant folding, the runtime kernel and fused epilogues (see ops/elementwise.py).
    compute = None
    # Traits that passes read instead of lists of type names (ops/elementwise.py says more):
    elementwise = False         # commutes with a permutation of axes of all inputs (channels_last)
    fusable_activation = False  # a unary activation a fused epilogue may apply in place
    epilogue_params: tuple = ()  # compute's keyword arguments such a step carries
    # the op as a oneDNN eltwise (a post-op where fusable, else a standalone primitive):
    # (algorithm, alpha, beta), alpha/beta numbers or names of epilogue_params; algorithm a
    # name or {first epilogue param's value: name}
    onednn_eltwise = None
    epilogue_token = None       # binary ops a fused epilogue applies with an extra input
    onednn_binary = None        # a binary op's oneDNN binary algorithm (add, mul, div, ...)
    commutative = False         # operands may be swapped
    right_identity = None       # e with x op e == x (Add 0, Divide 1): dead-code elimination
    stateful = False            # reads or writes a variable (ReadValue, Assign): never folded
    is_sink = False             # kept by the model though nothing reads it (Assign)

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
            value = attributes.get(attr.name)
            if value is None:  # absent or None: the default (Python's "not given")
                value = attr.default
            if value is REQUIRED:
                raise OpValidationError(None, f"{self.type_name} requires attribute '{attr.name}'"
                                        f"{' (got None)' if attr.name in attributes else ''}")
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

    def clone_with_new_inputs(self, inputs) -> Op:
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
        if value is None and spec.default is REQUIRED:
            raise OpValidationError(self, f"attribute '{name}' is required and cannot be None")
        try:
            self._attrs[name] = spec.default if value is None else spec.coerce(value)
        except (TypeError, ValueError) as exc:
            raise OpValidationError(self, str(exc)) from None

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
        """Output values from input values (numpy arrays); None where the op cannot be evaluated.
        Ops that define ``compute`` evaluate with it, the math their kernel runs."""
        if self.compute is None:
            return None
        produced = self.compute(*values, **self._attrs)
        return list(produced) if len(self._outputs) > 1 else [produced]

    def evaluate_dims(self):
        """Output ``dims_value`` (list of Dimension) from the inputs' partly known values."""
        return None

    def _outputs_may_be_small(self) -> bool:
        """False when an output is known to exceed EVALUATE_LIMIT: small inputs can still ask
        for huge outputs (Tile, Range in a corrupt file), which must not be computed."""
        for desc in self._outputs:
            shape = desc.partial_shape
            if shape.is_static and int(np.prod(shape.to_shape(), dtype=object)) > EVALUATE_LIMIT:
                return False
        return True

    def _propagate_values(self):
        for desc in self._outputs:
            desc.value = None
            desc.dims_value = None
        values = [source._desc.value for source in self._inputs]
        if self._outputs and all(v is not None for v in values) and all(
                v.size <= EVALUATE_LIMIT for v in values) and self._outputs_may_be_small():
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
            _value_from_dims(self._outputs[0], dims)


def _value_from_dims(desc, dims):
    """A shape vector whose elements are all known is a known value (OpenVINO folds equal bounds
    into a constant the same way); known negative elements are ints in ``dims``."""
    if not desc.element_type.is_integral_number() or not desc.partial_shape.is_static:
        return
    if not all(isinstance(d, int) or d.is_static for d in dims):
        return
    shape = desc.partial_shape.to_list()
    values = [d if isinstance(d, int) else d.get_length() for d in dims]
    if int(np.prod(shape)) == len(values):
        desc.value = np.array(values, dtype=desc.element_type.to_dtype()).reshape(shape)


def register_op(cls):
    """Class decorator registering an operation specification; a duplicate raises."""
    _OPS.register((cls.type_name, cls.version), cls)
    if cls.xml_type and cls.xml_type != cls.type_name:
        _XML_NAMES[cls.xml_type] = cls.type_name
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
    _OPS.load()  # registers the IR spellings too
    versions = _OPS.versions(_XML_NAMES.get(type_name, type_name))
    if not versions:
        raise UnknownOpError(f"unknown operation type '{type_name}'; the operation set has "
                             f"{len(_OPS.names())} types (see ov_notebook.ir.registered_ops())")
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
    return {name: sorted(_OPS.versions(name), key=_opset_number) for name in _OPS.names()}
