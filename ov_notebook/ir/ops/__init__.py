"""The operation set, one module per family; importing this package registers every op."""
import sys

from ..._plugins import import_submodules
from . import core  # noqa: F401  (Parameter, Constant, Result first)

import_submodules(sys.modules[__name__])
