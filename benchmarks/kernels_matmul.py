"""MatMul kernel latency against torch on the transformer shapes of vit_b_16 and BERT-base.

    python benchmarks/kernels_matmul.py                     # 2 threads, batch 1
    python benchmarks/kernels_matmul.py --threads 1 --clock cpu --batch 1 8

Linear layers run what a compiled plan runs: the fused MatMul kernel on a prepacked [K, N] weight
(the runtime splits it over threads itself, BLAS single-threaded); torch runs
``torch.nn.functional.linear`` on its [N, K] weight. The attention products multiply per-head views
of a fused QKV projection (strided, as the graph's Transpose leaves them) with the plain MatMul
kernel, against ``torch.matmul`` on the same views. Timed interleaved, one call each per round;
medians and ours/torch per case and per model (each weighted by how often a layer runs it).
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning BLAS threads would slow torch
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import time

import numpy as np

from kernels_conv import measure

# model: (tokens per image, hidden, MLP width, heads, layers, fused QKV projection)
MODELS = {"vit_b_16": (197, 768, 3072, 12, 12, True), "bert": (128, 768, 3072, 12, 12, False)}


def cases(model, batch):
    """(name, count per inference, ours, torch's) for one model at one batch."""
    tokens, hidden, width, heads, layers, fused_qkv = MODELS[model]
    rows = batch * tokens
    linear = [("qkv", 1, hidden, 3 * hidden)] if fused_qkv else [("q/k/v", 3, hidden, hidden)]
    linear += [("attention out", 1, hidden, hidden), ("mlp up", 1, hidden, width),
               ("mlp down", 1, width, hidden)]
    result = [(f"{name} [{rows},{k}]@[{k},{n}]", count * layers, *_linear_calls(rows, k, n))
              for name, count, k, n in linear]
    ours, theirs = _attention_calls(batch, tokens, hidden, heads)
    result.append((f"attention QK^T, PV {heads}x{tokens}x{hidden // heads}", layers, ours, theirs))
    return result


def _linear_calls(rows, inner, columns):
    import torch

    from ov_notebook.runtime.kernels import get_kernel

    rng = np.random.default_rng(0)
    a = rng.standard_normal((1, rows, inner)).astype(np.float32)
    weight = rng.standard_normal((columns, inner)).astype(np.float32)
    packed = np.ascontiguousarray(weight.T)  # what prepacking stores: [K, N]
    fused = get_kernel("FusedMatMul").function
    at, wt = torch.from_numpy(a), torch.from_numpy(weight)
    return (lambda: fused(a, weight, post_ops="", weights=packed),
            lambda: torch.nn.functional.linear(at, wt))


def _attention_calls(batch, tokens, hidden, heads):
    import torch

    from ov_notebook.runtime.kernels import get_kernel

    matmul = get_kernel("MatMul").function
    qkv = np.random.default_rng(1).standard_normal(
        (batch, tokens, 3, heads, hidden // heads)).astype(np.float32)
    q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))  # [N, heads, T, d] views
    tq, tk, tv = (torch.from_numpy(qkv)[:, :, i].transpose(1, 2) for i in range(3))

    def ours():
        return matmul(matmul(q, k, transpose_b=True), v)

    def theirs():
        return torch.matmul(torch.matmul(tq, tk.transpose(-1, -2)), tv)
    return ours, theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--batch", type=int, nargs="+", default=[1])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: this thread's CPU time (needs --threads 1)")
    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu measures one thread: use --threads 1")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    import torch
    from threadpoolctl import threadpool_limits

    from ov_notebook.runtime.compiler import thread_limit
    from ov_notebook.runtime.memory import keep_freed_memory
    from ov_notebook.runtime.parallel import thread_budget

    keep_freed_memory()
    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)
    print(f"ours/torch, {args.threads} thread(s), {args.clock} clock, median of {args.runs}")
    with thread_budget(args.threads), thread_limit(1), torch.inference_mode():
        for model in filter(None, args.models.split(",")):
            for batch in args.batch:
                totals = [0.0, 0.0]
                for name, count, ours, theirs in cases(model, batch):
                    mine, torch_time = measure([ours, theirs], args.runs, clock)
                    totals[0] += count * mine
                    totals[1] += count * torch_time
                    print(f"  {model:9} b{batch} {name:44}{mine * 1e3:9.3f}{torch_time * 1e3:9.3f}"
                          f"{mine / torch_time:7.2f}", flush=True)
                print(f"{model} batch {batch}: matmuls ours {totals[0] * 1e3:.1f} ms, torch "
                      f"{totals[1] * 1e3:.1f} ms, ratio {totals[0] / totals[1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
