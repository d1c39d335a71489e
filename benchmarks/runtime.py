"""Latency of the ov_notebook CPU runtime against torch eager, OpenVINO and ONNX Runtime.

    python benchmarks/runtime.py                       # the issue's matrix: every model,
                                                       # batch 1 and 8, 1 and 2 threads
    python benchmarks/runtime.py --models resnet50,bert --batch 1 --runs 30 --threads 2
    python benchmarks/runtime.py --threads 1 --clock cpu --without channels_last --peers ''
    python benchmarks/runtime.py --batch 1 --threads 1 2 --peers openvino --backends onednn,numpy

Each model (random weights: torchvision ``weights=None``, BERT-base from ``BertConfig()``) is
converted once per batch with ``ov_notebook.convert_model`` and saved; this runtime and OpenVINO
both compile that IR (OpenVINO with f32 inference precision), ONNX Runtime runs a
``torch.onnx.export`` of the same module. For each thread count of ``--threads`` every engine is
compiled for that count and the engines are timed interleaved (one call of each per round) so
that machine load hits them alike.

The table has one row per (model, batch, threads): median milliseconds of ours and OpenVINO, and
the ratios ours / OpenVINO (the issue's target: <= 1.2), ours / torch eager and ours / ONNX
Runtime, each as the median of the per-round ratios with their p25-p75 spread (rounds are
interleaved, so a round's ratio compares calls made under the same load). A row whose spread of
any ratio exceeds 20% of its median is flagged ``noisy``. Then the memory of one inference:

- ``RSS MiB``, for ours and OpenVINO alike: in a fresh process per engine, the IR is compiled,
  the C heap trimmed (glibc ``malloc_trim``: memory compiling freed would otherwise be reused
  without showing), then the peak resident set size during the first inference (Linux
  ``VmHWM``, reset through ``/proc/self/clear_refs`` right before it) minus the resident size
  before it; i.e. what one inference adds on top of the compiled model, whoever allocates it
  (numpy, oneDNN, OpenVINO's C++ arenas; lazy work of a first inference included). Measured at
  the first thread count only; ``-`` where Linux's counters are absent;
- ``trace MiB``, ours only: tracemalloc's peak of one steady-state inference (numpy buffers
  included), the figure this script reported before, comparable with earlier runs, plus the
  arena its static oneDNN steps write into (``runtime/arena.py``: made at a thread's first
  inference and kept, so a steady-state one no longer allocates it);

and the largest difference between this runtime's first output and torch's, relative to torch's
largest magnitude. ``--without PASSES`` adds this runtime with those compile passes disabled
(``DISABLED_PASSES``) as one more engine, for a pass's before/after in the same run;
``--backends`` adds one engine per extra ``KERNEL_BACKEND``; ``--clock cpu`` times the calling
thread's CPU time (for one thread: other processes' load barely changes it); ``--profile N``
adds, per row, the N runtime op types this runtime spends most time in (``PERF_COUNT``
profiling, a median over the runs).

Thread pools that spin after their work (OpenBLAS, OpenMP, TBB) would steal the cores of the engine
timed next: OpenBLAS's threads sleep at once (``OPENBLAS_THREAD_TIMEOUT=4``, unless set), and each
call is followed by a short untimed pause in which the pools go idle. libgomp (torch's and oneDNN's)
keeps the spin ``import ov_notebook`` sets, what a user importing it first gets: making it passive
(``OMP_WAIT_POLICY=PASSIVE``) would charge every multi-threaded oneDNN call and torch op a futex
wake-up (mobilenet_v3_large at 2 threads: 1.45x slower than at 1 thread).
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before numpy loads OpenBLAS
import ov_notebook  # noqa: E402,F401  (its libgomp spin policy, set before torch loads libgomp)
import json
import statistics
import subprocess
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


def save_ir(model, inputs, directory, converter="ov_notebook") -> str:
    """Convert ``model`` once and save the IR every engine of ours and OpenVINO compiles."""
    path = os.path.join(directory, "model.xml")
    if converter == "openvino":
        convert_with_openvino(model, inputs, path)
    else:
        import ov_notebook as ov

        example = tuple(inputs.values()) if len(inputs) > 1 else next(iter(inputs.values()))
        ov.save_model(ov.convert_model(model, example_input=example), path)
    return path


def ours_compiled(path, threads, disabled="", backend="auto"):
    import ov_notebook as ov

    config = {"INFERENCE_NUM_THREADS": threads, "KERNEL_BACKEND": backend}
    if disabled:
        config["DISABLED_PASSES"] = disabled
    return ov.compile_model(ov.read_model(path), "CPU", config)


def ours_engine(path, feeds, threads, disabled="", backend="auto"):
    compiled = ours_compiled(path, threads, disabled, backend)
    request = compiled.create_infer_request()
    return lambda: np.asarray(request.infer(feeds)[0]), compiled


def openvino_compiled(path, threads):
    import openvino

    core = openvino.Core()
    return core.compile_model(core.read_model(path), "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_PRECISION_HINT": "f32"})


def openvino_engine(path, feeds, threads):
    request = openvino_compiled(path, threads).create_infer_request()
    return lambda: np.asarray(request.infer(feeds)[0])


def onnxruntime_engine(model, inputs, threads, directory):
    import onnxruntime
    import torch

    path = os.path.join(directory, "model.onnx")
    arguments = tuple(inputs.values())
    if not os.path.exists(path):  # exported once per model and batch, for every thread count
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


def build_engines(model, inputs, path, threads, peers, directory, without="", backends=("auto",)):
    """({engine name: callable}, our CompiledModel) for one model, batch and thread count; peers
    that fail are reported and left out. ``backends``: KERNEL_BACKEND of "ov_notebook", then of
    one more engine ``ov_notebook[<backend>]`` each."""
    feeds = [t.numpy() for t in inputs.values()]
    engines = {"torch": torch_engine(model, inputs)}
    engines["ov_notebook"], compiled = ours_engine(path, feeds, threads, backend=backends[0])
    for backend in backends[1:]:
        engines[f"ov_notebook[{backend}]"] = ours_engine(path, feeds, threads, backend=backend)[0]
    if without:
        engines[f"-{without}"] = ours_engine(path, feeds, threads, disabled=without,
                                             backend=backends[0])[0]
    makers = {"openvino": lambda: openvino_engine(path, feeds, threads),
              "onnxruntime": lambda: onnxruntime_engine(model, inputs, threads, directory)}
    for peer in peers:
        try:
            engines[peer] = makers[peer]()
        except Exception as exc:  # noqa: BLE001  a missing or failing peer is not our result
            print(f"  {peer} skipped: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
    return engines, compiled


IDLE_PAUSE = 0.005  # seconds after each timed call: the thread pools' spin ends before the next engine


def measure(engines, runs, warmup, clock=time.perf_counter):
    """Seconds of each call per engine, ``{name: [seconds per round]}``, timed interleaved: one
    call of every engine per round."""
    for _ in range(warmup):
        for run in engines.values():
            run()
    times = {name: [] for name in engines}
    for _ in range(runs):
        for name, run in engines.items():
            started = clock()
            run()
            times[name].append(clock() - started)
            time.sleep(IDLE_PAUSE)
    return times


def spread(values) -> tuple:
    """(p25, median, p75) of ``values``."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    low, median, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, median, high


