"""Whole models exported with torch.onnx.export at several opsets, converted and compared with
onnxruntime and torch; and the ONNX frontend's errors."""
from __future__ import annotations

import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import ov_notebook as ov  # noqa: E402
from ov_notebook.frontend.errors import ConversionError, UnsupportedOpsError  # noqa: E402


def _export(model, args, path, opset):
    kwargs = {"opset_version": opset, "dynamo": False} if opset in (11, 17) else {}
    with torch.no_grad():
        torch.onnx.export(model, args, path, **kwargs)
    return path


def _compare(path, feeds, torch_out=None, tolerance=1e-3):
    ours = ov.compile_model(ov.convert_model(path))(list(feeds.values()))
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    reference = session.run(None, feeds)
    for index, expected in enumerate(reference):
        got = ours[index]
        assert got.shape == expected.shape and got.dtype == expected.dtype
        scale = max(float(np.abs(expected).max()), 1e-6)
        assert float(np.abs(got - expected).max()) <= tolerance * scale, f"output {index}"
    if torch_out is not None:
        scale = max(float(np.abs(torch_out).max()), 1e-6)
        assert float(np.abs(ours[0] - torch_out).max()) <= tolerance * scale
        assert ours[0].argmax() == torch_out.argmax()


@pytest.mark.parametrize("opset", [11, 17, "default"])
@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small"])
def test_torchvision_classifiers(tmp_path, name, opset):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.rand(1, 3, 96, 96)
    path = _export(model, (x,), str(tmp_path / f"{name}.onnx"), opset)
    with torch.no_grad():
        expected = model(x).numpy()
    _compare(path, {onnx.load(path).graph.input[0].name: x.numpy()}, expected)


@pytest.mark.parametrize("opset", [11, 17])
def test_bert_encoder(tmp_path, opset):
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                     intermediate_size=128, vocab_size=500)
    if opset < 14:  # scaled_dot_product_attention needs opset 14: use the eager attention
        config._attn_implementation = "eager"
    torch.manual_seed(0)
    bert = transformers.BertModel(config).eval()

    class Encoder(torch.nn.Module):  # positional (ids, mask) -> last hidden state
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    model = Encoder().eval()
    ids = torch.randint(0, 500, (1, 16))
    mask = torch.ones(1, 16, dtype=torch.int64)
    path = str(tmp_path / "bert.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask), path, opset_version=opset, dynamo=False,
                          input_names=["input_ids", "attention_mask"])
    converted = ov.convert_model(path)
    assert [p.get_any_name() for p in converted.inputs] == ["input_ids", "attention_mask"]
    _compare(path, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})


