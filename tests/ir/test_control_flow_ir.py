"""Loop-5 and If-8: built with the same API as openvino's, they infer the same shapes, write the
same IR text as ``openvino.save_model``, read back (ours and OpenVINO's files), and compute on our
runtime what real OpenVINO computes from our IR."""
import re

import numpy as np
import openvino
import openvino.opset8 as ov_ops
import pytest

import ov_notebook as ov
from ov_notebook import opset as our_ops
from ov_notebook.ir import OpValidationError, compare_models, read_model
from ov_notebook.ir.ops import control_flow as cf
from oracle import assert_outputs_match, named, named_result, run_openvino, run_ours, saved_ir

LIBRARIES = {"openvino": (ov_ops, openvino), "ov_notebook": (our_ops, ov)}


def loop_graph(lib, api, trip_count=3, rows=3, condition_limit=10.0):
    """acc <- acc + y * row_i while sum(acc) < limit (merged, invariant, sliced inputs, the
    iteration number, a concatenated and a last-value output)."""
    i = named(lib.parameter([], np.int64, name="i"), "i", "i")
    acc = named(lib.parameter([2, 3], np.float32, name="acc"), "acc", "acc")
    y_in = named(lib.parameter([2, 3], np.float32, name="y_in"), "y_in", "y_in")
    row = named(lib.parameter([1, 3], np.float32, name="row"), "row", "row")
    scaled = named(lib.multiply(y_in, row), "scaled", "scaled")
    index = named(lib.convert(i, "f32"), "index", "index")
    step = named(lib.add(scaled, index), "step", "step")
    total = named(lib.add(acc, step), "total", "total")
    axes = named(lib.constant(np.array([0, 1], np.int64)), "axes", None)
    sums = named(lib.reduce_sum(total, axes), "sums", "sums")
    limit = named(lib.constant(np.float32(condition_limit)), "limit", None)
    go_on = named(lib.less(sums, limit), "go_on", "go_on")
    zero = named(lib.constant(np.array([0], np.int64)), "zero", None)
    stacked = named(lib.unsqueeze(total, zero), "stacked", "stacked")
    body = api.Model([named_result(lib, go_on, "r_go_on"), named_result(lib, total, "r_total"),
                      named_result(lib, stacked, "r_stacked")], [i, acc, y_in, row], "body")
    x = named(lib.parameter([2, 3], np.float32, name="x"), "x", "x")
    y = named(lib.parameter([2, 3], np.float32, name="y"), "y", "y")
    table = named(lib.parameter([rows, 3], np.float32, name="table"), "table", "table")
    trip = named(lib.constant(np.int64(trip_count)), "trip", None)
    start = named(lib.constant(True), "start", None)
    loop = named(lib.loop(trip, start), "loop")
    loop.set_function(body)
    loop.set_special_body_ports([0, 0])
    loop.set_merged_input(acc, x.output(0), total.output(0))
    loop.set_invariant_input(y_in, y.output(0))
    loop.set_sliced_input(row, table.output(0), 0, 1, 1, -1, 0)
    last = loop.get_iter_value(total.output(0), -1)
    every = loop.get_concatenated_slices(stacked.output(0), 0, 1, 1, -1, 0)
    last.set_names({"last"})
    every.set_names({"every"})
    return api.Model([named_result(lib, last, "out_last"), named_result(lib, every, "out_every")],
                     [x, y, table], "looped")


def if_graph(lib, api):
    """c ? a * b : a - 1, with b feeding the then-body only; b's first dim is dynamic."""
    ta = named(lib.parameter([2, 3], np.float32, name="ta"), "ta", "ta")
    tb = named(lib.parameter([-1, 3], np.float32, name="tb"), "tb", "tb")
    product = named(lib.multiply(ta, tb), "product", "product")
    then_body = api.Model([named_result(lib, product, "r_product")], [ta, tb], "then")
    ea = named(lib.parameter([2, 3], np.float32, name="ea"), "ea", "ea")
    one = named(lib.constant(np.float32(1)), "one", None)
    less_one = named(lib.subtract(ea, one), "less_one", "less_one")
    else_body = api.Model([named_result(lib, less_one, "r_less_one")], [ea], "else")
    c = named(lib.parameter([], np.bool_, name="c"), "c", "c")
    a = named(lib.parameter([2, 3], np.float32, name="a"), "a", "a")
    b = named(lib.parameter([-1, 3], np.float32, name="b"), "b", "b")
    branch = named(lib.if_op(c), "branch")
    branch.set_then_body(then_body)
    branch.set_else_body(else_body)
    branch.set_input(a.output(0), ta, ea)
    branch.set_input(b.output(0), tb, None)
    out = branch.set_output(then_body.get_results()[0], else_body.get_results()[0])
    out.set_names({"chosen"})
    return api.Model([named_result(lib, out, "out")], [c, a, b], "branched")


