"""Profiling (PERF_COUNT, InferRequest.get_profiling_info), the runtime model's rt_info and the
per-node callback. Where the behaviour is OpenVINO's, one test body runs on real ``openvino`` (on
the IR we write) and on ``ov_notebook``."""
import datetime
import os

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime import NodeCallbackError
from oracle import openvino_model

openvino = pytest.importorskip("openvino")
enable_profiling = pytest.importorskip("openvino.properties").enable_profiling

RUNTIME_RT_INFO = ("layerType", "execOrder", "originalLayersNames", "runtimePrecision",
                   "outputPrecisions", "primitiveType")


def conv_model():
    """Convolution + Relu (one fused step in both runtimes), then a Softmax step."""
    x = ops.parameter([1, 3, 8, 8], np.float32, name="x")
    weights = np.random.default_rng(0).standard_normal((4, 3, 3, 3)).astype(np.float32)
    conv = ops.convolution(x, ops.constant(weights), [1, 1], [1, 1], [1, 1], [1, 1], name="conv")
    relu = ops.relu(conv, name="relu")
    return ov.Model([ops.softmax(relu, 1, name="softmax")], [x], "conv_model")


def feed():
    return np.random.default_rng(1).standard_normal((1, 3, 8, 8)).astype(np.float32)


@pytest.fixture(params=["openvino", "ov_notebook"])
def runtime(request):
    return openvino if request.param == "openvino" else ov


def compile_in(runtime, model, config=None):
    if runtime is openvino:
        return openvino.Core().compile_model(openvino_model(model), "CPU", config or {})
    return ov.compile_model(model, "CPU", config)


def rt_value(node, key) -> str:
    value = node.get_rt_info()[key]
    return value.astype(str) if hasattr(value, "astype") else value  # openvino's OVAny


# --- as OpenVINO ------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["PERF_COUNT", enable_profiling])
def test_perf_count_times_every_executed_node(runtime, key):
    compiled = compile_in(runtime, conv_model(), {key: True})
    request = compiled.create_infer_request()
    request.infer(feed())
    records = request.get_profiling_info()
    assert [r.node_name for r in request.profiling_info] == [r.node_name for r in records]
    for record in records:
        assert isinstance(record, runtime.ProfilingInfo)
        assert all(isinstance(getattr(record, field), str)
                   for field in ("node_name", "node_type", "exec_type"))
        for time in (record.real_time, record.cpu_time):
            assert isinstance(time, datetime.timedelta) and time >= datetime.timedelta(0)
        assert record.status in (runtime.ProfilingInfo.Status.EXECUTED,
                                 runtime.ProfilingInfo.Status.NOT_RUN)
    by_type = {r.node_type: r for r in records}
    assert by_type["Parameter"].status == runtime.ProfilingInfo.Status.NOT_RUN
    assert by_type["Result"].status == runtime.ProfilingInfo.Status.NOT_RUN
    executed = [r for r in records if r.status == runtime.ProfilingInfo.Status.EXECUTED]
    runtime_names = {n.get_friendly_name() for n in compiled.get_runtime_model().get_ordered_ops()}
    assert executed and {r.node_name for r in executed} <= runtime_names


def test_without_perf_count_every_record_is_not_run(runtime):
    compiled = compile_in(runtime, conv_model())
    request = compiled.create_infer_request()
    before = request.get_profiling_info()
    request.infer(feed())
    after = request.get_profiling_info()
    assert before and [r.node_name for r in before] == [r.node_name for r in after]
    for record in before + after:
        assert record.status == runtime.ProfilingInfo.Status.NOT_RUN
        assert record.real_time == record.cpu_time == datetime.timedelta(0)


def test_records_before_the_first_profiled_inference_are_not_run(runtime):
    request = compile_in(runtime, conv_model(), {"PERF_COUNT": True}).create_infer_request()
    assert all(r.status == runtime.ProfilingInfo.Status.NOT_RUN and not r.real_time
               for r in request.get_profiling_info())


def test_perf_count_values_and_the_core_property(runtime):
    core = runtime.Core()
    assert core.get_property("CPU", "PERF_COUNT") is False
    core.set_property("CPU", {"PERF_COUNT": "YES"})
    assert core.get_property("CPU", "PERF_COUNT") is True
    core.set_property("CPU", {enable_profiling: False})
    assert core.get_property("CPU", "PERF_COUNT") is False
    for bad in ("maybe", 3, None):
        with pytest.raises((ValueError, RuntimeError), match="PERF_COUNT"):
            core.set_property("CPU", {"PERF_COUNT": bad})


