"""What ``%convert`` does and shows: run ``convert_model``, time it, and report on the result.

    >>> report = convert(model, example_input=torch.rand(1, 3, 224, 224), label="model")
    >>> report.route, report.op_count, report.parameter_count
    ('export', 176, 25557032)
    >>> report            # summary, Signature and Ops sections, then the graph image

A conversion that meets unsupported operations raises :class:`ConversionFailed`, whose ``report``
(:class:`UnsupportedOpsReport`) is a table of each op with its count and the module paths where it
occurs; ``%convert`` shows that table, then IPython's one-line ``UsageError``. Other input that
cannot be converted or saved raises a :class:`~.errors.NotebookValueError`.
"""
from __future__ import annotations

import os
import time
import warnings

from .errors import NotebookValueError
from .views.graph import GraphView
from .views.html import FAIL_COLOR, MUTED, WARN_COLOR, escape, number, panels, table, \
    text_table, wrap
from .views.ops import OpsView, op_counts, weight_stats
from .views.signature import SignatureView

__all__ = ["convert", "ConversionReport", "UnsupportedOpsReport", "ConversionFailed"]

ROUTES = {
    "export": "torch.export → FX graph",
    "torchscript": "TorchScript (torch.jit.trace/script)",
    "onnx": "ONNX",
    "ir": "OpenVINO IR (read_model)",
}


class ConversionFailed(NotebookValueError):
    """Conversion stopped on unsupported operations; ``report`` holds the table."""

    def __init__(self, message, report, subject=None):
        super().__init__(message, subject)
        self.report = report


class UnsupportedOpsReport:
    """The ops without a translator: ``unsupported`` maps op -> (count, [module paths])."""

    def __init__(self, error):
        self.message = str(error)
        self.unsupported = dict(getattr(error, "unsupported", {}) or {})

    def _rows(self):
        rows = []
        for op, (count, paths) in sorted(self.unsupported.items(), key=lambda kv: -kv[1][0]):
            shown = ", ".join(p or "(root)" for p in list(paths)[:5])
            more = len(paths) - 5
            rows.append([op, count, shown + (f" and {more} more" if more > 0 else "")])
        return rows

    def _repr_html_(self):
        head = (f"<div class='ovn-fail' style='color:{FAIL_COLOR};font-weight:600'>Conversion "
                f"failed: "
                f"{len(self.unsupported)} unsupported operation types</div>")
        return wrap(head + table(["operation", "count", "module paths"], self._rows(),
                                 css_class="ovn-unsupported") +
                    f"<details><summary>full message</summary><pre>{escape(self.message)}</pre>"
                    "</details>")

    def __repr__(self):
        return (f"Conversion failed: {len(self.unsupported)} unsupported operation types\n" +
                text_table(["operation", "count", "module paths"], self._rows()))


def _route(model, source) -> str:
    if isinstance(source, (str, os.PathLike)):
        suffix = os.fspath(source).lower().rsplit(".", 1)[-1]
        if suffix == "xml":  # an IR keeps the rt_info of its own conversion: read, not converted
            return "ir"
    info = model.get_rt_info().get("ov_notebook", {}) if hasattr(model, "get_rt_info") else {}
    if isinstance(info, dict) and info.get("route"):
        return str(info["route"])
    if isinstance(source, (str, os.PathLike)):
        return {"onnx": "onnx", "pt2": "export", "pt": "torchscript"}.get(suffix, suffix)
    return "unknown"


def _input_argument(specs):
    """``--input`` items as convert_model's ``input=``: a tuple per item, bare if of one part."""
    if not specs:
        return None
    parts = [spec.as_tuple() for spec in specs]
    return [p[0] if len(p) == 1 else p for p in parts]


def convert(source, example_input=None, input_specs=None, label="model", save=None,
            compress_to_fp16=True, graph_options=None, progress_bar=None):
    """Convert ``source`` (a model object or a path) and return a :class:`ConversionReport`."""
    from ..frontend import convert_model
    from ..frontend.errors import ConversionError, UnsupportedOpsError

    kwargs = {"example_input": example_input} if example_input is not None else {}
    if input_specs:
        kwargs["input"] = _input_argument(input_specs)
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = convert_model(source, **kwargs)
        except UnsupportedOpsError as error:
            report = UnsupportedOpsReport(error)
            raise ConversionFailed(f"{len(report.unsupported)} unsupported operation types: "
                                   f"{', '.join(sorted(report.unsupported))}", report,
                                   label) from error
        except ConversionError as error:
            raise NotebookValueError(_with_magic_hint(str(error), source, example_input),
                                     label) from error
    seconds = time.perf_counter() - started
    if progress_bar is not None:
        progress_bar.step("converted")
    if save:
        from ..ir import save_model

        from ..ir.errors import IRWriteError

        try:
            save_model(model, os.fspath(save), compress_to_fp16=compress_to_fp16)
        except IRWriteError as error:
            raise NotebookValueError(str(error), "--save") from error
    return ConversionReport(model, label, _route(model, source), seconds, caught, save,
                            graph_options or {})


