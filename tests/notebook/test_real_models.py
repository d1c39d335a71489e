"""The magics and the graph view on real conversions: torchvision ResNets and a BERT-base encoder.

Random weights only (nothing is downloaded). A model the frontend cannot convert yet is skipped with
the frontend's message, so these tests start to count as soon as it can.
"""
import pytest
import torch

import ov_notebook as ov
from ov_notebook.notebook.views.graph import GraphView

torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.slow


def _convert(model, example):
    try:
        return ov.convert_model(model, example_input=example)
    except Exception as error:  # noqa: BLE001  the frontend reports what it cannot convert yet
        pytest.skip(f"frontend cannot convert {type(model).__name__} yet: "
                    f"{type(error).__name__}: {str(error)[:300]}")




def test_magics_on_resnet18(ip):
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    categories = torchvision.models.ResNet18_Weights.DEFAULT.meta["categories"]  # no download
    ip.user_ns.update(model=model, batch=torch.rand(1, 3, 224, 224), categories=categories)
    try:
        report = ip.run_line_magic("convert", "model -e batch")
    except Exception as error:  # noqa: BLE001  the frontend reports what it cannot convert yet
        pytest.skip(f"frontend cannot convert resnet18 yet: {error}")
    assert report.route in ("export", "torchscript") and report.model is ip.user_ns["model_ov"]
    assert report.parameter_count == sum(p.numel() for p in model.parameters()) + \
        sum(b.numel() for n, b in model.named_buffers() if "num_batches" not in n)
    assert report.op_counts["Convolution"] == 20
    assert [r["path"] for r in report.signature.inputs] == ["x"]
    assert {"layer1", "layer4"} <= report.graph.clusters
    html = report._repr_html_()
    assert "<svg" not in html and "class='ovn-signature'" in html
    assert report.display_outputs()[1]["image/svg+xml"].count('class="node"') == \
        report.graph.visible_node_count
    check = ip.run_line_magic("infer", "model_ov batch --torch model --labels categories --layers")
    assert check.passed and check.max_abs_error < 1e-4 and check.min_cosine > 0.99999
    assert check.topk.agree_top1 and check.topk.rows[0][1] in categories
    assert check.layers.first_failure is None
    assert check.layers.matched == len(check.layers.rows) > 60
    assert any("(call 2 of 2)" in row.module for row in check.layers.rows)  # reused ReLUs


@pytest.fixture(scope="module")
def resnet50_ov():
    return _convert(torchvision.models.resnet50().eval(), torch.rand(1, 3, 224, 224))


@pytest.fixture(scope="module")
def bert_ov():
    transformers = pytest.importorskip("transformers")
    model = transformers.BertModel(transformers.BertConfig()).eval()  # BERT-base sized, random
    example = {"input_ids": torch.randint(0, 1000, (1, 16)),
               "attention_mask": torch.ones(1, 16, dtype=torch.long)}
    return _convert(model, example)


@pytest.mark.parametrize("name, clusters", [
    ("resnet50_ov", {"layer1", "layer1.0", "layer4.2"}),
    ("bert_ov", {"encoder", "encoder.layer", "encoder.layer.11"}),
])
def test_graph_view_on_big_models(request, name, clusters):
    model = request.getfixturevalue(name)
    view = GraphView(model, node_budget=300, timeout=60)
    assert view.visible_node_count <= 300 < len(view.layout.nodes) or view.depth == view.max_depth
    svg = view.mimebundle()["image/svg+xml"]
    assert view.note == ""  # dot finished within its timeout, no fallback
    assert svg.count('class="node"') == view.visible_node_count
    deeper = view.layout.unit_count(min(view.depth + 1, view.max_depth))
    full = GraphView(model).set_depth(view.max_depth)
    assert full.visible_node_count == len(view.layout.nodes) >= deeper >= view.visible_node_count
    assert clusters <= (view.clusters | full.clusters)


def test_layers_match_every_module_call_of_resnet50():
    """ResNet-50's Bottleneck calls its relu three times (two shapes): every call is matched."""
    from ov_notebook.notebook.layers import layer_divergence

    torch.manual_seed(0)
    model = torchvision.models.resnet50().eval()
    x = torch.rand(1, 3, 224, 224)
    table = layer_divergence(model, _convert(model, x), x)
    assert len(table.rows) > 180 and table.matched == len(table.rows)
    assert sum("(call 3 of 3)" in r.module for r in table.rows) == 16
    assert table.first_failure is None


@pytest.fixture
def tiny(ip):
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(),
                                torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                                torch.nn.Linear(8, 10)).eval()
    ip.user_ns.update(tiny=model, x=torch.rand(1, 3, 32, 32), torch=torch)
    return model


def test_convert_input_spec_pt2_path_and_spaced_expressions(ip, tiny, tmp_path):
    try:
        ip.run_line_magic("convert", "tiny -e torch.rand(1, 3, 32, 32) --input input[1,3,?,?]{f32} "
                                     "-o dynamic -q")
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"frontend cannot convert a conv net yet: {error}")
    assert str(ip.user_ns["dynamic"].input(0).get_partial_shape()) == "[1,3,?,?]"
    check = ip.run_line_magic("infer", "dynamic torch.rand(1, 3, 40, 40) --torch tiny --runs 0")
    assert check.passed and check.outputs[""].shape == (1, 10) and not check.latency
    path = str(tmp_path / "tiny.pt2")
    torch.export.save(torch.export.export(tiny, (ip.user_ns["x"],)), path)
    saved = str(tmp_path / "tiny.xml")
    report = ip.run_line_magic("convert", f"{path!r} --save {saved}")
    assert report.route == "export" and report.name == "tiny_ov" and report.saved == saved
    reread = ip.run_line_magic("convert", f"{saved!r} -o reread")
    assert reread.route == "ir" and reread.op_counts["Convert"] >= 1  # f16 weights decompressed
    assert reread.graph.visible_node_count == report.graph.visible_node_count  # Converts hidden
