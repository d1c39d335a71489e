"""Signature flattening and naming: the reference document's "Supported Input Parameter Types",
"Non-tensor Data Types" and "Input and output names" sections, and ``input=``."""
from __future__ import annotations


import numpy as np
import pytest
import torch

import ov_notebook as ov
from ov_notebook.frontend.errors import ConversionError

from conftest import assert_same_structure, input_names, route_of, signature

ROUTES = ["export", "trace"]


def _t(*shape):
    return torch.randn(*shape)


def _convert(model, route, request, **kwargs):
    if route == "trace":
        request.getfixturevalue("force_trace")
    converted = ov.convert_model(model, **kwargs)
    assert route_of(converted) == ("torchscript" if route == "trace" else "export")
    return converted


def _check_run(converted, model, *args, **kwargs):
    result = ov.compile_model(converted).infer_structured(*args, **kwargs)
    with torch.no_grad():
        assert_same_structure(result, model(*args, **kwargs))


class NestedTuple(torch.nn.Module):
    def forward(self, a, b):
        return a + b[0] * b[1] - b[2][0] * b[2][1]


@pytest.mark.parametrize("route", ROUTES)
def test_nested_tuples_give_five_inputs(route, request):
    # the document: example_input=(a, (b, c, (d, e))) -> signature (a, b, c, d, e)
    a, b, c, d, e = (_t(2, 3) for _ in range(5))
    model = NestedTuple()
    converted = _convert(model, route, request, example_input=(a, (b, c, (d, e))))
    assert input_names(converted) == ["a", "b.0", "b.1", "b.2.0", "b.2.1"]
    assert [p.rt_info["structure_path"] for p in converted.get_parameters()] == \
        ["a", "b[0]", "b[1]", "b[2][0]", "b[2][1]"]
    assert [str(p.get_partial_shape()) for p in converted.inputs] == ["[2,3]"] * 5
    result = ov.compile_model(converted)([a, b, c, d, e])[0]
    np.testing.assert_allclose(result, model(a, (b, c, (d, e))).numpy(), atol=1e-5)
    _check_run(converted, model, a, (b, c, (d, e)))


class ThreeInputs(torch.nn.Module):
    def forward(self, x, y=None, z=None):
        out = x * 2
        if y is not None:
            out = out + y
        if z is not None:
            out = out - z
        return out


@pytest.mark.parametrize("route", ROUTES)
def test_dict_example_gives_inputs_named_by_keys_in_forward_order(route, request):
    x, y, z = _t(2, 3), _t(2, 3), _t(2, 3)
    model = ThreeInputs()
    converted = _convert(model, route, request, example_input={"z": z, "x": x, "y": y})
    assert input_names(converted) == ["x", "y", "z"]
    _check_run(converted, model, x, y=y, z=z)
    np.testing.assert_allclose(ov.compile_model(converted)({"z": z, "x": x, "y": y})[0],
                               model(x, y, z).numpy(), atol=1e-5)


@pytest.mark.parametrize("route", ROUTES)
def test_dict_example_may_give_some_arguments_only(route, request):
    x, z = _t(2, 3), _t(2, 3)
    model = ThreeInputs()
    converted = _convert(model, route, request, example_input={"x": x, "z": z})
    assert input_names(converted) == ["x", "z"]
    _check_run(converted, model, x, z=z)


@pytest.mark.parametrize("make", [lambda t: t, lambda t: t.numpy(), lambda t: ov.Tensor(t.numpy()),
                                  lambda t: (t,), lambda t: [t], lambda t: {"x": t}],
                         ids=["torch", "numpy", "ov.Tensor", "tuple", "list", "dict"])
def test_single_input_forms(make):
    x = _t(2, 3)
    model = ThreeInputs()
    converted = ov.convert_model(model, example_input=make(x))
    assert input_names(converted) == ["x"]
    assert str(converted.input(0).get_partial_shape()) == "[2,3]"
    np.testing.assert_allclose(ov.compile_model(converted)(x)[0], model(x).numpy(), atol=1e-5)


class TupleArgument(torch.nn.Module):
    def forward(self, pair):
        return pair[0] - pair[1]


@pytest.mark.parametrize("route", ROUTES)
def test_single_tuple_input_must_be_wrapped(route, request):
    a, b = _t(3), _t(3)
    model = TupleArgument()
    for example in [((a, b),), [(a, b)], {"pair": (a, b)}]:
        converted = _convert(model, route, request, example_input=example)
        assert input_names(converted) == ["pair.0", "pair.1"]
        _check_run(converted, model, (a, b))
    with pytest.raises(ConversionError, match=r"wrapped: example_input=\(\(a, b\),\)"):
        ov.convert_model(model, example_input=(a, b))


