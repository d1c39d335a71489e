"""Core, compile_model, CompiledModel, InferRequest: OpenVINO's inference API on this CPU runtime."""
from __future__ import annotations

import datetime
import numbers
import os
import threading
from collections.abc import Mapping

import numpy as np

from ..ir.deserialize import read_model_from_string
from ..ir.readers import read_any_model
from ..ir.model import Model
from ..ir.node import Output
from ..ir.ports import const_output
from .compiler import compile_plan
from .errors import ConfigError, InputError, ModelArgumentError
from .inputs import input_signature, matching_arrays, port_label, prepare_inputs
from .properties import COMPILED_READ_ONLY, PROPERTIES, READ_ONLY, normalize_config
from .results import InferResults, ProfilingInfo
from .tensor import Tensor
from .versions import device_versions

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

    def read_model(self, model, weights=None, config=None) -> Model:
        """Read a model, in the forms OpenVINO's ``Core.read_model`` takes:

        - a path (str or ``pathlib.Path``) to an IR ``.xml``, its ``.bin`` beside it or at the
          path ``weights``; an ONNX file is converted (needs ``onnx``);
        - the IR's XML in memory, as bytes (weights: bytes, a uint8 array or a ``Tensor``), or
          as str together with a weights ``Tensor`` (a str alone is a path, as in OpenVINO)::

              model = core.read_model(xml_bytes, ov.tensor_from_file("model.bin"))

        ``config`` (frontend properties in OpenVINO) takes none here: it must be empty.
        """
        if config:
            raise ConfigError(f"Core.read_model takes no config properties in ov_notebook, got "
                              f"{sorted(config) if isinstance(config, Mapping) else config!r}")
        if isinstance(weights, Tensor):
            weights = np.ascontiguousarray(weights.data).reshape(-1).view(np.uint8)
            if isinstance(model, str):  # str model + Tensor weights: the XML itself
                return read_model_from_string(model, weights, "<model string>")
        if isinstance(model, (bytes, bytearray, memoryview)):
            if weights is not None and not isinstance(weights, (bytes, bytearray, memoryview,
                                                                np.ndarray)):
                weights = os.fspath(weights)  # a path to the .bin
            return read_model_from_string(bytes(model), weights, "<model bytes>")
        return read_any_model(model, weights, "Core.read_model")

    def compile_model(self, model, device_name="CPU", config=None) -> CompiledModel:
        _check_device(device_name)
        if isinstance(model, (str, os.PathLike)):
            model = self.read_model(model)
        if not isinstance(model, Model):
            raise ModelArgumentError(f"compile_model expects a Model or a path to an IR .xml, "
                                     f"got {type(model).__name__}")
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
            raise ConfigError(f"{key} is a property of a compiled model: read it with "
                              f"compiled_model.get_property({key!r})")
        if key not in self._properties:
            raise ConfigError(f"unknown property {key!r}")
        return self._properties[key]

    def get_versions(self, device_name="CPU") -> dict:
        """``{device: Version}`` as OpenVINO's: ``Version`` has ``major``, ``minor``, ``patch``,
        ``build_number`` and ``description``; devices this runtime lacks are left out::

            version = core.get_versions("CPU")["CPU"]
            print(version.description, version.build_number)
        """
        return device_versions(device_name)


