"""Registries fill themselves when the modules that define their entries are imported."""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["import_submodules"]


def import_submodules(package) -> list:
    """Import every module of ``package`` whose name does not start with ``_``, in name order."""
    return [importlib.import_module(f"{package.__name__}.{module.name}")
            for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name)
            if not module.name.startswith("_")]
