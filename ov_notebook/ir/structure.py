"""The structure of a model's original inputs and outputs, kept beside its flat Parameters/Results.

A converted model takes and returns flat lists of tensors; the original model took nested
arguments and returned nested values. A *tree* records how the flat leaves map back. Trees are
plain JSON-able dicts, stored as JSON strings in the model's rt_info
(``rt_info["ov_notebook"]["input_tree" | "output_tree"]``) so they survive save_model/read_model:

==========  =====================================================  ============================
kind        fields                                                 meaning
==========  =====================================================  ============================
``leaf``    ``index``                                              flat input/output ``index``
``none``    (none)                                                 ``None``; no flat leaf
``const``   ``value`` (JSON value)                                 a Python value baked into
                                                                   the model; no flat leaf
``tuple``   ``items``: [tree]                                      a tuple
``list``    ``items``: [tree]                                      a list
``dict``    ``keys``: [str], ``items``: [tree]; optional ``type``  a dict, keys in order; with
            (str), ``context`` ("list"/"tuple")                    ``type``: an object of that
                                                                   class registered with torch's
                                                                   pytree, keyed by its fields
``call``    ``names``: [str], ``positions``: [int|null],           the arguments of a call
            ``items``: [tree]                                      (input trees only)
``cache``   ``type``: str, ``items``: [``tuple`` of 2 trees]       a key/value cache object
                                                                   (transformers
                                                                   ``DynamicCache``): per layer
                                                                   its key and value
==========  =====================================================  ============================

A ``cache`` holds what its legacy form ``((key0, value0), (key1, value1), ...)`` holds: paths
index that form (``past_key_values[0][1]``), names follow optimum-intel's
(``past_key_values.0.value``), values are flattened from the cache object (anything with
``layers`` of ``keys``/``values``) or from the legacy tuples, and unflattened as the legacy tuples
unless the caller rebuilds the object (``unflatten(..., rebuild=)``).

``positions[i]`` is the position of argument ``names[i]`` in the original signature, or null
when it can only be passed by keyword. Leaves are numbered depth-first in item order.
Example: ``forward(self, a, b)`` called as ``model(a, (b0, b1, (b20, b21)))``::

    >>> tree = call(["a", "b"], [leaf(0), sequence("tuple", [leaf(1), leaf(2),
    ...                                     sequence("tuple", [leaf(3), leaf(4)])])], [0, 1])
    >>> leaf_paths(tree)
    ['a', 'b[0]', 'b[1]', 'b[2][0]', 'b[2][1]']
    >>> leaf_names(tree)
    ['a', 'b.0', 'b.1', 'b.2.0', 'b.2.1']
    >>> flatten_call(tree, ("A", ("B0", "B1", ("B20", "B21"))), {})
    ['A', 'B0', 'B1', 'B20', 'B21']
"""
from __future__ import annotations

import json
from collections.abc import Mapping

__all__ = ["leaf", "none", "const", "sequence", "mapping", "call", "encode", "decode",
           "count_leaves", "flatten", "unflatten", "flatten_call", "leaf_paths", "leaf_names",
           "StructureError", "cache", "cache_pairs", "without_leaves"]

_KINDS = ("leaf", "none", "const", "tuple", "list", "dict", "call", "cache")
_CACHE_FIELDS = ("key", "value")


class StructureError(ValueError):
    """Values that do not match a tree; the message names the path where they differ."""


# --- constructors ---------------------------------------------------------------------------
def leaf(index: int) -> dict:
    return {"kind": "leaf", "index": int(index)}


def none() -> dict:
    return {"kind": "none"}


def const(value) -> dict:
    return {"kind": "const", "value": value}


def sequence(kind: str, items) -> dict:
    if kind not in ("tuple", "list"):
        raise ValueError(f"a sequence is a tuple or a list, not {kind!r}")
    return {"kind": kind, "items": list(items)}


def mapping(keys, items) -> dict:
    keys, items = [str(k) for k in keys], list(items)
    if len(keys) != len(items):
        raise ValueError("a dict tree needs one item per key")
    return {"kind": "dict", "keys": keys, "items": items}


def call(names, items, positions=None) -> dict:
    names, items = [str(n) for n in names], list(items)
    positions = list(range(len(names))) if positions is None else list(positions)
    if not len(names) == len(items) == len(positions):
        raise ValueError("a call tree needs one name, item and position per argument")
    return {"kind": "call", "names": names, "positions": positions, "items": items}


