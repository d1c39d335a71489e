"""Latency of the ov_notebook CPU runtime against torch eager, OpenVINO and ONNX Runtime.

    python benchmarks/runtime.py                       # every model, batch 1 and 8, 2 threads
    python benchmarks/runtime.py --models resnet50,bert --batch 1 --runs 30 --threads 2
    python benchmarks/runtime.py --threads 1 --clock cpu --without channels_last --peers ''
    python benchmarks/runtime.py --batch 1 --threads 2 --peers openvino --backends onednn,numpy

Each model (random weights: torchvision ``weights=None``, BERT-base from ``BertConfig()``) is
converted with ``ov_notebook.convert_model``; OpenVINO compiles the IR we save (f32 inference
precision), ONNX Runtime runs a ``torch.onnx.export`` of the same module. All engines use the same
thread count and are timed interleaved (one call of each per round) so that machine load hits them
alike; the table shows median milliseconds, ratios to torch eager, the peak memory one inference
of this runtime allocates (tracemalloc, numpy buffers included) and the largest difference between
this runtime's first output and torch's, relative to torch's largest magnitude. ``--without
PASSES`` adds this runtime with those compile passes disabled (``DISABLED_PASSES``) as one more
engine, for a pass's before/after in the same run; ``--clock cpu`` times the calling thread's CPU
time (for one thread: other processes' load barely changes it); ``--profile N`` adds, per model,
the N runtime op types this runtime spends most time in (``PERF_COUNT`` profiling, a median over
the runs).

Thread pools that spin after their work (OpenBLAS, OpenMP) would steal the cores of the engine timed
next; unless already set, the script makes them sleep at once (``OPENBLAS_THREAD_TIMEOUT=4``,
``OMP_WAIT_POLICY=PASSIVE``) so that interleaved timings measure each engine alone.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before numpy loads OpenBLAS
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch / onnxruntime load OpenMP
import statistics
import sys
import tempfile
import time
import tracemalloc

import numpy as np

MODELS = ("resnet50", "mobilenet_v3_large", "efficientnet_b0", "vit_b_16", "bert")
SEQUENCE_LENGTH = 128


# --- models -------------------------------------------------------------------------------------
def make_model(name: str, batch: int, seed: int = 0):
    """(eval torch module, example inputs as an ordered dict of name -> torch tensor)."""
    import torch

    torch.manual_seed(seed)
    if name == "bert":
        from transformers import BertConfig, BertModel

        model = BertModel(BertConfig()).eval()
        generator = torch.Generator().manual_seed(seed)
        ids = torch.randint(0, model.config.vocab_size, (batch, SEQUENCE_LENGTH), generator=generator)
        return model, {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _models import torchvision_model  # vit_b_16's zero head would make every output 0

    return torchvision_model(name, seed), {"x": torch.rand(batch, 3, 224, 224)}


def first_output(value):
    """The first tensor of a model output (a tensor, a tuple or a ModelOutput)."""
    if hasattr(value, "to_tuple"):
        value = value.to_tuple()
    while isinstance(value, (tuple, list)):
        value = value[0]
    return np.asarray(value.detach().numpy() if hasattr(value, "detach") else value)


# --- engines: each a zero-argument callable returning the first output ------------------------
def torch_engine(model, inputs):
    import torch

    def run():
        with torch.inference_mode():
            return first_output(model(**inputs))
    return run


def convert_with_openvino(model, inputs, path):
    """OpenVINO's own converter writes the IR (to run our runtime on models our frontend cannot
    convert yet, and to compare runtimes on identical graphs)."""
    import openvino
    import torch

    try:
        ov_model = openvino.convert_model(model, example_input=dict(inputs))
    except Exception:  # noqa: BLE001  some models trace only through torch.export
        ov_model = openvino.convert_model(torch.export.export(model, (), dict(inputs)))
    openvino.save_model(ov_model, path, compress_to_fp16=False)


def ours_engine(model, inputs, threads, directory, converter="ov_notebook", disabled="",
                backend="auto"):
    import ov_notebook as ov

    path = os.path.join(directory, "model.xml")
    if converter == "openvino":
        convert_with_openvino(model, inputs, path)
        ov_model = ov.read_model(path)
    else:
        example = tuple(inputs.values()) if len(inputs) > 1 else next(iter(inputs.values()))
        ov_model = ov.convert_model(model, example_input=example)
        ov.save_model(ov_model, path)
    config = {"INFERENCE_NUM_THREADS": threads, "KERNEL_BACKEND": backend}
    if disabled:
        config["DISABLED_PASSES"] = disabled
    compiled = ov.compile_model(ov_model, "CPU", config)
    feeds = [t.numpy() for t in inputs.values()]
    request = compiled.create_infer_request()
    return lambda: np.asarray(request.infer(feeds)[0]), compiled


def openvino_engine(inputs, threads, directory):
    import openvino

    core = openvino.Core()
    compiled = core.compile_model(core.read_model(os.path.join(directory, "model.xml")), "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    feeds = [t.numpy() for t in inputs.values()]
    return lambda: np.asarray(request.infer(feeds)[0])


def onnxruntime_engine(model, inputs, threads, directory):
    import onnxruntime
    import torch

    path = os.path.join(directory, "model.onnx")
    arguments = tuple(inputs.values())
    try:
        torch.onnx.export(model, arguments, path, input_names=list(inputs), dynamo=False)
    except Exception:  # noqa: BLE001  newer torch may only have the dynamo exporter
        torch.onnx.export(model, arguments, path, input_names=list(inputs), dynamo=True)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    feeds = dict(zip(names, (t.numpy() for t in inputs.values())))
    return lambda: np.asarray(session.run(None, feeds)[0])


def build_engines(name, batch, threads, peers, directory, converter, without="", backends=("auto",)):
    """({engine name: callable}, our CompiledModel, its input arrays) for one model and batch;
    peers that fail are reported and left out. ``backends``: KERNEL_BACKEND of "ov_notebook",
    then of one more engine ``ov_notebook[<backend>]`` each."""
    model, inputs = make_model(name, batch)
    engines = {"torch": torch_engine(model, inputs)}
    ours, compiled = ours_engine(model, inputs, threads, directory, converter,
                                 backend=backends[0])
    engines["ov_notebook"] = ours
    for backend in backends[1:]:
        engines[f"ov_notebook[{backend}]"] = ours_engine(model, inputs, threads, directory,
                                                         converter, backend=backend)[0]
    if without:
        engines[f"-{without}"] = ours_engine(model, inputs, threads, directory, converter,
                                            disabled=without)[0]
    makers = {"openvino": lambda: openvino_engine(inputs, threads, directory),
              "onnxruntime": lambda: onnxruntime_engine(model, inputs, threads, directory)}
    for peer in peers:
        try:
            engines[peer] = makers[peer]()
        except Exception as exc:  # noqa: BLE001  a missing or failing peer is not our result
            print(f"  {peer} skipped: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
    return engines, compiled, [t.numpy() for t in inputs.values()]


def measure(engines, runs, warmup, clock=time.perf_counter):
    """Median seconds per engine, timed interleaved: one call of every engine per round."""
    for _ in range(warmup):
        for run in engines.values():
            run()
    times = {name: [] for name in engines}
    for _ in range(runs):
        for name, run in engines.items():
            started = clock()
            run()
            times[name].append(clock() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def step_profile(compiled, feeds, runs, threads) -> list:
    """``[(runtime op type, steps, median ms per inference)]``, slowest first, from the
    ``PERF_COUNT`` records of ``runs`` inferences of ``compiled``'s model (compiled again with
    profiling on: timing each step costs a clock read per step)."""
    import ov_notebook as ov

    profiled = ov.compile_model(compiled.model, "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERF_COUNT": True,
        "KERNEL_BACKEND": compiled.get_property("KERNEL_BACKEND")})
    request = profiled.create_infer_request()
    request.infer(feeds)  # warm-up
    seconds, steps = {}, {}
    for _ in range(runs):
        request.infer(feeds)
        per_type = {}
        for info in request.profiling_info:
            if info.status == ov.ProfilingInfo.Status.EXECUTED:
                per_type[info.node_type] = per_type.get(info.node_type, 0.0) + \
                    info.real_time.total_seconds()
                steps[info.node_type] = steps.get(info.node_type, 0) + 1
        for kind, total in per_type.items():
            seconds.setdefault(kind, []).append(total)
    rows = [(kind, steps[kind] // runs, statistics.median(values) * 1e3)
            for kind, values in seconds.items()]
    return sorted(rows, key=lambda row: -row[2])


def print_profile(row, top: int) -> None:
    total = sum(ms for _, _, ms in row["profile"]) or 1.0
    print(f"\n{row['model']} batch {row['batch']}: time by runtime op type (PERF_COUNT, median ms)")
    for kind, steps, ms in row["profile"][:top]:
        print(f"  {kind:<32} {steps:>5} steps  {ms:9.2f} ms  {100 * ms / total:5.1f}%")


def peak_memory(run) -> float:
    """MiB allocated at the peak of one call, beyond what was allocated before it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        run()
        return (tracemalloc.get_traced_memory()[1] - before) / 2**20
    finally:
        tracemalloc.stop()


