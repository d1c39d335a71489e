"""Frontends: PyTorch (``frontend/torch``) and ONNX (``frontend/onnx``) into the IR.

``convert_model`` dispatches on what it is given; torch and onnx are imported only when needed.
"""
from __future__ import annotations

import os

from ..ir.deserialize import read_model as _read_ir
from ..ir.readers import read_any_model, register_model_reader
from .errors import ConversionError

__all__ = ["convert_model", "read_model", "ConversionError"]

_TORCH_SUFFIXES = (".pt2", ".pt", ".pth", ".ts", ".jit")


def _is_torch_object(obj) -> bool:
    module = type(obj).__module__ or ""
    if module.startswith("torch") or module.startswith("torchvision") or module.startswith(
            "transformers"):
        return True
    # user subclasses of torch.nn.Module live in user modules: check the MRO by name
    return any((c.__module__ or "").startswith("torch.") for c in type(obj).__mro__)


def _is_onnx_proto(obj) -> bool:
    return type(obj).__name__ == "ModelProto" and (type(obj).__module__ or "").startswith("onnx")


def convert_model(input_model=None, *, input=None, output=None, example_input=None, extension=None,
                  verbose=False, share_weights=True, **kwargs):
    """Convert a model to an ov_notebook Model (the OpenVINO operation set).

    ``input_model``: a ``torch.nn.Module``, ``torch.jit.ScriptModule``/``ScriptFunction``,
    ``torch.export.ExportedProgram``, an ``onnx.ModelProto``, or a path to ``.pt2``
    (``torch.export.save``), ``.pt`` (``torch.jit.save``; needs ``example_input``) or ``.onnx``::

        ov_model = ov.convert_model(model, example_input=torch.rand(1, 3, 224, 224))
    """
    if kwargs:
        raise TypeError(f"convert_model got unexpected argument(s) {', '.join(sorted(kwargs))}; it "
                        "takes input_model, input, output, example_input, extension, verbose, "
                        "share_weights")
    if input_model is None:
        raise ConversionError("convert_model needs input_model: a PyTorch model, an ONNX model, or "
                              "a path to .pt2, .pt or .onnx")
    if isinstance(input_model, (str, os.PathLike)):
        path = os.fspath(input_model)
        if not os.path.exists(path):
            raise ConversionError(f"model file {path} does not exist")
        lower = path.lower()
        if lower.endswith(".onnx"):
            from .onnx import convert_onnx

            return convert_onnx(path, input=input, output=output, example_input=example_input,
                                extension=extension, verbose=verbose, share_weights=share_weights)
        if lower.endswith(_TORCH_SUFFIXES):
            from .torch import convert_torch

            return convert_torch(path, input=input, output=output, example_input=example_input,
                                 extension=extension, verbose=verbose, share_weights=share_weights)
        if lower.endswith(".xml"):
            return _read_ir(path)
        raise ConversionError(f"cannot convert {path}: unrecognised file type; accepted formats are "
                              ".pt2 (torch.export.save), .pt (torch.jit.save, with example_input), "
                              ".onnx and .xml (OpenVINO IR)")
    if _is_onnx_proto(input_model):
        from .onnx import convert_onnx

        return convert_onnx(input_model, input=input, output=output, example_input=example_input,
                            extension=extension, verbose=verbose, share_weights=share_weights)
    if _is_torch_object(input_model):
        from .torch import convert_torch

        return convert_torch(input_model, input=input, output=output, example_input=example_input,
                             extension=extension, verbose=verbose, share_weights=share_weights)
    raise ConversionError(f"cannot convert an object of type {type(input_model).__name__}; expected a "
                          "torch.nn.Module, torch.jit.ScriptModule, torch.jit.ScriptFunction, "
                          "torch.export.ExportedProgram, onnx.ModelProto, or a path to .pt2, .pt or "
                          ".onnx")


def read_model(model, weights=None):
    """Read an OpenVINO IR ``.xml`` (with its ``.bin``) or convert an ``.onnx`` file."""
    return read_any_model(model, weights)


def _read_onnx(path, weights=None):
    from .onnx import convert_onnx

    return convert_onnx(path)


register_model_reader(".onnx", _read_onnx)
