"""The tutorial notebooks, the Binder files and the README links stay in step with the project.

Running the notebooks themselves is nbval's job (pyproject's addopts, notebooks/conftest.py); this
module checks what nbval does not: that each notebook is saved executed and renders on GitHub, that
Binder pins every dependency the package and the notebooks need within pyproject's specifiers, and
that what README.md and the Binder badge point at exists.
"""
import glob
import json
import os
import re
import sys

import pytest

packaging = pytest.importorskip("packaging")
from packaging.requirements import Requirement  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
BINDER = os.path.join(ROOT, "binder")
EXPECTED = ["01-convert-a-pytorch-model.ipynb", "02-inputs-outputs-and-names.ipynb",
            "03-magics-tour.ipynb", "04-accuracy-you-can-trust.ipynb", "05-speed.ipynb"]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# import name -> distribution, where they differ (the notebooks' third-party imports)
DISTRIBUTIONS = {"sklearn": "scikit-learn", "PIL": "pillow", "IPython": "ipython"}


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _notebook(path):
    return json.loads(_read(path))


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _pinned():
    """``{canonical name: version}`` of binder/requirements.txt's ``name==version`` lines."""
    pins = {}
    for line in _read(os.path.join(BINDER, "requirements.txt")).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier  # exactly one: an == pin
        assert specifier.operator == "==", f"binder/requirements.txt: {line!r} is not pinned"
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def _requirements(*extras):
    """pyproject's dependencies and those ``extras`` (self-references expanded)."""
    project = tomllib.loads(_read(os.path.join(ROOT, "pyproject.toml")))["project"]
    optional = project["optional-dependencies"]
    requirements, pending = [], list(project["dependencies"])
    for extra in extras:
        pending += optional[extra]
    while pending:
        requirement = Requirement(pending.pop(0))
        if canonicalize_name(requirement.name) == canonicalize_name(project["name"]):
            for extra in requirement.extras:
                pending += optional[extra]
        else:
            requirements.append(requirement)
    return requirements


def _runtime_requirements():
    """pyproject's dependencies and its torch, onnx and notebook extras."""
    return _requirements("torch", "onnx", "notebook")


def _notebook_distributions():
    """Canonical distribution names of the third-party modules the notebooks import."""
    imported = set()
    for path in NOTEBOOKS:
        for cell in _notebook(path)["cells"]:
            if cell["cell_type"] == "code":
                imported |= set(re.findall(r"^\s*(?:from|import)\s+(\w+)", _source(cell), re.M))
    third_party = imported - set(sys.stdlib_module_names) - {"ov_notebook"}
    assert third_party, "no imports found: the regex is wrong"
    return {module: canonicalize_name(DISTRIBUTIONS.get(module, module))
            for module in sorted(third_party)}


