"""NodeContext: what a translator sees of one source node, whatever the source format.

Decoders (FX/ExportedProgram, TorchScript) describe each node as a :class:`DecodedNode`: the op
name, the schema's argument names and defaults, and the arguments, where tensors are
:class:`TensorRef` keys into the map of already-converted values. Translators never see a
``torch.fx.Node`` or a TorchScript node.
"""
from __future__ import annotations

import numpy as np

from ...ir.node import Output
from ...opset import as_node
from ...opset import constant as make_constant
from ..errors import ConversionError

__all__ = ["TensorRef", "DecodedNode", "NodeContext", "REQUIRED"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


class TensorRef:
    """A reference to a value produced by another node (or a graph input)."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"TensorRef({self.key!r})"

    def __eq__(self, other):
        return isinstance(other, TensorRef) and other.key == self.key

    def __hash__(self):
        return hash(("TensorRef", self.key))


class DecodedNode:
    """One source node, decoded.

    ``args``/``kwargs`` hold Python values (int, float, bool, str, None, torch.dtype names as
    strings like ``"float32"``, lists) in which tensors appear as TensorRef. ``schema_names`` and
    ``schema_defaults`` come from the op schema, so positional and keyword arguments reconcile.
    ``output_meta``: per output, ``(dtype_name, shape)`` where known (shape entries None when
    dynamic), else None.
    """

    __slots__ = ("op", "name", "args", "kwargs", "schema_names", "schema_defaults", "module_path",
                 "module_type", "output_meta", "num_outputs")

    def __init__(self, op, name, args, kwargs=None, schema_names=(), schema_defaults=None,
                 module_path="", module_type="", output_meta=None, num_outputs=1):
        self.op = op
        self.name = name
        self.args = list(args)
        self.kwargs = dict(kwargs or {})
        self.schema_names = list(schema_names)
        self.schema_defaults = dict(schema_defaults or {})
        self.module_path = module_path
        self.module_type = module_type
        self.output_meta = output_meta
        self.num_outputs = num_outputs


class NodeContext:
    """The translator's view of a node: ``ctx.input(i)`` for tensors, ``ctx.arg(i, name, default)``
    for everything else, ``ctx.const``/``ctx.const_like`` to make constants, ``ctx.fail`` to raise
    an error naming the node and its module path."""

    def __init__(self, node: DecodedNode, values: dict):
        self.node = node
        self._values = values

    # --- identity -----------------------------------------------------------------------
    @property
    def op(self) -> str:
        return self.node.op

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def module_path(self) -> str:
        return self.node.module_path

    def fail(self, message):
        where = f" in module '{self.node.module_path}'" if self.node.module_path else ""
        raise ConversionError(f"{self.node.op} (node '{self.node.name}'{where}): {message}")

    # --- arguments ----------------------------------------------------------------------
    def _raw(self, index, name=None, default=REQUIRED):
        node = self.node
        if index is None and name in node.schema_names:
            index = node.schema_names.index(name)  # a name alone also finds positional arguments
        if index is not None and index < len(node.args):
            return node.args[index]
        if name is None and index is not None and index < len(node.schema_names):
            name = node.schema_names[index]
        if name is not None and name in node.kwargs:
            return node.kwargs[name]
        if name is not None and name in node.schema_defaults:
            return node.schema_defaults[name]
        if default is REQUIRED:
            self.fail(f"missing argument {index if name is None else name!r}")
        return default

    def num_args(self) -> int:
        return len(self.node.args)

    def has_arg(self, index, name=None) -> bool:
        """Whether argument ``index``/``name`` was given and is not None."""
        return self._raw(index, name, None) is not None

    def is_none(self, index, name=None) -> bool:
        return self._raw(index, name, None) is None

    def is_tensor(self, index, name=None) -> bool:
        """Whether argument ``index``/``name`` is a tensor (a graph value) rather than a Python
        value written into the graph: torch promotes ``x + 1.0`` and ``x + tensor`` differently."""
        value = self._raw(index, name, None)
        if isinstance(value, TensorRef):
            value = self.value_of(value)
        return isinstance(value, Output)

    def arg(self, index, name=None, default=REQUIRED):
        """The Python value of a non-tensor argument (positional ``index`` or keyword ``name``).

        A tensor whose value is a known small constant is returned as a Python value (list or
        scalar); other tensors raise — use :meth:`input` for them."""
        value = self._raw(index, name, default)
        return self._python(value, index if name is None else name)

    def _python(self, value, label):
        if isinstance(value, TensorRef):
            known = self._known_value(value)
            if known is None:
                self.fail(f"argument {label!r} must be a constant, but it is computed at run time")
            return known.item() if known.ndim == 0 else known.tolist()
        if isinstance(value, (list, tuple)):
            return [self._python(v, label) for v in value]
        return value

    def _known_value(self, ref):
        output = self.value_of(ref)
        return output.get_known_value() if isinstance(output, Output) else None

    def value_of(self, ref):
        """The converted value (Output, list or Python value) of a TensorRef."""
        try:
            return self._values[ref.key]
        except KeyError:
            self.fail(f"input {ref.key!r} has no converted value (unsupported producer?)")

    def input(self, index, name=None, default=REQUIRED, like=None, dtype=None) -> Output:
        """Argument ``index`` as an IR Output: tensors as converted, Python scalars/lists as Constants
        (typed like ``like`` if given, else i64 for ints, f32 for floats, or ``dtype``)."""
        value = self._raw(index, name, default)
        if value is None:
            self.fail(f"argument {index if name is None else name!r} is None, a tensor was expected")
        return self._to_output(value, like, dtype)

    def _to_output(self, value, like=None, dtype=None):
        if isinstance(value, TensorRef):
            converted = self.value_of(value)
            if isinstance(converted, Output):
                return converted
            value = converted
        if isinstance(value, Output):
            return value
        if isinstance(value, (list, tuple)) and any(isinstance(v, (TensorRef, Output)) for v in value):
            self.fail("a list with tensors was given where one tensor was expected; use input_list()")
        return as_node(value, like=like, dtype=dtype)

    def converted(self, index, name=None, default=REQUIRED):
        """Argument ``index``/``name`` as converted, whatever its kind: an Output, a list, a Python
        value, or a translator's own value such as a complex tensor (``ops/fft.py``)."""
        value = self._raw(index, name, default)
        return self.value_of(value) if isinstance(value, TensorRef) else value

    def input_list(self, index, name=None) -> list:
        """A ``Tensor[]`` argument as a list of Outputs (``torch.cat`` inputs)."""
        value = self._raw(index, name)
        if isinstance(value, TensorRef):
            value = self.value_of(value)
        if not isinstance(value, (list, tuple)):
            self.fail(f"argument {index if name is None else name!r} must be a list of tensors")
        return [self._to_output(v) for v in value]

    def optional_input_list(self, index, name=None) -> list:
        """A ``Tensor?[]`` argument (the indices of ``x[:, idx]``) as Outputs and Nones."""
        value = self._raw(index, name)
        if isinstance(value, TensorRef):
            value = self.value_of(value)
        if not isinstance(value, (list, tuple)):
            self.fail(f"argument {index if name is None else name!r} must be a list of tensors")
        return [None if v is None else self._to_output(v) for v in value]

    def optional_input(self, index, name=None):
        """An Output, or None when the argument is absent or None."""
        value = self._raw(index, name, None)
        return None if value is None else self._to_output(value)

    # --- constants ------------------------------------------------------------------------
    def const(self, value, dtype=None) -> Output:
        return make_constant(np.asarray(value) if dtype is None else np.asarray(value),
                             dtype=dtype).output(0)

    def const_like(self, value, like) -> Output:
        return as_node(value, like=like)

    # --- metadata ---------------------------------------------------------------------------
    def output_meta(self, index=0):
        """``(dtype_name, shape)`` of output ``index`` as the source framework recorded it, or None."""
        meta = self.node.output_meta
        if not meta or index >= len(meta):
            return None
        return meta[index]