class DictArgument(torch.nn.Module):
    def forward(self, inputs, scale):
        return inputs["input_ids"] * scale + inputs["past"][0] - inputs["past"][1]


@pytest.mark.parametrize("route", ROUTES)
def test_dict_argument_leaves_take_their_keys(route, request):
    inputs = {"input_ids": _t(2, 4), "past": (_t(2, 4), _t(2, 4))}
    model = DictArgument()
    converted = _convert(model, route, request, example_input=(inputs, _t(4)))
    assert input_names(converted) == ["input_ids", "past.0", "past.1", "scale"]
    assert [p.rt_info["structure_path"] for p in converted.get_parameters()] == \
        ['inputs["input_ids"]', 'inputs["past"][0]', 'inputs["past"][1]', "scale"]
    _check_run(converted, model, inputs, torch.ones(4) * 3)


class CollidingKeys(torch.nn.Module):
    def forward(self, a, b, mask):
        return a["mask"] + b["mask"] + mask


def test_colliding_names_are_made_unique():
    converted = ov.convert_model(CollidingKeys(), example_input=(
        {"mask": _t(2)}, {"mask": _t(2)}, _t(2)))
    assert input_names(converted) == ["mask", "b.mask", "mask_1"]


class StructuredOutputs(torch.nn.Module):
    def forward(self, x):
        return x + 1, {"logits": x * 2, "hidden": (x - 1, x * x)}, [x.sum(0)]


@pytest.mark.parametrize("route", ROUTES)
def test_output_names_come_from_dict_keys_only(route, request):
    x = _t(2, 3)
    model = StructuredOutputs()
    converted = _convert(model, route, request, example_input=x)
    _, outputs = signature(converted)
    assert outputs == [([], "[0]"), (["logits"], '[1]["logits"]'),
                       (["hidden.0"], '[1]["hidden"][0]'), (["hidden.1"], '[1]["hidden"][1]'),
                       ([], "[2][0]")]
    _check_run(converted, model, x)


class ReturnsInputName(torch.nn.Module):
    def forward(self, x):
        return {"x": x * 2}


def test_output_names_do_not_take_input_names():
    converted = ov.convert_model(ReturnsInputName(), example_input=_t(2))
    assert input_names(converted) == ["x"]
    assert converted.output(0).get_names() == {"x_1"}


class OptionalMask(torch.nn.Module):
    def forward(self, x, mask: torch.Tensor | None = None, pair=None):
        out = x if mask is None else x * mask
        return out + pair[0] if pair is not None and pair[1] is None else out


@pytest.mark.parametrize("route", ROUTES)
def test_none_in_example_removes_the_input_with_a_warning(route, request):
    x, p = _t(2, 3), _t(2, 3)
    model = OptionalMask()
    with pytest.warns(UserWarning, match=r"None at mask, pair\[1\]"):
        converted = _convert(model, route, request, example_input=(x, None, (p, None)))
    assert input_names(converted) == ["x", "pair.0"]
    _check_run(converted, model, x, None, (p, None))
    _check_run(converted, model, x, pair=(p, None))


class Scalars(torch.nn.Module):
    def forward(self, x, scale, offset, flag):
        out = x * scale + offset
        return torch.where(flag, out, -out)


@pytest.mark.parametrize("route", ROUTES)
def test_python_numbers_become_zero_dim_inputs(route, request):
    x = _t(2, 3)
    model = Scalars()
    converted = _convert(model, route, request, example_input=(x, 2.5, 3, True))
    inputs, _ = signature(converted)
    assert inputs == [(["x"], "[2,3]", "f32", "x"), (["scale"], "[]", "f32", "scale"),
                      (["offset"], "[]", "i64", "offset"), (["flag"], "[]", "boolean", "flag")]
    _check_run(converted, model, x, torch.tensor(0.5), torch.tensor(-2), torch.tensor(False))


@pytest.mark.parametrize("example", [
    lambda: (_t(2, 3), (_t(2, 3), _t(2, 3), (_t(2, 3), _t(2, 3)))),
    lambda: {"b": (_t(2, 3), _t(2, 3), (_t(2, 3), _t(2, 3))), "a": _t(2, 3)},
], ids=["tuple", "dict"])
def test_both_routes_give_the_same_signature(example, monkeypatch):
    import ov_notebook.frontend.torch as torch_frontend

    values = example()
    exported = ov.convert_model(NestedTuple(), example_input=values)
    monkeypatch.setattr(torch_frontend, "_exportable", lambda model: False)
    traced = ov.convert_model(NestedTuple(), example_input=values)
    assert (route_of(exported), route_of(traced)) == ("export", "torchscript")
    assert signature(exported) == signature(traced)
    assert exported.rt_info["ov_notebook"]["input_tree"] == \
        traced.rt_info["ov_notebook"]["input_tree"]
    assert exported.rt_info["ov_notebook"]["output_tree"] == \
        traced.rt_info["ov_notebook"]["output_tree"]


