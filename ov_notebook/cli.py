"""``ovn``: the command line of ov_notebook, the counterpart of OpenVINO's ``ovc``.

    ovn convert exported_program.pt2            # writes exported_program.xml/.bin here
    ovn convert model.pt --example_input x.npy --input "x[1,3,?,?]"
    ovn info model.xml [--graph model.svg]
    ovn infer model.xml --input x=x.npy [--output out.npz]
    ovn bench model.xml [--runs 50] [--threads 2]

Errors print one line and exit non-zero; ``--verbose`` shows the traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter

import numpy as np

__all__ = ["main"]


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 1."""


# ------------------------------------------------------------------------------------------
# progress
# ------------------------------------------------------------------------------------------
class Progress:
    """A spinner with elapsed time while a long step runs (only on a terminal), then one line.

    It writes to stdout: progress is not an error, and Jupyter colors stderr as one (``!ovn``
    cells in notebooks); errors alone go to stderr."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stdout
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stop = threading.Event()
        self._thread = None
        self.started = 0.0

    def __enter__(self):
        self.started = time.perf_counter()
        if self.interactive:
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        else:
            print(f"{self.label} ...", file=self.stream, flush=True)
        return self

    def _spin(self):
        frames = "|/-\\"
        index = 0
        while not self._stop.wait(0.1):
            elapsed = time.perf_counter() - self.started
            print(f"\r{frames[index % 4]} {self.label} ({elapsed:.1f}s)", end="", file=self.stream,
                  flush=True)
            index += 1

    def update(self, label):
        self.label = label

    def __exit__(self, kind, value, traceback):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            print("\r" + " " * (len(self.label) + 16) + "\r", end="", file=self.stream)
        elapsed = time.perf_counter() - self.started
        status = "done" if kind is None else "failed"
        print(f"{self.label}: {status} in {elapsed:.2f}s", file=self.stream, flush=True)
        return False


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected True or False, got {text!r}")


def _load_array_file(path: str):
    if not os.path.isfile(path):
        raise CliError(f"file {path} does not exist")
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise CliError(f"cannot read {path} as .npy/.npz: {exc}") from None
    if isinstance(data, np.lib.npyio.NpzFile):
        with data:
            return {key: data[key] for key in data.files}
    return data


def _example_input(path):
    """.npy -> one tensor; .npz with arr_0, arr_1... -> a tuple; other keys -> a dict by name."""
    if path is None:
        return None
    import torch

    value = _load_array_file(path)
    if isinstance(value, dict):
        tensors = {k: torch.from_numpy(v) for k, v in value.items()}
        if all(k.startswith("arr_") for k in tensors):
            return tuple(tensors[f"arr_{i}"] for i in range(len(tensors)))
        return tensors
    return torch.from_numpy(value)


def _input_spec(text):
    if text is None:
        return None
    from .utils.input_spec import InputSpecError, parse_input_spec

    try:
        specs = parse_input_spec(text)
    except InputSpecError as exc:
        raise CliError(str(exc)) from None
    return [spec.as_tuple() if len(spec.as_tuple()) > 1 else spec.as_tuple()[0] for spec in specs]


def _read(path):
    from . import read_model

    if os.path.isdir(path):
        raise CliError(f"{path} is a directory; give the model's .xml file")
    if not os.path.isfile(path):
        raise CliError(f"model file {path} does not exist")
    if not path.lower().endswith((".xml", ".onnx")):
        raise CliError(f"{path}: expected an OpenVINO IR .xml (or .onnx) file")
    return read_model(path)


# ------------------------------------------------------------------------------------------
# subcommands
# ------------------------------------------------------------------------------------------
def cmd_convert(args) -> int:
    from . import convert_model, save_model

    model_path = args.model
    if not os.path.exists(model_path):
        raise CliError(f"model file {model_path} does not exist")
    if not model_path.lower().endswith((".pt2", ".pt", ".pth", ".onnx")):
        raise CliError(f"cannot convert {model_path}: accepted formats are .pt2 (torch.export.save), "
                       ".pt (torch.jit.save, with --example_input) and .onnx")
    stem = os.path.splitext(os.path.basename(model_path))[0]
    output = args.output_model or f"{stem}.xml"
    if os.path.isdir(output):
        output = os.path.join(output, f"{stem}.xml")
    if not output.endswith(".xml"):
        output += ".xml"
    kwargs = {"input": _input_spec(args.input), "verbose": args.verbose}
    if args.example_input is not None:
        kwargs["example_input"] = _example_input(args.example_input)
    with Progress(f"Converting {model_path}"):
        model = convert_model(model_path, **kwargs)
    save_model(model, output, compress_to_fp16=args.compress_to_fp16)
    print(f"[ SUCCESS ] XML file: {os.path.abspath(output)}")
    print(f"[ SUCCESS ] BIN file: {os.path.abspath(output[:-4] + '.bin')}")
    return 0


def _signature_rows(model):
    rows = []
    for kind, ports in (("input", model.inputs), ("output", model.outputs)):
        for index, port in enumerate(ports):
            node = port.get_node()
            path = node.rt_info.get("structure_path", "")
            rows.append((kind, index, ", ".join(sorted(port.get_names())) or "-", path or "-",
                         str(port.get_partial_shape()), port.get_element_type().get_type_name()))
    return rows


def _table(headers, rows) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    body = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths)] + body)


def cmd_info(args) -> int:
    model = _read(args.model)
    ops = model.get_ordered_ops()
    constants = [op for op in ops if op.get_type_name() == "Constant"]
    weight_bytes = sum(op.get_byte_size() for op in constants)
    print(f"Model '{model.get_friendly_name()}': {len(ops)} ops, {len(constants)} constants, "
          f"{weight_bytes / 2**20:.2f} MiB of weights")
    print()
    print(_table(("", "#", "names", "structure path", "shape", "type"), _signature_rows(model)))
    print()
    histogram = Counter(op.get_type_name() for op in ops)
    print(_table(("op type", "count"), sorted(histogram.items(), key=lambda kv: (-kv[1], kv[0]))))
    if args.graph:
        _render_graph(model, args.graph)
        print(f"\nGraph written to {os.path.abspath(args.graph)}")
    return 0


def _render_graph(model, path):
    try:
        from .notebook.views.graph import GraphView, RenderError  # shared with the notebook layer
    except ImportError as exc:
        raise CliError(f"--graph needs the notebook extras (pip install 'ov-notebook[notebook]'): "
                       f"{exc}") from None
    view = GraphView(model)
    try:
        if path.endswith((".dot", ".gv")):
            view.save_dot(path)
        else:
            view.save_svg(path)
    except RenderError as exc:
        raise CliError(f"could not render the graph: {exc}") from None


def _infer_inputs(model, items):
    values = {}
    for item in items or []:
        if "=" in item:
            name, path = item.split("=", 1)
        elif len(model.inputs) == 1:
            name, path = None, item
        else:
            raise CliError(f"--input {item!r}: use NAME=FILE.npy (the model has {len(model.inputs)} "
                           "inputs)")
        value = _load_array_file(path)
        if isinstance(value, dict):
            raise CliError(f"--input {item!r}: give one .npy file per input")
        key = name if name is not None else 0
        try:
            port = model.input(key)
        except KeyError as exc:
            if not (name.isdigit() and int(name) < len(model.inputs)):
                raise CliError(str(exc).strip("'\"")) from None
            key, port = int(name), model.input(int(name))  # NAME may be the input's index
        except IndexError as exc:
            raise CliError(str(exc).strip("'\"")) from None
        index = model.inputs.index(port)
        if index in values:
            raise CliError(f"--input {item!r}: input {index} "
                           f"({', '.join(sorted(port.get_names())) or 'unnamed'}) is given twice")
        values[index] = value
    if len(values) != len(model.inputs):
        names = [", ".join(sorted(p.get_names())) or str(i) for i, p in enumerate(model.inputs)]
        raise CliError(f"the model has {len(model.inputs)} inputs ({'; '.join(names)}); "
                       f"got {len(values)} --input file(s)")
    return values


def cmd_infer(args) -> int:
    from . import compile_model

    model = _read(args.model)
    compiled = compile_model(model, config=_threads_config(args.threads))
    results = compiled(_infer_inputs(model, args.input))
    if args.output:
        arrays = {(sorted(p.get_names())[0] if p.get_names() else f"output_{i}"): a
                  for i, (p, a) in enumerate(results.items())}
        np.savez(args.output, **arrays)
        print(f"Outputs saved to {os.path.abspath(args.output)}")
    for index, (port, array) in enumerate(results.items()):
        name = ", ".join(sorted(port.get_names())) or f"output {index}"
        stats = "" if array.size == 0 or array.dtype == bool else (
            f" min {array.min():.6g} max {array.max():.6g} mean {array.mean():.6g}")
        print(f"{name}: {array.dtype}{list(array.shape)}{stats}")
        if args.print_values:
            print(np.array2string(array, threshold=40, edgeitems=3))
    return 0


def _threads_config(threads):
    return {"INFERENCE_NUM_THREADS": threads} if threads else None


def _random_inputs(model, shapes):
    rng = np.random.default_rng(0)
    arrays = []
    for index, port in enumerate(model.inputs):
        names = port.get_names()
        shape = next((shapes[n] for n in names if n in shapes), shapes.get(str(index)))
        partial = port.get_partial_shape() if shape is None else shape
        if not partial.is_static:
            raise CliError(f"input {', '.join(sorted(names)) or index} has a dynamic shape "
                           f"{partial}; give one with --shape NAME[1,3,224,224]")
        dtype = port.get_element_type().to_dtype()
        dims = tuple(partial.to_shape())
        if dtype.kind == "f":
            arrays.append(rng.standard_normal(dims).astype(dtype))
        elif dtype.kind == "b":
            arrays.append(rng.integers(0, 2, dims).astype(bool))
        else:
            arrays.append(rng.integers(0, 2, dims).astype(dtype))
    return arrays


def cmd_bench(args) -> int:
    from . import compile_model

    model = _read(args.model)
    shapes = {}
    if args.shape:
        from .utils.input_spec import InputSpecError, parse_input_spec

        try:
            specs = parse_input_spec(args.shape)
        except InputSpecError as exc:
            raise CliError(str(exc).replace("--input", "--shape")) from None
        known = {name for port in model.inputs for name in port.get_names()}
        for position, spec in enumerate(specs):
            if spec.shape is None or spec.element_type is not None:
                raise CliError(f"--shape {args.shape!r}: give NAME[SHAPE] items only (shapes, "
                               "no element types)")
            if spec.name is not None and spec.name not in known:
                raise CliError(f"--shape names {spec.name!r}, which is not an input of the model; "
                               f"inputs: {sorted(known)}")
            shapes[spec.name if spec.name else str(position)] = spec.shape
    with Progress("Compiling"):
        compiled = compile_model(model, config=_threads_config(args.threads))
    inputs = _random_inputs(model, shapes)
    for _ in range(args.warmup):
        compiled(inputs)
    times = []
    with Progress(f"Running {args.runs} inferences") as progress:
        for run in range(args.runs):
            started = time.perf_counter()
            compiled(inputs)
            times.append(time.perf_counter() - started)
            progress.update(f"Running {args.runs} inferences [{run + 1}/{args.runs}]")
    milliseconds = np.array(times) * 1e3
    print(f"Latency (ms): median {np.median(milliseconds):.2f}  p90 {np.percentile(milliseconds, 90):.2f}"
          f"  p99 {np.percentile(milliseconds, 99):.2f}  min {milliseconds.min():.2f}  "
          f"max {milliseconds.max():.2f}  ({args.runs} runs)")
    print(f"Throughput: {1e3 / np.median(milliseconds):.2f} inferences/s")
    return 0


# ------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ovn", description="ov_notebook: convert PyTorch/ONNX "
                                     "models to OpenVINO IR, inspect, run and benchmark them.")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks and progress details")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks and progress details")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    convert = commands.add_parser("convert", parents=[common],
                                  help="convert .pt2/.pt/.onnx to IR (.xml + .bin)",
                                  description="Convert a model file to OpenVINO IR, like ovc.")
    convert.add_argument("model", help="a .pt2 (torch.export.save), .pt (torch.jit.save) or .onnx file")
    convert.add_argument("--output_model", help="the .xml to write (default: <model name>.xml here)")
    convert.add_argument("--input", help='inputs in ovc syntax, e.g. "x[1,3,?,?],y[1..10]{i64}"')
    convert.add_argument("--example_input", help=".npy (one input) or .npz (several) example input")
    convert.add_argument("--compress_to_fp16", type=_bool, default=True, metavar="BOOL",
                         help="store f32 weights as f16 (default True)")
    convert.set_defaults(handler=cmd_convert)

    info = commands.add_parser("info", parents=[common], help="print a model's signature and op histogram",
                               description="Print the flattened signature and op histogram.")
    info.add_argument("model", help="an IR .xml file")
    info.add_argument("--graph", metavar="OUT.svg", help="render the graph to SVG (or .dot)")
    info.set_defaults(handler=cmd_info)

    infer = commands.add_parser("infer", parents=[common], help="run a model on .npy inputs",
                                description="Run a model on inputs from .npy files.")
    infer.add_argument("model", help="an IR .xml file")
    infer.add_argument("--input", action="append", metavar="NAME=FILE.npy",
                       help="an input (repeat for several inputs)")
    infer.add_argument("--output", metavar="OUT.npz", help="save the outputs to a .npz file")
    infer.add_argument("--print_values", action="store_true", help="print the output values")
    infer.add_argument("--threads", type=int, default=0, help="inference threads (0: default)")
    infer.set_defaults(handler=cmd_infer)

    bench = commands.add_parser("bench", parents=[common], help="measure latency and throughput",
                                description="Benchmark a model on random inputs.")
    bench.add_argument("model", help="an IR .xml file")
    bench.add_argument("--runs", type=int, default=50, help="timed inferences (default 50)")
    bench.add_argument("--warmup", type=int, default=3, help="untimed warm-up runs (default 3)")
    bench.add_argument("--threads", type=int, default=0, help="inference threads (0: default)")
    bench.add_argument("--shape", help='shapes for dynamic inputs, e.g. "x[1,3,224,224]"')
    bench.set_defaults(handler=cmd_bench)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if getattr(args, "runs", 1) is not None and getattr(args, "runs", 1) < 1:
        parser.error("--runs must be at least 1")
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("ovn: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001  one line for users, the traceback with --verbose
        if args.verbose:
            raise
        message = " ".join(line.strip() for line in str(exc).strip().splitlines()) or \
            type(exc).__name__
        if not isinstance(exc, CliError):
            message = f"{type(exc).__name__}: {message}"
        print(f"ovn: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
