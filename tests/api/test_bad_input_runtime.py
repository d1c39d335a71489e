"""The runtime given bad input: compile_model, its config, calling a compiled model, results,
Tensor and InferRequest misuse, and kernels failing on values only known at run time (a
KernelError that names the node and says what was wrong)."""
from __future__ import annotations

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import IRReadError
from ov_notebook.runtime import InputError
from ov_notebook.runtime.plan import KernelError

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def compiled():
    x = ops.parameter([2, 3], np.float32, name="x")
    y = ops.parameter([-1, 3], np.int64, name="y")
    model = ov.Model([ops.relu(x), ops.convert(y, "f32")], [x, y], "m")
    model.outputs[0].get_tensor().set_names({"out0"})
    return ov.compile_model(model)


A = np.ones((2, 3), np.float32)
B = np.ones((4, 3), np.int64)

COMPILE = {
    "compile an int": (lambda: ov.compile_model(5), TypeError,
                       r"compile_model expects a Model or a path to an IR .xml, got int"),
    "compile a missing file": (lambda: ov.compile_model("no_such_model.xml"), IRReadError,
                               r"model file no_such_model.xml does not exist"),
    "compile a directory": (lambda: ov.compile_model("."), IRReadError, r"is a directory"),
    "device GPU": (lambda: ov.compile_model(small(), "GPU"), ValueError,
                   r"device 'GPU' is not available; this runtime has only 'CPU'"),
    "unknown property": (lambda: ov.compile_model(small(), "CPU", {"BOGUS": 1}), ValueError,
                         r"unknown property 'BOGUS'; supported: DISABLED_PASSES"),
    "negative threads": (lambda: ov.compile_model(small(), "CPU", {"INFERENCE_NUM_THREADS": -1}),
                         ValueError, r"INFERENCE_NUM_THREADS must be a non-negative integer"),
    "bogus hint": (lambda: ov.compile_model(small(), "CPU", {"PERFORMANCE_HINT": "FAST"}),
                   ValueError, r"PERFORMANCE_HINT must be LATENCY or THROUGHPUT, got 'FAST'"),
    "f16 precision": (lambda: ov.compile_model(small(), "CPU", {"INFERENCE_PRECISION_HINT": "f16"}),
                      ValueError, r"only f32 is supported, got 'f16'"),
    "read-only property": (lambda: ov.compile_model(small(), "CPU", {"FULL_DEVICE_NAME": "x"}),
                           ValueError, r"property FULL_DEVICE_NAME is read-only"),
    "unknown pass": (lambda: ov.compile_model(small(), "CPU", {"DISABLED_PASSES": "bogus"}),
                     ValueError, r"DISABLED_PASSES: unknown pass\(es\) \['bogus'\]"),
}


def small():
    x = ops.parameter([2], np.float32, name="x")
    return ov.Model([ops.relu(x)], [x], "small")


@pytest.mark.parametrize("call, error, message", COMPILE.values(), ids=COMPILE.keys())
def test_bad_compile(call, error, message):
    with pytest.raises(error, match=message):
        call()


CALLS = {
    "one input for two": (lambda c: c(A), r"the model takes 2 inputs \(0 \('x'\), 1 \('y'\)\), "
                                          r"got 1"),
    "three inputs": (lambda c: c([A, B, B]), r"takes 2 inputs .* got 3"),
    "unknown name": (lambda c: c({"x": A, "nope": B}), r"unknown input 'nope': the model has no "
                                                      r"input named 'nope'"),
    "missing input": (lambda c: c({"x": A}), r"missing inputs: 1 \('y'\)"),
    "float key": (lambda c: c({0.5: A, 1: B}), r"unknown input 0.5"),
    "given twice": (lambda c: c({"x": A, 0: A, 1: B}), r"input 0 \('x'\) is given twice"),
    "wrong rank": (lambda c: c([A[None], B]), r"input 0 \('x'\) expects rank 2 \(shape \[2,3\]\), "
                                              r"got an array of shape \[1, 2, 3\]"),
    "wrong dimension": (lambda c: c([np.ones((3, 3), np.float32), B]),
                        r"expects shape \[2,3\], got \[3, 3\] \(dimension 0 is 3, allowed 2\)"),
    "NaN into i64": (lambda c: c([A, np.full((4, 3), np.nan)]),
                     r"input 1 \('y'\) expects element type i64, got a float64 array holding "
                     r"NaN or inf"),
    "1e30 into i64": (lambda c: c([A, np.full((4, 3), 1e30, np.float32)]),
                      r"expects element type i64, which holds .* got a float32 array with values "
                      r"from 1e\+30 to 1e\+30"),
    "f64 Tensor": (lambda c: c([ov.Tensor(A.astype(np.float64)), B]),
                   r"input 0 \('x'\) expects element type f32, got a Tensor of f64 \(float64\); "
                   r"a Tensor is used as it is, never converted"),
    "strings": (lambda c: c([np.full((2, 3), "a"), B]), r"expects element type f32, got a <U1"),
    "an object": (lambda c: c([object(), B]), r"input 0 \('x'\): expected a numeric array"),
    "None": (lambda c: c([None, B]), r"input 0 \('x'\): expected a numeric array"),
    "ragged list": (lambda c: c([[[1, 2, 3], [1, 2]], B]), r"input 0 \('x'\): cannot make an "
                                                            r"array from list"),
    "non-integer floats into i64": (lambda c: c([A, [[1.5, 2, 3]]]),
                                    r"input 1 \('y'\) expects i64, got non-integer values"),
    "complex": (lambda c: c([A.astype(np.complex64), B]), r"got a complex64 array"),
    "a scalar for a tensor": (lambda c: c([1.0, B]), r"expects rank 2"),
}