def nested_graph(lib, api):
    """A Loop whose body holds an If: acc <- (i < 2) ? acc * 2 : acc + 1, three times."""
    ta = named(lib.parameter([2], np.float32, name="ta"), "ta", "ta")
    two = named(lib.constant(np.float32(2)), "two", None)
    doubled = named(lib.multiply(ta, two), "doubled", "doubled")
    then_body = api.Model([named_result(lib, doubled, "r_doubled")], [ta], "then")
    ea = named(lib.parameter([2], np.float32, name="ea"), "ea", "ea")
    one = named(lib.constant(np.float32(1)), "one", None)
    plus = named(lib.add(ea, one), "plus", "plus")
    else_body = api.Model([named_result(lib, plus, "r_plus")], [ea], "else")
    i = named(lib.parameter([], np.int64, name="i"), "i", "i")
    acc = named(lib.parameter([2], np.float32, name="acc"), "acc", "acc")
    bound = named(lib.constant(np.int64(2)), "bound", None)
    early = named(lib.less(i, bound), "early", "early")
    branch = named(lib.if_op(early.output(0)), "branch")  # openvino: a Node picks If()
    branch.set_then_body(then_body)
    branch.set_else_body(else_body)
    branch.set_input(acc.output(0), ta, ea)
    chosen = branch.set_output(then_body.get_results()[0], else_body.get_results()[0])
    chosen.set_names({"chosen"})
    keep = named(lib.constant(True), "keep", "keep")
    body = api.Model([named_result(lib, keep, "r_keep"), named_result(lib, chosen, "r_chosen")], [i, acc],
                     "body")
    x = named(lib.parameter([2], np.float32, name="x"), "x", "x")
    loop = named(lib.loop(named(lib.constant(np.int64(3)), "trip", None),
                           named(lib.constant(True), "start", None)), "loop")
    loop.set_function(body)
    loop.set_special_body_ports([0, 0])
    loop.set_merged_input(acc, x.output(0), chosen)
    out = loop.get_iter_value(chosen, -1)
    out.set_names({"out"})
    return api.Model([named_result(lib, out, "result")], [x], "nested")


GRAPHS = {"loop": loop_graph, "if": if_graph, "nested": nested_graph}
INPUTS = {
    "loop": lambda rng: [rng.uniform(-1, 1, (2, 3)).astype(np.float32),
                         rng.uniform(-1, 1, (2, 3)).astype(np.float32),
                         rng.uniform(-1, 1, (3, 3)).astype(np.float32)],
    "if": lambda rng: [np.array(rng.random() < 0.5), rng.uniform(-1, 1, (2, 3)).astype(np.float32),
                       rng.uniform(-1, 1, (2, 3)).astype(np.float32)],
    "nested": lambda rng: [rng.uniform(-1, 1, (2,)).astype(np.float32)],
}


def _signature(model):
    return [(o.get_element_type().get_type_name(), str(o.get_partial_shape()))
            for o in model.outputs]


