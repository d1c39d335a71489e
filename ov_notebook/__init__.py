"""ov_notebook: convert PyTorch models to the OpenVINO operation set, save and read OpenVINO IR,
run them on a numpy CPU runtime, and inspect all of it in Jupyter.

    import ov_notebook as ov
    ov_model = ov.convert_model(model, example_input=torch.rand(1, 3, 224, 224))
    compiled = ov.compile_model(ov_model)
    ov.save_model(ov_model, "model.xml")

The API follows OpenVINO's (``import openvino as ov`` -> ``import ov_notebook as ov``).
torch is imported only when a PyTorch model is converted.
"""
from __future__ import annotations

import importlib

from . import _openmp_policy  # noqa: F401  before torch/libdnnl load libgomp (runtime/onednn)
from . import frontend as _frontend  # noqa: F401  registers the .onnx model reader (imports no torch/onnx)
from . import op, opset
from .ir import evaluation as _evaluation
from .ir import (Dimension, IRError, IRReadError, Model, OpValidationError, PartialShape, Shape,
                 Type, clone_model, save_model)
from .ir import (AxisVector, ConstOutput, Coordinate, CoordinateDiff, DiscreteTypeInfo,  # noqa: F401
                 Input, Layout, Node, OVAny, Output, Strides, get_batch, layout_helpers, set_batch)
from .ir.transformations import apply_make_stateful_transformation, make_stateful

__version__ = "0.1.0"

__all__ = [
    "convert_model", "save_model", "read_model", "compile_model", "Core", "Model", "CompiledModel",
    "InferRequest", "Tensor", "Type", "Dimension", "PartialShape", "Shape", "opset",
    "IRError", "IRReadError", "OpValidationError", "clone_model", "ProfilingInfo", "__version__",
    "Node", "Output", "ConstOutput", "Input", "op", "OVAny", "Strides", "Coordinate",
    "CoordinateDiff", "AxisVector", "DiscreteTypeInfo", "Layout", "layout_helpers", "get_batch",
    "set_batch", "make_stateful", "apply_make_stateful_transformation", "AsyncInferQueue",
    "tensor_from_file", "Version", "get_version", "preprocess", "explore",
]

# Names resolved on first use, so `import ov_notebook` stays light (numpy only).
_LAZY = {
    "Core": "ov_notebook.runtime",
    "compile_model": "ov_notebook.runtime",
    "CompiledModel": "ov_notebook.runtime",
    "InferRequest": "ov_notebook.runtime",
    "AsyncInferQueue": "ov_notebook.runtime",
    "tensor_from_file": "ov_notebook.runtime",
    "Version": "ov_notebook.runtime",
    "get_version": "ov_notebook.runtime",
    "Tensor": "ov_notebook.runtime",
    "ProfilingInfo": "ov_notebook.runtime",
    "convert_model": "ov_notebook.frontend",
    "read_model": "ov_notebook.frontend",
    "ConversionError": "ov_notebook.frontend",
    "explore": "ov_notebook.notebook.explorer",
}


# Submodules reachable as attributes without an import statement, as openvino's are
# (``ov.preprocess.PrePostProcessor``, ``ov.opset8``).
_SUBMODULES = {"preprocess"} | {f"opset{version}" for version in range(1, 17)}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ov_notebook' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


def _run_on_runtime(model, arrays):
    """How ``Model.evaluate``/``Node.evaluate`` compute ops whose math lives in runtime kernels."""
    from .runtime import compile_model

    return compile_model(model, "CPU")(list(arrays)).to_tuple()


_evaluation.RUNNER = _run_on_runtime


def load_ipython_extension(ipython):
    """``%load_ext ov_notebook``: registers the %convert and %infer magics."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):
    from .notebook import unload_ipython_extension as unload

    unload(ipython)