def _small_transformer(name, transformers):
    """(model taking one tensor and returning the first output, example input, input name) for
    small random DistilBERT, GPT-2 and ViT models with eager attention."""
    torch.manual_seed(0)
    if name == "vit":
        config = transformers.ViTConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                        intermediate_size=128, image_size=32, patch_size=8)
        inner, argument, x = transformers.ViTModel(config), "pixel_values", torch.rand(1, 3, 32, 32)
    elif name == "gpt2":
        config = transformers.GPT2Config(vocab_size=500, n_embd=64, n_layer=2, n_head=4,
                                         use_cache=False)
        inner, argument = transformers.GPT2LMHeadModel(config), "input_ids"
        x = torch.randint(0, 500, (1, 16))
    else:
        config = transformers.DistilBertConfig(vocab_size=500, dim=64, n_layers=2, n_heads=4,
                                               hidden_dim=128)
        inner, argument = transformers.DistilBertModel(config), "input_ids"
        x = torch.randint(0, 500, (1, 16))
    inner.config._attn_implementation = "eager"  # the TorchScript exporter at opset 11 has no SDPA

    class FirstOutput(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            # GPT-2 without a mask searches position ids for packed sequences with aten::diff,
            # which the TorchScript exporter cannot write; an all-ones mask computes the same
            extra = {"attention_mask": torch.ones_like(x)} if name == "gpt2" else {}
            return self.inner(**{argument: x}, **extra)[0]

    return FirstOutput().eval(), x, argument


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
@pytest.mark.parametrize("opset", [11, 17])
@pytest.mark.parametrize("name", ["distilbert", "gpt2", "vit"])
def test_small_transformers(tmp_path, name, opset):
    transformers = pytest.importorskip("transformers")
    model, x, argument = _small_transformer(name, transformers)
    path = str(tmp_path / f"{name}.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (x,), path, opset_version=opset, dynamo=False,
                          input_names=[argument])
        expected = model(x).numpy()
    assert [p.get_any_name() for p in ov.convert_model(path).inputs] == [argument]
    _compare(path, {argument: x.numpy()}, expected)


def test_document_two_step_example(tmp_path, monkeypatch):
    """The reference document's ONNX example, with the import swapped (weights=None offline)."""
    monkeypatch.chdir(tmp_path)
    model = torchvision.models.resnet18(weights=None).eval()
    torch.onnx.export(model, (torch.rand(1, 3, 224, 224), ), 'model.onnx')
    ov_model = ov.convert_model('model.onnx')
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        expected = model(x).numpy()
    direct = ov.compile_model(ov.convert_model(model, example_input=x))(x)[0]
    via_onnx = ov.compile_model(ov_model)(x.numpy())[0]
    scale = float(np.abs(expected).max())
    assert np.abs(via_onnx - expected).max() <= 1e-3 * scale
    assert np.abs(via_onnx - direct).max() <= 1e-3 * scale


def test_module_paths_from_exporter_metadata(tmp_path):
    model = torchvision.models.resnet18(weights=None).eval()
    path = _export(model, (torch.rand(1, 3, 64, 64),), str(tmp_path / "r.onnx"), "default")
    paths = {op.rt_info.get("module_path") for op in ov.convert_model(path).get_ordered_ops()}
    # the exporter folds each BatchNorm into its Conv and keeps the BatchNorm's scope on it
    assert {"layer1.0.relu", "layer1.0.bn1", "layer4.1.bn2", "fc"} <= paths


def test_external_data(tmp_path):
    weights = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 64])],
                              [numpy_helper.from_array(weights, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = str(tmp_path / "ext.onnx")
    onnx.save_model(model, path, save_as_external_data=True, location="ext.data",
                    size_threshold=0)
    x = np.ones((2, 64), np.float32)
    np.testing.assert_allclose(ov.compile_model(ov.convert_model(path))(x)[0], x @ weights,
                               rtol=1e-5, atol=1e-4)
    os.remove(tmp_path / "ext.data")
    with pytest.raises(ConversionError, match="external data file 'ext.data'"):
        ov.convert_model(path)


def test_truncated_and_malformed_files(tmp_path):
    model = torchvision.models.resnet18(weights=None).eval()
    path = _export(model, (torch.rand(1, 3, 32, 32),), str(tmp_path / "r.onnx"), 17)
    data = open(path, "rb").read()
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(data[: len(data) // 3])
    with pytest.raises(ConversionError, match="not a valid ONNX model"):
        ov.convert_model(str(truncated))
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\x01not an onnx file at all" * 10)
    with pytest.raises(ConversionError):
        ov.convert_model(str(garbage))
    with pytest.raises(ConversionError, match="does not exist"):
        ov.convert_model(str(tmp_path / "missing.onnx"))


def test_unsupported_ops_are_reported_together():
    nodes = [helper.make_node("Hardmax", ["x"], ["a"], name="foo1"),
             helper.make_node("Hardmax", ["a"], ["b"], name="foo2"),
             helper.make_node("Bar", ["b"], ["y"], name="bar1", domain="custom")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("custom", 1)])
    with pytest.raises(UnsupportedOpsError) as info:
        ov.convert_model(model)
    assert info.value.unsupported["Hardmax"][0] == 2
    assert info.value.unsupported["custom:Bar"][0] == 1
    assert "foo1" in str(info.value) and "custom:Bar" in str(info.value)


def test_input_override_makes_batch_dynamic(tmp_path):
    model = torchvision.models.resnet18(weights=None).eval()
    path = _export(model, (torch.rand(1, 3, 64, 64),), str(tmp_path / "r.onnx"), 17)
    name = onnx.load(path).graph.input[0].name
    converted = ov.convert_model(path, input={name: [-1, 3, 64, 64]})
    assert str(converted.input(0).get_partial_shape()) == "[?,3,64,64]"
    compiled = ov.compile_model(converted)
    assert compiled(np.random.rand(3, 3, 64, 64).astype(np.float32))[0].shape == (3, 1000)
