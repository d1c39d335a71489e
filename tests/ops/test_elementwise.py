"""Element-wise ops are defined once (``ir/ops/elementwise.py``): the kernel, the fused epilogue
and constant folding all run the op's ``compute``. Tests of that structure, of the in-place
contract of ``compute``, of integer division against OpenVINO's reference at the int32/int64
extremes, and of Asinh/Acosh/Atanh-3 (IR opset4) against OpenVINO."""
import inspect
import pathlib
import re

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import registered_ops
from ov_notebook.ir.node import get_op_class
from ov_notebook.ir.ops import elementwise
from ov_notebook.runtime.kernels import get_kernel
from ov_notebook.runtime.kernels._epilogue import epilogue_token, parse_post_ops

from .opcheck import compare_with_openvino

openvino = pytest.importorskip("openvino")
PACKAGE = pathlib.Path(ov.__file__).parent
RNG = np.random.default_rng(0)


def _classes(base=elementwise.ElementwiseOp):
    classes = [get_op_class(name) for name in registered_ops()]
    return sorted({c for c in classes if issubclass(c, base) and c.compute is not None},
                  key=lambda c: c.type_name)


def _inputs(cls, dtype=np.float32):
    """Valid inputs and attributes for ``cls.compute`` (values inside every op's domain but
    Acosh's, which gives NaN below 1 on both paths)."""
    shape = (3, 4)
    if getattr(cls, "accepts", "numeric") == "boolean" or cls.type_name == "LogicalNot":
        data = [RNG.random(shape) > 0.5 for _ in cls.inputs_spec]
        return data, {}
    if cls.type_name.startswith("Bitwise"):
        return [RNG.integers(0, 7, shape).astype(np.int32) for _ in cls.inputs_spec], {}
    data = [RNG.uniform(0.1, 0.9, shape).astype(dtype) for _ in cls.inputs_spec
            if not cls.inputs_spec[0].endswith("?")]
    attrs = {"Elu": {"alpha": 0.5}, "Clamp": {"min": 0.2, "max": 0.7}}.get(cls.type_name, {})
    if cls.type_name == "Selu":
        data = [data[0], np.array([1.6], dtype), np.array([1.05], dtype)]
    if cls.type_name == "Swish":
        data = [data[0], np.array(0.7, dtype)]
    if cls.type_name == "Acosh":
        data = [data[0] + dtype(1)]
    return data, attrs


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.type_name)
def test_the_kernel_is_the_op_compute(cls):
    """Directly, or behind the oneDNN path of ops with a oneDNN trait (kernels/elementwise.py)."""
    function = get_kernel(cls.type_name).function
    assert inspect.unwrap(function) == cls.compute
    assert (function != cls.compute) == bool(cls.onednn_eltwise or cls.onednn_binary)


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.type_name)
def test_compute_in_place_equals_out_of_place_and_leaves_inputs_alone(cls):
    data, attrs = _inputs(cls)
    copies = [d.copy() for d in data]
    fresh = cls.compute(*data, **attrs)
    for given, copy in zip(data, copies):
        np.testing.assert_array_equal(given, copy)  # out=None: inputs untouched
    assert isinstance(fresh, np.ndarray) and fresh.shape == data[0].shape
    if fresh.dtype == data[0].dtype:
        buffer = data[0].copy()
        in_place = cls.compute(buffer, *data[1:], out=buffer, **attrs)
        np.testing.assert_array_equal(in_place, fresh)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", [c for c in _classes() if c.fusable_activation],
                         ids=lambda c: c.type_name)
def test_fused_epilogue_step_is_the_op_compute(cls, dtype):
    data, attrs = _inputs(cls, dtype)
    x = ops.parameter([3, 4], dtype, name="x")
    extra = [ops.constant(d) for d in data[1:]]
    node = cls(x, *extra, **attrs)
    token = epilogue_token(node)
    assert token is not None and token.split(":")[0] == cls.type_name
    ((step, reads_input),) = parse_post_ops(token)
    y = data[0].copy()
    assert not reads_input and step(y) is y
    np.testing.assert_array_equal(y, cls.compute(*data, **attrs))