def ratio_spread(times, engine, peer) -> tuple | None:
    """(p25, median, p75) of the per-round ratios ``engine / peer``, or None if either is
    missing."""
    if engine not in times or peer not in times:
        return None
    return spread([a / b for a, b in zip(times[engine], times[peer]) if b > 0])


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
    print(f"\n{row['model']} batch {row['batch']}, {row['threads']} threads: time by runtime op "
          f"type (PERF_COUNT, median ms)")
    for kind, steps, ms in row["profile"][:top]:
        print(f"  {kind:<32} {steps:>5} steps  {ms:9.2f} ms  {100 * ms / total:5.1f}%")


# --- memory of one inference --------------------------------------------------------------------
def traced_peak(run) -> float:
    """MiB tracemalloc sees allocated at the peak of one call, beyond what was allocated before
    it (Python and numpy allocations only: not OpenVINO's or oneDNN's own)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        run()
        return (tracemalloc.get_traced_memory()[1] - before) / 2**20
    finally:
        tracemalloc.stop()


def arena_mib(compiled) -> float:
    """MiB of the arena a thread's inferences of ``compiled`` keep (0 without one)."""
    layout = getattr(compiled._plan.plan, "arena", None)  # noqa: SLF001
    return layout.size / 2**20 if layout is not None else 0.0


