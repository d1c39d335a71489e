"""Which oneDNN implementation is fastest for the depthwise convolutions and the 3-channel stem of
mobilenet_v3_large and efficientnet_b0 (batch 1, 1 thread, thread CPU time).

    python benchmarks/kernels_impl.py                 # every layer, every implementation + OpenVINO
    python benchmarks/kernels_impl.py --models efficientnet_b0 --calls 50 --rounds 15 --peers ''

For each layer (found with torchvision forward hooks, as ``kernels_conv.py``) the convolution is
created as ``ConvolutionKernel`` creates it (NHWC destination, weights ``format any``, bias and the
model's activation as an eltwise post-op) and oneDNN's implementations are walked with
``dnnl_primitive_desc_next_impl``; each one that is not ``ref`` gets its own primitive and packed
weights. The stem is also created with an NHWC source (what the runtime hands it after its
reorder) and with an NCHW one. OpenVINO runs the same convolution as a one-op model (NCHW
Parameter -> (Group)Convolution -> Add bias -> activation) with ``PERF_COUNT``; its column is the
convolution node's CPU time and its ``exec_type`` the implementation its plugin picked.

All candidates are timed interleaved: per round each runs ``--calls`` calls under
``time.thread_time``; the table shows the median per call over the rounds (microseconds) and the
ratio to the implementation ``format any`` gives first (what the runtime uses today).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ACTIVATIONS = {"mobilenet_v3_large": "hardswish", "efficientnet_b0": "swish"}


def layers(model):
    from kernels_conv import family, model_layers

    return [(family(k), k, count) for k, count in model_layers(model, 1).items()
            if k[0] == "conv" and family(k) in ("stem", "depthwise")]


def eltwise_step(activation):
    from ov_notebook.runtime.onednn import _capi as C

    # hardswish(x) = x * relu6(x + 3) / 6: oneDNN's hardswish takes alpha 1/6, beta 1/2
    return ("eltwise", C.ELTWISE[activation], *((1 / 6, 0.5) if activation == "hardswish"
                                                 else (1.0, 0.0)))


def implementations(rt, shape, attrs, activation, source):
    """[(name, run, output)] for every non-ref implementation oneDNN offers for the layer."""
    from ov_notebook.runtime.onednn import _capi as C
    from ov_notebook.runtime.onednn._runtime import (MemoryDesc, Primitive, aligned_empty,
                                                      create, query_md, reorder)
    from ov_notebook.runtime.onednn.ops import channels_last_empty

    out_channels, kernel, strides, padding, dilation, groups = attrs
    n, c, h, w = shape
    filters_shape = (groups, out_channels // groups, c // groups, *kernel) if groups > 1 else \
        (out_channels, c, *kernel)
    rng = np.random.default_rng(0)
    filters = rng.standard_normal(filters_shape).astype(np.float32)
    bias = rng.standard_normal(out_channels).astype(np.float32)
    x = channels_last_empty(shape) if source == "nhwc" else aligned_empty(shape)
    x[...] = rng.standard_normal(shape)
    out_shape = [n, out_channels] + [(size + 2 * p - k) // s + 1 for size, k, s, p in
                                     zip((h, w), kernel, strides, padding)]
    post_ops = [eltwise_step(activation)]
    src, dst = MemoryDesc.of_array(rt, x), MemoryDesc.of_array(rt, channels_last_empty(out_shape))
    bias_md, any_md = MemoryDesc.of(rt, bias.shape), MemoryDesc.any(rt, filters_shape)
    pd = create(rt, "convolution_forward", C.FORWARD_INFERENCE, C.CONVOLUTION_DIRECT, src.handle,
                any_md.handle, bias_md.handle, dst.handle,
                C.dims(strides), C.dims([d - 1 for d in dilation]), C.dims(padding),
                C.dims(padding), attr_post_ops=post_ops)
    if pd is None:
        return [], (x, filters, bias)
    found = []
    try:
        while True:
            weights_md = query_md(rt, pd, C.QUERY_WEIGHTS_MD)
            primitive = Primitive(rt, pd, [C.ARG_SRC, C.ARG_WEIGHTS, C.ARG_BIAS, C.ARG_DST],
                                  [src, weights_md, bias_md, dst])
            if not primitive.implementation.startswith("ref"):
                weights = reorder(rt, filters, weights_md)
                y = channels_last_empty(out_shape)

                def run(primitive=primitive, weights=weights, y=y):
                    primitive.execute(x, weights, bias, y)
                found.append((primitive.implementation, run, y))
            if rt.lib.dnnl_primitive_desc_next_impl(pd) != C.SUCCESS:
                break
    finally:
        rt.lib.dnnl_primitive_desc_destroy(pd)
    return found, (x, filters, bias)


def openvino_candidate(shape, attrs, activation, x, filters, bias):
    """(exec_type, run, profiled cpu time reader, output) of OpenVINO's one-op model."""
    import openvino as ov
    import openvino.opset13 as ops

    out_channels, kernel, strides, padding, dilation, groups = attrs
    parameter = ops.parameter(list(shape), np.float32)
    if groups > 1:
        conv = ops.group_convolution(parameter, ops.constant(filters), strides, padding, padding,
                                     dilation)
    else:
        conv = ops.convolution(parameter, ops.constant(filters), strides, padding, padding,
                               dilation)
    biased = ops.add(conv, ops.constant(bias.reshape(1, -1, 1, 1)))
    if activation == "hardswish":
        result = ops.hswish(biased)
    else:
        result = ops.swish(biased)
    model = ov.Model([result], [parameter])
    compiled = ov.Core().compile_model(model, "CPU", {
        "INFERENCE_NUM_THREADS": 1, "INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": True,
        "NUM_STREAMS": 1})
    request = compiled.create_infer_request()
    data = np.ascontiguousarray(x)

    def run():
        request.infer({0: data})

    def conv_info():
        infos = [i for i in request.get_profiling_info()
                 if "onvolution" in i.node_type and i.status.name == "EXECUTED"]
        return infos[0] if infos else None

    return run, conv_info, lambda: request.get_output_tensor(0).data


