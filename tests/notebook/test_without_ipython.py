"""The notebook layer from plain Python with IPython and ipywidgets not installed.

Views, comparisons and reports are ordinary objects (HTML and text) and their functions raise
ordinary exceptions; only ``magics.py`` needs IPython. A fresh interpreter runs with an import
hook that refuses IPython, ipywidgets and ipykernel, as if they were not installed.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

SCRIPT = r'''
import importlib
import importlib.abc
import pkgutil
import shutil
import sys

NOT_INSTALLED = {"IPython", "ipywidgets", "ipykernel"}


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in NOT_INSTALLED:
            raise ModuleNotFoundError(f"No module named {name!r} (the test hides it)", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
sys.path.insert(0, sys.argv[1])  # tests/notebook, for synthetic.py

import numpy as np

import ov_notebook as ov
import ov_notebook.notebook as notebook
from synthetic import nested_io

# every module of the layer imports, but the magics: the one edge to IPython
for module in pkgutil.walk_packages(notebook.__path__, "ov_notebook.notebook."):
    if module.name != "ov_notebook.notebook.magics":
        importlib.import_module(module.name)
try:
    importlib.import_module("ov_notebook.notebook.magics")
except ImportError:
    pass
else:
    raise AssertionError("magics imported without IPython: the import hook does not hide it")

from ov_notebook.notebook import compare, conversion, inference
from ov_notebook.notebook.errors import NotebookError
from ov_notebook.notebook.infer_report import run_infer
from ov_notebook.notebook.views.graph import GraphView
from ov_notebook.notebook.views.signature import SignatureView

model = nested_io()
signature = SignatureView(model)
assert "class='ovn-signature'" in signature._repr_html_()
assert "b[1][0]" in repr(signature) and "original outputs structure:" in repr(signature)

graph = GraphView(model)
assert 'subgraph "cluster_mix#1"' in graph.to_dot() and "u4 -> u5;" in graph.to_dot()
drawn = graph.mimebundle()  # an SVG image with graphviz's `dot`, an outline of the graph without
assert ("image/svg+xml" in drawn) == (shutil.which("dot") is not None), drawn["text/plain"]
assert "module  mix" in repr(graph)

x = np.ones((2, 3), np.float32)
report = run_infer(model, (x, (x, (x,))))
np.testing.assert_array_equal(report.outputs['["sum"]'], np.full((2, 3), 3, np.float32))
assert "class='ovn-outputs'" in report._repr_html_() and '["parts"][0]' in repr(report)
assert compare.compare_leaf("y", x, x + 1e-6, atol=1e-4, rtol=1e-3).passed

path = sys.argv[2]
ov.save_model(model, path)
converted = conversion.convert(path, label="path")
assert converted.route == "ir" and converted.op_counts == {"Add": 2, "Relu": 1}
assert "class='ovn-signature'" in converted._repr_html_() and "route" in repr(converted)


def raises(kind, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except kind as error:
        assert isinstance(error, NotebookError), type(error)
        return error
    raise AssertionError(f"{call.__name__} raised no {kind.__name__}")


error = raises(TypeError, inference.compiled_for, 5)
assert str(error) == ("MODEL must be a converted Model, a CompiledModel or a path to an IR .xml, "
                      "got int"), error
error = raises(ValueError, run_infer, model, (x,))
assert str(error).startswith("the input does not have the structure the model was converted "
                             "with: expected arguments (x, b)"), error
assert error.usage("infer").startswith("%infer: the input does not have"), error.usage("infer")
error = raises(ValueError, conversion.convert, path[:-4] + "_missing.xml", label="missing")
assert error.usage("convert").startswith("%convert missing: "), error.usage("convert")

loaded = sorted(m for m in sys.modules if m.partition(".")[0] in NOT_INSTALLED | {"torch"})
assert not loaded, loaded
'''


def test_views_reports_and_errors_work_without_ipython(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, HERE, str(tmp_path / "nested.xml")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
