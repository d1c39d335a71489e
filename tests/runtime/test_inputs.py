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
def test_narrowing_conversions_cast_as_openvino_does(given, target):
    compiled = identity_model([3], target, name="feature")
    value = np.array([0, 1.75, 300], dtype=given) if np.dtype(given).kind == "f" else \
        np.array([0, 1, 300], dtype=given)
    result = compiled(value)[0]
    assert result.dtype == target
    np.testing.assert_array_equal(result, value.astype(target))  # rounds, truncates, wraps


@pytest.mark.parametrize("value, message", [
    (np.array([np.nan, 1, 2]), "holding NaN or inf"),
    (np.array([1e30, 1, 2], np.float32), r"which holds -9223372036854775808 to .* values from"),
    (np.ones(3, np.complex64), "complex64 array of complex values"),
])
def test_floats_no_integer_holds_are_refused(value, message):
    with pytest.raises(InputError, match=rf"'feature'\) expects element type i64, .*{message}"):
        identity_model([3], np.int64, name="feature")(value)


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
def test_any_real_dtype_is_cast_to_the_input_type(given_dtype, target):
    compiled = identity_model([4], target)
    value = np.array([0, 1, 2, 3]).astype(given_dtype)
    result = compiled(value)[0]
    assert result.dtype == target
    np.testing.assert_array_equal(result, value.astype(target))


def result_model(element_type, shape=(2,)):
    x = ops.parameter(list(shape), element_type, name="x")
    return ov.compile_model(ov.Model([ops.result(x)], [x]))


@pytest.mark.parametrize("target, values, message", [
    (np.int32, [2**40, 1], r"expects i32, which holds -2147483648 to 2147483647; got values from 1 "
                           r"to 1099511627776"),
    (np.uint8, [300, 1], r"expects u8, which holds 0 to 255; got values from 1 to 300"),
    (np.uint8, [-1, 1], r"expects u8, which holds 0 to 255; got values from -1 to 1"),
    (np.int64, [-1, 2**63], r"expects i64, which holds .* to 9223372036854775807"),
    (np.int64, [2**70, 1], r"the integers from 1 to 1180591620717411303424 do not fit in 64 bits"),
    (np.int32, [1e20, 1], r"expects i32, which holds"),
    (np.int32, [float("nan"), 1], r"expects i32, got non-finite values"),
    (np.bool_, [2, 1], r"expects boolean, which holds 0 to 1; got values from 1 to 2"),
    (np.float32, [1e300, 1], r"expects f32, whose finite values lie within ±3.40282e\+38; got "
                             r"values from 1 to 1e\+300, which would overflow to inf"),
    (np.float16, [70000.0, 1], r"expects f16, whose finite values lie within ±65504; got values "
                               r"from 1 to 70000"),
    (np.float16, [2**20, 1], r"expects f16, .* overflow to inf"),
    ("bf16", [1e300, 1], r"expects bf16, whose finite values lie within ±3.38953e\+38"),
    (np.float32, ["a", "b"], r"expects f32, got non-numeric \(<U1\) values"),
    (np.float32, [1j, 0], r"expects f32, got complex values"),
])
def test_python_values_the_input_type_cannot_hold_are_refused(target, values, message):
    with pytest.raises(InputError, match=r"input 0 \('x'\):? " + message):
        result_model(target)([values])


def test_python_values_within_range_and_explicit_inf_and_nan_are_taken():
    np.testing.assert_array_equal(result_model(np.uint8, [3])([[255, 0, 1]])[0], [255, 0, 1])
    extremes = [-2**63, 2**63 - 1]
    np.testing.assert_array_equal(result_model(np.int64)([extremes])[0], extremes)
    kept = result_model(np.float16, [3])([[float("inf"), float("nan"), -float("inf")]])[0]
    assert np.isposinf(kept[0]) and np.isnan(kept[1]) and np.isneginf(kept[2])
    assert result_model(np.bool_)([[0, 1]])[0].tolist() == [False, True]


def test_bf16_inputs_take_bits_rounded_python_numbers_and_exact_conversions():
    compiled = result_model("bf16", [3])
    bits = [0x3F80, 0x4000, 0x3FC0]  # 1.0, 2.0, 1.5
    assert compiled([[1.0, 2, 1.5]])[0].tolist() == bits
    assert compiled(np.array(bits, np.uint16))[0].tolist() == bits  # raw bits, as ov.Tensor
    assert compiled(np.array([1, 2, 0], np.uint8))[0].tolist() == bits[:2] + [0]  # exact in bf16
    assert compiled(ov.Tensor(np.array([1, 2, 1.5], np.float32), type="bf16"))[0].tolist() == bits
    with pytest.raises(InputError, match=r"input 0 \('x'\) expects element type bf16, got a "
                                         r"float32 array.*ov.Tensor\(x, type='bf16'\)") as info:
        compiled(np.ones(3, np.float32))
    assert "astype" not in str(info.value)  # .astype(np.uint16) would feed integers as bf16 bits
    torch = pytest.importorskip("torch")
    assert compiled(torch.tensor([1, 2, 1.5], dtype=torch.bfloat16))[0].tolist() == bits


