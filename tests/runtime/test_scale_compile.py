"""compile_model keeps one copy of each prepacked weight: the runtime model's Constants become
views of the packed copies, the f16-decompressed and file-mapped ones are let go, and the
outputs are what OpenVINO computes from the same IR."""
import numpy as np
import openvino
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir.ops.core import Constant
from ov_notebook.runtime.passes.decompression_folding import widened_transposed

IN, HIDDEN, OUT = 48, 64, 40
# the numpy kernels' prepacking is what these tests look at (oneDNN primitives keep their own
# reordered weights, outside the runtime model's Constants)
NUMPY = {"KERNEL_BACKEND": "numpy"}


def _weights():
    rng = np.random.default_rng(0)
    return {"up": rng.standard_normal((HIDDEN, IN)).astype(np.float32),  # read transposed
            "down": rng.standard_normal((HIDDEN, OUT)).astype(np.float32),
            "shared": rng.standard_normal((OUT, OUT)).astype(np.float32)}


def saved_model(directory, compress):
    """[40, 48] x @ up^T -> relu -> @ down -> @ shared, + shared: a weight also read by an Add."""
    w = _weights()
    x = ops.parameter([OUT, IN], np.float32, name="x")
    hidden = ops.relu(ops.matmul(x, ops.constant(w["up"], name="up"), False, True))
    down = ops.matmul(hidden, ops.constant(w["down"], name="down"), False, False)
    shared = ops.constant(w["shared"], name="shared")
    out = ops.add(ops.matmul(down, shared, False, False), shared)
    out.output(0).set_names({"y"})
    path = str(directory / "model.xml")
    ov.save_model(ov.Model([ops.result(out)], [x], "mlp"), path, compress_to_fp16=compress)
    return path


def _held_weight_bytes(compiled) -> int:
    """Bytes of the distinct buffers of its own (not the mapped .bin) that the plan holds for
    constants and packed weights."""
    plan = compiled._plan.plan
    arrays = [v for v in plan.initial if isinstance(v, np.ndarray)]
    arrays += [s.attrs["weights"] for s in plan.steps
               if isinstance(s.attrs.get("weights"), np.ndarray)]
    owners = {}
    for array in arrays:
        base = array
        while isinstance(base.base, np.ndarray):
            base = base.base
        if base.flags.owndata:
            owners[id(base)] = base.nbytes
    return sum(owners.values())


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
def test_packed_weights_are_the_only_copy(compress, tmp_path):
    compiled = ov.compile_model(ov.read_model(saved_model(tmp_path, compress)), "CPU", NUMPY)
    w = _weights()
    runtime = {n.get_friendly_name(): n for n in compiled._plan.model.get_ordered_ops()
               if isinstance(n, Constant)}
    packed = {s.node.input_value(1).get_node().get_friendly_name(): s.attrs["weights"]
              for s in compiled._plan.plan.steps if isinstance(s.attrs.get("weights"), np.ndarray)}
    for name in ("up", "down"):
        assert np.shares_memory(runtime[name].get_data(), packed[name]), name
        expected = w[name].astype(np.float16).astype(np.float32) if compress else w[name]
        if compress and name == "up":  # decompressed straight into MatMul's [K, N] layout
            expected = expected.T
        np.testing.assert_array_equal(runtime[name].get_data(), expected)
    # "shared" is also read by the Add: it keeps its own data beside the packed copy
    assert not np.shares_memory(runtime["shared"].get_data(), packed["shared"])
    weight_bytes = sum(v.nbytes for v in w.values())
    assert _held_weight_bytes(compiled) <= weight_bytes + w["shared"].nbytes


def test_transposed_f16_weight_is_decompressed_into_the_packed_layout(tmp_path):
    compiled = ov.compile_model(ov.read_model(saved_model(tmp_path, True)), "CPU", NUMPY)
    types = [n.get_type_name() for n in compiled.get_runtime_model().get_ordered_ops()]
    assert "Convert" not in types
    up = next(s for s in compiled._plan.plan.steps if s.node.get_input_size() > 1 and
              s.node.input_value(1).get_node().get_friendly_name() == "up")
    assert up.node.get_attributes()["transpose_b"] is False
    assert up.attrs["weights"].shape == (IN, HIDDEN)
    assert "decompression_folding" in compiled.get_property("APPLIED_PASSES")


@pytest.mark.parametrize("rows", [1, 255, 256, 300, 513])
def test_widened_transposed_by_blocks(rows):
    weight = np.random.default_rng(rows).standard_normal((2, rows, 7)).astype(np.float16)
    got = widened_transposed(weight)
    np.testing.assert_array_equal(got, np.swapaxes(weight, -1, -2).astype(np.float32))
    assert got.flags.c_contiguous and got.dtype == np.float32


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
@pytest.mark.parametrize("module", [openvino, ov], ids=["openvino", "ov_notebook"])
def test_outputs_after_sharing_match_openvino(module, compress, tmp_path):
    path = saved_model(tmp_path, compress)
    x = np.random.default_rng(1).standard_normal((OUT, IN)).astype(np.float32)
    config = {"INFERENCE_PRECISION_HINT": "f32"} if module is openvino else {}
    compiled = module.Core().compile_model(module.Core().read_model(path), "CPU", config)
    reference = openvino.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    expected = reference(x)[0]
    for _ in range(2):  # the second run reads the same shared buffers again
        result = compiled(x)[0]
        assert result.dtype == expected.dtype and result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-4)