def test_epilogue_tokens_of_binary_ops_come_from_the_classes():
    program = parse_post_ops("add;sub;mul")
    assert [function for function, _ in program] == [np.add, np.subtract, np.multiply]
    with pytest.raises(ValueError, match="unknown epilogue step 'Softmax'"):
        parse_post_ops("Softmax")


def test_activations_are_named_in_at_most_three_files_outside_the_frontends():
    """Adding or changing an activation touches its definition, its builder and, only where its
    math needs one, a special kernel: no hand-written lists of type names elsewhere."""
    sources = {path: path.read_text() for path in PACKAGE.rglob("*.py")
               if "frontend" not in path.relative_to(PACKAGE).parts}
    for name in ("HSwish", "Swish", "Gelu", "Sigmoid", "Mish", "SoftPlus"):
        files = sorted(str(p.relative_to(PACKAGE)) for p, text in sources.items()
                       if re.search(rf"\b{name}\b", text))
        assert len(files) <= 3, f"{name} is named in {len(files)} files: {files}"


# --- integer division: OpenVINO's reference (its Model.evaluate and constant folding) ----------
def _extremes(dtype):
    info = np.iinfo(dtype)
    a = np.array([info.max, info.min, info.max, info.min + 1, info.max - 1, -7, 7, -7, 7, 0,
                  (1 << 24) + 1, -(1 << 24) - 1, info.min, 5], dtype)
    b = np.array([3, 3, -2, 7, -7, 2, -2, -2, 2, 5, 2, -3, 1, info.max], dtype)
    return a, b


DIVISIONS = {
    "divide": (lambda m, x, y: m.divide(x, y), {}),
    "divide_truncating": (lambda m, x, y: m.divide(x, y), {"m_pythondiv": False}),
    "floor_mod": (lambda m, x, y: m.floor_mod(x, y), {}),
    "mod": (lambda m, x, y: m.mod(x, y), {}),
}


def _openvino_reference(build, attrs, a, b):
    import openvino.opset13 as ov_ops

    x, y = ov_ops.parameter(a.shape, a.dtype), ov_ops.parameter(b.shape, b.dtype)
    node = build(ov_ops, x, y)
    for key, value in attrs.items():
        node.set_attribute(key, value)
    model = openvino.Model([node], [x, y])
    result = [openvino.Tensor(np.zeros(a.shape, a.dtype))]
    assert model.evaluate(result, [openvino.Tensor(a), openvino.Tensor(b)])
    return result[0].data.copy()


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("op", DIVISIONS)
def test_integer_division_matches_openvino_at_the_extremes(op, dtype):
    build, attrs = DIVISIONS[op]
    a, b = _extremes(dtype)
    expected = _openvino_reference(build, attrs, a, b)
    x, y = ops.parameter(a.shape, dtype, name="a"), ops.parameter(b.shape, dtype, name="b")
    node = build(ops, x, y)
    for key, value in attrs.items():
        node.set_attribute(key, value)
    runtime = ov.compile_model(ov.Model([node], [x, y]))([a, b])[0]
    folded = build(ops, ops.constant(a), ops.constant(b))  # the IR's own evaluation
    for key, value in attrs.items():
        folded.set_attribute(key, value)
    folded.validate_and_infer_types()
    constant_folding = ov.compile_model(ov.Model([folded], []))([])[0]
    exact = {"divide": lambda: np.floor_divide(a, b), "floor_mod": lambda: np.mod(a, b),
             "mod": lambda: np.fmod(a, b),
             "divide_truncating": lambda: np.array(  # Python integers: exact
                 [abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
                  for x, y in zip(a.tolist(), b.tolist())], dtype)}[op]()
    # OpenVINO's FloorMod goes through double (x - y * floor(x / double(y))): for int64 beyond
    # 2^53 it loses digits, where ours stays exact (Python's %): compare those with exact math
    comparable = np.abs(a.astype(np.float64)) < 2 ** 53 if op == "floor_mod" else slice(None)
    for what, value in (("runtime", runtime), ("constant folding", constant_folding),
                        ("shape inference", folded.output(0).get_known_value())):
        assert value.dtype == expected.dtype, what
        np.testing.assert_array_equal(value[comparable], expected[comparable], err_msg=what)
        np.testing.assert_array_equal(value, exact, err_msg=f"{what} vs exact integer math")