def test_a_bf16_tensor_fed_to_a_float_input_gives_its_values_not_its_bits():
    value = np.array([1, 2, 1.5], np.float32)
    result = result_model(np.float32, [3])(ov.Tensor(value, type="bf16"))[0]
    np.testing.assert_array_equal(result, value)


@pytest.mark.parametrize("make, message", [
    (lambda torch: torch.ones(2, device="meta"), r"a torch tensor on the meta device has only a "
                                                 r"shape, no data; expected a dense CPU tensor"),
    (lambda torch: torch.ones(2).to_sparse(), r"a torch tensor of layout torch.sparse_coo; "
                                              r"expected a dense CPU tensor with data"),
])
def test_torch_tensors_without_dense_data_are_refused(make, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(InputError, match=r"input 0 \('x'\): " + message):
        result_model(np.float32)(make(torch))


# --- ready arrays skip the checks (inputs.matching_arrays): only those to_array returns as is --
class _Subclass(np.ndarray):
    pass


def test_ready_arrays_are_taken_as_they_are_and_others_get_the_full_checks():
    from ov_notebook.runtime.inputs import input_signature, matching_arrays, prepare_inputs

    compiled = pair_model()
    signature = input_signature(compiled.inputs)
    assert signature == ((ov.Type.f32, np.dtype(np.float32), (2,)),
                         (ov.Type.i64, np.dtype(np.int64), (2,)))
    a, b = np.ones(2, np.float32), np.arange(2, dtype=np.int64)
    taken = matching_arrays(signature, (a, b))
    assert taken[0] is a and taken[1] is b
    tensor = ov.Tensor(a, shared_memory=True)  # a Tensor of the input's own type: its data
    assert matching_arrays(signature, [tensor, b])[0] is tensor.data
    not_ready = [
        [a.astype(np.float64), b],                       # dtype to convert
        [np.ones(4, np.float32)[::2], b],                # not C-contiguous
        [np.ones((1, 2), np.float32), b],                # shape to check (and refuse)
        [a.view(_Subclass), b],                          # a subclass may behave otherwise
        [a],                                             # count to check
        {"a": a, "b": b},                                # a dict goes by names
        [ov.Tensor(a.astype(np.int32)), b],              # a Tensor of another type: refused
        [ov.Tensor(np.ones((1, 2), np.float32)), b],     # a Tensor of another shape
    ]
    for inputs in not_ready:
        assert matching_arrays(signature, inputs) is None
    full = prepare_inputs(compiled.model, [a.astype(np.float64), b])
    fast = prepare_inputs(compiled.model, [a, b], signature)
    for checked, ready in zip(full, fast):
        np.testing.assert_array_equal(checked, ready)
        assert checked.dtype == ready.dtype
    with pytest.raises(InputError, match=r"input 0 \('a'\) expects rank 1"):
        compiled([np.ones((1, 2), np.float32), b])


def test_dynamic_bf16_and_packed_inputs_always_take_the_full_checks():
    from ov_notebook.runtime.inputs import input_signature

    dynamic = ops.parameter([-1, 2], np.float32, name="d")
    bf16 = ops.parameter([2], "bf16", name="h")
    packed = ops.parameter([2], "u4", name="p")
    assert input_signature([p.output(0) for p in (dynamic, bf16, packed)]) == (None,) * 3
    compiled = identity_model([-1, 2])
    with pytest.raises(InputError, match=r"input 0 \('x'\) expects rank 2"):
        compiled([np.ones(2, np.float32)])


def test_a_ready_array_becomes_the_request_input_tensor():
    compiled = identity_model([2])
    request = compiled.create_infer_request()
    x = np.array([1.0, 2.0], np.float32)
    request.infer([x])
    tensor = request.get_input_tensor(0)
    assert tensor is request.get_input_tensor(0) and tensor is request.get_tensor("x")
    assert np.shares_memory(tensor.data, x) and tensor.element_type == ov.Type.f32
    tensor.data[:] = [5.0, 6.0]  # filling the request's tensor feeds the next infer()
    assert request.infer()[0].tolist() == [5.0, 6.0]
    assert request.infer(x)[0].tolist() == [5.0, 6.0]  # x itself was the tensor's memory


def test_a_tensor_set_on_the_request_stays_its_input_tensor():
    compiled = identity_model([2])
    request = compiled.create_infer_request()
    tensor = ov.Tensor(np.array([1.0, 2.0], np.float32))
    request.set_input_tensor(tensor)
    assert request.infer()[0].tolist() == [1.0, 2.0]
    assert request.get_input_tensor(0) is tensor
    tensor.data[:] = [3.0, 4.0]
    assert request.infer()[0].tolist() == [3.0, 4.0]
    request.infer([tensor])
    assert request.get_input_tensor(0) is tensor
    with pytest.raises(InputError, match=r"input 0 \('x'\) expects element type f32, got a "
                                         r"Tensor of i32"):
        request.infer([ov.Tensor(np.array([1, 2], np.int32))])
