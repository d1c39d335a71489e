"""ov.explore in a real browser: Model Explorer's own server (on a free localhost port, in this
process) serves our graph and node data, and Debian's chromium (Playwright, no network) loads it.

The graph itself is drawn with WebGL, so the checks read Model Explorer's side panel (graph info,
root-level layers from our namespaces, the node-data table with our op labels and overlay values)
and count drawn pixels in the graph pane. The screenshot goes to ``artifacts/notebook/``.
"""
import os
import time

import pytest
import torch

import ov_notebook as ov

pytest.importorskip("model_explorer", reason="the explorer extra is not installed "
                    "(pip install 'ov-notebook[explorer]')")
playwright = pytest.importorskip("playwright.sync_api")

HERE = os.path.dirname(os.path.abspath(__file__))
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "artifacts", "notebook")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1),
                                            torch.nn.ReLU(), torch.nn.MaxPool2d(2))
        self.head = torch.nn.Linear(8 * 4 * 4, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def _drawn_pixels(png: bytes) -> int:
    import io

    import numpy as np
    from PIL import Image

    return int((np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 200).sum())


def _small():
    labels = ("Parameter", "Convolution", "MaxPool", "MatMul", "Result")
    return Net().eval(), torch.rand(1, 3, 8, 8), ("features", "head"), labels, "browser net/v1"


def _resnet18():
    torchvision = pytest.importorskip("torchvision")
    return (torchvision.models.resnet18().eval(), torch.rand(1, 3, 64, 64),  # random weights
            ("conv1", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"),
            ("Parameter", "Convolution", "Constant"),  # the table shows its first 50 rows
            "resnet18")


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")
@pytest.mark.parametrize("build", [_small, pytest.param(_resnet18, marks=pytest.mark.slow)],
                         ids=["convnet", "resnet18"])
def test_model_explorer_renders_our_graph_in_chromium(build):
    torch.manual_seed(0)
    net, example, layers, labels, name = build()
    model = ov.convert_model(net, example_input=example)
    conv = next(op.get_friendly_name() for op in model.get_ordered_ops()
                if op.get_type_name() == "Convolution")
    view = ov.explore(model, overlays={"error vs PyTorch": {conv: 0.0375}}, name=name)
    os.makedirs(ARTIFACTS, exist_ok=True)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(view.url)
            page.get_by_text("op node count").wait_for(timeout=60_000)
            panel = page.inner_text("body")
            deadline = time.monotonic() + 30
            while "Convolution" not in panel and time.monotonic() < deadline:
                time.sleep(0.5)
                panel = page.inner_text("body")
            page.screenshot(path=os.path.join(ARTIFACTS, f"explorer_{build.__name__[1:]}.png"))
            # below the toolbar, above the legend, left of the side panel
            graph_pane = page.screenshot(clip={"x": 0, "y": 110, "width": 1000, "height": 650})
        finally:
            browser.close()
    assert not errors, errors
    assert name in panel
    count = panel.split("op node count", 1)[1].split()[0]
    assert int(count) == len(model.get_ordered_ops())
    for label in labels:
        assert label in panel, label  # the node-data table lists nodes by our labels
    root_stats = panel.split("Root-level nodes stats", 1)[1].split("Node data", 1)[0]
    for layer in layers:
        assert layer in root_stats, layer  # top-level module paths became layers
    assert "0.0375" in panel  # the overlay value reached its node
    assert _drawn_pixels(graph_pane) > 500  # WebGL drew boxes and edges, not a blank pane