def measure(candidates, calls, rounds):
    """Median CPU microseconds per call of every candidate (name -> run), interleaved."""
    times = {name: [] for name in candidates}
    for run in candidates.values():
        run()
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.thread_time()
            for _ in range(calls):
                run()
            times[name].append((time.thread_time() - start) / calls * 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="mobilenet_v3_large,efficientnet_b0")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--peers", default="openvino")
    args = parser.parse_args(argv)
    from ov_notebook.runtime import onednn

    rt = onednn.runtime()
    rt.set_threads(1)
    print(f"oneDNN {rt.lib.version}, 1 thread, thread CPU time, us per call (median of "
          f"{args.rounds} rounds x {args.calls} calls); ratio to the default implementation")
    totals = {}
    for model in args.models.split(","):
        activation = ACTIVATIONS[model]
        for kind, (_, shape, attrs), count in layers(model):
            sources = ("nhwc", "nchw") if kind == "stem" else ("nhwc",)
            candidates, outputs, default = {}, {}, None
            for source in sources:
                found, (x, filters, bias) = implementations(rt, shape, attrs, activation, source)
                for name, run, y in found:
                    label = f"{name} [{source}]"
                    default = default or label
                    candidates[label], outputs[label] = run, y
            ov_info = None
            if "openvino" in args.peers:
                run, ov_info, ov_output = openvino_candidate(shape, attrs, activation, x,
                                                             filters, bias)
                candidates["openvino"] = run
            rt.set_threads(1)
            times = measure(candidates, args.calls, args.rounds)
            reference = outputs[default]
            print(f"\n{model} {kind} {shape[1]}->{attrs[0]} k{attrs[1][0]} s{attrs[2][0]} "
                  f"{shape[2]}x{shape[3]} x{count}")
            for label, value in times.items():
                extra = ""
                if label == "openvino":
                    info = ov_info()
                    if info is not None:
                        extra = f"  conv node {info.cpu_time.total_seconds() * 1e6:8.1f} us " \
                                f"({info.exec_type})"
                    diff = np.abs(ov_output().transpose(0, 1, 2, 3) - reference).max()
                else:
                    diff = np.abs(outputs[label] - reference).max()
                print(f"  {label:40s} {value:9.1f} {value / times[default]:6.2f}x  "
                      f"max|diff| {diff:.1e}{extra}")
            for label, value in times.items():
                key = (model, f"{kind}:{label}")
                totals[key] = totals.get(key, 0.0) + value * count
    print("\nweighted sums (us, by layer count):")
    for (model, label), value in sorted(totals.items()):
        if ":" in label:
            print(f"  {model:20s} {label:48s} {value:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
