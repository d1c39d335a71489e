"""``ov_notebook.opset`` is plain code that grep and an IDE can follow: every builder is a
``@builder`` ``def`` with a docstring in its family module (``opset/_<family>.py``), imported by
name in ``opset/__init__.py`` and listed in its literal ``__all__``; nothing in ``ir/`` or
``opset/`` creates names through ``globals()``. The builders' parameter names are OpenVINO's."""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
from pathlib import Path

import pytest

import ov_notebook
from ov_notebook import opset as ops

PACKAGE = Path(ov_notebook.__file__).parent
OPSET = PACKAGE / "opset"
HELPERS = {"as_node", "as_nodes"}  # exported like openvino.utils' helpers; not op builders


def _top_level_defs(path: Path) -> dict:
    """name -> ast.FunctionDef for the public functions defined at the top of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {node.name: node for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}


def _family_modules() -> list:
    # _versions.py derives ov_notebook.opset1 ... opset16 from the builders; it defines none
    return sorted(path for path in OPSET.glob("_*.py") if path.name not in ("__init__.py",
                                                                            "_base.py",
                                                                            "_versions.py"))


def _builder_definitions() -> dict:
    """builder name -> [(module file name, ast.FunctionDef)], over every family module."""
    found: dict = {}
    for path in _family_modules():
        for name, node in _top_level_defs(path).items():
            found.setdefault(name, []).append((path.name, node))
    return found


def _is_builder_decorator(decorator) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "builder"


def test_all_is_a_literal_list_without_duplicates():
    tree = ast.parse((OPSET / "__init__.py").read_text(encoding="utf-8"))
    assignments = [node for node in tree.body if isinstance(node, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)]
    assert len(assignments) == 1, "__all__ is assigned once"
    listed = ast.literal_eval(assignments[0].value)  # raises unless it is a literal
    assert isinstance(listed, list) and listed == ops.__all__
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    assert not duplicates, f"listed twice in __all__: {duplicates}"


def test_all_is_every_public_callable_of_the_package():
    public = {name for name, value in vars(ops).items()
              if not name.startswith("_") and callable(value) and not inspect.ismodule(value)}
    assert set(ops.__all__) == public, (
        f"in __all__ only: {sorted(set(ops.__all__) - public)}; "
        f"public but not in __all__: {sorted(public - set(ops.__all__))}")


def test_init_imports_each_name_explicitly():
    tree = ast.parse((OPSET / "__init__.py").read_text(encoding="utf-8"))
    imported = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1 and node.module.startswith("_"), ast.unparse(node)
            assert all(alias.name != "*" for alias in node.names), ast.unparse(node)
            imported += [alias.asname or alias.name for alias in node.names]
    assert sorted(imported) == sorted(ops.__all__)


@pytest.mark.parametrize("name", sorted(set(ops.__all__) - HELPERS))
def test_every_builder_is_a_documented_def_in_its_family_module(name):
    definitions = _builder_definitions().get(name, [])
    assert len(definitions) == 1, (
        f"{name} must be defined (def) in exactly one opset/_<family>.py module, found in "
        f"{[module for module, _ in definitions]}")
    module, node = definitions[0]
    assert any(_is_builder_decorator(d) for d in node.decorator_list), (
        f"{module}: {name} is not decorated with @builder")
    assert ast.get_docstring(node), f"{module}: {name} has no docstring"
    builder = getattr(ops, name)
    assert builder.__module__ == f"ov_notebook.opset.{module[:-3]}"
    assert builder.__name__ == name


def test_the_helpers_are_defs_in_base():
    defined = _top_level_defs(OPSET / "_base.py")
    assert HELPERS <= set(defined)
    assert all(ast.get_docstring(defined[name]) for name in HELPERS)


def test_every_public_def_of_a_family_module_is_exported():
    forgotten = sorted(set(_builder_definitions()) - set(ops.__all__))
    assert not forgotten, f"defined in opset/_<family>.py but not in ov_notebook.opset: {forgotten}"


def _globals_uses(path: Path) -> list:
    """Lines of ``path`` that call ``globals()`` (``globals()[name] = ...``, ``.update``...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "globals"]


@pytest.mark.parametrize("folder", ["ir", "opset"])
def test_no_names_are_made_through_globals(folder):
    uses = {str(path.relative_to(PACKAGE)): lines
            for path in sorted((PACKAGE / folder).rglob("*.py"))
            if (lines := _globals_uses(path))}
    assert not uses, f"globals() used (define the names explicitly instead): {uses}"


# --- against OpenVINO's own builders -----------------------------------------------------------

# our builder -> why its parameter names are not those of the newest openvino.opsetN builder
KNOWN_DIFFERENCES = {
    "constant": "openvino's constant is overloaded (value, dtype, name, *, shared_memory) or "
                "(tensor, shared_memory, name): its signature reads (*args, **kwargs)",
    "read_value": "openvino's read_value is overloaded ((init_value,) variable_id, variable_type, "
                  "variable_shape, name) or ((init_value,) ov_variable, name): no signature",
    "assign": "openvino's assign is overloaded (new_value, variable_id|ov_variable, name): no "
              "signature",
}
# our builders that no openvino.opsetN module has
NOT_IN_OPENVINO = {
    "reverse": "OpenVINO has the Reverse-1 operation but no Python builder for it",
}


@functools.cache
def _newest_openvino_builders() -> dict:
    """name -> (N, function) of the newest ``openvino.opsetN`` that has each builder."""
    pytest.importorskip("openvino")
    newest: dict = {}
    version = 1
    while True:
        try:
            module = importlib.import_module(f"openvino.opset{version}")
        except ImportError:
            break
        for name in dir(module):
            if not name.startswith("_") and callable(getattr(module, name)):
                newest[name] = (version, getattr(module, name))
        version += 1
    assert version > 15, "openvino has opset15 or newer"
    return newest


def test_our_builders_exist_in_openvino():
    theirs = _newest_openvino_builders()
    missing = {name for name in set(ops.__all__) - HELPERS if name not in theirs}
    assert missing == set(NOT_IN_OPENVINO), (
        f"not in openvino.opsetN: {sorted(missing)}; NOT_IN_OPENVINO lists "
        f"{sorted(NOT_IN_OPENVINO)}")


def _parameter_names(function) -> list:
    if isinstance(function, type):  # a pybind op class (loop, if_op): its longest constructor
        overloads = re.findall(r"__init__\(self: [^,)]+((?:, \w+: [^,)]+)*)\)", function.__init__.__doc__)
        longest = max(overloads, key=lambda text: text.count(","))
        return re.findall(r", (\w+):", longest) + ["name"]  # ours take a name as every builder
    return [parameter.name for parameter in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("name", sorted(set(ops.__all__) - HELPERS - set(NOT_IN_OPENVINO)))
def test_parameter_names_are_openvinos(name):
    version, theirs = _newest_openvino_builders()[name]
    try:
        reference = _parameter_names(theirs)
    except ValueError:  # an overloaded builder (pybind11) has no signature
        reference = None
    ours = _parameter_names(getattr(ops, name))
    if name in KNOWN_DIFFERENCES:
        assert ours != reference, f"{name} now matches openvino.opset{version}: drop it from " \
                                  "KNOWN_DIFFERENCES"
        return
    assert ours == reference, f"{name}{tuple(ours)} vs openvino.opset{version}.{name}" \
                              f"{tuple(reference)}"
