"""The CPU runtime: numpy kernels behind OpenVINO's inference API. Imports numpy and the IR only."""
from .async_queue import AsyncInferQueue
from .core import (CompiledModel, Core, InferRequest, InferResults, InputError, ProfilingInfo,
                   compile_model)
from .errors import (ConfigError, ElementTypeError, InputTypeError, ModelArgumentError,
                     OutputIndexError, OutputKeyTypeError)
from .plan import KernelError, NodeCallbackError
from .state import VariableState
from .tensor import Tensor, tensor_from_file
from .versions import Version, get_version

__all__ = ["Core", "compile_model", "CompiledModel", "InferRequest", "InferResults", "Tensor",
           "InputError", "KernelError", "NodeCallbackError", "ProfilingInfo", "InputTypeError",
           "ConfigError", "ModelArgumentError", "OutputIndexError", "OutputKeyTypeError",
           "ElementTypeError", "AsyncInferQueue", "tensor_from_file",
           "Version", "get_version", "VariableState"]
