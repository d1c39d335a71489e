"""The ``ovn`` console script, driven in a subprocess as users run it."""
from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import ov_notebook as ov  # noqa: E402
from ov_notebook import opset as ops  # noqa: E402


def _ovn(*args, cwd=None, check=False):
    executable = shutil.which("ovn")
    command = [executable] if executable else [sys.executable, "-m", "ov_notebook.cli"]
    completed = subprocess.run(command + [str(a) for a in args], cwd=cwd, capture_output=True,
                               text=True, timeout=600)
    if check and completed.returncode != 0:
        raise AssertionError(completed.stderr)
    return completed


class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(8, 4)

    def forward(self, x):
        return torch.relu(self.linear(x))


@pytest.fixture
def exported_program(tmp_path):
    torch.manual_seed(0)
    program = torch.export.export(Small().eval(), (torch.rand(2, 8),))
    path = tmp_path / "exported_program.pt2"
    torch.export.save(program, str(path))
    return path


@pytest.fixture
def ir_model(tmp_path):
    x = ops.parameter([2, 3], ov.Type.f32, name="x")
    y = ops.parameter([2, 3], ov.Type.f32, name="y")
    model = ov.Model([ops.relu(ops.add(x, y))], [x, y], "small")
    model.output(0).set_names({"out"})
    path = tmp_path / "small.xml"
    ov.save_model(model, str(path))
    return path


def test_help_on_every_subcommand():
    for command in ([], ["convert"], ["info"], ["infer"], ["bench"]):
        result = _ovn(*command, "--help")
        assert result.returncode == 0
        assert "usage: ovn" in result.stdout


def test_convert_pt2_writes_xml_next_to_cwd_like_ovc(tmp_path, exported_program):
    work = tmp_path / "work"
    work.mkdir()
    result = _ovn("convert", exported_program, cwd=work, check=True)
    assert (work / "exported_program.xml").exists() and (work / "exported_program.bin").exists()
    assert "SUCCESS" in result.stdout
    model = ov.read_model(str(work / "exported_program.xml"))
    x = np.random.rand(2, 8).astype(np.float32)
    torch.manual_seed(0)
    expected = Small().eval()(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ov.compile_model(model)(x)[0], expected, rtol=1e-3, atol=1e-3)


def test_convert_torchscript_needs_example_input(tmp_path):
    scripted = torch.jit.trace(Small().eval(), torch.rand(2, 8))
    path = tmp_path / "script_module.pt"
    torch.jit.save(scripted, str(path))
    result = _ovn("convert", path, cwd=tmp_path)
    assert result.returncode != 0
    assert "example_input" in result.stderr and "Traceback" not in result.stderr
    np.save(tmp_path / "x.npy", np.random.rand(2, 8).astype(np.float32))
    _ovn("convert", path, "--example_input", tmp_path / "x.npy", "--input", "x[?,8]",
         "--output_model", tmp_path / "out" / "m.xml", "--compress_to_fp16", "False", check=True)
    model = ov.read_model(str(tmp_path / "out" / "m.xml"))
    assert str(model.input(0).get_partial_shape()) == "[?,8]"


def test_info_prints_signature_and_histogram(ir_model):
    result = _ovn("info", ir_model, check=True)
    assert "x" in result.stdout and "[2,3]" in result.stdout and "f32" in result.stdout
    assert "Add" in result.stdout and "Relu" in result.stdout


def test_info_renders_graph(tmp_path, ir_model):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot binary is not installed")
    result = _ovn("info", ir_model, "--graph", tmp_path / "g.svg")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "g.svg").read_text().lstrip().startswith(("<?xml", "<svg"))


def test_infer_saves_outputs(tmp_path, ir_model):
    x = np.random.rand(2, 3).astype(np.float32)
    y = np.random.rand(2, 3).astype(np.float32) - 0.5
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    result = _ovn("infer", ir_model, "--input", f"x={tmp_path / 'x.npy'}", "--input",
                  f"y={tmp_path / 'y.npy'}", "--output", tmp_path / "out.npz", check=True)
    assert "out: float32[2, 3]" in result.stdout
    np.testing.assert_allclose(np.load(tmp_path / "out.npz")["out"], np.maximum(x + y, 0))


def test_bench_reports_percentiles(ir_model):
    result = _ovn("bench", ir_model, "--runs", 5, check=True)
    assert "median" in result.stdout and "p90" in result.stdout and "Throughput" in result.stdout


@pytest.mark.parametrize("args,fragment", [
    (["convert", "missing.pt2"], "does not exist"),
    (["convert", "model.txt"], "accepted formats"),
    (["info", "missing.xml"], "does not exist"),
    (["infer", "MODEL", "--input", "z=nothing.npy"], "does not exist"),
    (["infer", "MODEL"], "inputs"),
    (["convert", "MODEL_PT2", "--input", "x[1,,2"], "--input"),
])
def test_bad_arguments_give_one_line_errors(tmp_path, ir_model, exported_program, args, fragment):
    (tmp_path / "model.txt").write_text("not a model")
    args = [str(ir_model) if a == "MODEL" else str(exported_program) if a == "MODEL_PT2" else a
            for a in args]
    result = _ovn(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.startswith("ovn: error")]
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_verbose_shows_traceback(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<net")
    result = _ovn("--verbose", "info", bad)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_python_dash_m_entry_point(ir_model):
    result = subprocess.run([sys.executable, "-m", "ov_notebook", "info", str(ir_model)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Relu" in result.stdout
