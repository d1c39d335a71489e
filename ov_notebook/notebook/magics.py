"""The ``%convert`` and ``%infer`` magics: parse, evaluate in the user namespace, call, return.

Each magic parses its line with ``IPython.core.magic_arguments`` (so ``%convert?`` shows the full
usage), evaluates the expressions it is given in the user's namespace, calls the notebook layer's
functions, and returns a report object that displays itself. Expressions may contain spaces
(``%infer m torch.rand(1, 3) --torch net``): the words up to the next option are joined again.

This is the notebook layer's one edge to IPython: the functions it calls raise ordinary
exceptions (:class:`~.errors.NotebookError`), which the magics show as IPython's one-line
``UsageError`` (``%infer --torch: the PyTorch model failed on the input: ...``).
"""
from __future__ import annotations

import contextlib
import keyword
import re

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .config import OVNotebook
from .errors import NotebookError

__all__ = ["OVMagics"]


def _joined(value):
    return " ".join(value) if isinstance(value, list) else value


def _unquoted(value):
    """IPython keeps the quotes of ``--input "x[1,3,?,?]"``: drop one matching pair."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


@contextlib.contextmanager
def _usage_errors(magic: str):
    """The notebook layer's errors as IPython's one-line UsageError, named after the magic."""
    try:
        yield
    except NotebookError as error:
        raise UsageError(error.usage(magic)) from error


def _check_variable_name(name: str, flag: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"{flag}: {name!r} is not a valid variable name")


def default_name(expression: str) -> str:
    """``model.encoder`` -> ``model_encoder_ov``; ``"out/resnet.pt2"`` -> ``resnet_ov``."""
    text = expression.strip().strip("'\"")
    if re.fullmatch(r"[A-Za-z_][\w.]*", text):
        return text.replace(".", "_") + "_ov"
    stem = re.sub(r"\W", "_", re.split(r"[\\/]", text)[-1].rsplit(".", 1)[0])
    return (stem if stem and stem[0].isalpha() else "model") + "_ov"


@magics_class
class OVMagics(Magics):
    """``%convert`` and ``%infer``; options in ``%config OVNotebook``."""

    def __init__(self, shell):
        super().__init__(shell)
        self.options = OVNotebook(parent=shell)

    def _evaluate(self, expression: str, what: str):
        try:
            return eval(expression, self.shell.user_ns)  # noqa: S307  the user's own expression
        except NameError as error:
            raise UsageError(f"{what}: {error} (it is a Python expression evaluated in your "
                             "namespace)") from None
        except SyntaxError as error:
            raise UsageError(f"{what}: {expression!r} is not a valid Python expression: "
                             f"{error.msg}") from None
        except Exception as error:  # noqa: BLE001  the user's expression failed: say which
            raise UsageError(f"{what}: evaluating {expression!r} raised "
                             f"{type(error).__name__}: {error}") from None

    def _parse(self, magic, line):
        try:
            return parse_argstring(magic, line)
        except UsageError as error:
            raise UsageError(f"{error}\nSee %{magic.__name__}? for usage.") from None

    @magic_arguments()
    @argument("model", nargs="+",
              help="The model: a Python expression (a torch.nn.Module variable, model.encoder, an "
                   "ExportedProgram) or a quoted path to .pt2, .pt, .onnx or .xml.")
    @argument("-e", "--example-input", nargs="+", default=None, metavar="EXPR",
              help="Example input expression (tensor, tuple or dict), as convert_model's "
                   "example_input.")
    @argument("--input", dest="input_spec", default=None, metavar="SPEC",
              help="Input shapes and types in ovc's syntax, e.g. x[1,3,?,?],y[1..10]{i64}.")
    @argument("-o", "--output", dest="name", default=None,
              help="Variable to bind the converted Model to (default: <model>_ov).")
    @argument("--save", default=None, metavar="PATH",
              help="Also save the IR to this .xml path (weights compressed to f16 unless %%config "
                   "OVNotebook.compress_to_fp16=False).")
    @argument("-q", "--quiet", action="store_true", help="Bind the model; show no report.")
    @argument("--explorer", action="store_true",
              help="Also show the converted graph in Model Explorer (the explorer extra; how "
                   "the browser reaches it: %%config OVNotebook.explorer_proxy).")
    @line_cell_magic
    def convert(self, line, cell=None):
        """Convert a PyTorch (or ONNX, or IR) model and show what the conversion did.

        Examples::

            %convert model -e torch.rand(1, 3, 224, 224)
            %convert "resnet.pt2" -o resnet --save resnet.xml
            %%convert model -e batch
            model = torchvision.models.resnet18().eval()
            batch = torch.rand(1, 3, 224, 224)

        Returns a ConversionReport (``.model``, ``.op_counts``, ``.signature``, ``.graph``...);
        the Model is bound to ``-o NAME`` (default ``<model>_ov``).
        """
        args = self._parse(self.convert, line)
        if cell is not None:
            outcome = self.shell.run_cell(cell)
            if not outcome.success:
                raise UsageError("%%convert: the cell failed, nothing converted")
        from . import conversion
        from ..utils.input_spec import InputSpecError, parse_input_spec

        args.model = _joined(args.model)
        source = self._evaluate(args.model, "%convert MODEL")
        example = (self._evaluate(_joined(args.example_input), "%convert -e")
                   if args.example_input else None)
        try:
            specs = parse_input_spec(_unquoted(args.input_spec)) if args.input_spec else None
        except InputSpecError as error:
            raise UsageError(f"%convert: {error}") from None
        name = args.name or default_name(args.model)
        _check_variable_name(name, "%convert -o")
        args.save = _unquoted(args.save)
        if args.save is not None and not args.save.endswith(".xml"):
            raise UsageError(f"%convert --save: the IR path must end with .xml, got {args.save!r}")
        with _usage_errors("convert"):
            report = self._run_conversion(conversion, source, example, specs, args)
        self.shell.user_ns[name] = report.model
        report.name = name
        if args.explorer:
            from IPython.display import display

            from .explorer import explore

            with _usage_errors("convert"):
                display(explore(report.model, name=name))
        return None if args.quiet else report

    def _run_conversion(self, conversion, source, example, specs, args):
        from .session import progress

        depth = self.options.graph_depth
        graph_options = {"node_budget": self.options.graph_node_budget,
                         "timeout": self.options.graph_timeout,
                         "depth": None if depth < 0 else depth}
        try:
            with progress(1, "converting", self.options) as bar:
                report = conversion.convert(source, example, specs, args.model, args.save,
                                            self.options.compress_to_fp16, graph_options, bar)
        except conversion.ConversionFailed as failure:
            from .session import show

            show(failure.report, self.options)
            raise UsageError(f"{failure.usage('convert')} (table above)") from failure
        report.config = self.options
        return report

    @magic_arguments()
    @argument("model", help="A converted Model, a CompiledModel, or a quoted path to an IR .xml.")
    @argument("input", nargs="+", help="The input: an expression in the original model's structure "
                            "(tensor, tuple of arguments, dict by argument name).")
    @argument("--torch", nargs="+", default=None, metavar="TORCH_MODEL",
              help="The PyTorch model to compare with (runs both, side by side).")
    @argument("--labels", nargs="+", default=None, metavar="EXPR",
              help="Class labels for top-k tables: a list, or weights.meta['categories'].")
    @argument("--topk", type=int, default=None, help="Rows in top-k tables (default: "
                                                     "%%config OVNotebook.topk).")
    @argument("--runs", type=int, default=None, help="Timed runs per side for latency "
                                                     "(default: %%config OVNotebook.runs with "
                                                     "--torch, else none).")
    @argument("--layers", action="store_true",
              help="Per-module error table (needs --torch): where the outputs start to differ.")
    @argument("-o", "--output", dest="name", default=None, help="Bind the report to this name.")
    @line_magic
    def infer(self, line):
        """Run a converted model; with --torch, compare it with PyTorch side by side.

        Examples::

            %infer resnet_ov batch
            %infer resnet_ov batch --torch model --labels weights.meta["categories"] --runs 20
            %infer bert_ov (ids, mask) --torch bert --layers -o check
            assert check.passed and check.max_abs_error < 1e-4

        Returns an InferReport (``.outputs``, ``.comparisons``, ``.max_abs_error``, ``.passed``,
        ``.topk``, ``.latency``, ``.layers``, ``.figure``).
        """
        args = self._parse(self.infer, line)
        from .infer_report import run_infer

        if args.name:
            _check_variable_name(args.name, "%infer -o")
        model = self._evaluate(args.model, "%infer MODEL")
        value = self._evaluate(_joined(args.input), "%infer INPUT")
        torch_model = self._evaluate(_joined(args.torch), "%infer --torch") if args.torch else None
        labels = self._evaluate(_joined(args.labels), "%infer --labels") if args.labels else None
        if torch_model is not None and not callable(torch_model):
            raise UsageError(f"%infer --torch: expected the PyTorch model (a torch.nn.Module), got "
                             f"{type(torch_model).__name__}")
        if labels is not None and (isinstance(labels, (str, bytes, dict)) or
                                   not hasattr(labels, "__len__")):
            raise UsageError(f"%infer --labels: expected a list of class names, got "
                             f"{type(labels).__name__}")
        if args.layers and torch_model is None:
            raise UsageError("%infer --layers compares with PyTorch: give --torch MODEL too")
        for flag, number in (("--topk", args.topk), ("--runs", args.runs)):
            if number is not None and number < 0:
                raise UsageError(f"%infer {flag} must be >= 0, got {number}")
        runs = args.runs if args.runs is not None else (self.options.runs if torch_model else 0)
        with _usage_errors("infer"):
            report = run_infer(model, value, torch_model,
                               None if labels is None else list(labels),
                               args.topk or self.options.topk, runs, args.layers, self.options,
                               args.model)
        report.config = self.options
        if args.name:
            self.shell.user_ns[args.name] = report
        return report
