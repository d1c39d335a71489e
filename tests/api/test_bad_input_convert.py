"""convert_model given bad models, paths, example_input, input= and output=: a ConversionError
(or TypeError for a bad keyword) that names what was wrong and what is expected."""
from __future__ import annotations

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook.frontend import ConversionError
from ov_notebook.ir import IRReadError

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")


class Add(torch.nn.Module):
    def forward(self, x, y):
        return x + y


A = torch.ones(2, 3)


def onnx_add():
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])
    z = helper.make_tensor_value_info("z", TensorProto.FLOAT, [None, 3])
    graph = helper.make_graph([helper.make_node("Add", ["x", "y"], ["z"])], "g", [x, y], [z])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def files(tmp_path):
    for name, content in (("bad.pt", b"garbage"), ("bad.pt2", b"garbage"),
                          ("bad.onnx", b"\x00\xff" * 8), ("bad.xml", b"<x>"), ("bad.txt", b"x")):
        (tmp_path / name).write_bytes(content)
    return tmp_path


CASES = {
    "an int": (lambda d: ov.convert_model(5), ConversionError,
               r"cannot convert an object of type int; expected a torch.nn.Module"),
    "a class, not an instance": (lambda d: ov.convert_model(Add), ConversionError,
                                 r"cannot convert an object of type type"),
    "nothing": (lambda d: ov.convert_model(), ConversionError, r"convert_model needs input_model"),
    "an unknown keyword": (lambda d: ov.convert_model(Add(), bogus=1), TypeError,
                           r"convert_model got unexpected argument\(s\) bogus"),
    "a missing file": (lambda d: ov.convert_model(d / "none.pt"), ConversionError,
                       r"model file .*none.pt does not exist"),
    "a directory": (lambda d: ov.convert_model(d), ConversionError,
                    r"unrecognised file type; accepted formats are .pt2"),
    "a .txt file": (lambda d: ov.convert_model(d / "bad.txt"), ConversionError,
                    r"bad.txt: unrecognised file type"),
    "a corrupt .pt": (lambda d: ov.convert_model(d / "bad.pt", example_input=A), ConversionError,
                      r"bad.pt is not a PyTorch model archive"),
    "a corrupt .pt2": (lambda d: ov.convert_model(d / "bad.pt2"), ConversionError,
                       r"bad.pt2 is not a PyTorch model archive"),
    "a corrupt .onnx": (lambda d: ov.convert_model(d / "bad.onnx"), ConversionError,
                        r"bad.onnx is not a valid ONNX model"),
    "a corrupt .xml": (lambda d: ov.convert_model(d / "bad.xml"), IRReadError,
                       r"bad.xml is not well-formed XML"),
    "a state_dict .pt": (lambda d: (torch.save(Add().state_dict(), d / "sd.pt"),
                                    ov.convert_model(d / "sd.pt", example_input=(A, A))),
                         ConversionError, r"sd.pt was saved with torch.save"),
    "example_input a string": (lambda d: ov.convert_model(Add(), example_input="abc"),
                               ConversionError, r"example_input: unsupported type str; expected "
                                                r"torch.Tensor"),
    "example_input an object": (lambda d: ov.convert_model(Add(), example_input=(object(), A)),
                                ConversionError, r"example_input\[0\]: unsupported type object"),
    "example_input too short": (lambda d: ov.convert_model(Add(), example_input=(A,)),
                                ConversionError,
                                r"example_input does not give 'y' required by forward\(x, y\)"),
    "example_input too long": (lambda d: ov.convert_model(Add(), example_input=(A, A, A)),
                               ConversionError, r"gives 3 positional arguments but forward\(x, y\) "
                                                r"takes 2"),
    "example_input unknown key": (lambda d: ov.convert_model(Add(), example_input={"x": A, "z": A}),
                                  ConversionError, r"example_input has key\(s\) \['z'\] that are "
                                                   r"not arguments of forward\(x, y\)"),
    "input= bad shape": (lambda d: ov.convert_model(Add(), example_input=(A, A),
                                                    input=[("x", "[1,a]"), ("y", [2, 3])]),
                         ConversionError, r"input= \[0\]: invalid shape '\[1,a\]'"),
    "input= bad type": (lambda d: ov.convert_model(Add(), example_input=(A, A),
                                                   input=[("x", [2, 3], "bogus"), ("y", [2, 3])]),
                        ConversionError, r"cannot read 'bogus' as a name, a shape or an element "
                                         r"type"),
    "input= too few": (lambda d: ov.convert_model(Add(), example_input=(A, A), input=[[2, 3]]),
                       ConversionError, r"input= describes 1 input\(s\) but the model has 2"),
    "input= unknown name": (lambda d: ov.convert_model(Add(), example_input=(A, A),
                                                       input={"z": [2, 3], "y": [2, 3]}),
                            ConversionError, r"input= names \['z'\] are not inputs of the model"),
    "input= outside example": (lambda d: ov.convert_model(Add(), example_input=(A, A),
                                                          input=[[7, 7], [7, 7]]),
                               ConversionError, r"input 'x': example_input has shape \[2, 3\], "
                                                r"outside input= shape \[7,7\]"),
    "input= negative dim": (lambda d: ov.convert_model(Add(), example_input=(A, A),
                                                       input=[[-5, 3], [2, 3]]),
                            ConversionError, r"dimension must be >= 0 or -1"),
    "output= for torch": (lambda d: ov.convert_model(Add(), example_input=(A, A), output="z"),
                          ConversionError, r"output= is not supported for PyTorch models"),
    "onnx example_input": (lambda d: ov.convert_model(onnx_add(), example_input=np.ones((2, 3))),
                           ConversionError, r"example_input is not used for ONNX models"),
    "onnx input= bad shape": (lambda d: ov.convert_model(onnx_add(), input=[("x", "[1,a]"),
                                                                           ("y", [2, 3])]),
                              ConversionError, r"input=\[0\]: cannot read \('x', '\[1,a\]'\) as a "
                                               r"shape and element type: cannot parse dimension"),
    "onnx input= too few": (lambda d: ov.convert_model(onnx_add(), input=[[2, 3]]),
                            ConversionError, r"input= gives 1 shape\(s\) by position but the ONNX "
                                             r"model has 2 inputs \['x', 'y'\]"),
    "onnx input= an int": (lambda d: ov.convert_model(onnx_add(), input=5), ConversionError,
                           r"input= takes a shape, a list of shapes .* got int 5"),
    "onnx input= incompatible": (lambda d: ov.convert_model(onnx_add(), input={"x": [2, 4]}),
                                 ConversionError, r"input= shape \[2,4\] for 'x' is incompatible "
                                                  r"with the model's \[\?,3\]"),
    "onnx output= unknown": (lambda d: ov.convert_model(onnx_add(), output="nope"),
                             ConversionError, r"output 'nope' is not a tensor of the ONNX graph"),
    "onnx output= an int": (lambda d: ov.convert_model(onnx_add(), output=5), ConversionError,
                            r"output= takes a tensor name or a list of names, got 5"),
}


@pytest.mark.parametrize("call, error, message", CASES.values(), ids=CASES.keys())
def test_bad_conversions(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(files(tmp_path))


def test_onnx_input_by_name_may_cover_some_inputs():
    model = ov.convert_model(onnx_add(), input={"x": [2, 3]})
    assert [str(p.get_partial_shape()) for p in model.inputs] == ["[2,3]", "[?,3]"]


def test_a_failed_export_prints_no_traceback(capfd):
    with pytest.raises(ConversionError, match="cannot get a graph"):
        ov.convert_model(Add(), example_input=(torch.ones(2, 3), torch.ones(4, 5)))
    assert "Traceback" not in capfd.readouterr().err
