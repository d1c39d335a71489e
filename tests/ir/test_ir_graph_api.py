"""Node, port and Model API, next to what openvino's API does for the same graph."""
import re

import numpy as np
import openvino
import openvino.opset13 as ov_ops
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import OpValidationError, compare_models


def _pair():
    """The same two-input, two-output graph built with ov_notebook and with openvino."""
    built = []
    for lib, Model in ((ops, ov.Model), (ov_ops, openvino.Model)):
        x = lib.parameter([1, 3, 4, 4], np.float32, name="x")
        y = lib.parameter([-1, 3], np.float32, name="y")
        x.output(0).set_names({"zeta", "alpha", "x"})
        r = lib.relu(x, name="r")
        m = lib.multiply(r, lib.constant(np.float32(2)), name="mul")
        m.output(0).set_names({"scaled"})
        t = lib.tanh(y, name="t")
        t.output(0).set_names({"tanh_out"})
        built.append(Model([m, t], [x, y], "net"))
    return built


def test_ports_match_openvino():
    ours, theirs = _pair()
    for mine, other in zip(ours.inputs + ours.outputs, theirs.inputs + theirs.outputs):
        assert mine.get_any_name() == mine.any_name == other.get_any_name()
        assert mine.get_names() == mine.names == other.get_names()
        assert str(mine.get_partial_shape()) == str(mine.partial_shape) == str(
            other.get_partial_shape())
        assert mine.get_element_type() == mine.element_type == other.get_element_type().get_type_name()
        assert mine.get_index() == mine.index == other.get_index()
    assert list(ours.input(0).get_shape()) == list(theirs.input(0).get_shape())
    assert ours.input("alpha") == ours.input(0) and ours.input(ours.inputs[1]) == ours.input(1)
    assert ours.output("tanh_out").get_node().get_type_name() == "Result"
    unordered = re.compile(r"names\[[^\]]*\]")  # OpenVINO prints the name set unordered
    assert unordered.sub("", repr(ours)) == unordered.sub("", repr(theirs))


def test_port_lookup_errors():
    ours, _ = _pair()
    with pytest.raises(KeyError, match="no input named 'nope'"):
        ours.input("nope")
    with pytest.raises(IndexError):
        ours.output(5)
    with pytest.raises(ValueError, match="2 inputs"):
        ours.input()
    with pytest.raises(ValueError, match="dynamic shape"):
        ours.input(1).get_shape()


def test_ordered_ops_parameters_first_results_last_and_topological():
    ours, theirs = _pair()
    ordered = ours.get_ordered_ops()
    assert [n.get_type_name() for n in ordered[:2]] == ["Parameter", "Parameter"]
    assert [n.get_type_name() for n in ordered[-2:]] == ["Result", "Result"]
    position = {id(n): i for i, n in enumerate(ordered)}
    for node in ordered:
        for source in node.input_values():
            assert position[id(source.get_node())] < position[id(node)]
    assert sorted(n.get_type_name() for n in ours.get_ops()) == sorted(
        n.get_type_name() for n in theirs.get_ordered_ops())
    assert len(ours.get_parameters()) == 2 and len(ours.get_results()) == 2


def test_nodes_match_openvino():
    ours, theirs = _pair()
    mine = {n.get_friendly_name(): n for n in ours.get_ordered_ops()}
    other = {n.get_friendly_name(): n for n in theirs.get_ordered_ops()}
    for name in ("x", "r", "mul", "t"):
        a, b = mine[name], other[name]
        assert a.get_type_name() == b.get_type_name()
        assert a.get_type_info().name == b.get_type_info().name
        assert a.get_type_info().version_id == b.get_type_info().version_id
        assert a.friendly_name == b.friendly_name == name
        assert len(a.inputs()) == len(b.inputs()) and len(a.outputs()) == len(b.outputs())
        assert {k: str(v) for k, v in a.get_attributes().items()} == {
            k: str(v).replace(" ", "") if isinstance(v, list) else str(v)
            for k, v in b.get_attributes().items()}
        assert a.get_element_type() == "f32"
        if b.get_output_partial_shape(0).is_static:
            assert str(a.shape) == str(b.shape)
    assert mine["mul"].input(0).get_source_output() == mine["r"].output(0)
    assert mine["r"].output(0).get_target_inputs() == {mine["mul"].input(0)}


def test_rt_info_on_nodes_ports_and_model():
    ours, _ = _pair()
    node = ours.get_ordered_ops()[2]
    node.get_rt_info()["module_path"] = "layer1.0"
    node.set_rt_info("Conv2d", "module_type")
    assert node.rt_info == {"module_path": "layer1.0", "module_type": "Conv2d"}
    node.output(0).set_rt_info("v", "k")
    node.input(0).rt_info["i"] = "j"
    assert node.output(0).get_rt_info() == {"k": "v"} and node.input(0).get_rt_info() == {"i": "j"}
    ours.set_rt_info("pytorch", ["ov_notebook", "framework"])
    assert ours.get_rt_info(["ov_notebook", "framework"]) == "pytorch"
    assert ours.has_rt_info(["ov_notebook", "framework"]) and not ours.has_rt_info("x")


