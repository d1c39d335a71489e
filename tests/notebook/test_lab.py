"""The views as a person meets them: a real JupyterLab, driven by Playwright in Debian's chromium.

- a saved tutorial opened untrusted (as on Binder): the graph is an image, tables are tables,
  no raw SVG text, no dead radio tabs, no widget errors;
- a notebook run in Lab: the interactive graph expands and collapses on click, highlights search
  matches as you type, shows an op's details, draws the error overlay's legend; after saving and
  reloading, and after a kernel restart, no widget error shows;
- the dark theme: table headers and text keep their contrast.

Screenshots go to ``artifacts/notebook/``; with ``OVN_UPDATE_DOC_IMAGES=1`` also to docs/images.
"""
import json
import os
import re
import shutil
import urllib.request

import nbformat
import pytest

from lab import ROOT, local_only

PlaywrightTimeoutError = pytest.importorskip("playwright.sync_api").TimeoutError

ARTIFACTS = os.path.join(ROOT, "artifacts", "notebook")
TUTORIAL = os.path.join(ROOT, "notebooks", "03-magics-tour.ipynb")

CELLS = [
    "import torch\n%load_ext ov_notebook\n%config OVNotebook.graph_depth = 0",
    "class Block(torch.nn.Module):  # one ReLU module called twice\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.conv1 = torch.nn.Conv2d(4, 4, 3, padding=1)\n"
    "        self.conv2 = torch.nn.Conv2d(4, 4, 3, padding=1)\n"
    "        self.relu = torch.nn.ReLU()\n"
    "    def forward(self, x):\n"
    "        return self.relu(self.conv2(self.relu(self.conv1(x))) + x)\n"
    "torch.manual_seed(0)\n"
    "net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), Block(), Block(),\n"
    "                          torch.nn.Flatten(), torch.nn.Linear(4 * 8 * 8, 10)).eval()\n"
    "x = torch.rand(1, 3, 8, 8)",
    "%convert net -e x",
    "%infer net_ov x --torch net --layers --runs 2",
]


def _shot(page, name, locator=None):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    (locator or page).screenshot(path=path)
    if os.environ.get("OVN_UPDATE_DOC_IMAGES"):
        shutil.copy(path, os.path.join(ROOT, "docs", "images", name))


def _open(browser, lab, name, theme="JupyterLab Light"):
    _set_theme(lab, theme)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    local_only(page, lab.port)
    page.goto(lab.url(name))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    return page


def _put_setting(lab, plugin, values):
    body = json.dumps({"raw": json.dumps(values)}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{lab.port}/lab/api/settings/{plugin}?token={lab.token}", data=body,
        method="PUT", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10)


def _set_theme(lab, theme):
    _put_setting(lab, "@jupyterlab/apputils-extension:themes", {"theme": theme})
    # no "get notified about Jupyter news?" toast over the screenshots (and no network)
    _put_setting(lab, "@jupyterlab/apputils-extension:notification", {"fetchNews": "false"})


def _text(page) -> str:
    return page.locator(".jp-Notebook").inner_text()


