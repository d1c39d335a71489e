"""The layers of DESIGN.md stay independent: checked on the source, statically, of every module.

Every ``import`` and ``from ... import`` of every module of ``ov_notebook`` is read with ``ast``
(the modules are not imported), at any depth: an import inside a function (a lazy import) counts
as much as one at the top. A test fails listing every violation at once, each with its file, line
and the module imported.

Layers, bottom to top (a layer imports only layers below it, and itself)::

    _plugins   registry helper (imports the standard library only)
    ir         the model, op specs, IR v11 reading/writing: numpy only
    opset      op builders over ir               utils   input-spec parsing over ir
    frontend   torch, ONNX -> ir                 runtime numpy kernels, passes, Core
    notebook   the IPython extension: magics, views, comparisons
    cli        the ``ovn`` command
    top        ov_notebook/__init__.py (the public API), __main__.py, demo.py: anything

Layers on one row are siblings and do not import each other (frontend and runtime: a saved IR
runs without the frontend; opset and utils). ``utils`` imports ``ir`` only today
(``utils/input_spec.py`` parses ovc's ``x[1,3,?,?]{f32}`` into ir shapes and types), so it sits
just above ``ir``, beside ``opset``; the notebook and the cli use it.

``from ov_notebook import name`` (or ``from .. import name`` reaching the package) imports the
layer where the public API takes ``name`` from (``ov_notebook/__init__.py``: its ``from .x import``
lines and its ``_LAZY`` table): ``from . import compile_model`` in cli.py is an import of the
runtime. The package's own constants (``__version__``) may be read from anywhere. A new top-level
module or package fails until it is given a layer here.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from typing import NamedTuple

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "ov_notebook"
PACKAGE_DIR = os.path.join(ROOT, PACKAGE)

RANK = {"_plugins": 0, "ir": 1, "opset": 2, "utils": 2, "frontend": 3, "runtime": 3,
        "preprocess": 3, "notebook": 4, "cli": 5, "top": 6}
TOP_MODULES = {"__init__", "__main__", "demo"}  # ov_notebook/<name>.py in the top layer

# Third-party distributions the low layers may import (anything else there fails): the IR and
# the builders are numpy; the IR's double-precision erf takes scipy (a dependency), inside the
# function only, so building, reading and writing models never loads it; the runtime adds
# threadpoolctl (optional, imported under ``except ImportError``: holds BLAS threads in a run).
THIRD_PARTY_ALLOWED = {
    "_plugins": set(),
    "ir": {"numpy", "scipy"},
    "opset": {"numpy"},
    "utils": {"numpy"},
    "runtime": {"numpy", "scipy", "threadpoolctl"},
}
LAZY_ONLY = {"ir": {"scipy"}}  # imported inside functions only
OPTIONAL = {"threadpoolctl"}  # not a dependency: every import of it must catch ImportError
# Imported by no module of the package: real OpenVINO and ONNX Runtime are the tests' oracles.
TEST_ORACLES = {"openvino", "onnxruntime"}
# torch is imported lazily where a PyTorch model is converted or compared, never below that
# (the runtime reads torch types from ``sys.modules`` when a torch tensor is given: torch is
# loaded then, and that is no import statement).
TORCH = {"torch", "torchvision"}
TORCH_LAYERS = {"frontend", "notebook", "cli", "top"}
# The Jupyter side: the notebook layer only (the cli draws graphs with the `dot` program through
# the notebook's graph view, not with these packages). traitlets is IPython's config system.
NOTEBOOK_ONLY = {"IPython", "ipywidgets", "ipykernel", "traitlets", "graphviz", "matplotlib"}
# Inside the notebook layer, only the magics (its edge to IPython) import IPython when they load:
# views, comparisons and reports work from plain Python, and take IPython and ipywidgets inside
# the functions that display or make a widget (tests/notebook/test_without_ipython.py runs them).
LAZY_IN_NOTEBOOK = {"IPython", "ipywidgets", "ipykernel"}
NOTEBOOK_EDGE = "ov_notebook.notebook.magics"


def _module_name(path: str) -> str:
    parts = os.path.relpath(path, ROOT)[:-len(".py")].split(os.sep)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_files() -> list:
    found = []
    for directory, subdirectories, files in os.walk(PACKAGE_DIR):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        found += [os.path.join(directory, f) for f in sorted(files) if f.endswith(".py")]
    return found


def layer_of(module: str):
    """The layer of a module of the package (``ov_notebook.runtime.core`` -> ``runtime``)."""
    parts = module.split(".")
    if parts == [PACKAGE] or parts[1] in TOP_MODULES:
        return "top"
    if parts[1] == "cli":
        return "cli"
    if parts[1] in ("_plugins", "_registry", "_openmp_policy"):  # stdlib only, lowest layer
        return "_plugins"
    if parts[1] == "op" or (parts[1].startswith("opset") and parts[1][5:].isdigit()):
        return "opset"  # openvino.op and openvino.opsetN's counterparts: views of the builders
    return parts[1] if parts[1] in RANK else None


def _facade() -> dict:
    """Names of ``ov_notebook/__init__.py`` -> the module each comes from."""
    with open(os.path.join(PACKAGE_DIR, "__init__.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                source = f"{PACKAGE}.{node.module}" if node.module else f"{PACKAGE}.{alias.name}"
                names[alias.asname or alias.name] = source
        elif (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and
              any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets)):
            names.update(ast.literal_eval(node.value))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            # a constant of the package (__version__): the root module runs before any of its
            # submodules, so reading one adds no dependency
            names.update({t.id: None for t in node.targets if isinstance(t, ast.Name)})
    return names


def _from_package_root(name: str, facade: dict) -> str:
    """What ``from ov_notebook import name`` imports: a submodule, or the public API's source."""
    if os.path.exists(os.path.join(PACKAGE_DIR, name + ".py")) or \
            os.path.isdir(os.path.join(PACKAGE_DIR, name)):
        return f"{PACKAGE}.{name}"
    return facade.get(name, PACKAGE)


