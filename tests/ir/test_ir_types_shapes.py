"""Type, Dimension, PartialShape and Shape behave like OpenVINO's (checked against openvino)."""
import numpy as np
import openvino
import pytest

from ov_notebook import Dimension, PartialShape, Shape, Type

TYPE_NAMES = ["boolean", "bf16", "f16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "u16", "u32",
              "u64"]


@pytest.mark.parametrize("name", TYPE_NAMES + ["dynamic"])
def test_type_matches_openvino(name):
    ours, theirs = Type(name), getattr(openvino.Type, name)
    assert ours is getattr(Type, name)
    assert ours.get_type_name() == ours.to_string() == str(ours) == theirs.get_type_name()
    assert repr(ours) == repr(theirs)
    assert (ours.bitwidth, ours.size) == (theirs.bitwidth, theirs.size)
    for predicate in ("is_real", "is_signed", "is_static", "is_dynamic", "is_quantized"):
        assert getattr(ours, predicate)() == getattr(theirs, predicate)(), predicate
    if name != "dynamic":
        assert ours.is_integral() == theirs.is_integral()
        assert ours.is_integral_number() == theirs.is_integral_number()


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_type_made_back_from_strings_and_dtypes(name):
    ours = Type(name)
    assert Type(ours.get_type_name()) is ours
    assert Type(ours.precision) is ours  # the IR port spelling: FP32, I64, BOOL
    assert Type(ours.to_dtype()) is (ours if name != "bf16" else Type.u16)  # bf16 is raw bits
    if name != "bf16":
        assert ours.to_dtype() == openvino.Type(ours.to_dtype()).to_dtype()
        assert openvino.Type(ours.to_dtype()).get_type_name() == name


def test_type_numpy_mapping_and_aliases():
    assert Type(np.float32) is Type.f32 and Type(np.dtype("int64")) is Type.i64
    assert Type(bool) is Type.boolean and Type(int) is Type.i64 and Type(float) is Type.f64
    assert Type("FP16") is Type.f16 and Type("float32") is Type.f32 and Type("bool") is Type.boolean
    assert Type.bf16.to_dtype() == np.uint16
    assert Type.f32 == "f32" and Type.f32 != Type.f16
    assert {Type.f32: 1}[Type("f32")] == 1
    for bad in (None, "f33", np.complex64, object):
        with pytest.raises(TypeError):
            Type(bad)


def test_type_predicates_work_as_properties_and_calls():
    # a bound method used as a condition would always be true
    assert not Type.dynamic.is_static and Type.f32.is_static and Type.f32.is_static()
    assert not Type.i32.is_real and Type.f16.is_real() and Type.f16.real
    assert Type.f32.merge(Type.dynamic) is Type.f32 and Type.f32.merge(Type.i32) is None
    assert Type.f32.compatible(Type.dynamic) and not Type.f32.compatible(Type.i32)


DIMENSIONS = [(3,), (), (-1,), (1, 10), (0, 10), (5, -1), (0, -1), ("1..10",), ("?",), ("..10",),
              ("5..",), ("7",)]


@pytest.mark.parametrize("args", DIMENSIONS, ids=str)
def test_dimension_matches_openvino(args):
    ours, theirs = Dimension(*args), openvino.Dimension(*args)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert bool(ours.is_static) == theirs.is_static and bool(ours.is_dynamic) == theirs.is_dynamic
    assert (ours.min_length, ours.max_length) == (theirs.min_length, theirs.max_length)
    if theirs.is_static:
        assert ours.get_length() == theirs.get_length() == ours
    else:
        with pytest.raises(ValueError):
            ours.get_length()


@pytest.mark.parametrize("a", DIMENSIONS[:7], ids=str)
@pytest.mark.parametrize("b", DIMENSIONS[:7], ids=str)
def test_dimension_relations_match_openvino(a, b):
    ours, theirs = (Dimension(*a), Dimension(*b)), (openvino.Dimension(*a), openvino.Dimension(*b))
    for relation in ("compatible", "refines", "relaxes", "same_scheme"):
        assert getattr(ours[0], relation)(ours[1]) == getattr(theirs[0], relation)(theirs[1]), relation


def test_dimension_merge_and_errors():
    assert Dimension(1, 10).merge(Dimension(5, 20)) == Dimension(5, 10)
    assert Dimension(3).merge(Dimension()) == Dimension(3)
    assert Dimension(3).merge(4) is None
    with pytest.raises(ValueError):
        Dimension(5, 2)
    with pytest.raises(ValueError):
        Dimension("abc")
    with pytest.raises(TypeError):
        Dimension(1.5)


SHAPES = [[1, 3, -1, -1], [(1, 10), 3], [], [0, 5], "[1,3,?,?]", "?", "[1..10, 3]", "[..10,5..]",
          "1,2,3", "[-1, 3]", "..."]


