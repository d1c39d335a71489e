"""How fast the interactive graph opens and redraws, on graphs of BERT-base and 1B-Llama size.

    PYTHONPATH=$PWD python benchmarks/graph_widget.py

For each graph (hand-built stand-ins with the node counts and module trees of the real models,
tests/notebook/synthetic.py) it prints the median of three runs of:

- ``python``: building the widget (layout, ``dot``) at its opening depth, and one click (open the
  first module) and one search (Python side: re-layout and ``dot``);
- ``first paint``: Chromium (Debian's, headless) running the widget's ES module on the SVG until
  the nodes are in the DOM and fitted;
- ``zoom`` / ``pan``: frames per second of 60 wheel zooms and 60 drags (each a style transform).
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "notebook"))

from synthetic import bert_like  # noqa: E402

from ov_notebook.notebook.views.graph_widget import STATIC, graph_widget  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]

PAGE = """<html><body><div id=root style="width:1200px"></div><script type=module>
const state = STATE; const handlers = {};
const model = {get: k => state[k], set: (k, v) => { state[k] = v; }, save_changes() {},
               on: (e, f) => { handlers[e] = f; }};
const widget = await import("data:text/javascript;base64,SCRIPT");
const started = performance.now();
widget.default.render({model, el: document.getElementById("root")});
await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
window.firstPaint = performance.now() - started;
const viewport = document.querySelector(".ovn-gw-viewport");
const frames = async (make) => { const t = performance.now();
  for (let i = 0; i < 60; i++) { make(i); await new Promise(r => requestAnimationFrame(r)); }
  return 60000 / (performance.now() - t); };
window.zoomFps = await frames(i => viewport.dispatchEvent(new WheelEvent("wheel",
  {deltaY: i % 2 ? 100 : -100, clientX: 400, clientY: 300, bubbles: true, cancelable: true})));
viewport.dispatchEvent(new PointerEvent("pointerdown", {clientX: 100, clientY: 100}));
window.panFps = await frames(i => viewport.dispatchEvent(new PointerEvent("pointermove",
  {clientX: 100 + 5 * i, clientY: 100 + 3 * i})));
window.done = true;
</script></body></html>"""


def _python(model):
    started = time.perf_counter()
    widget = graph_widget(model)
    opened = time.perf_counter() - started
    first_box = next((u for u in widget.view.units().values() if u.kind == "module"), None)
    started = time.perf_counter()
    if first_box is not None:
        widget.view.toggle(first_box.call)
        widget.redraw()
    click = time.perf_counter() - started
    started = time.perf_counter()
    widget.query = "encoder.layer.3.attention.self"  # reveals one collapsed module
    search = time.perf_counter() - started
    return widget, opened, click, search


def _browser(page, widget):
    import base64

    state = {k: getattr(widget, k) for k in ("svg", "summary", "query", "depth", "max_depth",
                                             "matches", "details", "error")}
    script = base64.b64encode((STATIC / "graph_widget.js").read_bytes()).decode()
    page.set_content(PAGE.replace("STATE", json.dumps(state)).replace("SCRIPT", script))
    page.add_style_tag(path=str(STATIC / "graph_widget.css"))
    page.wait_for_function("window.done === true", timeout=120_000)
    return page.evaluate("[window.firstPaint, window.zoomFps, window.panFps]")


def main():
    from playwright.sync_api import sync_playwright

    cases = [("BERT-base-like (12 layers)", bert_like(12)),
             ("1B-Llama-like (24 layers)", bert_like(24))]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http")
                   else route.continue_())
        print(f"{'graph':28} {'ops':>5} {'boxes':>5} {'open s':>7} {'click s':>7} "
              f"{'search s':>8} {'paint ms':>8} {'zoom fps':>8} {'pan fps':>7}")
        for name, model in cases:
            runs = [_python(model) for _ in range(3)]
            widget = runs[-1][0]
            widget.query = ""
            paints = [_browser(page, widget) for _ in range(3)]
            median = [statistics.median(r[i] for r in runs) for i in (1, 2, 3)]
            browser_median = [statistics.median(p[i] for p in paints) for i in range(3)]
            print(f"{name:28} {len(widget.view.layout.nodes):5d} {widget.view.visible_node_count:5d}"
                  f" {median[0]:7.2f} {median[1]:7.2f} {median[2]:8.2f} {browser_median[0]:8.0f}"
                  f" {browser_median[1]:8.0f} {browser_median[2]:7.0f}")
        browser.close()


if __name__ == "__main__":
    main()
