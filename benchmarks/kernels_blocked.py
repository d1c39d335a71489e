"""oneDNN f32 convolutions: channels-last (NHWC) memory against the blocked layout oneDNN picks.

    python benchmarks/kernels_blocked.py                  # 1 thread, thread CPU time
    python benchmarks/kernels_blocked.py --runs 50 --threads 2 --clock wall

For each layer (resnet50's stem, 3x3 and 1x1 convolutions; mobilenet_v3_large's and
efficientnet_b0's depthwise ones) the same convolution with a fused ReLU runs three ways,
interleaved one call each per round (in a shuffled order) so machine load hits them alike:

* ``nhwc``: source and destination described as channels-last memory (what the runtime's
  channels_last regions run today);
* ``any``: source and destination created with ``format_tag any``: the layout oneDNN picks
  (printed; oneDNN 3.2 on AVX-512 picks nhwc for all of these but the stem's output);
* ``16c``: nChw16c forced (the blocked layout of oneDNN's jit kernels for AVX-512);
* ``openvino``: a one-op OpenVINO model (Convolution or GroupConvolution + ReLU, f32).

and the reorders a nChw16c region would pay at its edges: NCHW -> 16c source, 16c destination
-> NCHW, and NHWC -> 16c. Printed: median microseconds and the ratios. OpenVINO's one-op times
include its per-inference overhead (large next to the small layers).

``--models mobilenet_v3_large,efficientnet_b0`` sums instead every convolution of those
torchvision models (counted as ``kernels_conv.py`` does) in NHWC and in nChw16c, by family, and
prints the layouts and primitives OpenVINO's CPU plugin runs those models' convolutions with.
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import statistics
import time

import numpy as np

# (name, input [N, C, H, W], out channels, kernel, stride, pad, groups)
LAYERS = [
    ("r50 stem 7x7/2", (1, 3, 224, 224), 64, 7, 2, 3, 1),
    ("r50 3x3 64", (1, 64, 56, 56), 64, 3, 1, 1, 1),
    ("r50 3x3 128", (1, 128, 28, 28), 128, 3, 1, 1, 1),
    ("r50 3x3 256", (1, 256, 14, 14), 256, 3, 1, 1, 1),
    ("r50 3x3 512", (1, 512, 7, 7), 512, 3, 1, 1, 1),
    ("r50 1x1 64->256", (1, 64, 56, 56), 256, 1, 1, 0, 1),
    ("r50 1x1 256->64", (1, 256, 56, 56), 64, 1, 1, 0, 1),
    ("r50 1x1 1024->256", (1, 1024, 14, 14), 256, 1, 1, 0, 1),
    ("mbv3 dw3x3 16 112", (1, 16, 112, 112), 16, 3, 1, 1, 16),
    ("mbv3 dw3x3/2 64", (1, 64, 112, 112), 64, 3, 2, 1, 64),
    ("mbv3 dw3x3 72 56", (1, 72, 56, 56), 72, 3, 1, 1, 72),
    ("mbv3 dw5x5/2 72", (1, 72, 56, 56), 72, 5, 2, 2, 72),
    ("mbv3 dw5x5 120 28", (1, 120, 28, 28), 120, 5, 1, 2, 120),
    ("mbv3 dw3x3 200 14", (1, 200, 14, 14), 200, 3, 1, 1, 200),
    ("mbv3 dw3x3 480 14", (1, 480, 14, 14), 480, 3, 1, 1, 480),
    ("mbv3 dw5x5 960 7", (1, 960, 7, 7), 960, 5, 1, 2, 960),
    ("mbv3 1x1 16->64 112", (1, 16, 112, 112), 64, 1, 1, 0, 1),
    ("mbv3 1x1 120->40 28", (1, 120, 28, 28), 40, 1, 1, 0, 1),
    ("effb0 dw3x3 32 112", (1, 32, 112, 112), 32, 3, 1, 1, 32),
    ("effb0 dw5x5 144 56", (1, 144, 56, 56), 144, 5, 1, 2, 144),
    ("effb0 dw3x3 480 14", (1, 480, 14, 14), 480, 3, 1, 1, 480),
    ("effb0 dw5x5 1152 7", (1, 1152, 7, 7), 1152, 5, 1, 2, 1152),
    ("effb0 1x1 144->24 56", (1, 144, 56, 56), 24, 1, 1, 0, 1),
]


def _filters(layer, rng):
    _, shape, out, k, _, _, groups = layer
    if groups == 1:
        return rng.standard_normal((out, shape[1], k, k)).astype(np.float32)
    return rng.standard_normal((groups, out // groups, shape[1] // groups, k, k)).astype(
        np.float32)


def onednn_calls(layer, rng, threads):
    """{way: callable} for oneDNN's NHWC and blocked convolutions and the edge reorders; and
    the blocking oneDNN picked."""
    from ov_notebook.runtime import onednn
    from ov_notebook.runtime.onednn import _capi as C
    from ov_notebook.runtime.onednn._runtime import (MemoryDesc, aligned_empty, create, query_md,
                                                     reorder, reorder_primitive)
    from ov_notebook.runtime.onednn.layouts import layout_name, tagged
    from ov_notebook.runtime.onednn.ops import _weighted_primitive, channels_last_empty

    rt = onednn.runtime()
    rt.set_threads(threads)
    name, shape, out, k, stride, pad, groups = layer
    filters = _filters(layer, rng)
    bias = rng.standard_normal(out).astype(np.float32)
    size = (shape[2] + 2 * pad - k) // stride + 1
    out_shape = (shape[0], out, size, size)
    relu = [("eltwise", C.ELTWISE["relu"], 0.0, 0.0)]
    calls, picked = {}, None
    for way in ("nhwc", "any", "16c"):
        if way == "nhwc":
            x, y = channels_last_empty(shape), channels_last_empty(out_shape)
            src, dst = MemoryDesc.of_array(rt, x), MemoryDesc.of_array(rt, y)
        elif way == "any":
            src, dst = MemoryDesc.any(rt, shape), MemoryDesc.any(rt, out_shape)
        else:  # nChw16c (a 3-channel stem reads NCHW: oneDNN's 16c one is a reference loop)
            src = tagged(rt, shape, "aBcd16b" if shape[1] >= 16 else "abcd")
            dst = tagged(rt, out_shape, "aBcd16b")
        bias_desc, any_weights = MemoryDesc.of(rt, bias.shape), MemoryDesc.any(rt, filters.shape)
        pd = create(rt, "convolution_forward", C.FORWARD_INFERENCE, C.CONVOLUTION_DIRECT,
                    src.handle, any_weights.handle, bias_desc.handle,
                    dst.handle, C.dims([stride] * 2), C.dims([0, 0]), C.dims([pad] * 2),
                    C.dims([pad] * 2), attr_post_ops=relu)
        assert pd is not None, f"oneDNN has no {way} convolution for {name}"
        if way != "nhwc":
            src, dst = query_md(rt, pd, C.QUERY_SRC_MD), query_md(rt, pd, C.QUERY_DST_MD)
            x, y = aligned_empty((src.size() // 4,)), aligned_empty((dst.size() // 4,))
        if way == "any":
            picked = f"{layout_name(rt, src, shape)}>{layout_name(rt, dst, out_shape)}"
        primitive, weights = _weighted_primitive(rt, pd, src, None, bias_desc, dst, [])
        packed = reorder(rt, filters, weights)
        x[...] = rng.standard_normal(x.shape).astype(np.float32)
        calls[way] = (lambda p=primitive, x=x, w=packed, y=y: p.execute(x, w, bias, y))
        calls[way].implementation = primitive.implementation
        if way == "16c":
            nchw_in, nchw_out = aligned_empty(shape), aligned_empty(out_shape)
            nhwc_in = channels_last_empty(shape)
            into = reorder_primitive(rt, MemoryDesc.of_array(rt, nchw_in), src)
            back = reorder_primitive(rt, dst, MemoryDesc.of_array(rt, nchw_out))
            from_nhwc = reorder_primitive(rt, MemoryDesc.of_array(rt, nhwc_in), src)
            calls["nchw->blk"] = lambda p=into, a=nchw_in, b=x: p.execute(a, b)
            calls["blk->nchw"] = lambda p=back, a=y, b=nchw_out: p.execute(a, b)
            calls["nhwc->blk"] = lambda p=from_nhwc, a=nhwc_in, b=x: p.execute(a, b)
    return calls, picked, filters, bias


def openvino_call(layer, filters, bias, threads):
    import openvino
    import openvino.opset13 as ops

    _, shape, out, k, stride, pad, groups = layer
    x = ops.parameter(shape, np.float32)
    if groups == 1:
        y = ops.convolution(x, ops.constant(filters), [stride] * 2, [pad] * 2, [pad] * 2, [1, 1])
    else:
        y = ops.group_convolution(x, ops.constant(filters), [stride] * 2, [pad] * 2, [pad] * 2,
                                  [1, 1])
    y = ops.relu(ops.add(y, ops.constant(bias.reshape(1, -1, 1, 1))))
    compiled = openvino.Core().compile_model(openvino.Model([y], [x]), "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    feed = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    return lambda: request.infer([feed])


def measure(calls, runs, clock):
    """Median time of each call; one call of each per round, in a shuffled order (the one
    after another reads caches the previous one warmed)."""
    times = {name: [] for name in calls}
    for _ in range(3):
        for call in calls.values():
            call()
    order = list(calls.items())
    shuffle = np.random.default_rng(1).shuffle
    for _ in range(runs):
        shuffle(order)
        for name, call in order:
            started = clock()
            call()
            times[name].append(clock() - started)
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def model_layer_list(name):
    """(layer tuples as in LAYERS, counts) of every 2-D convolution of torchvision ``name``."""
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from kernels_conv import model_layers

    layers = []
    for (kind, shape, attrs), count in model_layers(name, 1).items():
        if kind != "conv" or attrs[1][0] != attrs[1][1] or attrs[4] != (1, 1):
            continue
        out, kernel, stride, padding, _, groups = attrs
        family = "dw" if groups > 1 else f"{kernel[0]}x{kernel[0]}"
        layers.append(((f"{family} {shape[1]}->{out} {shape[2]}", shape, out, kernel[0],
                        stride[0], padding[0], groups), count))
    return layers


def openvino_layouts(name) -> dict:
    """{(output layout, primitive type): count} of the convolutions OpenVINO's CPU plugin runs
    for torchvision ``name`` (1 image, f32, 1 thread), read from its runtime model."""
    import openvino
    import torch
    import torchvision

    model = torchvision.models.get_model(name, weights=None).eval()
    converted = openvino.convert_model(model, example_input=torch.zeros(1, 3, 224, 224))
    compiled = openvino.Core().compile_model(converted, "CPU", {
        "INFERENCE_NUM_THREADS": 1, "INFERENCE_PRECISION_HINT": "f32"})
    counts = {}
    for node in compiled.get_runtime_model().get_ordered_ops():
        info = node.get_rt_info()
        if info["layerType"].astype(str) in ("Convolution", "GroupConvolution"):
            key = (info["outputLayouts"].astype(str), info["primitiveType"].astype(str))
            counts[key] = counts.get(key, 0) + 1
    return counts


def model_mixes(args) -> int:
    """Per model: the summed median time of every convolution (times its count) in NHWC and
    in nChw16c, per family (dense, 1x1, depthwise), and the edge reorders of one region."""
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    rng = np.random.default_rng(0)
    for name in args.models.split(","):
        totals = {}
        for layer, count in model_layer_list(name):
            calls, _, _, _ = onednn_calls(layer, rng, args.threads)
            t = measure({w: calls[w] for w in ("nhwc", "16c")}, args.runs, clock)
            family = layer[0].split()[0]
            family = "1x1" if family == "1x1" else "dw" if family == "dw" else "dense"
            for way in ("nhwc", "16c"):
                totals[(family, way)] = totals.get((family, way), 0.0) + t[way] * count
        print(f"\n{name}: summed median us of its convolutions (1 image, {args.threads} "
              f"thread(s), {args.clock} clock)")
        for family in ("dense", "1x1", "dw"):
            nhwc, blocked = totals.get((family, "nhwc"), 0), totals.get((family, "16c"), 0)
            if nhwc:
                print(f"  {family:6} nhwc {nhwc:9.1f}  16c {blocked:9.1f}  16c/nhwc "
                      f"{blocked / nhwc:5.2f}")
        nhwc = sum(v for (_, way), v in totals.items() if way == "nhwc")
        blocked = sum(v for (_, way), v in totals.items() if way == "16c")
        print(f"  all    nhwc {nhwc:9.1f}  16c {blocked:9.1f}  16c/nhwc {blocked / nhwc:5.2f}")
        if "openvino" in args.peers:
            print("  OpenVINO's convolutions (outputLayouts, primitiveType: count):",
                  openvino_layouts(name))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="cpu")
    parser.add_argument("--peers", default="openvino", help="'' for oneDNN alone")
    parser.add_argument("--models", default="",
                        help="comma-separated torchvision models: sum each one's convolutions "
                        "(counts from benchmarks/kernels_conv.py) instead of the layer table")
    args = parser.parse_args(argv)
    if args.models:
        return model_mixes(args)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    rng = np.random.default_rng(0)
    print(f"median us, {args.threads} thread(s), {args.clock} clock; ratios in the same run")
    print(f"{'layer':22} {'any picks':14} {'nhwc':>8} {'any':>8} {'16c':>8} {'openvino':>8} "
          f"{'16c/nhwc':>8} {'any/nhwc':>8} {'nhwc/ov':>7} {'16c/ov':>7} {'nchw>16c':>8} "
          f"{'16c>nchw':>8} {'nhwc>16c':>8}  implementations nhwc/any/16c")
    for layer in LAYERS:
        calls, picked, filters, bias = onednn_calls(layer, rng, args.threads)
        if "openvino" in args.peers:
            calls["openvino"] = openvino_call(layer, filters, bias, args.threads)
        t = measure(calls, args.runs, clock)
        ov = t.get("openvino", float("nan"))
        names = "/".join(calls[w].implementation for w in ("nhwc", "any", "16c"))
        print(f"{layer[0]:22} {picked:14} {t['nhwc']:8.1f} {t['any']:8.1f} {t['16c']:8.1f} "
              f"{ov:8.1f} {t['16c'] / t['nhwc']:8.2f} {t['any'] / t['nhwc']:8.2f} "
              f"{t['nhwc'] / ov:7.2f} {t['16c'] / ov:7.2f} {t['nchw->blk']:8.1f} "
              f"{t['blk->nchw']:8.1f} {t['nhwc->blk']:8.1f}  {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
