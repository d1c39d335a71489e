"""``read_model`` for every file format: IR here, other formats through readers that higher
layers register (the ONNX frontend registers ``.onnx``), so the runtime reads ONNX files without
importing any frontend."""
from __future__ import annotations

import os

from .deserialize import read_model as read_ir
from .model import Model

__all__ = ["register_model_reader", "read_any_model"]

_READERS: dict = {}


def register_model_reader(suffix: str, function) -> None:
    """Read files ending in ``suffix`` (e.g. ``".onnx"``) with ``function(path, weights)``."""
    _READERS[suffix.lower()] = function


def read_any_model(model, weights=None, caller: str = "read_model") -> Model:
    """Read ``model`` (a path) with the reader registered for its suffix, else as IR ``.xml``."""
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(f"{caller} expects a path to an IR .xml (or a registered format: "
                        f"{', '.join(sorted(_READERS)) or 'none'}), got {type(model).__name__}")
    path = os.fspath(model)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    for suffix, function in _READERS.items():
        if path.lower().endswith(suffix):
            return function(path, weights)
    return read_ir(path, weights)
