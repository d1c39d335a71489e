"""The IPython extension: ``%load_ext ov_notebook`` adds the ``%convert`` and ``%infer`` magics.

    %load_ext ov_notebook
    %convert model -e torch.rand(1, 3, 224, 224)        # binds model_ov, shows the report
    %infer model_ov batch --torch model --labels weights.meta["categories"]
    %config OVNotebook.topk = 3

Reports render as static HTML (tables, SVG graph, PNG figures) so executed notebooks read well
without a kernel; in Jupyter, small widgets under a report add interaction (graph depth, search).
ipywidgets, graphviz and matplotlib are imported by this package only, and only when needed.

Only ``magics.py`` needs IPython: the views, comparisons and reports work from plain Python, and
their functions raise ordinary exceptions (``errors.NotebookError``, a ValueError or TypeError)
that the magics show as IPython's one-line ``UsageError``.
"""
from __future__ import annotations

__all__ = ["load_ipython_extension", "unload_ipython_extension"]

_LOADED = {}


def load_ipython_extension(ipython) -> None:
    """Register the magics and the ``OVNotebook`` options; loading twice changes nothing."""
    from .magics import OVMagics

    if id(ipython) in _LOADED:
        return
    magics = OVMagics(ipython)
    ipython.register_magics(magics)
    ipython.configurables.append(magics.options)
    _LOADED[id(ipython)] = magics


def unload_ipython_extension(ipython) -> None:
    """Remove the magics and the options that ``load_ipython_extension`` added."""
    magics = _LOADED.pop(id(ipython), None)
    if magics is None:
        return
    for kind, names in magics.magics.items():
        for name in names:
            ipython.magics_manager.magics[kind].pop(name, None)
    ipython.magics_manager.registry.pop(type(magics).__name__, None)
    if magics.options in ipython.configurables:
        ipython.configurables.remove(magics.options)
