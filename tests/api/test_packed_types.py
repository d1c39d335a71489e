"""Packed (sub-byte) element types u1, u4, i4, nf4: ``Type`` predicates, Constants stored packed
as OpenVINO stores them, IR read/write (OpenVINO's files here, ours there), weight decompression
from u4/i4, and ``Tensor`` of these types. Behaviour OpenVINO has too is run on both packages
(the ``ov`` fixture) so a difference fails."""
import importlib

import numpy as np
import pytest

openvino = pytest.importorskip("openvino")

import ov_notebook  # noqa: E402
from ov_notebook.ir.types import NF4_VALUES, pack_values, unpack_values  # noqa: E402

PACKED = ["u1", "u4", "i4", "nf4"]
# openvino's CPU plugin runs 4-bit-weight MatMuls in bf16/f16 where the CPU has them (and
# quantizes their activations) unless told not to
F32 = {"INFERENCE_PRECISION_HINT": "f32", "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0"}


@pytest.fixture(params=["openvino", "ov_notebook"])
def ov(request):
    return importlib.import_module(request.param)


def ops_of(ov):
    return importlib.import_module(f"{ov.__name__}.opset13")


@pytest.mark.parametrize("name", PACKED)
def test_type_properties_match_openvino(name):
    theirs, ours = getattr(openvino.Type, name), getattr(ov_notebook.Type, name)
    for attribute in ("bitwidth", "size", "real", "integral", "integral_number", "signed",
                      "quantized"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
        assert type(getattr(ours, attribute)) is type(getattr(theirs, attribute)), attribute
    for predicate in ("is_real", "is_integral", "is_integral_number", "is_signed",
                      "is_quantized", "is_static", "is_dynamic"):
        assert bool(getattr(ours, predicate)()) == getattr(theirs, predicate)(), predicate
    assert ours.get_type_name() == theirs.get_type_name() == name
    assert repr(ours) == repr(theirs)
    assert ours.to_dtype() == theirs.to_dtype()
    assert ov_notebook.Type(name) is ours


def test_numpy_dtypes_still_name_whole_byte_types():
    assert ov_notebook.Type(np.uint8) is ov_notebook.Type.u8
    assert ov_notebook.Type(np.int8) is ov_notebook.Type.i8


@pytest.mark.parametrize("name, values", [
    ("u4", [[1, 2, 3], [4, 5, 15]]),
    ("u4", [0, 15, 7]),                  # odd count: the last byte's high nibble is 0
    ("u1", [1, 0, 1, 1, 0, 0, 0, 1, 1, 1]),
    ("u1", [2, 0, -1]),                  # u1 is x != 0
    ("u4", [1.7, 2.2]),                  # floats truncate
])
def test_constant_packs_as_openvino(ov, name, values):
    constant = ops_of(ov).constant(np.array(values), getattr(ov.Type, name))
    expected = openvino.opset13.constant(np.array(values), getattr(openvino.Type, name))
    np.testing.assert_array_equal(constant.get_data(), expected.get_data())
    assert constant.get_data().dtype == expected.get_data().dtype
    assert constant.get_byte_size() == expected.get_byte_size()
    assert list(constant.get_output_shape(0)) == list(np.shape(values))
    assert list(np.asarray(constant.get_vector()).ravel()) == \
        list(np.asarray(expected.get_vector()).ravel())


def test_constant_packing_is_low_nibble_first_and_high_bit_first():
    assert list(ov_notebook.opset13.constant(np.array([1, 2, 3]), "u4").get_data()) == \
        [0x21, 0x03]
    assert list(ov_notebook.opset13.constant(np.array([1, 0, 0, 0, 0, 0, 0, 0, 1]), "u1")
                .get_data()) == [0x80, 0x80]
    i4 = ov_notebook.opset13.constant(np.array([-8, -1, 0, 7]), "i4")
    assert list(i4.get_data().view(np.uint8)) == [0xF8, 0x70]
    assert list(i4.get_value()) == [-8, -1, 0, 7]


@pytest.mark.parametrize("values", [[16, 3], [-1.5]])
def test_constant_out_of_range_raises(ov, values):
    with pytest.raises(RuntimeError, match="out of range for u4"):
        ops_of(ov).constant(np.array(values, dtype=np.float32), ov.Type.u4)


# openvino's own i4 check fails while formatting its message (UnicodeDecodeError), so i4 is
# checked here alone
@pytest.mark.parametrize("values", [[-9], [8], [0, 7, -8, 100]])
def test_i4_constant_out_of_range_raises(values):
    with pytest.raises(RuntimeError, match=r"out of range for i4 \(expected -8 \.\. 7"):
        ov_notebook.opset13.constant(np.array(values), ov_notebook.Type.i4)


def test_nf4_takes_the_nearest_value_as_openvino():
    values = [-0.3, 0.9, 2.0, -5.0, 0.0, 0.1]
    expected = openvino.op.Constant(openvino.Type.nf4, openvino.Shape([6]), values)
    ours = ov_notebook.op.Constant(ov_notebook.Type.nf4, ov_notebook.Shape([6]), values)
    np.testing.assert_array_equal(ours.get_data(), expected.get_data())
    assert np.allclose(ours.get_value(), NF4_VALUES[[4, 15, 15, 0, 7, 8]])


@pytest.mark.parametrize("name", PACKED)
@pytest.mark.parametrize("count", [0, 1, 7, 8, 9, 33])
def test_pack_unpack_round_trip(name, count):
    element_type = ov_notebook.Type(name)
    low, high = {"u1": (0, 1), "i4": (-8, 7)}.get(name, (0, 15))
    values = np.random.default_rng(count).integers(low, high + 1, count)
    values = values.astype(element_type.to_dtype())
    raw = pack_values(values, element_type)
    assert raw.size == (count * element_type.bitwidth + 7) // 8
    np.testing.assert_array_equal(unpack_values(raw, element_type, [count]), values)


def _decompression_model(ov):
    """OpenVINO's weight-compressed MatMul: u4 weights -> Convert -> - zero point -> * scale,
    with i4 and u1 constants converted to f32 beside it."""
    ops = ops_of(ov)
    x = ops.parameter([2, 8], ov.Type.f32, name="x")
    weights = np.arange(24, dtype=np.uint8).reshape(3, 8) % 16
    compressed = ops.convert(ops.constant(weights, ov.Type.u4), ov.Type.f32)
    zero_point = ops.convert(ops.constant(np.array([[8]], np.uint8), ov.Type.u4), ov.Type.f32)
    scale = ops.constant(np.array([[0.5], [0.25], [2.0]], np.float32))
    matmul = ops.matmul(x, ops.multiply(ops.subtract(compressed, zero_point), scale), False, True)
    # openvino's Python Constant takes no i4 values: made from packed bytes through a Tensor
    i4 = ov.op.Constant(ov.Tensor(np.array([0x1F, 0x87], np.uint8).view(np.int8), [4],
                                  ov.Type.i4))
    u1 = ops.constant(np.array([1, 0, 1, 1, 0, 0, 0, 1, 1, 1]), ov.Type.u1)
    results = [matmul, ops.convert(i4, ov.Type.f32), ops.convert(u1, ov.Type.f32)]
    return ov.Model(results, [x], "packed")


def _expected(x):
    weights = ((np.arange(24).reshape(3, 8) % 16) - 8) * np.array([[0.5], [0.25], [2.0]])
    return [x @ weights.T, np.array([-1, 1, 7, -8]), np.array([1, 0, 1, 1, 0, 0, 0, 1, 1, 1])]


@pytest.mark.parametrize("writer", ["openvino", "ov_notebook"])
@pytest.mark.parametrize("reader", ["openvino", "ov_notebook"])
def test_ir_with_packed_weights_reads_and_runs(tmp_path, writer, reader):
    writer, reader = importlib.import_module(writer), importlib.import_module(reader)
    path = tmp_path / "packed.xml"
    writer.save_model(_decompression_model(writer), str(path))
    model = reader.Core().read_model(str(path))
    x = np.random.default_rng(0).standard_normal((2, 8)).astype(np.float32)
    config = F32 if reader is openvino else {}
    outputs = reader.compile_model(model, "CPU", config)(x)
    for index, expected in enumerate(_expected(x)):
        np.testing.assert_allclose(outputs[index], expected, rtol=1e-5, atol=1e-5)


def test_our_ir_is_byte_identical_to_openvinos(tmp_path):
    for module in (openvino, ov_notebook):
        module.save_model(_decompression_model(module), str(tmp_path / f"{module.__name__}.xml"),
                          compress_to_fp16=False)
    assert (tmp_path / "ov_notebook.bin").read_bytes() == (tmp_path / "openvino.bin").read_bytes()
    for element_type, precision in (("u4", "U4"), ("i4", "I4"), ("u1", "BIN")):
        text = (tmp_path / "ov_notebook.xml").read_text()
        assert f'element_type="{element_type}"' in text and f'precision="{precision}"' in text


def test_packed_constants_read_back_with_their_values(tmp_path):
    openvino.save_model(_decompression_model(openvino), str(tmp_path / "m.xml"))
    model = ov_notebook.read_model(str(tmp_path / "m.xml"))
    found = {str(node.get_element_type()): node for node in model.get_ordered_ops()
             if node.get_type_name() == "Constant" and node.get_element_type().is_packed}
    assert list(found["i4"].get_value()) == [-1, 1, 7, -8]
    assert list(found["u1"].get_value()) == [1, 0, 1, 1, 0, 0, 0, 1, 1, 1]
    assert found["u4"].get_byte_size() in (1, 12)


def test_decompression_is_folded_into_f32_weights():
    from ov_notebook.runtime.passes.constant_folding import fold_constants

    model = _decompression_model(ov_notebook)
    assert fold_constants(model)
    types = {node.get_type_name() for node in model.get_ordered_ops()}
    assert types == {"Parameter", "Constant", "MatMul", "Result"}
    weights = model.get_results()[0].input_value(0).get_node().input_value(1).get_node()
    expected = ((np.arange(24).reshape(3, 8) % 16) - 8) * np.array([[0.5], [0.25], [2.0]])
    np.testing.assert_array_equal(weights.get_value(), expected.astype(np.float32))


def test_nf4_weights_decompress_as_openvino(tmp_path):
    codes = np.arange(16, dtype=np.uint8)
    raw = pack_values(codes, ov_notebook.Type.nf4)
    for module in (openvino, ov_notebook):
        ops = ops_of(module)
        x = ops.parameter([16], module.Type.f32, name="x")
        constant = module.op.Constant(module.Tensor(raw, [16], module.Type.nf4))
        model = module.Model([ops.add(x, ops.convert(constant, module.Type.f32))], [x])
        module.save_model(model, str(tmp_path / f"{module.__name__}.xml"))
    zeros = np.zeros(16, np.float32)
    theirs = openvino.compile_model(str(tmp_path / "openvino.xml"), "CPU", F32)(zeros)[0]
    ours = ov_notebook.compile_model(str(tmp_path / "openvino.xml"))(zeros)[0]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    again = openvino.compile_model(str(tmp_path / "ov_notebook.xml"), "CPU", F32)(zeros)[0]
    np.testing.assert_allclose(again, theirs, rtol=0, atol=1e-6)


# --- Tensor -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, shape, nbytes", [("u4", [2, 3], 3), ("i4", [3], 2),
                                                 ("u1", [10], 2), ("nf4", [5], 3)])
