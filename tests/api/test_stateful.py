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
    # infer_new_request runs a new request: its variables start from their initial values
    assert [compiled.infer_new_request({"x": ONES})[0][0, 0] for _ in range(2)] == [1.0, 1.0]


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
    named = module.Model(model.get_results(), sinks, model.get_parameters(), variables, "named")
    assert named.get_friendly_name() == "named" and len(named.get_sinks()) == 1
    # a model made without its sinks gets them added
    x = ops.parameter([2], np.float32, name="x")
    read = ops.read_value(x, "v", np.float32, [2])
    store = ops.assign(ops.add(read, x), "v")
    bare = module.Model([ops.result(read)], [x], "bare")
    assert bare.get_sinks() == []
    bare.add_sinks([store])
    assert [s.get_type_name() for s in bare.get_sinks()] == ["Assign"]
    assert bare.get_sink_index(store) == 0
    bare.remove_sink(store)
    assert bare.get_sinks() == []


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


# --- MakeStateful ------------------------------------------------------------------------------
def running_sum_stateless(module, ops):
    """``total = past + x`` with ``past`` an input and ``total`` an output: what MakeStateful
    turns into a running sum."""
    x = ops.parameter([1, 3], np.float32, name="x")
    past = ops.parameter([1, 3], np.float32, name="past")
    total = ops.add(past, x, name="total")
    total.output(0).set_names({"total"})
    doubled = ops.multiply(total, ops.constant(np.float32(2)), name="doubled")
    doubled.output(0).set_names({"doubled"})
    return module.Model([ops.result(doubled), ops.result(total)], [x, past], "running")


@pytest.fixture(params=["openvino", "ov_notebook"])
def make_stateful_lib(request):
    if request.param == "openvino":
        from openvino._offline_transformations import apply_make_stateful_transformation

        return openvino, openvino_opset6, apply_make_stateful_transformation
    from ov_notebook import opset

    return ov, opset, ov.apply_make_stateful_transformation


def test_apply_make_stateful_transformation(make_stateful_lib):
    module, ops, apply = make_stateful_lib
    model = running_sum_stateless(module, ops)
    apply(model, {"past": "total"})
    assert [port.get_any_name() for port in model.inputs] == ["x"]
    assert [port.get_any_name() for port in model.outputs] == ["doubled"]
    assert [sink.get_type_name() for sink in model.get_sinks()] == ["Assign"]
    assert [v.get_info().variable_id for v in model.get_variables()] == ["pasttotal"]
    request = module.compile_model(model).create_infer_request()
    assert [request.infer({"x": ONES})[0][0, 0] for _ in range(3)] == [2.0, 4.0, 6.0]
    assert [state.name for state in request.query_state()] == ["pasttotal"]


def test_make_stateful_finds_the_cache_by_name_without_structure():
    """An IR named as optimum-intel names it (past_key_values.N.key -> present.N.key)."""
    from ov_notebook import opset as ops

    ids = ops.parameter([-1, -1], np.int64, name="input_ids")
    past = ops.parameter([-1, 2, -1, 4], np.float32, name="past_key_values.0.key")
    # each step appends the token id, broadcast to [batch, 2, 1, 4], along the sequence axis
    token = ops.reshape(ops.convert(ids, "f32"), [-1, 1, 1, 1], False)
    batch = ops.gather(ops.shape_of(ids), [0], 0)
    new_entry = ops.broadcast(token, ops.concat([batch, ops.constant(np.array([2, 1, 4]))], 0))
    present = ops.concat([past, new_entry], 2)
    present.output(0).set_names({"present.0.key"})
    logits = ops.reduce_sum(present, [1, 2, 3], False)
    logits.output(0).set_names({"logits"})
    model = ov.Model([logits, present], [ids, past], "named")
    ov.make_stateful(model)
    assert [p.get_any_name() for p in model.inputs] == ["input_ids", "beam_idx"]
    assert [v.get_info().variable_id for v in model.get_variables()] == \
        ["past_key_values.0.keypresent.0.key"]
    request = ov.compile_model(model).create_infer_request()
    feeds = {"input_ids": np.array([[3]]), "beam_idx": np.zeros(1, np.int32)}
    assert [request.infer(feeds)["logits"][0] for _ in range(3)] == [24.0, 48.0, 72.0]


