"""ov.explore as on Binder: JupyterLab under a JupyterHub-style prefix (``/user/test/``) with
jupyter-server-proxy, a notebook that calls ``ov.explore(model)``, and chromium that may reach
the Lab server only (a remote browser cannot open the kernel's 127.0.0.1:<port>).

The kernel finds its Jupyter server (parent pid -> the server's runtime file -> base_url) and
returns ``/user/test/proxy/<port>/?data=...``; the iframe in the notebook's output must load
Model Explorer's web app, its API calls and fonts through that prefix, ask nothing of the network,
and draw our graph. The screenshot goes to ``artifacts/notebook/explorer_proxied.png``.
"""
import io
import json
import os
import time
import urllib.request

import nbformat
import pytest

from lab import CHROMIUM, ROOT, LabServer, local_only

pytest.importorskip("model_explorer", reason="the explorer extra is not installed "
                    "(pip install 'ov-notebook[explorer]')")
pytest.importorskip("jupyter_server_proxy", reason="jupyter-server-proxy is not installed")
pytest.importorskip("jupyterlab")
playwright = pytest.importorskip("playwright.sync_api")

BASE_URL = "/user/test/"
ARTIFACTS = os.path.join(ROOT, "artifacts", "notebook")
BUILD = ("import torch\n"
         "import ov_notebook as ov\n"
         "torch.manual_seed(0)\n"
         "net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),\n"
         "                          torch.nn.MaxPool2d(2), torch.nn.Flatten(),\n"
         "                          torch.nn.Linear(8 * 4 * 4, 5)).eval()\n"
         "model = ov.convert_model(net, example_input=torch.rand(1, 3, 8, 8))\n"
         "conv = next(op.get_friendly_name() for op in model.get_ordered_ops()\n"
         "            if op.get_type_name() == 'Convolution')")
EXPLORE = "ov.explore(model, overlays={'error vs PyTorch': {conv: 0.0375}}, name='proxied')"


@pytest.fixture(scope="module")
def hub_like_lab(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    server = LabServer(str(tmp_path_factory.mktemp("proxied") / "root"), base_url=BASE_URL)
    os.makedirs(server.root, exist_ok=True)
    server.start()
    yield server
    server.stop()


def _op_count() -> int:
    scope = {}
    exec(BUILD, scope)  # noqa: S102  the same model the kernel builds, counted here
    return len(scope["model"].get_ordered_ops())


def _api(server, path, body=None, method=None):
    request = urllib.request.Request(
        f"{server.origin}{server.base_url}{path}?token={server.token}",
        method=method or ("POST" if body is not None else "GET"),
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def _drawn_pixels(png: bytes, right_margin: int) -> int:
    """Dark pixels of Model Explorer's graph pane: below its toolbar, left of its side panel."""
    import numpy as np
    from PIL import Image

    gray = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return int((gray[110:-20, 10:-right_margin] < 200).sum())


def test_explore_renders_through_jupyter_server_proxy_under_a_prefix(hub_like_lab):
    server = hub_like_lab
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(BUILD), nbformat.v4.new_code_cell(EXPLORE)]
    nbformat.write(notebook, os.path.join(server.root, "explore.ipynb"))
    # the notebook's kernel is started by the server before Lab opens it (Lab attaches to it):
    # Lab starting it itself has been seen to take minutes on a loaded machine
    session = _api(server, "api/sessions", {"path": "explore.ipynb", "name": "explore.ipynb",
                                            "type": "notebook", "kernel": {"name": "python3"}})
    try:
        source, panel, failed, bad_status, pane = _run_in_lab(server)
    finally:
        _api(server, f"api/sessions/{session['id']}", method="DELETE")
    assert source.startswith(f"{BASE_URL}proxy/") and "?data=" in source, source
    assert not failed, failed
    assert not bad_status, bad_status
    count = panel.split("op node count", 1)[1].split()[0]
    assert int(count) == _op_count()
    assert "proxied" in panel and "Convolution" in panel
    assert "0.0375" in panel  # the overlay's node data came through the proxy too
    assert _drawn_pixels(pane, right_margin=400) > 500  # WebGL drew boxes and edges


def _run_in_lab(server):
    """Open the notebook in Lab, run its two cells; the iframe's src, the text Model Explorer
    shows in it, the failed requests, the >= 400 responses under the proxy prefix, and the
    iframe as PNG."""
    proxied = f"{server.origin}{BASE_URL}proxy/"
    failed, bad_status = [], []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            local_only(page, server.port)  # the kernel's localhost is out of the browser's reach
            # failures under the prefix (a path the app got wrong) and outside the server
            # (local_only aborts them: the app must not reach for the network); Lab's own
            # requests are not under test
            page.on("requestfailed", lambda request: failed.append(
                f"{request.url} {request.failure}") if not request.url.startswith(
                    server.origin) or request.url.startswith(proxied) else None)
            page.on("response", lambda response: bad_status.append(
                f"{response.status} {response.url}") if response.url.startswith(proxied)
                and response.status >= 400 else None)
            with page.expect_websocket(lambda socket: "/channels" in socket.url,
                                       timeout=120_000):
                page.goto(server.url("explore.ipynb"))
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=90_000)
            page.locator(".jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Shift+Enter")  # runs the cell, selects the next
            page.keyboard.press("Shift+Enter")
            iframe = page.locator(".jp-OutputArea-output iframe")
            iframe.wait_for(timeout=240_000)
            source = iframe.get_attribute("src")
            frame = page.frame_locator(".jp-OutputArea-output iframe")
            frame.get_by_text("op node count").wait_for(timeout=120_000)
            panel = frame.locator("body").inner_text()
            deadline = time.monotonic() + 30
            while "0.0375" not in panel and time.monotonic() < deadline:
                time.sleep(0.5)
                panel = frame.locator("body").inner_text()
            iframe.scroll_into_view_if_needed()
            pane = iframe.screenshot()
        finally:  # the screenshot shows what went wrong when a wait above times out
            os.makedirs(ARTIFACTS, exist_ok=True)
            page.screenshot(path=os.path.join(ARTIFACTS, "explorer_proxied.png"))
            browser.close()
    return source, panel, failed, bad_status, pane
