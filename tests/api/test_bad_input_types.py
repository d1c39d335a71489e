"""Type, Dimension, PartialShape and Shape made from bad values: TypeError/ValueError/IndexError
that say what was given and what is expected (OpenVINO's spellings where it has one)."""
from __future__ import annotations

import numpy as np
import pytest

from ov_notebook import Dimension, PartialShape, Shape, Type

CASES = {
    "Type('bogus')": (lambda: Type("bogus"), TypeError,
                      r"unknown element type 'bogus'; expected one of dynamic, boolean.* or a "
                      r"numpy dtype"),
    "Type(None)": (lambda: Type(None), TypeError, r"unknown element type None"),
    "Type(complex)": (lambda: Type(np.complex64), TypeError, r"unknown element type"),
    "Type(str dtype)": (lambda: Type(np.dtype("U3")), TypeError, r"unknown element type"),
    "Type.dynamic has no dtype": (lambda: Type.dynamic.to_dtype(), TypeError,
                                  r"element type dynamic has no numpy dtype"),
    "Dimension(-5)": (lambda: Dimension(-5), ValueError,
                      r"dimension must be >= 0 or -1 \(dynamic\), got -5"),
    "Dimension(5, 2)": (lambda: Dimension(5, 2), ValueError, r"invalid dimension interval \[5, 2\]"),
    "Dimension(5, -2)": (lambda: Dimension(5, -2), ValueError, r"invalid dimension interval"),
    "Dimension(3.0)": (lambda: Dimension(3.0), TypeError, r"dimension must be an integer, got 3.0"),
    "Dimension(True)": (lambda: Dimension(True), TypeError, r"must be an integer, got True"),
    "Dimension(None, 5)": (lambda: Dimension(None, 5), TypeError,
                           r"lower bound must be an integer, got None \(for \[0, 5\] write "
                           r"Dimension\(0, 5\)\)"),
    "Dimension('x')": (lambda: Dimension("x"), ValueError,
                       r"cannot parse dimension 'x': expected N, \?, -1, A..B"),
    "Dimension.parse(5)": (lambda: Dimension.parse(5), TypeError,
                           r"Dimension.parse expects a string, got int 5"),
    "unknown dimension length": (lambda: Dimension().get_length(), ValueError,
                                 r"dimension \? is not static"),
    "PartialShape('[1,a]')": (lambda: PartialShape("[1,a]"), ValueError,
                              r"cannot parse dimension 'a'"),
    "PartialShape('[-2]')": (lambda: PartialShape("[-2]"), ValueError,
                             r"cannot parse dimension '-2'"),
    "PartialShape(5)": (lambda: PartialShape(5), TypeError,
                        r"a shape must be a list of dimensions, got 5"),
    "PartialShape([1.5])": (lambda: PartialShape([1.5]), TypeError,
                            r"dimension must be an integer, got 1.5"),
    "PartialShape([-3])": (lambda: PartialShape([-3]), ValueError, r"got -3"),
    "PartialShape([1, [2]])": (lambda: PartialShape([1, [2]]), ValueError,
                               r"an interval dimension is \(low, high\), got \[2\]"),
    "PartialShape.dynamic(2.5)": (lambda: PartialShape.dynamic(2.5), TypeError,
                                  r"a rank must be an integer, got 2.5"),
    "PartialShape.dynamic('a')": (lambda: PartialShape.dynamic("a"), TypeError,
                                  r"a rank must be an integer"),
    "PartialShape.dynamic(-3)": (lambda: PartialShape.dynamic(-3), ValueError,
                                 r"a rank must be >= 0 or -1 \(dynamic\), got -3"),
    "index out of range": (lambda: PartialShape([1, 2])[5], IndexError,
                           r"dimension index 5 is out of range for shape \[1,2\] of rank 2"),
    "index by str": (lambda: PartialShape([1, 2])["a"], TypeError,
                     r"shape dimensions are indexed by int or slice, not str 'a'"),
    "index a dynamic rank": (lambda: PartialShape.dynamic()[0], ValueError,
                             r"the rank of this shape is dynamic"),
    "to_shape on dynamic": (lambda: PartialShape([1, -1]).to_shape(), ValueError,
                            r"shape \[1,\?\] is not static and cannot be converted to a Shape"),
    "to_shape on dynamic rank": (lambda: PartialShape.dynamic().to_shape(), ValueError,
                                 r"shape \[\.\.\.\] is not static"),
    "Shape([-1])": (lambda: Shape([-1]), ValueError,
                    r"a static shape cannot have negative dimension -1"),
    "Shape(5)": (lambda: Shape(5), TypeError,
                 r"a static shape is a list of non-negative integers, got int 5"),
    "Shape(None)": (lambda: Shape(None), TypeError, r"got NoneType None"),
    "Shape('1,2')": (lambda: Shape("1,2"), TypeError, r"got str '1,2'"),
    "Shape([1.5])": (lambda: Shape([1.5]), TypeError, r"shape dimension must be an integer"),
    "Shape of a dynamic shape": (lambda: Shape(PartialShape([1, -1])), ValueError,
                                 r"is not static"),
    "merge_rank('x')": (lambda: PartialShape.dynamic().merge_rank("x"), TypeError,
                        r"a rank must be an integer"),
}


@pytest.mark.parametrize("build, error, message", CASES.values(), ids=CASES.keys())
def test_bad_types_and_shapes(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_dynamic_rank_minus_one_as_openvino():
    assert PartialShape.dynamic(-1).rank.is_dynamic
    assert PartialShape.dynamic(np.int64(2)) == PartialShape([-1, -1])
