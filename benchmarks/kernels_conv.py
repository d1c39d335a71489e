"""Convolution kernel latency against ``torch.nn.functional.conv2d`` at the same thread count.

    python benchmarks/kernels_conv.py                 # every layer, 2 threads
    python benchmarks/kernels_conv.py --threads 1 --runs 30 --only resnet50
    python benchmarks/kernels_conv.py --threads 1 --clock cpu   # on a busy machine

Layers are the batch-1 convolutions of resnet50 (with how often each occurs), mobilenet_v3_large
and efficientnet_b0 (depthwise). Ours runs on prepacked weights (what the compile pass feeds the
kernel) and is timed interleaved with torch, one call each per round, so machine load hits both
alike. The table shows median milliseconds and ours/torch; the resnet50 line weighs each layer by
its count. ``--clock cpu`` times with the calling thread's CPU time instead of the wall clock: with
one thread both engines compute in that thread, so other processes' load barely changes it.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning BLAS threads would slow torch
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import statistics
import time

import numpy as np

# (model, count, in channels, out channels, input size, kernel, stride, groups)
LAYERS = [
    ("resnet50", 1, 3, 64, 224, 7, 2, 1),
    ("resnet50", 1, 64, 64, 56, 1, 1, 1), ("resnet50", 2, 256, 64, 56, 1, 1, 1),
    ("resnet50", 3, 64, 64, 56, 3, 1, 1), ("resnet50", 4, 64, 256, 56, 1, 1, 1),
    ("resnet50", 1, 256, 128, 56, 1, 1, 1), ("resnet50", 1, 128, 128, 56, 3, 2, 1),
    ("resnet50", 1, 256, 512, 56, 1, 2, 1), ("resnet50", 3, 512, 128, 28, 1, 1, 1),
    ("resnet50", 3, 128, 128, 28, 3, 1, 1), ("resnet50", 4, 128, 512, 28, 1, 1, 1),
    ("resnet50", 1, 512, 256, 28, 1, 1, 1), ("resnet50", 1, 256, 256, 28, 3, 2, 1),
    ("resnet50", 1, 512, 1024, 28, 1, 2, 1), ("resnet50", 5, 1024, 256, 14, 1, 1, 1),
    ("resnet50", 5, 256, 256, 14, 3, 1, 1), ("resnet50", 6, 256, 1024, 14, 1, 1, 1),
    ("resnet50", 1, 1024, 512, 14, 1, 1, 1), ("resnet50", 1, 512, 512, 14, 3, 2, 1),
    ("resnet50", 1, 1024, 2048, 14, 1, 2, 1), ("resnet50", 2, 2048, 512, 7, 1, 1, 1),
    ("resnet50", 2, 512, 512, 7, 3, 1, 1), ("resnet50", 3, 512, 2048, 7, 1, 1, 1),
    ("mobilenet_v3", 1, 16, 16, 112, 3, 1, 16), ("mobilenet_v3", 1, 64, 64, 112, 3, 2, 64),
    ("mobilenet_v3", 1, 72, 72, 56, 5, 2, 72), ("mobilenet_v3", 2, 120, 120, 28, 5, 1, 120),
    ("mobilenet_v3", 1, 240, 240, 28, 3, 2, 240), ("mobilenet_v3", 2, 480, 480, 14, 3, 1, 480),
    ("mobilenet_v3", 2, 960, 960, 7, 5, 1, 960),
    ("efficientnet_b0", 1, 32, 32, 112, 3, 1, 32), ("efficientnet_b0", 1, 96, 96, 112, 3, 2, 96),
    ("efficientnet_b0", 1, 144, 144, 56, 5, 2, 144), ("efficientnet_b0", 3, 672, 672, 14, 5, 1, 672),
    ("efficientnet_b0", 4, 1152, 1152, 7, 5, 1, 1152),
]


def measure(functions, runs, clock=time.perf_counter):
    """Median seconds of each function, called interleaved (one call of each per round)."""
    for function in functions:
        function()
        function()
    times = [[] for _ in functions]
    for _ in range(runs):
        for index, function in enumerate(functions):
            start = clock()
            function()
            times[index].append(clock() - start)
    return [statistics.median(t) for t in times]


def bench_layer(layer, runs, clock):
    import torch

    from ov_notebook.runtime.kernels.convolution import convolve, prepare_convolution_weights

    _, _, cin, cout, size, k, stride, groups = layer
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, cin, size, size)).astype(np.float32)
    w = rng.standard_normal((cout, cin // groups, k, k)).astype(np.float32)
    pad = k // 2
    grouped = w.reshape((groups, cout // groups) + w.shape[1:])
    packed = prepare_convolution_weights(grouped if groups > 1 else w, grouped=groups > 1)
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)

    def ours():
        return convolve(x, packed, [stride] * 2, [1, 1], [pad] * 2, [pad] * 2)

    def theirs():
        with torch.no_grad():
            return torch.nn.functional.conv2d(xt, wt, stride=stride, padding=pad, groups=groups)

    reference = theirs().numpy()
    error = float(np.abs(ours() - reference).max() / max(np.abs(reference).max(), 1e-6))
    return measure([ours, theirs], runs, clock) + [error, packed.kind]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated model names")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: this thread's CPU time (needs --threads 1)")
    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu measures one thread: use --threads 1")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)
    wanted = set(filter(None, args.only.split(",")))
    totals = {}
    print(f"{'model':16}{'n':>3} {'layer':34}{'kind':>10}{'ours ms':>9}{'torch ms':>9}"
          f"{'ratio':>7}{'rel err':>9}")
    for layer in LAYERS:
        model, count, cin, cout, size, k, stride, groups = layer
        if wanted and model not in wanted:
            continue
        ours, theirs, error, kind = bench_layer(layer, args.runs, clock)
        total = totals.setdefault(model, [0.0, 0.0])
        total[0] += count * ours
        total[1] += count * theirs
        name = f"{cin}->{cout} {size}x{size} k{k} s{stride} g{groups}"
        print(f"{model:16}{count:>3} {name:34}{kind:>10}{ours * 1e3:9.3f}{theirs * 1e3:9.3f}"
              f"{ours / theirs:7.2f}{error:9.1e}", flush=True)
    for model, (ours, theirs) in totals.items():
        print(f"{model:16} weighted total: ours {ours * 1e3:.2f} ms, torch {theirs * 1e3:.2f} ms, "
              f"ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