@pytest.mark.parametrize("op", DIVISIONS)
def test_integer_division_by_zero_is_an_error_naming_the_node(op):
    build, attrs = DIVISIONS[op]
    x, y = ops.parameter([3], np.int32, name="a"), ops.parameter([3], np.int32, name="b")
    node = build(ops, x, y)
    for key, value in attrs.items():
        node.set_attribute(key, value)
    compiled = ov.compile_model(ov.Model([node], [x, y]))
    with pytest.raises(Exception, match=rf"(?s){node.get_type_name()}.*integer division by zero"):
        compiled([np.array([1, 2, 3], np.int32), np.array([1, 0, 3], np.int32)])
    # with constant inputs nothing is folded: the same error comes at run time
    folded = build(ops, ops.constant(np.array([1, 2], np.int32)), ops.constant(np.array([0, 1],
                                                                                   np.int32)))
    assert folded.output(0).get_known_value() is None
    with pytest.raises(Exception, match="integer division by zero"):
        ov.compile_model(ov.Model([folded], []))([])


# --- Asinh, Acosh, Atanh (v3 ops, listed in opset4) --------------------------------------------
INVERSE_HYPERBOLIC = {"asinh": (-20.0, 20.0), "acosh": (1.0, 30.0), "atanh": (-0.999, 0.999)}


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", INVERSE_HYPERBOLIC)
def test_inverse_hyperbolic_matches_openvino(name, dtype):
    low, high = INVERSE_HYPERBOLIC[name]
    values = np.random.default_rng(3).uniform(low, high, (4, 25)).astype(dtype)
    tolerance = 1e-3 if dtype == np.float16 else 1e-5
    compare_with_openvino(getattr(ops, name), [values], rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("name", INVERSE_HYPERBOLIC)
def test_inverse_hyperbolic_of_integers_round_as_openvino_reference(name):
    low, high = INVERSE_HYPERBOLIC[name]
    a = np.arange(int(np.ceil(low)), int(high) + 1, dtype=np.int32)
    import openvino.opset13 as ov_ops

    parameter = ov_ops.parameter(a.shape, a.dtype)
    result = [openvino.Tensor(np.zeros(a.shape, a.dtype))]
    openvino.Model([getattr(ov_ops, name)(parameter)], [parameter]).evaluate(
        result, [openvino.Tensor(a)])
    x = ops.parameter(a.shape, np.int32, name="x")
    ours = ov.compile_model(ov.Model([getattr(ops, name)(x)], [x]))([a])[0]
    np.testing.assert_array_equal(ours, result[0].data)


def test_inverse_hyperbolic_shape_inference_and_ir_round_trip(tmp_path):
    x = ops.parameter(ov.PartialShape("[?,3]"), np.float32, name="x")
    node = ops.atanh(ops.acosh(ops.asinh(x)))
    assert str(node.get_output_partial_shape(0)) == "[?,3]"
    model = ov.Model([node], [x])
    ov.save_model(model, tmp_path / "m.xml")
    text = (tmp_path / "m.xml").read_text()
    assert all(f'type="{t}" version="opset4"' in text for t in ("Asinh", "Acosh", "Atanh"))
    theirs = openvino.Core().read_model(tmp_path / "m.xml")
    assert sorted(op.get_type_name() for op in theirs.get_ordered_ops())[:3] == \
        ["Acosh", "Asinh", "Atanh"]
