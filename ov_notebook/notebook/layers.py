"""``%infer --layers``: where along the network the converted model starts to differ from PyTorch.

1. PyTorch: a forward hook on every submodule records its first floating output at every call, in
   the order the calls finish (execution order).
2. Converted graph: for each recorded module call, the last node (in topological order) of that
   call whose output has the hooked shape is taken as the module's output. The converted nodes of
   a module path are split into calls as the graph view splits them (by connectivity, numbered in
   execution order), so a ReLU used three times in a Bottleneck matches each of its calls; where
   the split does not give as many calls as PyTorch made, the nodes with the hooked shape are
   split in equal shares.
3. Those outputs are added as extra results of a probe model (the original results stay first),
   compiled and run once; each is compared with the hooked tensor.

Probing keeps the runtime from fusing across the probed outputs, so the numbers describe the
unfused graph; the final outputs are compared by the main report.

    >>> table = layer_divergence(torch_model, ov_model, x, atol=1e-4, rtol=1e-3)
    >>> table.first_failure.module
    'layer3.2.bn2'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare import compare_leaf
from .inference import call_torch, flat_inputs, to_numpy
from .structure import flatten
from .views.graph_layout import GraphLayout
from .views.html import escape, number, panels, table, text_table, verdict

__all__ = ["LayerRow", "LayerTable", "layer_divergence"]


@dataclass
class LayerRow:
    module: str
    module_type: str
    node: str              # the converted node taken as the module's output ('' if unmatched)
    comparison: object     # LeafComparison, or None when unmatched


def _hook_outputs(torch_model, value) -> list:
    """``[(module path, module type, call index, first float output)]`` in execution order."""
    records, handles, calls = [], [], {}

    def hook_for(path, module):
        def hook(_module, _inputs, output):
            for _, leaf in flatten(output):
                if getattr(leaf, "is_floating_point", lambda: False)():
                    call = calls[path] = calls.get(path, 0) + 1
                    records.append((path, type(module).__name__, call, to_numpy(leaf).copy()))
                    return
        return hook

    for path, module in torch_model.named_modules():
        if path:  # the root module's output is the model output, compared by the main report
            handles.append(module.register_forward_hook(hook_for(path, module)))
    try:
        call_torch(torch_model, value)
    finally:
        for handle in handles:
            handle.remove()
    return [(path, kind, call, calls[path], array) for path, kind, call, array in records]


def _label(path, call, calls) -> str:
    return f"{path} (call {call} of {calls})" if calls > 1 else path


def _candidates(model) -> dict:
    """module path -> nodes owned by that module or its submodules, in topological order."""
    owned = {}
    for node in model.get_ordered_ops():
        if node.get_type_name() in ("Parameter", "Result", "Constant"):
            continue
        path = str(node.get_rt_info().get("module_path", "") or "")
        parts = path.split(".") if path else []
        for depth in range(1, len(parts) + 1):
            owned.setdefault(".".join(parts[:depth]), []).append(node)
    return owned


def _outputs_with_shape(nodes, shape) -> list:
    found = []
    for node in nodes:
        for port in node.outputs():
            partial = port.get_partial_shape()
            if partial.is_static and tuple(partial.to_shape()) == tuple(shape) and \
                    port.get_element_type().is_real():
                found.append(port)
    return found


def _call_nodes(layout) -> dict:
    """``(module path, call number) -> nodes`` of that call, in topological order."""
    by_call = {}
    for node in layout.nodes:
        for call in layout.calls(node):
            path, _, number_text = call.rpartition("#")
            by_call.setdefault((path, int(number_text)), []).append(node)
    return by_call


def _match(nodes, shape, call, calls, call_nodes=None):
    """The converted output of the ``call``-th of ``calls`` calls of a module (None: ambiguous).

    ``call_nodes`` are the nodes of that call when the converted graph has as many calls of the
    module as PyTorch made: the last with the hooked shape. Otherwise the module's nodes with the
    hooked shape are split in ``calls`` equal shares and the k-th call ends the k-th share.
    """
    if call_nodes is not None:
        ports = _outputs_with_shape(call_nodes, shape)
        return ports[-1] if ports else None
    ports = _outputs_with_shape(nodes, shape)
    if not ports or len(ports) % calls:
        return None
    share = len(ports) // calls
    return ports[call * share - 1]


def layer_divergence(torch_model, model, value, atol=1e-4, rtol=1e-3,
                     progress_bar=None) -> LayerTable:
    """Per-module error table of ``model`` (converted) against ``torch_model`` on ``value``;
    ``progress_bar.step(text)`` is called after each of its four stages."""
    from ..ir.model import Model
    from ..ir.ops.core import Result
    from ..runtime import compile_model

    step = progress_bar.step if progress_bar is not None else (lambda text: None)
    records = _hook_outputs(torch_model, value)
    step(f"PyTorch ran, {len(records)} module calls recorded")
    owned = _candidates(model)
    layout = GraphLayout(model)
    by_call = _call_nodes(layout)
    matched = []
    for path, kind, call, calls, ref in records:
        same_count = layout.call_counts.get(path) == calls
        matched.append((_label(path, call, calls), kind, ref,
                        _match(owned.get(path, []), ref.shape, call, calls,
                               by_call.get((path, call)) if same_count else None)))
    probes = [port for *_, port in matched if port is not None]
    results = list(model.get_results())
    probe_model = Model(results + [Result(port) for port in probes], model.get_parameters(),
                        f"{model.get_friendly_name()}_probes", sinks=model.get_sinks())
    probe_model.rt_info = model.rt_info  # the input tree: the probe takes the model's inputs
    compiled = compile_model(probe_model)
    step(f"compiled with {len(probes)} probes")
    outputs = compiled(flat_inputs(compiled, value)).values()[len(results):]
    step("converted model ran")
    rows, values = [], iter(outputs)
    for path, kind, ref, port in matched:
        if port is None:
            rows.append(LayerRow(path, kind, "", None))
            continue
        comparison = compare_leaf(path, ref, np.asarray(next(values)), atol, rtol)
        rows.append(LayerRow(path, kind, port.get_node().get_friendly_name(), comparison))
    step("compared")
    return LayerTable(rows, atol, rtol)


class LayerTable:
    """Per-module errors in execution order; ``first_failure`` is the first row over tolerance."""

    def __init__(self, rows, atol, rtol):
        self.rows, self.atol, self.rtol = rows, atol, rtol
        self.first_failure = next((r for r in rows if r.comparison and not r.comparison.passed),
                                  None)

    @property
    def matched(self) -> int:
        return sum(1 for r in self.rows if r.comparison is not None)

    _HEAD = ["module", "type", "converted node", "shape", "max abs error", "max rel error",
             "cosine", "verdict"]

    def _cells(self, row):
        c = row.comparison
        if c is None:
            return [row.module, row.module_type, "not matched", "", "", "", "", None]
        return [row.module, row.module_type, row.node, str(list(c.shape)),
                number(c.max_abs_error), number(c.max_rel_error), number(c.cosine, 6), c.passed]

    def _table(self, rows, first=None):
        styles = ["first-fail" if r is first else
                  "fail" if r.comparison and not r.comparison.passed else "" for r in rows]
        cells = [self._cells(r)[:-1] + [verdict(self._cells(r)[-1])] for r in rows]
        return table(self._HEAD, cells, row_classes=styles, raw_columns=(7,),
                     css_class="ovn-layers")

    def html(self) -> str:
        """The first failure on top, then every module call in execution order (no inner scroll
        box: the page scrolls, and a long table folds into a section that opens on a click)."""
        head = (f"{self.matched} of {len(self.rows)} module calls matched to converted nodes; " +
                (f"first over tolerance: <b>{escape(self.first_failure.module)}</b>"
                 if self.first_failure else "all within tolerance"))
        parts = [f"<div>{head}</div>"]
        if self.first_failure is not None:
            first = self._table([self.first_failure], self.first_failure)
            parts.append(f"<div class='ovn-first-failure'>{first}</div>")
        title = f"all {len(self.rows)} module calls, in execution order"
        parts.append(panels([(title, self._table(self.rows, self.first_failure))],
                            opened=(0,) if len(self.rows) <= 40 else ()))
        return "".join(parts)

    def _repr_html_(self) -> str:
        from .views.html import wrap

        return wrap(self.html())

    def __repr__(self) -> str:
        def text_row(row):
            cells = self._cells(row)
            return cells[:-1] + ["—" if cells[-1] is None else "pass" if cells[-1] else "FAIL"]
        first = self.first_failure.module if self.first_failure else "none"
        lines = [f"{self.matched}/{len(self.rows)} module calls matched; first over tolerance: "
                 f"{first}"]
        if self.first_failure is not None:
            lines += [text_table(self._HEAD, [text_row(self.first_failure)]), ""]
        return "\n".join(lines + [text_table(self._HEAD, [text_row(r) for r in self.rows])])
