"""Core, compile_model, CompiledModel, InferRequest: OpenVINO's inference API on the numpy runtime."""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping

import numpy as np

from ..ir.deserialize import read_model as _read_ir
from ..ir.model import Model
from ..ir.node import Output
from ..ir.types import Type
from .compiler import compile_plan
from .tensor import Tensor

__all__ = ["Core", "compile_model", "CompiledModel", "InferRequest", "InferResults", "InputError"]

DEVICE = "CPU"
_PROPERTIES = {
    "INFERENCE_NUM_THREADS": 0,  # 0: the BLAS default
    "PERFORMANCE_HINT": "LATENCY",
    "INFERENCE_PRECISION_HINT": "f32",
    "NUM_STREAMS": 1,
}
_READ_ONLY = {
    "AVAILABLE_DEVICES": ["CPU"],
    "FULL_DEVICE_NAME": "ov_notebook numpy CPU runtime",
    "SUPPORTED_PROPERTIES": sorted(list(_PROPERTIES) + ["AVAILABLE_DEVICES", "FULL_DEVICE_NAME"]),
    "OPTIMIZATION_CAPABILITIES": ["FP32"],
}


class InputError(ValueError):
    """Inputs given to a compiled model that do not match its inputs; the message names the input."""


def _normalize_config(config) -> dict:
    result = {}
    for key, value in (config or {}).items():
        name = str(getattr(key, "name", key)).upper()
        if name in _READ_ONLY:
            raise ValueError(f"property {name} is read-only")
        if name not in _PROPERTIES:
            raise ValueError(f"unknown property {name!r}; supported: {', '.join(sorted(_PROPERTIES))}")
        value = getattr(value, "name", value)
        if name == "INFERENCE_NUM_THREADS":
            if isinstance(value, bool) or int(value) < 0:
                raise ValueError(f"INFERENCE_NUM_THREADS must be a non-negative integer, got {value!r}")
            value = int(value)
        elif name == "PERFORMANCE_HINT":
            value = str(value).upper()
            if value not in ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT"):
                raise ValueError(f"PERFORMANCE_HINT must be LATENCY or THROUGHPUT, got {value!r}")
        elif name == "INFERENCE_PRECISION_HINT":
            value = Type(value).get_type_name() if not isinstance(value, Type) else value.get_type_name()
            if value != "f32":
                raise ValueError(f"INFERENCE_PRECISION_HINT: only f32 is supported, got {value!r}")
        elif name == "NUM_STREAMS":
            value = int(value)
        result[name] = value
    return result


class Core:
    """The runtime entry point: ``Core().compile_model(model, "CPU")``."""

    def __init__(self):
        self._properties = dict(_PROPERTIES)

    @property
    def available_devices(self) -> list:
        return ["CPU"]

    def get_available_devices(self) -> list:
        return ["CPU"]

    def read_model(self, model, weights=None) -> Model:
        """Read an IR ``.xml`` (with its ``.bin``); ONNX files are converted (needs ``onnx``)."""
        path = os.fspath(model)
        if path.endswith(".onnx"):
            from ..frontend import convert_model  # the ONNX frontend, imported on demand

            return convert_model(path)
        return _read_ir(path, weights)

    def compile_model(self, model, device_name="CPU", config=None) -> "CompiledModel":
        _check_device(device_name)
        if isinstance(model, (str, os.PathLike)):
            model = self.read_model(model)
        if not isinstance(model, Model):
            raise TypeError(f"compile_model expects a Model or a path to an IR .xml, got "
                            f"{type(model).__name__}")
        properties = dict(self._properties)
        properties.update(_normalize_config(config))
        return CompiledModel(model, properties)

    def set_property(self, device_name_or_properties, properties=None) -> None:
        if properties is None:
            device_name_or_properties, properties = "CPU", device_name_or_properties
        _check_device(device_name_or_properties)
        self._properties.update(_normalize_config(properties))

    def get_property(self, device_name, name=None):
        if name is None:
            device_name, name = "CPU", device_name
        _check_device(device_name)
        key = str(getattr(name, "name", name)).upper()
        if key in _READ_ONLY:
            return _READ_ONLY[key]
        if key not in self._properties:
            raise ValueError(f"unknown property {key!r}")
        return self._properties[key]

    def get_versions(self, device_name="CPU") -> dict:
        from .. import __version__

        return {"CPU": f"ov_notebook {__version__}"}