def test_make_stateful_errors_name_what_is_missing():
    from ov_notebook import opset as ops

    with pytest.raises(ValueError, match=r"no input named 'nope'"):
        ov.apply_make_stateful_transformation(running_sum_stateless(ov, ops), {"nope": "total"})
    with pytest.raises(ValueError, match=r"no cache inputs \(named like past_key_values.0.key\)"):
        ov.make_stateful(running_sum_stateless(ov, ops))


# --- stateful LLMs -----------------------------------------------------------------------------
transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")
from tests.tiny_llms import (ARCHITECTURES, KV_HEADS, HEAD_SIZE, LAYERS,  # noqa: E402
                             convert_with_cache, greedy_torch, tiny_decoder, token_ids)

STEPS = 20
# OpenVINO's CPU plugin stores a stateful model's KV cache in u8 unless told otherwise
CORE_CONFIG = {"INFERENCE_PRECISION_HINT": "f32", "KV_CACHE_PRECISION": "f32"}


@pytest.fixture(scope="module", params=ARCHITECTURES)
def stateful_decoder(request, tmp_path_factory):
    """(torch model, our stateful model, path of its IR) for a tiny Llama or Qwen2."""
    model = tiny_decoder(request.param)
    converted = convert_with_cache(ov, model)
    ov.make_stateful(converted)
    path = tmp_path_factory.mktemp(request.param) / "decoder.xml"
    ov.save_model(converted, path, compress_to_fp16=False)  # f32 weights: torch's numbers
    return model, converted, path


def _request(runtime, converted, path):
    if runtime == "openvino":
        core = openvino.Core()
        return core.compile_model(core.read_model(path), "CPU", CORE_CONFIG).create_infer_request()
    return ov.compile_model(ov.read_model(path)).create_infer_request()


def _generate(request, prompt, steps):
    """Greedy generation on a stateful model: ``(tokens, last-position logits per step)``."""
    request.reset_state()
    ids, mask = prompt.numpy(), np.ones(prompt.shape, np.int64)
    tokens, logits = [], []
    for _ in range(steps):
        result = request.infer({"input_ids": ids, "attention_mask": mask,
                                "beam_idx": np.zeros(1, np.int32)})
        last = np.asarray(result["logits"])[0, -1]
        logits.append(last)
        tokens.append(int(last.argmax()))
        ids = np.array([[tokens[-1]]], np.int64)
        mask = np.concatenate([mask, np.ones((1, 1), np.int64)], axis=1)
    return tokens, logits


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("runtime", ["ov_notebook", "openvino"])
def test_greedy_generation_matches_torch(stateful_decoder, runtime):
    model, converted, path = stateful_decoder
    prompt = token_ids(6, seed=3)
    expected, expected_logits = greedy_torch(model, prompt, STEPS)
    request = _request(runtime, converted, path)
    tokens, logits = _generate(request, prompt, STEPS)
    assert tokens == expected
    np.testing.assert_allclose(np.stack(logits), expected_logits, rtol=1e-4, atol=1e-4)
    again, _ = _generate(request, prompt, 3)  # reset_state starts a new sequence
    assert again == expected[:3]


