"""In-place writes through views in TorchScript graphs.

A traced ``x[1:3] = v`` or ``x[0] += 1`` is ``aten::slice``/``aten::select`` (a view of ``x``)
followed by an in-place op on the view. The decoder rebinds the view's key to the op's result;
the items made here carry the write on to the viewed tensors: a slice scatter per view level
(a select is a length-1 slice), as torch.export's functionalization would.
"""
from __future__ import annotations

from .decoded import DecodedItem
from .node_context import DecodedNode, TensorRef

__all__ = ["VIEWS", "write_back_items", "parse_schema"]

# views an in-place write goes through to the viewed tensor (slices/selects by scatter)
VIEWS = {"aten::slice", "aten::select", "aten::detach", "aten::alias"}
_ALIASES = {"aten::detach", "aten::alias"}
_SCATTER_SCHEMAS = {
    "aten::slice_scatter": "aten::slice_scatter(Tensor self, Tensor src, int dim=0, SymInt? "
                           "start=None, SymInt? end=None, SymInt step=1) -> Tensor",
    "aten::select_scatter": "aten::select_scatter(Tensor self, Tensor src, int dim, SymInt index)"
                            " -> Tensor",
    "aten::unsqueeze": "aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)",
}


def write_back_items(views, key, value, written) -> list:
    """Items that give the tensors ``key`` views (``views``: view key -> (TensorRef of its base,
    op, view args)) the value ``value`` written into ``key`` by the DecodedNode ``written``."""
    items = []
    while key in views:
        base, kind, view_args = views[key]
        if kind in _ALIASES:
            made = [_alias_item(base, value, written)]
        elif kind == "aten::select" and isinstance(view_args[2], int):
            made = _select_as_slice_items(base, value, view_args, written)
        else:
            made = [_scatter_item(kind + "_scatter", base, value, view_args, written)]
        items.extend(made)
        key, value = base.key, TensorRef(made[-1].output_keys[0])
    return items


def _alias_item(base, value, written):
    """An item that rebinds ``base`` to ``value`` (written through an alias)."""
    key = f"{written.name}.{base.key}.alias"
    node = DecodedNode("prim::alias_write", key, [value], {}, ["self"], {}, written.module_path,
                       written.module_type, None, 1)
    return DecodedItem(node, [key], rebinds=base.key)


def _scatter_item(scatter, base, value, view_args, written):
    """``base`` with the view ``view_args`` of it replaced by ``value``; rebinds ``base``."""
    key = f"{written.name}.{base.key}.scattered"
    names, defaults, _ = parse_schema(_SCATTER_SCHEMAS[scatter])
    node = DecodedNode(scatter, key, [base, value] + list(view_args[1:]), {}, names, defaults,
                       written.module_path, written.module_type, None, 1)
    return DecodedItem(node, [key], rebinds=base.key)


def _select_as_slice_items(base, value, view_args, written):
    """``x[..., i, ...] = v`` as ``x[..., i:i+1, ...] = v.unsqueeze(dim)``: a slice scatter."""
    dim, index = view_args[1], view_args[2]
    key = f"{written.name}.{base.key}.unsqueezed"
    names, defaults, _ = parse_schema(_SCATTER_SCHEMAS["aten::unsqueeze"])
    unsqueeze = DecodedNode("aten::unsqueeze", key, [value, dim], {}, names, defaults,
                            written.module_path, written.module_type, None, 1)
    slice_args = [base, dim, index, None if index == -1 else index + 1, 1]
    scatter = _scatter_item("aten::slice_scatter", base, TensorRef(key), slice_args, written)
    return [DecodedItem(unsqueeze, [key]), scatter]



def parse_schema(text):
    """``(argument names, defaults, keyword-only names)`` of a schema string."""
    import torch

    if text == "(no schema)":
        return [], {}, set()
    try:
        schema = torch._C.parse_schema(text)
    except RuntimeError:
        return [], {}, set()
    names = [a.name for a in schema.arguments]
    defaults = {a.name: a.default_value for a in schema.arguments if a.has_default_value()}
    kwarg_only = {a.name for a in schema.arguments if a.kwarg_only}
    return names, defaults, kwarg_only
