"""Errors of the PyTorch frontend: one report of every unsupported op, translation failures
that name the node and module, and bad arguments that say what was expected."""
from __future__ import annotations

import pytest
import torch
from torch import nn

import ov_notebook as ov
from ov_notebook.frontend.errors import ConversionError, UnsupportedOpsError


class Special(nn.Module):  # Bessel functions: ops that no translator covers
    def forward(self, x):
        return torch.special.bessel_j0(x) + torch.special.bessel_y0(x)


class TwoUnsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = Special()
        self.blocks = nn.Sequential(nn.ReLU(), Special())

    def forward(self, x):
        return torch.special.bessel_j0(self.head(x) * self.blocks(x + 1))


def _report(route, monkeypatch):
    x = torch.rand(4) + 0.5
    if route == "trace":
        import ov_notebook.frontend.torch as torch_frontend

        monkeypatch.setattr(torch_frontend, "_exportable", lambda model: False)
    with pytest.raises(UnsupportedOpsError) as caught:
        ov.convert_model(TwoUnsupported(), example_input=x)
    return caught.value


def test_every_unsupported_op_is_reported_once_with_counts_and_modules(monkeypatch):
    error = _report("export", monkeypatch)
    message = str(error)
    assert error.unsupported == {
        "aten.special_bessel_j0.default": (3, ["head", "blocks.1", "<root>"]),
        "aten.special_bessel_y0.default": (2, ["head", "blocks.1"]),
    }
    assert "2 operation(s) have no translator (route: export)" in message
    assert "aten.special_bessel_j0.default: 3 nodes, in head, blocks.1, <root>" in message
    assert "aten.special_bessel_y0.default: 2 nodes, in head, blocks.1" in message
    assert "torch.jit.trace" in message and "ONNX" in message and "issue" in message


def test_unsupported_ops_on_the_torchscript_route(monkeypatch):
    error = _report("trace", monkeypatch)
    assert set(error.unsupported) == {"aten::special_bessel_j0", "aten::special_bessel_y0"}
    count, paths = error.unsupported["aten::special_bessel_j0"]
    assert count >= 2 and "head" in paths and "<root>" in paths
    assert "route: torchscript" in str(error) and "torch.export" in str(error)


def test_translation_errors_name_the_node_and_module(monkeypatch):
    from ov_notebook.frontend.torch import registry

    def broken(ctx):
        raise ValueError("cannot do this")

    monkeypatch.setitem(registry._TRANSLATORS, "aten.special_bessel_j0", broken)
    monkeypatch.setitem(registry._TRANSLATORS, "aten.special_bessel_y0", broken)
    with pytest.raises(ConversionError, match=r"aten\.special_bessel_j0\.default \(node "
                                              r"'special_bessel_j0' in module 'head'\): "
                                              r"ValueError: cannot do this"):
        ov.convert_model(TwoUnsupported(), example_input=torch.rand(4))


class RuntimeBranch(nn.Module):
    def forward(self, x):
        if bool(x.sum() > 0):
            return torch.histc(x, bins=3)
        return x


def test_unsupported_op_in_a_run_time_branch_is_reported():
    # run-time conditions become If-8 (tests/frontend/torch/test_control_flow.py); what the
    # branches hold is still checked, and reported in the one aggregated error
    with pytest.raises(UnsupportedOpsError, match=r"aten::histc: 1 node"):
        ov.convert_model(torch.jit.script(RuntimeBranch()), example_input=torch.rand(3))


@pytest.mark.parametrize("option", ["output", "extension"])
def test_options_that_pytorch_models_do_not_support(option):
    with pytest.raises(ConversionError, match=f"{option}= is not supported for PyTorch models"):
        ov.convert_model(nn.ReLU(), example_input=torch.rand(2), **{option: ["x"]})


class NotScriptable(nn.Module):
    def forward(self, x):
        return x * len({"a": 1, **{str(i): i for i in range(2)}})  # dict unpacking: no TorchScript


def test_scripting_failure_suggests_example_input():
    with pytest.raises(ConversionError, match=r"torch.jit.script failed on NotScriptable.*"
                                              r"pass example_input"):
        ov.convert_model(NotScriptable())


class TwoArguments(nn.Module):
    def forward(self, x, y):
        return x + y


@pytest.mark.parametrize("example, message", [
    ({"x": torch.rand(2), "w": torch.rand(2)}, r"key\(s\) \['w'\] that are not arguments of "
                                               r"forward\(x, y\)"),
    ((torch.rand(2), torch.rand(2), torch.rand(2)), "gives 3 positional arguments"),
    ((torch.rand(2), "text"), r"example_input\[1\]: unsupported type str"),
    ({"x": torch.rand(2)}, "does not give 'y' required by forward"),
])
def test_bad_example_inputs_say_what_was_expected(example, message):
    with pytest.raises(ConversionError, match=message):
        ov.convert_model(TwoArguments(), example_input=example)


def test_tracing_failure_reports_both_routes():
    class Failing(nn.Module):
        def forward(self, x):
            raise RuntimeError("the model itself fails")

    with pytest.raises(ConversionError, match=r"torch.export failed .*torch.jit.trace failed "
                                              r"\(RuntimeError: the model itself fails\)"):
        ov.convert_model(Failing(), example_input=torch.rand(2))


def test_objects_that_are_not_models():
    with pytest.raises(ConversionError, match="cannot convert a Tensor"):
        ov.convert_model(torch.rand(2))
