"""Execute the tutorial notebooks in place and save them with their outputs, as they are committed.

    python tools/execute_notebooks.py                          # every notebooks/*.ipynb
    python tools/execute_notebooks.py notebooks/03-magics-tour.ipynb

Each notebook runs top to bottom in a fresh kernel started in ``notebooks/`` (nbclient, the same
python that runs this script), exactly as ``pytest --nbval`` will rerun it. The saved file keeps:

- its outputs, with no per-cell timing metadata (so re-executing changes only what really changed),
  consecutive stream outputs merged (``%%sh`` cells print in chunks whose boundaries change from
  run to run; nbval merges them the same way before comparing);
- widget state in the form GitHub and nbviewer render (``metadata.widgets`` with its ``state`` key);
  an entry without that key would break GitHub's renderer, so one is dropped rather than saved.

Run it offline to reproduce the committed outputs (the notebooks fall back to random weights and a
bundled photo when there is no network); nbval then compares every later run against them.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "notebooks")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def renderer_safe(notebook) -> None:
    """Drop widget metadata that GitHub cannot render (no ``state``), and empty widget state."""
    widgets = notebook.metadata.get("widgets")
    if widgets is None:
        return
    state = widgets.get(WIDGET_STATE, {})
    if not state.get("state"):
        del notebook.metadata["widgets"]


def merged_streams(notebook) -> None:
    """Consecutive outputs of the same stream (stdout, stderr) as one output."""
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def execute(path: str, timeout: int) -> float:
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": os.path.dirname(path)}},
                                     record_timing=False, store_widget_state=True)
    client.execute()
    seconds = time.perf_counter() - started
    merged_streams(notebook)
    renderer_safe(notebook)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: every notebooks/*.ipynb)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
    for path in paths:
        seconds = execute(os.path.abspath(path), args.timeout)
        print(f"{os.path.relpath(path, ROOT)}: executed in {seconds:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
