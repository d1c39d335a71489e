"""For the same graph, save_model writes the same .xml text and .bin bytes as openvino.save_model
(after dropping the line where OpenVINO records its own version)."""

import numpy as np
import openvino
import openvino.opset13 as ov_ops
import pytest

import ov_notebook as ov
from ov_notebook import opset as our_ops
from oracle import saved_ir


def _named(node, name):
    node.set_friendly_name(name)
    return node


def mixed_graph(lib, Model, Dimension):
    """Dynamic and interval dims, odd tensor names, shared and out-of-f16-range weights, model
    rt_info with nested, non-XML-name, list and bool values, two outputs."""
    x = lib.parameter([1, 3, -1, -1], np.float32, name="x")
    y = lib.parameter([Dimension(1, 10), 3], np.float32, name="y")
    w = np.linspace(-1, 1, 3, dtype=np.float32).reshape(1, 3, 1, 1)
    relu = lib.relu(x, name="r")
    scaled = lib.multiply(relu, lib.constant(w, name="w1"), name="mul")
    shifted = lib.add(scaled, lib.constant(w.copy(), name="w2"), name="add")
    out = lib.add(shifted, lib.constant(np.full((1, 3, 1, 1), 1e6, np.float32), name="big"),
                  name="add2")
    out.output(0).set_names({"out,1", "out<&>\"'", "z"})
    converted = lib.convert(y, "i64", name="cv")
    converted.output(0).set_names({"yres"})
    clamped = lib.clamp(lib.convert(converted, "f32", name="cv2"), 0.1, 6.0, name="clamp")
    clamped.output(0).set_names({"clamped"})  # OpenVINO 2026 names unnamed outputs; we do not
    model = Model([_named(lib.result(out), "out_result"), _named(lib.result(clamped), "res2")],
                  [x, y], "mixed")
    model.set_rt_info("pytorch", ["ov_notebook", "framework"])
    model.set_rt_info('{"a": [1, "b"]}', ["ov_notebook", "input_tree"])
    model.set_rt_info("v", ["weird key"])
    model.set_rt_info([1, 2, 3], ["numbers"])
    model.set_rt_info(True, ["flag"])
    return model


def scalar_and_empty_graph(lib, Model, Dimension):
    x = lib.parameter([], np.float32, name="x")
    z = lib.parameter([0], np.float32, name="z")
    scalar = lib.add(x, lib.constant(np.float32(1.5), name="one_and_half"), name="sum")
    empty = lib.add(z, lib.constant(np.zeros(0, np.float32), name="nothing"), name="empty")
    dynamic = lib.parameter(openvino.PartialShape.dynamic() if lib is ov_ops
                            else ov.PartialShape.dynamic(), np.float32, name="any")
    relu = lib.relu(dynamic, name="relu")
    for index, node in enumerate((scalar, empty, relu)):
        node.output(0).set_names({f"t{index}"})
    return Model([_named(lib.result(scalar), "r0"), _named(lib.result(empty), "r1"),
                  _named(lib.result(relu), "r2")], [x, z, dynamic], "s")


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
@pytest.mark.parametrize("build", [mixed_graph, scalar_and_empty_graph], ids=lambda b: b.__name__)
def test_same_files_as_openvino(build, compress, tmp_path):
    theirs = saved_ir(build(ov_ops, openvino.Model, openvino.Dimension), openvino.save_model,
                    tmp_path / "theirs", compress)
    ours = saved_ir(build(our_ops, ov.Model, ov.Dimension), ov.save_model, tmp_path / "ours",
                  compress)
    assert ours[0] == theirs[0]
    if build is scalar_and_empty_graph:  # OpenVINO writes one byte for the empty constant
        assert ours[1] == theirs[1][:len(ours[1])]
    else:
        assert ours[1] == theirs[1]


def test_disable_fp16_compression_mark_keeps_a_weight(tmp_path):
    x = our_ops.parameter([2], np.float32, name="x")
    kept = our_ops.constant(np.array([1.0, 2.0], np.float32), name="kept")
    kept.rt_info["disable_fp16_compression_0"] = ""
    model = ov.Model([our_ops.add(x, kept)], [x])
    ov.save_model(model, tmp_path / "m.xml")
    assert 'element_type="f32"' in (tmp_path / "m.xml").read_text()
