"""Op builders named like ``openvino.opset*``: build a model by hand.

    >>> import numpy as np, ov_notebook as ov
    >>> from ov_notebook import opset as ops
    >>> x = ops.parameter([1, 3, 8, 8], ov.Type.f32, name="x")
    >>> w = ops.constant(np.random.rand(4, 3, 3, 3).astype(np.float32))
    >>> y = ops.relu(ops.convolution(x, w, [1, 1], [1, 1], [1, 1], [1, 1]))
    >>> model = ov.Model([y], [x], "tiny")

Arguments that are not nodes (ints, floats, lists, arrays) become Constants.
"""
import functools as _functools
import importlib as _importlib
import inspect as _inspect
import pkgutil as _pkgutil

from ._base import BuilderTypeError as _BuilderTypeError
from ._base import BuilderValueError as _BuilderValueError
from ._base import as_node, as_nodes  # noqa: F401
from ._core import *  # noqa: F401,F403

__all__ = ["as_node", "as_nodes"]


_NONE_ALLOWED = {"parameter": ("shape",)}  # parameter(None) has a dynamic rank


def _argument_name(signature, args, kwargs, value) -> str:
    """``argument 'right_node': `` (or ``argument 'nodes'[1]: ``) for the argument that holds
    ``value``; empty when it cannot be told."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return ""
    for name, given in bound.arguments.items():
        if given is value:
            return f"argument '{name}': "
        if isinstance(given, (list, tuple)):
            for index, item in enumerate(given):
                if item is value:
                    return f"argument '{name}'[{index}]: "
    return ""


def _argument_named_in(signature, args, kwargs, message) -> str:
    """``argument 'x': `` when exactly one argument's value is quoted in ``message``."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return ""
    quoted = [name for name, value in bound.arguments.items()
              if isinstance(value, (str, int, float)) and not isinstance(value, bool)
              and len(repr(value)) >= 3 and repr(value) in message]
    return f"argument '{quoted[0]}': " if len(quoted) == 1 else ""


def _required_none(signature, args, kwargs):
    """The name of a required argument given as None (it would silently become a default)."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    for name, value in bound.arguments.items():
        if value is None and signature.parameters[name].default is _inspect.Parameter.empty:
            return name
    return None


def _naming_errors(builder, name):
    """``builder``, whose bad-constant errors say which builder and which argument they are about,
    and which refuses None for an argument that has no default."""
    signature = _inspect.signature(builder)
    none_allowed = _NONE_ALLOWED.get(name, ())

    @_functools.wraps(builder)
    def call(*args, **kwargs):
        if any(a is None for a in args) or any(v is None for v in kwargs.values()):
            missing = _required_none(signature, args, kwargs)
            if missing is not None and missing not in none_allowed:
                raise _BuilderTypeError(None, f"{name}(): argument '{missing}' is required, got "
                                              "None")
        try:
            return builder(*args, **kwargs)
        except (_BuilderTypeError, _BuilderValueError) as exc:
            where = _argument_name(signature, args, kwargs, exc.value)
            raise type(exc)(exc.value, f"{name}(): {where}{exc}") from None
        except (TypeError, ValueError) as exc:
            if type(exc) not in (TypeError, ValueError):  # typed errors already say where
                raise
            where = _argument_named_in(signature, args, kwargs, str(exc))
            raise type(exc)(f"{name}(): {where}{exc}") from None

    return call
for _module in _pkgutil.iter_modules(__path__):
    if _module.name.startswith("_") and _module.name not in ("_base",):
        _loaded = _importlib.import_module(f"{__name__}.{_module.name}")
        _public = [n for n in dir(_loaded) if not n.startswith("_") and callable(getattr(_loaded, n))
                   and getattr(getattr(_loaded, n), "__module__", "") == _loaded.__name__]
        for _name in _public:
            if _name in globals() and _name in __all__:
                raise ImportError(f"op builder {_name} is defined twice ({_loaded.__name__})")
            globals()[_name] = _naming_errors(getattr(_loaded, _name), _name)
            __all__.append(_name)