def test_stateful_signature_and_variables(stateful_decoder):
    _, converted, path = stateful_decoder
    assert [port.get_any_name() for port in converted.inputs] == \
        ["input_ids", "attention_mask", "beam_idx"]
    assert converted.input("beam_idx").get_element_type() == ov.Type.i32
    assert [port.get_any_name() for port in converted.outputs] == ["logits"]
    ids = [f"past_key_values.{i}.{kind}cache.{i}.{kind}" for i in range(LAYERS)
           for kind in ("key", "value")]
    assert sorted(v.get_info().variable_id for v in converted.get_variables()) == sorted(ids)
    theirs = openvino.Core().read_model(path)  # what OpenVINO reads: the same variables
    assert len(theirs.get_sinks()) == 2 * LAYERS
    assert sorted(v.get_info().variable_id for v in theirs.get_variables()) == sorted(ids)
    assert all(str(v.get_info().data_shape) == f"[?,{KV_HEADS},?,{HEAD_SIZE}]"
               for v in theirs.get_variables())


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("runtime", ["ov_notebook", "openvino"])
def test_state_is_the_kv_cache_and_beam_idx_reorders_it(stateful_decoder, runtime):
    model, converted, path = stateful_decoder
    prompts = torch.cat([token_ids(5, seed=7), token_ids(5, seed=8)])  # a batch of 2
    request = _request(runtime, converted, path)
    request.reset_state()
    mask = np.ones((2, 5), np.int64)
    request.infer({"input_ids": prompts.numpy(), "attention_mask": mask,
                   "beam_idx": np.arange(2, dtype=np.int32)})
    with torch.no_grad():
        cache = model(input_ids=prompts, use_cache=True).past_key_values
    states = {state.name: np.asarray(state.state.data) for state in request.query_state()}
    for i, layer in enumerate(cache.layers):
        np.testing.assert_allclose(states[f"past_key_values.{i}.keycache.{i}.key"],
                                   layer.keys.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(states[f"past_key_values.{i}.valuecache.{i}.value"],
                                   layer.values.numpy(), rtol=1e-4, atol=1e-5)
    # beam search keeps row 1 twice: both rows continue from its cache
    step = np.array([[11], [12]], np.int64)
    mask = np.ones((2, 6), np.int64)
    result = request.infer({"input_ids": step, "attention_mask": mask,
                            "beam_idx": np.array([1, 1], np.int32)})
    cache.reorder_cache(torch.tensor([1, 1]))
    with torch.no_grad():
        expected = model(input_ids=torch.from_numpy(step), attention_mask=torch.from_numpy(mask),
                         past_key_values=cache).logits
    np.testing.assert_allclose(np.asarray(result["logits"]), expected.numpy(), rtol=1e-4,
                               atol=1e-4)


def test_stateful_ir_written_by_openvino_runs_here(stateful_decoder, tmp_path):
    model, _, path = stateful_decoder
    openvino.save_model(openvino.Core().read_model(path), tmp_path / "theirs.xml",
                        compress_to_fp16=False)
    theirs = ov.read_model(tmp_path / "theirs.xml")
    assert len(theirs.get_sinks()) == 2 * LAYERS
    prompt = token_ids(5, seed=9)
    expected, expected_logits = greedy_torch(model, prompt, 10)
    tokens, logits = _generate(ov.compile_model(theirs).create_infer_request(), prompt, 10)
    assert tokens == expected
    np.testing.assert_allclose(np.stack(logits), expected_logits, rtol=1e-4, atol=1e-4)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_infer_structured_after_make_stateful(stateful_decoder):
    model, converted, _ = stateful_decoder
    compiled = ov.compile_model(converted)
    prompt = token_ids(4, seed=5)
    result = compiled.infer_structured(input_ids=prompt, attention_mask=torch.ones_like(prompt),
                                       beam_idx=np.zeros(1, np.int32))
    assert list(result) == ["logits"]
    with torch.no_grad():
        expected = model(input_ids=prompt).logits.numpy()
    np.testing.assert_allclose(result["logits"], expected, rtol=1e-4, atol=1e-4)


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")
def test_make_stateful_on_a_traced_decoder_with_the_cache_argument(monkeypatch):
    """transformers 5 calls the cache argument ``cache``: make_stateful finds the cache by the
    structure the model was converted with, not by name; the trace route converts it here."""
    import copy

    import ov_notebook.frontend.torch as torch_frontend
    from tests.tiny_llms import kv_input_spec, prefill_cache

    monkeypatch.setattr(torch_frontend, "_exportable", lambda model: False)
    model = tiny_decoder("llama", seed=1)
    example = {"input_ids": token_ids(2, 2), "attention_mask": torch.ones(1, 7, dtype=torch.int64),
               "cache": copy.deepcopy(prefill_cache(model, 5))}
    spec = [(name.replace("past_key_values", "cache"), shape) for name, shape in kv_input_spec()]
    converted = ov.convert_model(model, example_input=example, input=spec)
    assert converted.rt_info["ov_notebook"]["route"] == "torchscript"
    assert converted.inputs[2].get_any_name() == "cache.0.key"
    ov.make_stateful(converted)
    assert [port.get_any_name() for port in converted.inputs] == \
        ["input_ids", "attention_mask", "beam_idx"]
    prompt = token_ids(6, seed=4)
    expected, expected_logits = greedy_torch(model, prompt, 8)
    tokens, logits = _generate(ov.compile_model(converted).create_infer_request(), prompt, 8)
    assert tokens == expected
    np.testing.assert_allclose(np.stack(logits), expected_logits, rtol=1e-4, atol=1e-4)
