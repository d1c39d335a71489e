"""The structure trees (ov_notebook.ir.structure) and infer_structured round trips."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ov_notebook as ov
from ov_notebook.ir import structure
from ov_notebook.ir.structure import StructureError

from conftest import assert_same_structure


def _spec_example_tree():
    # forward(self, a, b) called as model(a, (b, c, (d, e)))
    nested = structure.sequence("tuple", [structure.leaf(3), structure.leaf(4)])
    return structure.call(["a", "b"], [structure.leaf(0), structure.sequence(
        "tuple", [structure.leaf(1), structure.leaf(2), nested])])


def test_paths_and_names_of_nested_tuples():
    tree = _spec_example_tree()
    assert structure.count_leaves(tree) == 5
    assert structure.leaf_paths(tree) == ["a", "b[0]", "b[1]", "b[2][0]", "b[2][1]"]
    assert structure.leaf_names(tree) == ["a", "b.0", "b.1", "b.2.0", "b.2.1"]


def test_dict_leaves_take_their_keys_and_outputs_without_keys_are_unnamed():
    inputs = structure.call(["inputs"], [structure.mapping(
        ["input_ids", "past"], [structure.leaf(0), structure.sequence(
            "tuple", [structure.leaf(1), structure.leaf(2)])])])
    assert structure.leaf_names(inputs) == ["input_ids", "past.0", "past.1"]
    assert structure.leaf_paths(inputs) == ['inputs["input_ids"]', 'inputs["past"][0]',
                                            'inputs["past"][1]']
    outputs = structure.sequence("tuple", [structure.leaf(0), structure.mapping(
        ["logits"], [structure.leaf(1)])])
    assert structure.leaf_names(outputs) == [None, "logits"]
    assert structure.leaf_paths(outputs) == ["[0]", '[1]["logits"]']
    assert structure.leaf_paths(structure.leaf(0)) == [""]


def test_name_collisions_are_resolved_deterministically():
    def mask_dict(first):
        return structure.mapping(["mask"], [structure.leaf(first)])

    tree = structure.call(["a", "b", "mask"], [mask_dict(0), mask_dict(1), structure.leaf(2)])
    assert structure.leaf_names(tree) == ["mask", "b.mask", "mask_1"]


def test_encode_decode_round_trip_and_validation():
    tree = _spec_example_tree()
    text = structure.encode(tree)
    assert isinstance(text, str) and structure.decode(text) == tree
    with pytest.raises(StructureError):
        structure.decode('{"kind": "bogus"}')
    with pytest.raises(StructureError):
        structure.decode('{"kind": "leaf"}')


def test_flatten_and_unflatten_call():
    tree = structure.call(["x", "pair", "mask"], [
        structure.leaf(0), structure.sequence("tuple", [structure.leaf(1), structure.leaf(2)]),
        structure.none()], positions=[0, 1, 2])
    assert structure.flatten_call(tree, ("X", ("P0", "P1")), {}) == ["X", "P0", "P1"]
    assert structure.flatten_call(tree, ("X",), {"pair": ["P0", "P1"]}) == ["X", "P0", "P1"]
    assert structure.unflatten(tree, ["X", "P0", "P1"]) == (("X", ("P0", "P1"), None), {})
    with pytest.raises(StructureError, match="missing argument 'pair'"):
        structure.flatten_call(tree, ("X",), {})
    with pytest.raises(StructureError, match=r"pair: expected a tuple of 2"):
        structure.flatten_call(tree, ("X", ("P0",)), {})
    with pytest.raises(StructureError, match="unexpected argument"):
        structure.flatten_call(tree, ("X", ("P0", "P1")), {"other": 1})


def test_unflatten_call_uses_keywords_after_a_gap():
    # forward(x, mask=None, y=None) converted with {"x": ..., "y": ...}
    tree = structure.call(["x", "y"], [structure.leaf(0), structure.leaf(1)], positions=[0, 2])
    assert structure.unflatten(tree, ["X", "Y"]) == (("X",), {"y": "Y"})


def test_dict_values_must_have_the_converted_keys():
    tree = structure.mapping(["a", "b"], [structure.leaf(0), structure.leaf(1)])
    assert structure.flatten(tree, {"b": 2, "a": 1}) == [1, 2]
    with pytest.raises(StructureError, match="missing"):
        structure.flatten(tree, {"a": 1})


class _DictModel(torch.nn.Module):
    def forward(self, x, pair, scale):
        return {"logits": x * scale + pair[0], "extra": (pair[1] - x, [x.sum(-1)])}


@pytest.fixture(scope="module")
def dict_model():
    torch.manual_seed(0)
    x, pair = torch.randn(2, 3), (torch.randn(2, 3), torch.randn(2, 3))
    model = ov.convert_model(_DictModel(), example_input=(x, pair, 2.0))
    return model, (x, pair, 2.0)


def test_infer_structured_returns_the_original_structure(dict_model):
    model, (x, pair, scale) = dict_model
    compiled = ov.compile_model(model)
    expected = _DictModel()(x, pair, scale)
    assert_same_structure(compiled.infer_structured(x, pair, scale), expected)
    # keywords, numpy inputs and another scale all go through the same tree
    other = _DictModel()(x, pair, torch.tensor(3.0))
    result = compiled.infer_structured(x.numpy(), scale=np.float32(3.0),
                                       pair=[p.numpy() for p in pair])
    assert_same_structure(result, other)


def test_infer_structured_survives_save_and_read(dict_model, tmp_path):
    model, (x, pair, scale) = dict_model
    path = tmp_path / "model.xml"
    ov.save_model(model, str(path))
    reread = ov.Core().read_model(str(path))
    info = reread.rt_info["ov_notebook"]
    assert info["framework"] == "pytorch" and info["route"] in ("export", "torchscript")
    assert structure.decode(info["input_tree"]) == structure.decode(
        model.rt_info["ov_notebook"]["input_tree"])
    assert [p.rt_info["structure_path"] for p in reread.get_parameters()] == \
        ["x", "pair[0]", "pair[1]", "scale"]
    assert [r.rt_info["structure_path"] for r in reread.get_results()] == \
        ['["logits"]', '["extra"][0]', '["extra"][1][0]']
    result = ov.compile_model(reread).infer_structured(x, pair, scale)
    assert_same_structure(result, _DictModel()(x, pair, scale))


def test_infer_structured_rejects_wrong_arguments(dict_model):
    model, (x, pair, scale) = dict_model
    compiled = ov.compile_model(model)
    with pytest.raises(StructureError, match="pair"):
        compiled.infer_structured(x, (pair[0],), scale)


def test_infer_structured_needs_a_recorded_structure():
    from ov_notebook import opset as ops

    parameter = ops.parameter([2], ov.Type.f32, name="x")
    compiled = ov.compile_model(ov.Model([ops.relu(parameter)], [parameter]))
    with pytest.raises(ValueError, match="no recorded input/output structure"):
        compiled.infer_structured(np.ones(2, np.float32))
