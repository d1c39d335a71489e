"""What shape inference knows of an output's value: Output.get_known_value / get_known_dims."""
import pathlib

import numpy as np
import pytest

from ov_notebook import opset as ops


def test_a_constant_knows_its_value():
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    known = ops.constant(data).output(0).get_known_value()
    np.testing.assert_array_equal(known, data)
    assert known.dtype == np.float32


def test_shape_subgraphs_of_static_shapes_are_known():
    x = ops.parameter([2, 3, 5], np.float32)
    shape = ops.shape_of(x)
    assert shape.output(0).get_known_value().tolist() == [2, 3, 5]
    assert [d.get_length() for d in shape.output(0).get_known_dims()] == [2, 3, 5]
    last = ops.gather(shape, ops.constant(np.int64(2)), ops.constant(np.int64(0)))
    assert last.output(0).get_known_value().tolist() == 5
    assert last.output(0).get_known_value().dtype == np.int64


def test_a_partly_dynamic_shape_has_known_dims_but_no_value():
    x = ops.parameter([-1, 3, 5], np.float32)
    shape = ops.shape_of(x).output(0)
    assert shape.get_known_value() is None
    assert [str(d) for d in shape.get_known_dims()] == ["?", "3", "5"]
    tail = ops.gather(shape, ops.constant(np.array([1, 2])), ops.constant(np.int64(0)))
    assert tail.output(0).get_known_value().tolist() == [3, 5]


def test_a_parameter_is_unknown():
    x = ops.parameter([2, 3], np.float32).output(0)
    assert x.get_known_value() is None and x.get_known_dims() is None


def test_callers_cannot_change_the_graph_through_them():
    constant = ops.constant(np.array([1, 2, 3], dtype=np.int64))
    known = constant.output(0).get_known_value()
    assert not known.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        known[0] = 7
    dims = ops.shape_of(ops.parameter([-1, 4], np.float32)).output(0).get_known_dims()
    dims.append(None)
    assert constant.get_data().tolist() == [1, 2, 3]
    assert len(ops.shape_of(ops.parameter([-1, 4], np.float32)).output(0).get_known_dims()) == 2


def test_only_the_ir_reads_private_output_descriptions():
    package = pathlib.Path(__file__).resolve().parents[2] / "ov_notebook"
    readers = [str(path.relative_to(package.parent)) for path in sorted(package.rglob("*.py"))
               if path.relative_to(package).parts[0] != "ir" and "._desc" in path.read_text(encoding="utf-8")]
    assert readers == [], "use Output.get_known_value() / get_known_dims() instead of ._desc"
