"""The operation set, one module per family; importing this package registers every op."""
import importlib
import pkgutil

from . import core  # noqa: F401  (Parameter, Constant, Result first)

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
