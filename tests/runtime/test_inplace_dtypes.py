"""In-place steps write into dead buffers only when the result has the buffer's dtype."""
import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops

COMPARISONS = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]


@pytest.mark.parametrize("builder", COMPARISONS)
def test_comparison_of_a_dead_float_buffer_stays_boolean(builder):
    # Convert makes a fresh f32 buffer that dies at the comparison: the plan offers it as out=
    x = ops.parameter([4], ov.Type.i64, name="x")
    compared = getattr(ops, builder)(ops.convert(x, "f32"), np.array([1.5, 2, 3, 4], np.float32))
    result = ov.compile_model(ov.Model([compared], [x]))(np.array([1, 2, 5, 4]))[0]
    expected = getattr(np, builder)(np.array([1, 2, 5, 4], np.float32),
                                    np.array([1.5, 2, 3, 4], np.float32))
    assert result.dtype == np.bool_
    np.testing.assert_array_equal(result, expected)


def test_logical_ops_may_reuse_boolean_buffers():
    x = ops.parameter([3], ov.Type.boolean, name="x")
    y = ops.logical_and(ops.logical_not(x), np.array([True, False, True]))
    result = ov.compile_model(ov.Model([y], [x]))(np.array([False, False, True]))[0]
    np.testing.assert_array_equal(result, [True, False, False])


def _reshape(value, shape):
    return ops.reshape(value, ops.constant(np.array(shape, np.int64)), False)


@pytest.mark.parametrize("backend", ["numpy", "onednn"])
def test_a_dead_buffer_that_a_live_view_reads_is_not_written_in_place(backend):
    # relu's buffer dies at the Add, which may write in place, while the Reshape's view of it
    # (a result) and the Split's views of it (read by the Multiply after) are still live
    x = ops.parameter([4], np.float32, name="x")
    fresh = ops.relu(x)
    view = _reshape(fresh, [2, 2])
    halves = ops.split(fresh, ops.constant(np.array(0, np.int64)), 2)
    added = ops.add(fresh, np.ones(4, np.float32))
    later = ops.multiply(halves.output(1), ops.split(added, ops.constant(np.array(0, np.int64)),
                                                     2).output(0))
    compiled = ov.compile_model(ov.Model([added, later, view], [x]), "CPU",
                                {"KERNEL_BACKEND": backend})
    order = [s.node.get_type_name() for s in compiled._plan.plan.steps]
    assert order.index("Reshape") < order.index("Add") and order.index("Split") < \
        order.index("Add") < order.index("Multiply"), order
    value = np.array([-1, 2, -3, 4], np.float32)
    for _ in range(2):  # the second run reuses nothing of the first
        added_out, later_out, view_out = compiled(value).values()
        np.testing.assert_array_equal(view_out, [[0, 2], [0, 4]])
        np.testing.assert_array_equal(added_out, [1, 3, 1, 5])
        np.testing.assert_array_equal(later_out, [0 * 1, 4 * 3])