@pytest.mark.parametrize("graph", GRAPHS)
def test_inferred_types_and_shapes_match_openvino(graph):
    results = {name: _signature(GRAPHS[graph](*libs)) for name, libs in LIBRARIES.items()}
    assert results["ov_notebook"] == results["openvino"]


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
@pytest.mark.parametrize("graph", GRAPHS)
def test_same_files_as_openvino(graph, compress, tmp_path):
    theirs = saved_ir(GRAPHS[graph](ov_ops, openvino), openvino.save_model, tmp_path / "theirs",
                    compress)
    ours = saved_ir(GRAPHS[graph](our_ops, ov), ov.save_model, tmp_path / "ours", compress)
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
@pytest.mark.parametrize("graph", GRAPHS)
def test_round_trip_and_openvino_written_ir(graph, compress, tmp_path):
    model = GRAPHS[graph](our_ops, ov)
    ov.save_model(model, tmp_path / "ours.xml", compress_to_fp16=compress)
    back = read_model(tmp_path / "ours.xml")
    assert compare_models(model, back, fold_decompression=compress, rtol=1e-3 if compress else 0,
                          atol=1e-3 if compress else 0) == []
    openvino.save_model(GRAPHS[graph](ov_ops, openvino), tmp_path / "theirs.xml",
                        compress_to_fp16=compress)
    theirs = read_model(tmp_path / "theirs.xml")
    assert compare_models(model, theirs, rt_info=False, fold_decompression=compress,
                          rtol=1e-3 if compress else 0, atol=1e-3 if compress else 0) == []


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("graph", GRAPHS)
def test_runtime_matches_openvino_reading_our_ir(graph, seed, tmp_path):
    model = GRAPHS[graph](our_ops, ov)
    inputs = INPUTS[graph](np.random.default_rng(seed))
    assert_outputs_match(run_ours(model, inputs), run_openvino(model, inputs, tmp_path),
                         rtol=1e-5, atol=1e-6, what=graph)


def test_loop_stops_when_the_body_condition_fails():
    # sum(acc) stays below the limit for the first iterations only: fewer slices come out
    model = loop_graph(our_ops, ov, trip_count=8, rows=8, condition_limit=9.0)
    x = np.ones((2, 3), np.float32)
    y = np.zeros((2, 3), np.float32)
    table = np.zeros((8, 3), np.float32)
    last, every = run_ours(model, [x, y, table])
    # acc: 6 -> +0 (i=0, sum 6 < 9) -> +1 (i=1, sum 12 >= 9): stops after 2 iterations
    assert every.shape == (2, 2, 3)
    np.testing.assert_array_equal(last, np.full((2, 3), 2, np.float32))
    reference = run_openvino(model, [x, y, table])
    assert_outputs_match([last, every], reference)


def test_dynamic_shapes_where_iterations_or_branches_differ():
    model = loop_graph(our_ops, ov)
    assert str(model.output(1).get_partial_shape()) == "[?,2,3]"  # the condition decides
    acc = our_ops.parameter([-1], np.float32, name="acc")
    grown = our_ops.concat([acc, our_ops.constant(np.zeros(1, np.float32))], 0)
    body = ov.Model([our_ops.constant(True), grown], [acc])
    loop = our_ops.loop(our_ops.constant(np.int64(4)), our_ops.constant(True))
    loop.set_function(body)
    loop.set_special_body_ports([-1, 0])
    start = our_ops.parameter([2], np.float32, name="start")
    loop.set_merged_input(acc, start.output(0), grown.output(0))
    out = loop.get_iter_value(grown.output(0), -1)
    assert str(out.get_partial_shape()) == "[1..]"  # grows per iteration (OpenVINO infers so)
    np.testing.assert_array_equal(run_ours(ov.Model([out], [start]), [np.ones(2, np.float32)])[0],
                                  [1, 1, 0, 0, 0, 0])
    then_x = our_ops.parameter([2, 3], np.float32)
    else_x = our_ops.parameter([2, 3], np.float32)
    branch = our_ops.if_op(our_ops.parameter([], np.bool_))
    branch.set_then_body(ov.Model([then_x], [then_x]))
    flat = our_ops.reshape(else_x, our_ops.constant(np.array([3, 2], np.int64)), False)
    branch.set_else_body(ov.Model([flat], [else_x]))
    branch.set_input(our_ops.parameter([2, 3], np.float32).output(0), then_x, else_x)
    out = branch.set_output(branch.get_then_body().get_results()[0],
                            branch.get_else_body().get_results()[0])
    assert str(out.get_partial_shape()) == "[?,?]"


