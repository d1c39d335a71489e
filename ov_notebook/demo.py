"""``python -m ov_notebook demo``: convert a torchvision model, run it, compare with PyTorch.

The model gets random weights (nothing is downloaded), is converted with ``convert_model``, run on
this project's CPU runtime (its ``KERNEL_BACKEND``, oneDNN or numpy, is named), saved as IR (f16
weights, as ``save_model`` does by default), read back and run again; the outputs are compared with
PyTorch's. Exit status 0 when the converted model matches.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time

import numpy as np

__all__ = ["main"]

TOLERANCE = 1e-4  # f32 end to end, relative to the largest output magnitude
F16_TOLERANCE = 1e-2  # after storing the weights in f16


def _parser():
    parser = argparse.ArgumentParser(prog="python -m ov_notebook demo", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--model", default="resnet18",
                        help="a torchvision.models builder name (default: resnet18)")
    parser.add_argument("--size", type=int, default=224, help="input height and width")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def _difference(ours, reference):
    """Largest absolute difference, relative to the largest reference magnitude."""
    scale = max(float(np.abs(reference).max()), 1e-12)
    return float(np.abs(ours - reference).max()) / scale


def _top5(values):
    return set(np.argsort(values.reshape(-1))[-5:].tolist())


def _timed(label, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"  {label:<28} {time.perf_counter() - start:6.2f} s")
    return result


def _op_summary(model):
    counts = collections.Counter(op.get_type_name() for op in model.get_ordered_ops())
    common = ", ".join(f"{name} {count}" for name, count in counts.most_common(5))
    return f"{sum(counts.values())} ops ({common}, ...)"


def _report(label, ours, reference, tolerance):
    difference = _difference(ours, reference)
    same_top5 = _top5(ours) == _top5(reference)
    verdict = "ok" if difference <= tolerance else f"MISMATCH (tolerance {tolerance:g})"
    print(f"  {label:<28} max |diff| / max |ref| = {difference:.2e}, top-5 classes "
          f"{'agree' if same_top5 else 'differ'}: {verdict}")
    return difference <= tolerance


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    import torch
    import torchvision

    import ov_notebook as ov

    torch.manual_seed(args.seed)
    model = getattr(torchvision.models, args.model)(weights=None).eval()
    example = torch.rand(1, 3, args.size, args.size)
    print(f"ov_notebook demo: torchvision {args.model} (random weights), input "
          f"[1,3,{args.size},{args.size}]")
    with torch.no_grad():
        reference = _timed("PyTorch", model, example).numpy()
    converted = _timed("convert_model", ov.convert_model, model, example_input=example)
    print(f"  {'':<28} {_op_summary(converted)}")
    compiled = _timed("compile_model", ov.compile_model, converted)
    backend = compiled.get_property("KERNEL_BACKEND")
    ours = _timed(f"infer ({backend} kernels)", compiled, example.numpy())[0]
    matches = _report("converted vs PyTorch", ours, reference, TOLERANCE)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, f"{args.model}.xml")
        _timed("save_model (f16 weights)", ov.save_model, converted, path)
        reread = ov.compile_model(ov.read_model(path))(example.numpy())[0]
    matches &= _report("saved IR, read back", reread, reference, F16_TOLERANCE)
    print("OK" if matches else "FAILED: the converted model does not match PyTorch")
    return 0 if matches else 1


if __name__ == "__main__":
    sys.exit(main())
