"""Test oracles: run a Model on our runtime and on real OpenVINO (which reads the IR we write)."""
from __future__ import annotations

import os
import re
import tempfile

import numpy as np

import ov_notebook as ov


def run_ours(model, inputs):
    """Outputs of our runtime as a list of arrays."""
    return list(ov.compile_model(model)(list(inputs)).values())


def openvino_model(model, directory=None, compress_to_fp16=False):
    """Save ``model`` with our serializer and read it back with real OpenVINO."""
    import openvino

    directory = directory or tempfile.mkdtemp(prefix="ovn_oracle_")
    path = os.path.join(directory, "model.xml")
    ov.save_model(model, path, compress_to_fp16=compress_to_fp16)
    return openvino.Core().read_model(path)


def run_openvino(model, inputs, directory=None, compress_to_fp16=False):
    """Outputs of real OpenVINO (CPU, f32 inference precision) on the IR we write."""
    import openvino

    ov_model = openvino_model(model, directory, compress_to_fp16)
    compiled = openvino.Core().compile_model(ov_model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled(list(inputs))
    return [np.asarray(result[i]) for i in range(len(compiled.outputs))]


def assert_outputs_match(ours, reference, rtol=1e-5, atol=1e-6, what=""):
    """Same count, dtype and shape exactly; floats within tolerances; ints and bools exact."""
    assert len(ours) == len(reference), f"{what}: {len(ours)} outputs vs {len(reference)}"
    for index, (a, b) in enumerate(zip(ours, reference)):
        a, b = np.asarray(a), np.asarray(b)
        label = f"{what} output {index}"
        assert a.shape == b.shape, f"{label}: shape {a.shape} vs {b.shape}"
        assert a.dtype == b.dtype, f"{label}: dtype {a.dtype} vs {b.dtype}"
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=label, equal_nan=True)
        else:
            np.testing.assert_array_equal(a, b, err_msg=label)


def saved_ir(model, save, directory, compress):
    """``(xml text, bin bytes)`` of ``model`` written by ``save`` (``openvino.save_model`` or
    ours) into ``directory``, without what differs between the writers by design: OpenVINO's
    runtime version line and an rt_info left empty by it."""
    path = directory / "model.xml"
    save(model, str(path), compress_to_fp16=compress)
    text = path.read_text()
    text = re.sub(r'\t\t<info name="OpenVINO Runtime" value="[^"]*" />\n', "", text)
    text = text.replace("\t<rt_info>\n\t</rt_info>\n", "")
    return text, path.with_suffix(".bin").read_bytes()


def named(node, name, tensor=None):
    """``node`` with friendly name ``name`` (and output tensor name ``tensor``), for graphs built
    alike with openvino's and our opset."""
    node.set_friendly_name(name)
    if tensor is not None:
        node.output(0).set_names({tensor})
    return node


def named_result(lib, value, name):
    return named(lib.result(value), name)
