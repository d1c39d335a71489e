"""The torchvision classification zoo through the PyTorch frontend: each model (random weights,
batch norms calibrated) converted with ov_notebook, run on our runtime and compared with torch;
real OpenVINO converts the same model in the same run (its conversion time is the peer) and runs
the IR we saved. Prints a pass table.

    python benchmarks/zoo.py                                  # every classifier, 128 px inputs
    python benchmarks/zoo.py --models resnet18 vit_b_16 --size 64 --no-openvino
    python benchmarks/zoo.py --models resnet --routes export jit.trace   # names containing "resnet"

A result is PASS when the largest error is at most 1e-3 of the torch output's largest magnitude
and the top-1 class is torch's (on our runtime, and on OpenVINO reading our IR); TRIVIAL when
the torch output hardly depends on the input, so a comparison would prove nothing.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import _models  # noqa: E402

TOLERANCE = 1e-3
ROUTES = ("export", "jit.trace")
COLUMNS = ("model", "route", "result", "max rel err", "OV on our IR", "top-1", "ours s",
           "OpenVINO s", "ratio", "ours CPU s", "OpenVINO CPU s")


def relative_error(got, expected) -> float:
    scale = max(float(np.abs(expected).max()), 1e-6)
    return float(np.abs(np.asarray(got) - expected).max()) / scale


def timed(function, *args):
    """``(result, wall seconds, CPU seconds of this process)``: the machine may be shared, and
    CPU time shows the work done whatever else runs beside it."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def convert_ours(model, x, route):
    import torch

    import ov_notebook as ov

    if route == "jit.trace":
        with torch.no_grad():
            return ov.convert_model(torch.jit.trace(model, x))
    return ov.convert_model(model, example_input=x)


def convert_openvino(model, x):
    import openvino

    return openvino.convert_model(model, example_input=x)


def run_openvino_on_ours(converted, x, directory):
    """Real OpenVINO (CPU, f32) reading the IR we save."""
    import openvino

    import ov_notebook as ov

    path = os.path.join(directory, "model.xml")
    ov.save_model(converted, path, compress_to_fp16=False)
    compiled = openvino.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return np.asarray(compiled([x])[0])


def torch_reference(model, x):
    """``(output, trivial)``: trivial when another input gives nearly the same output."""
    import torch

    with torch.no_grad():
        expected = model(x).numpy()
        other = model(torch.rand(x.shape, generator=torch.Generator().manual_seed(7))).numpy()
    return expected, relative_error(other, expected) < TOLERANCE


def run_case(name, route, size, with_openvino, directory):
    import ov_notebook as ov

    model, (x,) = _models.torchvision_case(name, size)
    expected, trivial = torch_reference(model, x)
    converted, ours_s, ours_cpu = timed(convert_ours, model, x, route)
    taken = converted.rt_info["ov_notebook"]["route"]
    got = ov.compile_model(converted)(x.numpy())[0]
    row = {"route": f"{route}->{taken}" if route != "export" or taken != "export" else route,
           "err": relative_error(got, expected), "ours_s": ours_s, "ours_cpu": ours_cpu,
           "top1": bool(np.argmax(got) == np.argmax(expected))}
    if with_openvino:
        row["ov_err"] = relative_error(run_openvino_on_ours(converted, x.numpy(), directory),
                                       expected)
        del converted
        gc.collect()
        _, row["ov_s"], row["ov_cpu"] = timed(convert_openvino, model, x)
    errors_ok = row["err"] <= TOLERANCE and (row["ov_err"] is None or row["ov_err"] <= TOLERANCE)
    row["result"] = "TRIVIAL" if trivial else "PASS" if errors_ok and row["top1"] else "FAIL"
    return row


def format_row(name, row):
    def number(value, spec):
        return "-" if value is None else format(value, spec)

    ratio = (row["ours_s"] / row["ov_s"]) if row.get("ov_s") else None
    return (name, row["route"], row["result"], number(row.get("err"), ".1e"),
            number(row.get("ov_err"), ".1e"), {True: "yes", False: "NO"}.get(row.get("top1"), "-"),
            number(row.get("ours_s"), ".2f"), number(row.get("ov_s"), ".2f"), number(ratio, ".2f"),
            number(row.get("ours_cpu"), ".2f"), number(row.get("ov_cpu"), ".2f"))


def error_row(route, exc):
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    message = f"{type(exc).__name__}: {lines[0][:160] if lines else ''}"
    return {"route": route, "result": f"ERROR {message}"}


def warm_up(with_openvino):
    """Imports and one-time setup (translator tables, torch.export's first trace) outside the
    timed conversions, for both converters alike."""
    import torch

    import ov_notebook as ov

    tiny = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()).eval()
    ov.convert_model(tiny, example_input=torch.rand(1, 3, 8, 8))
    if with_openvino:
        convert_openvino(tiny, torch.rand(1, 3, 8, 8))


def select_models(patterns):
    import torchvision

    every = torchvision.models.list_models(module=torchvision.models)
    if not patterns:
        return every
    chosen = [name for name in every if any(p == name for p in patterns)]
    return chosen or [name for name in every if any(p in name for p in patterns)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", help="names (exact) or substrings; default: all")
    parser.add_argument("--size", type=int, help="input side (models with a fixed size keep it)")
    parser.add_argument("--routes", nargs="*", default=["export"], choices=ROUTES)
    parser.add_argument("--no-openvino", action="store_true", help="skip OpenVINO entirely")
    args = parser.parse_args(argv)
    with_openvino = not args.no_openvino
    warm_up(with_openvino)
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for name in select_models(args.models):
            for route in args.routes:
                try:
                    row = run_case(name, route, args.size, with_openvino, directory)
                except Exception as exc:  # noqa: BLE001  report and go on with the next model
                    row = error_row(route, exc)
                    if os.environ.get("ZOO_TRACEBACK"):
                        traceback.print_exc()
                rows.append(format_row(name, row))
                print(" | ".join(rows[-1]), flush=True)
                gc.collect()
    print_table(rows)
    return 0 if all(row[2] == "PASS" for row in rows) else 1


def print_table(rows):
    passed = sum(row[2] == "PASS" for row in rows)
    print(f"\n{passed}/{len(rows)} PASS\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
