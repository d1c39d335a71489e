"""Op builders named like ``openvino.opset*``: build a model by hand.

    >>> import numpy as np, ov_notebook as ov
    >>> from ov_notebook import opset as ops
    >>> x = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="x")
    >>> w = ops.constant(np.random.rand(4, 3, 3, 3).astype(np.float32))
    >>> y = ops.relu(ops.convolution(x, w, [1, 1], [1, 1], [1, 1], [1, 1]))
    >>> model = ov.Model([y], [x], "tiny")

Arguments that are not nodes (ints, floats, lists, arrays) become Constants.
"""
import importlib as _importlib
import pkgutil as _pkgutil

from ._base import as_node, as_nodes  # noqa: F401
from ._core import *  # noqa: F401,F403

__all__ = ["as_node", "as_nodes"]
for _module in _pkgutil.iter_modules(__path__):
    if _module.name.startswith("_") and _module.name not in ("_base",):
        _loaded = _importlib.import_module(f"{__name__}.{_module.name}")
        _public = [n for n in dir(_loaded) if not n.startswith("_") and callable(getattr(_loaded, n))
                   and getattr(getattr(_loaded, n), "__module__", "") == _loaded.__name__]
        for _name in _public:
            if _name in globals() and _name in __all__:
                raise ImportError(f"op builder {_name} is defined twice ({_loaded.__name__})")
            globals()[_name] = getattr(_loaded, _name)
            __all__.append(_name)