@pytest.mark.parametrize("call, message", CALLS.values(), ids=CALLS.keys())
def test_bad_call_inputs(compiled, call, message):
    with pytest.raises(InputError, match=message):
        call(compiled)


def test_inputs_that_convert_without_loss_are_accepted(compiled):
    results = compiled([torch.ones(2, 3, requires_grad=True), B.astype(np.int32)])
    assert results[0].dtype == np.float32 and results[1].shape == (4, 3)
    noncontiguous = np.ones((3, 2), np.float32).T
    assert compiled([noncontiguous, np.ones((0, 3), np.int64)])[1].shape == (0, 3)
    assert compiled([A.astype(bool), B.astype(bool)])[0].tolist() == [[1.0] * 3] * 2
    assert compiled([torch.ones(2, 3, dtype=torch.bfloat16), B])[0].dtype == np.float32
    # cast as OpenVINO casts (f64 rounds, floats truncate into integers, u64 wraps into i64)
    assert compiled([torch.full((2, 3), 0.1, dtype=torch.float64), B])[0].dtype == np.float32
    assert compiled([A, np.full((4, 3), -1.5, np.float32)])[1].tolist() == [[-1.0] * 3] * 4
    assert compiled([A, B.astype(np.uint64)])[1].shape == (4, 3)


RESULTS = {
    "index 5": (lambda r: r[5], IndexError, r"the model has 2 outputs; index 5 is out of range"),
    "unknown name": (lambda r: r["nope"], KeyError, r"no output named 'nope'; output names"),
    "float": (lambda r: r[1.5], KeyError, r"outputs are indexed by int, tensor name or output "
                                          r"port, not 1.5"),
    "a port of another model": (lambda r: r[small().output(0)], KeyError,
                                r"is not an output of this model"),
}


@pytest.mark.parametrize("call, error, message", RESULTS.values(), ids=RESULTS.keys())
def test_bad_result_keys(compiled, call, error, message):
    with pytest.raises(error, match=message):
        call(compiled([A, B]))


REQUESTS = {
    "output before infer": (lambda q: q.get_output_tensor(), RuntimeError,
                            r"no results yet: call infer\(\) first"),
    "input without an index": (lambda q: q.get_input_tensor(), RuntimeError,
                               r"get_input_tensor\(\) without an index needs a model with exactly "
                               r"one input; this one has 2"),
    "infer with nothing set": (lambda q: q.infer(), InputError,
                               r"set every input with set_input_tensor/set_tensor, or pass inputs"),
    "set an unknown tensor": (lambda q: q.set_tensor("nope", ov.Tensor(A)), KeyError,
                              r"no input named 'nope'"),
    "set tensor 5": (lambda q: q.set_tensor(5, ov.Tensor(A)), IndexError,
                     r"the model has 2 inputs; index 5 is out of range"),
    "async with a missing input": (lambda q: (q.start_async([A]), q.wait()), InputError,
                                   r"the model takes 2 inputs"),
}


@pytest.mark.parametrize("call, error, message", REQUESTS.values(), ids=REQUESTS.keys())
def test_infer_request_misuse(compiled, call, error, message):
    with pytest.raises(error, match=message):
        call(compiled.create_infer_request())