@pytest.fixture(scope="module")
def ran(lab, browser):
    """The small notebook above, run all in Lab; the page stays open for the tests."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbformat.write(notebook, os.path.join(lab.root, "run.ipynb"))
    page = _open(browser, lab, "run.ipynb")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=90_000)
    # restart-and-run-all waits for the new kernel before it sends the cells; on a loaded
    # machine (CI runs this beside another pytest worker) Lab has been seen to drop the run
    # after the restart, with the cells never executed: the run is asked for once more then
    for attempt in range(2):
        page.locator("[data-command='notebook:restart-run-all']").first.click()
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        try:
            page.wait_for_selector(".ovn-gw svg g.node", timeout=180_000)
            break
        except PlaywrightTimeoutError:
            if attempt:
                raise
    page.wait_for_function("document.querySelectorAll('.ovn-gw').length >= 2", timeout=240_000)
    yield page
    page.close()


def test_saved_tutorial_untrusted_shows_images_and_tables(lab, browser):
    shutil.copy(TUTORIAL, lab.root)
    page = _open(browser, lab, os.path.basename(TUTORIAL))
    page.wait_for_selector(".jp-OutputArea-output", timeout=60_000)
    page.wait_for_timeout(3000)
    graphs = page.locator(".jp-RenderedImage img")
    assert graphs.count() >= 1
    assert graphs.first.evaluate("img => img.naturalWidth") > 100
    assert page.locator(".jp-RenderedHTMLCommon table.ovn-signature").count() >= 1
    assert page.locator(".jp-RenderedHTMLCommon details").count() >= 1
    text = _text(page)
    assert "Error displaying widget" not in text and "HBox(" not in text
    assert "u0->u1" not in text.replace(" ", "") and "cluster_" not in text
    assert page.locator(".jp-OutputArea input[type=radio]").count() == 0
    page.locator(".jp-OutputArea-output", has=page.locator("table.ovn-signature")).first \
        .scroll_into_view_if_needed()
    _shot(page, "untrusted.png")
    page.close()


def test_interactive_graph_expands_searches_and_shows_details(ran):
    page = ran
    widget = page.locator(".ovn-gw").first
    nodes = widget.locator("svg g.node")
    before = nodes.count()
    module_box = widget.locator("svg g.node", has_text="ops").first
    module_box.click()
    page.wait_for_function(f"document.querySelector('.ovn-gw').querySelectorAll("
                           f"'svg g.node').length > {before}", timeout=30_000)
    expanded = nodes.count()
    cluster = widget.locator("svg g.cluster").first
    cluster.locator("text").first.click()  # a cluster's label: close that module again
    page.wait_for_function(f"document.querySelector('.ovn-gw').querySelectorAll("
                           f"'svg g.node').length < {expanded}", timeout=30_000)
    widget.locator(".ovn-gw-search").press_sequentially("Relu", delay=50)  # no Enter
    widget.locator("g.ovn-gw-match").first.wait_for(timeout=30_000)
    assert "matches" in widget.locator(".ovn-gw-status").inner_text()
    widget.locator("g.ovn-gw-match").first.click()
    details = widget.locator(".ovn-gw-details").first
    details.wait_for(timeout=30_000)
    assert "aten.relu" in widget.locator(".ovn-gw-panel").inner_text()
    assert widget.locator(".ovn-gw-title").inner_text().startswith("Relu (opset")
    _shot(page, "graph_widget.png", widget)


def test_error_overlay_has_a_legend_in_widget_and_image(ran):
    page = ran
    overlay = page.locator(".ovn-gw").nth(1)
    assert "relative error vs PyTorch" in overlay.locator("svg").text_content()
    assert "colored by relative error" in overlay.locator(".ovn-gw-status").inner_text()
    _shot(page, "error_overlay.png", overlay)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CLOSED_NOTE = "closed with its kernel"


def _save_and_reload(page):
    page.keyboard.press("Control+s")
    page.wait_for_timeout(2000)
    page.reload()
    page.wait_for_selector(".jp-OutputArea-output", timeout=60_000)
    page.wait_for_timeout(5000)


def _saved_outputs(lab):
    saved = nbformat.read(os.path.join(lab.root, "run.ipynb"), as_version=4)
    return [o for c in saved.cells for o in c.get("outputs", [])]


def _static_graphs(page):
    return page.locator(".jp-RenderedSVG, .jp-RenderedImage").count()  # SVG shows as an <img>


def test_reload_and_kernel_restart_show_no_widget_errors(ran, lab, browser):
    """Save and reload with the kernel alive: the widgets come back from the kernel. Restart
    the kernel: each widget's output becomes a line of text beside its static graph, and a
    notebook saved then reloads with no "Error displaying widget" (Lab's message for a widget
    view whose model the kernel no longer has)."""
    page = ran
    _save_and_reload(page)
    page.wait_for_function("document.querySelectorAll('.ovn-gw svg g.node').length > 0",
                           timeout=60_000)
    assert "Error displaying widget" not in _text(page)
    widgets = page.locator(".ovn-gw").count()
    assert widgets >= 2
    outputs = _saved_outputs(lab)
    assert sum(WIDGET_VIEW in o.get("data", {}) for o in outputs) == widgets
    assert any({"image/svg+xml", "image/png"} <= set(o.get("data", {})) for o in outputs)

    page.locator(".jp-Notebook").click()
    page.locator("[data-command='kernelmenu:restart'], "
                 "[data-command='notebook:restart-kernel']").first.click()
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    page.wait_for_function(f"document.querySelector('.jp-Notebook').innerText"
                           f".split('{CLOSED_NOTE}').length > {widgets}", timeout=60_000)
    assert page.locator(".ovn-gw").count() == 0
    assert "Error displaying widget" not in _text(page)
    assert _static_graphs(page) >= widgets

    _save_and_reload(page)
    text = _text(page)
    assert "Error displaying widget" not in text
    assert text.count(CLOSED_NOTE) == widgets
    assert _static_graphs(page) >= widgets
    outputs = _saved_outputs(lab)
    assert not any(WIDGET_VIEW in o.get("data", {}) for o in outputs)
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    progress = [t for t in texts if "done in" in t or re.search(r"\[[#.]{20}\]", t)]
    assert progress, texts   # the progress displays ran, and ended as their final line:
    assert all(re.fullmatch(r"[\w ,-]+: done in [\d.]+ s\s*", t) for t in progress), progress


def test_dark_theme_keeps_contrast(lab, browser):
    page = _open(browser, lab, os.path.basename(TUTORIAL), theme="JupyterLab Dark")
    page.wait_for_selector(".jp-RenderedHTMLCommon table.ovn-signature", timeout=60_000)
    page.wait_for_timeout(2000)
    header = page.locator("table.ovn-signature th").first
    colors = header.evaluate("""th => {
        const parse = c => c.match(/[\\d.]+/g).map(Number);
        let node = th, background = [0, 0, 0, 0];
        while (node && background[3] === 0) {
            const c = parse(getComputedStyle(node).backgroundColor);
            background = c.length === 4 ? c : [...c, 1];
            node = node.parentElement;
        }
        return {text: parse(getComputedStyle(th).color), background};
    }""")
    def luminance(rgb):
        return sum(w * (c / 255) for w, c in zip((0.2126, 0.7152, 0.0722), rgb[:3]))
    assert abs(luminance(colors["text"]) - luminance(colors["background"])) > 0.4, colors
    _shot(page, "dark_theme.png", page.locator(".jp-OutputArea-output",
                                               has=page.locator("table.ovn-signature")).first)
    page.close()
    _set_theme(lab, "JupyterLab Light")
