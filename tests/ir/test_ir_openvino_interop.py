"""Real OpenVINO reads the IR we write, infers the same types and shapes, compiles it on CPU and
computes what our numpy runtime computes; IR that OpenVINO writes back reads here unchanged."""
import numpy as np
import openvino
import pytest

import ov_notebook as ov
from ov_notebook.ir import compare_models, read_model
from oracle import assert_outputs_match, run_ours

from .op_cases import active_cases

CORE = openvino.Core()
CONFIG = {"INFERENCE_PRECISION_HINT": "f32"}


def _signature(model):
    return [(str(o.get_element_type().get_type_name()), str(o.get_partial_shape()))
            for o in model.outputs]


def _openvino_outputs(ov_model, inputs):
    compiled = CORE.compile_model(ov_model, "CPU", CONFIG)
    result = compiled(list(inputs))
    return [np.asarray(result[i]) for i in range(len(compiled.outputs))]


@pytest.mark.parametrize("compress", [False, True], ids=["f32", "f16"])
@pytest.mark.parametrize("case", active_cases(), ids=lambda c: c.id)
def test_openvino_runs_our_ir(case, compress, tmp_path):
    model, inputs = case.build()
    path = tmp_path / "model.xml"
    ov.save_model(model, path, compress_to_fp16=compress)
    ov_model = CORE.read_model(path)
    if compress:  # OpenVINO's inference does not see through decompression: ours may be sharper
        for theirs, mine in zip(ov_model.outputs, model.outputs):
            assert ov.PartialShape(str(theirs.get_partial_shape())).relaxes(mine.get_partial_shape())
    else:
        assert _signature(ov_model) == _signature(model)
    assert [o.get_names() for o in ov_model.outputs] == [o.get_names() for o in model.outputs]
    assert [p.get_friendly_name() for p in ov_model.get_parameters()] == [
        p.get_friendly_name() for p in model.get_parameters()]
    ours = run_ours(read_model(path), inputs)  # the weights as stored: f16-rounded if compressed
    assert_outputs_match(ours, _openvino_outputs(ov_model, inputs), rtol=case.rtol, atol=case.atol,
                         what=case.id)


@pytest.mark.parametrize("case", active_cases(), ids=lambda c: c.id)
def test_ir_written_by_openvino_reads_back(case, tmp_path):
    model, _ = case.build()
    ov.save_model(model, tmp_path / "ours.xml", compress_to_fp16=False)
    openvino.save_model(CORE.read_model(tmp_path / "ours.xml"), tmp_path / "theirs.xml",
                        compress_to_fp16=False)
    back = read_model(tmp_path / "theirs.xml")
    # OpenVINO keeps only the rt_info it knows and adds its version to the model's
    assert compare_models(model, back, rt_info=False) == []
    assert back.rt_info["ov_notebook"] == {"origin": "ir-tests"}
