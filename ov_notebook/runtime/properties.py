"""The CPU device's properties and the checking of a config given to compile_model/set_property.

A config is a mapping of property name (or an ``openvino.properties`` key) to value; a bad one is
an error that names the property and says what it takes.
"""
from __future__ import annotations

import operator
from collections.abc import Mapping

import numpy as np

from ..ir.types import Type
from .errors import ConfigError

__all__ = ["PROPERTIES", "READ_ONLY", "COMPILED_READ_ONLY", "normalize_config"]

PROPERTIES = {
    "INFERENCE_NUM_THREADS": 0,  # 0: every core (LATENCY hint) or one per request (THROUGHPUT)
    "PERFORMANCE_HINT": "LATENCY",
    "INFERENCE_PRECISION_HINT": "f32",
    "NUM_STREAMS": 1,
    # per-step times in InferRequest.get_profiling_info() (openvino.properties.enable_profiling)
    "PERF_COUNT": False,
    # names of compile passes to skip (ov_notebook only; for debugging numerics of a fusion)
    "DISABLED_PASSES": (),
    # kernels: "onednn", "numpy", or "auto" (OV_NOTEBOOK_KERNELS if set, else oneDNN where it
    # loads); a compiled model reports the one it runs on (ov_notebook only, runtime/onednn)
    "KERNEL_BACKEND": "auto",
}
# read from a CompiledModel only: the requests worth running at once, and the compile passes that
# changed the graph, in order (ov_notebook only; the counterpart of DISABLED_PASSES)
COMPILED_READ_ONLY = ("OPTIMAL_NUMBER_OF_INFER_REQUESTS", "APPLIED_PASSES")
READ_ONLY = {
    "AVAILABLE_DEVICES": ["CPU"],
    "FULL_DEVICE_NAME": "ov_notebook numpy CPU runtime",
    "SUPPORTED_PROPERTIES": sorted(list(PROPERTIES) + ["AVAILABLE_DEVICES", "FULL_DEVICE_NAME",
                                                       *COMPILED_READ_ONLY]),
    "OPTIMIZATION_CAPABILITIES": ["FP32"],
}
_HINTS = ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT")


def normalize_config(config, where: str = "config") -> dict:
    """``config`` checked and canonicalized: upper-case names, values of each property's type."""
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise TypeError(f"{where} must be a dict of property name to value (e.g. "
                        f"{{'INFERENCE_NUM_THREADS': 4}}), got {type(config).__name__}")
    result = {}
    for key, value in config.items():
        name = str(getattr(key, "name", key)).upper()
        if name in READ_ONLY or name in COMPILED_READ_ONLY:
            raise ConfigError(f"property {name} is read-only")
        if name not in PROPERTIES:
            raise ConfigError(f"unknown property {name!r}; supported: {', '.join(sorted(PROPERTIES))}")
        result[name] = _CHECKS[name](getattr(value, "name", value))
    return result


def _whole_number(name: str, value, minimum: int, what: str) -> int:
    """``value`` as an int >= ``minimum``: ints, whole floats and digit strings, nothing else."""
    number = None
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            pass
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif not isinstance(value, bool):
        try:
            number = operator.index(value)
        except TypeError:
            pass
    if number is None or number < minimum:
        raise ConfigError(f"{name} must be {what}, got {value!r}")
    return number


def _threads(value) -> int:
    return _whole_number("INFERENCE_NUM_THREADS", value, 0,
                         "a non-negative integer (0: let the runtime choose)")


def _streams(value) -> int:
    if hasattr(value, "to_integer"):  # openvino.properties.streams.Num
        value = value.to_integer()
    if isinstance(value, str) and value.strip().upper() == "AUTO":
        return -1
    return _whole_number("NUM_STREAMS", value, -1, "a non-negative integer or 'AUTO' (-1)")


def _hint(value) -> str:
    hint = str(value).upper()
    if hint not in _HINTS:
        raise ConfigError(f"PERFORMANCE_HINT must be LATENCY or THROUGHPUT, got {hint!r}")
    return hint


def _precision(value) -> str:
    name = (value if isinstance(value, Type) else Type(value)).get_type_name()
    if name != "f32":
        raise ConfigError(f"INFERENCE_PRECISION_HINT: only f32 is supported, got {name!r}")
    return name


def _switch(value) -> bool:
    """PERF_COUNT's value: a bool, or the strings OpenVINO takes for one (YES/NO, TRUE/FALSE)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.strip().upper() in _SWITCH_WORDS:
        return _SWITCH_WORDS[value.strip().upper()]
    raise ConfigError(f"PERF_COUNT must be True or False (or 'YES'/'NO'), got {value!r}")


_SWITCH_WORDS = {"YES": True, "TRUE": True, "1": True, "NO": False, "FALSE": False, "0": False}


def _pass_names(value) -> tuple:
    from .passes import PASS_NAMES

    if isinstance(value, str):
        names = tuple(n.strip() for n in value.split(",") if n.strip())
    elif isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(n, str) for n in value):
        names = tuple(value)
    else:
        raise TypeError(f"DISABLED_PASSES takes pass names, as a comma-separated string or a list "
                        f"of strings, got {value!r}; passes: {list(PASS_NAMES)}")
    unknown = [n for n in names if n not in PASS_NAMES]
    if unknown:
        raise ConfigError(f"DISABLED_PASSES: unknown pass(es) {unknown}; passes: {list(PASS_NAMES)}")
    return names


def _backend(value) -> str:
    from .onednn import BACKENDS

    name = str(value).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"KERNEL_BACKEND must be one of {', '.join(BACKENDS)}, got {value!r}")
    return name


_CHECKS = {"INFERENCE_NUM_THREADS": _threads, "PERFORMANCE_HINT": _hint,
           "INFERENCE_PRECISION_HINT": _precision, "NUM_STREAMS": _streams,
           "PERF_COUNT": _switch, "DISABLED_PASSES": _pass_names, "KERNEL_BACKEND": _backend}
