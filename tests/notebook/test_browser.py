"""A notebook using every magic: executed (nbclient), exported to HTML (nbconvert),
opened in headless Chromium (Playwright) with no network, and checked for what a reader sees.

Screenshots go to ``artifacts/notebook/`` (gitignored). With ``OVN_UPDATE_DOC_IMAGES=1`` the
per-magic screenshots are also copied to ``docs/images/`` for the README.
"""
import json
import os
import shutil

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")
playwright = pytest.importorskip("playwright.sync_api")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARTIFACTS = os.path.join(ROOT, "artifacts", "notebook")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]

CELLS = [
    "import torch, torchvision\n"
    "%load_ext ov_notebook",
    "torch.manual_seed(0)\n"
    "weights = torchvision.models.ResNet18_Weights.DEFAULT  # its metadata only: no download\n"
    "model = torchvision.models.resnet18().eval()  # random weights\n"
    "batch = torch.rand(1, 3, 224, 224)",
    "%convert model -e batch -o resnet",
    "%%convert tiny -e sample\n"
    "tiny = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Flatten(),\n"
    "                           torch.nn.Linear(8 * 30 * 30, 10)).eval()\n"
    "sample = torch.rand(1, 3, 32, 32)",
    "%infer resnet batch --torch model --labels weights.meta['categories'] --topk 3 --runs 5 "
    "--layers -o check",
    "assert check.passed and check.topk.agree_top1\ncheck.max_abs_error",
    "%infer tiny_ov sample",
]


def _execute(directory):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": directory}},
                                     store_widget_state=True)
    client.execute()
    path = os.path.join(directory, "magics.ipynb")
    nbformat.write(notebook, path)
    return notebook, path


def _export(notebook, directory):
    exporter = nbconvert.HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(notebook)
    path = os.path.join(directory, "magics.html")
    with open(path, "w", encoding="utf-8") as file:
        file.write(body)
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("browser"))
    notebook, path = _execute(directory)
    return notebook, path, _export(notebook, directory)


def test_saved_notebook_is_renderer_safe(executed):
    notebook, path, _ = executed
    with open(path, encoding="utf-8") as file:
        saved = json.load(file)
    # executed unattended: no widgets at all, so nothing can show "Error displaying widget"
    assert "widgets" not in saved["metadata"]
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for o in outputs)
    html_outputs = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(html_outputs) >= 4 and all("text/plain" in o["data"] for o in html_outputs)
    assert not any("<svg" in o["data"]["text/html"] for o in html_outputs)  # sanitizers strip it
    images = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(images) >= 3 and all("image/png" in o["data"] for o in images)


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_exported_html_shows_reports_in_a_browser(executed):
    _, _, html_path = executed
    os.makedirs(ARTIFACTS, exist_ok=True)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        # no network here: CDN scripts (require.js, widget manager, MathJax) must not be needed
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto("file://" + html_path, wait_until="domcontentloaded")
        signature = page.locator("table.ovn-signature").first
        assert signature.is_visible()
        graph = page.locator(".jp-RenderedSVG img").first  # the graph: an image, not inline SVG
        assert graph.is_visible() and graph.evaluate("img => img.naturalHeight") > 400
        assert page.locator("table.ovn-comparison").first.is_visible()
        assert page.locator("table.ovn-topk").first.is_visible()
        layers = page.locator("details", has=page.locator("table.ovn-layers")).first
        layers.locator("summary").click()  # a long table without failures starts folded
        assert page.locator("table.ovn-layers").first.is_visible()
        figure = page.locator("img.ovn-figure").first
        assert figure.is_visible() and figure.evaluate("img => img.naturalWidth") > 100
        _screenshots(page)
        browser.close()


def _screenshots(page):
    page.screenshot(path=os.path.join(ARTIFACTS, "notebook.png"), full_page=True)
    reports = page.locator(".ovn")
    shots = {"convert.png": reports.filter(has=page.locator("table.ovn-signature")).first,
             "convert_signature.png": page.locator("table.ovn-signature").first,
             "infer.png": reports.filter(has=page.locator("table.ovn-comparison")).first}
    for name, locator in shots.items():
        locator.screenshot(path=os.path.join(ARTIFACTS, name))
    if os.environ.get("OVN_UPDATE_DOC_IMAGES"):
        images = os.path.join(ROOT, "docs", "images")
        os.makedirs(images, exist_ok=True)
        for name in shots:
            shutil.copy(os.path.join(ARTIFACTS, name), os.path.join(images, name))
