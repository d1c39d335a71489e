"""What one inference gives back: InferResults (the outputs, as ``openvino``'s OVDict) and
ProfilingInfo (per-node times, as ``openvino.ProfilingInfo``)."""
from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..ir.node import Output
from .errors import OutputIndexError, OutputKeyTypeError

__all__ = ["InferResults", "ProfilingInfo"]


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
                raise OutputIndexError(f"the model has {len(self._arrays)} outputs; index {key} is "
                                       f"out of range")
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
        raise OutputKeyTypeError(f"outputs are indexed by int, tensor name or output port, not {key!r}")

    def __getitem__(self, key):
        return self._arrays[self._index(key)]

    def __contains__(self, key) -> bool:  # Mapping's catches only KeyError, not IndexError
        try:
            self._index(key)
        except (KeyError, IndexError):
            return False
        return True

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


@dataclass
class ProfilingInfo:
    """One node of the runtime model in ``InferRequest.get_profiling_info()``, as OpenVINO's.

    ``node_name``: the runtime node's friendly name; ``node_type``: its runtime op type
    (``FusedConvolution``: a convolution with its fused epilogue; its rt_info in
    ``CompiledModel.get_runtime_model()`` lists the model's nodes it computes under
    ``originalLayersNames``); ``exec_type``: the kernel that ran, ``<kernel function>_<precision>``
    (``fused_convolution_f32``), or ``unknown_<precision>`` for Parameters and Results;
    ``real_time`` and ``cpu_time``: the kernel's wall time (``datetime.timedelta``; as OpenVINO's
    CPU plugin, cpu_time is the same number); ``status``: ``ProfilingInfo.Status.EXECUTED``, or
    ``NOT_RUN`` where no kernel ran or no profiled inference has run yet.

        >>> compiled = ov.compile_model(model, "CPU", {"PERF_COUNT": True})
        >>> request = compiled.create_infer_request()
        >>> _ = request.infer(x)
        >>> slowest = max(request.get_profiling_info(), key=lambda info: info.real_time)
        >>> slowest.node_type, slowest.exec_type, slowest.status
        ('FusedConvolution', 'fused_convolution_f32', <Status.EXECUTED: 2>)
    """

    class Status(enum.IntEnum):
        """``openvino.ProfilingInfo.Status``."""
        NOT_RUN = 0
        OPTIMIZED_OUT = 1
        EXECUTED = 2

        def __str__(self):
            return f"Status.{self.name}"

    NOT_RUN = Status.NOT_RUN
    OPTIMIZED_OUT = Status.OPTIMIZED_OUT
    EXECUTED = Status.EXECUTED

    node_name: str = ""
    node_type: str = ""
    exec_type: str = ""
    real_time: datetime.timedelta = datetime.timedelta(0)
    cpu_time: datetime.timedelta = datetime.timedelta(0)
    status: ProfilingInfo.Status = Status.NOT_RUN
