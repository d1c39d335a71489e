"""The %convert/%infer magics and the ovn command given bad input: a UsageError (magics) or one
``ovn: error:`` line and a non-zero status (CLI) that say what was wrong; no traceback."""
from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.cli import main
from ov_notebook.notebook import inference

torch = pytest.importorskip("torch")


@pytest.fixture
def ip(tmp_path):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ov_notebook")
    shell.run_line_magic("config", "OVNotebook.runs = 0")
    x = ops.parameter([2, 3], np.float32, name="x")
    shell.user_ns.update(m=ov.Model([ops.relu(x)], [x], "m"), x=np.ones((2, 3), np.float32),
                         x64=np.ones((2, 3)), net=torch.nn.Linear(3, 4), t=torch.ones(2, 3),
                         five=5, text="abc", irpath=str(tmp_path / "m.xml"))
    ov.save_model(shell.user_ns["m"], tmp_path / "m.xml")
    yield shell
    shell.run_line_magic("unload_ext", "ov_notebook")
    inference.clear_cache()


MAGICS = {
    "convert an int": ("convert", "five", r"%convert five: cannot convert an object of type int"),
    "convert a missing path": ("convert", "text", r"model file abc does not exist"),
    "convert a Model": ("convert", "m", r"cannot convert an object of type Model"),
    "-e that raises": ("convert", "net -e 1/0", r"%convert -e: evaluating '1/0' raised "
                                                r"ZeroDivisionError: division by zero"),
    "-e with a bad attribute": ("convert", "net -e t.nope", r"raised AttributeError"),
    "-e a string": ("convert", "net -e text", r"example_input: unsupported type str"),
    "--input malformed": ("convert", "net -e t --input x[1,2", r"is not NAME\[SHAPE\]\{TYPE\}"),
    "--input bad type": ("convert", "net -e t --input x{bogus}", r"unknown element type"),
    "--input too many": ("convert", "net -e t --input x[2,3],y[2,3]",
                         r"input= describes 2 input\(s\) but the model has 1"),
    "--save without .xml": ("convert", "net -e t --save out", r"%convert --save: the IR path must "
                                                              r"end with .xml, got 'out'"),
    "--save unwritable": ("convert", "irpath --save /proc/no/x.xml",
                          r"%convert --save: cannot write /proc/no/x.xml"),
    "-o a keyword": ("convert", "net -e t -o def", r"%convert -o: 'def' is not a valid variable"),
    "-e without a value": ("convert", "net -e", r"argument -e/--example-input: expected at least "
                                                r"one argument"),
    "no model": ("convert", "", r"the following arguments are required: model"),
    "infer complex input": ("infer", "m x64.astype(complex)",
                            r"%infer: input 0 \('x'\) expects element type f32, got a complex128 "
                            r"array of complex values"),
    "infer a string": ("infer", "m text", r"%infer: input 0 \('x'\) expects element type f32"),
    "infer input that raises": ("infer", "m 1/0", r"%infer INPUT: evaluating '1/0' raised "
                                                  r"ZeroDivisionError"),
    "infer two inputs for one": ("infer", "m [x, x]", r"the model takes 1 input"),
    "infer an unknown input": ("infer", "m {'nope': x}", r"unknown input 'nope'"),
    "infer --labels an int": ("infer", "m x --labels five", r"%infer --labels: expected a list of "
                                                            r"class names, got int"),
    "infer --torch an int": ("infer", "m x --torch five", r"%infer --torch: expected the PyTorch "
                                                          r"model \(a torch.nn.Module\), got int"),
    "infer --torch failing": ("infer", "m x --torch torch_bad", r"%infer --torch: the PyTorch model "
                                                                r"failed on the input: RuntimeError"),
    "infer --topk abc": ("infer", "m x --topk abc", r"argument --topk: invalid int value: 'abc'"),
    "infer --runs -1": ("infer", "m x --runs -1", r"%infer --runs must be >= 0, got -1"),
    "infer -o a keyword": ("infer", "m x -o class", r"%infer -o: 'class' is not a valid variable"),
    "infer an int as model": ("infer", "five x", r"MODEL must be a converted Model, a "
                                                 r"CompiledModel or a path"),
    "infer a missing IR": ("infer", "'/no/such.xml' x", r"model file /no/such.xml does not exist"),
    "infer --layers without --torch": ("infer", "m x --layers", r"give --torch MODEL too"),
}


@pytest.mark.parametrize("magic, line, message", MAGICS.values(), ids=MAGICS.keys())
def test_magic_usage_errors(ip, capsys, magic, line, message):
    ip.user_ns["torch_bad"] = torch.nn.Linear(7, 2)  # wrong input size: fails when called
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic(magic, line)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_infer_torch_takes_numpy_input_as_the_converted_side_does(ip):
    ip.user_ns["lin"] = torch.nn.ReLU()
    report = ip.run_line_magic("infer", "m x --torch lin")
    assert report.passed and report.max_abs_error == 0


@pytest.fixture
def ir(tmp_path):
    x = ops.parameter([2, 3], ov.Type.f32, name="x")
    y = ops.parameter([-1, 3], ov.Type.f32, name="y")
    ov.save_model(ov.Model([ops.relu(ops.add(x, y))], [x, y], "small"), tmp_path / "small.xml")
    np.save(tmp_path / "x.npy", np.ones((2, 3), np.float32))
    return tmp_path


def ovn(*argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exit_:
            status = exit_.code
    return status, err.getvalue()


CLI = {
    "an input twice": (["infer", "{d}/small.xml", "--input", "x={d}/x.npy", "--input",
                        "x={d}/x.npy"], r"--input 'x=.*x.npy': input 0 \(x\) is given twice"),
    "an unknown input": (["infer", "{d}/small.xml", "--input", "nope={d}/x.npy", "--input",
                          "y={d}/x.npy"], r"the model has no input named 'nope'"),
    "a directory as model": (["info", "{d}"], r"is a directory; give the model's .xml file"),
    "--shape for an unknown input": (["bench", "{d}/small.xml", "--shape", "nope[2,3]"],
                                     r"--shape names 'nope', which is not an input of the model"),
    "--shape with a type": (["bench", "{d}/small.xml", "--shape", "y[2,3]{{i64}}"],
                            r"--shape 'y\[2,3\]\{i64\}': give NAME\[SHAPE\] items only"),
    "--shape malformed": (["bench", "{d}/small.xml", "--shape", "y[2,a]"],
                          r"--shape item 'y\[2,a\]': bad shape"),
    "bench a dynamic input": (["bench", "{d}/small.xml"], r"input y has a dynamic shape \[\?,3\]"),
    "convert an IR": (["convert", "{d}/small.xml"], r"accepted formats are .pt2"),
}


@pytest.mark.parametrize("argv, message", CLI.values(), ids=CLI.keys())
def test_cli_one_line_errors(ir, argv, message):
    status, err = ovn(*[a.format(d=ir) for a in argv])
    lines = [line for line in err.splitlines() if line.startswith("ovn: error")]
    assert status == 1 and len(lines) == 1, err
    assert "Traceback" not in err
    assert re.search(message, lines[0]), lines[0]


def test_cli_inputs_by_index(ir):
    status, err = ovn("infer", ir / "small.xml", "--input", f"0={ir}/x.npy", "--input",
                      f"1={ir}/x.npy")
    assert status == 0, err