TENSORS = {
    "None": (lambda: ov.Tensor(None), TypeError, r"a Tensor needs numeric data, got an object"),
    "a string": (lambda: ov.Tensor("abc"), TypeError, r"numpy dtype <U3 has no OpenVINO element"),
    "ragged": (lambda: ov.Tensor([[1], [2, 3]]), ValueError, r"a Tensor needs rectangular numeric "
                                                             r"data"),
    "complex": (lambda: ov.Tensor(np.ones(2, np.complex64)), TypeError,
                r"numpy dtype complex64 has no OpenVINO element type"),
    "dynamic shape": (lambda: ov.Tensor(ov.Type.f32, [-1]), ValueError, r"shape \[\?\] is not static"),
    "bogus type": (lambda: ov.Tensor("bogus", [2]), TypeError, r"unknown element type 'bogus'"),
    "wrong element count": (lambda: ov.Tensor(np.ones(4), shape=[5]), ValueError,
                            r"a Tensor of 4 elements cannot take shape \[5\]"),
    "lossy type": (lambda: ov.Tensor(np.array([300.7]), type="i8"), ValueError,
                   r"converting the float64 data to i8 would change values"),
    "overflowing type": (lambda: ov.Tensor(np.array([1e6]), type="f16"), ValueError,
                         r"converting the float64 data to f16 overflows"),
    "negative set_shape": (lambda: ov.Tensor(A).set_shape([-1]), ValueError,
                           r"a static shape cannot have negative dimension -1"),
    "copy_to an int": (lambda: ov.Tensor(A).copy_to(5), TypeError, r"copy_to expects a Tensor"),
}


@pytest.mark.parametrize("call, error, message", TENSORS.values(), ids=TENSORS.keys())
def test_bad_tensors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_tensor_bf16_holds_bf16_bits():
    assert ov.Tensor(np.array([1.5], np.float32), type="bf16").data.tolist() == [0x3FC0]
    bits = ov.Tensor(torch.tensor([1.0, -2.0], dtype=torch.bfloat16))
    assert bits.element_type == ov.Type.bf16 and bits.data.tolist() == [0x3F80, 0xC000]
    assert ov.Tensor(np.ones(2, np.uint16), type="bf16").data.tolist() == [1, 1]  # raw bits


def p(shape, element_type=np.float32, name=None):
    return ops.parameter(shape, element_type, name=name)


def run(build, feeds):
    params, outputs = build()
    model = ov.Model(outputs if isinstance(outputs, list) else [outputs], params)
    return ov.compile_model(model)(feeds)


def _topk(x, k):
    return [x, k], list(ops.topk(x, k, 0, "max", "value").outputs())


