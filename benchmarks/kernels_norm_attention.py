"""Normalization, softmax, attention, resize and top-k kernel latency against torch.

    python benchmarks/kernels_norm_attention.py                  # 1 thread, 20 runs
    python benchmarks/kernels_norm_attention.py --threads 2 --runs 50 --clock cpu

Shapes are the hot ones of BERT-base / ViT-B/16 at batch 1 (LayerNorm is MVN over the last axis,
attention is SDPA over 12 heads), resnet-style upsampling and classifier top-5. Ours and torch run
interleaved, one call each per round, so machine load hits both alike; the table shows median
milliseconds and ours/torch.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning BLAS threads would slow torch
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import statistics
import time

import numpy as np


class _Node:  # what the Interpolate kernel asks of its node
    @staticmethod
    def get_version():
        return "opset11"


def cases(kernel, torch):
    """(name, ours, torch's) call pairs on the same data."""
    functional = torch.nn.functional
    rng = np.random.default_rng(0)
    hidden = rng.standard_normal((1, 197, 768)).astype(np.float32)
    # BERT's heads: strided views of the [1, 128, 3, 12, 64] projections, an all-True padding mask
    projected = rng.standard_normal((1, 128, 3, 12, 64)).astype(np.float32)
    bert_q, bert_k, bert_v = (projected[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
    padding = np.ones((1, 1, 128, 128), bool)
    scores = rng.standard_normal((1, 12, 197, 197)).astype(np.float32)
    intermediate = rng.standard_normal((1, 128, 3072)).astype(np.float32)  # BERT's MLP
    heads = rng.standard_normal((1, 12, 197, 64)).astype(np.float32)
    image = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
    logits = rng.standard_normal((32, 1000)).astype(np.float32)
    groups = rng.standard_normal((1, 320, 32, 32)).astype(np.float32)
    t = {name: torch.from_numpy(value) for name, value in [
        ("hidden", hidden), ("scores", scores), ("heads", heads), ("image", image), ("logits", logits),
        ("groups", groups), ("bert_q", bert_q), ("bert_k", bert_k), ("bert_v", bert_v),
        ("padding", padding), ("intermediate", intermediate)]}
    mvn, softmax, sdpa = kernel("MVN"), kernel("Softmax"), kernel("ScaledDotProductAttention")
    resize, topk, group_norm = kernel("Interpolate"), kernel("TopK"), kernel("GroupNormalization")
    ones, zeros = np.ones(320, np.float32), np.zeros(320, np.float32)
    gamma, beta = rng.random(768).astype(np.float32) + 0.5, rng.standard_normal(768).astype(np.float32)
    t_gamma, t_beta = torch.from_numpy(gamma), torch.from_numpy(beta)
    multiply, add, fused_mvn = kernel("Multiply"), kernel("Add"), kernel("FusedMVN")
    gelu = kernel("Gelu")
    axes = np.array([-1])

    def layer_norm_unfused():  # as the plan runs MVN, Multiply, Add (in place on dead buffers)
        y = mvn(hidden, axes, eps=1e-6, normalize_variance=True, eps_mode="INSIDE_SQRT")
        return add(multiply(y, gamma, out=y), beta, out=y)

    def interpolate(mode, coordinates):
        return lambda: resize(image, np.array([112, 112]), np.array([2, 3]), mode=mode,
                              shape_calculation_mode="sizes", nearest_mode="floor",
                              coordinate_transformation_mode=coordinates, node=_Node())

    return [
        ("MVN last axis 197x768 (LayerNorm)",
         lambda: mvn(hidden, np.array([-1]), eps=1e-6, normalize_variance=True, eps_mode="INSIDE_SQRT"),
         lambda: functional.layer_norm(t["hidden"], (768,), eps=1e-6)),
        ("LayerNorm 197x768 gamma beta: MVN, Mul, Add", layer_norm_unfused,
         lambda: functional.layer_norm(t["hidden"], (768,), t_gamma, t_beta, eps=1e-6)),
        ("LayerNorm 197x768 gamma beta: FusedMVN",
         lambda: fused_mvn(hidden, axes, gamma, beta, eps=1e-6, post_ops="mul;add"),
         lambda: functional.layer_norm(t["hidden"], (768,), t_gamma, t_beta, eps=1e-6)),
        ("Gelu erf 128x3072", lambda: gelu(intermediate), lambda: functional.gelu(t["intermediate"])),
        ("Softmax 12x197x197", lambda: softmax(scores, axis=-1), lambda: torch.softmax(t["scores"], -1)),
        ("SDPA 12 heads 197x64", lambda: sdpa(heads, heads, heads),
         lambda: functional.scaled_dot_product_attention(t["heads"], t["heads"], t["heads"])),
        ("SDPA BERT 12x128x64 mask, heads merged", lambda: sdpa(
            bert_q, bert_k, bert_v, padding, np.float32(0.125), output_order=(0, 2, 1, 3))
         .transpose(0, 2, 1, 3).reshape(1, 128, 768),
         lambda: functional.scaled_dot_product_attention(
             t["bert_q"], t["bert_k"], t["bert_v"], t["padding"]).transpose(1, 2).reshape(1, 128, 768)),
        ("Interpolate nearest 2x 64x56x56", interpolate("nearest", "asymmetric"),
         lambda: functional.interpolate(t["image"], scale_factor=2, mode="nearest")),
        ("Interpolate bilinear 2x", interpolate("linear_onnx", "pytorch_half_pixel"),
         lambda: functional.interpolate(t["image"], scale_factor=2, mode="bilinear")),
        ("Interpolate bicubic 2x", interpolate("cubic", "pytorch_half_pixel"),
         lambda: functional.interpolate(t["image"], scale_factor=2, mode="bicubic")),
        ("TopK 32x1000 k=5", lambda: topk(logits, np.int64(5), axis=1, mode="max", sort="value"),
         lambda: torch.topk(t["logits"], 5, 1)),
        ("GroupNormalization 32 groups 320x32x32",
         lambda: group_norm(groups, ones, zeros, num_groups=32, epsilon=1e-5),
         lambda: functional.group_norm(t["groups"], 32, eps=1e-5)),
    ]


def measure(functions, runs, clock):
    """Median seconds of each function, called interleaved (one call of each per round)."""
    for function in functions:
        function()
    times = [[] for _ in functions]
    for _ in range(runs):
        for index, function in enumerate(functions):
            start = clock()
            function()
            times[index].append(clock() - start)
    return [statistics.median(t) for t in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args()
    import torch
    from threadpoolctl import threadpool_limits

    from ov_notebook.runtime.kernels import get_kernel
    from ov_notebook.runtime.memory import keep_freed_memory
    from ov_notebook.runtime.parallel import thread_budget

    keep_freed_memory()  # as compile_model does: temporaries reuse kept memory, no page faults
    torch.set_num_threads(args.threads)
    clock = time.perf_counter if args.clock == "wall" else time.thread_time
    print(f"{'kernel':46s} {'ours ms':>9s} {'torch ms':>9s} {'ratio':>7s}")

    def within_budget(function):  # as inside a compiled model's run: BLAS on 1 thread, the
        def run():                # kernels split their own work over the budget
            with thread_budget(args.threads):
                return function()
        return run

    # numpy's BLAS single-threaded as in a run (torch keeps its own pool of args.threads)
    with threadpool_limits(1, user_api="blas"), torch.no_grad():
        for name, ours, theirs in cases(lambda t: get_kernel(t).function, torch):
            mine, reference = measure([within_budget(ours), theirs], args.runs, clock)
            print(f"{name:46s} {mine * 1e3:9.3f} {reference * 1e3:9.3f} {mine / reference:7.2f}")


if __name__ == "__main__":
    main()