def _check_device(device_name):
    if str(device_name).upper() not in ("CPU", "AUTO"):
        raise ValueError(f"device {device_name!r} is not available; this runtime has only 'CPU'")


def compile_model(model, device_name="CPU", config=None) -> "CompiledModel":
    """Compile a Model (or an IR path) for the CPU runtime::

        compiled = ov.compile_model(ov_model)
        result = compiled(x)[0]
    """
    return Core().compile_model(model, device_name, config)


# ------------------------------------------------------------------------------------------
# inputs
# ------------------------------------------------------------------------------------------
def _lossless(source: np.dtype, target: np.dtype) -> bool:
    return np.can_cast(source, target, casting="safe")


def _to_array(value, port: Output, label: str) -> np.ndarray:
    element_type = port.get_element_type()
    target = element_type.to_dtype() if element_type.is_static else None
    python_value = isinstance(value, (int, float, bool, list, tuple))
    if isinstance(value, Tensor):
        array = value.data
    elif hasattr(value, "detach") and hasattr(value, "numpy"):  # torch.Tensor without importing torch
        array = value.detach().cpu()
        array = array.numpy() if not getattr(array, "is_conj", lambda: False)() else array.resolve_conj().numpy()
    else:
        try:
            array = np.asarray(value)
        except Exception as exc:  # noqa: BLE001  any failure to make an array is the user's input
            raise InputError(f"input {label}: cannot make an array from {type(value).__name__}: {exc}")
    if array.dtype == object:
        raise InputError(f"input {label}: expected a numeric array, got {type(value).__name__} "
                         "holding objects")
    if target is not None and array.dtype != target:
        if python_value:
            converted = array.astype(target)
            if array.dtype.kind in "fc" and target.kind in "iub" and not np.array_equal(converted, array):
                raise InputError(f"input {label} expects {element_type}, got non-integer values")
            array = converted
        elif _lossless(array.dtype, target):
            array = array.astype(target)
        else:
            raise InputError(f"input {label} expects element type {element_type}, got a {array.dtype} "
                             f"array, which cannot be converted without loss; convert it first "
                             f"(e.g. .astype(np.{target.name}))")
    shape = port.get_partial_shape()
    if shape.rank_is_static:
        if array.ndim != len(shape):
            raise InputError(f"input {label} expects rank {len(shape)} (shape {shape}), got an array "
                             f"of shape {list(array.shape)}")
        for axis, (dim, size) in enumerate(zip(shape, array.shape)):
            low, high = dim.get_min_length(), dim.get_max_length()
            if size < low or (high != -1 and size > high):
                raise InputError(f"input {label} expects shape {shape}, got {list(array.shape)} "
                                 f"(dimension {axis} is {size}, allowed {dim})")
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    return array


