"""The ovc ``--input`` syntax parser (ov_notebook.utils.input_spec)."""
import re

import pytest

from ov_notebook import PartialShape, Type
from ov_notebook.utils.input_spec import InputSpecError, parse_input_spec, split_items


def test_names_shapes_and_types():
    x, y = parse_input_spec("x[1,3,?,?],y[1..10]{i64}")
    assert (x.name, x.shape, x.element_type) == ("x", PartialShape("[1,3,?,?]"), None)
    assert (y.name, y.shape, y.element_type) == ("y", PartialShape("[1..10]"), Type.i64)
    assert [str(s) for s in (x, y)] == ["x[1,3,?,?]", "y[1..10]{i64}"]


@pytest.mark.parametrize("text, shape", [
    ("[1,3,224,224]", "[1,3,224,224]"),
    ("[1 3 224 224]", "[1,3,224,224]"),
    ("x[-1,3]", "[?,3]"),
    ("x[..10,2..]", "[..10,2..]"),
    ("x[]", "[]"),
])
def test_shape_spellings(text, shape):
    assert parse_input_spec(text)[0].shape == PartialShape(shape)


def test_type_before_shape_and_names_with_punctuation():
    spec, = parse_input_spec("input:0{u8}[1,?]")
    assert spec.name == "input:0" and spec.element_type == Type.u8
    assert spec.as_tuple() == ("input:0", PartialShape("[1,?]"), Type.u8)


def test_type_only_and_as_tuple():
    ids, mask = parse_input_spec("ids{i64}, mask[1,?]")
    assert ids.as_tuple() == ("ids", Type.i64)
    assert mask.as_tuple() == ("mask", PartialShape("[1,?]"))


def test_split_keeps_commas_inside_brackets():
    assert split_items("a[1,2],b{f32},[3,4]") == ["a[1,2]", "b{f32}", "[3,4]"]


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("x[1,a]", "bad shape"),
    ("x{foo}", "unknown element type"),
    ("x[1][2]", "two shapes"),
    ("x{f32}{i64}", "two element types"),
    ("x->[1 2]", "values (->) are not supported"),
    ("x[1],x[2]", "more than once"),
    ("x]", "is not NAME[SHAPE]{TYPE}"),
])
def test_errors_name_the_item(text, message):
    with pytest.raises(InputSpecError, match=re.escape(message)):
        parse_input_spec(text)