def cache(layers, type_name: str = "DynamicCache") -> dict:
    """A key/value cache: ``layers`` is one ``(key tree, value tree)`` pair per layer."""
    items = [sequence("tuple", layer) for layer in layers]
    if any(len(layer["items"]) != 2 for layer in items):
        raise ValueError("a cache tree needs a (key, value) pair per layer")
    return {"kind": "cache", "type": str(type_name), "items": items}


def cache_pairs(value):
    """``[(key, value), ...]`` per layer of a cache object (``layers`` with ``keys``/``values``,
    as transformers >= 4.56 caches have) or of its legacy tuples; None when ``value`` is
    neither."""
    layers = getattr(value, "layers", None)
    if isinstance(layers, (list, tuple)) and layers and all(
            hasattr(layer, "keys") and hasattr(layer, "values") and not isinstance(layer, Mapping)
            for layer in layers):
        return [(layer.keys, layer.values) for layer in layers]
    if callable(getattr(value, "to_legacy_cache", None)):
        return [tuple(pair) for pair in value.to_legacy_cache()]
    if isinstance(value, (tuple, list)) and all(
            isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in value):
        return [tuple(pair) for pair in value]
    return None


# --- text form --------------------------------------------------------------------------------
def encode(tree: dict) -> str:
    """The tree as a compact JSON string (what rt_info stores)."""
    _validate(tree, "")
    return json.dumps(tree, separators=(",", ":"))


def decode(text) -> dict:
    """A tree from its JSON string (or a tree, returned as is after validation)."""
    tree = json.loads(text) if isinstance(text, (str, bytes)) else text
    _validate(tree, "")
    return tree


def _validate(tree, path):
    if not isinstance(tree, dict) or tree.get("kind") not in _KINDS:
        raise StructureError(f"invalid structure tree at {path or 'the root'}: {tree!r}")
    kind = tree["kind"]
    if kind == "leaf" and not isinstance(tree.get("index"), int):
        raise StructureError(f"leaf at {path or 'the root'} has no integer index")
    for segment, child in _children(tree):
        _validate(child, path + segment)


def _children(tree):
    """(path segment, child) pairs of a container tree."""
    kind = tree["kind"]
    if kind in ("tuple", "list", "cache"):
        return [(f"[{i}]", child) for i, child in enumerate(tree["items"])]
    if kind == "dict":
        return [(f"[{json.dumps(k)}]", child) for k, child in zip(tree["keys"], tree["items"])]
    if kind == "call":
        return [(name, child) for name, child in zip(tree["names"], tree["items"])]
    return []


# --- queries --------------------------------------------------------------------------------
def count_leaves(tree: dict) -> int:
    if tree["kind"] == "leaf":
        return 1
    return sum(count_leaves(child) for _, child in _children(tree))


def _walk(tree, segments=()):
    """Yields (leaf index, path segments) depth-first; segments are (kind, key) pairs."""
    kind = tree["kind"]
    if kind == "leaf":
        yield tree["index"], segments
    elif kind in ("tuple", "list"):
        for i, child in enumerate(tree["items"]):
            yield from _walk(child, segments + (("index", i),))
    elif kind == "cache":  # path [layer][0 or 1], name .layer.key or .layer.value
        for i, layer in enumerate(tree["items"]):
            for j, child in enumerate(layer["items"]):
                yield from _walk(child, segments + (("index", i), ("field", j)))
    elif kind == "dict":
        for key, child in zip(tree["keys"], tree["items"]):
            yield from _walk(child, segments + (("key", key),))
    elif kind == "call":
        for name, child in zip(tree["names"], tree["items"]):
            yield from _walk(child, segments + (("arg", name),))


def _path_string(segments) -> str:
    parts = []
    for kind, key in segments:
        if kind == "arg":
            parts.append(key)
        elif kind in ("index", "field"):
            parts.append(f"[{key}]")
        else:
            parts.append(f"[{json.dumps(key)}]")
    return "".join(parts)


def leaf_paths(tree: dict) -> list:
    """Per leaf index, its path in the original structure: ``x``, ``b[2][0]``, ``["logits"]``,
    ``[0]``; ``""`` for a tree that is a single leaf."""
    found = dict(_walk(tree))
    return [_path_string(found[i]) for i in sorted(found)]


