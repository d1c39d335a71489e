"""The translator table: aten op name -> translator function, filled by ``@translator``.

FX/ExportedProgram names look like ``aten.add.Tensor`` (an overload) and TorchScript names like
``aten::add``. A translator registered for ``aten.add`` (no overload) serves every overload of it;
``aten::add`` serves the TorchScript op. Registering a name twice raises.
"""
from __future__ import annotations

from ..._registry import Registry, import_submodules

__all__ = ["translator", "find_translator", "registered_translators", "TRANSLATORS"]

# aten op name -> translator; the op-family modules in ``ops`` register themselves
TRANSLATORS = Registry("torch translator", lambda: import_submodules(f"{__package__}.ops"))
_TRANSLATORS = TRANSLATORS  # the name tests/frontend/torch/test_errors.py patches entries through


def translator(*op_names):
    """Register the decorated function as the translator of ``op_names``::

        @translator("aten.add.Tensor", "aten::add")
        def add(ctx):  # aten::add(Tensor self, Tensor other, *, Scalar alpha=1)
            ...
    """
    return TRANSLATORS.decorator(*op_names)


def _candidates(op_name: str):
    yield op_name
    if op_name.startswith("aten.") and op_name.count(".") >= 2:
        base = op_name.rsplit(".", 1)[0]  # aten.add.Tensor -> aten.add
        yield base
        if base.endswith("_") and not base.endswith("__"):
            # in-place overloads in pre-dispatch graphs (aten.add_.Tensor) translate like the
            # functional op; the graph uses their result
            functional = base[:-1]
            yield functional + op_name[len(base):]
            yield functional
    if op_name.startswith("aten::"):
        yield op_name
        if op_name.endswith("_") and not op_name.endswith("__"):
            yield op_name[:-1]  # in-place variants (aten::relu_) translate like the functional op


def find_translator(op_name: str):
    """The translator for ``op_name``, or None."""
    return TRANSLATORS.find(_candidates(op_name))


def registered_translators() -> dict:
    return dict(TRANSLATORS.items())