def available_peers(wanted):
    peers = []
    for peer in wanted:
        try:
            __import__(peer)
            peers.append(peer)
        except ImportError:
            print(f"{peer} is not installed: not measured", file=sys.stderr)
    return peers


def benchmark(name, batch, args, peers):
    """One row of the table: medians, ratios to torch, peak memory, max |ours - torch|."""
    import torch

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="ovn_bench_") as directory:
        engines, compiled, feeds = build_engines(name, batch, args.threads, peers, directory,
                                                 args.converter, args.without, args.backends)
        reference = engines["torch"]()
        difference = float(np.max(np.abs(engines["ov_notebook"]() - reference)) /
                           max(float(np.max(np.abs(reference))), 1e-30))
        medians = measure(engines, args.runs, args.warmup,
                          time.thread_time if args.clock == "cpu" else time.perf_counter)
        peak = peak_memory(engines["ov_notebook"])
        profile = step_profile(compiled, feeds, args.runs, args.threads) if args.profile else []
    return {"model": name, "batch": batch, "ms": {k: v * 1e3 for k, v in medians.items()},
            "peak_mib": peak, "max_diff": difference, "profile": profile,
            "backend": compiled.get_property("KERNEL_BACKEND")}


def format_row(row, engines) -> str:
    torch_ms = row["ms"]["torch"]
    cells = [f"{row['model']:<20}", f"{row['batch']:>5}"]
    for engine in engines:
        ms = row["ms"].get(engine)
        cells.append(f"{'-':>18}" if ms is None else f"{ms:9.1f} ({ms / torch_ms:4.2f}x)")
    cells += [f"{row['peak_mib']:9.1f}", f"{row['max_diff']:9.1e}"]
    openvino_ms = row["ms"].get("openvino")
    if openvino_ms:  # ours / OpenVINO, the target ratio, per backend measured
        cells += [f"{row['ms'][e] / openvino_ms:6.2f}" for e in engines
                  if e.startswith("ov_notebook") and e in row["ms"]]
    return "  ".join(cells)


