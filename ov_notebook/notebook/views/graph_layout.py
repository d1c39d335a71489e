"""Which boxes the graph view draws at a given depth: ops, collapsed modules, clusters and edges.

Pure Python over the Model (no graphviz), so the collapsing rules are tested on their own::

    >>> layout = GraphLayout(ov_model)
    >>> layout.max_depth, layout.unit_count(0), layout.unit_count(layout.max_depth)
    (4, 12, 431)

Depth ``d`` expands ``d`` levels of the PyTorch module tree: an op whose ``module_path`` has at most
``d`` components is drawn as itself; a deeper op is folded into the box of its module at level
``d + 1`` (``layer1.0`` at depth 1). Constants, and nodes computed from constants alone (the
Convert that decompresses f16 weights), are not drawn: they would outnumber the ops, and they are
weights, which the consuming op already implies.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

__all__ = ["GraphLayout", "Unit"]



def _constant_nodes(ordered) -> set:
    """ids of Constants and of nodes fed by Constants only (weight decompression, folded shapes)."""
    constant = set()
    for node in ordered:
        inputs = node.input_values()
        if node.get_type_name() == "Constant" or (
                inputs and node.get_type_name() not in ("Parameter", "Result")
                and all(id(i.get_node()) in constant for i in inputs)):
            constant.add(id(node))
    return constant


@dataclass
class Unit:
    """One box of the drawn graph: an op (``ops`` has one node) or a collapsed module."""

    key: str
    kind: str                      # "input", "output", "op" or "module"
    module: str                    # module path of the op, or of the collapsed module
    ops: list = field(default_factory=list)
    clusters: tuple = ()           # enclosing module paths, outermost first

    @property
    def node(self):
        return self.ops[-1]


def _module_of(node) -> str:
    return str(node.get_rt_info().get("module_path", "") or "")


def _kind(node) -> str:
    return {"Parameter": "input", "Result": "output"}.get(node.get_type_name(), "op")


def _prefixes(parts, count) -> tuple:
    return tuple(".".join(parts[:i]) for i in range(1, count + 1))


class GraphLayout:
    """The model's drawable ops with their module paths, and their grouping at any depth."""

    def __init__(self, model):
        self.model = model
        ordered = model.get_ordered_ops()
        hidden = _constant_nodes(ordered)
        self.nodes = [n for n in ordered if id(n) not in hidden]
        self._parts = {id(n): [p for p in _module_of(n).split(".") if p] for n in self.nodes}
        self.max_depth = max((len(p) for p in self._parts.values()), default=0)
        self.module_types = self._module_types()
        self._cache = {}

    def _module_types(self) -> dict:
        """module path -> module type (``Bottleneck``), from the ops that path owns directly."""
        types = {}
        for node in self.nodes:
            info = node.get_rt_info()
            if info.get("module_type"):
                types.setdefault(_module_of(node), str(info["module_type"]))
        return types

    def _unit_key(self, node, depth):
        parts, kind = self._parts[id(node)], _kind(node)
        if kind == "op" and len(parts) > depth:
            return f"module:{'.'.join(parts[:depth + 1])}", "module", parts[:depth + 1]
        return f"op:{id(node)}", kind, parts

    def units(self, depth: int) -> OrderedDict[str, Unit]:
        """The boxes drawn at ``depth``, in the model's topological order."""
        depth = max(0, min(depth, self.max_depth))
        if depth in self._cache:
            return self._cache[depth][0]
        units, owner = OrderedDict(), {}
        for node in self.nodes:
            key, kind, parts = self._unit_key(node, depth)
            unit = units.get(key)
            if unit is None:
                clusters = _prefixes(parts, len(parts) - 1 if kind == "module" else len(parts))
                unit = units[key] = Unit(key, kind, ".".join(parts), [], clusters)
            unit.ops.append(node)
            owner[id(node)] = key
        self._cache[depth] = (units, owner)
        return units

    def unit_count(self, depth: int) -> int:
        return len(self.units(depth))

    def edges(self, depth: int) -> list:
        """``[(from_key, to_key, output), ...]`` between distinct boxes, first port kept."""
        self.units(depth)
        owner = self._cache[max(0, min(depth, self.max_depth))][1]
        seen, edges = set(), []
        for node in self.nodes:
            target = owner[id(node)]
            for source in node.input_values():
                producer = source.get_node()
                start = owner.get(id(producer))
                if start is None or start == target or (start, target) in seen:
                    continue
                seen.add((start, target))
                edges.append((start, target, source))
        return edges

    def depth_for_budget(self, budget: int) -> int:
        """The deepest expansion whose box count stays within ``budget`` (0 if none does)."""
        best = 0
        for depth in range(self.max_depth + 1):
            if self.unit_count(depth) <= budget:
                best = depth
        return best
