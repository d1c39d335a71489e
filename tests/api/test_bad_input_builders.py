"""Op builders (``ov_notebook.opset``) given bad arguments: a typed error that names the builder (or
the op), the argument and what was expected; never an error from inside numpy, never a value
that is silently wrapped, truncated or replaced by a default."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import get_op_class
from ov_notebook.ir.errors import OpValidationError

TYPED = (OpValidationError, TypeError, ValueError)


def f32(shape, name="x"):
    return ops.parameter(shape, np.float32, name=name)


def i32(shape, name="i"):
    return ops.parameter(shape, np.int32, name=name)


def boolean(shape, name="b"):
    return ops.parameter(shape, np.bool_, name=name)


# (what is built, the error type, a regex the message must match)
CASES = {
    # values that cannot become constants: named by builder and argument
    "None operand": (lambda: ops.add(f32([2]), None), TypeError,
                     r"add\(\): argument 'right_node' is required, got None"),
    "string operand": (lambda: ops.multiply(f32([2]), "2"), TypeError,
                       r"multiply\(\): argument 'right_node': expected a node, an output, a "
                       r"number.*got str '2'"),
    "string for a boolean": (lambda: ops.logical_and(boolean([2]), "yes"), TypeError,
                             r"logical_and\(\): argument 'right_node'.*got str"),
    "dict operand": (lambda: ops.relu({"a": 1}), TypeError, r"relu\(\): argument 'node'.*dict"),
    "object array": (lambda: ops.exp(np.array([object()])), TypeError,
                     r"exp\(\): argument 'node'.*non-numeric objects"),
    "complex array": (lambda: ops.abs(np.array([1j])), TypeError,
                      r"abs\(\): argument 'node'.*complex numbers"),
    "ragged list": (lambda: ops.add(f32([2]), [[1], [2, 3]]), ValueError,
                    r"add\(\): argument 'right_node'.*ragged list"),
    "int beyond 64 bits": (lambda: ops.constant(2**70), ValueError,
                           r"constant\(\): argument 'value': integer 1180591620717411303424 does "
                           r"not fit in 64 bits"),
    "list item of concat": (lambda: ops.concat([f32([2]), "x"], 0), TypeError,
                            r"concat\(\): argument 'nodes'\[1\]"),
    "concat of a node": (lambda: ops.concat(f32([2]), 0), TypeError,
                         r"concat\(\): argument 'nodes': expected a list of nodes, got Parameter"),
    "einsum of an int": (lambda: ops.einsum(5, "i->i"), TypeError,
                         r"einsum\(\): argument 'inputs': expected a list of nodes, got int"),
    "strides not a list": (lambda: ops.convolution_backprop_data(
        f32([1, 4, 8, 8]), np.ones((4, 3, 3, 3), np.float32), 1), TypeError,
        r"convolution_backprop_data\(\): argument 'strides': expected a list of integers"),
    "unknown element type": (lambda: ops.convert(f32([2]), "f17"), TypeError,
                             r"convert\(\): argument 'destination_type': unknown element type "
                             r"'f17'; expected one of"),
    # Python numbers that would not keep their value in the other operand's type
    "int32 + 2**40": (lambda: ops.add(i32([2]), 2**40), ValueError,
                      r"add\(\): argument 'right_node': 1099511627776 does not fit in i32"),
    "int32 * 0.5": (lambda: ops.multiply(i32([2]), 0.5), ValueError,
                    r"0.5 is not an integer, but the other operand is i32"),
    "f16 + 1e6": (lambda: ops.add(ops.parameter([2], np.float16), 1e6), ValueError,
                  r"1000000.0 overflows f16"),
    "bool and 5": (lambda: ops.logical_or(boolean([2]), 5), ValueError,
                   r"5 is not a boolean \(0 or 1\)"),
    "constant 300 as u8": (lambda: ops.constant(300, np.uint8), ValueError,
                           r"constant\(\): argument 'value': 300 does not fit in u8"),
    "constant -1 as u32": (lambda: ops.constant([1, -1], np.uint32), ValueError,
                           r"does not fit in u32"),
    "constant 2.5 as i64": (lambda: ops.constant(2.5, np.int64), ValueError,
                            r"2.5 is not an integer"),
    # None for an attribute the builder requires is refused, not replaced by a default
    "softmax axis None": (lambda: ops.softmax(f32([2, 3]), None), TypeError,
                          r"softmax\(\): argument 'axis' is required, got None"),
    "depth_to_space mode None": (lambda: ops.depth_to_space(f32([1, 4, 2, 2]), None), TypeError,
                                 r"depth_to_space\(\): argument 'mode' is required"),
    "mvn eps None": (lambda: ops.mvn(f32([1, 3]), [1], True, None, "inside_sqrt"), TypeError,
                     r"mvn\(\): argument 'eps' is required"),
    "clamp min None": (lambda: ops.clamp(f32([2]), None, 1.0), TypeError,
                       r"clamp\(\): argument 'min_value' is required"),
    "einsum equation None": (lambda: ops.einsum([f32([2])], None), TypeError,
                             r"einsum\(\): argument 'equation' is required"),
    # attribute values the op specification rejects
    "bogus enum": (lambda: ops.interpolate(f32([1, 1, 4, 4]), np.array([2., 2.], np.float32),
                                           "bogus", "scales", axes=[2, 3]), OpValidationError,
                   r"Interpolate: attribute 'mode' must be one of nearest, linear.*got 'bogus'"),
    "num_splits 0": (lambda: ops.split(f32([4]), 0, 0), OpValidationError,
                     r"Split .*num_splits must be positive, got 0"),
    "num_splits not dividing": (lambda: ops.split(f32([4]), 0, 3), OpValidationError,
                                r"dimension 0 of \[4\] \(4\) is not divisible by num_splits 3"),
    "num_splits huge on a dynamic axis": (lambda: ops.split(f32([-1]), 0, 2**40),
                                          OpValidationError, r"num_splits 1099511627776 is more "
                                          r"outputs than an operation can have"),
    "num_splits beyond a bounded axis": (lambda: ops.split(f32([(2, 5)]), 0, 8),
                                         OpValidationError, r"num_splits 8 is larger than "
                                         r"dimension 0 .*at most 5"),
    "stride 0": (lambda: ops.max_pool(f32([1, 3, 8, 8]), [0, 1], [1, 1], [0, 0], [0, 0], [2, 2]),
                 OpValidationError, r"MaxPool .*strides"),
    "kernel 0": (lambda: ops.avg_pool(f32([1, 3, 8, 8]), [1, 1], [0, 0], [0, 0], [0, 2], True),
                 OpValidationError, r"AvgPool .*kernel"),
    "negative group": (lambda: ops.shuffle_channels(f32([1, 4, 2, 2]), 1, -2), OpValidationError,
                       r"group must be at least 1, got -2"),
    "strided_slice mask 2": (lambda: ops.strided_slice(f32([4]), [0], [2], [1], [2], [0]),
                             OpValidationError, r"begin_mask must hold only 0 and 1, got \[2\]"),
    "strided_slice mask -1": (lambda: ops.strided_slice(f32([4]), [0], [2], [1], [0], [0],
                                                        shrink_axis_mask=[-1]),
                              OpValidationError, r"shrink_axis_mask must hold only 0 and 1"),
    "axis out of range": (lambda: ops.softmax(f32([2, 3]), 2), OpValidationError,
                          r"Softmax .*axis 2 is out of range for rank 2 \(expected \[-2, 1\]\)"),
    "string attribute where an int is expected": (lambda: ops.concat([f32([2]), f32([2])], "0"),
                                                  OpValidationError,
                                                  r"Concat: attribute 'axis' must be an integer, "
                                                  r"got '0'"),
    "f32 + i64": (lambda: ops.add(f32([2]), ops.parameter([2], np.int64)), OpValidationError,
                  r"Add .*same element type"),
    "matmul scalar": (lambda: ops.matmul(f32([]), f32([2]), False, False), OpValidationError,
                      r"MatMul .*must not be scalars"),
    "matmul mismatch": (lambda: ops.matmul(f32([2, 3]), f32([4, 5]), False, False),
                        OpValidationError, r"MatMul"),
    "unknown attribute": (lambda: get_op_class("Softmax")(f32([2]), axis=0, bogus=1),
                          OpValidationError, r"Softmax has no attribute\(s\) bogus"),
    "required attribute given as None": (lambda: get_op_class("Split")(
        f32([4]), ops.constant(0), num_splits=None), OpValidationError,
        r"Split requires attribute 'num_splits' \(got None\)"),
    "gather_nd scalar indices": (lambda: ops.gather_nd(f32([4, 6]), 0), OpValidationError,
                                 r"GatherND .*data and indices must not be scalars"),
    "clamp of booleans": (lambda: ops.clamp(boolean([2]), 0.0, 1.0), OpValidationError,
                          r"Clamp .*input must be numeric, got boolean"),
    "gelu of integers": (lambda: ops.gelu(i32([2])), OpValidationError,
                         r"Gelu .*must be a floating-point tensor, got i32"),
    "swish of booleans": (lambda: ops.swish(boolean([2])), OpValidationError,
                          r"Swish .*must be a floating-point tensor, got boolean"),
    "selu alpha of another type": (lambda: ops.selu(f32([2]), np.array([1], np.int64),
                                                    np.float32(1)), OpValidationError,
                                   r"Selu .*data, alpha and lambda must have the same element type"),
    "selu alpha of four values": (lambda: ops.selu(f32([2]), np.ones((2, 2), np.float32),
                                                   np.float32(1)), OpValidationError,
                                  r"alpha \(input 1\) must hold one value, got shape \[2,2\]"),
    "reshape to a wrong count": (lambda: ops.reshape(f32([2, 3]), [4, 2], False),
                                 OpValidationError, r"cannot reshape \[2,3\] \(6 elements\)"),
}


@pytest.mark.parametrize("build, error, message", CASES.values(), ids=CASES.keys())
def test_bad_builder_arguments(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_explicit_none_for_an_optional_argument_is_its_default():
    x = f32([2, 3])
    assert ops.squeeze(ops.parameter([1, 3], np.float32), None).get_output_partial_shape(0) == [3]
    pool = ops.avg_pool(f32([1, 3, 4, 4]), [1, 1], [0, 0], [0, 0], [2, 2], True, auto_pad=None)
    assert pool.get_attributes()["auto_pad"] == "explicit"
    assert ops.split(x, 1, 3).get_output_size() == 3
    assert ops.parameter(None).get_output_partial_shape(0).rank.is_dynamic


def test_python_numbers_that_fit_still_take_the_operands_type():
    assert ops.add(i32([2]), 2.0).input_value(1).get_element_type() == ov.Type.i32
    assert ops.add(ops.parameter([2], np.float16), 1).input_value(1).get_element_type() == \
        ov.Type.f16
    assert ops.logical_and(boolean([2]), True).input_value(1).get_element_type() == ov.Type.boolean
    # a numpy array keeps its own dtype; numpy arrays are converted as numpy converts them
    assert ops.constant(np.array([300]), np.uint8).get_data().tolist() == [44]
    # so do other array-likes (ov.Tensor, torch tensors)
    assert ops.constant(ov.Tensor(np.ones(2))).get_output_element_type(0) == ov.Type.f64
    torch = pytest.importorskip("torch")
    assert ops.constant(torch.ones(2)).get_output_element_type(0) == ov.Type.f32
    with pytest.raises(TypeError, match=r"constant\(\): argument 'value': cannot read Tensor as "
                                        r"an array: .*requires grad"):
        ops.constant(torch.ones(2, requires_grad=True))


def _required_arguments():
    for name in ops.__all__:
        builder = getattr(ops, name)
        if name in ("as_node", "as_nodes"):
            continue
        for parameter in inspect.signature(builder).parameters.values():
            if parameter.default is inspect.Parameter.empty and parameter.kind in (
                    parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                if (name, parameter.name) != ("parameter", "shape"):
                    yield name, parameter.name


@pytest.mark.parametrize("name, argument", list(_required_arguments()))
def test_every_builder_refuses_none_for_a_required_argument(name, argument):
    builder = getattr(ops, name)
    required = [p.name for p in inspect.signature(builder).parameters.values()
                if p.default is inspect.Parameter.empty]
    kwargs = {p: object() for p in required}  # placeholders: None must be refused first
    kwargs[argument] = None
    with pytest.raises(TypeError, match=rf"{name}\(\): argument '{argument}' is required, got None"):
        builder(**kwargs)


def _data_arguments():
    """(builder, argument) for every builder argument that takes a node."""
    for name in ops.__all__:
        if name in ("as_node", "as_nodes", "parameter", "constant"):
            continue
        signature = inspect.signature(getattr(ops, name))
        first = next(iter(signature.parameters))
        if first == "name":  # tensor_iterator(): no input until set_body and set_*_input
            continue
        yield name, first


@pytest.mark.parametrize("name, argument", list(_data_arguments()))
@pytest.mark.parametrize("bad", [object(), "text", {"a": 1}, np.array(["a"])],
                         ids=["object", "str", "dict", "str-array"])
def test_every_builder_names_a_non_numeric_first_argument(name, argument, bad):
    if name == "read_value" and isinstance(bad, str):
        pytest.skip("read_value('id', type, shape) is openvino's overload without init_value")
    builder = getattr(ops, name)
    required = [p.name for p in inspect.signature(builder).parameters.values()
                if p.default is inspect.Parameter.empty]
    kwargs = {p: 1 for p in required}
    kwargs[argument] = [bad] if argument in ("nodes", "inputs") else bad
    with pytest.raises(TYPED) as info:
        builder(**kwargs)
    assert not isinstance(info.value, (IndexError, AttributeError, KeyError))
    assert name in str(info.value) and argument in str(info.value), str(info.value)


def test_errors_come_from_the_builder_not_from_numpy():
    with pytest.raises(TypeError) as info:
        ops.add(f32([2]), None)
    assert "numpy" not in str(info.value) and "float()" not in str(info.value)
