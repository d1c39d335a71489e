"""Where the magics run (terminal, Jupyter, nbclient) and what that allows: progress, widgets.

Static HTML is always shown; interactive extras depend on the session:

- progress lines only where a person watches: a Jupyter kernel whose frontend accepts stdin
  (JupyterLab, Notebook, VS Code ask with ``allow_stdin=True``; nbclient and nbval do not); they
  are text updated in place and end as their final line ("timing: done in 2.0 s");
- the interactive graph widget only where a person watches too, beside the static image: executed
  notebooks (nbclient, nbval, Binder's saved tutorials) hold no widget outputs, so they never show
  "Error displaying widget" once the kernel that made them is gone.
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
    """Whether to show interactive widgets: ``widgets="on"``, or ``"auto"`` where a person
    watches (see :func:`interactive`); and anywidget is installed."""
    setting = _setting(config, "widgets")
    if setting == "off" or (setting == "auto" and not (in_kernel() and interactive(config))):
        return False
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True


class _Progress:
    """A one-line progress display under the cell while it runs, replaced by its final text.

    It is plain text updated in place through a display id, not a widget: a saved notebook keeps
    the final line ("converting: done in 3.1 s"), readable anywhere, and nothing that needs a
    kernel to render. A conversion is one long call with nothing to count, so a thread ticks the
    elapsed time (ipykernel sends display updates from any thread) to show the cell is alive.
    """

    def __init__(self, total, description):
        from IPython.display import display

        self.total, self.count, self.description = max(total, 1), 0, description
        self.text = ""
        self.started = time.perf_counter()
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.handle = display(self._bundle(), raw=True, display_id=True)
        threading.Thread(target=self._tick, daemon=True).start()

    def _line(self, final=False) -> str:
        elapsed = time.perf_counter() - self.started
        if final:
            return f"{self.description}: done in {elapsed:.1f} s"
        filled = round(20 * self.count / self.total)
        return (f"{self.description} [{'#' * filled}{'.' * (20 - filled)}] {self.count}/"
                f"{self.total} {self.text}  {elapsed:.1f} s")

    def _bundle(self, final=False) -> dict:
        return {"text/plain": self._line(final)}

    def _tick(self):
        while not self.done.wait(0.5):
            self._show()

    def _show(self, final=False):
        with self.lock:
            self.handle.update(self._bundle(final), raw=True)

    def step(self, text="", amount=1):
        self.count = min(self.count + amount, self.total)
        self.text = text
        self._show()

    def close(self):
        self.done.set()
        self._show(final=True)


class _NoProgress:
    def step(self, text="", amount=1):
        pass

    def close(self):
        pass


@contextlib.contextmanager
def progress(total: int, description: str, config=None):
    """``with progress(n, "timing") as bar: bar.step("run 3")``; a no-op unless interactive."""
    bar = _Progress(total, description) if interactive(config) else _NoProgress()
    try:
        yield bar
    finally:
        bar.close()


def show(report, config=None) -> None:
    """Display ``report``'s static outputs (HTML and text, images), then, where a person watches
    a live kernel with widgets, its interactive widget beside them."""
    from IPython.display import display

    outputs = getattr(report, "display_outputs", None)
    bundles = outputs() if outputs else [{"text/plain": repr(report),
                                          "text/html": report._repr_html_()}]
    for bundle in bundles:
        display(bundle, raw=True)
    make_widget = getattr(report, "widget", None)
    if make_widget is not None and widgets_available(config):
        widget = make_widget()
        if widget is not None:
            display(widget)