def _check_device(device_name):
    if str(device_name).upper() not in ("CPU", "AUTO"):
        raise ConfigError(f"device {device_name!r} is not available; this runtime has only 'CPU'")


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
        self._variables = None  # ReadValue/Assign state of calls on the compiled model itself
        self._properties["KERNEL_BACKEND"] = self._plan.kernel_backend  # as resolved
        # computed once, not per inference: the arrays the plan takes unchecked, the result ports
        self._input_signature = input_signature(model.inputs)
        self._output_ports = [const_output(port) for port in model.outputs]

    # read-only ports, as OpenVINO's ConstOutput (equal to the model's Outputs)
    @property
    def inputs(self) -> list:
        return [const_output(port) for port in self._model.inputs]

    @property
    def outputs(self) -> list:
        return [const_output(port) for port in self._model.outputs]

    def input(self, key=None) -> Output:
        return const_output(self._model.input(key))

    def output(self, key=None) -> Output:
        return const_output(self._model.output(key))

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
        raise ConfigError(f"unknown property {key!r}")

    def create_infer_request(self) -> InferRequest:
        return InferRequest(self)

    def _infer(self, inputs, timings=None, on_step=None, variables=None) -> InferResults:
        arrays = prepare_inputs(self._model, inputs, self._input_signature)
        if variables is None:  # calls on the compiled model keep state as one request would
            if self._variables is None:
                self._variables = self._plan.plan.variables()
            variables = self._variables
        results = self._plan.run(arrays, timings, on_step, variables)
        return InferResults(self._output_ports, results)

    def __call__(self, inputs=None, share_inputs=False, share_outputs=False, *,
                 decode_strings=True, **unexpected):
        if unexpected:
            raise TypeError(_unexpected_keywords(unexpected, self.inputs))
        return self._infer(inputs)

    def infer_new_request(self, inputs=None) -> InferResults:
        return self._infer(inputs, variables=self._plan.plan.variables())  # a new request's state

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
        self._variables = compiled._plan.plan.variables()  # ReadValue/Assign state, per request

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
        return self._execute(self._prepare(inputs))

    def _prepare(self, inputs) -> list:
        """The arrays to run on, made the request's input tensors (as OpenVINO sets the
        request's tensors before it starts); bad inputs raise here, in the caller's thread."""
        if inputs is None:
            unset = [port_label(p, i) for i, (p, v) in enumerate(zip(self._compiled.inputs,
                                                                      self._inputs)) if v is None]
            if unset:
                raise InputError(f"set every input with set_input_tensor/set_tensor, or pass "
                                 f"inputs (not set: {', '.join(unset)})")
            inputs = list(self._inputs)
        elif isinstance(inputs, Mapping):
            inputs = self._with_request_tensors(inputs)
        compiled = self._compiled
        arrays = matching_arrays(compiled._input_signature, inputs)
        if arrays is not None:  # ready data: arrays are wrapped when get_input_tensor asks
            self._inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
            return arrays
        arrays = prepare_inputs(compiled._model, inputs)
        # the request's tensors are now those it runs on, as OpenVINO's (get_input_tensor() etc.):
        # a Tensor given as it is stays that Tensor; other data is wrapped (without a copy)
        given = self._given_by_index(inputs)
        self._inputs = [given.get(index) if isinstance(given.get(index), Tensor) and
                        given[index].data is array else Tensor._wrap(array, port.get_element_type())
                        for index, (port, array) in enumerate(zip(compiled.inputs, arrays))]
        return arrays

    def _given_by_index(self, inputs) -> dict:
        """``{input index: value}`` of inputs that ``prepare_inputs`` has accepted."""
        if isinstance(inputs, Mapping):
            model, ports = self._compiled._model, self._compiled.inputs
            return {ports.index(model.input(key)): value for key, value in inputs.items()}
        if isinstance(inputs, (list, tuple)):
            return dict(enumerate(inputs))
        return {0: inputs}

    def _execute(self, arrays) -> InferResults:
        compiled = self._compiled
        timings = [] if compiled._properties["PERF_COUNT"] else None
        outputs = compiled._plan.run(arrays, timings, self._node_callback, self._variables)
        self._results = InferResults(compiled._output_ports, outputs)
        if timings is not None:
            self._step_seconds = timings
        return self._results

    def _with_request_tensors(self, inputs: Mapping) -> dict:
        """A dict of some inputs, completed with the request's own tensors for the others (as
        OpenVINO's ``infer({"x": a})`` keeps the tensor set before for ``y``)."""
        given = set()
        for key in inputs:
            try:
                given.add(self._compiled.inputs.index(self._compiled._model.input(key)))
            except (LookupError, TypeError, ValueError):
                pass  # prepare_inputs names the bad key
        merged = dict(inputs)
        for index, tensor in enumerate(self._inputs):
            if tensor is not None and index not in given:
                merged[index] = tensor
        return merged

    def query_state(self) -> list:
        """The VariableState of each variable of a stateful model (ReadValue/Assign)."""
        return self._variables.states()

    def reset_state(self) -> None:
        """Every variable starts again from its initial value (a new sequence)."""
        self._variables.reset()

    def start_async(self, inputs=None, userdata=None, share_inputs=False) -> None:
        """Start inference in a background thread and return at once; ``wait()`` joins it and
        re-raises its error. Inputs are checked (and bad ones raise) before it returns, as in
        OpenVINO. numpy and BLAS release the GIL, so requests overlap in time."""
        self.wait()
        self._error = None
        arrays = self._prepare(inputs)
        if userdata is None:
            userdata = self._callback_userdata
        self._worker = threading.Thread(target=self._run_async, args=(arrays, userdata),
                                        name="ov_notebook-infer", daemon=True)
        self._worker.start()

    def _run_async(self, arrays, userdata):
        try:
            self._execute(arrays)
        except Exception as exc:  # noqa: BLE001  re-raised by wait(), as an async runtime would
            self._error = exc
        if self._callback is not None:
            self._callback(userdata)

    def wait(self) -> None:
        """Block until a started inference finishes; re-raise its error."""
        worker = self._worker
        if worker is threading.current_thread():
            return  # called by the callback of this very inference, which has finished
        if worker is not None:
            worker.join()
            if self._worker is worker:
                self._worker = None
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

    def get_output_tensor(self, index=None) -> Tensor:
        """The tensor of output ``index`` of the last inference (a view of its result);
        without an index, the model must have one output, as in OpenVINO."""
        results = self._require_results()
        ports = self._compiled.outputs
        if index is None:
            if len(ports) != 1:
                raise RuntimeError(f"get_output_tensor() without an index needs a model with "
                                   f"exactly one output; this one has {len(ports)}: pass the "
                                   f"output index")
            index = 0
        elif isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"get_output_tensor takes an output index (int), got {index!r}; use "
                            f"get_tensor for tensor names and ports")
        position = ports.index(self._compiled._model.output(int(index)))
        return Tensor._wrap(results[position], ports[position].get_element_type())

    @property
    def output_tensors(self) -> list:
        """The output tensors of the last inference, in output order."""
        return [self.get_output_tensor(i) for i in range(len(self._compiled.outputs))]

    @property
    def input_tensors(self) -> list:
        """The request's input tensors, in input order (see ``get_input_tensor``)."""
        return [self.get_input_tensor(i) for i in range(len(self._compiled.inputs))]

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

    def get_input_tensor(self, index=None) -> Tensor:
        """The request's tensor for input ``index``: the one set with ``set_tensor``, or the data
        the last inference ran on; before either, a zero tensor of the input's shape (dynamic
        dimensions 0) that the request keeps, so that filling it in place feeds the next
        ``infer()``, as in OpenVINO::

            request.get_input_tensor(0).data[:] = image
            request.infer()

        Without an index, the model must have one input, as in OpenVINO."""
        if index is None:
            if len(self._inputs) != 1:
                raise RuntimeError(f"get_input_tensor() without an index needs a model with "
                                   f"exactly one input; this one has {len(self._inputs)}: pass "
                                   f"the input index")
            index = 0
        index = self._input_position(index, "get_input_tensor", "get_tensor")
        value = self._inputs[index]
        port = self._compiled.inputs[index]
        if value is None:
            shape = [d.get_length() if d.is_static else 0 for d in port.get_partial_shape()] \
                if port.get_partial_shape().rank_is_static else [0]
            value = self._inputs[index] = Tensor(port.get_element_type(), shape)
        if isinstance(value, Tensor):
            return value
        element_type = port.get_element_type()
        tensor = Tensor._wrap(np.asarray(value), element_type)
        if value.__class__ is np.ndarray and element_type.is_static and \
                not element_type.is_packed and value.dtype == element_type.to_dtype():
            self._inputs[index] = tensor  # the same Tensor every time, as for other inputs
        return tensor

    def get_tensor(self, key) -> Tensor:
        """The tensor of an output (after an inference) or of an input, by tensor name or
        port."""
        try:
            output = self._compiled._model.output(key)
        except (LookupError, TypeError, ValueError):
            output = None
        if output is None or isinstance(key, numbers.Integral):
            return self.get_input_tensor(self._input_index(key, "get_tensor"))
        if self._results is None:  # a name of an input and an output (Parameter -> Result)
            try:
                return self.get_input_tensor(self._input_index(key, "get_tensor"))
            except LookupError:
                pass
        return self.get_output_tensor(self._compiled.outputs.index(output))

    def set_input_tensor(self, index_or_tensor, tensor=None) -> None:
        if tensor is None:
            index_or_tensor, tensor = 0, index_or_tensor
        index = self._input_position(index_or_tensor, "set_input_tensor", "set_tensor")
        self._inputs[index] = tensor

    def set_tensor(self, key, tensor) -> None:
        index = self._input_index(key, "set_tensor")
        self._inputs[index] = tensor

    def set_input_tensors(self, tensors) -> None:
        for key, tensor in (tensors.items() if isinstance(tensors, Mapping) else enumerate(tensors)):
            self.set_tensor(key, tensor)

    def get_compiled_model(self) -> CompiledModel:
        return self._compiled

    def __repr__(self):
        return f"<InferRequest of {self._compiled!r}>"
