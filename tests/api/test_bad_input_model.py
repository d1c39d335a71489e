"""The Model API given bad arguments: typed errors naming what was wrong; a reshape or a
replace_parameter the graph does not accept leaves the model as it was."""
from __future__ import annotations

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import IRReadError, IRWriteError


def two_inputs():
    x = ops.parameter([1, 3], np.float32, name="x")
    y = ops.parameter([1, 3], np.float32, name="y")
    return x, y, ops.relu(ops.add(x, y))


def model():
    x, y, out = two_inputs()
    return ov.Model([out], [x, y], "m")


def _bad_model_constructions():
    x, y, out = two_inputs()
    const = ops.constant(np.ones(3, np.float32))
    return {
        "a Constant as parameter": (lambda: ov.Model([out], [x, const]), TypeError,
                                    r"model parameters must be Parameter nodes, got Constant"),
        "a missing parameter": (lambda: ov.Model([out], [x]), ValueError,
                                r"the results depend on Parameters not listed in the model's "
                                r"parameters: y"),
        "a parameter twice": (lambda: ov.Model([out], [x, y, x]), ValueError,
                              r"Parameter 'x' is listed twice"),
        "results None": (lambda: ov.Model(None, [x, y]), TypeError,
                         r"results must be a list of Result nodes, nodes or outputs, got NoneType"),
        "results a string": (lambda: ov.Model("out", [x, y]), TypeError,
                             r"results must be a list.*got str 'out'"),
        "a result that is an int": (lambda: ov.Model([1], [x]), TypeError,
                                    r"expected a Node or an Output, got int"),
        "parameters an int": (lambda: ov.Model([out], 5), TypeError,
                              r"parameters must be a list of Parameter nodes, got int 5"),
        "name an int": (lambda: ov.Model([out], [x, y], 5), TypeError,
                        r"a model name must be a string, got int 5"),
    }


CONSTRUCTIONS = _bad_model_constructions()


