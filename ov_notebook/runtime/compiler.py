"""From a Model to an executable Plan: clone, run the graph passes, plan memory, set threads, and
describe the result in the runtime model's rt_info (as OpenVINO's ``get_runtime_model()``)."""
from __future__ import annotations

import contextlib
import sys
import threading

import numpy as np

from ..ir.graph import clone_model
from ..ir.model import Model
from ..ir.ops.core import Constant
from . import onednn
from .memory import keep_freed_memory, release_freed_memory, small_pages
from .parallel import thread_budget
from .passes import run_passes
from .plan import Plan

__all__ = ["compile_plan", "share_packed_weights", "thread_limit", "ThreadedPlan", "RuntimeNode"]


def compile_plan(model: Model, properties: dict, disabled_passes=()) -> ThreadedPlan:
    keep_freed_memory()
    backend = onednn.resolve_backend(properties.get("KERNEL_BACKEND", "auto"))
    threads = request_threads(properties)
    with small_pages():  # weight copies as large as the model: no synchronous THP compaction
        graph = clone_model(model)
        applied = run_passes(graph, properties, disabled=disabled_passes)
        with thread_budget(threads) as budget, onednn.building(backend, budget.threads):
            plan = ThreadedPlan(Plan(graph), threads)  # kernels' prepare hooks create primitives
    plan.kernel_backend = backend
    share_packed_weights(plan.plan)
    release_freed_memory()  # the unpacked and staging copies, which the settings above would keep
    plan.applied_passes = applied
    plan.nodes = describe_runtime_model(plan.plan, {n.get_friendly_name() for n in model.get_ops()})
    return plan


def share_packed_weights(plan: Plan) -> int:
    """Keep one copy of each prepacked MatMul weight: its Constant (and the plan's constant slot)
    become a view of the packed copy, so the weights folded from f16 or mapped from the .bin are
    released instead of staying in memory beside the packed copy for the compiled model's life.
    Only Constants whose every reader is a step with packed weights are switched; returns the
    bytes of the unpacked weights released from the runtime model."""
    readers = {}
    for step in plan.steps:
        for index, source in enumerate(step.node.input_values()):
            if isinstance(source.get_node(), Constant):
                readers.setdefault(id(source.get_node()), []).append((step, index))
    released, switched = 0, set()
    for step in plan.steps:
        packed = step.attrs.get("weights") if isinstance(step.attrs, dict) else None
        constant = step.node.input_value(1).get_node() if step.node.get_input_size() > 1 else None
        if not isinstance(packed, np.ndarray) or not isinstance(constant, Constant) or \
                id(constant) in switched or not _only_packed_readers(constant, readers):
            continue
        value = constant.get_data()
        transposed = step.node.get_attributes().get("transpose_b")
        view = np.swapaxes(packed, -1, -2) if transposed else packed
        if view.shape != value.shape or view.dtype != value.dtype or view.base is value:
            continue
        constant._data = view  # the same values, stored once  # noqa: SLF001
        for other, index in readers[id(constant)]:
            plan.initial[other.inputs[index]] = view
        switched.add(id(constant))
        released += value.nbytes
    return released


def _only_packed_readers(constant, readers) -> bool:
    """Whether every reader of ``constant`` (a Result too) is a step that packed it as weights."""
    steps = readers[id(constant)]
    return len(steps) == len(constant.output(0).get_target_inputs()) and all(
        index == 1 and isinstance(step.attrs.get("weights"), np.ndarray) for step, index in steps)


class RuntimeNode:
    """What profiling reports about one node of the runtime model: its name, its runtime op type,
    the kernel that runs it (``exec_type``) and its step's index in the plan (None: no step, as
    for Parameters and Results)."""

    __slots__ = ("name", "node_type", "exec_type", "step")

    def __init__(self, name, node_type, exec_type, step):
        self.name, self.node_type, self.exec_type, self.step = name, node_type, exec_type, step


# OpenVINO's names, in the runtime model's ``layerType``, for the nodes that run no kernel
_LAYER_TYPES = {"Parameter": "Input", "Result": "Output", "Constant": "Const"}


def describe_runtime_model(plan: Plan, original_names: set) -> list:
    """Write OpenVINO's runtime-model rt_info on every node of ``plan.model`` and return the
    :class:`RuntimeNode` of each node but the Constants, in execution order.

    ``layerType``: the runtime op type (``Input``/``Output``/``Const`` for Parameter, Result and
    Constant, as OpenVINO); ``execOrder``: position in execution order; ``originalLayersNames``:
    the model's own nodes this one computes (several for a fused op, none for a node a pass
    inserted); ``runtimePrecision``: the element type it computes in (its first input's);
    ``outputPrecisions``; ``primitiveType``: the kernel, ``<kernel function>_<precision>``
    (``fused_convolution_f32``), ``unknown_<precision>`` where no kernel runs.
    """
    kernels = {id(step.node): (index, step.function.__name__) for index, step in
               enumerate(plan.steps)}
    nodes = []
    for order, node in enumerate(plan.model.get_ordered_ops()):
        type_name = node.get_type_name()
        port = node.input(0) if node.get_input_size() else node.output(0)
        precision = port.get_element_type().get_type_name()
        step, function = kernels.get(id(node), (None, "unknown"))
        exec_type = f"{function}_{precision}"
        fused = node.rt_info.get("fused_names") or node.get_friendly_name()
        node.rt_info.update({
            "layerType": _LAYER_TYPES.get(type_name, type_name),
            "execOrder": str(order),
            "originalLayersNames": ",".join(n for n in fused.split(",") if n in original_names),
            "runtimePrecision": precision,
            "outputPrecisions": ",".join(node.get_output_element_type(i).get_type_name()
                                         for i in range(node.get_output_size())),
            "primitiveType": exec_type,
        })
        if type_name != "Constant":
            nodes.append(RuntimeNode(node.get_friendly_name(), type_name, exec_type, step))
    return nodes


