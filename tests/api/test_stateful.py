"""Stateful models: ReadValue/Assign with variables, Model sinks, per-request variable state
(``query_state``, ``reset_state``, ``VariableState``), IR as OpenVINO writes it — one test body
run on ``openvino`` and on ``ov_notebook``."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ov_notebook as ov

openvino = pytest.importorskip("openvino")
openvino_opset6 = pytest.importorskip("openvino.opset6")


@pytest.fixture(params=["openvino", "ov_notebook"])
def lib(request):
    """``(module, op builders)``: real OpenVINO and ov_notebook, the same test body on each."""
    if request.param == "openvino":
        return openvino, openvino_opset6
    from ov_notebook import opset

    return ov, opset


def accumulator(module, ops, init=None, name="acc"):
    """``y = state + x``; the state becomes ``y``: a running sum over inferences."""
    x = ops.parameter([1, 3], np.float32, name="x")
    init = ops.constant(np.zeros((1, 3), np.float32) if init is None else init, name="init")
    read = ops.read_value(init, name, np.float32, [1, 3], name="read")
    total = ops.add(read, x, name="total")
    total.output(0).set_names({"total"})
    store = ops.assign(total, name)
    store.set_friendly_name("store")  # openvino's assign(name=) names its input, not the Assign
    return module.Model([ops.result(total, name="out")], [store], [x], "accumulator")


ONES = np.ones((1, 3), np.float32)


def test_state_accumulates_per_request_and_resets(lib):
    module, ops = lib
    compiled = module.compile_model(accumulator(module, ops, np.full((1, 3), 5, np.float32)))
    request = compiled.create_infer_request()
    sums = [request.infer({"x": ONES})[0][0, 0] for _ in range(3)]
    assert sums == [6.0, 7.0, 8.0]  # the init value, then each stored sum
    states = request.query_state()
    assert [state.name for state in states] == ["acc"]
    np.testing.assert_array_equal(states[0].state.data, np.full((1, 3), 8, np.float32))
    other = compiled.create_infer_request()  # its own variables
    assert other.infer({"x": ONES})[0][0, 0] == 6.0
    states[0].state = module.Tensor(np.full((1, 3), 100, np.float32))
    assert request.infer({"x": ONES})[0][0, 0] == 101.0
    request.reset_state()
    assert request.infer({"x": ONES})[0][0, 0] == 6.0
    states = request.query_state()
    states[0].reset()
    assert request.infer({"x": ONES})[0][0, 0] == 6.0


def test_compiled_model_calls_keep_state(lib):
    module, ops = lib
    compiled = module.compile_model(accumulator(module, ops))
    assert [compiled({"x": ONES})[0][0, 0] for _ in range(2)] == [1.0, 2.0]


def test_read_value_without_init_starts_from_zeros(lib):
    module, ops = lib
    read = ops.read_value("cache", np.float32, [-1, 2], name="read")
    model = module.Model([ops.result(read)], [ops.assign(read, "cache")], [], "empty")
    assert str(read.get_output_partial_shape(0)) == "[?,2]"
    request = module.compile_model(model).create_infer_request()
    assert request.infer()[0].shape == (0, 2)  # dynamic dimensions start at 0
    request.query_state()[0].state = module.Tensor(np.arange(6, dtype=np.float32).reshape(3, 2))
    np.testing.assert_array_equal(request.infer()[0], np.arange(6).reshape(3, 2))
    request.reset_state()
    assert request.infer()[0].shape == (0, 2)


def test_model_sinks_and_variables(lib):
    module, ops = lib
    model = accumulator(module, ops)
    sinks = model.get_sinks()
    assert [sink.get_type_name() for sink in sinks] == ["Assign"]
    assert sinks[0].get_friendly_name() == "store"
    assert [op.get_type_name() for op in model.get_ordered_ops()] == [
        "Parameter", "Constant", "ReadValue", "Add", "Assign", "Result"]
    variables = model.get_variables()
    assert [v.get_info().variable_id for v in variables] == ["acc"]
    assert str(variables[0].get_info().data_shape) == "[1,3]"
    # a model made without its sinks gets them added
    x = ops.parameter([2], np.float32, name="x")
    read = ops.read_value(x, "v", np.float32, [2])
    store = ops.assign(ops.add(read, x), "v")
    bare = module.Model([ops.result(read)], [x], "bare")
    assert bare.get_sinks() == []
    bare.add_sinks([store])
    assert [s.get_type_name() for s in bare.get_sinks()] == ["Assign"]


def test_read_value_shape_and_type_inference(lib):
    _, ops = lib
    init = ops.parameter([2, 3], np.float32)
    assert str(ops.read_value(init, "a", np.float32, [-1, 3]).get_output_partial_shape(0)) \
        == "[?,3]"
    assert str(ops.read_value(init, "b").get_output_partial_shape(0)) == "[2,3]"
    assert ops.read_value(init, "c").get_output_element_type(0) == \
        init.get_output_element_type(0)
    read = ops.read_value("d", np.int64, [4])
    assert str(read.get_output_partial_shape(0)) == "[4]"
    assert read.get_variable_id() == "d"
    assert read.get_type_name() == "ReadValue"
    with pytest.raises(Exception, match=r"(?i)shape|type|variable"):  # init incompatible
        ops.read_value(init, "e", np.float32, [5, 3])


def test_constant_folding_and_dead_code_keep_state():
    """A ReadValue of a constant is not a constant, and the Assign nothing reads still runs."""
    from ov_notebook import opset as ops

    model = accumulator(ov, ops)
    compiled = ov.compile_model(model)
    kept = [op.get_type_name() for op in compiled.get_runtime_model().get_ordered_ops()]
    assert "ReadValue" in kept and "Assign" in kept
    request = compiled.create_infer_request()
    assert [request.infer({"x": ONES})[0][0, 0] for _ in range(2)] == [1.0, 2.0]


def _layers_and_edges(path) -> str:
    text = path.read_text()
    text = re.sub(r'\t\t<info name="OpenVINO Runtime" value="[^"]*" />\n', "", text)
    return text.replace("\t<rt_info>\n\t</rt_info>\n", "")


def test_ir_is_what_openvino_writes(tmp_path):
    from ov_notebook import opset as ops

    openvino.save_model(accumulator(openvino, openvino_opset6), tmp_path / "theirs.xml",
                        compress_to_fp16=False)
    ov.save_model(accumulator(ov, ops), tmp_path / "ours.xml", compress_to_fp16=False)
    assert _layers_and_edges(tmp_path / "ours.xml") == _layers_and_edges(tmp_path / "theirs.xml")
    empty = {}
    for name, module, builders in (("theirs", openvino, openvino_opset6), ("ours", ov, ops)):
        read = builders.read_value("cache", np.float32, [-1, 2], name="read")
        read.output(0).set_names({"cache_out"})  # OpenVINO 2026 names unnamed outputs; we do not
        result = builders.result(read, name="out")
        store = builders.assign(read, "cache")
        store.set_friendly_name("store")
        model = module.Model([result], [store], [], "m")
        module.save_model(model, tmp_path / f"{name}_empty.xml")
        empty[name] = _layers_and_edges(tmp_path / f"{name}_empty.xml")
    assert empty["ours"] == empty["theirs"]


@pytest.mark.parametrize("direction", ["openvino reads ours", "we read openvino's"])
def test_state_survives_the_ir_round_trip(direction, tmp_path):
    from ov_notebook import opset as ops

    if direction == "openvino reads ours":
        ov.save_model(accumulator(ov, ops), tmp_path / "m.xml")
        model = openvino.Core().read_model(tmp_path / "m.xml")
        module = openvino
    else:
        openvino.save_model(accumulator(openvino, openvino_opset6), tmp_path / "m.xml")
        model = ov.read_model(tmp_path / "m.xml")
        module = ov
    assert [s.get_type_name() for s in model.get_sinks()] == ["Assign"]
    request = module.compile_model(model).create_infer_request()
    assert [request.infer({"x": ONES})[0][0, 0] for _ in range(3)] == [1.0, 2.0, 3.0]
    assert [state.name for state in request.query_state()] == ["acc"]


def test_bad_state_values_are_clear_errors():
    from ov_notebook import opset as ops

    request = ov.compile_model(accumulator(ov, ops)).create_infer_request()
    state = request.query_state()[0]
    with pytest.raises(ValueError, match=r"variable 'acc' has shape \[1,3\], got \[2, 2\]"):
        state.state = np.zeros((2, 2), np.float32)
    with pytest.raises(TypeError, match=r"variable 'acc' holds f32, got complex64"):
        state.state = np.zeros((1, 3), np.complex64)
    with pytest.raises(TypeError, match=r"read_value\(\).*variable_id"):
        ops.read_value(ops.parameter([1], np.float32), 3)
