"""The operation set, one module per family; importing this package registers every op."""
from . import core  # noqa: F401  (Parameter, Constant, Result first)
from ..op import _OPS

_OPS.load()  # the registry's loader: imports every family module, in name order
