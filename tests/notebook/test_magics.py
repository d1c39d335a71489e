"""%convert and %infer driven through IPython's InteractiveShell, asserting on the returned reports.

Models are hand-built (with the structure and module-path rt_info the frontend writes) and paired
with the PyTorch modules they stand for, so these tests do not depend on the PyTorch frontend;
``test_convert_torch_module`` covers a real conversion once the frontend converts.
"""
import copy
import os

import numpy as np
import pytest
import torch
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import ov_notebook as ov
from ov_notebook.notebook import conversion, inference
from synthetic import classifier_pair, nested_io, nested_torch, resnet50_like




@pytest.fixture
def nested_xml(tmp_path):
    path = str(tmp_path / "nested.xml")
    ov.save_model(nested_io(), path)
    return path


def test_load_twice_unload_and_usage():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ov_notebook")
    shell.run_line_magic("load_ext", "ov_notebook")
    magics = shell.magics_manager.magics
    assert "convert" in magics["line"] and "convert" in magics["cell"] and "infer" in magics["line"]
    usage = shell.find_line_magic("convert").__doc__
    assert "%convert [-e EXPR" in usage and "--example-input" in usage and "--input" in usage
    assert "--layers" in shell.find_line_magic("infer").__doc__
    shell.run_line_magic("unload_ext", "ov_notebook")
    assert "convert" not in magics["line"] and "infer" not in magics["line"]
    assert not any(type(c).__name__ == "OVNotebook" for c in shell.configurables)


def test_config_options(ip):
    ip.run_line_magic("config", "OVNotebook.topk = 2")
    options = next(c for c in ip.configurables if type(c).__name__ == "OVNotebook")
    assert options.topk == 2 and options.runs == 2


def test_convert_ir_path_binds_model_and_reports(ip, nested_xml, tmp_path):
    ip.user_ns["path"] = nested_xml
    saved = str(tmp_path / "again.xml")
    report = ip.run_line_magic("convert", f"path --save {saved}")
    model = ip.user_ns["path_ov"]
    assert report.model is model and report.name == "path_ov" and report.route == "ir"
    assert report.op_count == 3 and report.op_counts == {"Add": 2, "Relu": 1}
    assert [r["path"] for r in report.signature.inputs] == ["x", "b[0]", "b[1][0]"]
    assert os.path.exists(saved) and os.path.exists(saved[:-4] + ".bin")
    html = report._repr_html_()
    for fragment in ("class='ovn-signature'", "class='ovn-ops'", "OpenVINO IR", "<details"):
        assert fragment in html
    assert "<svg" not in html and "type='radio'" not in html  # sanitizer-safe: no inline SVG
    summary, graph = report.display_outputs()
    assert summary == {"text/html": html, "text/plain": repr(report)}
    assert graph["image/svg+xml"].startswith("<svg") and graph["image/png"]
    assert "route" in repr(report) and "b[1][0]" in repr(report)


def test_convert_quiet_and_output_name(ip, nested_xml):
    ip.user_ns["path"] = nested_xml
    assert ip.run_line_magic("convert", "path -q -o mine") is None
    assert isinstance(ip.user_ns["mine"], ov.Model)


def test_cell_magic_runs_the_cell_first(ip, nested_xml):
    report = ip.run_cell_magic("convert", "ir_file -o from_cell", f"ir_file = {nested_xml!r}")
    assert ip.user_ns["from_cell"] is report.model and report.source == "ir_file"


@pytest.mark.parametrize("line, message", [
    ("no_such_model", "name 'no_such_model' is not defined"),
    ("path --bogus", "unrecognized arguments"),
    ("path --input x[1,a]", "bad shape"),
    ("'missing.xml'", "does not exist"),
    ("path -o 'not a name'", "not a valid variable name"),
    ("path -e (1,", "not a valid Python expression"),
])
def test_convert_usage_errors(ip, nested_xml, line, message):
    ip.user_ns["path"] = nested_xml
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("convert", line)


