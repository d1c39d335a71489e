"""build -> save_model -> read_model gives the same graph, for every registered op version, with
uncompressed and with f16-compressed weights; saving what was read writes the same files again."""
import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook.ir import compare_models, read_model
from ov_notebook.ir.ops.core import Constant
from ov_notebook.ir.serialize import should_compress, to_f16

from .op_cases import CASES, IMPLICIT, active_cases, registered_versions


def test_every_registered_op_has_a_case():
    covered = {(case.type_name, case.version) for case in CASES} | IMPLICIT
    missing = sorted(registered_versions() - covered)
    assert not missing, f"registered ops without a round-trip case in tests/ir/op_cases.py: {missing}"


def _save_and_read(model, directory, compress):
    path = directory / "model.xml"
    ov.save_model(model, path, compress_to_fp16=compress)
    return read_model(path), path


def _rounded_to_f16(model):
    """``model`` with every weight save_model would compress replaced by its f16-rounded values:
    what the Const(f16) -> Convert pair written for it decompresses to."""
    clone = model.clone()
    for node in clone.get_ordered_ops():
        if should_compress(node):
            data = node.get_data()
            rounded = Constant(to_f16(data).astype(data.dtype), name=node.get_friendly_name())
            rounded.rt_info.update(node.rt_info)
            rounded.output(0).set_names(node.output(0).get_names())
            node.output(0).replace(rounded.output(0))
    return clone


@pytest.mark.parametrize("case", active_cases(), ids=lambda c: c.id)
def test_round_trip_uncompressed(case, tmp_path):
    model, _ = case.build()
    back, path = _save_and_read(model, tmp_path, compress=False)
    assert compare_models(model, back) == []
    xml, weights = path.read_text(), path.with_suffix(".bin").read_bytes()
    again, path2 = _save_and_read(back, tmp_path / "again", compress=False)
    assert path2.read_text() == xml and path2.with_suffix(".bin").read_bytes() == weights


@pytest.mark.parametrize("case", active_cases(), ids=lambda c: c.id)
def test_round_trip_f16_compressed(case, tmp_path):
    model, _ = case.build()
    back, path = _save_and_read(model, tmp_path, compress=True)
    assert compare_models(_rounded_to_f16(model), back, fold_decompression=True) == []
    compressible = sum(should_compress(n) for n in model.get_ordered_ops())
    decompressions = [n for n in back.get_ordered_ops() if "decompression" in n.rt_info]
    assert len(decompressions) == compressible
    for convert in decompressions:
        weight = convert.input_value(0).get_node()
        assert weight.get_element_type() == "f16"
        assert weight.get_friendly_name() == convert.get_friendly_name() + "_compressed"
    # what was read (Const f16 -> Convert) is written back unchanged, compressed or not
    for compress in (True, False):
        _, path2 = _save_and_read(back, tmp_path / f"again{compress}", compress=compress)
        assert path2.read_text() == path.read_text()


def test_weights_round_trip_bit_exact_for_every_element_type(tmp_path):
    rng = np.random.default_rng(0)
    x = ov.opset.parameter([2], np.float32, name="x")
    outputs = []
    for name in ("boolean", "bf16", "f16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "u16",
                 "u32", "u64"):
        element_type = ov.Type(name)
        raw = rng.integers(0, 256, 24, dtype=np.uint8).view(element_type.to_dtype())[:3] \
            if element_type is not ov.Type.boolean else np.array([True, False, True])
        if element_type.is_real and element_type is not ov.Type.bf16:
            raw = np.nan_to_num(raw)
        outputs.append(Constant(raw, element_type, name=f"c_{name}"))
    model = ov.Model(outputs + [ov.opset.relu(x)], [x], "all_types")
    back, _ = _save_and_read(model, tmp_path, compress=False)
    assert compare_models(model, back) == []
    for mine, theirs in zip(model.get_ordered_ops(), back.get_ordered_ops()):
        if isinstance(mine, Constant):
            assert mine.get_data().tobytes() == theirs.get_data().tobytes()


def test_identical_weights_are_stored_once(tmp_path):
    x = ov.opset.parameter([4], np.float32, name="x")
    w = np.arange(4, dtype=np.float32)
    y = ov.opset.add(ov.opset.multiply(x, ov.opset.constant(w)), ov.opset.constant(w.copy()))
    model = ov.Model([y], [x])
    _, path = _save_and_read(model, tmp_path, compress=False)
    assert path.with_suffix(".bin").stat().st_size == w.nbytes
    _, path = _save_and_read(model, tmp_path / "f16", compress=True)
    assert path.with_suffix(".bin").stat().st_size == w.size * 2


def test_f16_compression_follows_openvino_keep_rule():
    def compressed(values):
        return should_compress(Constant(np.array(values, np.float32)))

    assert compressed([1e6, 1e6, 1.0, 1.0])            # 50% out of range: compressed
    assert not compressed([1e6, 1e6, 1e6, 1.0])        # 75%: kept in f32
    assert not compressed([1e-7, 1e-7, 1e-7, 1.0])     # below the smallest normal f16 counts too
    assert not compressed([np.nan, np.nan, np.inf, 1.0])
    assert not compressed(np.zeros(0))                 # empty weights stay as they are
    assert not should_compress(Constant(np.array([1, 2], np.int32)))
    assert should_compress(Constant(np.array([1.0, 2.0], np.float64)))
    np.testing.assert_array_equal(to_f16(np.array([1e6, -np.inf, np.nan, 1e-8, 0.5], np.float32)),
                                  np.array([65504, -65504, 65504, 0, 0.5], np.float16))


def test_saving_over_the_files_a_model_was_read_from(tmp_path):
    # the weights of a read model are views of the mapped .bin: writing must not pull them away
    x = ov.opset.parameter([3], np.float32, name="x")
    model = ov.Model([ov.opset.add(x, ov.opset.constant(np.array([1, 2, 3], np.float32)))], [x])
    path = tmp_path / "model.xml"
    ov.save_model(model, path, compress_to_fp16=False)
    back = read_model(path)
    ov.save_model(back, path, compress_to_fp16=True)
    ov.save_model(back, path, compress_to_fp16=False)
    assert compare_models(model, read_model(path)) == []
    assert not list(tmp_path.glob("*.tmp"))
