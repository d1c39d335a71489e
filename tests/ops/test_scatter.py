"""ScatterUpdate-3, ScatterElementsUpdate-3/12, ScatterNDUpdate-3/15 against real OpenVINO.

Indices never repeat where no reduction combines them: OpenVINO leaves that order unspecified.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ov_notebook import opset as ops
from ov_notebook.ir import get_op_class

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

I64 = np.int64
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3)


def _data(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).integers(-5, 6, size=shape).astype(dtype)


def _unique_positions(data, length, count, negative):
    positions = data.draw(st.lists(st.integers(0, length - 1), min_size=count, max_size=count,
                                   unique=True))
    return [p - length if negative and data.draw(st.booleans()) else p for p in positions]


@settings(max_examples=25, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from([np.float32, np.int32]))
def test_scatter_update_matches_openvino(shape, data, dtype):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    length = shape[axis]
    count = data.draw(st.integers(1, length))
    index_shape = data.draw(st.sampled_from([[count], [1, count]]))
    # non-negative, non-scalar: OpenVINO 2026's CPU plugin rejects negative and scalar indices
    indices = np.array(_unique_positions(data, length, count, False), I64).reshape(index_shape)
    normalized = axis % len(shape)
    updates_shape = shape[:normalized] + list(indices.shape) + shape[normalized + 1:]
    compare_with_openvino(lambda d, i, u: ops.scatter_update(d, i, u, np.array(axis, I64)),
                          [_data(shape, dtype), indices, _data(updates_shape, dtype, 1)])


@settings(max_examples=40, deadline=None)
@given(shape=shapes, data=st.data(), reduction=st.sampled_from(["none", "sum", "prod", "min", "max", "mean"]),
       use_init_val=st.booleans(), dtype=st.sampled_from([np.float32, np.int32]), v3=st.booleans())
def test_scatter_elements_update_matches_openvino(shape, data, reduction, use_init_val, dtype, v3):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = [data.draw(st.integers(1, d)) for d in shape]
    length = shape[axis]
    rng = np.random.default_rng(length)
    if reduction == "none" or v3:  # distinct targets along the axis
        index_shape[axis] = min(index_shape[axis], length)
        choice = np.argsort(rng.random(index_shape), axis=axis) % length
        indices = np.where(rng.random(index_shape) < 0.5, choice - length, choice)
    else:
        indices = rng.integers(-length, length, size=index_shape)
    inputs = [_data(shape, dtype), indices.astype(I64), _data(index_shape, dtype, 1)]
    if v3:
        scatter3 = get_op_class("ScatterElementsUpdate", "opset3")
        compare_with_openvino(lambda d, i, u: scatter3(d, i, u, ops.constant(np.array(axis, I64))), inputs)
    else:
        compare_with_openvino(lambda d, i, u: ops.scatter_elements_update(
            d, i, u, np.array(axis, I64), reduction, use_init_val), inputs)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, data=st.data(), reduction=st.sampled_from([None, "sum", "sub", "prod", "min", "max"]),
       dtype=st.sampled_from([np.float32, np.int32, np.bool_]), v3=st.booleans())
def test_scatter_nd_update_matches_openvino(shape, data, reduction, dtype, v3):
    depth = data.draw(st.integers(1, len(shape)))
    cells = [np.unravel_index(k, shape[:depth]) for k in range(int(np.prod(shape[:depth])))]
    count = data.draw(st.integers(1, 4))
    if reduction is None or v3:
        count = min(count, len(cells))
        chosen = data.draw(st.permutations(range(len(cells))))[:count]
    else:
        chosen = [data.draw(st.integers(0, len(cells) - 1)) for _ in range(count)]
    indices = np.array([cells[k] for k in chosen], I64).reshape(count, depth)
    indices = np.where(np.random.default_rng(count).random(indices.shape) < 0.5,
                       indices - np.array(shape[:depth]), indices)
    updates = _data([count] + shape[depth:], dtype, 1)
    inputs = [_data(shape, dtype), indices, updates]
    if v3:
        scatter3 = get_op_class("ScatterNDUpdate", "opset4")
        compare_with_openvino(lambda d, i, u: scatter3(d, i, u), inputs)
    else:
        compare_with_openvino(lambda d, i, u: ops.scatter_nd_update(d, i, u, reduction), inputs)


def test_integer_mean_truncates_toward_zero_like_openvino():
    data, indices = np.array([1, -7, 3, 4], np.int32), np.array([1, 0, 2, 3, 3], I64)
    updates = np.array([2, -4, 5, 5, 6], np.int32)
    for use_init_val in (True, False):
        def build(d, i, u, use_init_val=use_init_val):
            return ops.scatter_elements_update(d, i, u, np.array(0, I64), "mean", use_init_val)

        ours = compare_with_openvino(build, [data, indices, updates])
    np.testing.assert_array_equal(ours[0], [-4, 2, 5, 5])


@pytest.mark.parametrize("build, shapes", [
    (lambda o, d, i, u: o.scatter_update(d, i, u, np.array(1, I64)),
     [("[2,?,4]", np.float32), ("[3]", I64), ("[2,3,4]", np.float32)]),
    (lambda o, d, i, u: o.scatter_elements_update(d, i, u, np.array(-1, I64), "sum"),
     [("[...]", np.float32), ("[2,3]", I64), ("[2,3]", np.float32)]),
    (lambda o, d, i, u: o.scatter_nd_update(d, i, u, "max"),
     [("[2..5,?,4]", np.float32), ("[?,2]", I64), ("[?,4]", np.float32)]),
])
def test_inference_matches_openvino(build, shapes):
    assert_same_inference(build, *shapes)


def test_scatter_on_shape_vectors_keeps_known_dimensions():
    """``shape[1] = 64`` on a partly known shape, as converted PyTorch code does."""
    x = ops.parameter("[?,128,768]", np.float32)
    for node in (ops.scatter_update(ops.shape_of(x), np.array([2], I64), np.array([64], I64),
                                    np.array(0, I64)),
                 ops.scatter_nd_update(ops.shape_of(x), np.array([[2]], I64), np.array([64], I64))):
        assert [str(d) for d in node.output(0)._desc.dims_value] == ["?", "128", "64"]
        assert str(ops.reshape(x, node, False).get_output_partial_shape(0)) == "[?,128,64]"


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3], np.float32)
    i = ops.parameter([2], I64)
    assert_rejected(lambda: ops.scatter_update(x, i, ops.parameter([2, 2], np.float32), 0), "updates")
    assert_rejected(lambda: ops.scatter_update(x, i, ops.parameter([2, 3], np.int32), 0), "element type")
    assert_rejected(lambda: ops.scatter_update(x, ops.parameter([2], np.float32), x, 0), "integer")
    assert_rejected(lambda: ops.scatter_update(x, i, x, 2), "out of range")
    assert_rejected(lambda: ops.scatter_elements_update(x, ops.parameter([2, 3], I64),
                                                        ops.parameter([2, 2], np.float32), 0), "same shape")
    assert_rejected(lambda: ops.scatter_elements_update(x, i, ops.parameter([2], np.float32), 0), "rank")
    assert_rejected(lambda: ops.scatter_elements_update(x, i, i, 0, "avg"), "must be one of")
    assert_rejected(lambda: ops.scatter_nd_update(x, ops.parameter([2, 3], I64),
                                                  ops.parameter([2], np.float32)), "address 3")
    assert_rejected(lambda: ops.scatter_nd_update(x, ops.parameter([2, 1], I64),
                                                  ops.parameter([2, 2], np.float32)), "updates")


@pytest.mark.parametrize("build, shapes", [
    (lambda o, d, i, u: o.scatter_update(d, i, u, np.array(1, I64)),
     [("[2,3]", np.float32), ("[2]", I64), ("[2,2]", np.float32)]),
    (lambda o, d, i, u: o.scatter_elements_update(d, i, u, np.array(1, I64), "mean", False),
     [("[2,3]", np.float32), ("[2,2]", I64), ("[2,2]", np.float32)]),
    (lambda o, d, i, u: o.scatter_nd_update(d, i, u, "sub"),
     [("[2,3]", np.float32), ("[2,1]", I64), ("[2,3]", np.float32)]),
])
def test_round_trip(build, shapes):
    assert_round_trip(build, *shapes)