def request_threads(properties: dict) -> int:
    """Threads one inference may use: INFERENCE_NUM_THREADS, else all cores for the LATENCY hint
    and one for THROUGHPUT (requests then run side by side, one per core, as OpenVINO's streams)."""
    threads = int(properties.get("INFERENCE_NUM_THREADS", 0) or 0)
    if threads > 0:
        return threads
    return 1 if properties.get("PERFORMANCE_HINT", "LATENCY") != "LATENCY" else 0


class _KernelPool:
    """The kernels' own process-wide pool (``kernels/_parallel.py``), where present, seen through
    the get/set interface of a threadpoolctl library controller."""

    def __init__(self, module):
        self.module = module

    def get_num_threads(self) -> int:
        return self.module.get_num_threads()

    def set_num_threads(self, threads: int) -> None:
        self.module.set_num_threads(threads)


class _BlasThreads:
    """Process-wide BLAS thread count (and the kernels' pool's), set while a run needs it.

    These pools are global to the process, so concurrent runs share one setting: the first run
    in sets it, the last one out restores the previous value. threadpoolctl's scan of the loaded
    libraries costs ~0.3 ms, too much to repeat per inference, so it is repeated only when modules
    were imported since the last one: a BLAS loaded later (scipy's own OpenBLAS, which the erf
    kernels' ``scipy.special`` brings in) must be held too. Inside a run the fused ops split work
    over threads themselves, so nested pools are held to one thread.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._libraries = []
        self._modules_seen = -1
        self._saved = {}

    def _blas(self):
        if len(sys.modules) != self._modules_seen:
            self._libraries = _thread_pools(self._libraries)
            self._modules_seen = len(sys.modules)
        return self._libraries

    def enter(self, threads: int) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._saved = {}
            for lib in self._blas():
                if lib not in self._saved:  # a pool loaded while other runs are in
                    self._saved[lib] = lib.get_num_threads()
                if lib.get_num_threads() != threads:
                    lib.set_num_threads(threads)

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                for lib, threads in self._saved.items():
                    lib.set_num_threads(threads)


def _thread_pools(known: list) -> list:
    """``known`` plus the pools loaded since; a library keeps its controller, which the saved
    thread counts are keyed by."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # without threadpoolctl the BLAS keeps its own setting
        found = []
    else:
        found = ThreadpoolController().select(user_api="blas").lib_controllers
    paths = {getattr(lib, "filepath", None) for lib in known}
    pools = list(known) + [lib for lib in found if lib.filepath not in paths]
    if not any(isinstance(lib, _KernelPool) for lib in pools):
        try:
            from .kernels import _parallel
        except ImportError:  # no kernel pool: only BLAS to hold
            pass
        else:
            pools.append(_KernelPool(_parallel))
    return pools


_BLAS_THREADS = _BlasThreads()


@contextlib.contextmanager
def thread_limit(threads: int):
    """Limit the BLAS thread pools to ``threads`` while inside (0: leave them alone)."""
    if threads <= 0:
        yield
        return
    _BLAS_THREADS.enter(threads)
    try:
        yield
    finally:
        _BLAS_THREADS.leave()


class ThreadedPlan:
    """A Plan run with BLAS single-threaded and a budget of ``threads`` for the runtime's own
    intra-op parallelism (``kernels/_tiling.py``, ``parallel.py``): the fused ops split their
    GEMMs and epilogues over threads themselves, which stays fast when the machine is busier
    than its cores, where BLAS's own worker hand-off stalls for whole scheduler slices."""

    def __init__(self, plan: Plan, threads: int):
        self.plan = plan
        self.threads = threads
        self.model = plan.model
        self.applied_passes = []
        self.kernel_backend = "numpy"  # or "onednn": what compile_plan resolved KERNEL_BACKEND to
        self.nodes = []  # RuntimeNode per runtime-model node but the Constants

    def run(self, feeds, timings=None, on_step=None, variables=None):
        """``Plan.run`` within this plan's thread budget (see there for the arguments)."""
        with thread_budget(self.threads):
            _BLAS_THREADS.enter(1)
            try:
                return self.plan.run(feeds, timings, on_step, variables)
            finally:
                _BLAS_THREADS.leave()
