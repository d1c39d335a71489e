"""The translator table: aten op name -> translator function, filled by ``@translator``.

FX/ExportedProgram names look like ``aten.add.Tensor`` (an overload) and TorchScript names like
``aten::add``. A translator registered for ``aten.add`` (no overload) serves every overload of it;
``aten::add`` serves the TorchScript op. Registering a name twice raises.
"""
from __future__ import annotations

from ..._plugins import import_submodules

__all__ = ["translator", "find_translator", "registered_translators"]

_TRANSLATORS: dict = {}


def translator(*op_names):
    """Register the decorated function as the translator of ``op_names``::

        @translator("aten.add.Tensor", "aten::add")
        def add(ctx):  # aten::add(Tensor self, Tensor other, *, Scalar alpha=1)
            ...
    """

    def register(function):
        for name in op_names:
            if name in _TRANSLATORS:
                raise ValueError(f"translator for {name} registered twice "
                                 f"({_TRANSLATORS[name].__module__}.{_TRANSLATORS[name].__name__} "
                                 f"and {function.__module__}.{function.__name__})")
            _TRANSLATORS[name] = function
        return function

    return register


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
    _load_all()
    for candidate in _candidates(op_name):
        if candidate in _TRANSLATORS:
            return _TRANSLATORS[candidate]
    return None


def registered_translators() -> dict:
    _load_all()
    return dict(_TRANSLATORS)


_loaded = False


def _load_all():
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import ops

    import_submodules(ops)
