"""Hand-built Models shaped like converted PyTorch models (module_path rt_info on every node).

They stand in for real conversions in the view tests: the same node counts and module trees as
resnet50 and a BERT-base encoder, built from element-wise ops only, so the views are tested on
graphs of the real size without depending on the frontend.
"""
from __future__ import annotations

import json

import numpy as np

import ov_notebook as ov
from ov_notebook import opset as ops


def tag(node, module_path, module_type="", source_op="aten.add.Tensor"):
    node.get_rt_info().update({"module_path": module_path, "module_type": module_type,
                               "source_op": source_op})
    return node


def _param(name, shape, path, dtype=np.float32):
    node = ops.parameter(shape, dtype, name=name)
    node.get_rt_info()["structure_path"] = path
    return node


def _finish(results, params, name, output_paths, input_tree=None):
    model = ov.Model(results, params, name)
    for result, path in zip(model.get_results(), output_paths):
        result.get_rt_info()["structure_path"] = path
    info = {"framework": "pytorch", "route": "export"}
    if input_tree is not None:
        info["input_tree"] = json.dumps(input_tree)
    model.rt_info["ov_notebook"] = info
    return model


def _block(x, path, module_type, width):
    """A stand-in for a residual block: ``width`` element-wise ops in sub-modules, plus a skip."""
    y = x
    for index in range(width):
        sub = f"{path}.op{index * 3 // width}"  # three sub-modules, each run once, in order
        y = tag(ops.multiply(y, np.float32(0.5)), sub, "Conv2d", "aten.convolution.default")
        y = tag(ops.relu(y), sub, "ReLU", "aten.relu.default")
    return tag(ops.add(y, x), path, module_type)


def resnet50_like():
    """~350 ops in layer1..layer4 bottlenecks ([3, 4, 6, 3]), like torchvision's resnet50."""
    x = _param("x", [1, 8], "x")
    y = tag(ops.relu(tag(ops.multiply(x, np.float32(1.0)), "conv1", "Conv2d")), "relu", "ReLU")
    for stage, blocks in enumerate([3, 4, 6, 3], start=1):
        for block in range(blocks):
            y = _block(y, f"layer{stage}.{block}", "Bottleneck", 10)
    logits = tag(ops.add(y, np.float32(0.1)), "fc", "Linear", "aten.linear.default")
    return _finish([logits], [x], "resnet50_like", [""])


def bert_like(layers=12):
    """~2,500 ops: embeddings, ``layers`` encoder layers (attention + intermediate + output)."""
    ids = _param("input_ids", [1, 16], "input_ids", np.int64)
    mask = _param("attention_mask", [1, 16], "attention_mask", np.int64)
    h = tag(ops.convert(ids, "f32"), "embeddings.word_embeddings", "Embedding",
            "aten.embedding.default")
    h = tag(ops.add(h, ops.convert(mask, "f32")), "embeddings", "BertEmbeddings")
    for layer in range(layers):
        prefix = f"encoder.layer.{layer}"
        for part, width in (("attention.self", 30), ("attention.output", 20),
                            ("intermediate", 30), ("output", 20)):
            h = _block(h, f"{prefix}.{part}", "Module", width)
    pooled = tag(ops.tanh(h), "pooler", "BertPooler", "aten.tanh.default")
    return _finish([h, pooled], [ids, mask], "bert_like",
                   ['["last_hidden_state"]', '["pooler_output"]'])


def nested_io():
    """Inputs ``x`` and ``b=(t0, (t1,))`` and a dict output, as the spec's flattening example."""
    x = _param("x", [2, 3], "x")
    b0 = _param("b.0", [2, 3], "b[0]")
    b1 = _param("b.1", [2, 3], "b[1][0]")
    total = tag(ops.add(tag(ops.add(x, b0), "mix", "Mix"), b1), "mix", "Mix")
    scaled = tag(ops.relu(total), "act", "ReLU", "aten.relu.default")
    return _finish([total, scaled], [x, b0, b1], "nested",
                   ['["sum"]', '["parts"][0]'])


def nested_torch():
    """The PyTorch module that ``nested_io`` stands for: ``forward(x, b)`` -> dict output."""
    import torch

    class Nested(torch.nn.Module):
        def forward(self, x, b):
            total = x + b[0] + b[1][0]
            return {"sum": total, "parts": (torch.relu(total),)}

    return Nested().eval()


def classifier_pair(classes=10, error_at=None, error=0.5):
    """A PyTorch classifier (scale -> act -> head) and its hand-built conversion.

    ``error_at`` ("scale", "act" or "head") plants an error of ``error`` in that module's converted
    node, so the per-layer drill-down has a known first divergence.
    """
    import torch

    class Scale(torch.nn.Module):
        def forward(self, x):
            return x * 0.5

    class Shift(torch.nn.Module):
        def __init__(self, bias):
            super().__init__()
            self.bias = torch.nn.Parameter(torch.tensor(bias))

        def forward(self, x):
            return x + self.bias

    bias = np.linspace(-1, 1, classes).astype(np.float32)
    torch_model = torch.nn.Sequential()
    torch_model.add_module("scale", Scale())
    torch_model.add_module("act", torch.nn.ReLU())
    torch_model.add_module("head", Shift(bias))
    torch_model.eval()

    def planted(module, value):
        return np.float32(value + (error if error_at == module else 0.0))

    x = _param("input", [1, classes], "input")
    y = tag(ops.multiply(x, planted("scale", 0.5)), "scale", "Scale", "aten.mul.Tensor")
    y = tag(ops.relu(y), "act", "ReLU", "aten.relu.default")
    if error_at == "act":
        y = tag(ops.add(y, np.float32(error)), "act", "ReLU", "aten.relu.default")
    y = tag(ops.add(y, bias + planted("head", 0.0)), "head", "Shift", "aten.add.Tensor")
    return torch_model, _finish([y], [x], "classifier", [""])