def test_profiling_info_defaults_and_status_values(runtime):
    record = runtime.ProfilingInfo()
    assert (record.node_name, record.node_type, record.exec_type) == ("", "", "")
    assert record.real_time == record.cpu_time == datetime.timedelta(0)
    status = runtime.ProfilingInfo.Status
    assert record.status == status.NOT_RUN
    assert [int(status.NOT_RUN), int(status.OPTIMIZED_OUT), int(status.EXECUTED)] == [0, 1, 2]
    assert runtime.ProfilingInfo.EXECUTED == status.EXECUTED
    assert str(status.EXECUTED) == "Status.EXECUTED"


def test_runtime_model_rt_info(runtime):
    model = conv_model()
    compiled = compile_in(runtime, model)
    nodes = compiled.get_runtime_model().get_ordered_ops()
    for node in nodes:
        assert set(RUNTIME_RT_INFO) <= set(node.get_rt_info().keys()), node.get_friendly_name()
    orders = [int(rt_value(n, "execOrder")) for n in nodes]
    assert len(set(orders)) == len(orders)
    layer_types = {n.get_type_name(): rt_value(n, "layerType") for n in nodes}
    assert layer_types["Parameter"] == "Input" and layer_types["Result"] == "Output"
    conv = next(n for n in nodes if "conv" in rt_value(n, "originalLayersNames").split(","))
    assert "relu" in rt_value(conv, "originalLayersNames").split(",")  # fused in both
    assert rt_value(conv, "outputPrecisions") == "f32"


def test_inference_num_threads_is_read_back(runtime):
    compiled = compile_in(runtime, conv_model(), {"INFERENCE_NUM_THREADS": 1})
    assert compiled.get_property("INFERENCE_NUM_THREADS") == 1


# --- ov_notebook: one record per step ---------------------------------------------------------
def steps_of(compiled) -> list:
    """The runtime-model nodes that run a kernel, in execution order."""
    return [n for n in compiled.get_runtime_model().get_ordered_ops()
            if n.get_type_name() not in ("Parameter", "Constant", "Result")]


def test_one_executed_record_per_step_named_as_the_runtime_model():
    compiled = ov.compile_model(conv_model(), "CPU", {"PERF_COUNT": True})
    assert compiled.get_property("PERF_COUNT") is True
    request = compiled.create_infer_request()
    request.infer(feed())
    executed = [r for r in request.get_profiling_info()
                if r.status == ov.ProfilingInfo.Status.EXECUTED]
    steps = steps_of(compiled)
    assert [(r.node_name, r.node_type) for r in executed] == \
        [(n.get_friendly_name(), n.get_type_name()) for n in steps]
    assert [r.exec_type for r in executed] == [rt_value(n, "primitiveType") for n in steps]
    assert executed[0].node_type == "FusedConvolution"
    assert executed[0].exec_type == "fused_convolution_f32"
    assert all(r.real_time == r.cpu_time for r in executed)
    assert sum((r.real_time for r in executed), datetime.timedelta(0)) > datetime.timedelta(0)
    assert ov.compile_model(conv_model()).get_property("PERF_COUNT") is False


def test_each_request_keeps_its_own_records():
    compiled = ov.compile_model(conv_model(), "CPU", {"PERF_COUNT": True})
    ran, idle = compiled.create_infer_request(), compiled.create_infer_request()
    ran.start_async(feed())
    ran.wait()
    assert any(r.status == ov.ProfilingInfo.Status.EXECUTED for r in ran.profiling_info)
    assert all(r.status == ov.ProfilingInfo.Status.NOT_RUN for r in idle.profiling_info)


def test_runtime_model_rt_info_of_steps():
    compiled = ov.compile_model(conv_model())
    nodes = compiled.get_runtime_model().get_ordered_ops()
    assert [int(n.get_rt_info()["execOrder"]) for n in nodes] == list(range(len(nodes)))
    conv = steps_of(compiled)[0]
    assert conv.get_rt_info()["layerType"] == "FusedConvolution"
    assert conv.get_rt_info()["originalLayersNames"] == "conv,relu"
    assert conv.get_rt_info()["runtimePrecision"] == "f32"
    constant = next(n for n in nodes if n.get_type_name() == "Constant")
    assert constant.get_rt_info()["layerType"] == "Const"


