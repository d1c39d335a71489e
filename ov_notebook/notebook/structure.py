"""Structure paths (``x``, ``b[2][0]``, ``["logits"]``, ``[0]``): parse, flatten, draw as a tree.

The frontend records each flattened input's and output's path in its Parameter/Result rt_info
(``structure_path``). The notebook flattens PyTorch values with the same paths so the two sides are
compared leaf by leaf, whatever nesting (tuples, dicts, HuggingFace ``ModelOutput``) the model
uses::

    >>> flatten({"logits": 1.0, "hidden": (2.0, 3.0)})
    [('["logits"]', 1.0), ('["hidden"][0]', 2.0), ('["hidden"][1]', 3.0)]
    >>> parse_path('b[2]["k"]')
    ['b', 2, 'k']
"""
from __future__ import annotations

import dataclasses
import json
import re

from ..ir.structure import cache_pairs

__all__ = ["parse_path", "flatten", "is_leaf", "path_tree", "structure_path", "root_of"]

_STEP = re.compile(r'\[(-?\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(path: str) -> list:
    """``'b[2]["k"]'`` -> ``['b', 2, 'k']``: a leading argument name, then indices and keys."""
    path = path or ""
    head = re.match(r"[^\[]*", path).group(0)
    steps = [head] if head else []
    position = len(head)
    for match in _STEP.finditer(path, position):
        if match.start() != position:
            break
        index, key = match.groups()
        steps.append(int(index) if index is not None else json.loads(key))
        position = match.end()
    if position != len(path):  # an unknown spelling: keep it whole rather than guess
        return [path]
    return steps


def root_of(path: str) -> str:
    """The top-level argument (or output element) a leaf belongs to: ``'b[2][0]'`` -> ``'b'``."""
    match = re.match(r'[^\[]+|\[[^\]]*\]', path or "")
    return match.group(0) if match else ""


def _step_text(step) -> str:
    return f"[{step}]" if isinstance(step, int) else f"[{json.dumps(step)}]"


def is_leaf(value) -> bool:
    """Tensors, arrays and scalars are leaves; containers are walked; None is dropped."""
    return not isinstance(value, (tuple, list, dict)) and not _is_mapping(value) and \
        _as_container(value) is None


def _as_container(value):
    """A key/value cache as its legacy tuple of (key, value) pairs, a dataclass as a dict of its
    fields (as the frontend flattens them), else None."""
    if hasattr(value, "shape"):
        return None
    pairs = cache_pairs(value)
    if pairs is not None and not isinstance(value, (tuple, list)):
        return tuple(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return None


def _is_mapping(value) -> bool:
    return hasattr(value, "keys") and hasattr(value, "__getitem__") and not hasattr(value, "shape")


def flatten(value, prefix: str = "") -> list:
    """``[(path, leaf), ...]`` in the order the frontend flattens (depth first, dict order)."""
    if value is None:
        return []
    container = None if isinstance(value, (tuple, list)) or _is_mapping(value) else \
        _as_container(value)
    if container is not None:
        value = container
    if _is_mapping(value):
        items = [(f"{prefix}{_step_text(str(k))}", value[k]) for k in value.keys()]
    elif isinstance(value, (tuple, list)):
        items = [(f"{prefix}[{i}]", v) for i, v in enumerate(value)]
    else:
        return [(prefix, value)]
    leaves = []
    for path, item in items:
        leaves.extend(flatten(item, path))
    return leaves


def structure_path(port) -> str:
    """The ``structure_path`` rt_info of a Parameter/Result port's node ('' if none was set)."""
    node = port.get_node()
    info = node.get_rt_info() if hasattr(node, "get_rt_info") else {}
    return str(info.get("structure_path", ""))


def path_tree(paths: list) -> dict:
    """Nest leaf paths into a tree: ``{step: subtree}``; a leaf maps to its path string.

    >>> path_tree(["x", "b[0]", "b[1]"])
    {'x': 'x', 'b': {0: 'b[0]', 1: 'b[1]'}}
    """
    tree = {}
    for path in paths:
        steps = parse_path(path) or [path]
        node = tree
        for step in steps[:-1]:
            child = node.get(step)
            if not isinstance(child, dict):
                child = node[step] = {}
            node = child
        node[steps[-1]] = path
    return tree
