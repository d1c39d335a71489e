"""Numpy kernels, one per operation type, registered where they are defined.

A kernel is a pure function: input arrays positional, the op's attributes keyword-only (the
executor passes ``node.get_attributes()``), returning one array or a tuple of arrays (multi-output
ops). A kernel registered with ``inplace=True`` also accepts ``out=``: an array the executor knows
is dead after this step, which the kernel may write its result into when shape and dtype match.

``prepare=`` registers a compile-time hook ``prepare(node, attrs) -> attrs``: the plan calls it once
per node with the keyword arguments the kernel will receive and passes what it returns on every
run, so a kernel can repack constant weights into the layout it wants (extra keywords such as
``packed=`` must have defaults: constant folding calls kernels without the hook).
"""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["kernel", "get_kernel", "registered_kernels", "KernelSpec"]


class KernelSpec:
    __slots__ = ("type_name", "function", "inplace", "needs_node", "prepare")

    def __init__(self, type_name, function, inplace, needs_node, prepare=None):
        self.type_name = type_name
        self.function = function
        self.inplace = inplace
        self.needs_node = needs_node
        self.prepare = prepare


_KERNELS: dict = {}


def kernel(*type_names, inplace=False, needs_node=False, prepare=None):
    """Register the decorated function as the kernel of ``type_names``; a duplicate raises.

    ``needs_node=True`` passes the node as the keyword ``node`` (for kernels that need the output
    element types inferred by the IR, e.g. Convert-like ops)."""

    def register(function):
        for type_name in type_names:
            if type_name in _KERNELS:
                raise ValueError(f"a kernel for {type_name} is registered twice "
                                 f"({_KERNELS[type_name].function.__module__} and {function.__module__})")
            _KERNELS[type_name] = KernelSpec(type_name, function, inplace, needs_node, prepare)
        return function

    return register


def get_kernel(type_name: str) -> KernelSpec:
    _load_all()
    try:
        return _KERNELS[type_name]
    except KeyError:
        raise NotImplementedError(f"the CPU runtime has no kernel for operation {type_name}") from None


def registered_kernels() -> dict:
    _load_all()
    return dict(_KERNELS)


_loaded = False


def _load_all():
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
