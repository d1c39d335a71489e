"""What ``ov_notebook.opset1`` ... ``ov_notebook.opset16`` hold, derived from the builders.

A builder's op version is the ``version`` of the op class its return annotation names
(``def topk(...) -> spec.TopK`` builds TopK-11). ``opsetN`` holds every builder of
``ov_notebook.opset`` whose op appeared in opset N or before, or, where that op is newer, the
newest older-version builder (``@builder(older_version_of="topk")``) that fits. Nothing is listed
by hand: a builder added to ``ov_notebook.opset`` (or an older version of one) appears in every
opsetN it belongs to.
"""
from __future__ import annotations

import functools
import typing

__all__ = ["NEWEST_OPSET", "builder_version", "builders_of", "opset_module_getattr"]

NEWEST_OPSET = 16  # the newest ov_notebook.opsetN module
_HELPERS = {"as_node", "as_nodes"}  # ov_notebook.opset's helpers, no op builders


def builder_version(function) -> int:
    """The opset number of the op version ``function`` builds (its return annotation's)."""
    op_class = typing.get_type_hints(function).get("return")
    version = getattr(op_class, "version", None)
    if not (isinstance(version, str) and version.startswith("opset") and version[5:].isdigit()):
        raise TypeError(f"builder {function.__name__} does not name the op class it builds in its "
                        f"return annotation (got {op_class!r})")
    return int(version[5:])


@functools.cache
def _candidates() -> dict:
    """openvino builder name -> [(op version, builder)], newest first."""
    from . import __all__ as names
    from . import _base
    from .. import opset

    found = {name: [getattr(opset, name)] for name in names if name not in _HELPERS}
    for name, older in _base.OLDER_VERSIONS.items():
        found.setdefault(name, []).extend(older)
    return {name: sorted(((builder_version(f), f) for f in builders), key=lambda vf: -vf[0])
            for name, builders in found.items()}


@functools.cache
def builders_of(version: int) -> dict:
    """``{name: builder}`` of ``ov_notebook.opset{version}``."""
    chosen = {}
    for name, versions in _candidates().items():
        fitting = [function for op_version, function in versions if op_version <= version]
        if fitting:
            chosen[name] = fitting[0]
    return dict(sorted(chosen.items()))


def opset_module_getattr(version: int, module_name: str):
    """The module ``__getattr__`` of ``ov_notebook.opset{version}``: its builders, and for a
    name it lacks an AttributeError saying whether a newer opset has it."""
    def __getattr__(name):
        found = builders_of(version)
        if name in found:
            return found[name]
        versions = _candidates().get(name)
        if versions:
            oldest = min(op_version for op_version, _ in versions)
            raise AttributeError(f"module '{module_name}' has no attribute '{name}': ov_notebook "
                                 f"builds that op from opset{oldest} on (use "
                                 f"ov_notebook.opset{max(oldest, 1)} or later)")
        raise AttributeError(f"module '{module_name}' has no attribute '{name}' (see "
                             "docs/openvino-compatibility.md for the builders ov_notebook lacks)")
    return __getattr__
