"""The executor's cost per step and per inference, against OpenVINO's, on graphs of tiny steps.

    python benchmarks/overhead.py                          # N = 10, 100, 1000; both backends
    python benchmarks/overhead.py --steps 10 300 --samples 30 --clock cpu
    python benchmarks/overhead.py --profile 25             # also cProfile ours at the largest N

Each model (``--kind elementwise``) is a chain of N steps on ``[1, 4]`` f32 (Add of a constant,
Relu, Reshape to ``[4]``, Multiply by a ``[1, 4]`` constant, in turn): their arithmetic is
negligible, so what is timed is the cost of a step as such, the executor's loop plus each
kernel's own Python work (``--profile`` splits the two). ``--kind conv`` chains 1x1 convolutions
of 8 channels on 4x4 (a Relu fused into each) instead: what a convolution step costs beyond its
arithmetic on each backend. The same IR (saved by ov_notebook) runs on OpenVINO.

A sample is the time of a batch of ``InferRequest.infer`` calls (enough for ~2 ms) divided by
the batch; engines and step counts are sampled interleaved (one sample of each per round). The
table shows the median microseconds per inference with the p25-p75 spread, then per step: the
slope of a least-squares line through the medians over N, and the fixed per-``infer`` cost: the
line's intercept, and the median of a model with no step at all (its Parameter is its Result).

Where a fixed cost goes is broken down for ours (median microseconds of each stage called on its
own): the input checks (``prepare_inputs``; ready arrays of the right dtype and shape skip
them), ``Plan.run`` of the zero-step model (with and without the thread settings around it),
and wrapping the results (``InferResults``).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time

import numpy as np

WIDTH = 4


def chain_model(steps: int, kind: str = "elementwise"):
    """A model of ``steps`` tiny steps (0: its Parameter is its Result)."""
    import ov_notebook as ov
    from ov_notebook import opset as ops

    if kind == "conv":
        return conv_chain_model(steps)
    x = ops.parameter([1, WIDTH], np.float32, name="x")
    value = x
    offset = np.full([1, WIDTH], 0.5, np.float32)
    scale = np.full([1, WIDTH], 0.9, np.float32)
    for index in range(steps):
        kind = index % 4
        if kind == 0:
            value = ops.add(value, ops.constant(offset))
        elif kind == 1:
            value = ops.relu(value)
        elif kind == 2:
            value = ops.reshape(value, ops.constant(np.array([WIDTH], np.int64)), False)
        else:  # [4] * [1, 4] -> [1, 4]
            value = ops.multiply(value, ops.constant(scale))
    return ov.Model([ops.result(value) if steps == 0 else value], [x], f"chain{steps}")


def conv_chain_model(steps: int):
    """``steps`` 1x1 convolutions of 8 channels on 4x4 (each with a Relu, which fusion folds
    into it): one step each where a compiled model runs fused convolutions."""
    import ov_notebook as ov
    from ov_notebook import opset as ops

    x = ops.parameter([1, 8, 4, 4], np.float32, name="x")
    value = x
    filters = np.random.default_rng(0).normal(0, 0.35, [8, 8, 1, 1]).astype(np.float32)
    for _ in range(steps):
        value = ops.relu(ops.convolution(value, ops.constant(filters), [1, 1], [0, 0], [0, 0],
                                         [1, 1]))
    return ov.Model([ops.result(value) if steps == 0 else value], [x], f"conv_chain{steps}")


def check_steps(compiled, steps: int, kind: str, backend: str) -> None:
    """The per-step figures divide by N: a compile pass that folded or fused the chain would
    make them wrong silently, so count the kernels that run (a conv chain may add one layout
    conversion at each end)."""
    ran = len(compiled._plan.plan.steps)  # noqa: SLF001  the executor's own step list
    allowed = {steps} if kind == "elementwise" or steps == 0 else {steps, steps + 2}
    if ran not in allowed:
        raise RuntimeError(f"the {kind} chain of {steps} steps compiles to {ran} steps on "
                           f"ours[{backend}]: expected {sorted(allowed)}; a pass now rewrites "
                           f"the chain, so change chain_model to keep one step per node")


def ours_engine(model, backend: str, feeds):
    import ov_notebook as ov

    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": backend,
                                               "INFERENCE_NUM_THREADS": 1})
    request = compiled.create_infer_request()
    return (lambda: request.infer(feeds)), compiled


def openvino_engine(path: str, feeds):
    import openvino

    core = openvino.Core()
    compiled = core.compile_model(core.read_model(path), "CPU", {
        "INFERENCE_NUM_THREADS": 1, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    return lambda: request.infer(feeds)


def calls_per_sample(run, clock, target=2e-3) -> int:
    """How many calls make one sample of about ``target`` seconds."""
    calls = 1
    while True:
        started = clock()
        for _ in range(calls):
            run()
        elapsed = clock() - started
        if elapsed >= target or calls >= 1 << 16:
            return calls
        calls = max(calls * 2, int(calls * target / max(elapsed, 1e-7)))


def sample(run, calls, clock) -> float:
    started = clock()
    for _ in range(calls):
        run()
    return (clock() - started) / calls


def measure(cases: dict, samples: int, clock) -> dict:
    """``{case: [seconds per call]}``; one sample of every case per round (interleaved)."""
    batch = {case: calls_per_sample(run, clock) for case, run in cases.items()}
    times = {case: [] for case in cases}
    for _ in range(samples):
        for case, run in cases.items():
            times[case].append(sample(run, batch[case], clock))
    return times


def quartiles(values) -> tuple:
    q1, median, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (values[0],) * 3
    return q1, median, q3


def line(points) -> tuple:
    """(slope, intercept) of the least-squares line through ``[(x, y)]``."""
    xs, ys = np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)
    slope, intercept = np.polyfit(xs, ys, 1) if len(points) > 1 else (0.0, ys[0])
    return float(slope), float(intercept)


def stage_costs(model, feeds, samples, clock) -> dict:
    """Median microseconds of the stages of one ``infer`` of ours, each called alone."""
    import ov_notebook as ov
    from ov_notebook.runtime.inputs import prepare_inputs
    from ov_notebook.runtime.results import InferResults

    compiled = ov.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 1})
    request = compiled.create_infer_request()
    arrays = prepare_inputs(compiled.model, feeds)
    plan = compiled._plan  # noqa: SLF001  the executor alone, without the request around it
    outputs = plan.run(arrays)
    ports = compiled.outputs
    stages = {
        "infer (whole call)": lambda: request.infer(feeds),
        "prepare_inputs, full checks": lambda: prepare_inputs(compiled.model, feeds),
        "ThreadedPlan.run, 0 steps": lambda: plan.run(arrays),
        "Plan.run, 0 steps": lambda: plan.plan.run(arrays),
        "InferResults(...)": lambda: InferResults(ports, outputs),
    }
    signature = getattr(compiled, "_input_signature", None)  # absent before the fast path
    if signature is not None:  # (this script also measures older trees, for before/after)
        stages["prepare_inputs, ready arrays"] = lambda: prepare_inputs(compiled.model, feeds,
                                                                        signature)
    times = measure(stages, samples, clock)
    return {stage: statistics.median(values) * 1e6 for stage, values in times.items()}


def profile_ours(model, feeds, backend, top: int, clock, seconds: float = 2.0) -> None:
    run, _ = ours_engine(model, backend, feeds)
    run()
    profiler = cProfile.Profile(clock)  # CPU time with --clock cpu: load barely shows
    deadline = time.perf_counter() + seconds
    calls = 0
    profiler.enable()
    while time.perf_counter() < deadline:
        run()
        calls += 1
    profiler.disable()
    print(f"\ncProfile of ours[{backend}], {calls} calls of infer on {model.get_friendly_name()} "
          f"(tottime: in the function itself, cumtime: with its callees)")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 100, 1000],
                        help="step counts of the chains (a zero-step model is always added)")
    parser.add_argument("--kind", choices=("elementwise", "conv"), default="elementwise",
                        help="what each step computes (see the module docstring)")
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--backends", default="numpy,onednn",
                        help="KERNEL_BACKEND values of ours, comma-separated")
    parser.add_argument("--peers", default="openvino", help="'' to measure ours only")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="cpu",
                        help="cpu: the calling thread's CPU time (default; 1 thread)")
    parser.add_argument("--profile", type=int, default=0, metavar="ROWS",
                        help="also cProfile ours at the largest N and print ROWS functions")
    args = parser.parse_args(argv)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    step_counts = sorted({0, *args.steps})
    shape = [1, 8, 4, 4] if args.kind == "conv" else [1, WIDTH]
    feeds = [np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape)]
    import ov_notebook as ov

    engines = [f"ours[{b}]" for b in backends]
    cases, models = {}, {}
    with tempfile.TemporaryDirectory(prefix="ovn_overhead_") as directory:
        for steps in step_counts:
            models[steps] = model = chain_model(steps, args.kind)
            for backend in backends:
                run, compiled = ours_engine(model, backend, feeds)
                resolved = compiled.get_property("KERNEL_BACKEND")
                if resolved != backend:
                    print(f"ours[{backend}] resolved to {resolved}", file=sys.stderr)
                check_steps(compiled, steps, args.kind, backend)
                cases[(f"ours[{backend}]", steps)] = run
            if "openvino" in args.peers.split(","):
                path = os.path.join(directory, f"{model.get_friendly_name()}.xml")
                ov.save_model(model, path)
                try:
                    cases[("openvino", steps)] = openvino_engine(path, feeds)
                except ImportError:
                    print("openvino is not installed: not measured", file=sys.stderr)
                    break
        if ("openvino", 0) in cases:
            engines.append("openvino")
        cases = {key: run for key, run in cases.items() if key[0] in engines}
        for run in cases.values():
            run()
        times = measure(cases, args.samples, clock)

    clock_name = "CPU time" if args.clock == "cpu" else "wall time"
    print(f"\nmicroseconds per infer ({clock_name}, median [p25-p75]), 1 thread, "
          f"{args.samples} interleaved samples")
    print(f"{'steps':>6}  " + "  ".join(f"{e:>26}" for e in engines))
    medians = {}
    for steps in step_counts:
        cells = []
        for engine in engines:
            q1, median, q3 = (v * 1e6 for v in quartiles(times[(engine, steps)]))
            medians[(engine, steps)] = median
            cells.append(f"{median:10.1f} [{q1:7.1f}-{q3:7.1f}]")
        print(f"{steps:>6}  " + "  ".join(f"{c:>26}" for c in cells))
    print(f"\n{'engine':<16} {'us/step':>8} {'fixed us':>9} {'0-step us':>10}"
          + ("  per-step / OV  fixed / OV" if "openvino" in engines else ""))
    fits = {engine: line([(n, medians[(engine, n)]) for n in step_counts if n > 0])
            for engine in engines}
    for engine in engines:
        slope, intercept = fits[engine]
        row = f"{engine:<16} {slope:8.2f} {intercept:9.1f} {medians[(engine, 0)]:10.1f}"
        if "openvino" in fits:
            row += (f"  {slope / fits['openvino'][0]:13.1f}x "
                    f"{medians[(engine, 0)] / medians[('openvino', 0)]:9.1f}x")
        print(row)

    print("\nwhere ours spends a zero-step infer (each stage alone, median us):")
    for stage, micros in stage_costs(models[0], feeds, args.samples, clock).items():
        print(f"  {stage:<28} {micros:8.2f}")
    if args.profile:
        profile_ours(models[max(step_counts)], feeds, backends[0], args.profile, clock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
