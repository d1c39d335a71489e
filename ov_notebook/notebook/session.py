"""Where the magics run (terminal, Jupyter, nbclient) and what that allows: progress bars, controls.

Static HTML is always shown; interactive extras depend on the session:

- progress bars only where a person watches: a Jupyter kernel whose frontend accepts stdin
  (JupyterLab, Notebook, VS Code ask with ``allow_stdin=True``; nbclient and nbval do not), so
  executed notebooks do not keep dead progress widgets in their saved outputs;
- interactive controls (graph depth slider, search box) in any Jupyter kernel with ipywidgets: they
  update the static output in place through its display id, so what is saved stays readable.
"""
from __future__ import annotations

import contextlib
import threading
import time

__all__ = ["in_kernel", "interactive", "widgets_available", "progress", "show"]


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def in_kernel() -> bool:
    return getattr(_shell(), "kernel", None) is not None


def _setting(config, name) -> str:
    return str(getattr(config, name, "auto")).lower() if config is not None else "auto"


def interactive(config=None) -> bool:
    """Whether a person is watching this cell run (see the module docstring)."""
    setting = _setting(config, "progress")
    if setting != "auto":
        return setting == "on"
    kernel = getattr(_shell(), "kernel", None)
    return kernel is not None and bool(getattr(kernel, "_allow_stdin", False))


def widgets_available(config=None) -> bool:
    setting = _setting(config, "widgets")
    if setting == "off" or (setting == "auto" and not in_kernel()):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


class _Progress:
    """A progress bar shown under the cell while it runs, removed when done.

    A conversion is one long call with nothing to count, so a thread ticks the elapsed time
    (ipykernel sends widget updates from any thread) to show that the cell is alive.
    """

    def __init__(self, total, description):
        import ipywidgets
        from IPython.display import display

        self.bar = ipywidgets.IntProgress(value=0, min=0, max=max(total, 1), bar_style="info",
                                          description=description[:20])
        self.label = ipywidgets.Label("")
        self.box = ipywidgets.HBox([self.bar, self.label])
        self.text = ""
        self.started = time.perf_counter()
        self.done = threading.Event()
        display(self.box)
        threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self):
        while not self.done.wait(0.5):
            self._show()

    def _show(self):
        self.label.value = f"{self.text}  {time.perf_counter() - self.started:.1f} s"

    def step(self, text="", amount=1):
        self.bar.value = min(self.bar.value + amount, self.bar.max)
        self.text = text
        self._show()

    def close(self):
        self.done.set()
        self.box.close()


class _NoProgress:
    def step(self, text="", amount=1):
        pass

    def close(self):
        pass


@contextlib.contextmanager
def progress(total: int, description: str, config=None):
    """``with progress(n, "timing") as bar: bar.step("run 3")``; a no-op unless interactive."""
    bar = _Progress(total, description) if interactive(config) and widgets_available(config) \
        else _NoProgress()
    try:
        yield bar
    finally:
        bar.close()


def show(report, config=None) -> None:
    """Display ``report`` as static HTML (+ text), and its interactive controls under it if any."""
    from IPython.display import display

    bundle = {"text/plain": repr(report), "text/html": report._repr_html_()}
    make_controls = getattr(report, "controls", None)
    if make_controls is None or not widgets_available(config):
        display(bundle, raw=True)
        return
    handle = display(bundle, raw=True, display_id=True)
    controls = make_controls(lambda: handle.update(
        {"text/plain": repr(report), "text/html": report._repr_html_()}, raw=True))
    if controls is not None:
        display(controls)