def test_both_routes_give_the_same_output_signature(monkeypatch):
    import ov_notebook.frontend.torch as torch_frontend

    x = _t(2, 3)
    exported = ov.convert_model(StructuredOutputs(), example_input=x)
    monkeypatch.setattr(torch_frontend, "_exportable", lambda model: False)
    traced = ov.convert_model(StructuredOutputs(), example_input=x)
    assert signature(exported) == signature(traced)


# --- input= ------------------------------------------------------------------------------------
class Flatten(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(12, 5)

    def forward(self, x):
        return self.fc(x.reshape(x.shape[0], -1))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("shape, printed", [
    ([-1, 3, 4], "[?,3,4]"), (ov.PartialShape([-1, 3, 4]), "[?,3,4]"), ("[?,3,4]", "[?,3,4]"),
    ([ov.Dimension(1, 8), 3, 4], "[1..8,3,4]"),
], ids=["list", "PartialShape", "string", "bounded"])
def test_dynamic_dimensions_from_input(route, shape, printed, request):
    model = Flatten().eval()
    converted = _convert(model, route, request, example_input=_t(2, 3, 4), input=[shape])
    assert str(converted.input(0).get_partial_shape()) == printed
    assert str(converted.output(0).get_partial_shape()) == printed.split(",")[0] + ",5]"
    compiled = ov.compile_model(converted)
    for batch in (1, 5):
        x = _t(batch, 3, 4)
        np.testing.assert_allclose(compiled(x)[0], model(x).detach().numpy(), atol=1e-5)


def test_dynamic_dimensions_of_an_exported_program_stay_dynamic():
    model = Flatten().eval()
    batch = torch.export.Dim("batch", min=1, max=16)
    program = torch.export.export(model, (_t(2, 3, 4),), dynamic_shapes={"x": {0: batch}})
    converted = ov.convert_model(program)
    assert str(converted.input(0).get_partial_shape()) == "[1..16,3,4]"
    x = _t(7, 3, 4)
    np.testing.assert_allclose(ov.compile_model(converted)(x)[0], model(x).detach().numpy(),
                               atol=1e-5)


@pytest.mark.parametrize("spec", [
    [("x", [2, -1]), ("y", ov.Type.f32)],
    {"y": ov.Type.f32, "x": [2, -1]},
    [([2, -1], np.float32), torch.float32],
    [("x", "[2,?]", ov.Type.f32), ("y", [2, 3], ov.Type.f32)],
], ids=["named-list", "dict", "types", "tuples"])
def test_input_forms(spec):
    class Add(torch.nn.Module):
        def forward(self, x, y):
            return x + y

    converted = ov.convert_model(Add(), example_input=(_t(2, 3), _t(2, 3)), input=spec)
    inputs, _ = signature(converted)
    assert inputs[0] == (["x"], "[2,?]", "f32", "x")
    assert inputs[1][0] == ["y"] and inputs[1][2] == "f32"


def test_input_types_and_names_fill_from_the_example():
    class Mix(torch.nn.Module):
        def forward(self, ids, x):
            return x * ids.to(x.dtype)

    ids = torch.arange(6).reshape(2, 3)
    converted = ov.convert_model(Mix(), example_input=(ids, _t(2, 3)),
                                 input=[("token_ids", ov.Type.i32), [-1, 3]])
    inputs, _ = signature(converted)
    assert inputs == [(["token_ids"], "[2,3]", "i32", "ids"), (["x"], "[?,3]", "f32", "x")]
    x = _t(2, 3)
    np.testing.assert_allclose(
        ov.compile_model(converted)([ids.numpy().astype(np.int32), x])[0],
        (x * ids).numpy(), atol=1e-5)


def test_input_shape_without_example_for_a_scripted_model():
    model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU())
    converted = ov.convert_model(model, input=[([-1, 4], ov.Type.f32)])
    assert str(converted.input(0).get_partial_shape()) == "[?,4]"
    assert str(converted.output(0).get_partial_shape()) == "[?,2]"


