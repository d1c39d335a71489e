"""Errors raised by the IR layer. Each names what was wrong and what was expected.

OpenVINO raises ``RuntimeError`` for all of these (an ``ov::Exception`` crossing into Python), so
every class here is a ``RuntimeError``: code written for ``openvino`` that catches ``RuntimeError``
keeps working. Each also derives from the Python exception that says what kind of mistake it is
(``ValueError``, ``KeyError``, ``IndexError``), so code written against earlier ov_notebook keeps
working as well.
"""


class IRError(RuntimeError):
    """Base class of the errors of ``ov_notebook.ir``."""


class OpValidationError(IRError, ValueError):
    """An operation was built with inputs or attributes its specification does not accept."""

    def __init__(self, node, message):
        self.node = node
        self.detail = message
        where = ""
        if node is not None:
            shapes = ", ".join(
                f"{out.get_element_type()}{out.get_partial_shape()}" for out in node.input_values())
            where = f"{node.get_type_name()} '{node.get_friendly_name()}' (inputs: {shapes or 'none'}): "
        super().__init__(where + message)


class UnknownOpError(IRError, KeyError):
    """An operation type (or version) that the operation set does not define."""

    def __str__(self):
        return self.args[0] if self.args else ""


class PortNotFoundError(IRError, KeyError):
    """No input or output of a model has the tensor name (or is the port) that was asked for."""

    def __str__(self):
        return self.args[0] if self.args else ""


class PortIndexError(IRError, IndexError):
    """An input or output index beyond the model's inputs or outputs."""


class IRReadError(IRError, ValueError):
    """An IR ``.xml``/``.bin`` pair that cannot be read; nothing is built when this is raised."""


class IRWriteError(IRError, ValueError):
    """A model that cannot be written as IR."""