def test_applied_passes_and_resolved_threads():
    compiled = ov.compile_model(conv_model())
    assert "epilogue_fusion" in compiled.get_property("APPLIED_PASSES")
    disabled = ov.compile_model(conv_model(), "CPU", {"DISABLED_PASSES": "epilogue_fusion"})
    assert "epilogue_fusion" not in disabled.get_property("APPLIED_PASSES")
    assert compiled.get_property("INFERENCE_NUM_THREADS") == os.cpu_count()  # LATENCY: all
    assert ov.compile_model(conv_model(), "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"}) \
        .get_property("INFERENCE_NUM_THREADS") == 1
    assert "APPLIED_PASSES" in ov.Core().get_property("CPU", "SUPPORTED_PROPERTIES")
    with pytest.raises(ValueError, match=r"APPLIED_PASSES is a property of a compiled model"):
        ov.Core().get_property("CPU", "APPLIED_PASSES")
    with pytest.raises(ValueError, match="property APPLIED_PASSES is read-only"):
        ov.compile_model(conv_model(), "CPU", {"APPLIED_PASSES": ()})


def test_profiling_info_is_exported_at_the_top_level():
    from ov_notebook.runtime import ProfilingInfo

    assert ov.ProfilingInfo is ProfilingInfo and "ProfilingInfo" in ov.__all__


# --- the node callback ------------------------------------------------------------------------
def test_node_callback_sees_every_step_once_with_its_outputs():
    compiled = ov.compile_model(conv_model())
    request = compiled.create_infer_request()
    seen = []
    request.set_node_callback(lambda node, outputs: seen.append((node, outputs[0].copy(), outputs)))
    result = request.infer(feed())[0]
    assert [node for node, _, _ in seen] == steps_of(compiled)
    for node, _, outputs in seen:
        assert isinstance(outputs, tuple) and len(outputs) == node.get_output_size()
        assert all(isinstance(a, np.ndarray) and not a.flags.writeable for a in outputs)
    np.testing.assert_array_equal(seen[-1][1], result)
    request.set_node_callback(None)
    request.infer(feed())
    assert len(seen) == len(steps_of(compiled))


def test_node_callback_gets_every_output_of_a_multi_output_node():
    x = ops.parameter([4, 6], np.float32, name="x")
    halves = ops.split(x, ops.constant(np.int64(1)), 2, name="halves")
    model = ov.Model([ops.subtract(halves.output(0), halves.output(1))], [x])
    request = ov.compile_model(model).create_infer_request()
    value = np.arange(24, dtype=np.float32).reshape(4, 6)
    got = {}
    request.set_node_callback(lambda node, outputs: got.setdefault(
        node.get_type_name(), [a.copy() for a in outputs]))
    request.infer(value)
    np.testing.assert_array_equal(got["Split"][0], value[:, :3])
    np.testing.assert_array_equal(got["Split"][1], value[:, 3:])


def test_node_callback_cannot_write_into_the_run():
    request = ov.compile_model(conv_model()).create_infer_request()
    refused = []

    def scribble(node, outputs):
        try:
            outputs[0][...] = 0
        except ValueError as error:
            refused.append(str(error))

    request.set_node_callback(scribble)
    result = request.infer(feed())[0]
    assert refused and all("read-only" in message for message in refused)
    np.testing.assert_array_equal(result, ov.compile_model(conv_model())(feed())[0])


def test_an_error_in_the_node_callback_names_the_node():
    request = ov.compile_model(conv_model()).create_infer_request()

    def fail(node, outputs):
        raise ArithmeticError("range check")

    request.set_node_callback(fail)
    with pytest.raises(NodeCallbackError, match=r"node callback failed on the outputs of "
                       r"FusedConvolution 'conv' \(fused from conv, relu\): "
                       r"ArithmeticError: range check") as caught:
        request.infer(feed())
    assert caught.value.node.get_friendly_name() == "conv"
    assert isinstance(caught.value.__cause__, ArithmeticError)
    request.start_async(feed())
    with pytest.raises(NodeCallbackError, match="FusedConvolution 'conv'"):
        request.wait()


def test_node_callback_must_be_callable():
    request = ov.compile_model(conv_model()).create_infer_request()
    with pytest.raises(TypeError, match=r"set_node_callback needs a callable, called as "
                                        r"callback\(node, outputs\) .* got int"):
        request.set_node_callback(5)


def test_node_callback_and_profiling_together():
    compiled = ov.compile_model(conv_model(), "CPU", {"PERF_COUNT": True})
    request = compiled.create_infer_request()
    names = []
    request.set_node_callback(lambda node, outputs: names.append(node.get_friendly_name()))
    request.infer(feed())
    assert names == [r.node_name for r in request.profiling_info
                     if r.status == ov.ProfilingInfo.Status.EXECUTED]