def _forward_parameters(model) -> list:
    """Names of ``forward``'s positional parameters (``self`` excluded); [] if unknown."""
    import inspect

    try:
        parameters = inspect.signature(model.forward).parameters.values()
    except (AttributeError, TypeError, ValueError):
        return []
    return [p.name for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _with_magic_hint(message, source, example_input) -> str:
    """The frontend's message with the fix spelled for ``%convert``: the frontend's hint is
    Python API with an image shape; here the hint names ``forward``'s own arguments."""
    names = _forward_parameters(source) if hasattr(source, "forward") else []
    if example_input is None and "example_input" in message and names:
        shown = names[0] if len(names) == 1 else f"({', '.join(names)})"
        message = message.split("; pass example_input")[0]
        return (f"{message}; give an example input with -e, in forward's arguments: "
                f"%convert MODEL -e {shown} (tensors of the shapes the model takes)")
    if isinstance(example_input, (tuple, list)) and len(names) == 1 and len(example_input) != 1:
        return (f"{message}. forward takes one argument ({names[0]}), and a tuple or list given "
                f"to -e is forward's arguments: to pass it as that one argument, wrap it: "
                f"-e (EXPR,)")
    return message


def _unique_warnings(caught) -> list:
    seen = []
    for item in caught:
        text = f"{item.category.__name__}: {item.message}"
        if text not in seen:
            seen.append(text)
    return seen


class ConversionReport:
    """The result of ``%convert``: the Model and what the conversion did to it.

    ``source`` is the converted expression, ``name`` the variable the Model is bound to.
    Numbers: ``seconds``, ``op_count``, ``op_counts`` (by type), ``parameter_count``,
    ``weight_bytes``; ``warnings`` (strings); views: ``signature``, ``graph``, ``ops``.
    """

    def __init__(self, model, source, route, seconds, caught=(), saved=None, graph_options=None):
        self.model, self.source, self.route, self.seconds = model, source, route, seconds
        self.name = None  # the variable the magic binds the Model to
        self.warnings = _unique_warnings(caught)
        self.saved = os.fspath(saved) if saved else None
        self.op_counts = op_counts(model)
        self.op_count = sum(self.op_counts.values())
        self.parameter_count, self.weight_bytes = weight_stats(model)
        self.signature = SignatureView(model)
        self.ops = OpsView(model)
        self._graph_options = graph_options or {}
        self._graph = None
        self.config = None  # the magics' OVNotebook options, for show()

    @property
    def graph(self) -> GraphView:
        if self._graph is None:  # layout is cheap, but only reports someone looks at need it
            self._graph = GraphView(self.model, **self._graph_options)
        return self._graph

    def _facts(self) -> list:
        bound = f" → {self.name}" if self.name else ""
        facts = [("model", f"{self.source}{bound} ('{self.model.get_friendly_name()}')"),
                 ("route", ROUTES.get(self.route, self.route)),
                 ("time", f"{self.seconds:.2f} s"),
                 ("operations", f"{self.op_count} ({len(self.op_counts)} types)"),
                 ("parameters", f"{self.parameter_count:,} in weights of "
                                f"{self.weight_bytes / 2**20:.1f} MiB"),
                 ("inputs / outputs", f"{len(self.model.inputs)} / {len(self.model.outputs)}")]
        if self.saved:
            facts.append(("saved", self.saved))
        return facts

    def _repr_html_(self) -> str:
        cell = "text-align:left;padding:1px 12px 1px 0"
        facts = "".join(f"<tr><td class='ovn-muted' style='{cell};{MUTED}'>{escape(k)}</td>"
                        f"<td style='{cell}'>{escape(v)}</td></tr>" for k, v in self._facts())
        warned = ""
        if self.warnings:
            items = "".join(f"<li>{escape(w)}</li>" for w in self.warnings[:20])
            warned = (f"<details><summary class='ovn-warn' style='color:{WARN_COLOR}'>⚠ "
                      f"{len(self.warnings)} warnings"
                      f"</summary><ul>{items}</ul></details>")
        sections = [("Signature", self.signature.html()),
                    (f"Ops ({self.op_count} in {len(self.op_counts)} types)", self.ops.html())]
        return wrap(f"<div style='font-weight:600'>✔ converted in {number(self.seconds)} s</div>"
                    f"<table class='ovn-facts'>{facts}</table>{warned}"
                    f"{panels(sections, opened=(0,))}"
                    f"<div style='font-weight:600;margin-top:6px'>Graph</div>"
                    f"{self.graph.caption_html()}")

    def display_outputs(self) -> list:
        """The report as display outputs: the HTML summary, then the graph as an image."""
        return [{"text/html": self._repr_html_(), "text/plain": repr(self)},
                self.graph.mimebundle()]

    def widget(self):
        """The interactive graph (expand/collapse, pan/zoom, details, search)."""
        from .views.graph_widget import graph_widget

        return graph_widget(GraphView(self.model, **self._graph_options), self.parameter_count)

    def _ipython_display_(self):
        from .session import show

        show(self, self.config)

    def __repr__(self) -> str:
        lines = [f"{k:17} {v}" for k, v in self._facts()]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(["ConversionReport"] + lines + ["", repr(self.signature)])
