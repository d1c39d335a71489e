"""README.md opens with the two setup commands, and .ci/run runs exactly README's test command."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
CI = os.path.join(ROOT, ".ci", "run")


def _readme():
    with open(README, encoding="utf-8") as handle:
        return handle.read()


def _marked(name):
    """The command lines between ``<!-- name -->`` and ``<!-- /name -->``, fences dropped."""
    match = re.search(rf"<!-- {name} -->\n(.*?)<!-- /{name} -->", _readme(), re.S)
    assert match, f"README.md has no <!-- {name} --> section"
    return [line for line in match.group(1).splitlines() if line.strip() and
            not line.startswith("```")]


def test_readme_opens_with_exactly_two_commands():
    text = _readme()
    fences = re.findall(r"```bash\n(.*?)```", text, re.S)
    assert fences[:2] == [_marked("main-command")[0] + "\n", _marked("test-command")[0] + "\n"]
    first_code = text.index("```")
    assert text.index("<!-- main-command -->") < first_code < text.index("<!-- test-command -->")
    assert "```" not in text[:text.index("<!-- main-command -->")]


def test_main_command_installs_and_runs_the_demo():
    assert _marked("main-command") == ['pip install -e ".[torch]" && python -m ov_notebook demo']


def test_test_command_installs_test_extras_and_runs_pytest():
    (command,) = _marked("test-command")
    assert re.fullmatch(r'pip install -e "\.\[test\]" && python -m pytest( .*)?', command), command


def test_ci_run_extracts_the_readme_test_command():
    assert os.access(CI, os.X_OK), ".ci/run must be executable"
    with open(CI, encoding="utf-8") as handle:
        script = handle.read()
    assert script.startswith("#!/usr/bin/env bash")
    assert "apt-get install -y graphviz chromium" in script
    printed = subprocess.run([CI, "--print-test-command"], capture_output=True, text=True,
                             check=True).stdout
    assert printed.splitlines() == _marked("test-command")


def test_main_module_dispatches_demo_and_cli():
    from ov_notebook import __main__ as entry

    help_text = subprocess.run([sys.executable, "-m", "ov_notebook", "demo", "--help"],
                               capture_output=True, text=True, cwd=ROOT)
    assert help_text.returncode == 0 and "--model" in help_text.stdout
    with pytest.raises(SystemExit) as exit_info:
        entry.main(["info", "--help"])  # handed to ovn's parser
    assert exit_info.value.code == 0


def test_ruff_finds_nothing():
    """``ruff check`` with the rules of pyproject.toml's [tool.ruff] (ruff is in the test extra)."""
    pytest.importorskip("ruff", reason="ruff is in the test extra: pip install -e '.[test]'")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "ov_notebook",
                           "tests", "benchmarks", "tools"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, f"ruff check:\n{done.stdout[-20000:]}{done.stderr[-2000:]}"