def test_unsupported_ops_are_a_table(ip, monkeypatch, capsys):
    from ov_notebook import frontend
    from ov_notebook.frontend.errors import UnsupportedOpsError

    def fail(*args, **kwargs):
        raise UnsupportedOpsError("3 unsupported ops", {
            "aten.grid_sampler.default": (2, ["stn.sampler", "stn2.sampler"]),
            "aten.fft_rfft.default": (1, [""])})

    monkeypatch.setattr(frontend, "convert_model", fail)
    ip.user_ns["net"] = torch.nn.Identity()
    message = (r"^%convert net: 2 unsupported operation types: aten.fft_rfft.default, "
               r"aten.grid_sampler.default \(table above\)$")
    with pytest.raises(UsageError, match=message) as info:
        ip.run_line_magic("convert", "net")
    assert isinstance(info.value.__cause__, conversion.ConversionFailed)
    report = info.value.__cause__.report
    assert report.unsupported["aten.grid_sampler.default"][0] == 2
    html = report._repr_html_()
    assert "class='ovn-unsupported'" in html and "stn.sampler, stn2.sampler" in html
    assert "(root)" in repr(report)
    assert "aten.grid_sampler.default" in capsys.readouterr().out  # shown before the error


def test_infer_outputs_and_shared_cache(ip):
    ip.user_ns.update(m=nested_io(), x=np.ones((2, 3), np.float32))
    report = ip.run_line_magic("infer", "m (x,(x,(x,)))")
    assert list(report.outputs) == ['["sum"]', '["parts"][0]']
    np.testing.assert_array_equal(report.outputs['["sum"]'], np.full((2, 3), 3, np.float32))
    assert report.comparisons == [] and report.passed is None and not report.latency
    assert "class='ovn-outputs'" in report._repr_html_()
    compiled = inference.compiled_for(ip.user_ns["m"])
    ip.run_line_magic("infer", "m {'x':x,'b':(x,(x,))}")
    assert inference.compiled_for(ip.user_ns["m"]) is compiled


def test_infer_compares_with_torch_leaf_by_leaf(ip):
    x = torch.rand(2, 3)
    ip.user_ns.update(m=nested_io(), net=nested_torch(), x=x)
    report = ip.run_line_magic("infer", "m (x,(x,(x,))) --torch net -o check")
    assert ip.user_ns["check"] is report
    assert [c.path for c in report.comparisons] == ['["sum"]', '["parts"][0]']
    assert report.passed and report.max_abs_error < 1e-6 and report.min_cosine > 0.9999
    assert set(report.latency) == {"PyTorch", "converted"}
    assert len(report.latency["converted"].samples_ms) == 2
    html = report._repr_html_()
    for fragment in ("class='ovn-comparison'", "class='ovn-latency'", "class='ovn-figure'",
                     "✔ pass", "within tolerance"):
        assert fragment in html
    assert report.figure is not None and "PASS" in repr(report)


def test_infer_topk_with_labels(ip):
    net, model = classifier_pair(classes=10)
    labels = [f"class-{i}" for i in range(10)]
    ip.user_ns.update(m=model, net=net, x=torch.full((1, 10), 0.1), labels=labels)
    report = ip.run_line_magic("infer", "m x --torch net --labels labels --topk 3 --runs 2")
    assert report.topk.agree_top1 and report.topk.overlap == 3 and len(report.topk.rows) == 3
    rank, label, torch_prob, converted_prob = report.topk.rows[0]
    assert rank == 1 and label == "class-9" and abs(torch_prob - converted_prob) < 1e-6
    assert "class='ovn-topk'" in report._repr_html_() and "class-9" in repr(report)


def test_infer_flags_a_wrong_output_and_the_first_bad_layer(ip):
    net, model = classifier_pair(error_at="act")
    ip.user_ns.update(m=model, net=net, x=torch.rand(1, 10))
    report = ip.run_line_magic("infer", "m x --torch net --layers --runs 1")
    assert report.passed is False and report.max_abs_error == pytest.approx(0.5)
    layers = report.layers
    assert [r.module for r in layers.rows] == ["scale", "act", "head"]
    assert layers.first_failure.module == "act" and layers.matched == 3
    html = report._repr_html_()
    assert "✘ fail" in html and "first over tolerance: <b>act</b>" in html
    assert "FAIL" in repr(report)


