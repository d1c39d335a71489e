"""The graph/IR part of OpenVINO's Python API, each test body run on ``openvino`` and on
``ov_notebook`` (the ``ov`` fixture) so that a difference shows up as a failure."""
import importlib
import re

import numpy as np
import pytest

pytest.importorskip("openvino")


@pytest.fixture(params=["openvino", "ov_notebook"])
def ov(request):
    return importlib.import_module(request.param)


def opset(ov, version=16):
    if ov.__name__ == "ov_notebook":  # TEMP
        return importlib.import_module("ov_notebook.opset")
    return importlib.import_module(f"{ov.__name__}.opset{version}")


def _matmul_ir(ov, tmp_path):
    """A MatMul model saved by ``ov`` itself: (xml text, path of the .xml)."""
    ops = opset(ov)
    x = ops.parameter([3, 3], ov.Type.f32, name="x")
    y = ops.matmul(x, ops.constant(np.eye(3, dtype=np.float32)), True, False)
    path = tmp_path / "model.xml"
    ov.save_model(ov.Model([y], [x], "m"), str(path), compress_to_fp16=False)
    return path.read_text(), path


# IR v10 files and older converters wrote booleans as digits; other tools wrote "True"/"FALSE".
@pytest.mark.parametrize("spelling, value", [("true", True), ("1", True), ("True", True),
                                             ("TRUE", True), ("0", False), ("false", False),
                                             ("False", False), ("FALSE", False)])
def test_boolean_attributes_in_every_spelling(ov, tmp_path, spelling, value):
    text, path = _matmul_ir(ov, tmp_path)
    assert re.search(r'transpose_a="true"', text)
    path.write_text(text.replace('transpose_a="true"', f'transpose_a="{spelling}"'))
    model = ov.Core().read_model(str(path))
    matmul = next(node for node in model.get_ops() if node.get_type_name() == "MatMul")
    assert matmul.get_attributes()["transpose_a"] is value
    data = np.arange(9, dtype=np.float32).reshape(3, 3)
    result = ov.compile_model(model, "CPU")([data])[0]
    np.testing.assert_array_equal(result, data.T if value else data)


def test_boolean_attribute_in_an_unknown_spelling_is_named(tmp_path):
    import ov_notebook
    # OpenVINO keeps the attribute's default for such text; we say what is wrong instead
    text, path = _matmul_ir(ov_notebook, tmp_path)
    path.write_text(text.replace('transpose_a="true"', 'transpose_a="yes"'))
    with pytest.raises(ov_notebook.IRReadError, match="transpose_a.*true/false or 1/0.*'yes'"):
        ov_notebook.read_model(str(path))


# --- Type and Dimension ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["f32", "f16", "i8", "u8", "i64", "boolean"])
def test_type_property_predicates_are_bools(ov, name):
    element_type = getattr(ov.Type, name)
    for prop, method in [("real", "is_real"), ("integral", "is_integral"), ("signed", "is_signed"),
                         ("integral_number", "is_integral_number"), ("quantized", "is_quantized")]:
        value = getattr(element_type, prop)
        assert value is True or value is False, prop
        assert value is bool(getattr(element_type, method)()), prop
    assert ov.Type.f32.real is True and ov.Type.i32.real is False


def test_dimension_len_and_minus_one(ov):
    assert len(ov.Dimension(3)) == 3 and len(ov.Dimension(0)) == 0
    with pytest.raises(RuntimeError):
        len(ov.Dimension())
    with pytest.raises(RuntimeError):
        len(ov.Dimension(2, 5))
    assert ov.Dimension() == -1 and ov.Dimension(-1) == -1 and ov.Dimension(0, -1) == -1
    assert not ov.Dimension(2, -1) == -1 and not ov.Dimension(2, 5) == -1
    assert not ov.Dimension(3) == -1 and ov.Dimension(3) == 3 and ov.Dimension(3) != 4
    assert ov.Dimension() != 3 and ov.Dimension(2, 5) != 2
