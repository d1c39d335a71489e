"""Loading PyTorch model files: ``.pt2`` (torch.export.save) and ``.pt`` (torch.jit.save)."""
from __future__ import annotations

import os
import zipfile

from ..errors import ConversionError

__all__ = ["archive_kind", "load_model_file"]


def archive_kind(path) -> str:
    """``"exported_program"``, ``"torchscript"``, ``"pickle"`` (torch.save) or ``"unknown"``,
    from the names inside the zip archive (nothing is unpickled)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            basenames = {name.rsplit("/", 1)[-1] for name in names}
            if "archive_format" in basenames or any(b.startswith("serialized_exported_program")
                                                    for b in basenames):
                return "exported_program"
            if "constants.pkl" in basenames or any("/code/" in name for name in names):
                return "torchscript"
            if "data.pkl" in basenames:
                return "pickle"
    except (zipfile.BadZipFile, OSError):
        pass
    return "unknown"


def load_model_file(path, example_input, log):
    """The model stored at ``path``: an ExportedProgram or a ScriptModule."""
    import torch

    kind = archive_kind(path)
    log(f"loading {path} ({kind.replace('_', ' ')})")
    if kind == "exported_program":
        return torch.export.load(path)
    if kind == "torchscript":
        if example_input is None:
            raise ConversionError(f"{os.path.basename(path)} is a TorchScript file (torch.jit.save): "
                                  "example_input is required to convert it, because a "
                                  "ScriptModule is always saved in an untraced state, e.g. "
                                  "convert_model('model.pt', example_input=torch.rand(1, 10))")
        return torch.jit.load(path, map_location="cpu")
    if kind == "pickle":
        raise ConversionError(f"{path} was saved with torch.save (a pickled module or state_dict), "
                              "which cannot be converted from the file: load it in Python, build "
                              "the model, and pass the torch.nn.Module to convert_model; or save "
                              "it with torch.export.save (.pt2) or torch.jit.save")
    raise ConversionError(f"{path} is not a PyTorch model archive; expected a file written by "
                          "torch.export.save (.pt2) or torch.jit.save (.pt)")
