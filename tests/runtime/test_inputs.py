"""Input checking: clear errors naming the input; lossless conversions applied silently."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import InputError


def identity_model(shape, dtype=np.float32, name="x"):
    x = ops.parameter(shape, dtype, name=name)
    return ov.compile_model(ov.Model([ops.add(x, ops.constant(np.zeros((), dtype)))], [x]))


def pair_model():
    a = ops.parameter([2], np.float32, name="a")
    b = ops.parameter([2], np.int64, name="b")
    return ov.compile_model(ov.Model([ops.add(a, ops.convert(b, "f32"))], [a, b]))


def test_wrong_number_of_inputs_lists_them():
    compiled = pair_model()
    with pytest.raises(InputError, match=r"takes 2 inputs \(0 \('a'\), 1 \('b'\)\), got 1"):
        compiled([np.zeros(2, np.float32)])
    with pytest.raises(InputError, match="got 3"):
        compiled([np.zeros(2, np.float32), np.zeros(2, np.int64), np.zeros(2)])


def test_dict_keys_unknown_missing_and_duplicate():
    compiled = pair_model()
    a, b = np.zeros(2, np.float32), np.zeros(2, np.int64)
    with pytest.raises(InputError, match="unknown input 'c'.*no input named 'c'"):
        compiled({"a": a, "c": b})
    with pytest.raises(InputError, match=r"missing inputs: 1 \('b'\)"):
        compiled({"a": a})
    with pytest.raises(InputError, match=r"input 0 \('a'\) is given twice"):
        compiled({"a": a, 0: a, "b": b})
    with pytest.raises(InputError, match="unknown input 5"):
        compiled({5: a, "b": b})


def test_rank_and_static_dimension_errors_name_the_input():
    compiled = identity_model([2, 3], name="pixels")
    with pytest.raises(InputError, match=r"input 0 \('pixels'\) expects rank 2 .*\[2,3\].*\[6\]"):
        compiled(np.zeros(6, np.float32))
    with pytest.raises(InputError, match=r"'pixels'\) expects shape \[2,3\].*dimension 1 is 4"):
        compiled(np.zeros((2, 4), np.float32))


def test_dynamic_dimensions_accept_any_size_and_bounds_are_checked():
    compiled = identity_model(ov.PartialShape([-1, ov.Dimension(2, 4)]))
    for rows in (0, 1, 7):
        for columns in (2, 3, 4):
            assert compiled(np.ones((rows, columns), np.float32))[0].shape == (rows, columns)
    for columns in (1, 5):
        with pytest.raises(InputError, match=f"dimension 1 is {columns}, allowed 2..4"):
            compiled(np.ones((1, columns), np.float32))
    dynamic_rank = identity_model(ov.PartialShape.dynamic())
    assert dynamic_rank(np.ones((1, 2, 3, 1), np.float32))[0].shape == (1, 2, 3, 1)


@pytest.mark.parametrize("given, target", [
    (np.int32, np.int64), (np.uint8, np.float32), (np.int16, np.float32), (np.bool_, np.float32),
    (np.float16, np.float32), (np.float32, np.float64), (np.uint16, np.int32), (np.int8, np.int64),
])
def test_lossless_conversions_are_silent(given, target):
    compiled = identity_model([3], target)
    value = np.array([0, 1, 1], dtype=given)
    result = compiled(value)[0]
    assert result.dtype == target
    np.testing.assert_array_equal(result, value.astype(target))


@pytest.mark.parametrize("given, target", [
    (np.float64, np.float32), (np.int64, np.int32), (np.float32, np.int64), (np.int64, np.float32),
    (np.uint64, np.int64), (np.float32, np.float16), (np.int32, np.uint8),
])
def test_lossy_conversions_are_errors_naming_the_input(given, target):
    compiled = identity_model([3], target, name="feature")
    target_name = ov.Type(target).get_type_name()
    with pytest.raises(InputError, match=rf"'feature'\) expects element type {target_name}, got a "
                                         rf"{np.dtype(given).name} array.*without loss"):
        compiled(np.zeros(3, given))


def test_python_values_take_the_input_type():
    assert identity_model([3])([[1, 2, 3]])[0].dtype == np.float32  # a list is a list of inputs
    integers = identity_model([2], np.int64)
    np.testing.assert_array_equal(integers([[4.0, 5.0]])[0], [4, 5])
    with pytest.raises(InputError, match="non-integer values"):
        integers([[4.5, 5.0]])
    with pytest.raises(InputError, match="holding objects"):
        identity_model([2])([[object(), object()]])


def test_tensors_torch_tensors_and_non_contiguous_arrays():
    compiled = identity_model([2, 3])
    value = np.arange(6, dtype=np.float32).reshape(3, 2).T  # a transposed, non-contiguous view
    np.testing.assert_array_equal(compiled(value)[0], value)
    np.testing.assert_array_equal(compiled(ov.Tensor(value))[0], value)
    with pytest.raises(InputError, match="float64"):
        compiled(ov.Tensor(value.astype(np.float64)))
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(compiled(torch.from_numpy(np.ascontiguousarray(value)))[0], value)
    bfloat = torch.ones(2, 3, dtype=torch.bfloat16)
    np.testing.assert_array_equal(compiled(bfloat)[0], np.ones((2, 3), np.float32))


_DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint32, np.float16,
           np.float32, np.float64]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_DTYPES), st.sampled_from([np.int32, np.int64, np.float32, np.float16]))
def test_any_dtype_is_converted_exactly_or_rejected(given_dtype, target):
    compiled = identity_model([4], target)
    value = np.array([0, 1, 2, 3]).astype(given_dtype)
    try:
        result = compiled(value)[0]
    except InputError as error:
        assert not np.can_cast(given_dtype, target, casting="safe")
        assert "'x'" in str(error)
    else:
        assert np.can_cast(given_dtype, target, casting="safe")
        np.testing.assert_array_equal(result, value.astype(target))