def test_if_with_a_known_condition_takes_that_branch_shape():
    then_x, else_x = our_ops.parameter([2, 3], np.float32), our_ops.parameter([2, 3], np.float32)
    branch = our_ops.if_op(our_ops.constant(False))
    branch.set_then_body(ov.Model([then_x], [then_x]))
    flat = our_ops.reshape(else_x, our_ops.constant(np.array([6], np.int64)), False)
    branch.set_else_body(ov.Model([flat], [else_x]))
    x = our_ops.parameter([2, 3], np.float32, name="x")
    branch.set_input(x.output(0), then_x, else_x)
    out = branch.set_output(branch.get_then_body().get_results()[0],
                            branch.get_else_body().get_results()[0])
    assert str(out.get_partial_shape()) == "[6]"
    model = ov.Model([our_ops.relu(out)], [x])
    compiled = ov.compile_model(model)
    assert "If" not in {n.get_type_name() for n in compiled.get_runtime_model().get_ops()}
    data = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
    np.testing.assert_array_equal(compiled(data)[0], np.maximum(data.reshape(6), 0))


def test_bodies_are_compiled_once_and_only_the_taken_branch_runs():
    model = if_graph(our_ops, ov)
    compiled = ov.compile_model(model)
    request = compiled.create_infer_request()
    a = np.ones((2, 3), np.float32)
    # b has 5 rows: the then-body cannot broadcast it, so the else-body alone must run
    np.testing.assert_array_equal(request.infer([np.array(False), a, np.ones((5, 3),
                                                np.float32)])[0], a - 1)
    with pytest.raises(RuntimeError, match="If 'branch'"):
        request.infer([np.array(True), a, np.ones((5, 3), np.float32)])


def test_clone_copies_the_bodies():
    model = loop_graph(our_ops, ov)
    clone = model.clone()
    loops = [n for m in (model, clone) for n in m.get_ordered_ops() if n.get_type_name() == "Loop"]
    assert loops[0].get_function() is not loops[1].get_function()
    assert compare_models(model, clone) == []


def test_bad_bodies_and_ports_are_named():
    loop = our_ops.loop(our_ops.constant(np.int64(3)), our_ops.constant(True))
    with pytest.raises(TypeError, match="a body must be a Model"):
        loop.set_function("body")
    with pytest.raises(OpValidationError, match="body is not set"):
        loop.set_invariant_input(our_ops.parameter([1], np.float32),
                                 our_ops.parameter([1], np.float32).output(0))
    x = our_ops.parameter([1], np.float32)
    loop.set_function(ov.Model([our_ops.constant(True), x], [x]))
    with pytest.raises(OpValidationError, match="not a Parameter of the body"):
        loop.set_invariant_input(our_ops.parameter([1], np.float32),
                                 our_ops.parameter([1], np.float32).output(0))
    with pytest.raises(OpValidationError, match="trip count must be a scalar"):
        our_ops.loop(our_ops.constant(np.array([1, 2], np.int64)), our_ops.constant(True))
    with pytest.raises(OpValidationError, match="condition must be boolean"):
        our_ops.if_op(our_ops.parameter([], np.float32))
    with pytest.raises(OpValidationError, match="current_iteration body input 4 does not exist"):
        loop.set_special_body_ports([4, 0])


def test_descriptions_compare_by_value():
    assert cf.MergedInput(2, 1, 1) == cf.MergedInput(2, 1, 1) != cf.InvariantInput(2, 1)
    assert repr(cf.BodyOutput(0, 1, -1)) == "BodyOutput(0, 1, -1)"


def test_bodies_are_compiled_once(monkeypatch):
    from ov_notebook.runtime.kernels import control_flow as kernels

    compiled_bodies = []
    original = kernels.compile_body
    monkeypatch.setattr(kernels, "compile_body",
                        lambda body: compiled_bodies.append(body) or original(body))
    model = nested_graph(our_ops, ov)  # a Loop body holding an If: three bodies in all
    compiled = ov.compile_model(model)
    assert len(compiled_bodies) == 3
    rng = np.random.default_rng(0)
    for _ in range(3):
        compiled(INPUTS["nested"](rng))
    assert len(compiled_bodies) == 3