def _resident_kib() -> dict:
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields


def _trim_heap() -> None:
    """Hand the C heap's free pages back to the OS (glibc), so that an inference reusing memory
    that compiling freed counts it too, for either engine."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the figure may come out lower
        pass


def first_inference_rss(engine: str, path: str, feeds_path: str, threads: int,
                        backend: str) -> float:
    """MiB the first inference of a freshly compiled model adds to the resident set at its peak
    (run in a process of its own: see ``rss_peak``)."""
    with np.load(feeds_path) as stored:
        feeds = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    if engine == "openvino":
        request = openvino_compiled(path, threads).create_infer_request()
    else:
        request = ours_compiled(path, threads, backend=backend).create_infer_request()
    _trim_heap()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # VmHWM := VmRSS (Linux >= 4.0)
    before = _resident_kib()
    request.infer(feeds)
    after = _resident_kib()
    return (after["VmHWM"] - before["VmRSS"]) / 1024


def rss_peak(engine: str, path: str, feeds, threads: int, backend: str) -> float | None:
    """``first_inference_rss`` in a fresh Python process (this one's heap, the other engines and
    torch would hide or inflate the figure); None where it cannot be measured."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    feeds_path = os.path.join(os.path.dirname(path), "feeds.npz")
    np.savez(feeds_path, *feeds)
    command = [sys.executable, os.path.abspath(__file__), "--rss-child",
               json.dumps([engine, path, feeds_path, threads, backend])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        print(f"  RSS of {engine} not measured: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return float(done.stdout.strip().splitlines()[-1])


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
    """The rows of one model and batch, one per thread count: per-round times of every engine,
    memory of one inference, max |ours - torch| / max |torch|."""
    import torch

    rows = []
    with tempfile.TemporaryDirectory(prefix="ovn_bench_") as directory:
        model, inputs = make_model(name, batch)
        path = save_ir(model, inputs, directory, args.converter)
        feeds = [t.numpy() for t in inputs.values()]
        for index, threads in enumerate(args.threads):
            torch.set_num_threads(threads)
            engines, compiled = build_engines(model, inputs, path, threads, peers, directory,
                                              args.without, args.backends)
            reference = engines["torch"]()
            difference = float(np.max(np.abs(engines["ov_notebook"]() - reference)) /
                               max(float(np.max(np.abs(reference))), 1e-30))
            times = measure(engines, args.runs, args.warmup,
                            time.thread_time if args.clock == "cpu" else time.perf_counter)
            row = {"model": name, "batch": batch, "threads": threads, "times": times,
                   "max_diff": difference, "backend": compiled.get_property("KERNEL_BACKEND"),
                   "traced_mib": traced_peak(engines["ov_notebook"]) + arena_mib(compiled),
                   "rss_mib": {},
                   "profile": step_profile(compiled, feeds, args.runs, threads)
                   if args.profile else []}
            del engines, compiled  # before the memory children: this process's heap is not theirs
            if index == 0 and args.memory:
                for engine in ["ov_notebook"] + [p for p in peers if p == "openvino"]:
                    row["rss_mib"][engine] = rss_peak(engine, path, feeds, threads,
                                                      args.backends[0])
            rows.append(row)
            print(format_row(row, ratio_columns(args, peers)), file=sys.stderr, flush=True)
    return rows


# --- the table ----------------------------------------------------------------------------------
NOISY = 0.2  # a ratio whose p25-p75 spread exceeds this fraction of its median


def ratio_columns(args, peers) -> list:
    """``[(label, engine, peer)]``: every engine of ours against OpenVINO, then ours against
    torch eager and ONNX Runtime."""
    ours = ["ov_notebook"] + [f"ov_notebook[{b}]" for b in args.backends[1:]] + \
        ([f"-{args.without}"] if args.without else [])
    columns = []
    if "openvino" in peers:
        columns += [(f"{e.replace('ov_notebook', 'ours')}/OV", e, "openvino") for e in ours]
    columns.append(("ours/torch", "ov_notebook", "torch"))
    if "onnxruntime" in peers:
        columns.append(("ours/ORT", "ov_notebook", "onnxruntime"))
    return columns


def _mib(value) -> str:
    return f"{'-':>8}" if value is None else f"{value:8.1f}"


def format_row(row, columns) -> str:
    times = row["times"]
    ours_ms = statistics.median(times["ov_notebook"]) * 1e3
    ov_ms = statistics.median(times["openvino"]) * 1e3 if "openvino" in times else None
    cells = [f"{row['model']:<20}", f"{row['batch']:>5}", f"{row['threads']:>7}",
             f"{ours_ms:9.1f}", f"{'-':>9}" if ov_ms is None else f"{ov_ms:9.1f}"]
    noisy = False
    for _, engine, peer in columns:
        quartiles = ratio_spread(times, engine, peer)
        if quartiles is None:
            cells.append(f"{'-':>18}")
            continue
        low, median, high = quartiles
        noisy |= high - low > NOISY * median
        cells.append(f"{median:5.2f} [{low:4.2f}-{high:4.2f}]".rjust(18))
    rss = row["rss_mib"]
    cells += [_mib(rss.get("ov_notebook")), _mib(rss.get("openvino")),
              f"{row['traced_mib']:9.1f}", f"{row['max_diff']:9.1e}", "noisy" if noisy else ""]
    return "  ".join(cells)


def print_table(rows, columns, converter, clock="wall") -> None:
    print(f"\nmedian {'CPU time' if clock == 'cpu' else 'latency'} in ms; ratios: median of the "
          f"per-round ratios [p25-p75]; 'noisy': a ratio's p25-p75 spread > {NOISY:.0%} of its "
          f"median; IR by {converter}")
    print("RSS MiB: peak resident memory the first inference of a fresh compiled model adds, "
          "in a process of its own (first thread count); trace MiB: tracemalloc peak of one "
          "inference of ours")
    header = [f"{'model':<20}", f"{'batch':>5}", f"{'threads':>7}", f"{'ours ms':>9}",
              f"{'OV ms':>9}"] + [f"{label:>18}" for label, _, _ in columns] + \
        [f"{'RSS ours':>8}", f"{'RSS OV':>8}", f"{'trace MiB':>9}", f"{'rel diff':>9}", "flag"]
    print("  ".join(header))
    if rows:
        print(f"(ov_notebook kernels: {rows[0]['backend']})")
    for row in rows:
        print(format_row(row, columns))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--rss-child"]:  # one engine's memory, in a process of its own
        print(first_inference_rss(*json.loads(argv[1])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, from: "
                        + ", ".join(MODELS))
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts, each a row per model and batch (engines compiled "
                        "for each)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
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
    parser.add_argument("--no-memory", dest="memory", action="store_false",
                        help="skip the RSS measurement (a fresh process per engine and model)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also list the N runtime op types ov_notebook spends most time in")
    args = parser.parse_args(argv)
    if any(threads < 1 for threads in args.threads):
        parser.error(f"--threads takes counts >= 1, got {args.threads}")
    args.backends = tuple(b.strip() for b in args.backends.split(",") if b.strip()) or ("auto",)
    peers = available_peers([p for p in args.peers.split(",") if p])
    columns = ratio_columns(args, peers)
    rows = []
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        for batch in args.batch:
            print(f"{name} batch {batch}, threads {args.threads} ...", file=sys.stderr, flush=True)
            rows.extend(benchmark(name, batch, args, peers))
    print_table(rows, columns, args.converter, args.clock)
    for row in rows if args.profile else ():
        print_profile(row, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
