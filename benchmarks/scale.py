"""Cost of a large model: convert, compile, first and steady inference, save, peak memory.

    python benchmarks/scale.py --size small          # 0.16B-parameter Llama, a quick run
    python benchmarks/scale.py --size 1b --runs 3    # 1.0B-parameter Llama
    python benchmarks/scale.py --size small --ir f16 # engines read the f16-compressed IR instead

Models are ``transformers.LlamaForCausalLM`` from a ``LlamaConfig`` with random weights (nothing is
downloaded), untied embeddings, no KV cache, one sequence of ``--tokens`` tokens:

- ``small``: hidden 768, 12 layers, 12 heads, intermediate 3072, vocab 32000 -> 0.16B parameters;
- ``1b``: TinyLlama's shape with 20 layers instead of 22 (hidden 2048, 32 heads, 4 KV heads,
  intermediate 5632, vocab 32000) -> 1.01B parameters, 4.0 GB of f32 weights.

A first subprocess builds the model and converts it with ``ov_notebook.convert_model``, then saves
it twice with ``ov_notebook.save_model``: with ``compress_to_fp16=True`` (timed, the "save" row of
the convert step) and without, the f32 IR the engines read. Then one subprocess per engine, the
same script on the same IR: ``read_model`` (ov_notebook's, or ``openvino.Core().read_model``),
``compile_model`` (1 inference thread by default, f32 inference precision for OpenVINO), the first
inference, the median of ``--runs`` more, and ``save_model`` of the read model with f16
compression. Each step runs in a fresh process, so no engine's caches or freed memory
affect another; the files a process wrote are flushed to disk (``fsync``, untimed) before it
ends, so the next one does not pay for their writeback: the prepare step's 6 GB of dirty pages
slowed whichever engine saved first (OpenVINO's save took 7.8 s run first, 3.2-4.3 s second).

Memory: before each step the process's peak resident set (``VmHWM``) is reset through
``/proc/self/clear_refs``; "+GiB" is the step's peak resident set minus the resident set it
started from (file pages of the memory-mapped .bin count once touched, as the kernel counts them,
for both engines). "anon" is the same for anonymous memory only (``RssAnon``, sampled every 5 ms:
what the engine allocated itself), peak and kept after the step. Where ``clear_refs`` cannot be
written, the resident peak is sampled too.

Each step shows wall seconds and CPU seconds (``time.process_time``: all of the process's threads;
on a loaded machine it moves less than wall time). Timings on a shared machine vary from run to
run: compare the ratios (ours / OpenVINO) measured in one run, not the seconds across runs.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SIZES = {
    "small": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                  num_key_value_heads=12, intermediate_size=3072, vocab_size=32000),
    "1b": dict(hidden_size=2048, num_hidden_layers=20, num_attention_heads=32,
               num_key_value_heads=4, intermediate_size=5632, vocab_size=32000),
}
STEPS = ("convert", "save_converted", "read", "compile", "first_infer", "steady_infer", "save")


# --- memory -------------------------------------------------------------------------------------
def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"{field} not in /proc/self/status")


class _Sampler:
    """Peak resident set (and its anonymous part: what the process allocated itself, without the
    pages of mapped files) sampled every 5 ms while a step runs."""

    def __init__(self):
        self.peak, self.anon, self._stop = 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.005):
            self._sample()

    def _sample(self):
        self.peak = max(self.peak, _rss_bytes())
        self.anon = max(self.anon, _anon_bytes())

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.peak, self.anon


def _anon_bytes() -> int:
    try:
        return _status_kib("RssAnon") * 1024
    except OSError:
        return 0


def _rss_bytes() -> int:
    try:
        return _status_kib("VmRSS") * 1024
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current resident set
        return True
    except OSError:
        return False


def measure(results: dict, name: str, function):
    """Run ``function()``, record its wall time and the resident memory it added at its peak."""
    import gc

    gc.collect()
    exact = _reset_peak()
    before, anon_before = _rss_bytes(), _anon_bytes()
    sampler = _Sampler()
    start, cpu_start = time.perf_counter(), time.process_time()
    value = function()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak, anon_peak = sampler.stop()
    if exact:
        peak = _status_kib("VmHWM") * 1024
    results[name] = {"seconds": seconds, "cpu": cpu, "rss_added": peak - before, "rss_peak": peak,
                     "anon_added": anon_peak - anon_before,
                     "anon_kept": _anon_bytes() - anon_before}
    return value


def flush_to_disk(*paths) -> None:
    """Write the dirty pages of ``paths`` to disk, so that the next step does not pay for them."""
    for path in paths:
        with open(path, "rb") as written:
            os.fsync(written.fileno())


# --- the model ----------------------------------------------------------------------------------
def build_model(size: str, seed: int = 0):
    import torch
    import transformers

    config = transformers.LlamaConfig(**SIZES[size], max_position_embeddings=2048,
                                      tie_word_embeddings=False, use_cache=False)
    torch.manual_seed(seed)
    with torch.no_grad():
        return transformers.LlamaForCausalLM(config).eval()


def token_ids(tokens: int, vocab: int, seed: int = 0):
    import numpy as np
    return np.random.default_rng(seed).integers(0, vocab, (1, tokens), dtype=np.int64)


def prepare(args) -> dict:
    """Convert with ov_notebook and save the IR the engines read; the torch side's timings."""
    import torch

    import ov_notebook as ov

    results = {}
    model = build_model(args.size)
    results["parameters"] = sum(p.numel() for p in model.parameters())
    ids = torch.from_numpy(token_ids(args.tokens, SIZES[args.size]["vocab_size"]))
    with torch.no_grad():
        expected = model(input_ids=ids).logits.numpy()
    converted = measure(results, "convert", functools.partial(
        ov.convert_model, model, example_input={"input_ids": ids}))
    del model  # the IR holds its own copy of the weights: drop torch's before saving
    measure(results, "save_converted", lambda: ov.save_model(
        converted, os.path.join(args.directory, "converted_f16.xml"), compress_to_fp16=True))
    ov.save_model(converted, os.path.join(args.directory, "model_f32.xml"), compress_to_fp16=False)
    import numpy as np
    np.save(os.path.join(args.directory, "expected.npy"), expected)
    flush_to_disk(*(os.path.join(args.directory, name) for name in (
        "converted_f16.xml", "converted_f16.bin", "model_f32.xml", "model_f32.bin", "expected.npy")))
    return results