@pytest.mark.parametrize("value", SHAPES, ids=str)
def test_partial_shape_matches_openvino(value):
    ours, theirs = PartialShape(value), openvino.PartialShape(value)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert bool(ours.is_static) == theirs.is_static and bool(ours.is_dynamic) == theirs.is_dynamic
    assert str(ours.rank) == str(theirs.rank)
    if theirs.rank.is_static:
        assert [str(d) for d in ours] == [str(d) for d in theirs] and len(ours) == len(theirs)
        assert list(ours.get_min_shape()) == list(theirs.get_min_shape())
        assert list(ours.get_max_shape()) == list(theirs.get_max_shape())
    if theirs.is_static:
        assert ours.to_shape() == list(theirs.to_shape())
    else:
        with pytest.raises(ValueError):
            ours.to_shape()


def test_partial_shape_printing():
    assert str(PartialShape([1, 3, -1, -1])) == "[1,3,?,?]"
    assert str(PartialShape([Dimension(1, 10), 3])) == "[1..10,3]"
    assert str(PartialShape.dynamic()) == "[...]" and str(PartialShape.dynamic(2)) == "[?,?]"
    assert str(PartialShape([Dimension(0, 10), Dimension(5, -1)])) == "[..10,5..]"


@pytest.mark.parametrize("a", SHAPES[:4] + ["..."], ids=str)
@pytest.mark.parametrize("b", [[1, 3, 4, 5], [1, 3, 4], [7, 3], "...", [2, 5]], ids=str)
def test_partial_shape_relations_match_openvino(a, b):
    ours, theirs = (PartialShape(a), PartialShape(b)), (openvino.PartialShape(a),
                                                        openvino.PartialShape(b))
    for relation in ("compatible", "refines", "relaxes", "same_scheme"):
        assert getattr(ours[0], relation)(ours[1]) == getattr(theirs[0], relation)(theirs[1]), relation
    merged = ours[0].merge(ours[1])
    assert (merged is not None) == theirs[0].compatible(theirs[1])
    if merged is not None:
        assert merged.refines(ours[0]) and merged.refines(ours[1])


def test_partial_shape_merge():
    assert PartialShape([1, -1, 3]).merge([-1, 4, 3]) == PartialShape([1, 4, 3])
    assert PartialShape.dynamic().merge([2, 3]) == PartialShape([2, 3])
    assert PartialShape([(1, 10), -1]).merge([(5, 20), 2]) == PartialShape([(5, 10), 2])
    assert PartialShape([1, 2]).merge([1, 3]) is None
    assert PartialShape([1, 2]).merge([1, 2, 3]) is None


def test_partial_shape_sequence_and_equality():
    shape = PartialShape([1, 3, -1, -1])
    assert shape[2] == Dimension() and shape[-3] == 3 and shape[1:3] == PartialShape([3, -1])
    assert shape.get_dimension(0) == 1
    assert shape == PartialShape("[1,3,?,?]") and shape != PartialShape([1, 3, 4, 4])
    assert PartialShape([1, 2]) == Shape([1, 2]) and PartialShape(Shape([4])) == [4]
    assert shape.to_list() == [1, 3, -1, -1]
    with pytest.raises(ValueError):
        PartialShape.dynamic()[0]
    with pytest.raises(TypeError):
        PartialShape([1.5])


def test_shape_matches_openvino():
    ours, theirs = Shape([1, 2, 3]), openvino.Shape([1, 2, 3])
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert ours == [1, 2, 3] and ours == (1, 2, 3) and ours == Shape([1, 2, 3])
    assert list(ours) == list(theirs) and len(ours) == 3 and type(ours[0]) is int
    assert str(Shape([])) == "[]" and Shape(PartialShape([2, 2])) == [2, 2]
    with pytest.raises(ValueError):
        Shape([1, -1])


_INTERVALS = [(1, 1), (3, 3), (0, -1), (1, 3), (2, 5), (1, -1), (2, -1), (0, 5), (4, 8), (0, 1)]


@pytest.mark.parametrize("left", _INTERVALS)
@pytest.mark.parametrize("right", _INTERVALS)
def test_broadcast_of_intervals_matches_openvino(left, right):
    """Element-wise shape inference on interval dims: a dim that may be 1 lets the other through."""
    import openvino
    import openvino.opset13 as reference_ops

    from ov_notebook import opset as ops

    def reference():
        a = reference_ops.parameter(openvino.PartialShape([openvino.Dimension(*left)]), openvino.Type.f32)
        b = reference_ops.parameter(openvino.PartialShape([openvino.Dimension(*right)]), openvino.Type.f32)
        return str(reference_ops.add(a, b).get_output_partial_shape(0))

    def ours():
        a = ops.parameter([Dimension(*left)], Type.f32)
        b = ops.parameter([Dimension(*right)], Type.f32)
        return str(ops.add(a, b).get_output_partial_shape(0))

    try:
        expected = reference()
    except RuntimeError:
        with pytest.raises(Exception, match="broadcast"):
            ours()
        return
    assert ours() == expected