# graphs whose shapes are only known at run time, and the values that break them
KERNELS = {
    "reshape to a wrong count": (
        lambda: (lambda x: ([x], ops.reshape(x, [2, 3], False)))(p([-1])),
        [np.ones(5, np.float32)], "Reshape", r"cannot reshape \[5\] \(5 elements\) to \[2, 3\]"),
    "reshape with two -1": (
        lambda: (lambda x, s: ([x, s], ops.reshape(x, s, False)))(p([-1]), p([2], np.int64, "s")),
        [np.ones(6, np.float32), np.array([-1, -1])], "Reshape",
        r"shape pattern \[-1, -1\] may hold one -1"),
    "split not dividing": (
        lambda: (lambda x: ([x], list(ops.split(x, 0, 2).outputs())))(p([-1])),
        [np.ones(5, np.float32)], "Split", r"dimension 0 of \[5\] \(5\) is not divisible by "
                                           r"num_splits 2"),
    "variadic split not summing": (
        lambda: (lambda x: ([x], list(ops.variadic_split(x, 0, [2, 2]).outputs())))(p([-1])),
        [np.ones(5, np.float32)], "VariadicSplit", r"must sum to the dimension being split"),
    "topk k > length": (lambda: _topk(p([-1]), p([], np.int64, "k")),
                        [np.ones(3, np.float32), np.array(10)], "TopK",
                        r"k \(10\) exceeds the length 3"),
    "topk negative k": (lambda: _topk(p([-1]), p([], np.int64, "k")),
                        [np.ones(3, np.float32), np.array(-1)], "TopK",
                        r"k must not be negative, got -1"),
    "one_hot negative depth": (
        lambda: (lambda i, d: ([i, d], ops.one_hot(i, d, np.float32(1), np.float32(0), -1)))(
            p([2], np.int64, "i"), p([], np.int64, "d")),
        [np.array([0, 1]), np.array(-1)], "OneHot", r"depth must not be negative, got -1"),
    "pad to a negative size": (
        lambda: (lambda x, b: ([x, b], ops.pad(x, b, [0], "constant")))(p([3]), p([1], np.int64)),
        [np.ones(3, np.float32), np.array([-5])], "Pad",
        r"pads -5 and 0 on axis 0 of size 3 leave a negative size -2"),
    "reflect pad too wide": (
        lambda: (lambda x, b: ([x, b], ops.pad(x, b, [0], "reflect")))(p([3]), p([1], np.int64)),
        [np.ones(3, np.float32), np.array([5])], "Pad",
        r"reflect padding of axis 0 by 5 needs a dimension larger than 5, got 3"),
    "interpolate negative size": (
        lambda: (lambda x, s: ([x, s], ops.interpolate(x, s, "nearest", "sizes", axes=[2, 3])))(
            p([1, 1, -1, -1]), p([2], np.int64, "s")),
        [np.ones((1, 1, 2, 2), np.float32), np.array([-1, 2])], "Interpolate",
        r"size -1 for axis 2 must not be negative"),
    "tile negative repeats": (
        lambda: (lambda x, r: ([x, r], ops.tile(x, r)))(p([2]), p([1], np.int64, "r")),
        [np.ones(2, np.float32), np.array([-2])], "Tile", r"repeats must not be negative"),
    "eye negative": (lambda: (lambda r: ([r], ops.eye(r, r, 0, "f32")))(p([], np.int64, "r")),
                     [np.array(-3)], "Eye", r"num_rows and num_columns must not be negative"),
    "gather_elements out of range": (
        lambda: (lambda x, i: ([x, i], ops.gather_elements(x, i, 0)))(
            p([-1, 2]), p([-1, 2], np.int64, "i")),
        [np.ones((2, 2), np.float32), np.array([[0, 5]])], "GatherElements", r"index 5"),
    "scatter_update out of range": (
        lambda: (lambda x, i, u: ([x, i, u], ops.scatter_update(x, i, u, 0)))(
            p([3, 2]), p([1], np.int64, "i"), p([1, 2], name="u")),
        [np.ones((3, 2), np.float32), np.array([9]), np.ones((1, 2), np.float32)],
        "ScatterUpdate", r"index 9"),
    "depth_to_space channels": (
        lambda: (lambda x: ([x], ops.depth_to_space(x, "blocks_first", 2)))(p([1, -1, 2, 2])),
        [np.ones((1, 3, 2, 2), np.float32)], "DepthToSpace",
        r"the channel dimension 3 is not divisible by block_size\^2 = 4"),
    "space_to_depth spatial": (
        lambda: (lambda x: ([x], ops.space_to_depth(x, "blocks_first", 2)))(p([1, 1, -1, -1])),
        [np.ones((1, 1, 3, 2), np.float32)], "SpaceToDepth",
        r"the spatial dimensions \[3, 2\] are not all divisible by block_size 2"),
    "shuffle_channels groups": (
        lambda: (lambda x: ([x], ops.shuffle_channels(x, 1, 2)))(p([1, -1, 2, 2])),
        [np.ones((1, 3, 2, 2), np.float32)], "ShuffleChannels",
        r"dimension 1 \(3\) is not divisible by group 2"),
    "group_norm channels": (
        lambda: (lambda x: ([x], ops.group_normalization(x, np.ones(4, np.float32),
                                                         np.ones(4, np.float32), 2, 1e-5)))(
            p([1, -1, 2, 2])),
        [np.ones((1, 3, 2, 2), np.float32)], "GroupNormalization",
        r"scale and bias have \[4, 4\] values but the data \[1, 3, 2, 2\] has 3 channels"),
    "group_norm groups": (
        lambda: (lambda x: ([x], ops.group_normalization(x, np.ones(3, np.float32),
                                                         np.ones(3, np.float32), 2, 1e-5)))(
            p([1, -1, 2, 2])),
        [np.ones((1, 3, 2, 2), np.float32)], "GroupNormalization",
        r"3 channels cannot be split into num_groups 2"),
    "batch_norm channels": (
        lambda: (lambda x: ([x], ops.batch_norm_inference(x, *[np.ones(4, np.float32)] * 4,
                                                          1e-5)))(p([1, -1, 2, 2])),
        [np.ones((1, 3, 2, 2), np.float32)], "BatchNormInference",
        r"gamma, beta, mean and variance have \[4, 4, 4, 4\] values but the data"),
    "prelu slope": (
        lambda: (lambda x: ([x], ops.prelu(x, ops.constant(np.ones(4, np.float32)))))(
            p([1, -1, 2])),
        [np.ones((1, 3, 2), np.float32)], "PRelu",
        r"slope of shape \[4\] matches neither the channels"),
    "reverse_sequence lengths": (
        lambda: (lambda x, s: ([x, s], ops.reverse_sequence(x, s, 0, 1)))(
            p([-1, 3]), p([-1], np.int64, "s")),
        [np.ones((2, 3), np.float32), np.array([5, 1])], "ReverseSequence",
        r"seq_lengths \[5, 1\] must be in \[0, 3\]"),
    "reverse_sequence count": (
        lambda: (lambda x, s: ([x, s], ops.reverse_sequence(x, s, 0, 1)))(
            p([-1, 3]), p([-1], np.int64, "s")),
        [np.ones((2, 3), np.float32), np.array([1, 1, 1])], "ReverseSequence",
        r"seq_lengths has 3 values for a batch of 2"),
    "reduce_max of nothing": (
        lambda: (lambda x: ([x], ops.reduce_max(x, [0])))(p([-1, 2])),
        [np.ones((0, 2), np.float32)], "ReduceMax", r"ReduceMax over axes \[0\] of the empty data"),
    "add mismatched": (
        lambda: (lambda x, y: ([x, y], ops.add(x, y)))(p([-1]), p([-1], name="y")),
        [np.ones(3, np.float32), np.ones(4, np.float32)], "Add", r"could not be broadcast"),
    "range step 0": (
        lambda: (lambda a, b, c: ([a, b, c], ops.range(a, b, c, "i64")))(
            p([], np.int64, "a"), p([], np.int64, "b"), p([], np.int64, "c")),
        [np.array(0), np.array(5), np.array(0)], "Range", r"step 0 is zero"),
    "slice step 0": (
        lambda: (lambda x, s: ([x, s], ops.slice(x, [0], [5], s)))(p([5]), p([1], np.int64, "s")),
        [np.ones(5, np.float32), np.array([0])], "Slice", r"slice step must not be zero"),
}


