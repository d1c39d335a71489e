"""``torch.jit.freeze``d ScriptModules convert through every path: the module itself (with and
without example_input), and a ``.pt`` file of it; scripted and traced before freezing. Freezing
removes ``training`` from the module (its mode is baked into the graph), and torch's frozen-graph
optimizations fold batch norms into convolution weights; the result must still equal torch's."""
import numpy as np
import pytest
import torch

import ov_notebook as ov
from oracle import assert_outputs_match, run_openvino, run_ours

pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]


class ConvBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.norm = torch.nn.BatchNorm2d(4)
        self.drop = torch.nn.Dropout(0.5)
        self.head = torch.nn.Linear(4, 5)

    def forward(self, x):
        y = self.drop(torch.relu(self.norm(self.conv(x))) + x.mean(1, keepdim=True))
        return self.head(y.mean((2, 3))).softmax(-1)


def _frozen(how, module, example):
    torch.manual_seed(0)
    module = module.eval()
    source = torch.jit.script(module) if how == "script" else torch.jit.trace(module, example)
    return torch.jit.freeze(source)


def _module():
    torch.manual_seed(0)
    module = ConvBlock()
    with torch.no_grad():  # non-trivial running statistics, so folding them is visible
        module.norm.running_mean.uniform_(-1, 1)
        module.norm.running_var.uniform_(0.5, 2)
    return module.eval()


@pytest.mark.parametrize("how", ["script", "trace"])
@pytest.mark.parametrize("path", ["module", "module_no_example", "file"])
def test_frozen_module_converts(how, path, tmp_path):
    module = _module()
    example = torch.randn(2, 3, 8, 8)
    frozen = _frozen(how, module, example)
    assert not hasattr(frozen, "training")  # what made convert_model fail before
    if path == "file":
        torch.jit.save(frozen, tmp_path / "frozen.pt")
        model = ov.convert_model(tmp_path / "frozen.pt", example_input=example)
    elif path == "module":
        model = ov.convert_model(frozen, example_input=example)
    else:
        model = ov.convert_model(frozen)
        assert [p.get_any_name() for p in model.inputs] == ["x"]
        assert model.inputs[0].get_partial_shape().rank.get_length() == 4
    # the example fixes the input shape; without it the shape is dynamic
    x = torch.randn(3, 3, 6, 10) if path == "module_no_example" else torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        expected = module(x).numpy()
    ours = run_ours(model, [x.numpy()])
    assert ours[0].dtype == np.float32 and ours[0].shape == expected.shape
    np.testing.assert_allclose(ours[0], expected, atol=1e-5, rtol=1e-4)
    assert_outputs_match(ours, run_openvino(model, [x.numpy()]), rtol=1e-4, atol=1e-5)


def test_frozen_module_mode_left_alone():
    """eval_mode must not try to switch a frozen module (nothing to switch), nor a regular
    module's submodules stay in eval mode after conversion."""
    module = _module().train()
    ov.convert_model(module, example_input=torch.randn(1, 3, 8, 8))
    assert all(m.training for m in module.modules())
    frozen = _frozen("script", _module(), None)
    model = ov.convert_model(frozen, example_input=torch.randn(1, 3, 8, 8))
    assert len(model.outputs) == 1
