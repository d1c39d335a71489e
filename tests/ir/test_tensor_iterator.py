"""TensorIterator-1: built with openvino's API (``opset1.tensor_iterator()``), it infers the same
shapes, writes the same IR as ``openvino.save_model``, reads back (ours and OpenVINO's files) and
computes on our runtime what real OpenVINO computes."""

import numpy as np
import openvino
import openvino.opset1 as ov_ops1
import openvino.opset8 as ov_ops
import pytest

import ov_notebook as ov
from ov_notebook import opset as our_ops
from ov_notebook.ir import OpValidationError, compare_models, read_model
from oracle import assert_outputs_match, named, named_result, run_openvino, run_ours, saved_ir

LIBRARIES = {"openvino": (ov_ops, openvino), "ov_notebook": (our_ops, ov)}
# openvino's CPU plugin may run MatMuls in bf16 where the CPU has it: compare in f32
F32 = {"INFERENCE_PRECISION_HINT": "f32"}


def _new_tensor_iterator(lib):
    return (ov_ops1 if lib is ov_ops else our_ops).tensor_iterator()


def rnn_graph(lib, api, steps=5, start=0, end=-1, stride=1, part_size=1):
    """h <- tanh(x_t W + h) over the sequence axis 1 of x (sliced, merged, invariant inputs; the
    last h and every h concatenated)."""
    bx = named(lib.parameter([2, part_size, 3], np.float32, name="bx"), "bx", "bx")
    bh = named(lib.parameter([2, 4], np.float32, name="bh"), "bh", "bh")
    bw = named(lib.parameter([3, 4], np.float32, name="bw"), "bw", "bw")
    flat = named(lib.reshape(bx, named(lib.constant(np.array([2, 3 * part_size], np.int64)),
                                         "flat_shape"), False), "flat", "flat")
    first = named(lib.slice(flat, named(lib.constant(np.array([0], np.int64)), "s0"),
                             named(lib.constant(np.array([3], np.int64)), "s1"),
                             named(lib.constant(np.array([1], np.int64)), "s2"),
                             named(lib.constant(np.array([1], np.int64)), "s3")),
                   "first", "first")
    product = named(lib.matmul(first, bw, False, False), "product", "product")
    h_next = named(lib.tanh(named(lib.add(product, bh), "pre", "pre")), "h_next", "h_next")
    one = named(lib.constant(np.array([1], np.int64)), "one")
    step = named(lib.unsqueeze(h_next, one), "step", "step")
    body = api.Model([named_result(lib, h_next, "r_h"), named_result(lib, step, "r_step")], [bx, bh, bw],
                     "body")
    x = named(lib.parameter([2, steps, 3], np.float32, name="x"), "x", "x")
    h0 = named(lib.parameter([2, 4], np.float32, name="h0"), "h0", "h0")
    w = named(lib.parameter([3, 4], np.float32, name="w"), "w", "w")
    ti = named(_new_tensor_iterator(lib), "ti")
    ti.set_body(body)
    ti.set_sliced_input(bx, x.output(0), start, stride, part_size, end, 1)
    ti.set_merged_input(bh, h0.output(0), h_next.output(0))
    ti.set_invariant_input(bw, w.output(0))
    last = ti.get_iter_value(h_next.output(0), -1)
    every = ti.get_concatenated_slices(step.output(0), 0, 1, 1, -1, 1)
    last.set_names({"last"})
    every.set_names({"every"})
    return api.Model([named_result(lib, last, "out_last"), named_result(lib, every, "out_every")],
                     [x, h0, w], "rnn")