@pytest.mark.parametrize("build, feeds, node_type, message", KERNELS.values(), ids=KERNELS.keys())
def test_run_time_failures_name_the_node(build, feeds, node_type, message):
    with pytest.raises(KernelError, match=rf"While executing {node_type} '.*' with inputs "
                                          rf"\(.*\): \w+Error: .*{message}") as info:
        run(build, feeds)
    assert info.value.node.get_type_name() == node_type


def test_values_that_are_fine_at_run_time():
    def gather():
        x, i = p([-1]), p([2], np.int64, "i")
        return [x, i], ops.gather(x, i, 0)

    # out-of-range and empty-axis gathers give zeros, as OpenVINO's Gather-8
    assert run(gather, [np.ones(3, np.float32), np.array([0, 10])])[0].tolist() == [1, 0]
    assert run(gather, [np.ones(0, np.float32), np.array([0, 1])])[0].tolist() == [0, 0]


# -- owners' bugs, found by this probe: they fail today and must pass once fixed ----------------
def test_config_values_are_named():
    with pytest.raises(ValueError, match="INFERENCE_NUM_THREADS"):
        ov.compile_model(small(), "CPU", {"INFERENCE_NUM_THREADS": "abc"})


def test_config_values_out_of_their_domain():
    with pytest.raises(ValueError, match="INFERENCE_NUM_THREADS"):
        ov.compile_model(small(), "CPU", {"INFERENCE_NUM_THREADS": 2.5})
    with pytest.raises(ValueError, match="NUM_STREAMS"):
        ov.compile_model(small(), "CPU", {"NUM_STREAMS": -5})


def test_config_must_be_a_mapping():
    with pytest.raises(TypeError, match="config"):
        ov.compile_model(small(), "CPU", [("PERFORMANCE_HINT", "LATENCY")])


def test_call_with_keywords_is_refused_by_name(compiled):
    with pytest.raises(TypeError, match="x"):
        compiled(x=A, y=B)


