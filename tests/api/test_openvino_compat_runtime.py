"""The runtime API as OpenVINO's: each test body runs on ``openvino`` and on ``ov_notebook`` (the
``ov`` fixture), so a difference in behaviour shows as a failure of the ov_notebook case."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

MODULES = ["openvino", "ov_notebook"]


@pytest.fixture(params=MODULES)
def ov(request):
    if request.param == "openvino":
        pytest.importorskip("openvino")
    return importlib.import_module(request.param)


def opset(ov):
    return importlib.import_module("openvino.opset13" if ov.__name__ == "openvino" else
                                   "ov_notebook.opset")


def two_input_model(ov):
    """x: f32[2,3] -> relu (output 'out0'); y: i64[?,3] -> convert to f32."""
    ops = opset(ov)
    x = ops.parameter([2, 3], np.float32, name="x")
    y = ops.parameter([-1, 3], np.int64, name="y")
    x.output(0).get_tensor().set_names({"x"})
    y.output(0).get_tensor().set_names({"y"})
    model = ov.Model([ops.relu(x), ops.convert(y, "f32")], [x, y], "m")
    model.outputs[0].get_tensor().set_names({"out0"})
    return model


def one_input_model(ov, element_type=np.float32, shape=(2, 3)):
    """p: element_type[shape] -> its own value (through a Convert to itself, so it runs)."""
    ops = opset(ov)
    p = ops.parameter(list(shape), element_type, name="p")
    p.output(0).get_tensor().set_names({"p"})
    return ov.Model([ops.convert(p, element_type)], [p], "one")


A = np.ones((2, 3), np.float32)
B = np.ones((4, 3), np.int64)

# -- 13. error classes: what OpenVINO raises at the same place --------------------------------
RAISES = {  # (call with ov, the compiled two-input model; the exception class OpenVINO raises)
    "unknown input name": (lambda ov, c: c({"x": A, "nope": B}), RuntimeError),
    "too many inputs": (lambda ov, c: c([A, B, B]), RuntimeError),
    "wrong rank": (lambda ov, c: c([A[None], B]), RuntimeError),
    "wrong dimension": (lambda ov, c: c([np.ones((3, 3), np.float32), B]), RuntimeError),
    "a scalar for a tensor": (lambda ov, c: c([1.0, B]), RuntimeError),
    "Tensor of another type": (lambda ov, c: c([ov.Tensor(A.astype(np.float64)), B]),
                               RuntimeError),
    "Tensor of another shape": (lambda ov, c: c([ov.Tensor(np.ones((3, 3), np.float32)), B]),
                                RuntimeError),
    "None": (lambda ov, c: c([None, B]), TypeError),
    "an object": (lambda ov, c: c([object(), B]), TypeError),
    "a float key": (lambda ov, c: c({0.5: A, 1: B}), TypeError),
    "keywords": (lambda ov, c: c(x=A, y=B), TypeError),
    "results index 5": (lambda ov, c: c([A, B])[5], KeyError),
    "results unknown name": (lambda ov, c: c([A, B])["nope"], KeyError),
    "results float key": (lambda ov, c: c([A, B])[1.5], TypeError),
    "set_tensor unknown name": (
        lambda ov, c: c.create_infer_request().set_tensor("nope", ov.Tensor(A)), RuntimeError),
    "get_tensor unknown name": (lambda ov, c: c.create_infer_request().get_tensor("nope"),
                                RuntimeError),
    "set_input_tensor 5": (
        lambda ov, c: c.create_infer_request().set_input_tensor(5, ov.Tensor(A)), RuntimeError),
    "compiled input unknown name": (lambda ov, c: c.input("nope"), RuntimeError),
    "compiled input 5": (lambda ov, c: c.input(5), RuntimeError),
    "compiled output unknown name": (lambda ov, c: c.output("nope"), RuntimeError),
    "model input unknown name": (lambda ov, c: two_input_model(ov).input("nope"), RuntimeError),
    "read a missing file": (lambda ov, c: ov.Core().read_model("no_such_model.xml"), RuntimeError),
    "read a directory": (lambda ov, c: ov.Core().read_model("."), RuntimeError),
    "read an int": (lambda ov, c: ov.Core().read_model(5), TypeError),
    "compile a missing file": (lambda ov, c: ov.compile_model("no_such_model.xml"), RuntimeError),
    "compile an int": (lambda ov, c: ov.compile_model(5), RuntimeError),
    "device GPU": (lambda ov, c: ov.compile_model(two_input_model(ov), "GPU"), RuntimeError),
    "unknown property": (lambda ov, c: ov.compile_model(two_input_model(ov), "CPU", {"BOGUS": 1}),
                         RuntimeError),
    "bad property value": (lambda ov, c: ov.compile_model(two_input_model(ov), "CPU",
                                                          {"PERFORMANCE_HINT": "FAST"}),
                           RuntimeError),
    "get an unknown property": (lambda ov, c: ov.Core().get_property("CPU", "BOGUS"),
                                RuntimeError),
    "Tensor of complex data": (lambda ov, c: ov.Tensor(np.ones(2, np.complex64)), RuntimeError),
    "Tensor of None": (lambda ov, c: ov.Tensor(None), TypeError),
}


@pytest.mark.parametrize("call, error", RAISES.values(), ids=RAISES.keys())
def test_errors_are_what_openvino_raises(ov, call, error):
    compiled = ov.compile_model(two_input_model(ov))
    with pytest.raises(error):
        call(ov, compiled)


def test_our_errors_keep_their_python_kinds():
    """Earlier ov_notebook raised ValueError/KeyError/IndexError here; those still catch them."""
    import ov_notebook as ov
    from ov_notebook.runtime import InputError

    compiled = ov.compile_model(two_input_model(ov))
    with pytest.raises(ValueError, match=r"input 0 \('x'\) expects rank 2"):
        compiled([A[None], B])
    with pytest.raises(InputError, match="unknown input 'nope'"):
        compiled({"x": A, "nope": B})
    with pytest.raises(IndexError, match="index 5 is out of range"):
        compiled([A, B])[5]
    with pytest.raises(KeyError, match="no input named 'nope'"):
        compiled.create_infer_request().set_tensor("nope", ov.Tensor(A))
    with pytest.raises(ValueError, match="does not exist"):
        ov.Core().read_model("no_such_model.xml")
    with pytest.raises(ValueError, match="device 'GPU' is not available"):
        ov.compile_model(two_input_model(ov), "GPU")


# -- 2. implicit input conversion --------------------------------------------------------------
REAL_DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int8, np.uint8,
               np.uint64, np.bool_]


@pytest.mark.parametrize("target", [np.float32, np.float16, np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("given", REAL_DTYPES)
def test_arrays_of_any_real_dtype_are_cast_to_the_input_type(ov, given, target):
    values = np.array([[0, 1.7, -2.5], [3.25, 200, 7]]) if np.dtype(given).kind == "f" else \
        np.array([[0, 1, 2], [3, 200, 7]])
    if np.dtype(target).kind == "u":
        values = np.abs(values)
    data = values.astype(given)
    result = ov.compile_model(one_input_model(ov, target))(data)[0]
    assert result.dtype == np.dtype(target)
    np.testing.assert_array_equal(result, data.astype(target))


def test_torch_tensors_are_cast_too(ov):
    torch = pytest.importorskip("torch")
    compiled = ov.compile_model(one_input_model(ov, np.float32))
    result = compiled(torch.full((2, 3), 0.1, dtype=torch.float64))[0]
    assert result.dtype == np.float32 and result[0, 0] == np.float32(0.1)


def test_python_scalars_take_the_input_type(ov):
    compiled = ov.compile_model(one_input_model(ov, np.float32, ()))
    for value in (2, 2.5, True, np.float64(2.5), np.int32(2)):
        result = compiled(value)[0]
        assert result.dtype == np.float32 and result == np.float32(value)


def test_a_0d_array_takes_the_shape_of_a_one_element_input(ov):
    assert ov.compile_model(one_input_model(ov, np.float32, (1, 1)))(np.array(2.0))[0].tolist() \
        == [[2.0]]
    assert ov.compile_model(one_input_model(ov, np.float32, (-1,)))(np.array(2.0))[0].tolist() \
        == [2.0]


REFUSED = {  # what OpenVINO refuses, fed to one_input_model(f32, [2, 3])
    "a Tensor of another type": lambda ov: ov.Tensor(np.ones((2, 3), np.float64)),
    "a Tensor of another shape": lambda ov: ov.Tensor(np.ones((3, 2), np.float32)),
    "a python scalar for a tensor": lambda ov: 2.0,
    "a numpy scalar for a tensor": lambda ov: np.float32(2),
    "a 0-d array for many elements": lambda ov: np.array(2.0),
    "words": lambda ov: np.full((2, 3), "a"),
    "None": lambda ov: [None],  # (a bare None means "no inputs")
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_inputs_openvino_refuses_are_refused(ov, make):
    compiled = ov.compile_model(one_input_model(ov, np.float32))
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        compiled(make(ov))


# -- 5. the request's tensors ------------------------------------------------------------------
def test_request_tensors_after_infer_are_those_it_ran_on(ov):
    compiled = ov.compile_model(two_input_model(ov))
    request = compiled.create_infer_request()
    x = np.full((2, 3), -2.0)  # f64: converted to the input's f32
    y = np.arange(12).reshape(4, 3)
    request.infer([x, y])
    inputs, outputs = request.input_tensors, request.output_tensors
    assert isinstance(inputs, list) and len(inputs) == 2 and len(outputs) == 2
    assert inputs[0].element_type == ov.Type.f32 and inputs[0].data.tolist() == [[-2.0] * 3] * 2
    assert list(inputs[1].shape) == [4, 3] and inputs[1].data.tolist() == y.tolist()
    assert outputs[0].data.tolist() == [[0.0] * 3] * 2
    assert outputs[1].element_type == ov.Type.f32 and list(outputs[1].shape) == [4, 3]
    assert request.get_input_tensor(1).data.tolist() == y.tolist()
    assert request.get_output_tensor(1).data.tolist() == y.astype(np.float32).tolist()
    assert request.get_tensor("y").data.tolist() == y.tolist()
    assert request.get_tensor("out0").data.tolist() == [[0.0] * 3] * 2
    assert request.get_tensor(compiled.output(1)).data.tolist() == y.tolist()
    assert request.get_tensor(compiled.input(0)).data[0, 0] == -2.0


def test_a_dict_of_some_inputs_keeps_the_request_tensors_for_the_others(ov):
    request = ov.compile_model(two_input_model(ov)).create_infer_request()
    request.set_tensor("y", ov.Tensor(np.ones((5, 3), np.int64)))
    assert request.infer({"x": A})[1].shape == (5, 3)
    assert request.infer()[1].shape == (5, 3)  # and infer() runs on the tensors it ran on


def test_an_input_tensor_filled_in_place_feeds_infer(ov):
    request = ov.compile_model(one_input_model(ov)).create_infer_request()
    tensor = request.get_input_tensor()
    assert list(tensor.shape) == [2, 3] and tensor.element_type == ov.Type.f32
    tensor.data[:] = 7.0
    assert request.infer()[0].tolist() == [[7.0] * 3] * 2
    assert request.get_output_tensor().data.tolist() == [[7.0] * 3] * 2
    assert request.input_tensors[0].data.tolist() == [[7.0] * 3] * 2


def test_request_tensor_indices_are_checked(ov):
    request = ov.compile_model(two_input_model(ov)).create_infer_request()
    request.infer([A, B])
    for call in (lambda: request.get_input_tensor(5), lambda: request.get_output_tensor(5),
                 request.get_input_tensor, request.get_output_tensor):
        with pytest.raises(RuntimeError):
            call()


# -- 4. AsyncInferQueue ------------------------------------------------------------------------
def test_async_infer_queue_runs_every_job_with_its_userdata(ov):
    compiled = ov.compile_model(one_input_model(ov))
    queue = ov.AsyncInferQueue(compiled, 3)
    assert len(queue) == 3 and queue.userdata == [None] * 3 and queue.is_ready()
    assert queue.get_idle_request_id() in range(3)
    seen, lock = {}, __import__("threading").Lock()

    def finished(request, userdata):
        with lock:
            seen[userdata] = (request.get_output_tensor().data.copy(),
                              request.output_tensors[0].data[0, 0])

    queue.set_callback(finished)
    for job in range(20):
        queue.start_async(np.full((2, 3), job, np.float32), job)
    queue.wait_all()
    assert sorted(seen) == list(range(20))
    for job, (output, first) in seen.items():
        assert output.tolist() == [[float(job)] * 3] * 2 and first == job
    assert sorted(queue.userdata) == sorted(queue.userdata) and set(queue.userdata) <= set(seen)
    assert queue.is_ready() and len(list(queue)) == 3
    requests = [queue[i] for i in range(3)]
    assert all(type(r).__name__ == "InferRequest" for r in requests)
    assert {float(r.get_output_tensor().data[0, 0]) for r in requests} == \
        {float(u) for u in queue.userdata}


def test_async_infer_queue_takes_dicts_and_tensors(ov):
    compiled = ov.compile_model(two_input_model(ov))
    queue = ov.AsyncInferQueue(compiled, 2)
    outputs = {}
    queue.set_callback(lambda request, key: outputs.__setitem__(
        key, request.get_tensor("out0").data.copy()))
    queue.start_async({"x": -A, "y": B}, "dict")
    queue.start_async([ov.Tensor(A * 3), ov.Tensor(B)], "tensors")
    queue.wait_all()
    assert outputs["dict"].tolist() == [[0.0] * 3] * 2
    assert outputs["tensors"].tolist() == [[3.0] * 3] * 2


def test_async_infer_queue_default_jobs_is_the_optimal_number(ov):
    compiled = ov.compile_model(one_input_model(ov))
    assert len(ov.AsyncInferQueue(compiled)) == \
        compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")


def test_async_infer_queue_raises_a_callback_error_in_wait_all(ov):
    queue = ov.AsyncInferQueue(ov.compile_model(one_input_model(ov)), 1)

    def failing(request, userdata):
        raise ValueError(f"callback failed on {userdata}")

    queue.set_callback(failing)
    queue.start_async(A, "job 7")
    with pytest.raises(ValueError, match="callback failed on job 7"):
        queue.wait_all()


def test_async_infer_queue_refuses_bad_inputs_at_start(ov):
    queue = ov.AsyncInferQueue(ov.compile_model(one_input_model(ov)), 1)
    with pytest.raises(RuntimeError):
        queue.start_async(np.ones((3, 3), np.float32))


def test_async_infer_queue_stays_usable_after_bad_inputs():
    """OpenVINO 2026.4 loses the request here (the next start_async waits forever)."""
    import ov_notebook as ov

    queue = ov.AsyncInferQueue(ov.compile_model(one_input_model(ov)), 1)
    with pytest.raises(RuntimeError):
        queue.start_async(np.ones((3, 3), np.float32))
    assert queue.is_ready()
    queue.start_async(A)
    queue.wait_all()
    assert queue[0].get_output_tensor().data.tolist() == A.tolist()
    with pytest.raises(IndexError, match="the queue has 1 requests; id 1 is out of range"):
        queue[1]  # OpenVINO 2026.4 reads past its vector here (a crash)


def test_async_infer_queue_under_concurrent_producers():
    """Several threads feed one queue; every job runs once, on its own data."""
    import threading

    import ov_notebook as ov

    queue = ov.AsyncInferQueue(ov.compile_model(one_input_model(ov)), 3)
    seen, lock = [], threading.Lock()

    def finished(request, userdata):
        value = float(request.get_output_tensor().data[0, 0])
        with lock:
            seen.append((userdata, value))

    queue.set_callback(finished)

    def produce(start):
        for job in range(start, start + 25):
            queue.start_async(np.full((2, 3), job, np.float32), job)

    producers = [threading.Thread(target=produce, args=(start,)) for start in (0, 100, 200)]
    for thread in producers:
        thread.start()
    for thread in producers:
        thread.join()
    queue.wait_all()
    assert sorted(seen) == [(job, float(job)) for start in (0, 100, 200)
                            for job in range(start, start + 25)]


# -- 3. read_model forms, tensor_from_file ------------------------------------------------------
@pytest.fixture
def saved_ir(tmp_path):
    """An IR written by OpenVINO (x + constant), its paths, XML and weights."""
    openvino = pytest.importorskip("openvino")
    ops = opset(openvino)
    x = ops.parameter([2, 3], np.float32, name="x")
    constant = ops.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    openvino.save_model(openvino.Model([ops.add(x, constant)], [x], "m"), tmp_path / "m.xml",
                        compress_to_fp16=False)
    return tmp_path / "m.xml", tmp_path / "m.bin"


EXPECTED = (np.ones((2, 3)) + np.arange(6).reshape(2, 3)).tolist()

READ_FORMS = {
    "str path": lambda ov, xml, bin: (str(xml),),
    "pathlib": lambda ov, xml, bin: (xml,),
    "path and weights path": lambda ov, xml, bin: (str(xml), str(bin)),
    "pathlib and pathlib": lambda ov, xml, bin: (xml, bin),
    "bytes and a weights Tensor": lambda ov, xml, bin: (xml.read_bytes(),
                                                        ov.tensor_from_file(bin)),
    "str and a weights Tensor": lambda ov, xml, bin: (xml.read_text(), ov.tensor_from_file(bin)),
    "bytes and weights bytes": lambda ov, xml, bin: (xml.read_bytes(), bin.read_bytes()),
    "str and a Tensor of a uint8 array": lambda ov, xml, bin: (
        xml.read_text(), ov.Tensor(np.frombuffer(bin.read_bytes(), np.uint8))),
    "str and a Tensor of f32 data": lambda ov, xml, bin: (
        xml.read_text(), ov.Tensor(np.frombuffer(bin.read_bytes(), np.float32))),
}


@pytest.mark.parametrize("arguments", READ_FORMS.values(), ids=READ_FORMS.keys())
def test_read_model_takes_openvinos_forms(ov, saved_ir, arguments):
    model = ov.Core().read_model(*arguments(ov, *saved_ir))
    assert ov.compile_model(model)(np.ones((2, 3), np.float32))[0].tolist() == EXPECTED


def test_read_model_keywords(ov, saved_ir):
    xml, weights = saved_ir
    model = ov.Core().read_model(model=str(xml), weights=str(weights), config={})
    assert ov.compile_model(model)(np.ones((2, 3), np.float32))[0].tolist() == EXPECTED


READ_REFUSED = {
    "a str of XML without weights is a path": lambda ov, xml, bin: (xml.read_text(),),
    "a missing weights file": lambda ov, xml, bin: (str(xml), str(bin) + ".missing"),
    "bytes are XML, not a path": lambda ov, xml, bin: (str(xml).encode(),),
}


@pytest.mark.parametrize("arguments", READ_REFUSED.values(), ids=READ_REFUSED.keys())
def test_read_model_refuses_what_openvino_refuses(ov, saved_ir, arguments):
    with pytest.raises(RuntimeError):
        ov.Core().read_model(*arguments(ov, *saved_ir))


def test_tensor_from_file(ov, saved_ir, tmp_path):
    _, weights = saved_ir
    tensor = ov.tensor_from_file(weights)
    assert tensor.element_type == ov.Type.u8 and list(tensor.shape) == [24]
    assert tensor.get_byte_size() == 24 and bytes(tensor.data) == weights.read_bytes()
    assert list(ov.tensor_from_file(str(weights)).shape) == [24]
    tensor.data[:4] = 255  # writable; the file is not changed
    assert weights.read_bytes()[:4] != b"\xff" * 4
    with pytest.raises(FileNotFoundError):
        ov.tensor_from_file(tmp_path / "missing.bin")


# -- 15. versions ------------------------------------------------------------------------------
def test_get_versions_gives_version_objects(ov):
    versions = ov.Core().get_versions("CPU")
    assert isinstance(versions, dict) and list(versions) == ["CPU"]
    version = versions["CPU"]
    assert isinstance(version, ov.Version)
    assert isinstance(version.major, int) and isinstance(version.minor, int)
    assert isinstance(version.patch, int)
    assert isinstance(version.description, str) and version.description
    assert isinstance(version.build_number, str)
    assert version.build_number.startswith(f"{version.major}.{version.minor}.{version.patch}")
    assert repr(version) == f"<Version: {version.build_number} {version.description}>"
    assert ov.Core().get_versions("BOGUS") == {}


def test_get_version_is_the_build_number(ov):
    assert isinstance(ov.get_version(), str)
    assert ov.get_version() == ov.Core().get_versions("CPU")["CPU"].build_number


# -- 9. Tensor ---------------------------------------------------------------------------------
@pytest.mark.parametrize("element_type", ["Type.f16", np.float32, np.dtype("int8"), np.int64,
                                          np.uint8, np.bool_])
def test_tensor_of_a_type_and_shape(ov, element_type):
    if element_type == "Type.f16":
        element_type, expected = ov.Type.f16, np.float16
    else:
        expected = element_type
    for shape in ([2, 3], (2, 3), ov.Shape([2, 3])):
        tensor = ov.Tensor(element_type, shape)
        assert list(tensor.shape) == [2, 3] and tensor.data.shape == (2, 3)
        assert tensor.data.dtype == np.dtype(expected)
        assert tensor.element_type == ov.Type(np.dtype(expected))
        assert tensor.get_size() == 6 and tensor.size == 6
        assert tensor.get_byte_size() == tensor.byte_size == 6 * np.dtype(expected).itemsize


def test_tensor_shared_memory_and_copies(ov):
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    shared, copied = ov.Tensor(array, shared_memory=True), ov.Tensor(array)
    reshaped = ov.Tensor(array, [4, 3])  # the array's memory, another shape
    array[0, 0] = 100
    assert shared.data[0, 0] == 100 and reshaped.data[0, 0] == 100 and copied.data[0, 0] == 0
    assert list(reshaped.shape) == [4, 3]
    shared.data[2, 3] = -1
    assert array[2, 3] == -1
    with pytest.raises(RuntimeError):  # a strided view cannot be shared
        ov.Tensor(array[:, ::2], shared_memory=True)
    assert ov.Tensor(array[:, ::2]).is_continuous()  # a copy can


def test_tensor_strides_and_continuity(ov):
    tensor = ov.Tensor(np.zeros((3, 4), np.float32))
    assert list(tensor.strides) == [16, 4] and list(tensor.get_strides()) == [16, 4]
    assert tensor.is_continuous()
    assert list(ov.Tensor(np.zeros((2, 5), np.int16)).strides) == [10, 2]


def test_tensor_region(ov):
    parent = ov.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    region = ov.Tensor(parent, [1, 1], [3, 3])
    assert region.data.tolist() == [[5, 6], [9, 10]] and list(region.shape) == [2, 2]
    assert list(region.strides) == [16, 4] and not region.is_continuous()
    region.data[0, 0] = -5
    assert parent.data[1, 1] == -5  # a view of the parent


def test_tensor_reinterprets_an_arrays_bytes(ov):
    array = np.array([1.0, 2.0], np.float32)
    as_int = ov.Tensor(array, ov.Shape([2]), ov.Type.i32)
    assert as_int.element_type == ov.Type.i32 and as_int.data.tolist() == [0x3F800000, 0x40000000]
    halves = ov.Tensor(array, [4], ov.Type.f16)
    assert list(halves.shape) == [4] and halves.data.dtype == np.float16
    as_int.data[0] = 0
    assert array[0] == 0  # the same memory
    raw = np.arange(6, dtype=np.float32)
    assert ov.Tensor(raw, [2, 3], ov.Type.f32).data.tolist() == raw.reshape(2, 3).tolist()
    with pytest.raises(RuntimeError):
        ov.Tensor(np.zeros((4, 4), np.float32)[:, ::2], [8], ov.Type.f32)


def test_tensor_copy_to_and_copy_from(ov):
    source = ov.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    target = ov.Tensor(ov.Type.f32, [1])
    source.copy_to(target)
    assert list(target.shape) == [3, 4] and target.data.tolist() == source.data.tolist()
    memory = np.zeros((3, 4), np.float32)
    in_place = ov.Tensor(memory, shared_memory=True)
    source.copy_to(in_place)  # same shape: written into the shared memory
    assert memory.tolist() == source.data.tolist()
    target.copy_from(np.full((2, 2), 7, np.float32))
    assert list(target.shape) == [2, 2] and target.data.tolist() == [[7, 7], [7, 7]]
    target.copy_from(ov.Tensor(np.ones(5, np.float32)))
    assert target.data.tolist() == [1] * 5
    with pytest.raises(RuntimeError):
        source.copy_to(ov.Tensor(ov.Type.i32, [3, 4]))
    with pytest.raises(RuntimeError):
        target.copy_from(np.ones(5))  # float64 into an f32 tensor


def test_a_tensor_given_to_infer_is_the_requests_tensor(ov):
    request = ov.compile_model(one_input_model(ov)).create_infer_request()
    tensor = ov.Tensor(np.full((2, 3), 2, np.float32))
    assert request.infer(tensor)[0].tolist() == [[2.0] * 3] * 2
    assert request.infer({0: tensor})[0].tolist() == [[2.0] * 3] * 2
    request.set_input_tensor(tensor)
    request.infer()
    tensor.data[:] = 5  # the request holds this tensor's memory
    assert request.infer()[0].tolist() == [[5.0] * 3] * 2
    assert request.get_input_tensor().data.tolist() == [[5.0] * 3] * 2


@pytest.mark.parametrize("name", ["AsyncInferQueue", "tensor_from_file", "Version", "get_version",
                                  "Tensor", "InferRequest", "Core"])
def test_runtime_names_are_exported(ov, name):
    assert getattr(ov, name) is not None
    if ov.__name__ == "ov_notebook":
        assert name in ov.__all__


def test_async_infer_queue_raises_an_inference_failure_once():
    """A kernel that fails after the inference started: wait_all raises it, then the queue goes
    on."""
    import ov_notebook as ov
    from ov_notebook import opset as ops
    from ov_notebook.runtime import KernelError

    x = ops.parameter([-1], np.float32, name="x")
    queue = ov.AsyncInferQueue(ov.compile_model(ov.Model([ops.reshape(x, [2, 3], False)], [x])),
                               2)
    done = []
    queue.set_callback(lambda request, userdata: done.append(userdata))
    queue.start_async(np.ones(5, np.float32), "bad")  # 5 elements cannot take shape [2, 3]
    with pytest.raises(KernelError, match="cannot reshape"):
        queue.wait_all()
    queue.wait_all()  # raised once
    queue.start_async(np.ones(6, np.float32), "good")
    queue.wait_all()
    assert done == ["good"]
