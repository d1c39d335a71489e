"""ONNX route over the model zoo: export each model with torch.onnx.export at several opsets,
convert with ov_notebook, and compare with onnxruntime and torch. Prints a pass table.

    python benchmarks/onnx_zoo.py                      # the PyTorch-frontend issue's model list
    python benchmarks/onnx_zoo.py --models resnet18 bert --opsets 11 17
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _models import TORCHVISION, TRANSFORMERS, randomize_zero_weights  # noqa: E402  shared


def torchvision_case(name, size=None):
    import torch
    import torchvision

    kwargs = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
    model = getattr(torchvision.models, name)(weights=None, **kwargs).eval()
    randomize_zero_weights(model)
    size = size or (299 if name == "inception_v3" else 224 if name.startswith("vit") else 128)
    return model, (torch.rand(1, 3, size, size),), ["x"]


def transformers_case(name):
    import torch
    import transformers

    torch.manual_seed(0)
    ids = torch.randint(0, 1000, (1, 16))
    if name == "bert":
        config = transformers.BertConfig(vocab_size=1000, hidden_size=64, num_hidden_layers=2,
                                         num_attention_heads=4, intermediate_size=128)
        model = transformers.BertModel(config)
    elif name == "distilbert":
        config = transformers.DistilBertConfig(vocab_size=1000, dim=64, n_layers=2, n_heads=4,
                                               hidden_dim=128)
        model = transformers.DistilBertModel(config)
    elif name == "gpt2":
        config = transformers.GPT2Config(vocab_size=1000, n_embd=64, n_layer=2, n_head=4,
                                         use_cache=False)
        model = transformers.GPT2LMHeadModel(config)
    else:
        config = transformers.ViTConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                        intermediate_size=128, image_size=32, patch_size=8)
        model = transformers.ViTModel(config)
        return _first_output(model.eval(), "pixel_values"), (torch.rand(1, 3, 32, 32),), ["x"]
    # GPT-2 without an attention mask looks for packed sequences in position ids (aten::diff,
    # which the TorchScript exporter cannot write); an all-ones mask is the same computation
    return (_first_output(model.eval(), "input_ids", with_mask=name == "gpt2"), (ids,),
            ["input_ids"])


def _first_output(model, argument, with_mask=False):
    import torch

    class FirstOutput(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, x):
            extra = {"attention_mask": torch.ones_like(x)} if with_mask else {}
            out = self.model(**{argument: x}, **extra)
            return out[0]

    return FirstOutput().eval()


def export(model, args, path, names, opset):
    """torch.onnx.export at ``opset``: the TorchScript exporter first (it writes opsets < 18
    natively); ops it cannot export (the fused MHA of torchvision's ViT) go
    through the torch.export-based exporter, which converts its opset-18 graph down."""
    import torch

    if opset == "default":
        torch.onnx.export(model, args, path, input_names=names)
        return
    try:
        torch.onnx.export(model, args, path, input_names=names, opset_version=opset, dynamo=False)
    except torch.onnx.errors.UnsupportedOperatorError:
        torch.onnx.export(model, args, path, input_names=names, opset_version=opset, dynamo=True)


def run_case(name, opset, directory):
    import onnxruntime as ort
    import torch

    import ov_notebook as ov

    model, args, names = (transformers_case(name) if name in TRANSFORMERS else
                          torchvision_case(name))
    if opset != "default" and name in TRANSFORMERS:  # the TorchScript exporter: eager attention
        inner = model.model
        inner.config._attn_implementation = "eager"  # SDPA needs opset 14 in ONNX
        inner.set_attn_implementation("eager") if hasattr(inner, "set_attn_implementation") else None
    path = os.path.join(directory, f"{name}_{opset}.onnx")
    with torch.no_grad():
        export(model, args, path, names, opset)
        expected = model(*args).numpy()
    started = time.perf_counter()
    converted = ov.convert_model(path)
    seconds = time.perf_counter() - started
    feeds = {n: a.numpy() for n, a in zip(names, args)}
    ours = ov.compile_model(converted)(list(feeds.values()))[0]
    reference = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    scale = max(float(np.abs(expected).max()), 1e-6)
    return {"convert_s": seconds, "vs_ort": float(np.abs(ours - reference).max()) / scale,
            "vs_torch": float(np.abs(ours - expected).max()) / scale,
            "top1": bool(ours.reshape(-1).argmax() == expected.reshape(-1).argmax())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=TORCHVISION + TRANSFORMERS)
    parser.add_argument("--opsets", nargs="*", default=["11", "17"])
    args = parser.parse_args(argv)
    opsets = [o if o == "default" else int(o) for o in args.opsets]
    rows, failures = [], 0
    with tempfile.TemporaryDirectory() as directory:
        for name in args.models:
            for opset in opsets:
                try:
                    result = run_case(name, opset, directory)
                    ok = result["vs_torch"] <= 1e-3 and result["vs_ort"] <= 1e-3
                    rows.append((name, opset, "PASS" if ok else "FAIL", f"{result['convert_s']:.2f}",
                                 f"{result['vs_ort']:.1e}", f"{result['vs_torch']:.1e}"))
                    failures += not ok
                except Exception as exc:  # noqa: BLE001  report and go on with the next model
                    failures += 1
                    message = str(exc).strip().splitlines()[0][:90] if str(exc).strip() else ""
                    rows.append((name, opset, "ERROR", "-", "-", f"{type(exc).__name__}: {message}"))
                    if os.environ.get("ZOO_TRACEBACK"):
                        traceback.print_exc()
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
    print("\nmodel | opset | result | convert s | max err vs ORT | max err vs torch (relative)")
    for row in rows:
        print(" | ".join(str(c) for c in row))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