@pytest.mark.parametrize("line, message", [
    ("m (x,)", "does not have the structure"),
    ("m x --layers", "needs --torch|give --torch"),
    ("nope x", "name 'nope' is not defined"),
    ("x x", "MODEL must be a converted Model"),
    ("m (x,(x,(x,))) --runs -1", "must be >= 0"),
])
def test_infer_usage_errors(ip, line, message):
    ip.user_ns.update(m=nested_io(), x=np.ones((2, 3), np.float32))
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("infer", line)


class _Handle:
    def __init__(self, shown, bundle):
        self.shown, self.updates = shown, [bundle]

    def update(self, bundle, raw=False):
        self.updates.append(bundle)


@pytest.fixture
def displayed(monkeypatch):
    """What ``IPython.display.display`` was called with: ``[(object, handle or None), ...]``."""
    import IPython.display

    shown = []

    def display(obj, raw=False, display_id=None):
        handle = _Handle(shown, obj) if display_id else None
        shown.append((obj, handle))
        return handle

    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def test_report_shows_static_outputs_and_no_widget_unless_watched(ip, tmp_path, displayed):
    from ov_notebook.notebook import session

    path = str(tmp_path / "resnet.xml")
    ov.save_model(resnet50_like(), path)
    ip.user_ns["path"] = path
    report = ip.run_line_magic("convert", "path")
    session.show(report, report.config)
    bundles = [obj for obj, _ in displayed]
    assert [sorted(b) for b in bundles] == [["text/html", "text/plain"],
                                            ["image/png", "image/svg+xml", "text/plain"]]


def test_progress_is_text_replaced_by_its_final_line(displayed):
    from ov_notebook.notebook import session

    assert not session.interactive() and not session.widgets_available()  # a terminal shell
    with session.progress(3, "timing") as bar:
        assert type(bar).__name__ == "_NoProgress"
    assert displayed == []

    class Options:
        progress = "on"
        widgets = "off"

    with session.progress(3, "timing", Options()) as bar:
        bar.step("run 1")
    (first, handle), = displayed
    assert all(set(b) == {"text/plain"} for b in handle.updates)  # never a widget
    assert any("[#######.............] 1/3 run 1" in b["text/plain"] for b in handle.updates)
    assert handle.updates[-1]["text/plain"].startswith("timing: done in ")


def test_convert_torch_module(ip):
    """A real conversion through the PyTorch frontend, then a comparison with torch."""
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU()).eval()
    ip.user_ns.update(net=net, x=torch.rand(1, 8))
    report = ip.run_line_magic("convert", "net -e x")
    assert ip.user_ns["net_ov"] is report.model and report.parameter_count == 8 * 4 + 4
    check = ip.run_line_magic("infer", "net_ov x --torch net")
    assert check.passed and check.max_abs_error < 1e-5


@pytest.mark.parametrize("quote", ['"', "'", ""])
def test_convert_input_spec_may_be_quoted(ip, quote):
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU()).eval()
    ip.user_ns.update(net=net, x=torch.rand(1, 8))
    report = ip.run_line_magic("convert", f"net -e x --input {quote}x[?,8]{quote} -q -o quoted")
    assert report is None
    assert str(ip.user_ns["quoted"].input(0).get_partial_shape()) == "[?,8]"


def test_topk_only_for_a_lone_classifier_output_or_with_labels():
    from ov_notebook.notebook.infer_report import InferReport

    two = [("[0]", np.zeros((1, 5), np.float32)), ("[1]", np.ones((1, 5), np.float32))]
    assert InferReport("m", two, 1e-4, 1e-3).topk is None  # e.g. BERT: hidden states + pooler
    assert InferReport("m", two[:1], 1e-4, 1e-3).topk.path == "[0]"
    assert InferReport("m", two, 1e-4, 1e-3, labels=list("abcde")).topk.path == "[0]"
    assert InferReport("m", two, 1e-4, 1e-3, labels=list("abc")).topk is None  # labels don't fit