def run_engine(args) -> dict:
    """read, compile, infer and save the IR with one engine (``args.engine``)."""
    import numpy as np

    if args.engine == "openvino":
        import openvino as ov
        core = ov.Core()
        read, config = core.read_model, {"INFERENCE_PRECISION_HINT": "f32"}
    else:
        import ov_notebook as ov
        read, config = ov.read_model, {}
    config.update({"INFERENCE_NUM_THREADS": args.threads, "PERFORMANCE_HINT": "LATENCY"})
    results = {}
    model = measure(results, "read", lambda: read(os.path.join(args.directory, f"model_{args.ir}.xml")))
    compiled = measure(results, "compile", lambda: ov.compile_model(model, "CPU", config))
    request = compiled.create_infer_request()
    feeds = [token_ids(args.tokens, SIZES[args.size]["vocab_size"])]
    first = measure(results, "first_infer", lambda: np.array(request.infer(feeds)[0]))
    times = []
    for _ in range(args.runs):  # wall time: inference threads may wait for each other
        start = time.perf_counter()
        request.infer(feeds)
        times.append(time.perf_counter() - start)
    results["steady_infer"] = {"seconds": statistics.median(times), "cpu": None,
                               "rss_added": None, "rss_peak": None, "anon_added": None,
                               "anon_kept": None}
    expected = np.load(os.path.join(args.directory, "expected.npy"))
    results["max_error"] = float(np.abs(first - expected).max() / np.abs(expected).max())
    out = os.path.join(args.directory, f"saved_{args.engine}.xml")
    measure(results, "save", lambda: ov.save_model(model, out, compress_to_fp16=True))
    flush_to_disk(out, out[:-4] + ".bin")
    return results


