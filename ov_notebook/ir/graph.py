"""Graph passes that need no kernels: cloning, dead-code elimination, output replacement."""
from __future__ import annotations

from .model import Model, _topological_order
from .node import Output

__all__ = ["clone_model", "replace_output", "eliminate_dead_code", "uniquify_friendly_names"]


def clone_model(model: Model) -> Model:
    """A deep copy of ``model``: new nodes, same attributes, names, rt_info; weights shared."""
    if not isinstance(model, Model):
        raise TypeError(f"clone_model expects a Model, got {type(model).__name__}")
    mapping = {}
    for node in model.get_ordered_ops():
        inputs = [mapping[id(src.get_node())].output(src.get_index()) for src in node.input_values()]
        clone = node.clone_with_new_inputs(inputs)
        clone.set_friendly_name(node.get_friendly_name())  # default names are per node: pin them
        mapping[id(node)] = clone
    clone = Model([mapping[id(r)] for r in model.get_results()],
                  [mapping[id(p)] for p in model.get_parameters()], model.get_friendly_name(),
                  sinks=[mapping[id(s)] for s in model.get_sinks()])
    clone.rt_info = _copy_rt_info(model.rt_info)
    return clone


def _copy_rt_info(info):
    return {k: _copy_rt_info(v) if isinstance(v, dict) else v for k, v in info.items()}


def replace_output(old: Output, new: Output) -> None:
    """Make every consumer of ``old`` read ``new``; ``old``'s tensor names move to ``new``."""
    names = old.get_names()
    old.replace(new)
    if names:
        new.add_names(names)
        old.set_names(set())


def eliminate_dead_code(model: Model) -> bool:
    """Nothing to delete explicitly: nodes unreachable from the results are dropped by Python.

    Returns whether the model had nodes that are no longer reachable from its results (nodes that
    still hang off a live output through get_target_inputs are disconnected from it).
    """
    roots = model.get_results() + model.get_sinks()  # Assign nodes live though nothing reads them
    live = {id(n) for n in _topological_order(roots, model.get_parameters())}
    changed = False
    for node in list(_topological_order(roots, model.get_parameters())):
        for out in node.outputs():
            desc = out._desc
            kept = [(ref, i) for ref, i in desc.consumers if ref() is not None and id(ref()) in live]
            if len(kept) != len(desc.consumers):
                desc.consumers = kept
                changed = True
    return changed


def uniquify_friendly_names(model: Model) -> bool:
    """Give nodes that share a friendly name a numbered suffix (``conv``, ``conv_1``, ...)."""
    seen, changed = set(), False
    for node in model.get_ordered_ops():
        name = node.get_friendly_name()
        if name in seen:
            index = 1
            while f"{name}_{index}" in seen:
                index += 1
            node.set_friendly_name(f"{name}_{index}")
            name = f"{name}_{index}"
            changed = True
        seen.add(name)
    return changed
