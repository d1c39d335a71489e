"""Core, compile_model, CompiledModel, InferRequest: OpenVINO's inference API on the numpy runtime."""
from __future__ import annotations

import datetime
import numbers
import os
import threading
from collections.abc import Mapping

from ..ir.readers import read_any_model
from ..ir.model import Model
from ..ir.node import Output
from .compiler import compile_plan
from .inputs import InputError, port_label, prepare_inputs
from .properties import COMPILED_READ_ONLY, PROPERTIES, READ_ONLY, normalize_config
from .results import InferResults, ProfilingInfo
from .tensor import Tensor

__all__ = ["Core", "compile_model", "CompiledModel", "InferRequest", "InferResults", "InputError",
           "ProfilingInfo"]

DEVICE = "CPU"


class Core:
    """The runtime entry point: ``Core().compile_model(model, "CPU")``."""

    def __init__(self):
        self._properties = dict(PROPERTIES)

    @property
    def available_devices(self) -> list:
        return ["CPU"]

    def get_available_devices(self) -> list:
        return ["CPU"]

    def read_model(self, model, weights=None) -> Model:
        """Read an IR ``.xml`` (with its ``.bin``); ONNX files are converted (needs ``onnx``)."""
        return read_any_model(model, weights, "Core.read_model")

    def compile_model(self, model, device_name="CPU", config=None) -> CompiledModel:
        _check_device(device_name)
        if isinstance(model, (str, os.PathLike)):
            model = self.read_model(model)
        if not isinstance(model, Model):
            raise TypeError(f"compile_model expects a Model or a path to an IR .xml, got "
                            f"{type(model).__name__}")
        properties = dict(self._properties)
        properties.update(normalize_config(config, "compile_model's config"))
        return CompiledModel(model, properties)

    def set_property(self, device_name_or_properties, properties=None) -> None:
        if properties is None:
            device_name_or_properties, properties = "CPU", device_name_or_properties
        _check_device(device_name_or_properties)
        self._properties.update(normalize_config(properties, "set_property's config"))

    def get_property(self, device_name, name=None):
        if name is None:
            device_name, name = "CPU", device_name
        _check_device(device_name)
        key = str(getattr(name, "name", name)).upper()
        if key in READ_ONLY:
            return READ_ONLY[key]
        if key in COMPILED_READ_ONLY:
            raise ValueError(f"{key} is a property of a compiled model: read it with "
                             f"compiled_model.get_property({key!r})")
        if key not in self._properties:
            raise ValueError(f"unknown property {key!r}")
        return self._properties[key]

    def get_versions(self, device_name="CPU") -> dict:
        from .. import __version__

        return {"CPU": f"ov_notebook {__version__}"}


def _check_device(device_name):
    if str(device_name).upper() not in ("CPU", "AUTO"):
        raise ValueError(f"device {device_name!r} is not available; this runtime has only 'CPU'")


def compile_model(model, device_name="CPU", config=None) -> CompiledModel:
    """Compile a Model (or an IR path) for the CPU runtime::

        compiled = ov.compile_model(ov_model)
        result = compiled(x)[0]
    """
    return Core().compile_model(model, device_name, config)


# ------------------------------------------------------------------------------------------
# compiled model
# ------------------------------------------------------------------------------------------
class CompiledModel:
    """A model compiled for the CPU runtime; call it with inputs to run it.

    ``compiled(x)``, ``compiled([x, y])``, ``compiled({"x": x, 1: y})`` (keys: tensor names,
    indices or input ports) return :class:`InferResults`.

    What compilation did: ``get_runtime_model()`` is the graph that runs, with OpenVINO's rt_info
    on each node (``layerType``, ``execOrder``, ``originalLayersNames``, ``runtimePrecision``,
    ``outputPrecisions``, ``primitiveType``); ``get_property("APPLIED_PASSES")`` names the compile
    passes that changed it, ``get_property("INFERENCE_NUM_THREADS")`` the threads one inference
    uses. Per-node times: compile with ``{"PERF_COUNT": True}`` and read
    ``InferRequest.get_profiling_info()``.
    """

    def __init__(self, model: Model, properties=None):
        self._model = model
        self._properties = {**PROPERTIES, **(properties or {})}
        self._plan = compile_plan(model, self._properties,
                                  self._properties.get("DISABLED_PASSES", ()))
        self._properties["KERNEL_BACKEND"] = self._plan.kernel_backend  # as resolved

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
        """The optimized graph this compiled model executes (folded, fused), each node's rt_info
        describing how it runs, as OpenVINO's::

            for node in compiled.get_runtime_model().get_ordered_ops():
                info = node.get_rt_info()  # layerType, execOrder, originalLayersNames, ...
                print(info["execOrder"], info["layerType"], info["originalLayersNames"])
        """
        return self._plan.model

    @property
    def model(self) -> Model:
        return self._model

    def get_property(self, name):
        """A property's value; INFERENCE_NUM_THREADS is the number one inference uses (resolved
        from the hint where it was 0, as OpenVINO), APPLIED_PASSES the compile passes that changed
        the graph, in order (ov_notebook only). PERF_COUNT is a bool, as ``Core.get_property``
        gives it in OpenVINO (whose CompiledModel gives the strings 'YES'/'NO', both truthy)."""
        key = str(getattr(name, "name", name)).upper()
        if key == "OPTIMAL_NUMBER_OF_INFER_REQUESTS":
            return (os.cpu_count() or 1) if self._properties["PERFORMANCE_HINT"] != "LATENCY" else 1
        if key == "APPLIED_PASSES":
            return tuple(self._plan.applied_passes)
        if key == "INFERENCE_NUM_THREADS":
            return self._plan.threads or (os.cpu_count() or 1)  # 0: every core (thread_budget)
        if key in self._properties:
            return self._properties[key]
        if key in READ_ONLY:
            return READ_ONLY[key]
        raise ValueError(f"unknown property {key!r}")

    def create_infer_request(self) -> InferRequest:
        return InferRequest(self)

    def _infer(self, inputs, timings=None, on_step=None) -> InferResults:
        arrays = prepare_inputs(self._model, inputs)
        results = self._plan.run(arrays, timings, on_step)
        return InferResults(self._model.outputs, results)

    def __call__(self, inputs=None, share_inputs=False, share_outputs=False, *,
                 decode_strings=True, **unexpected):
        if unexpected:
            raise TypeError(_unexpected_keywords(unexpected, self.inputs))
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


