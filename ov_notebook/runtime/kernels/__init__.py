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

from ..._registry import Registry, definition_name, import_submodules
from ...ir.errors import UnknownOpError
from ...ir.node import get_op_class, registered_ops

__all__ = ["kernel", "get_kernel", "registered_kernels", "KernelSpec"]


class KernelSpec:
    __slots__ = ("type_name", "function", "inplace", "needs_node", "prepare")

    def __init__(self, type_name, function, inplace, needs_node, prepare=None):
        self.type_name = type_name
        self.function = function
        self.inplace = inplace
        self.needs_node = needs_node
        self.prepare = prepare

    def __repr__(self):
        return f"<KernelSpec {self.type_name}: {definition_name(self.function)}>"


# type name -> KernelSpec; the kernel family modules of this package register themselves
_KERNELS = Registry("kernel", lambda: import_submodules(__name__))
_DERIVED: dict = {}  # type name -> KernelSpec from the op's ``compute``, or None: see _derived


def kernel(*type_names, inplace=False, needs_node=False, prepare=None):
    """Register the decorated function as the kernel of ``type_names``; a duplicate raises.

    ``needs_node=True`` passes the node as the keyword ``node`` (for kernels that need the output
    element types inferred by the IR, e.g. Convert-like ops)."""
    return _KERNELS.decorator(*type_names, wrap=lambda type_name, function: KernelSpec(
        type_name, function, inplace, needs_node, prepare))


def _derived(type_name: str):
    """The kernel an op definition carries as its numpy math (``compute(*inputs, out=None,
    **attributes)`` on the newest version's class), used where no kernel is registered."""
    if type_name not in _DERIVED:
        try:
            compute = get_op_class(type_name).compute
        except UnknownOpError:  # runtime-internal types (Fused*, *NHWC) have no IR definition
            compute = None
        _DERIVED[type_name] = None if compute is None else KernelSpec(
            type_name, compute, inplace=True, needs_node=False)
    return _DERIVED[type_name]


def get_kernel(type_name: str) -> KernelSpec:
    """The kernel registered for ``type_name``, else the one its op definition computes."""
    spec = _KERNELS.get(type_name) or _derived(type_name)
    if spec is None:
        raise NotImplementedError(f"the CPU runtime has no kernel for operation {type_name}")
    return spec


def registered_kernels() -> dict:
    """``{type name: KernelSpec}``: registered kernels, then those derived from op definitions."""
    kernels = dict(_KERNELS.items())
    for type_name in registered_ops():
        if type_name not in kernels and (spec := _derived(type_name)) is not None:
            kernels[type_name] = spec
    return kernels