def leaf_names(tree: dict) -> list:
    """Per leaf index, a tensor name, or None for a leaf that has none.

    A leaf takes the nearest enclosing argument name or dict key, followed by the tuple/list
    indices below it: ``a``, ``b.2.0``, ``attention_mask``, ``past.0``. Leaves under no name (a
    tuple returned by the model) get None. When two leaves would get the same name, the later
    one takes its fully qualified name (``b.1.mask``), then a numeric suffix.
    """
    preferred, qualified = {}, {}
    for index, segments in _walk(tree):
        base, full = None, []
        for kind, key in segments:
            if kind == "field":
                key = _CACHE_FIELDS[key]
            if kind in ("arg", "key"):
                base = str(key)
            elif base is not None:
                base = f"{base}.{key}"
            full.append(str(key))
        preferred[index], qualified[index] = base, ".".join(full)
    names, used = [], set()
    for index in sorted(preferred):
        name = preferred[index]
        if name is not None:
            name = _unique(name, qualified[index], used)
            used.add(name)
        names.append(name)
    return names


def _unique(name, qualified, used):
    if name not in used:
        return name
    if qualified not in used:
        return qualified
    suffix = 1
    while f"{qualified}_{suffix}" in used:
        suffix += 1
    return f"{qualified}_{suffix}"


def without_leaves(tree: dict, removed) -> dict | None:
    """``tree`` without the leaves whose index is in ``removed`` (the others renumbered in
    order); a container left empty by that goes too (None when nothing is left)."""
    removed = set(removed)
    kept = sorted(index for index, _ in _walk(tree) if index not in removed)
    renumber = {old: new for new, old in enumerate(kept)}
    return _prune(tree, renumber)


def _prune(tree, renumber):
    kind = tree["kind"]
    if kind == "leaf":
        return leaf(renumber[tree["index"]]) if tree["index"] in renumber else None
    if kind in ("none", "const"):
        return dict(tree)
    pruned = [_prune(child, renumber) for child in tree["items"]]
    if kind == "cache":
        if any(child is None or len(child["items"]) != 2 for child in pruned):
            return None  # part of a cache is no cache: the whole cache goes
        return {**tree, "items": pruned}
    if count_leaves(tree) and all(child is None for child in pruned):
        return None
    if kind in ("tuple", "list"):
        return {**tree, "items": [child for child in pruned if child is not None]}
    keep = [i for i, child in enumerate(pruned) if child is not None]
    if kind == "dict":
        return {**tree, "keys": [tree["keys"][i] for i in keep], "items": [pruned[i] for i in keep]}
    return {**tree, "names": [tree["names"][i] for i in keep],
            "positions": [tree["positions"][i] for i in keep], "items": [pruned[i] for i in keep]}


# --- values -----------------------------------------------------------------------------------
def flatten(tree: dict, value, path: str = "") -> list:
    """The leaves of ``value`` (shaped like ``tree``) in leaf-index order."""
    found = {}
    _collect(tree, value, path, found)
    return [found[i] for i in sorted(found)]


def _collect(tree, value, path, found):
    kind = tree["kind"]
    where = path or "the root"
    if kind == "leaf":
        if isinstance(value, (tuple, list, Mapping)) or value is None:
            raise StructureError(f"{where}: expected a tensor, got {_describe(value)}")
        found[tree["index"]] = value
    elif kind == "none":
        if value is not None:
            raise StructureError(f"{where}: the model was converted with None here, got "
                                 f"{_describe(value)}")
    elif kind == "const":
        return  # baked into the model at conversion; the value given now is not used
    elif kind in ("tuple", "list"):
        items = tree["items"]
        if not isinstance(value, (tuple, list)) or len(value) != len(items):
            raise StructureError(f"{where}: expected a {kind} of {len(items)} elements, got "
                                 f"{_describe(value)}")
        for i, (child, item) in enumerate(zip(items, value)):
            _collect(child, item, f"{path}[{i}]", found)
    elif kind == "dict":
        _collect_dict(tree, value, path, found)
    elif kind == "cache":
        pairs = cache_pairs(value)
        if pairs is None or len(pairs) != len(tree["items"]):
            raise StructureError(f"{where}: expected a {tree['type']} of {len(tree['items'])} "
                                 "layers or its legacy tuple of (key, value) pairs, got "
                                 f"{_describe(value)}")
        for i, (child, pair) in enumerate(zip(tree["items"], pairs)):
            _collect(child, tuple(pair), f"{path}[{i}]", found)
    else:
        raise StructureError("a call tree is flattened with flatten_call()")