# --- driver -------------------------------------------------------------------------------------
def child(step: str, args, extra=()) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--step", step, "--size", args.size,
               "--tokens", str(args.tokens), "--runs", str(args.runs), "--threads",
               str(args.threads), "--ir", args.ir, "--directory", args.directory, *extra]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(value, scale=1.0, digits=2):
    return "-" if value is None else f"{value * scale:.{digits}f}"


def _ratio(mine, theirs):
    return mine / theirs if mine and theirs else None


def print_table(prepared, engines, args) -> None:
    gib = 1 / 2**30
    weights = prepared["parameters"] * 4
    print(f"\nLlama {args.size}: {prepared['parameters'] / 1e9:.3f}B parameters, "
          f"{weights * gib:.2f} GiB of f32 weights; {args.tokens} tokens, {args.threads} "
          f"thread(s), engines read the {args.ir} IR")
    print(f"convert (ov_notebook): {prepared['convert']['seconds']:.2f} s "
          f"({prepared['convert']['cpu']:.2f} s CPU), "
          f"+{prepared['convert']['rss_added'] * gib:.2f} GiB RSS;  save f16: "
          f"{prepared['save_converted']['seconds']:.2f} s "
          f"({prepared['save_converted']['cpu']:.2f} s CPU), "
          f"+{prepared['save_converted']['rss_added'] * gib:.2f} GiB RSS")
    ours, theirs = engines.get("ov_notebook"), engines.get("openvino")
    header = f"{'step':<14}{'ours s':>9}{'OV s':>9}{'ratio':>7}{'ours cpu':>10}{'OV cpu':>8}" \
             f"{'ratio':>7}{'ours +GiB':>11}{'OV +GiB':>9}{'ours anon':>11}{'OV anon':>9}" \
             f"{'kept':>6}{'ours anon/weights':>19}"
    print(header)
    print("-" * len(header))
    for step in ("read", "compile", "first_infer", "steady_infer", "save"):
        empty = {"seconds": None, "cpu": None, "rss_added": None, "anon_added": None,
                 "anon_kept": None}
        mine, peer = (ours or {}).get(step, empty), (theirs or {}).get(step, empty)
        share = mine["anon_added"] / weights if mine["anon_added"] is not None else None
        print(f"{step:<14}{_cell(mine['seconds']):>9}{_cell(peer['seconds']):>9}"
              f"{_cell(_ratio(mine['seconds'], peer['seconds'])):>7}{_cell(mine['cpu']):>10}"
              f"{_cell(peer['cpu']):>8}{_cell(_ratio(mine['cpu'], peer['cpu'])):>7}"
              f"{_cell(mine['rss_added'], gib):>11}{_cell(peer['rss_added'], gib):>9}"
              f"{_cell(mine['anon_added'], gib):>11}{_cell(peer['anon_added'], gib):>9}"
              f"{_cell(mine['anon_kept'], gib):>6}{_cell(share):>19}")
    for name, result in engines.items():
        print(f"{name}: first logits' largest difference from torch, relative to torch's "
              f"largest: {result['max_error']:.2e}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--runs", type=int, default=5, help="steady inferences (median)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ir", choices=("f32", "f16"), default="f32",
                        help="which IR the engines read: f32, or the f16-compressed one")
    parser.add_argument("--engines", default="ov_notebook,openvino")
    parser.add_argument("--directory", help="keep the IR here (default: a temporary directory)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args(argv)
    if args.step == "prepare":
        print(json.dumps(prepare(args)))
        return
    if args.step == "engine":
        print(json.dumps(run_engine(args)))
        return
    with tempfile.TemporaryDirectory(dir=args.directory) as directory:
        args.directory = directory
        prepared = child("prepare", args)
        if args.ir == "f16":
            os.replace(os.path.join(directory, "converted_f16.xml"),
                       os.path.join(directory, "model_f16.xml"))
            os.replace(os.path.join(directory, "converted_f16.bin"),
                       os.path.join(directory, "model_f16.bin"))
        engines = {name: child("engine", args, ("--engine", name))
                   for name in args.engines.split(",") if name}
    print_table(prepared, engines, args)
    if args.json:
        print(json.dumps({"prepared": prepared, "engines": engines}))


if __name__ == "__main__":
    main()