def test_tensor_of_a_packed_type(ov, name, shape, nbytes):
    tensor = ov.Tensor(getattr(ov.Type, name), shape)
    assert tensor.get_byte_size() == tensor.byte_size == nbytes
    assert tensor.data.shape == (nbytes,)
    assert tensor.data.dtype == getattr(ov.Type, name).to_dtype()
    assert list(tensor.shape) == shape and tensor.get_size() == int(np.prod(shape))
    assert tensor.element_type == getattr(ov.Type, name)
    assert tensor.is_continuous()
    with pytest.raises(RuntimeError):
        tensor.strides  # noqa: B018  OpenVINO raises: values smaller than a byte have none
    with pytest.raises(RuntimeError):
        tensor.get_strides()


def test_tensor_over_packed_bytes(ov):
    raw = np.array([0x21, 0x43, 0xF5, 0x99], np.uint8)
    tensor = ov.Tensor(raw, [2, 3], ov.Type.u4)
    assert list(tensor.data) == [0x21, 0x43, 0xF5]
    assert list(tensor.shape) == [2, 3] and tensor.get_byte_size() == 3
    tensor.data[0] = 0x77
    assert tensor.data[0] == 0x77


def test_tensor_over_too_few_bytes_raises():
    with pytest.raises(RuntimeError, match="3 bytes"):
        ov_notebook.Tensor(np.array([1, 2], np.uint8), [2, 3], ov_notebook.Type.u4)