@pytest.mark.parametrize("build, error, message", CONSTRUCTIONS.values(), ids=CONSTRUCTIONS.keys())
def test_bad_model_construction(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_a_single_parameter_need_not_be_a_list():
    x = ops.parameter([2], np.float32, name="x")
    assert ov.Model(ops.relu(x), x).inputs[0].get_any_name() == "x"


ACCESS = {
    "input(5)": (lambda m: m.input(5), IndexError,
                 r"the model has 2 inputs; index 5 is out of range"),
    "input('nope')": (lambda m: m.input("nope"), KeyError,
                      r"the model has no input named 'nope'; input names: \[\['x'\], \['y'\]\]"),
    "input(1.5)": (lambda m: m.input(1.5), TypeError,
                   r"input key must be an index, a tensor name or a port, got 1.5"),
    "input(True)": (lambda m: m.input(True), TypeError, r"got True"),
    "input(None) with two inputs": (lambda m: m.input(), ValueError,
                                    r"the model has 2 inputs; pass an index or a name"),
    "output(-2)": (lambda m: m.output(-2), IndexError, r"the model has 1 outputs"),
    "output of another model": (lambda m: m.output(model().output(0)), KeyError,
                                r"is not an output of this model"),
    "get_output_op(3)": (lambda m: m.get_output_op(3), IndexError,
                         r"the model has 1 outputs; index 3 is out of range"),
    "get_output_shape('a')": (lambda m: m.get_output_shape("a"), TypeError,
                              r"an output index must be an integer, got str 'a'"),
    "get_rt_info missing": (lambda m: m.get_rt_info(["a", "b"]), KeyError,
                            r"the model's rt_info has no entry \['a', 'b'\]"),
    "get_rt_info(5)": (lambda m: m.get_rt_info(5), TypeError,
                       r"an rt_info path is a string or a non-empty list of strings, got 5"),
    "set_rt_info path []": (lambda m: m.set_rt_info(1, []), TypeError,
                            r"an rt_info path is a string or a non-empty list"),
    "set_rt_info below a value": (lambda m: (m.set_rt_info("v", "a"), m.set_rt_info(1, ["a", "b"])),
                                  TypeError, r"rt_info path \['a', 'b'\]: \['a'\] holds a str"),
    "has_rt_info(None)": (lambda m: m.has_rt_info(None), TypeError, r"an rt_info path"),
    "replace_parameter(5, ...)": (lambda m: m.replace_parameter(5, ops.parameter([1, 3])),
                                  IndexError, r"the model has 2 parameters; 5 is not a valid index"),
    "replace_parameter(0, 'x')": (lambda m: m.replace_parameter(0, "x"), TypeError,
                                  r"replace_parameter expects a Parameter node, got str"),
    "remove_result(5)": (lambda m: m.remove_result(5), TypeError,
                         r"remove_result expects a Result of this model, got int 5"),
    "remove_parameter('x')": (lambda m: m.remove_parameter("x"), TypeError,
                              r"remove_parameter expects a Parameter of this model"),
    "add_parameters([5])": (lambda m: m.add_parameters([5]), TypeError,
                            r"expected Parameter nodes, got int"),
    "add_outputs('nope')": (lambda m: m.add_outputs("nope"), KeyError,
                            r"the model has no tensor named 'nope'"),
    "add_results(relu)": (lambda m: m.add_results(ops.relu(m.inputs[0])), TypeError,
                          r"expected Result nodes, got Relu"),
    "input_value(3)": (lambda m: m.get_results()[0].input_value(3), IndexError,
                       r"Result '.*' has 1 inputs; 3 is not a valid input index"),
    "tensor names 5": (lambda m: m.output(0).get_tensor().set_names(5), TypeError,
                       r"tensor names are a set of strings, got int 5"),
    "tensor name ''": (lambda m: m.output(0).get_tensor().set_names({""}), ValueError,
                       r"tensor names must be non-empty strings"),
    "clone_model(5)": (lambda m: ov.clone_model(5), TypeError, r"clone_model expects a Model"),
    "reshape an unknown input": (lambda m: m.reshape({"nope": [1, 3]}), KeyError,
                                 r"no input named 'nope'"),
    "reshape to a bad shape string": (lambda m: m.reshape({"x": "[1,a]"}), ValueError,
                                      r"invalid shape '\[1,a\]' for input 'x': cannot parse "
                                      r"dimension 'a'"),
    "reshape to a number": (lambda m: m.reshape({"x": 5}), ValueError, r"invalid shape 5"),
    "reshape one shape for two inputs": (lambda m: m.reshape([1, 4]), ValueError,
                                         r"the model has 2 inputs; pass an index or a name"),
}


@pytest.mark.parametrize("call, error, message", ACCESS.values(), ids=ACCESS.keys())
def test_bad_model_access(call, error, message):
    with pytest.raises(error, match=message):
        call(model())


def _shapes(m):
    return [str(p.get_partial_shape()) for p in m.inputs] + \
        [str(p.get_partial_shape()) for p in m.outputs]


@pytest.mark.parametrize("shapes", [{"x": [1, 4]}, {"x": [2, 3], "y": [5, 3]}, {"y": "[1,2,3,4]"}])
def test_a_failed_reshape_leaves_the_model_unchanged(shapes):
    m = model()
    before = _shapes(m)
    with pytest.raises(ov.OpValidationError, match="Add .*cannot be broadcast"):
        m.reshape(shapes)
    assert _shapes(m) == before
    assert ov.compile_model(m)([np.ones((1, 3), np.float32)] * 2)[0].shape == (1, 3)


def test_a_reshape_naming_an_unknown_input_changes_nothing():
    m = model()
    with pytest.raises(KeyError, match="no input named 'nope'"):
        m.reshape({"x": [2, 3], "nope": [1]})
    assert _shapes(m) == ["[1,3]", "[1,3]", "[1,3]"]


def test_a_failed_replace_parameter_leaves_the_model_unchanged():
    m = model()
    old = m.get_parameters()[0]
    with pytest.raises(ov.OpValidationError, match="same element type"):
        m.replace_parameter(0, ops.parameter([1, 3], np.int32, name="z"))
    assert m.get_parameters()[0] is old and _shapes(m) == ["[1,3]", "[1,3]", "[1,3]"]
    assert ov.compile_model(m)([np.ones((1, 3), np.float32)] * 2)[0].shape == (1, 3)


SAVE_READ = {
    "save to a directory path": (lambda d: ov.save_model(model(), d), IRWriteError,
                                 r"the output model path must end with .xml"),
    "save without .xml": (lambda d: ov.save_model(model(), d / "model"), IRWriteError,
                          r"must end with .xml, got '.*model'"),
    "save over a directory": (lambda d: ((d / "x.xml").mkdir(), ov.save_model(model(), d / "x.xml")),
                              IRWriteError, r"cannot write .*x.xml: it is a directory"),
    "save below a file": (lambda d: ((d / "file").write_text(""),
                                     ov.save_model(model(), d / "file" / "m.xml")),
                          IRWriteError, r"cannot write .*m.xml: "),
    "save a non-model": (lambda d: ov.save_model(5, d / "m.xml"), TypeError,
                         r"save_model expects an ov_notebook Model, got int"),
    "save to None": (lambda d: ov.save_model(model(), None), TypeError,
                     r"the output path must be a str or os.PathLike ending with .xml, got NoneType"),
    "compress_to_fp16='yes'": (lambda d: ov.save_model(model(), d / "m.xml", compress_to_fp16="yes"),
                               TypeError, r"compress_to_fp16 must be True or False, got 'yes'"),
    "read a directory": (lambda d: ov.read_model(d), IRReadError,
                         r"is a directory; give the path of the model's .xml file"),
    "read a missing file": (lambda d: ov.read_model(d / "nope.xml"), IRReadError,
                            r"model file .*nope.xml does not exist"),
    "read the .bin": (lambda d: (ov.save_model(model(), d / "m.xml"), ov.read_model(d / "m.bin")),
                      IRReadError, r"m.bin is the weights file; read the model's .xml"),
    "read a text file": (lambda d: ((d / "t.xml").write_text("hello"), ov.read_model(d / "t.xml")),
                         IRReadError, r"t.xml is not well-formed XML"),
    "read an empty file": (lambda d: ((d / "e.xml").write_text(""), ov.read_model(d / "e.xml")),
                           IRReadError, r"e.xml is not well-formed XML"),
    "ir.read_model(5)": (lambda d: __import__("ov_notebook.ir", fromlist=["read_model"]).read_model(5),
                         TypeError, r"read_model expects a path to an IR .xml"),
}


@pytest.mark.parametrize("call, error, message", SAVE_READ.values(), ids=SAVE_READ.keys())
def test_bad_save_and_read(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(tmp_path)


def test_read_model_names_what_it_takes():
    with pytest.raises(TypeError, match="read_model"):
        ov.read_model(None)