def _collect_dict(tree, value, path, found):
    where = path or "the root"
    if "type" in tree and not isinstance(value, Mapping) and all(
            hasattr(value, key) for key in tree["keys"]):
        value = {key: getattr(value, key) for key in tree["keys"]}  # the object it came from
    if not isinstance(value, Mapping):
        raise StructureError(f"{where}: expected a dict with keys {tree['keys']}, got "
                             f"{_describe(value)}")
    missing = [k for k in tree["keys"] if k not in value]
    extra = [k for k in value if k not in tree["keys"]]
    if missing or extra:
        raise StructureError(f"{where}: expected keys {tree['keys']}"
                             + (f"; missing {missing}" if missing else "")
                             + (f"; unexpected {extra}" if extra else ""))
    for key, child in zip(tree["keys"], tree["items"]):
        _collect(child, value[key], f"{path}[{json.dumps(key)}]", found)


def _describe(value) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} elements"
    if isinstance(value, Mapping):
        return f"a dict with keys {list(value)}"
    if value is None:
        return "None"
    return type(value).__name__


def unflatten(tree: dict, leaves, rebuild=None):
    """The nested value of ``tree`` with ``leaves[i]`` at leaf ``i`` (tuples, lists, dicts).

    A ``cache`` becomes its legacy tuple of (key, value) pairs, or ``rebuild(tree, pairs)``; a
    ``dict`` with a ``type`` a dict, or ``rebuild(tree, dict)``.
    """
    kind = tree["kind"]
    if kind == "leaf":
        return leaves[tree["index"]]
    if kind == "none":
        return None
    if kind == "const":
        return tree["value"]
    if kind == "tuple":
        return tuple(unflatten(child, leaves, rebuild) for child in tree["items"])
    if kind == "list":
        return [unflatten(child, leaves, rebuild) for child in tree["items"]]
    if kind == "dict":
        plain = {k: unflatten(child, leaves, rebuild)
                 for k, child in zip(tree["keys"], tree["items"])}
        return plain if rebuild is None or "type" not in tree else rebuild(tree, plain)
    if kind == "cache":
        pairs = tuple(unflatten(child, leaves, rebuild) for child in tree["items"])
        return pairs if rebuild is None else rebuild(tree, pairs)
    args, kwargs = unflatten_call(tree, leaves, rebuild)
    return args, kwargs


def unflatten_call(tree: dict, leaves, rebuild=None):
    """``(args, kwargs)`` to call the original model with: arguments that have a position go
    positionally while every earlier position is filled, the rest by keyword."""
    args, kwargs = [], {}
    ordered = sorted(zip(tree["positions"], tree["names"], tree["items"]),
                     key=lambda entry: (entry[0] is None, entry[0] or 0))
    for position, name, child in ordered:
        value = unflatten(child, leaves, rebuild)
        if position is not None and position == len(args) and not kwargs:
            args.append(value)
        else:
            kwargs[name] = value
    return tuple(args), kwargs


def flatten_call(tree: dict, args, kwargs) -> list:
    """The leaves of a call ``model(*args, **kwargs)`` matched against a ``call`` tree.

    Positional arguments match the tree's arguments by position, keyword arguments by name; an
    argument the model was converted with as None may be left out.
    """
    if tree["kind"] != "call":
        if kwargs or len(args) != 1:
            raise StructureError("this structure takes one value")
        return flatten(tree, args[0])
    by_position = {p: i for i, p in enumerate(tree["positions"]) if p is not None}
    given = {}
    for position, value in enumerate(args):
        if position not in by_position:
            raise StructureError(f"the model takes {len(by_position)} positional argument(s) "
                                 f"({', '.join(tree['names'])}), got {len(args)}")
        given[by_position[position]] = value
    for name, value in kwargs.items():
        if name not in tree["names"]:
            raise StructureError(f"unexpected argument {name!r}; the model takes "
                                 f"{', '.join(tree['names'])}")
        index = tree["names"].index(name)
        if index in given:
            raise StructureError(f"argument {name!r} is given twice")
        given[index] = value
    found = {}
    for index, (name, child) in enumerate(zip(tree["names"], tree["items"])):
        if index not in given and child["kind"] not in ("none", "const"):
            raise StructureError(f"missing argument {name!r}")
        _collect(child, given.get(index), name, found)
    return [found[i] for i in sorted(found)]
