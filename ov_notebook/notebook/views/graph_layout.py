"""Which boxes the graph view draws at a given depth: ops, collapsed module calls, clusters, edges.

Pure Python over the Model (no graphviz), so the collapsing rules are tested on their own::

    >>> layout = GraphLayout(ov_model)
    >>> layout.max_depth, layout.unit_count(0), layout.unit_count(layout.max_depth)
    (4, 12, 431)

Depth ``d`` expands ``d`` levels of the PyTorch module tree: an op whose ``module_path`` has at most
``d`` components is drawn as itself; a deeper op is folded into the box of its module call at level
``d + 1`` (``layer1.0`` at depth 1). ``reveal`` expands chosen module calls deeper than ``d``
(the ones holding search matches), so a match is never hidden inside a collapsed box.

A module called more than once (ResNet's shared ``relu``) is drawn once per call: the ops a module
path owns are split into calls by connectivity (ops of one call feed each other; two calls are
joined only through ops of other modules), numbered in execution order. Without this split both
calls would share one box or cluster, and the edges between them would snake back up the page.

Constants, and nodes computed from constants alone (the Convert that decompresses f16 weights),
are not drawn: they would outnumber the ops, and they are weights the consuming op implies.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

__all__ = ["GraphLayout", "Unit", "call_label"]


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
    """One box of the drawn graph: an op (``ops`` has one node) or a collapsed module call."""

    key: str
    kind: str                      # "input", "output", "op" or "module"
    module: str                    # module path of the op, or of the collapsed module
    ops: list = field(default_factory=list)
    clusters: tuple = ()           # enclosing module calls ("layer1.0.relu#2"), outermost first
    call: str = ""                 # for a module box: its call id ("layer1.0.relu#2")

    @property
    def node(self):
        return self.ops[-1]


def _module_of(node) -> str:
    return str(node.get_rt_info().get("module_path", "") or "")


def _kind(node) -> str:
    return {"Parameter": "input", "Result": "output"}.get(node.get_type_name(), "op")


def call_label(call: str, calls: dict) -> str:
    """``layer1.0.relu#2`` -> ``layer1.0.relu (call 2 of 2)``; single calls keep the bare path."""
    path, _, index = call.rpartition("#")
    count = calls.get(path, 1)
    return f"{path} (call {index} of {count})" if count > 1 else path


class _Components:
    """Union-find over node ids."""

    def __init__(self):
        self.parent = {}

    def find(self, item):
        root = item
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


class GraphLayout:
    """The model's drawable ops with their module calls, and their grouping at any depth."""

    def __init__(self, model):
        self.model = model
        ordered = model.get_ordered_ops()
        hidden = _constant_nodes(ordered)
        self.nodes = [n for n in ordered if id(n) not in hidden]
        self._parts = {id(n): [p for p in _module_of(n).split(".") if p] for n in self.nodes}
        self.max_depth = max((len(p) for p in self._parts.values()), default=0)
        self.module_types = self._module_types()
        self.call_counts = {}      # module path -> how many times it is called
        self._calls = self._split_calls()   # node id -> ("layer1", "layer1.0", "layer1.0.relu#2")
        self._cache = {}

    def _module_types(self) -> dict:
        """module path -> module type (``Bottleneck``), from the ops that path owns directly."""
        types = {}
        for node in self.nodes:
            info = node.get_rt_info()
            if info.get("module_type"):
                types.setdefault(_module_of(node), str(info["module_type"]))
        return types

    def _split_calls(self) -> dict:
        """Each node's chain of module call ids, outermost first (see the module docstring)."""
        components = _Components()
        prefixes = {id(n): [".".join(self._parts[id(n)][:i + 1])
                            for i in range(len(self._parts[id(n)]))] for n in self.nodes}
        for node in self.nodes:
            own = prefixes[id(node)]
            for source in node.input_values():
                producer = id(source.get_node())
                for prefix in set(own) & set(prefixes.get(producer, ())):
                    components.union((prefix, id(node)), (prefix, producer))
        numbers, chains = {}, {}
        for node in self.nodes:  # topological order: calls numbered in execution order
            chain = []
            for prefix in prefixes[id(node)]:
                root = components.find((prefix, id(node)))
                if root not in numbers:
                    numbers[root] = self.call_counts[prefix] = self.call_counts.get(prefix, 0) + 1
                chain.append(f"{prefix}#{numbers[root]}")
            chains[id(node)] = tuple(chain)
        return chains

    def calls(self, node) -> tuple:
        """The module calls ``node`` belongs to, outermost first (``("layer1#1", ...)``)."""
        return self._calls[id(node)]

    def label(self, call: str) -> str:
        return call_label(call, self.call_counts)

    def _unit_key(self, node, depth, reveal, collapsed=frozenset()):
        chain, kind = self._calls[id(node)], _kind(node)
        shown = 0
        while shown < len(chain) and chain[shown] not in collapsed and (
                shown < depth or chain[shown] in reveal):
            shown += 1  # levels up to the depth, and revealed calls, show their contents
        if kind == "op" and len(chain) > shown:
            call = chain[shown]
            return f"module:{call}", "module", chain[:shown], call
        return f"op:{id(node)}", kind, chain, ""

    def units(self, depth: int, reveal=frozenset(), collapsed=frozenset()) -> OrderedDict:
        """The boxes drawn at ``depth`` (calls in ``reveal`` expanded, those in ``collapsed``
        folded into one box), in topological order."""
        depth = max(0, min(depth, self.max_depth))
        key = (depth, frozenset(reveal), frozenset(collapsed))
        if key in self._cache:
            return self._cache[key][0]
        units, owner = OrderedDict(), {}
        for node in self.nodes:
            unit_key, kind, clusters, call = self._unit_key(node, depth, key[1], key[2])
            unit = units.get(unit_key)
            if unit is None:
                module = call.rpartition("#")[0] if call else _module_of(node)
                unit = units[unit_key] = Unit(unit_key, kind, module, [], tuple(clusters), call)
            unit.ops.append(node)
            owner[id(node)] = unit_key
        self._cache[key] = (units, owner)
        return units

    def unit_count(self, depth: int, reveal=frozenset(), collapsed=frozenset()) -> int:
        return len(self.units(depth, reveal, collapsed))

    def edges(self, depth: int, reveal=frozenset(), collapsed=frozenset()) -> list:
        """``[(from_key, to_key, output), ...]`` between distinct boxes, first port kept."""
        self.units(depth, reveal, collapsed)
        owner = self._cache[(max(0, min(depth, self.max_depth)), frozenset(reveal),
                             frozenset(collapsed))][1]
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
