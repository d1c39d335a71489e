"""Standalone element-wise ops: the op's numpy ``compute`` against oneDNN's eltwise and binary
primitives (``runtime/onednn/eltwise.py``), to place ``MIN_ELEMENTS``.

    python benchmarks/kernels_eltwise.py --clock cpu           # 1 thread, 9 runs
    python benchmarks/kernels_eltwise.py --ops Gelu,Add --runs 21

Both run interleaved, one call each per round, into fresh output buffers (the plan's usual
case), without oneDNN's size thresholds; the table shows numpy's median time over oneDNN's
per shape (above 1: oneDNN is faster) and, last, oneDNN's median in microseconds.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from kernels_norm_attention import measure  # interleaved medians, shared by the kernel benchmarks

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SHAPES = [(1, 1024), (1, 4096), (1, 16384), (1, 128, 768), (1, 64, 112, 112), (8, 197, 3072)]
UNARY = {"Relu": {}, "Sigmoid": {}, "Tanh": {}, "Gelu": {"approximation_mode": "ERF"},
         "Gelu:TANH": {"approximation_mode": "TANH"}, "HSwish": {}, "HSigmoid": {},
         "Clamp": {"min": 0.0, "max": 6.0}, "Swish": {"beta": 1.0}, "Mish": {}, "SoftPlus": {},
         "Elu": {"alpha": 1.0}, "Abs": {}, "Sqrt": {}, "Exp": {}, "Log": {}}
# oneDNN algorithms of ops without an ``onednn_eltwise`` trait (measured: numpy holds its own)
CANDIDATES = {"Abs": ("abs", 0.0, 0.0), "Sqrt": ("sqrt", 0.0, 0.0), "Exp": ("exp", 0.0, 0.0),
              "Log": ("log", 0.0, 0.0)}
BINARY = ["Add", "Multiply", "Subtract", "Divide", "Maximum", "Minimum"]


def unary_case(name, arguments, x, runtime, onednn_eltwise):
    from ov_notebook.ir.node import get_op_class
    from ov_notebook.runtime.onednn.eltwise import EltwiseKernel, eltwise_algorithm

    op_class = get_op_class(name.split(":")[0])
    trait = op_class.onednn_eltwise or onednn_eltwise.get(name)
    found = eltwise_algorithm(trait, arguments) if trait else None
    if found is None:
        return None
    kernel = EltwiseKernel(runtime, *found)
    if "beta" in arguments:  # Swish's beta is an input
        return (lambda: op_class.compute(x, arguments["beta"])), (lambda: kernel(x, 1))
    return (lambda: op_class.compute(x, **arguments)), (lambda: kernel(x, 1))


def binary_case(name, a, b, runtime):
    from ov_notebook.ir.node import get_op_class
    from ov_notebook.runtime.onednn.eltwise import BinaryKernel

    op_class = get_op_class(name)
    kernel = BinaryKernel(runtime, op_class.onednn_binary, op_class.commutative)
    return (lambda: op_class.compute(a, b)), (lambda: kernel(a, b, 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    parser.add_argument("--ops", default="", help="comma-separated op names (default: all)")
    args = parser.parse_args()
    from ov_notebook.runtime import onednn

    runtime = onednn.runtime()
    if runtime is None:
        sys.exit(f"oneDNN is unavailable: {onednn.unavailable_reason()}")
    runtime.set_threads(1)
    clock = time.perf_counter if args.clock == "wall" else time.thread_time
    wanted = set(filter(None, args.ops.split(",")))
    rng = np.random.default_rng(0)
    inputs = {shape: rng.standard_normal(shape).astype(np.float32) for shape in SHAPES}
    print(f"{'op':<14}" + "".join(f"{'x'.join(map(str, s)):>16}" for s in SHAPES)
          + "   oneDNN us at the largest")
    rows = [(name, "unary") for name in UNARY] + [(name, "binary") for name in BINARY] + \
        [(name + "[C]", "channel") for name in BINARY]
    for name, kind in rows:
        if wanted and name.split(":")[0].split("[")[0] not in wanted:
            continue
        cells, last = [], 0.0
        for x in inputs.values():
            positive = np.abs(x) + 0.5  # Sqrt, Log, Divide
            if kind == "unary":
                pair = unary_case(name, UNARY[name], positive if name in ("Sqrt", "Log") else x,
                                  runtime, CANDIDATES)
            else:  # [C]: a per-channel operand [1, C, 1...] (a bias), else same shape
                other = positive if kind == "binary" else \
                    positive[(slice(None, 1), slice(None)) + (slice(0, 1),) * (x.ndim - 2)].copy()
                pair = binary_case(name.split("[")[0], x, other, runtime)
            if pair is None:
                cells.append(f"{'-':>16}")
                continue
            numpy_time, onednn_time = measure(pair, args.runs, clock)
            cells.append(f"{numpy_time / onednn_time:>16.2f}")
            last = onednn_time
        print(f"{name:<14}" + "".join(cells) + f"   {last * 1e6:.0f}")


if __name__ == "__main__":
    main()