def test_infer_request_indices_are_checked(compiled):
    request = compiled.create_infer_request()
    with pytest.raises(IndexError, match="2 inputs"):
        request.set_input_tensor(5, ov.Tensor(A))


def test_set_callback_needs_a_callable(compiled):
    with pytest.raises(TypeError, match="callable"):
        compiled.create_infer_request().set_callback(5)


def _int_input(element_type):
    x = ops.parameter([3], element_type, name="p")
    return ov.compile_model(ov.Model([ops.result(x)], [x]))


def test_python_ints_out_of_range_are_refused():
    with pytest.raises(InputError, match="i32"):
        _int_input(np.int32)([[2**40, 1, 2]])


def test_python_floats_that_overflow_are_refused():
    with pytest.raises(InputError, match="f16"):
        _int_input(np.float16)([[70000.0, 1, 2]])


def test_bf16_input_advice_is_not_wrong():
    with pytest.raises(InputError) as info:
        _int_input("bf16")(np.ones(3, np.float32))
    assert "astype(np.uint16)" not in str(info.value)


def test_unusable_torch_tensors_are_input_errors(compiled):
    with pytest.raises(InputError, match="input 0"):
        compiled([torch.ones(2, 3, device="meta"), B])


def test_membership_of_a_bad_key_is_false(compiled):
    assert 5 not in compiled([A, B])


EMPTY_BATCH_CONVOLUTIONS = {  # (build from x [?, 4, 4, 4], output shape for a batch of 0)
    "dense": (lambda x: ops.convolution(x, np.ones((2, 4, 3, 3), np.float32), [1, 1], [1, 1],
                                        [1, 1], [1, 1]), (0, 2, 4, 4)),
    "grouped": (lambda x: ops.group_convolution(x, np.ones((2, 1, 2, 3, 3), np.float32), [1, 1],
                                                [1, 1], [1, 1], [1, 1]), (0, 2, 4, 4)),
    "depthwise": (lambda x: ops.group_convolution(x, np.ones((4, 1, 1, 3, 3), np.float32),
                                                  [2, 2], [1, 1], [1, 1], [1, 1]), (0, 4, 2, 2)),
    "backprop": (lambda x: ops.convolution_backprop_data(x, np.ones((4, 2, 3, 3), np.float32),
                                                         [2, 2], None, [1, 1], [1, 1], [1, 1]),
                 (0, 2, 7, 7)),
}


@pytest.mark.parametrize("build, shape", EMPTY_BATCH_CONVOLUTIONS.values(),
                         ids=EMPTY_BATCH_CONVOLUTIONS.keys())
def test_convolution_of_an_empty_batch(build, shape):
    x = p([-1, 4, 4, 4])
    assert run(lambda: ([x], build(x)), [np.zeros((0, 4, 4, 4), np.float32)])[0].shape == shape


def test_convolution_input_smaller_than_kernel_is_explained():
    x = p([1, 3, -1, -1])
    conv = ops.convolution(x, ops.constant(np.ones((2, 3, 3, 3), np.float32)), [1, 1], [0, 0],
                           [0, 0], [1, 1])
    with pytest.raises(KernelError, match=r"padded input \(2 \+ pads 0 \+ 0 = 2\) is smaller "
                                          r"than the dilated kernel \(3\)"):
        run(lambda: ([x], conv), [np.ones((1, 3, 2, 2), np.float32)])


def test_max_pool_kernel_larger_than_input_is_an_error():
    x = p([1, 3, -1, -1])
    pool = ops.max_pool(x, [1, 1], [1, 1], [0, 0], [0, 0], [3, 3]).output(0)
    with pytest.raises(KernelError, match=r"MaxPool.*dilated kernel \(3\) is larger than the "
                                          r"padded input \(2 \+ pads 0 \+ 0 = 2\)"):
        run(lambda: ([x], pool), [np.ones((1, 3, 2, 2), np.float32)])


def test_einsum_label_mismatch_is_explained():
    x, y = p([-1, -1]), p([-1, -1], name="y")
    with pytest.raises(KernelError, match="label 'j' has size 3 in input 0 and 4 in input 1"):
        run(lambda: ([x, y], ops.einsum([x, y], "ij,jk->ik")),
            [np.ones((2, 3), np.float32), np.ones((4, 5), np.float32)])


def test_core_read_model_names_what_it_takes():
    with pytest.raises(TypeError, match="read_model"):
        ov.Core().read_model(5)