def test_latency_ratio_becomes_a_noise_warning_when_the_spread_is_wide():
    from ov_notebook.notebook.compare import LatencyStats
    from ov_notebook.notebook.infer_report import InferReport
    from ov_notebook.notebook.views import comparison

    report = InferReport("m", [("", np.zeros((1, 3), np.float32))], 1e-4, 1e-3)
    report.latency = {"PyTorch": LatencyStats("PyTorch", [10, 10.5, 10.2, 9.9, 10.1], 1),
                      "converted": LatencyStats("converted", [5, 5.1, 4.9, 5.0, 5.2], 1)}
    assert "converted / PyTorch median: 0.50×" in repr(report)
    report.latency["PyTorch"] = LatencyStats("PyTorch", [300, 1499, 2000, 1499, 600], 1)
    assert comparison.noisy_sides(report) == ["PyTorch"]
    assert "too noisy to compare" in repr(report) and "×" not in comparison._ratio(report)
    assert "class='ovn-warn'" in report._repr_html_()


def test_topk_without_torch_has_no_pytorch_column_and_ignored_labels_are_said():
    from ov_notebook.notebook.infer_report import InferReport, run_infer

    alone = InferReport("m", [("", np.arange(5, dtype=np.float32)[None])], 1e-4, 1e-3)
    assert "PyTorch prob" not in repr(alone) and "PyTorch prob" not in alone._repr_html_()
    report = run_infer(nested_io(), (np.ones((2, 3), np.float32),) * 1 +
                       ((np.ones((2, 3), np.float32), (np.ones((2, 3), np.float32),)),),
                       labels=["cat", "dog"])
    assert report.topk is None
    assert any(n.startswith("--labels ignored: no output is a classifier's scores for 2 labels")
               for n in report.notes)


def test_convert_hints_name_forward_arguments():
    from ov_notebook.notebook.conversion import _with_magic_hint

    class Two(torch.nn.Module):
        def forward(self, input_ids, attention_mask):
            return input_ids

    class One(torch.nn.Module):
        def forward(self, inputs):
            return inputs[0]

    message = ("torch.jit.script failed on Two (...); pass example_input so that the model is "
               "exported or traced instead, e.g. convert_model(model, example_input=torch.rand(1,"
               " 3, 224, 224))")
    hint = _with_magic_hint(message, Two(), None)
    assert "-e (input_ids, attention_mask)" in hint and "224" not in hint
    assert "wrap it: -e (EXPR,)" in _with_magic_hint("forward failed", One(), (1, 2))
    assert _with_magic_hint("forward failed", One(), (1,)) == "forward failed"


def test_layers_match_every_call_of_a_reused_relu_and_put_the_first_failure_on_top():
    from ov_notebook.notebook.layers import layer_divergence

    class Block(torch.nn.Module):  # torchvision's Bottleneck uses its relu three times
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(4, 8, 1)
            self.conv2 = torch.nn.Conv2d(8, 4, 1)
            self.relu = torch.nn.ReLU()

        def forward(self, x):
            return self.relu(self.conv2(self.relu(self.conv1(x))) + self.relu(x))

    torch.manual_seed(0)
    net = torch.nn.Sequential(Block(), Block()).eval()
    x = torch.rand(1, 4, 5, 5)
    model = ov.convert_model(net, example_input=x)
    table = layer_divergence(net, model, x)
    relu_rows = [r for r in table.rows if r.module_type == "ReLU"]
    assert len(relu_rows) == 6 and all(r.comparison is not None for r in relu_rows)
    assert table.matched == len(table.rows) and table.first_failure is None
    assert "max rel error" in repr(table) and "max-height" not in table.html()
    altered = copy.deepcopy(net)  # the converted model may share the original's weights
    with torch.no_grad():
        altered[1].conv2.weight.mul_(1.5)
    failing = layer_divergence(altered, model, x)
    assert failing.first_failure.module == "1.conv2"
    html = failing.html()
    assert html.index("ovn-first-failure") < html.index("in execution order")
    assert repr(failing).splitlines()[3].startswith("1.conv2")  # its row right under the head
