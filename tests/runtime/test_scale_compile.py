"""compile_model keeps one copy of each prepacked weight: the runtime model's Constants become
views of the packed copies, the f16-decompressed and file-mapped ones are let go, and the
outputs are what OpenVINO computes from the same IR."""
import os
import subprocess
import sys

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


# --- compile's peak memory on a few hundred MB of weights, in a fresh process -----------------
WIDTH, LAYERS, VOCAB = 768, 12, 16000  # a Llama's proportions: 402 MB of f32 weights


def llama_like_model(directory):
    """A decoder's weights and their readers, with random weights: token embedding (a Gather),
    per layer q/k/v (merged into one MatMul by projection_merging), o, a SiLU-gated MLP 2.75x
    wide, and the vocabulary projection; a boolean constant first in the .bin, so every weight
    after it is mapped at an offset that is not a multiple of 4, as in the converter's IR."""
    rng = np.random.default_rng(0)

    def weight(rows, columns):
        return rng.standard_normal((rows, columns), dtype=np.float32) * 0.03

    ids = ops.parameter([1, 16], np.int64, name="ids")
    h = ops.multiply(ops.gather(weight(VOCAB, WIDTH), ids, np.int64(0)),
                     ops.convert(ops.constant(np.array([True])), np.float32))
    hidden = WIDTH * 11 // 4
    for _ in range(LAYERS):
        q, k, v = (ops.matmul(h, weight(rows, WIDTH), False, True)
                   for rows in (WIDTH, WIDTH // 4, WIDTH // 4))
        heads = ops.reshape(q, [1, 16, 4, WIDTH // 4], False)
        mixed = ops.reshape(ops.multiply(heads, ops.unsqueeze(ops.add(k, v), np.int64(2))),
                            [1, 16, WIDTH], False)
        h = ops.add(h, ops.matmul(mixed, weight(WIDTH, WIDTH), False, True))
        gate = ops.swish(ops.matmul(h, weight(hidden, WIDTH), False, True))
        up = ops.multiply(gate, ops.matmul(h, weight(hidden, WIDTH), False, True))
        h = ops.add(h, ops.matmul(up, weight(WIDTH, hidden), False, True))
    logits = ops.matmul(h, weight(VOCAB, WIDTH), False, True)
    path = str(directory / "llama_like.xml")
    ov.save_model(ov.Model([logits], [ids], "llama_like"), path, compress_to_fp16=False)
    return path


_MEASURE = """
import sys, numpy as np, ov_notebook as ov
def status(field):
    return next(int(l.split()[1]) * 1024 for l in open('/proc/self/status') if l.startswith(field))
model = ov.read_model(sys.argv[1])
for node in model.get_ordered_ops():  # the mapped .bin resident before the measurement
    if node.get_type_name() == 'Constant':
        node.get_data().sum()
import gc; gc.collect()
before = status('VmRSS')
open('/proc/self/clear_refs', 'w').write('5')
compiled = ov.compile_model(model, 'CPU', {'KERNEL_BACKEND': sys.argv[2]})
compiled(np.arange(16, dtype=np.int64).reshape(1, 16))
print(status('VmHWM') - before, status('VmRSS') - before)
"""


@pytest.mark.skipif(not os.access("/proc/self/clear_refs", os.W_OK),
                    reason="needs /proc/self/clear_refs to reset the peak resident set")
@pytest.mark.parametrize("backend", ["onednn", "numpy"])
def test_compile_peak_memory_stays_within_a_tenth_over_the_weights(backend, tmp_path):
    """Compiling (and a first inference) adds at most 1.1x the weights at its peak, in a fresh
    process whose mapped .bin is already resident: one packed copy of the MatMuls' weights
    and the merged q/k/v weights (kept beside their packed copy), no copy per weight on the
    way (the misaligned weights are staged through one small buffer)."""
    from ov_notebook.runtime import onednn

    if backend == "onednn" and onednn.runtime() is None:
        pytest.skip("oneDNN is not installed")
    path = llama_like_model(tmp_path)
    weights = os.path.getsize(path[:-4] + ".bin")
    done = subprocess.run([sys.executable, "-c", _MEASURE, path, backend], capture_output=True,
                          text=True, check=True)
    peak, kept = map(int, done.stdout.split())
    assert peak <= 1.1 * weights, (peak / weights, kept / weights)
