"""IR written by OpenVINO with older versions of the data-movement ops (Gather-1/7, GatherND-5,
Squeeze-1, Broadcast-1, Range-1, Pad-1, OneHot-1, ScatterElementsUpdate-3, ScatterNDUpdate-3):
read here with the same inferred outputs, and run with the same results."""
import os
import tempfile

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook.ir import read_model

from .opcheck import openvino, signature
from oracle import assert_outputs_match, run_ours

I64 = np.int64


def _opset(number):
    import importlib
    return importlib.import_module(f"openvino.opset{number}")


def _const(value, dtype=I64):
    return _opset(1).constant(np.array(value, dtype))


CASES = {
    "Gather-1": (lambda x: _opset(1).gather(x, _const([2, 0]), _const(1)), [2, 3, 4]),
    "Gather-7": (lambda x: _opset(7).gather(x, _const([[2], [1]]), _const(1), 1), [2, 3, 4]),
    "GatherND-5": (lambda x: _opset(5).gather_nd(x, _const([[[0], [2]], [[1], [1]]]), 1), [2, 3, 4]),
    "Squeeze-1": (lambda x: _opset(1).squeeze(x, _const([0])), [1, 3, 4]),
    "Broadcast-1": (lambda x: _opset(1).broadcast(x, _const([2, 3, 4])), [3, 1]),
    "Broadcast-1-explicit": (lambda x: _opset(1).broadcast(x, _const([2, 3, 4]), _const([1]), "EXPLICIT"),
                             [3]),
    "Range-1": (lambda x: _opset(1).range(_const(1.0, np.float32), _const(7.0, np.float32),
                                          _const(1.5, np.float32)), [1]),
    "Pad-1": (lambda x: _opset(1).pad(x, _const([0, 1, 2]), _const([1, 0, 2]), "symmetric"), [2, 3, 4]),
    "OneHot-1": (lambda x: _opset(1).one_hot(_opset(1).convert(x, "i64"), _const(5), _const(1.0, np.float32),
                                             _const(0.0, np.float32), -1), [2, 3]),
    "ScatterElementsUpdate-3": (lambda x: _opset(3).scatter_elements_update(
        x, _const([[2, 0, 1]]), _const([[7.0, 8.0, 9.0]], np.float32), _const(1)), [2, 3]),
    "ScatterNDUpdate-3": (lambda x: _opset(4).scatter_nd_update(
        x, _const([[1]]), _const([[5.0, 6.0, 7.0]], np.float32)), [2, 3]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_openvino_ir_with_older_versions_reads_and_runs(name):
    build, shape = CASES[name]
    x = _opset(1).parameter(shape, np.float32)
    node = build(x)
    theirs = openvino.Model(node.outputs(), [x])
    path = os.path.join(tempfile.mkdtemp(prefix="ovn_older_"), "model.xml")
    openvino.save_model(theirs, path, compress_to_fp16=False)
    ours = read_model(path)
    found = [n for n in ours.get_ordered_ops() if n.get_type_name() == node.get_type_name()]
    assert len(found) == 1 and found[0].get_version() == f"opset{_written_version(path, node)}"
    assert signature(found[0]) == signature(node)
    data = (np.arange(int(np.prod(shape))) % 5).astype(np.float32).reshape(shape)
    expected = openvino.Core().compile_model(theirs, "CPU")([data])
    assert_outputs_match(run_ours(ours, [data]), [np.asarray(expected[0])])
    ov.save_model(ours, path, compress_to_fp16=False)  # and back: OpenVINO reads what we write
    assert openvino.Core().read_model(path) is not None


def _written_version(path, node):
    import re
    text = open(path).read()
    match = re.search(rf'type="{node.get_type_name()}" version="opset(\d+)"', text)
    return match.group(1)