def test_tensor_values_and_copy():
    tensor = ov_notebook.Tensor(np.array([[1, 2, 3], [4, 5, 15]]), type="u4")
    assert list(tensor.data) == [0x21, 0x43, 0xF5]
    target = ov_notebook.Tensor(ov_notebook.Type.u4, [1])
    tensor.copy_to(target)
    assert list(target.shape) == [2, 3] and list(target.data) == [0x21, 0x43, 0xF5]
    with pytest.raises(RuntimeError, match="packed"):
        ov_notebook.Tensor(tensor, [0, 0], [1, 1])
    with pytest.raises(ValueError, match="out of range for u4"):
        ov_notebook.Tensor(np.array([16]), type="u4")


def test_model_with_a_packed_input_and_output():
    ops = ov_notebook.opset13
    x = ops.parameter([5], ov_notebook.Type.u4, name="x")
    as_float = ops.convert(x, ov_notebook.Type.f32)
    back = ops.convert(ops.multiply(as_float, ops.constant(np.float32(2))), "u4")
    compiled = ov_notebook.compile_model(ov_notebook.Model([as_float, back], [x]))
    request = compiled.create_infer_request()
    request.infer([ov_notebook.Tensor(np.array([1, 2, 3, 9, 15]), type="u4")])
    np.testing.assert_array_equal(request.get_output_tensor(0).data, [1, 2, 3, 9, 15])
    output = request.get_output_tensor(1)
    assert output.element_type == ov_notebook.Type.u4 and list(output.shape) == [5]
    # 2x wraps into 4 bits: [2, 4, 6, 18 & 15, 30 & 15]
    assert list(output.data) == [0x42, 0x26, 0x0E]