def _port_label(port: Output, index: int) -> str:
    names = sorted(port.get_names())
    return f"{index} ('{names[0]}')" if names else f"{index}"


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
class InferResults(Mapping):
    """Outputs of one inference, indexable by output index, tensor name or output port.

    Iterating yields the output ports (as ``openvino``'s OVDict); ``values()``/``to_tuple()`` give
    the arrays in output order, ``to_dict()`` maps ports to arrays.
    """

    def __init__(self, ports, arrays):
        self._ports = list(ports)
        self._arrays = list(arrays)

    def _index(self, key):
        if isinstance(key, bool):
            raise KeyError(key)
        if isinstance(key, (int, np.integer)):
            if not -len(self._arrays) <= key < len(self._arrays):
                raise IndexError(f"the model has {len(self._arrays)} outputs; index {key} is out of range")
            return int(key)
        if isinstance(key, str):
            for index, port in enumerate(self._ports):
                if key in port.get_names():
                    return index
            names = [sorted(p.get_names()) for p in self._ports]
            raise KeyError(f"no output named '{key}'; output names: {names}")
        if isinstance(key, Output):
            for index, port in enumerate(self._ports):
                if port == key:
                    return index
            names = key.get_names()
            for index, port in enumerate(self._ports):
                if names and names & port.get_names():
                    return index
            raise KeyError(f"{key} is not an output of this model")
        raise KeyError(f"outputs are indexed by int, tensor name or output port, not {key!r}")

    def __getitem__(self, key):
        return self._arrays[self._index(key)]

    def __iter__(self):
        return iter(self._ports)

    def __len__(self):
        return len(self._arrays)

    def keys(self):
        return list(self._ports)

    def values(self):
        return list(self._arrays)

    def items(self):
        return list(zip(self._ports, self._arrays))

    def to_dict(self) -> dict:
        return dict(zip(self._ports, self._arrays))

    def to_tuple(self) -> tuple:
        return tuple(self._arrays)

    def names(self):
        return [p.get_names() for p in self._ports]

    def __repr__(self):
        parts = ", ".join(f"{sorted(p.get_names()) or i}: {a.dtype}{list(a.shape)}"
                          for i, (p, a) in enumerate(zip(self._ports, self._arrays)))
        return f"<InferResults {{{parts}}}>"


# ------------------------------------------------------------------------------------------
# compiled model
# ------------------------------------------------------------------------------------------
class CompiledModel:
    """A model compiled for the CPU runtime; call it with inputs to run it.

    ``compiled(x)``, ``compiled([x, y])``, ``compiled({"x": x, 1: y})`` (keys: tensor names,
    indices or input ports) return :class:`InferResults`.
    """

    def __init__(self, model: Model, properties=None):
        self._model = model
        self._properties = dict(properties or _PROPERTIES)
        self._plan = compile_plan(model, self._properties)
        self._default_request = None
        self._lock = threading.Lock()

    @property
    def inputs(self) -> list:
        return self._model.inputs

    @property
    def outputs(self) -> list:
        return self._model.outputs

    def input(self, key=None) -> Output:
        return self._model.input(key)

    def output(self, key=None) -> Output:
        return self._model.output(key)

    def get_runtime_model(self) -> Model:
        """The optimized graph this compiled model executes (folded, fused)."""
        return self._plan.model

    @property
    def model(self) -> Model:
        return self._model

    def get_property(self, name):
        key = str(getattr(name, "name", name)).upper()
        if key in self._properties:
            return self._properties[key]
        if key in _READ_ONLY:
            return _READ_ONLY[key]
        raise ValueError(f"unknown property {key!r}")

    def create_infer_request(self) -> "InferRequest":
        return InferRequest(self)

    def _prepare(self, inputs) -> list:
        ports = self._model.inputs
        if inputs is None:
            inputs = []
        if isinstance(inputs, Mapping):
            arrays = [None] * len(ports)
            for key, value in inputs.items():
                try:
                    port = self._model.input(key)
                except (KeyError, IndexError, TypeError) as exc:
                    raise InputError(f"unknown input {key!r}: {exc}") from None
                index = ports.index(port)
                if arrays[index] is not None:
                    raise InputError(f"input {_port_label(port, index)} is given twice")
                arrays[index] = value
            missing = [_port_label(ports[i], i) for i, a in enumerate(arrays) if a is None]
            if missing:
                raise InputError(f"missing inputs: {', '.join(missing)}; the model takes "
                                 f"{len(ports)} inputs")
        elif isinstance(inputs, (list, tuple)):
            arrays = list(inputs)
        else:
            arrays = [inputs]
        if len(arrays) != len(ports):
            raise InputError(f"the model takes {len(ports)} inputs "
                             f"({', '.join(_port_label(p, i) for i, p in enumerate(ports))}), "
                             f"got {len(arrays)}")
        return [_to_array(value, port, _port_label(port, index))
                for index, (port, value) in enumerate(zip(ports, arrays))]

    def _infer(self, inputs) -> InferResults:
        arrays = self._prepare(inputs)
        results = self._plan.run(arrays)
        return InferResults(self._model.outputs, results)

    def __call__(self, inputs=None, share_inputs=False, share_outputs=False, **kwargs):
        return self._infer(inputs)

    def infer_new_request(self, inputs=None) -> InferResults:
        return self._infer(inputs)

    def infer_structured(self, *args, **kwargs):
        """Run with the original PyTorch model's arguments; return its original output structure.

        Uses the input/output tree the converter recorded in the model's rt_info."""
        from .structure import infer_structured

        return infer_structured(self, *args, **kwargs)

    def __repr__(self):
        return f"<CompiledModel: '{self._model.get_friendly_name()}' on CPU>"