@pytest.mark.parametrize("corrupt, message", [
    (lambda xml: xml.replace('<edge from-layer="15" to-layer="1" />',
                             '<edge from-layer="3" to-layer="1" />'),
     "back edge 3 -> 1 must go from a body Result to a body Parameter"),
    (lambda xml: xml.replace('internal_layer_id="2" />', 'internal_layer_id="5" />', 1),
     "refers to body layer 5, which is not a body Parameter"),
    (lambda xml: re.sub(r"<body>.*</body>", "", xml, flags=re.S), "no <body>"),
    (lambda xml: re.sub(r"<port_map>.*</port_map>", "", xml, flags=re.S), "no port map"),
])
def test_malformed_sub_graphs_are_named(corrupt, message, tmp_path):
    ov.save_model(loop_graph(our_ops, ov), tmp_path / "m.xml", compress_to_fp16=False)
    text = corrupt((tmp_path / "m.xml").read_text())
    (tmp_path / "m.xml").write_text(text)
    with pytest.raises(ov.IRReadError, match=re.escape(message)):
        read_model(tmp_path / "m.xml")


def test_bodies_go_through_constant_folding_and_dead_code():
    from ov_notebook.runtime.kernels.control_flow import compile_body

    x = our_ops.parameter([2], np.float32)
    plus_zero = our_ops.add(our_ops.relu(x), our_ops.constant(np.zeros(2, np.float32)))
    six = our_ops.multiply(our_ops.constant(np.float32(2)), our_ops.constant(np.float32(3)))
    body = ov.Model([our_ops.multiply(plus_zero, six)], [x])
    plan = compile_body(body)
    assert [step.node.get_type_name() for step in plan.steps] == ["Relu", "Multiply"]
    assert len(body.get_ordered_ops()) == 9  # the op's own body is left as it was
    np.testing.assert_array_equal(plan.run([np.array([-1, 2], np.float32)])[0], [0, 12])


@pytest.mark.parametrize("stride", [1, -1], ids=["forward", "backward"])
def test_sliced_input_and_concatenated_output_directions(stride, tmp_path):
    """Columns fed one per iteration (last first when the stride is negative), the doubled
    columns concatenated back in the same direction, a running sum merged."""
    column = our_ops.parameter([2, 1], np.float32, name="column")
    total = our_ops.parameter([1], np.float32, name="total")
    column_sum = our_ops.reshape(our_ops.reduce_sum(column, our_ops.constant(np.array([0, 1]))),
                                 our_ops.constant(np.array([1])), False)
    running = our_ops.add(our_ops.multiply(total, our_ops.constant(np.float32(10))), column_sum)
    doubled = our_ops.multiply(column, our_ops.constant(np.float32(2)))
    body = ov.Model([our_ops.constant(True), running, doubled], [column, total])
    loop = our_ops.loop(our_ops.constant(np.int64(5)), our_ops.constant(True))
    loop.set_function(body)
    loop.set_special_body_ports([-1, 0])
    x = our_ops.parameter([2, 5], np.float32, name="x")
    start = our_ops.parameter([1], np.float32, name="start")
    first, last = (0, -1) if stride > 0 else (-1, 0)
    loop.set_sliced_input(column, x.output(0), first, stride, 1, last, 1)
    loop.set_merged_input(total, start.output(0), running.output(0))
    model = ov.Model([loop.get_iter_value(running.output(0), -1),
                      loop.get_concatenated_slices(doubled.output(0), first, stride, 1, last, 1)],
                     [x, start])
    inputs = [np.arange(10, dtype=np.float32).reshape(2, 5), np.zeros(1, np.float32)]
    ours = run_ours(model, inputs)
    columns = inputs[0].sum(0)[::stride]  # 5, 7, 9, 11, 13 in the order the body sees them
    assert ours[0][0] == pytest.approx(sum(c * 10 ** (4 - i) for i, c in enumerate(columns)))
    np.testing.assert_array_equal(ours[1], inputs[0] * 2)
    assert_outputs_match(ours, run_openvino(model, inputs, tmp_path))