def reverse_graph(lib, api):
    """A running sum over axis 0 read backwards (stride -1), every partial sum concatenated."""
    item = named(lib.parameter([1, 2], np.float32, name="item"), "item", "item")
    acc = named(lib.parameter([1, 2], np.float32, name="acc"), "acc", "acc")
    total = named(lib.add(acc, item), "total", "total")
    body = api.Model([named_result(lib, total, "r_total")], [item, acc], "body")
    x = named(lib.parameter([4, 2], np.float32, name="x"), "x", "x")
    zero = named(lib.parameter([1, 2], np.float32, name="zero"), "zero", "zero")
    ti = named(_new_tensor_iterator(lib), "ti")
    ti.set_function(body)
    ti.set_sliced_input(item, x.output(0), -1, -1, 1, 0, 0)
    ti.set_merged_input(acc, zero.output(0), total.output(0))
    sums = ti.get_concatenated_slices(total.output(0), -1, -1, 1, 0, 0)
    sums.set_names({"sums"})
    return api.Model([named_result(lib, sums, "out")], [x, zero], "reverse")


GRAPHS = {"rnn": rnn_graph, "reverse": reverse_graph,
          "rnn_part3": lambda lib, api: rnn_graph(lib, api, steps=6, stride=3, part_size=3),
          "rnn_window": lambda lib, api: rnn_graph(lib, api, steps=7, start=1, end=-2)}
INPUTS = {
    "rnn": lambda rng: [rng.standard_normal(s).astype(np.float32)
                        for s in ([2, 5, 3], [2, 4], [3, 4])],
    "rnn_part3": lambda rng: [rng.standard_normal(s).astype(np.float32)
                              for s in ([2, 6, 3], [2, 4], [3, 4])],
    "rnn_window": lambda rng: [rng.standard_normal(s).astype(np.float32)
                               for s in ([2, 7, 3], [2, 4], [3, 4])],
    "reverse": lambda rng: [rng.standard_normal((4, 2)).astype(np.float32),
                            np.zeros((1, 2), np.float32)],
}


def _signature(model):
    node = next(n for n in model.get_ordered_ops() if n.get_type_name() == "TensorIterator")
    return [(o.get_element_type().get_type_name(), str(o.get_partial_shape()))
            for o in model.outputs], node.get_num_iterations()


@pytest.mark.parametrize("graph", GRAPHS)
def test_inferred_types_shapes_and_iterations_match_openvino(graph):
    results = {name: _signature(GRAPHS[graph](*libs)) for name, libs in LIBRARIES.items()}
    assert results["ov_notebook"] == results["openvino"]


@pytest.mark.parametrize("lib", ["openvino", "ov_notebook"])
def test_descriptions_as_openvino_reports_them(lib):
    ops, api = LIBRARIES[lib]
    node = next(n for n in GRAPHS["rnn"](ops, api).get_ordered_ops()
                if n.get_type_name() == "TensorIterator")
    sliced, merged, invariant = node.get_input_descriptions()
    assert (sliced.input_index, sliced.body_parameter_index, sliced.start, sliced.stride,
            sliced.part_size, sliced.end, sliced.axis) == (0, 0, 0, 1, 1, -1, 1)
    assert (merged.input_index, merged.body_parameter_index, merged.body_value_index) == (1, 1, 0)
    assert (invariant.input_index, invariant.body_parameter_index) == (2, 2)
    last, every = node.get_output_descriptions()
    assert (last.body_value_index, last.output_index, last.iteration) == (0, 0, -1)
    assert (every.body_value_index, every.output_index, every.part_size, every.axis) == \
        (1, 1, 1, 1)
    assert node.get_body().get_friendly_name() == node.get_function().get_friendly_name() == "body"
    assert node.get_type_name() == "TensorIterator"


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
@pytest.mark.parametrize("graph", ["rnn", "reverse"])
def test_same_files_as_openvino(graph, compress, tmp_path):
    theirs = saved_ir(GRAPHS[graph](ov_ops, openvino), openvino.save_model, tmp_path / "theirs",
                    compress)
    ours = saved_ir(GRAPHS[graph](our_ops, ov), ov.save_model, tmp_path / "ours", compress)
    assert 'type="TensorIterator" version="opset1"' in ours[0]
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]


