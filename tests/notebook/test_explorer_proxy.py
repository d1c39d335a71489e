"""ov.explore as on Binder: a Jupyter server under a JupyterHub-style prefix (``/user/test/``)
with jupyter-server-proxy, a kernel it starts that calls ``ov.explore(model)``, and chromium that
may reach the Jupyter server only (a remote browser cannot open the kernel's 127.0.0.1:<port>).

The kernel finds its Jupyter server (parent pid -> the server's runtime file -> base_url) and
returns ``/user/test/proxy/<port>/?data=...``. The view's HTML (an iframe with that relative
URL) is put into a page of the Jupyter server's origin, as a notebook output is; the iframe must
load Model Explorer's web app, its API calls and fonts through the prefix and show our graph.
The cells run over the server's kernel websocket, as JupyterLab sends them (driving Lab's UI to
run cells is what test_lab.py does; here the proxy is under test, not Lab).
"""
import asyncio
import json
import os
import time
import urllib.request
import uuid

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


def _api(server, path, body=None):
    request = urllib.request.Request(
        f"{server.origin}{server.base_url}{path}?token={server.token}", method="POST" if body
        is not None else "GET", data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


async def _execute(server, kernel, code, timeout):
    """Run ``code`` in ``kernel`` over the server's websocket; the mime bundles it displayed."""
    from tornado.websocket import websocket_connect

    url = (f"ws://127.0.0.1:{server.port}{server.base_url}api/kernels/{kernel}/channels"
           f"?token={server.token}")
    connection = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
              "session": uuid.uuid4().hex, "version": "5.3"}
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
               "allow_stdin": False, "stop_on_error": True}
    await connection.write_message(json.dumps({"header": header, "parent_header": {},
                                               "metadata": {}, "content": content,
                                               "channel": "shell", "buffers": []}))
    shown, deadline = [], time.monotonic() + timeout
    try:
        while True:
            raw = await asyncio.wait_for(connection.read_message(), deadline - time.monotonic())
            assert raw is not None, "the kernel's websocket closed"
            message = json.loads(raw)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, body = message["msg_type"], message["content"]
            assert kind != "error", "\n".join(body["traceback"])
            if kind in ("execute_result", "display_data"):
                shown.append(body["data"])
            if kind == "status" and body["execution_state"] == "idle":
                return shown
    finally:
        connection.close()


def _run(server, kernel, code, timeout=300):
    return asyncio.run(_execute(server, kernel, code, timeout))


def test_explore_renders_through_jupyter_server_proxy_under_a_prefix(hub_like_lab):
    server = hub_like_lab
    kernel = _api(server, "api/kernels", {"name": "python3"})["id"]
    try:
        _run(server, kernel, BUILD)
        (bundle,) = _run(server, kernel, EXPLORE)
        source, panel, failed, bad_status, pane = _load_in_chromium(server, bundle["text/html"])
    finally:  # Model Explorer's server lives in the kernel: it goes last
        urllib.request.urlopen(urllib.request.Request(
            f"{server.origin}{server.base_url}api/kernels/{kernel}?token={server.token}",
            method="DELETE"), timeout=60)
    assert source.startswith(f"{BASE_URL}proxy/") and "?data=" in source, source
    assert source in bundle["text/plain"]  # the text form names the same URL
    assert not failed, failed
    assert not bad_status, bad_status
    count = panel.split("op node count", 1)[1].split()[0]
    assert int(count) == _op_count()
    assert "proxied" in panel and "Convolution" in panel
    assert "0.0375" in panel  # the overlay's node data came through the proxy too
    assert _drawn_pixels(pane) > 500  # WebGL drew boxes and edges, not a blank pane


def _drawn_pixels(png: bytes) -> int:
    import io

    import numpy as np
    from PIL import Image

    return int((np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 200).sum())


def _load_in_chromium(server, view_html):
    """The view in a page of the server's origin: the iframe's src, the text Model Explorer
    shows, the failed requests, the >= 400 responses under the proxy prefix, and the graph pane
    (PNG)."""
    proxied = f"{server.origin}{BASE_URL}proxy/"
    failed, bad_status = [], []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 800})
            local_only(page, server.port)  # the kernel's localhost is out of the browser's reach
            # every failure counts: under the prefix (a path the app got wrong) and outside the
            # server (local_only aborts it: the app must not reach for the network)
            page.on("requestfailed", lambda request: failed.append(
                f"{request.url} {request.failure}"))
            page.on("response", lambda response: bad_status.append(
                f"{response.status} {response.url}") if response.url.startswith(proxied)
                and response.status >= 400 else None)
            # the token logs the browser in (a cookie); then the view in a page of the server's
            # origin, as in a notebook (the server's own API pages forbid frames in their CSP)
            page.goto(f"{server.origin}{BASE_URL}api/status?token={server.token}")
            host = f"{server.origin}{BASE_URL}ov-notebook-output.html"
            page.route(host, lambda route: route.fulfill(
                content_type="text/html", body=f"<!doctype html><body>{view_html}</body>"))
            page.goto(host)
            source = page.locator("iframe").get_attribute("src")
            frame = page.frame_locator("iframe")
            frame.get_by_text("op node count").wait_for(timeout=120_000)
            panel = frame.locator("body").inner_text()
            deadline = time.monotonic() + 30
            while "0.0375" not in panel and time.monotonic() < deadline:
                time.sleep(0.5)
                panel = frame.locator("body").inner_text()
            # the graph pane: below Model Explorer's toolbar, left of its side panel
            pane = page.screenshot(clip={"x": 10, "y": 110, "width": 900, "height": 480})
        finally:  # the screenshot shows what went wrong when a wait above times out
            os.makedirs(ARTIFACTS, exist_ok=True)
            page.screenshot(path=os.path.join(ARTIFACTS, "explorer_proxied.png"))
            browser.close()
    return source, panel, failed, bad_status, pane