def print_table(rows, engines, threads, converter, clock="wall") -> None:
    print(f"\nmedian {'CPU time' if clock == 'cpu' else 'latency'}, ms (ratio to torch eager), "
          f"{threads} threads, IR by {converter}")
    header = [f"{'model':<20}", f"{'batch':>5}"] + [f"{e:>18}" for e in engines]
    ratios = [f"{e.replace('ov_notebook', 'ours')}/OV" for e in engines
              if e.startswith("ov_notebook")] if "openvino" in engines else []
    print("  ".join(header + [f"{'peak MiB':>9}", f"{'rel diff':>9}"] + ratios))
    if rows:
        print(f"(ov_notebook kernels: {rows[0]['backend']})")
    for row in rows:
        print(format_row(row, engines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, from: "
                        + ", ".join(MODELS))
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--converter", choices=("ov_notebook", "openvino"), default="ov_notebook",
                        help="who writes the IR our runtime runs (openvino: its own converter)")
    parser.add_argument("--peers", default="openvino,onnxruntime",
                        help="comma-separated peers to measure besides torch ('' for none)")
    parser.add_argument("--without", default="", help="also run ov_notebook without these "
                        "comma-separated compile passes (DISABLED_PASSES), e.g. channels_last")
    parser.add_argument("--backends", default="auto",
                        help="KERNEL_BACKEND of ov_notebook (auto, onednn, numpy), comma-separated: "
                        "each one after the first adds an engine, e.g. auto,numpy for before/after")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: the calling thread's CPU time (meaningful with --threads 1)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also list the N runtime op types ov_notebook spends most time in")
    args = parser.parse_args(argv)
    args.backends = tuple(b.strip() for b in args.backends.split(",") if b.strip()) or ("auto",)
    peers = available_peers([p for p in args.peers.split(",") if p])
    engines = ["torch", "ov_notebook"] + [f"ov_notebook[{b}]" for b in args.backends[1:]] + \
        ([f"-{args.without}"] if args.without else []) + peers
    rows = []
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        for batch in args.batch:
            print(f"{name} batch {batch} ...", file=sys.stderr, flush=True)
            rows.append(benchmark(name, batch, args, peers))
            print(format_row(rows[-1], engines), file=sys.stderr, flush=True)
    print_table(rows, engines, args.threads, args.converter, args.clock)
    for row in rows if args.profile else ():
        print_profile(row, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
