"""The views as a person meets them: a real JupyterLab, driven by Playwright in Debian's chromium.

- a saved tutorial opened untrusted (as on Binder): the graph is an image, tables are tables,
  no raw SVG text, no dead radio tabs, no widget errors;
- a notebook run in Lab: the interactive graph expands and collapses on click, highlights search
  matches as you type, shows an op's details, draws the error overlay's legend; after saving and
  reloading, after a kernel restart, and after saving with the widget live then reopening once
  the kernel is gone, no widget error shows;
- the dark theme: table headers and text keep their contrast.

Screenshots go to ``artifacts/notebook/``; with ``OVN_UPDATE_DOC_IMAGES=1`` also to docs/images.
"""
import json
import os
import re
import shutil
import time
import urllib.request

import nbformat
import pytest
from nbformat.sign import NotebookNotary

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


def _run_all(browser, lab, name, cells, widgets, metadata=None):
    """A new notebook of ``cells`` run all in Lab, once ``widgets`` graph widgets are drawn."""
    notebook = nbformat.v4.new_notebook(metadata=metadata or {})
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(notebook, os.path.join(lab.root, name))
    page = _open(browser, lab, name)
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
    page.wait_for_function(f"document.querySelectorAll('.ovn-gw').length >= {widgets}",
                           timeout=240_000)
    return page


@pytest.fixture(scope="module")
def ran(lab, browser):
    """The small notebook above, run all in Lab; the page stays open for the tests."""
    page = _run_all(browser, lab, "run.ipynb", CELLS, widgets=2)
    yield page
    page.close()


def _open_tutorial(browser, lab, theme="JupyterLab Light"):
    shutil.copy(TUTORIAL, lab.root)  # each test its own copy: no test relies on another's
    return _open(browser, lab, os.path.basename(TUTORIAL), theme)


def test_saved_tutorial_untrusted_shows_images_and_tables(lab, browser):
    page = _open_tutorial(browser, lab)
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
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SAVED_NOTE = "no kernel behind it"
CLOSED_NOTE = "closed with its kernel"


def _save(page, lab, name):
    """Ctrl+S in the notebook, and wait until the file on disk has changed."""
    path = os.path.join(lab.root, name)
    before = os.stat(path).st_mtime_ns
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while os.stat(path).st_mtime_ns == before:
        assert time.monotonic() < deadline, f"{name} was not saved"
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)  # the contents API writes in place: let it finish


def _save_and_reload(page, lab, name="run.ipynb"):
    _save(page, lab, name)
    page.reload()
    page.wait_for_selector(".jp-OutputArea-output", timeout=60_000)
    page.wait_for_timeout(5000)


def _saved_outputs(lab, name="run.ipynb"):
    saved = nbformat.read(os.path.join(lab.root, name), as_version=4)
    return [o for c in saved.cells for o in c.get("outputs", [])]


def _saved_widget_state(lab, name="run.ipynb") -> dict:
    saved = nbformat.read(os.path.join(lab.root, name), as_version=4)
    return saved.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _graph_entries(state: dict) -> dict:
    return {k: v for k, v in state.items() if v.get("state", {}).get("widget_id") == k}


def _static_graphs(page):
    return page.locator(".jp-RenderedSVG, .jp-RenderedImage").count()  # SVG shows as an <img>


def _assert_graph_state_saved(lab, name):
    """Every graph widget output of the saved notebook has its model's state in the metadata,
    with the models it references."""
    shown = {o["data"][WIDGET_VIEW]["model_id"] for o in _saved_outputs(lab, name)
             if WIDGET_VIEW in o.get("data", {})}
    state = _saved_widget_state(lab, name)
    entries = _graph_entries(state)
    assert shown and set(entries) == shown, (shown, list(state))
    for entry in entries.values():
        assert entry["model_name"] == "AnyModel" and "<svg" in entry["state"]["svg"]
        assert "ovn-gw" in entry["state"]["_esm"]
        assert entry["state"]["layout"].removeprefix("IPY_MODEL_") in state


def _shut_down_kernel(lab, name):
    """What a server restart does to a notebook's kernel, with its page closed."""
    base = f"http://127.0.0.1:{lab.port}/api/sessions"
    with urllib.request.urlopen(f"{base}?token={lab.token}", timeout=10) as response:
        sessions = [s for s in json.load(response) if s["path"].endswith(name)]
    assert sessions, f"no kernel runs {name}"
    for session in sessions:
        urllib.request.urlopen(urllib.request.Request(
            f"{base}/{session['id']}?token={lab.token}", method="DELETE"), timeout=30)