class Import(NamedTuple):
    line: int
    module: str
    lazy: bool = False  # inside a function: runs on first use, not when the module loads
    guarded: bool = False  # inside a ``try`` that catches ImportError


def _catches_import_error(handler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return caught is None or any(isinstance(n, ast.Name) and n.id in (
        "ImportError", "ModuleNotFoundError", "Exception") for n in names)


def _context(node, parents) -> tuple:
    """``(lazy, guarded)`` of the import statement ``node``."""
    lazy = guarded = False
    child = node
    while child in parents:
        parent = parents[child]
        lazy = lazy or isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        guarded = guarded or (isinstance(parent, ast.Try) and child in parent.body and
                              any(_catches_import_error(h) for h in parent.handlers))
        child = parent
    return lazy, guarded


def _literal_import_module(node):
    """The name in ``importlib.import_module("x")`` / ``__import__("x")``, else None."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        return None
    func = node.func
    if (isinstance(func, ast.Attribute) and func.attr == "import_module") or \
            (isinstance(func, ast.Name) and func.id in ("import_module", "__import__")):
        return node.args[0].value
    return None


def imports_of(source: str, module: str, is_package: bool, facade=None) -> list:
    """Every :class:`Import` in ``source``, in line order.

    Relative imports are resolved against ``module``; ``importlib.import_module("x")`` with a
    literal name counts as an import of ``x``.
    """
    facade = _facade() if facade is None else facade
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module
            if node.level:
                steps = package.split(".")
                base = ".".join(steps[:len(steps) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [base]
            if base == PACKAGE:
                targets = [_from_package_root(alias.name, facade) for alias in node.names]
                targets = [t for t in targets if t is not None]
        else:
            targets = [name] if (name := _literal_import_module(node)) else []
        if targets:
            lazy, guarded = _context(node, parents)
            found += [Import(node.lineno, target, lazy, guarded) for target in targets]
    return sorted(found)


def _violations_of(path: str, facade: dict) -> list:
    module = _module_name(path)
    where = os.path.relpath(path, ROOT)
    layer = layer_of(module)
    if layer is None:
        return [f"{where}: module {module} is in no layer: give "
                f"{PACKAGE}.{module.split('.')[1]} a layer in tests/test_layers.py"]
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    found = []
    for line, target, lazy, guarded in imports_of(source, module, path.endswith("__init__.py"),
                                                  facade):
        top = target.split(".")[0]
        said = f"{where}:{line}: {module} ({layer}) imports {target}"
        if top == PACKAGE:
            other = layer_of(target)
            if other is None:
                found.append(f"{said}, which is in no layer")
            elif other != layer and RANK[other] >= RANK[layer]:
                relation = "a sibling" if RANK[other] == RANK[layer] else "a higher"
                found.append(f"{said}: {other} is {relation} layer")
        elif top in sys.stdlib_module_names:
            continue
        elif top in TEST_ORACLES:
            found.append(f"{said}: {top} is a test oracle, never imported by the package")
        elif top in TORCH and layer not in TORCH_LAYERS:
            found.append(f"{said}: torch only in {', '.join(sorted(TORCH_LAYERS))}")
        elif top in NOTEBOOK_ONLY and layer != "notebook":
            found.append(f"{said}: {top} only in ov_notebook/notebook")
        elif top in LAZY_IN_NOTEBOOK and not lazy and module != NOTEBOOK_EDGE:
            found.append(f"{said}: only {NOTEBOOK_EDGE} imports {top} when it loads; import it "
                         "inside the function that needs it")
        elif layer in THIRD_PARTY_ALLOWED and top not in THIRD_PARTY_ALLOWED[layer]:
            allowed = ", ".join(sorted(THIRD_PARTY_ALLOWED[layer])) or "none"
            found.append(f"{said}: {layer} may import only these third-party packages: "
                         f"{allowed}")
        elif top in LAZY_ONLY.get(layer, ()) and not lazy:
            found.append(f"{said}: {layer} imports {top} inside functions only (on first use)")
        elif top in OPTIONAL and not guarded:
            found.append(f"{said}: {top} is optional; import it under except ImportError")
    return found


def test_every_module_imports_only_its_own_and_lower_layers():
    facade = _facade()
    files = _source_files()
    assert len(files) > 100, f"found only {len(files)} modules under {PACKAGE_DIR}"
    violations = [v for path in files for v in _violations_of(path, facade)]
    assert not violations, (f"{len(violations)} imports break the layers of DESIGN.md (see the "
                            "docstring of tests/test_layers.py):\n" + "\n".join(violations))


def test_the_import_reader_sees_lazy_relative_and_facade_imports():
    """The check above is only as good as this reader: it must see every kind of import."""
    source = textwrap.dedent("""
        import numpy as np
        from . import kernel
        from ..ir.node import Node
        from ... import compile_model, opset
        def lazy():
            import torch.nn
            from ...frontend import convert_model
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:
                pass
            return importlib.import_module("IPython.display")
    """)
    found = imports_of(source, "ov_notebook.runtime.kernels.softmax", False,
                       {"compile_model": "ov_notebook.runtime"})
    assert found == [Import(2, "numpy"), Import(3, "ov_notebook.runtime.kernels"),
                     Import(4, "ov_notebook.runtime.ir.node"),  # level 2 from runtime/kernels/x.py
                     Import(5, "ov_notebook.opset"), Import(5, "ov_notebook.runtime"),
                     Import(7, "torch.nn", True), Import(8, "ov_notebook.frontend", True),
                     Import(10, "threadpoolctl", True, True), Import(13, "IPython.display", True)]
    assert imports_of("from ..ir.node import Node", "ov_notebook.runtime.core", False,
                      {}) == [Import(1, "ov_notebook.ir.node")]
    assert imports_of("from .. import read_model", "ov_notebook.notebook", True,
                      _facade()) == [Import(1, "ov_notebook.frontend")]
    assert imports_of("from .. import __version__", "ov_notebook.runtime.core", False,
                      _facade()) == []


def test_a_violation_names_module_line_and_import(tmp_path, monkeypatch):
    bad = tmp_path / PACKAGE / "ir" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("import numpy\nimport scipy\n\n\ndef f():\n    import torch\n"
                   "    from ..runtime import Core\n    import onnx\n"
                   "    from .. import convert_model\n    import scipy.special\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", str(tmp_path))
    found = _violations_of(str(bad), {"convert_model": "ov_notebook.frontend"})
    where = os.path.join(PACKAGE, "ir", "bad.py")
    said = f"{where}:{{}}: ov_notebook.ir.bad (ir) imports"
    assert found == [
        f"{said.format(2)} scipy: ir imports scipy inside functions only (on first use)",
        f"{said.format(6)} torch: torch only in cli, frontend, notebook, top",
        f"{said.format(7)} ov_notebook.runtime: runtime is a higher layer",
        f"{said.format(8)} onnx: ir may import only these third-party packages: numpy, scipy",
        f"{said.format(9)} ov_notebook.frontend: frontend is a higher layer"]


# Run in a fresh interpreter: the test session has torch loaded already.
_LOW_LAYERS_WITHOUT_TORCH = """
import sys
import numpy as np
import ov_notebook.ir, ov_notebook.runtime, ov_notebook.opset
import ov_notebook as ov
from ov_notebook import opset as ops

heavy = ("torch", "torchvision", "onnx", "IPython", "ipywidgets", "matplotlib", "graphviz")
def loaded(when):
    found = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
    assert not found, f"{when} loaded {found[:10]}"
loaded("import ov_notebook.ir, ov_notebook.runtime, ov_notebook.opset")
x = ops.parameter([1, 3, 8, 8], np.float32, name="x")
w = ops.constant(np.ones((4, 3, 3, 3), np.float32))
y = ops.gelu(ops.convolution(x, w, [1, 1], [1, 1], [1, 1], [1, 1]))
path = sys.argv[1]
ov.save_model(ov.Model([ops.softmax(y, 1)], [x], "m"), path)
result = ov.compile_model(ov.read_model(path))(np.ones((1, 3, 8, 8), np.float32))[0]
assert result.shape == (1, 4, 8, 8), result.shape
loaded("saving, reading, compiling and running an IR")
"""


def test_ir_runtime_and_opset_run_a_model_without_loading_torch(tmp_path):
    done = subprocess.run([sys.executable, "-c", _LOW_LAYERS_WITHOUT_TORCH,
                           str(tmp_path / "m.xml")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