@pytest.mark.parametrize("graph", GRAPHS)
def test_round_trip_and_openvino_written_ir(graph, tmp_path):
    model = GRAPHS[graph](our_ops, ov)
    ov.save_model(model, tmp_path / "ours.xml", compress_to_fp16=False)
    assert compare_models(model, read_model(tmp_path / "ours.xml")) == []
    openvino.save_model(GRAPHS[graph](ov_ops, openvino), tmp_path / "theirs.xml",
                        compress_to_fp16=False)
    theirs = read_model(tmp_path / "theirs.xml")
    assert compare_models(model, theirs, rt_info=False) == []


# rnn_window is left out: openvino's CPU plugin slices it from index 0 rather than its start 1
# (its own shape inference and the spec say 1: see test_a_window_starts_at_its_start)
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("graph", ["rnn", "reverse", "rnn_part3"])
def test_runtime_matches_openvino(graph, seed, tmp_path):
    inputs = INPUTS[graph](np.random.default_rng(seed))
    model = GRAPHS[graph](our_ops, ov)
    ours = run_ours(model, inputs)
    openvino.save_model(GRAPHS[graph](ov_ops, openvino), tmp_path / "theirs.xml")
    theirs = list(openvino.compile_model(str(tmp_path / "theirs.xml"), "CPU", F32)(inputs)
                  .values())
    assert_outputs_match(ours, theirs, rtol=1e-5, atol=1e-6, what=graph)
    # their file on our runtime, our file on theirs
    assert_outputs_match(run_ours(ov.read_model(tmp_path / "theirs.xml"), inputs), theirs,
                         rtol=1e-5, atol=1e-6, what=graph)
    assert_outputs_match(ours, run_openvino(model, inputs, tmp_path), rtol=1e-4, atol=1e-5,
                         what=graph)


def test_rnn_computes_the_recurrence():
    rng = np.random.default_rng(7)
    x, h, w = INPUTS["rnn"](rng)
    last, every = run_ours(GRAPHS["rnn"](our_ops, ov), [x, h, w])
    steps = []
    for t in range(5):
        h = np.tanh(x[:, t] @ w + h)
        steps.append(h)
    np.testing.assert_allclose(last, h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(every, np.stack(steps, 1), rtol=1e-5, atol=1e-6)


def test_a_window_starts_at_its_start():
    x, h, w = INPUTS["rnn_window"](np.random.default_rng(3))
    last, every = run_ours(GRAPHS["rnn_window"](our_ops, ov), [x, h, w])
    steps = []
    for t in range(1, 6):  # start 1, end -2 (index 5, included): 5 iterations
        h = np.tanh(x[:, t] @ w + h)
        steps.append(h)
    np.testing.assert_allclose(last, h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(every, np.stack(steps, 1), rtol=1e-5, atol=1e-6)


def test_reverse_slices_run_backwards():
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    (sums,) = run_ours(GRAPHS["reverse"](our_ops, ov), [x, np.zeros((1, 2), np.float32)])
    # iteration i reads row 3 - i; a stride -1 concatenation puts iteration i at row 3 - i
    np.testing.assert_array_equal(sums, np.cumsum(x[::-1], axis=0)[::-1])


def test_loop_special_ports_are_refused_in_a_tensor_iterator(tmp_path):
    openvino.save_model(GRAPHS["reverse"](ov_ops, openvino), tmp_path / "m.xml")
    text = (tmp_path / "m.xml").read_text()
    text = text.replace('</port_map>', '\t<input external_port_id="-1" internal_layer_id="0" '
                        'purpose="current_iteration" />\n\t\t\t</port_map>')
    (tmp_path / "m.xml").write_text(text)
    with pytest.raises(Exception, match="only Loop has"):
        read_model(tmp_path / "m.xml")


def test_a_non_positive_part_size_is_refused():
    item = our_ops.parameter([1, 2], np.float32, name="item")
    body = ov.Model([our_ops.result(our_ops.relu(item))], [item], "body")
    ti = our_ops.tensor_iterator()
    ti.set_body(body)
    with pytest.raises(OpValidationError, match="part_size must be positive, got 0"):
        ti.set_sliced_input(item, our_ops.parameter([4, 2], np.float32).output(0), 0, 1, 0, -1, 0)