def test_the_five_tutorials_exist():
    assert [os.path.basename(p) for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_is_saved_executed_in_order(path):
    notebook = _notebook(path)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    counts = [cell["execution_count"] for cell in code]
    assert counts == list(range(1, len(code) + 1)), "run it with tools/execute_notebooks.py"
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert any(cell["cell_type"] == "markdown" for cell in notebook["cells"][:1]), "title first"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_renders_on_github(path):
    """GitHub's renderer fails on widget metadata without a ``state`` key."""
    widgets = _notebook(path)["metadata"].get("widgets")
    if widgets is not None:
        assert widgets[WIDGET_STATE]["state"], "widget metadata without state: strip or re-execute"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_writes_its_files_beside_itself(path):
    """What a tutorial saves shows in JupyterLab's file browser: no temporary directories, and
    only its own ``outputs/<notebook name>/`` folder, which git ignores."""
    name = os.path.splitext(os.path.basename(path))[0]
    code = "\n".join(_source(c) for c in _notebook(path)["cells"] if c["cell_type"] == "code")
    assert not re.search(r"\btempfile\b|gettempdir|['\"]/tmp\b", code), "writes to a temp dir"
    folders = set(re.findall(r"""\boutputs['"]?(?:/|,\s*['"])([\w.-]+)""", code))
    assert folders <= {name}, f"writes outside outputs/{name}/: {sorted(folders - {name})}"
    assert "notebooks/outputs/" in _read(os.path.join(ROOT, ".gitignore")).splitlines()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_only_timings_escape_the_output_comparison(path):
    """``NBVAL_IGNORE_OUTPUT`` is for latency; everything else is compared by nbval."""
    for cell in _notebook(path)["cells"]:
        source = _source(cell)
        if cell["cell_type"] == "code" and re.search(r"^\s*#\s*NBVAL_(IGNORE_OUTPUT|SKIP)", source,
                                                     re.M):
            assert re.search(r"latency|--runs [1-9]|RUNS|ms", source), source[:200]


def test_binder_pins_every_runtime_dependency_within_pyproject():
    pins = _pinned()
    for requirement in _runtime_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"binder/requirements.txt does not pin {requirement.name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"binder pins {name}=={pins[name]}, pyproject wants {requirement}"


def test_binder_pins_the_explorer_extra_within_pyproject():
    """On Binder ov.explore needs Model Explorer and jupyter-server-proxy (the browser reaches
    the kernel's Model Explorer server only through the Jupyter server)."""
    pins = _pinned()
    project = tomllib.loads(_read(os.path.join(ROOT, "pyproject.toml")))["project"]
    for line in project["optional-dependencies"]["explorer"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"binder/requirements.txt does not pin {requirement.name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"binder pins {name}=={pins[name]}, pyproject wants {requirement}"


def test_binder_pins_what_the_notebooks_import():
    pins = _pinned()
    for module, distribution in _notebook_distributions().items():
        assert distribution in pins, f"the notebooks import {module}; binder does not pin it"


def test_the_test_extra_installs_what_the_notebooks_import():
    """CI installs ``.[test]`` on a clean machine and runs the notebooks: a module they import
    that only happens to be installed here (requests) would fail there."""
    declared = {canonicalize_name(r.name) for r in _requirements("test")}
    for module, distribution in _notebook_distributions().items():
        assert distribution in declared, \
            f"the notebooks import {module}; pyproject's test extra does not install {distribution}"


def test_binder_installs_graphviz_the_package_and_cpu_torch():
    assert "graphviz" in _read(os.path.join(BINDER, "apt.txt")).split()
    requirements = _read(os.path.join(BINDER, "requirements.txt"))
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in requirements
    post_build = os.path.join(BINDER, "postBuild")
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert re.search(r"^pip install .*-e \.$", _read(post_build), re.M)


def test_readme_binder_badge_and_links_point_at_files():
    readme = _read(os.path.join(ROOT, "README.md"))
    badges = re.findall(r"https://mybinder\.org/v2/gh/[^/\s]+/[^/\s]+/HEAD\?labpath=([^)\s]+)",
                        readme)
    assert badges, "README.md has no Binder badge"
    for labpath in badges:
        assert os.path.isfile(os.path.join(ROOT, labpath.replace("%2F", "/"))), labpath
    links = re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", readme)
    assert any(link.startswith("notebooks/") for link in links)
    for link in links:
        assert os.path.exists(os.path.join(ROOT, link.split("#")[0])), f"README links {link}"
    for name in EXPECTED:
        assert f"notebooks/{name}" in readme, f"README does not list {name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_notebook_links_point_at_files(path):
    for cell in _notebook(path)["cells"]:
        if cell["cell_type"] == "markdown":
            for link in re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", _source(cell)):
                assert os.path.exists(os.path.join(os.path.dirname(path), link)), link


def test_readme_lists_only_operations_that_are_registered():
    """README's generated lists may lag behind new operations, never claim missing ones."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "supported_ops", os.path.join(ROOT, "tools", "supported_ops.py"))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readme = _read(os.path.join(ROOT, "README.md"))
    listed = readme[readme.index(tool.START):readme.index(tool.END)]
    blocks = re.findall(r"<summary>(.*?)</summary>(.*?)</details>", listed, re.S)
    assert [title for title, _ in blocks] == ["IR operations", "PyTorch (aten) operations",
                                              "ONNX operators"]
    def name(item):  # IR items carry their versions (Gather-1/7/8): a new version is no lie
        return item.rsplit("-", 1)[0] if title == "IR operations" else item

    current = [set(tool.ir_operations()), set(tool.aten_operations()[0]),
               set(tool.onnx_operations())]
    for (title, block), registered in zip(blocks, current):
        missing = ({name(item) for item in re.findall(r"`([^`]+)`", block)} -
                   {name(item) for item in registered})
        assert not missing, f"README lists {title} that are not registered: {sorted(missing)}"
