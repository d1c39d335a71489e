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