def test_friendly_names_and_tensor_names_are_sets():
    ours, _ = _pair()
    ours.friendly_name = "renamed"
    assert ours.get_friendly_name() == ours.name == "renamed"
    port = ours.input(0)
    port.add_names({"beta"})
    assert port.get_names() == {"alpha", "beta", "x", "zeta"} and port.get_any_name() == "alpha"
    with pytest.raises(ValueError):
        port.set_names({""})


@pytest.mark.parametrize("shapes", [
    [2, 3, 4, 4],                               # one shape for a single-input model
    {"x": [2, 3, 4, 4]},                        # by tensor name
    {0: "[2,3,4,4]"},                           # by index, as a string
    "port",                                     # by port
])
def test_reshape_single_input_forms(shapes):
    x = ops.parameter([1, 3, 4, 4], np.float32, name="x")
    model = ov.Model([ops.relu(x)], [x])
    model.reshape({model.input(0): ov.PartialShape([2, 3, 4, 4])} if shapes == "port" else shapes)
    assert model.output(0).get_partial_shape() == ov.PartialShape([2, 3, 4, 4])


def test_reshape_multi_input_dynamic_and_rollback():
    ours, theirs = _pair()
    ours.reshape({"x": [-1, 3, (1, 10), 4], 1: [5, 3]})
    theirs.reshape({"x": [-1, 3, (1, 10), 4], "y": [5, 3]})
    assert [str(o.get_partial_shape()) for o in ours.outputs] == [
        str(o.get_partial_shape()) for o in theirs.outputs] == ["[?,3,1..10,4]", "[5,3]"]
    ours.reshape([[1, 3, 2, 2], [7, 3]])  # a list: one shape per input, in order
    assert str(ours.output(1).get_partial_shape()) == "[7,3]"
    with pytest.raises(KeyError):
        ours.reshape({"nope": [1]})
    assert str(ours.output(0).get_partial_shape()) == "[1,3,2,2]"


def test_reshape_failure_keeps_previous_shapes():
    x = ops.parameter([2, 3], np.float32, name="x")
    model = ov.Model([ops.add(x, ops.constant(np.ones((2, 3), np.float32)))], [x])
    with pytest.raises(OpValidationError):
        model.reshape([4, 5])
    assert str(model.input(0).get_partial_shape()) == "[2,3]"
    assert str(model.output(0).get_partial_shape()) == "[2,3]"


def test_validate_nodes_and_infer_types_after_editing():
    x = ops.parameter([2, 3], np.float32, name="x")
    relu = ops.relu(x)
    model = ov.Model([relu], [x])
    x.set_partial_shape(ov.PartialShape([4, -1]))
    model.validate_nodes_and_infer_types()
    assert str(model.output(0).get_partial_shape()) == "[4,?]"


def test_model_construction_forms_and_errors():
    x = ops.parameter([2], np.float32, name="x")
    relu = ops.relu(x)
    assert ov.Model(relu, [x], "a").get_friendly_name() == "a"
    assert ov.Model([relu.output(0)], [x]).get_results()[0].input_value(0) == relu.output(0)
    result = ops.result(relu)
    assert ov.Model([result], [x]).get_result() is result
    assert ov.Model([relu]).get_parameters() == [x]  # parameters found when omitted
    with pytest.raises(ValueError, match="not listed"):
        ov.Model([relu], [])
    with pytest.raises(TypeError):
        ov.Model([relu], [relu])


def test_model_editing_inputs_and_outputs():
    ours, _ = _pair()
    added = ours.add_outputs(["x"])
    assert added[0].get_names() >= {"x"} and len(ours.outputs) == 3
    ours.remove_result(ours.get_results()[-1])
    fresh = ops.parameter([1, 3, 4, 4], np.float32, name="fresh")
    ours.replace_parameter(0, fresh)
    assert ours.get_parameters()[0] is fresh
    relu = next(n for n in ours.get_ordered_ops() if n.get_type_name() == "Relu")
    assert relu.input_value(0).get_node() is fresh
    extra = ops.parameter([1], np.float32, name="extra")
    ours.add_parameters([extra])
    ours.remove_parameter(extra)
    assert ours.get_parameter_index(extra) == -1


def test_clone_is_deep_and_equal():
    ours, _ = _pair()
    ours.get_ordered_ops()[2].rt_info["k"] = "v"
    clone = ours.clone()
    assert compare_models(ours, clone) == []
    assert {id(n) for n in clone.get_ordered_ops()}.isdisjoint(id(n) for n in ours.get_ordered_ops())


def test_cycles_are_refused():
    x = ops.parameter([2], np.float32, name="x")
    a = ops.relu(x)
    b = ops.relu(a)
    a.set_argument(0, b.output(0))
    with pytest.raises(OpValidationError, match="cycle"):
        ov.Model([b], [x]).get_ordered_ops()