def _unexpected_keywords(keywords, ports) -> str:
    """Why ``compiled(x=a, y=b)`` is refused: inputs go in one dict, keyed by name."""
    given = ", ".join(repr(k) for k in keywords)
    names = [n for p in ports for n in sorted(p.get_names())[:1]]
    example = ", ".join(f"{k!r}: ..." for k in (names or list(keywords)))
    return (f"CompiledModel() got unexpected keyword argument(s) {given}; pass the inputs as one "
            f"list or dict, e.g. compiled({{{example}}}) (model inputs: "
            f"{', '.join(port_label(p, i) for i, p in enumerate(ports)) or 'none'})")


class InferRequest:
    """One inference context of a CompiledModel; several can run in parallel threads."""

    def __init__(self, compiled: CompiledModel):
        self._compiled = compiled
        self._inputs = [None] * len(compiled.inputs)
        self._results = None
        self._error = None
        self._worker = None
        self._callback = None
        self._callback_userdata = None
        self._node_callback = None
        self._step_seconds = None  # per plan step, of the last profiled inference

    @property
    def model_inputs(self):
        return self._compiled.inputs

    @property
    def model_outputs(self):
        return self._compiled.outputs

    def infer(self, inputs=None, share_inputs=False, share_outputs=False) -> InferResults:
        """Run to completion; ``inputs`` as for ``CompiledModel.__call__`` (default: the tensors
        set with ``set_tensor``/``set_input_tensor``)."""
        self.wait()
        return self._run(inputs)

    def _run(self, inputs):
        if inputs is None:
            if any(v is None for v in self._inputs):
                raise InputError("set every input with set_input_tensor/set_tensor, or pass inputs")
            inputs = list(self._inputs)
        timings = [] if self._compiled._properties["PERF_COUNT"] else None
        self._results = self._compiled._infer(inputs, timings, self._node_callback)
        if timings is not None:
            self._step_seconds = timings
        return self._results

    def start_async(self, inputs=None, userdata=None, share_inputs=False) -> None:
        """Start inference in a background thread and return at once; ``wait()`` joins it and
        re-raises its error. numpy and BLAS release the GIL, so requests overlap in time."""
        self.wait()
        self._error = None
        if userdata is None:
            userdata = self._callback_userdata
        self._worker = threading.Thread(target=self._run_async, args=(inputs, userdata),
                                        name="ov_notebook-infer", daemon=True)
        self._worker.start()

    def _run_async(self, inputs, userdata):
        try:
            self._run(inputs)
        except Exception as exc:  # noqa: BLE001  re-raised by wait(), as an async runtime would
            self._error = exc
        if self._callback is not None:
            self._callback(userdata)

    def wait(self) -> None:
        """Block until a started inference finishes; re-raise its error."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def wait_for(self, timeout) -> bool:
        """Wait at most ``timeout`` milliseconds (negative: no limit); whether it finished."""
        worker = self._worker
        if worker is not None and timeout >= 0:
            worker.join(timeout / 1000)
            if worker.is_alive():
                return False
        self.wait()
        return True

    def set_callback(self, callback, userdata=None) -> None:
        """``callback(userdata)`` is called in the worker thread when an async inference ends."""
        if not callable(callback):
            raise TypeError(f"set_callback needs a callable, called as callback(userdata) when an "
                            f"async inference ends; got {type(callback).__name__}")
        self._callback = callback
        self._callback_userdata = userdata

    def set_node_callback(self, callback) -> None:
        """Call ``callback(node, outputs)`` after every step of this request's inferences;
        ``None`` removes it.

        ``node`` is the node of ``get_compiled_model().get_runtime_model()`` that ran (a fused op
        for a convolution with its epilogue: ``node.get_rt_info()["originalLayersNames"]`` names
        the model's nodes it computes); ``outputs`` is a tuple with one read-only numpy array per
        output of the node. They are views of the run's own buffers, valid during the call only
        (a later step may write into the same memory): copy what you keep. Parameters,
        Constants and Results run no step and are not reported. An exception in the callback
        stops the inference with a :class:`~ov_notebook.runtime.NodeCallbackError` naming the
        node. The callback runs in the thread that runs the inference (``start_async``'s worker
        thread too) and is not timed by PERF_COUNT::

            ranges = {}
            request = compiled.create_infer_request()
            request.set_node_callback(lambda node, outputs: ranges.__setitem__(
                node.get_friendly_name(), (outputs[0].min(), outputs[0].max())))
            request.infer(x)
            request.set_node_callback(None)
        """
        if callback is not None and not callable(callback):
            raise TypeError(f"set_node_callback needs a callable, called as callback(node, "
                            f"outputs) after each step, or None to remove it; got "
                            f"{type(callback).__name__}")
        self._node_callback = callback

    def get_profiling_info(self) -> list:
        """Per-node times of the last inference of this request, as OpenVINO's: one
        :class:`~ov_notebook.ProfilingInfo` per node of the runtime model but its Constants, in
        execution order. Times are measured when the model was compiled with
        ``{"PERF_COUNT": True}``; otherwise (and before the first inference) every record has
        status ``NOT_RUN`` and zero times, as in OpenVINO::

            compiled = ov.compile_model(model, "CPU", {"PERF_COUNT": True})
            request = compiled.create_infer_request()
            request.infer(x)
            for info in sorted(request.get_profiling_info(), key=lambda i: i.real_time)[-5:]:
                print(info.node_name, info.node_type, info.exec_type, info.real_time)
        """
        seconds = self._step_seconds
        records = []
        for node in self._compiled._plan.nodes:
            if seconds is None or node.step is None:
                records.append(ProfilingInfo(node.name, node.node_type, node.exec_type))
                continue
            elapsed = datetime.timedelta(seconds=seconds[node.step])
            records.append(ProfilingInfo(node.name, node.node_type, node.exec_type, elapsed,
                                         elapsed, ProfilingInfo.Status.EXECUTED))
        return records

    @property
    def profiling_info(self) -> list:
        """``get_profiling_info()``."""
        return self.get_profiling_info()

    @property
    def results(self) -> InferResults:
        self.wait()
        if self._results is None:
            raise RuntimeError("no results yet: call infer() first")
        return self._results

    def _require_results(self):
        return self.results

    def get_output_tensor(self, index=0) -> Tensor:
        return Tensor(self._require_results()[index], shared_memory=True)

    def _input_index(self, key, method: str) -> int:
        """The position of input ``key`` (index, tensor name or port); errors list the inputs."""
        ports = self._compiled.inputs
        try:
            port = self._compiled._model.input(key)
        except (IndexError, KeyError, TypeError) as exc:
            listing = ", ".join(port_label(p, i) for i, p in enumerate(ports))
            raise type(exc)(f"{method}: {exc.args[0]} (inputs: {listing})") from None
        return ports.index(port)

    def _input_position(self, index, method: str, by_key: str) -> int:
        """``index`` for the methods that take input indices only, as OpenVINO's."""
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"{method} takes an input index (int), got {index!r}; use {by_key} "
                            f"for tensor names and ports")
        return self._input_index(int(index), method)

    def get_input_tensor(self, index=0) -> Tensor:
        index = self._input_position(index, "get_input_tensor", "get_tensor")
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
        return self.get_input_tensor(self._input_index(key, "get_tensor"))

    def set_input_tensor(self, index_or_tensor, tensor=None) -> None:
        if tensor is None:
            index_or_tensor, tensor = 0, index_or_tensor
        index = self._input_position(index_or_tensor, "set_input_tensor", "set_tensor")
        self._inputs[index] = tensor.data if isinstance(tensor, Tensor) else tensor

    def set_tensor(self, key, tensor) -> None:
        index = self._input_index(key, "set_tensor")
        self._inputs[index] = tensor.data if isinstance(tensor, Tensor) else tensor

    def set_input_tensors(self, tensors) -> None:
        for key, tensor in (tensors.items() if isinstance(tensors, Mapping) else enumerate(tensors)):
            self.set_tensor(key, tensor)

    def get_compiled_model(self) -> CompiledModel:
        return self._compiled

    def __repr__(self):
        return f"<InferRequest of {self._compiled!r}>"
