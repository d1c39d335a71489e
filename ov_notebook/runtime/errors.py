"""Errors of the runtime. Where OpenVINO raises ``RuntimeError`` (an ``ov::Exception``), ours
derive from ``RuntimeError`` too, so ``except RuntimeError`` written for ``openvino`` keeps
working; each also derives from the Python exception that names the kind of mistake
(``ValueError``, ``TypeError``, ``KeyError``), which earlier ov_notebook raised."""
from __future__ import annotations

__all__ = ["InputError", "InputTypeError", "ConfigError", "ModelArgumentError", "OutputIndexError",
           "OutputKeyTypeError", "ElementTypeError", "TensorError"]


class InputError(ValueError, RuntimeError):
    """Inputs given to a compiled model that do not match its inputs; the message names the input.
    OpenVINO: RuntimeError (wrong count, rank, shape, unknown name, Tensor of another type)."""


class InputTypeError(InputError, TypeError):
    """An input value or key of a kind that is no array at all (None, an object, a float key);
    OpenVINO raises TypeError ("Incompatible inputs of type", "Unsupported key type")."""


class ConfigError(ValueError, RuntimeError):
    """An unknown device, property or property value; OpenVINO: RuntimeError."""


class ModelArgumentError(TypeError, RuntimeError):
    """compile_model given neither a Model nor a path; OpenVINO: RuntimeError ("Path: ... does
    not exist")."""


class OutputIndexError(IndexError, KeyError):
    """An output index out of range in the results; OpenVINO's OVDict raises KeyError."""

    def __str__(self):
        return self.args[0] if self.args else ""


class OutputKeyTypeError(KeyError, TypeError):
    """Results indexed by something that is no index, name or port; OpenVINO: TypeError."""

    def __str__(self):
        return self.args[0] if self.args else ""


class ElementTypeError(TypeError, RuntimeError):
    """Data of a numpy dtype that has no OpenVINO element type (complex, str); OpenVINO:
    RuntimeError ("Unsupported data type")."""


class TensorError(ValueError, RuntimeError):
    """A Tensor that cannot be made or copied as asked (memory that cannot be shared, too few
    bytes, element types that differ); OpenVINO: RuntimeError."""