class InferRequest:
    """One inference context of a CompiledModel; several can run in parallel threads."""

    def __init__(self, compiled: CompiledModel):
        self._compiled = compiled
        self._inputs = [None] * len(compiled.inputs)
        self._results = None
        self._pending = None
        self._callback = None

    @property
    def model_inputs(self):
        return self._compiled.inputs

    @property
    def model_outputs(self):
        return self._compiled.outputs

    def infer(self, inputs=None, share_inputs=False, share_outputs=False) -> InferResults:
        if inputs is None:
            if any(v is None for v in self._inputs):
                raise InputError("set every input with set_input_tensor/set_tensor, or pass inputs")
            inputs = list(self._inputs)
        self._results = self._compiled._infer(inputs)
        return self._results

    def start_async(self, inputs=None, userdata=None, share_inputs=False) -> None:
        """Runs synchronously (the numpy runtime has no device queue); ``wait()`` returns at once."""
        try:
            self.infer(inputs)
            self._pending = None
        except Exception as exc:  # re-raised by wait(), as an async runtime would
            self._pending = exc
        if self._callback is not None:
            self._callback(userdata)

    def wait(self) -> None:
        if self._pending is not None:
            error, self._pending = self._pending, None
            raise error

    def wait_for(self, timeout) -> bool:
        self.wait()
        return True

    def set_callback(self, callback, userdata=None) -> None:
        self._callback = callback

    @property
    def results(self) -> InferResults:
        if self._results is None:
            raise RuntimeError("no results yet: call infer() first")
        return self._results

    def _require_results(self):
        return self.results

    def get_output_tensor(self, index=0) -> Tensor:
        return Tensor(self._require_results()[index], shared_memory=True)

    def get_input_tensor(self, index=0) -> Tensor:
        value = self._inputs[index]
        if value is None:
            raise RuntimeError(f"input {index} has not been set")
        return Tensor(value, shared_memory=True)

    def get_tensor(self, key) -> Tensor:
        """An output (or input) tensor by tensor name or port."""
        if self._results is not None:
            try:
                return Tensor(self._results[key], shared_memory=True)
            except KeyError:
                pass
        port = self._compiled._model.input(key)
        return self.get_input_tensor(self._compiled.inputs.index(port))

    def set_input_tensor(self, index_or_tensor, tensor=None) -> None:
        if tensor is None:
            index_or_tensor, tensor = 0, index_or_tensor
        self._inputs[index_or_tensor] = tensor.data if isinstance(tensor, Tensor) else tensor

    def set_tensor(self, key, tensor) -> None:
        port = self._compiled._model.input(key)
        self._inputs[self._compiled.inputs.index(port)] = tensor.data if isinstance(tensor, Tensor) else tensor

    def set_input_tensors(self, tensors) -> None:
        for key, tensor in (tensors.items() if isinstance(tensors, Mapping) else enumerate(tensors)):
            self.set_tensor(key, tensor)

    def get_compiled_model(self) -> CompiledModel:
        return self._compiled

    def __repr__(self):
        return f"<InferRequest of {self._compiled!r}>"