@pytest.mark.parametrize("spec, message", [
    ([[1, 3], [1, 3]], r"describes 2 input\(s\) but the model has 1"),
    ({"nope": [1, 3]}, r"names \['nope'\] are not inputs"),
    ([[5, 3, 4]], "outside input= shape"),
    ([[2, 12]], "rank"),
    ([("x", [2, 3, 4], "not-a-part")], "cannot read"),
])
def test_bad_input_specs_name_the_problem(spec, message):
    with pytest.raises(ConversionError, match=message):
        ov.convert_model(Flatten(), example_input=_t(2, 3, 4), input=spec)


def test_zero_dim_tensor_inputs():
    class Scale(torch.nn.Module):
        def forward(self, x, s):
            return x * s

    converted = ov.convert_model(Scale(), example_input=(_t(3), torch.tensor(2.0)))
    assert str(converted.input(1).get_partial_shape()) == "[]"
    np.testing.assert_allclose(ov.compile_model(converted)([np.ones(3, np.float32),
                                                             np.float32(4.0)])[0], [4, 4, 4])


@pytest.fixture(scope="module")
def tiny_bert():
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64,
                                     max_position_embeddings=64)
    return transformers.BertModel(config).eval()


@pytest.mark.parametrize("route", ROUTES)
def test_transformer_with_dict_inputs_model_output_and_dynamic_dims(route, tiny_bert, request):
    example = {"input_ids": torch.randint(0, 100, (2, 8)),
               "attention_mask": torch.ones(2, 8, dtype=torch.long)}
    converted = _convert(tiny_bert, route, request, example_input=example,
                         input={"input_ids": [-1, -1], "attention_mask": [-1, -1]})
    inputs, outputs = signature(converted)
    assert inputs == [(["input_ids"], "[?,?]", "i64", "input_ids"),
                      (["attention_mask"], "[?,?]", "i64", "attention_mask")]
    assert outputs == [(["last_hidden_state"], '["last_hidden_state"]'),
                       (["pooler_output"], '["pooler_output"]')]
    ids, mask = torch.randint(0, 100, (3, 5)), torch.ones(3, 5, dtype=torch.long)
    mask[0, 3:] = 0
    result = ov.compile_model(converted).infer_structured(input_ids=ids, attention_mask=mask)
    with torch.no_grad():
        expected = tiny_bert(input_ids=ids, attention_mask=mask)
    assert_same_structure(result, {"last_hidden_state": expected.last_hidden_state,
                                   "pooler_output": expected.pooler_output})


class _CacheLayer:
    def __init__(self, keys, values):
        self.keys, self.values = keys, values


class _Cache:  # shaped like a transformers DynamicCache: per-layer keys and values
    def __init__(self, layers):
        self.layers = layers


class ReturnsCache(torch.nn.Module):
    def forward(self, x):
        return {"logits": x * 2, "past_key_values": _Cache([_CacheLayer(x + 1, x - 1)])}


def test_cache_objects_in_outputs_flatten_to_key_value_pairs():
    x = _t(2, 3)
    converted = ov.convert_model(ReturnsCache(), example_input=x)
    assert route_of(converted) == "torchscript"  # torch.export cannot return the cache object
    _, outputs = signature(converted)
    assert outputs == [(["logits"], '["logits"]'),
                       (["past_key_values.0.key"], '["past_key_values"][0][0]'),
                       (["past_key_values.0.value"], '["past_key_values"][0][1]')]
    result = ov.compile_model(converted).infer_structured(x)
    assert_same_structure(result, {"logits": x * 2, "past_key_values": ((x + 1, x - 1),)})


class SizeArithmetic(torch.nn.Module):
    def forward(self, x):
        batch, length = x.shape[0], x.shape[1]
        pairs = x.reshape(batch * length // 2, 2, -1).sum(-1)
        return pairs * (length - 1) + x.shape[-1] / 2


@pytest.mark.parametrize("route", ROUTES)
def test_sizes_computed_from_dynamic_dimensions(route, request):
    # FX: aten.sym_size and operator.mul/floordiv/sub on SymInts; TorchScript: aten::size, ints
    model = SizeArithmetic()
    converted = _convert(model, route, request, example_input=_t(2, 4, 3), input=[[-1, -1, 3]])
    if route == "export":
        ops = {n.rt_info.get("source_op") for n in converted.get_ordered_ops()}
        assert {"aten.sym_size.int", "operator.mul", "operator.floordiv"} <= ops
    compiled = ov.compile_model(converted)
    for shape in [(3, 4, 3), (1, 6, 3)]:
        x = _t(*shape)
        np.testing.assert_allclose(compiled(x)[0], model(x).numpy(), atol=1e-5)