def test_saved_live_widget_reopens_after_its_kernel_is_gone(lab, browser):
    """Saved while the widget is live, closed, kernel shut down, reopened (a new kernel
    starts): the widget draws its saved graph instead of "Error displaying widget: model not
    found", says search and details need the cell run again, and survives another round.
    Opened with no kernel at all, it shows no error either."""
    name = "reopen.ipynb"
    other = {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
             "model_module_version": "2.0.0", "state": {"value": 7}}
    page = _run_all(browser, lab, name, CELLS[:3], widgets=1, metadata={"widgets": {
        WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {"other": other}}}})
    page.locator(".jp-Notebook").click()
    _save(page, lab, name)
    _assert_graph_state_saved(lab, name)
    assert _saved_widget_state(lab, name)["other"] == other   # another widget's state stays
    page.close()
    for _ in range(2):   # the second round reopens what the restored widget saved
        _shut_down_kernel(lab, name)
        page = _open(browser, lab, name)
        widget = page.locator(".ovn-gw").first
        widget.locator("svg g.node").first.wait_for(timeout=60_000)
        page.wait_for_function(f"document.querySelector('.ovn-gw-status').innerText"
                               f".includes('{SAVED_NOTE}')", timeout=30_000)
        assert "Error displaying widget" not in _text(page)
        assert widget.locator(".ovn-gw-search").is_disabled()
        assert _static_graphs(page) >= 1
        stage = widget.locator(".ovn-gw-stage")
        before = stage.get_attribute("style")
        widget.locator(".ovn-gw-zoom-in").click()   # pan and zoom need no kernel
        assert stage.get_attribute("style") != before
        page.locator(".jp-Notebook").click()
        _save(page, lab, name)
        _assert_graph_state_saved(lab, name)
        page.close()
    _shut_down_kernel(lab, name)

    # opened with "No Kernel": Lab (jupyterlab_widgets 3.0) restores no widget state without a
    # kernel, so the output waits at "Loading widget..." beside the static graph; no error
    path = os.path.join(lab.root, name)
    notebook = nbformat.read(path, as_version=4)
    del notebook.metadata["kernelspec"]   # Lab asks which kernel to start
    notebook.metadata.pop("language_info", None)
    NotebookNotary().sign(notebook)       # edited here, still trusted as Lab saved it
    nbformat.write(notebook, path)
    page = _open(browser, lab, name)
    page.locator(".jp-Dialog-button", has_text="No Kernel").last.click()
    page.locator(".jp-Notebook .jp-OutputArea-output", has_text="Loading widget").first \
        .wait_for(timeout=30_000)
    page.wait_for_timeout(3000)
    assert "Error displaying widget" not in _text(page)
    assert _static_graphs(page) >= 1
    page.close()


def test_reload_and_kernel_restart_show_no_widget_errors(ran, lab, browser):
    """Save and reload with the kernel alive: the widgets come back from the kernel. Restart
    the kernel: each widget's output becomes a line of text beside its static graph, and a
    notebook saved then reloads with no "Error displaying widget" (Lab's message for a widget
    view whose model the kernel no longer has)."""
    page = ran
    _save_and_reload(page, lab)
    page.wait_for_function("document.querySelectorAll('.ovn-gw svg g.node').length > 0",
                           timeout=60_000)
    assert "Error displaying widget" not in _text(page)
    widgets = page.locator(".ovn-gw").count()
    assert widgets >= 2
    outputs = _saved_outputs(lab)
    assert sum(WIDGET_VIEW in o.get("data", {}) for o in outputs) == widgets
    assert any({"image/svg+xml", "image/png"} <= set(o.get("data", {})) for o in outputs)
    _assert_graph_state_saved(lab, "run.ipynb")

    page.locator(".jp-Notebook").click()
    page.locator("[data-command='kernelmenu:restart'], "
                 "[data-command='notebook:restart-kernel']").first.click()
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    page.wait_for_function(f"document.querySelector('.jp-Notebook').innerText"
                           f".split('{CLOSED_NOTE}').length > {widgets}", timeout=60_000)
    assert page.locator(".ovn-gw").count() == 0
    assert "Error displaying widget" not in _text(page)
    assert _static_graphs(page) >= widgets

    _save_and_reload(page, lab)
    text = _text(page)
    assert "Error displaying widget" not in text
    assert text.count(CLOSED_NOTE) == widgets
    assert _static_graphs(page) >= widgets
    outputs = _saved_outputs(lab)
    assert not any(WIDGET_VIEW in o.get("data", {}) for o in outputs)
    # the saved state of the closed widgets went with their outputs, their layouts too
    assert _saved_widget_state(lab) == {}
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    progress = [t for t in texts if "done in" in t or re.search(r"\[[#.]{20}\]", t)]
    assert progress, texts   # the progress displays ran, and ended as their final line:
    assert all(re.fullmatch(r"[\w ,-]+: done in [\d.]+ s\s*", t) for t in progress), progress


def test_dark_theme_keeps_contrast(lab, browser):
    page = _open_tutorial(browser, lab, theme="JupyterLab Dark")
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