def test_packed_inputs_take_values_in_range():
    ops = ov_notebook.opset13
    x = ops.parameter([4], ov_notebook.Type.u4, name="x")
    compiled = ov_notebook.compile_model(ov_notebook.Model([ops.convert(x, "f32")], [x]))
    np.testing.assert_array_equal(compiled(np.array([1, 2, 3, 15], np.uint8))[0], [1, 2, 3, 15])
    packed = ov_notebook.Tensor(np.array([0x21, 0xF3], np.uint8), [4], ov_notebook.Type.u4)
    np.testing.assert_array_equal(compiled(packed)[0], [1, 2, 3, 15])
    with pytest.raises(RuntimeError, match=r"input 0 \('x'\): values out of range for u4"):
        compiled(np.array([1, 2, 3, 16]))


def test_nf4_input_and_output_tensors():
    ops = ov_notebook.opset13
    x = ops.parameter([3], ov_notebook.Type.nf4, name="x")
    model = ov_notebook.Model([ops.convert(x, "f32"), ops.convert(ops.convert(x, "f32"), "nf4")],
                              [x])
    request = ov_notebook.compile_model(model).create_infer_request()
    codes = np.array([0, 7, 15], np.uint8)
    request.infer([ov_notebook.Tensor(pack_values(codes, ov_notebook.Type.nf4), [3],
                                      ov_notebook.Type.nf4)])
    np.testing.assert_array_equal(request.get_output_tensor(0).data, [-1.0, 0.0, 1.0])
    output = request.get_output_tensor(1)
    assert output.element_type == ov_notebook.Type.nf4
    np.testing.assert_array_equal(output.data, pack_values(codes, ov_notebook.Type.nf4))
    # numbers given for an nf4 input take the nearest nf4 value
    np.testing.assert_allclose(request.infer([np.array([-0.9, 0.01, 0.7], np.float32)])[0],
                               NF4_VALUES[[0, 7, 14]])


def test_a_packed_constant_of_the_wrong_size_is_refused(tmp_path):
    openvino.save_model(_decompression_model(openvino), str(tmp_path / "m.xml"),
                        compress_to_fp16=False)
    text = (tmp_path / "m.xml").read_text()
    assert 'element_type="u4" shape="3, 8" offset="4" size="12"' in text
    (tmp_path / "m.xml").write_text(text.replace(
        'element_type="u4" shape="3, 8" offset="4" size="12"',
        'element_type="u4" shape="3, 8" offset="4" size="24"'))
    with pytest.raises(RuntimeError, match=r"size 24 does not match u4 shape \[3, 8\] \(12 bytes\)"):
        ov_notebook.read_model(str(tmp_path / "m.xml"))
