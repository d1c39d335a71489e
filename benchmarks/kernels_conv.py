"""Convolution and pooling kernel latency against torch, layer by layer over whole-model mixes.

    python benchmarks/kernels_conv.py                        # every model, batch 1, 2 threads
    python benchmarks/kernels_conv.py --threads 1 --clock cpu --batch 1 8
    python benchmarks/kernels_conv.py --models resnet50 --layers --runs 30

The layers are every Conv2d, MaxPool2d, AvgPool2d and AdaptiveAvgPool2d that torchvision's
resnet50, mobilenet_v3_large and efficientnet_b0 run on a 224x224 image (found with forward hooks;
identical layers are measured once and weighted by how often they occur). Ours runs what a compiled
plan runs: the fused convolution kernel on prepacked weights (empty epilogue) and the pooling
kernels, under the run's thread budget with BLAS single-threaded (the runtime splits the work over
threads itself, see ``runtime/kernels/_tiling.py``); torch runs ``torch.nn.functional``. Both are
timed interleaved, one call each per round, so machine load hits both alike. Printed: median
milliseconds and ours/torch per layer family (stem, dense, pointwise, depthwise, grouped, pool)
and per model mix, each weighted by layer counts.

``--clock cpu`` times with the calling thread's CPU time instead of the wall clock: with one thread
both engines compute in that thread, so other processes' load barely changes it. ``--layout nhwc``
runs ours channels-last (the kernels of the ``channels_last`` pass, on an NHWC copy of the input;
torch stays NCHW, as eager runs); ``--layout both`` times both of ours and torch interleaved.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning BLAS threads would slow torch
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import statistics
import time

import numpy as np

MODELS = ("resnet50", "mobilenet_v3_large", "efficientnet_b0")
FAMILIES = ("stem", "dense", "pointwise", "depthwise", "grouped", "pool")


# --- the layer mixes ------------------------------------------------------------------------------
def model_layers(name, batch, size=224):
    """``{layer: count}`` for model ``name``; a layer is ``(kind, input shape, attributes)``."""
    import torch
    import torchvision

    model = torchvision.models.get_model(name, weights=None).eval()
    counts, hooks = {}, []

    def record(module, inputs, _output):
        key = _layer_key(module, tuple(inputs[0].shape))
        counts[key] = counts.get(key, 0) + 1

    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.MaxPool2d, torch.nn.AvgPool2d,
                               torch.nn.AdaptiveAvgPool2d)):
            hooks.append(module.register_forward_hook(record))
    with torch.no_grad():
        model(torch.zeros(batch, 3, size, size))
    for hook in hooks:
        hook.remove()
    return counts


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _layer_key(module, shape):
    import torch

    if isinstance(module, torch.nn.Conv2d):
        return ("conv", shape, (module.out_channels, module.kernel_size, module.stride,
                                module.padding, module.dilation, module.groups))
    if isinstance(module, torch.nn.AdaptiveAvgPool2d):
        return ("adaptive_avg", shape, (_pair(module.output_size),))
    kind = "max" if isinstance(module, torch.nn.MaxPool2d) else "avg"
    return (kind, shape, (_pair(module.kernel_size), _pair(module.stride),
                          _pair(module.padding), bool(module.ceil_mode)))


def family(layer) -> str:
    kind, shape, attrs = layer
    if kind != "conv":
        return "pool"
    out_channels, kernel, _, _, _, groups = attrs
    if groups > 1:
        return "depthwise" if groups == shape[1] == out_channels else "grouped"
    if shape[1] <= 4 and kernel != (1, 1):
        return "stem"
    return "pointwise" if kernel == (1, 1) else "dense"


def describe(layer) -> str:
    kind, shape, attrs = layer
    size = f"{shape[2]}x{shape[3]}"
    if kind == "conv":
        out_channels, kernel, stride, _, _, groups = attrs
        return f"{shape[1]}->{out_channels} {size} k{kernel[0]} s{stride[0]} g{groups}"
    if kind == "adaptive_avg":
        return f"adaptive avg {shape[1]} {size}->{attrs[0][0]}"
    return f"{kind}pool {shape[1]} {size} k{attrs[0][0]} s{attrs[1][0]}"


# --- one layer: ours and torch's on the same data -------------------------------------------------
def layer_calls(layer, layout="nchw"):
    """(ours, theirs): zero-argument callables computing ``layer`` on the same random input
    (ours in ``layout``: nhwc results are channels-last)."""
    import torch

    kind, shape, attrs = layer
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    xt = torch.from_numpy(x)
    if kind == "conv":
        return _conv_calls(x, xt, attrs, rng, layout)
    from ov_notebook.runtime.kernels import pooling

    if layout == "nhwc":
        return _pool_nhwc(np.ascontiguousarray(x.transpose(0, 2, 3, 1)), xt, kind, attrs)

    if kind == "adaptive_avg":
        sizes = np.array(attrs[0], np.int64)
        return (lambda: pooling.adaptive_avg_pool(x, sizes),
                lambda: torch.nn.functional.adaptive_avg_pool2d(xt, attrs[0]))
    kernel, stride, padding, ceil = attrs
    settings = dict(strides=list(stride), kernel=list(kernel), pads_begin=list(padding),
                    pads_end=list(padding), rounding_type="ceil_torch" if ceil else "floor")
    if kind == "max":
        return (lambda: pooling.max_pool(x, **settings),
                lambda: torch.nn.functional.max_pool2d(xt, kernel, stride, padding,
                                                       ceil_mode=ceil))
    return (lambda: pooling.avg_pool(x, **settings),
            lambda: torch.nn.functional.avg_pool2d(xt, kernel, stride, padding, ceil_mode=ceil))


def _pool_nhwc(x, xt, kind, attrs):
    import torch

    from ov_notebook.runtime.kernels import pooling

    if kind == "adaptive_avg":  # the pass moves global pooling only
        return (lambda: pooling.global_mean_nhwc(x),
                lambda: torch.nn.functional.adaptive_avg_pool2d(xt, attrs[0]))
    kernel, stride, padding, ceil = attrs
    settings = dict(strides=list(stride), kernel=list(kernel), pads_begin=list(padding),
                    pads_end=list(padding), rounding_type="ceil_torch" if ceil else "floor")
    if kind == "max":
        return (lambda: pooling.max_pool_nhwc(x, **settings),
                lambda: torch.nn.functional.max_pool2d(xt, kernel, stride, padding,
                                                       ceil_mode=ceil))
    return (lambda: pooling.avg_pool_nhwc(x, **settings),
            lambda: torch.nn.functional.avg_pool2d(xt, kernel, stride, padding, ceil_mode=ceil))


def _conv_calls(x, xt, attrs, rng, layout="nchw"):
    import torch

    from ov_notebook.runtime.kernels import get_kernel
    from ov_notebook.runtime.kernels._nhwc_conv import prepare_channels_last_weights
    from ov_notebook.runtime.kernels.convolution import prepare_convolution_weights

    out_channels, kernel, stride, padding, dilation, groups = attrs
    w = rng.standard_normal((out_channels, x.shape[1] // groups) + kernel).astype(np.float32)
    filters = w.reshape((groups, out_channels // groups) + w.shape[1:]) if groups > 1 else w
    wt = torch.from_numpy(w)
    name = "FusedGroupConvolution" if groups > 1 else "FusedConvolution"
    if layout == "nhwc":
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        packed = prepare_channels_last_weights(filters, grouped=groups > 1)
        name += "NHWC"
    else:
        packed = prepare_convolution_weights(filters, grouped=groups > 1)
    fused = get_kernel(name).function

    def ours():
        return fused(x, filters, post_ops="", packed=packed, strides=stride, dilations=dilation,
                     pads_begin=padding, pads_end=padding)

    def theirs():
        return torch.nn.functional.conv2d(xt, wt, None, stride, padding, dilation, groups)
    return ours, theirs


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


def relative_error(ours, theirs, layout="nchw") -> float:
    reference, result = theirs().numpy(), ours()
    if layout == "nhwc":
        result = result.transpose(0, 3, 1, 2)
    return float(np.abs(result - reference).max() / max(np.abs(reference).max(), 1e-6))


# --- the report -----------------------------------------------------------------------------------
def run_mix(name, batch, args, clock):
    """{family: [ours s per layout..., torch s]} for one model at one batch, weighted by layer
    counts."""
    import torch

    layouts = ["nchw", "nhwc"] if args.layout == "both" else [args.layout]
    totals = {}
    for layer, count in model_layers(name, batch).items():
        if args.families and family(layer) not in args.families:
            continue
        calls = [layer_calls(layer, layout) for layout in layouts]
        with torch.no_grad():
            error = max(relative_error(ours, theirs, layout)
                        for (ours, theirs), layout in zip(calls, layouts))
            times = measure([ours for ours, _ in calls] + [calls[0][1]], args.runs, clock)
        total = totals.setdefault(family(layer), [0.0] * len(times))
        for index, seconds in enumerate(times):
            total[index] += count * seconds
        if args.layers:
            print(f"  {count:>3} {describe(layer):36}{family(layer):>10}"
                  + "".join(f"{t * 1e3:9.3f}" for t in times)
                  + "".join(f"{t / times[-1]:7.2f}" for t in times[:-1]) + f"{error:9.1e}",
                  flush=True)
        if error > 1e-4:
            print(f"  !! {describe(layer)}: relative error {error:.1e}", flush=True)
    return totals


def print_mix(name, batch, totals, layouts):
    cells = []
    for family_name in FAMILIES:
        if family_name in totals:
            *ours, theirs = totals[family_name]
            cells.append(f"{family_name} " + "/".join(f"{t * 1e3:.2f}" for t in ours)
                         + f"/{theirs * 1e3:.2f} ms ("
                         + "/".join(f"{t / theirs:.2f}" for t in ours) + ")")
    sums = [sum(t[i] for t in totals.values()) for i in range(len(layouts) + 1)]
    print(f"{name:20} batch {batch}: total ours ({'/'.join(layouts)}) "
          + "/".join(f"{t * 1e3:.2f}" for t in sums[:-1]) + f" ms, torch {sums[-1] * 1e3:.2f} ms, "
          "ratio " + "/".join(f"{t / sums[-1]:.2f}" for t in sums[:-1]) + "\n    "
          + "; ".join(cells), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--batch", type=int, nargs="+", default=[1])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--layers", action="store_true", help="print every layer's row")
    parser.add_argument("--families", nargs="*", choices=FAMILIES, help="only these families")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: this thread's CPU time (needs --threads 1)")
    parser.add_argument("--layout", choices=["nchw", "nhwc", "both"], default="nchw",
                        help="ours channels-first, channels-last (the channels_last pass's "
                        "kernels) or both")
    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu measures one thread: use --threads 1")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    import torch
    from threadpoolctl import threadpool_limits

    from ov_notebook.runtime.compiler import thread_limit
    from ov_notebook.runtime.memory import keep_freed_memory
    from ov_notebook.runtime.parallel import thread_budget

    keep_freed_memory()  # as a compiled model does: freed buffers are reused, not re-faulted
    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)  # for torch's BLAS; ours is held to one thread below
    print(f"ours/torch, {args.threads} thread(s), {args.clock} clock, median of {args.runs}; "
          f"per family: ours/torch ms (ratio)")
    if args.layers:
        layouts = ["nchw", "nhwc"] if args.layout == "both" else ["ours"]
        print(f"  {'n':>3} {'layer':36}{'family':>10}"
              + "".join(f"{layout + ' ms':>9}" for layout in layouts) + f"{'torch ms':>9}"
              + "".join(f"{layout + '/t':>7}" for layout in layouts) + f"{'rel err':>9}")
    with thread_budget(args.threads), thread_limit(1):  # as ThreadedPlan.run does
        for name in filter(None, args.models.split(",")):
            for batch in args.batch:
                print_mix(name, batch, run_mix(name, batch, args, clock),
                          ["nchw", "nhwc"] if args.layout == "both" else [args.layout])


if __name__ == "__main__":
    main()
