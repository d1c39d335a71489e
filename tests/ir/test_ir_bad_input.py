"""Every way an IR file can be wrong gives an IRReadError that says what and where, and no Model."""
import re

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import IRReadError, read_model, read_model_from_string
from ov_notebook.ir import deserialize


@pytest.fixture
def saved(tmp_path):
    """A valid model.xml/.bin: Parameter -> Multiply(weights) -> Add(weights) -> Relu -> Result."""
    x = ops.parameter([1, 4], np.float32, name="x")
    y = ops.multiply(x, ops.constant(np.arange(4, dtype=np.float32).reshape(1, 4), name="w"))
    y = ops.relu(ops.add(y, ops.constant(np.ones((1, 4), np.int64).astype(np.float32) * 3)),
                 name="relu")
    path = tmp_path / "model.xml"
    ov.save_model(ov.Model([y], [x], "m"), path, compress_to_fp16=False)
    return path


@pytest.fixture
def no_model_built(monkeypatch):
    """Fails the test if the reader gets as far as making a Model."""
    def refuse(*args, **kwargs):
        raise AssertionError("a Model was built from a bad file")

    monkeypatch.setattr(deserialize, "Model", refuse)


def _edit(path, old, new, count=1):
    text = path.read_text()
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, count))
    return path


def _expect(path, message, weights=None):
    with pytest.raises(IRReadError, match=message):
        read_model(path, weights)


def test_valid_file_reads(saved):
    assert read_model(saved).get_friendly_name() == "m"


@pytest.mark.usefixtures("no_model_built")
@pytest.mark.parametrize("old, new, message", [
    ("</net>", "", "not well-formed XML"),
    ('<edge from-layer="0"', '<edge from-layer="0" from-layer="1"', "not well-formed XML"),
    ('<net name="m" version="11">', '<model name="m" version="11">', "not well-formed"),
    ('version="11"', 'version="7"', "IR version '7' is not supported"),
    ('type="ReLU"', 'type="FancyOp"', r"layer 5 \('relu', FancyOp opset1\).*unknown operation "
                                      r"type 'FancyOp'"),
    ('type="ReLU" version="opset1"', 'type="ReLU" version="my_extension"',
     r"ReLU my_extension.*has no version 'my_extension'"),
    ('to-layer="5" to-port="0"', 'to-layer="42" to-port="0"', "refers to a layer that does not exist"),
    ('to-layer="5" to-port="0"', 'to-layer="5" to-port="7"', "not an input port of layer 5"),
    ('from-layer="4" from-port="2"', 'from-layer="4" from-port="0"', "not an output port of layer 4"),
    ('\t\t<edge from-layer="4" from-port="2" to-layer="5" to-port="0" />\n', "",
     "input port 0 of layer 5 .* has no incoming edge"),
    ('to-layer="4" to-port="1"', 'to-layer="4" to-port="0"', "has two incoming edges"),
    ('<layer id="5"', '<layer id="4"', "layer id 4 is used twice"),
    ('<layer id="5"', '<layer id="five"', "'id' must be an integer, got 'five'"),
    ('precision="FP32" names="x"', 'precision="FP64" names="x"', "declared f64 but the operation "
                                                                 "produces f32"),
    ('element_type="f32" shape="1, 4" offset="0"', 'element_type="f17" shape="1, 4" offset="0"',
     "unknown element_type 'f17'"),
    ('<dim>4</dim>', '<dim>five</dim>', "invalid dim 'five'"),
    ('<data auto_broadcast="numpy" />', '<data auto_broadcast="sideways" />',
     "auto_broadcast.*must be one of"),
    ('offset="16" size="16"', 'offset="16" size="12"', "size 12 does not match f32 shape"),
    ('offset="16" size="16"', 'offset="30" size="16"', r"bytes \[30, 46\) are outside"),
    ('offset="16" size="16"', 'offset="-4" size="16"', "negative offset"),
    ('offset="16" size="16"', 'offset="x" size="16"', "'offset' must be an integer"),
    ('shape="1, 4" offset="16"', 'shape="1, -4" offset="16"', "negative dimension"),
])
def test_malformed_files(saved, old, new, message):
    _expect(_edit(saved, old, new), message)


def test_input_port_type_must_match_its_source(saved, no_model_built):
    text = saved.read_text()
    relu = text[text.index('name="relu"'):]
    patched = relu.replace('precision="FP32"', 'precision="I32"', 1)
    saved.write_text(text.replace(relu, patched))
    _expect(saved, "input port 0 of layer 5 .* is declared i32 but receives f32")


def test_cycles_are_reported(saved, no_model_built):
    _edit(saved, 'from-layer="0" from-port="0" to-layer="2" to-port="0"',
          'from-layer="5" from-port="1" to-layer="2" to-port="0"')
    _expect(saved, r"the graph has a cycle through layers \[2, 4, 5, 6\]")


def test_missing_and_truncated_weights(saved, no_model_built):
    weights = saved.with_suffix(".bin")
    data = weights.read_bytes()
    weights.write_bytes(data[:20])
    _expect(saved, r"outside .*model.bin of 20 bytes \(truncated .bin\?\)")
    weights.unlink()
    _expect(saved, "weights file .*model.bin does not exist")
    _expect(saved, "weights file .*other.bin does not exist", saved.parent / "other.bin")
    with pytest.raises(IRReadError, match="no weights"):
        read_model_from_string(saved.read_text())


def test_missing_model_file(tmp_path):
    _expect(tmp_path / "absent.xml", "model file .*absent.xml does not exist")


def test_no_results(saved):
    text = saved.read_text()
    text = re.sub(r'\t\t<layer id="6".*?</layer>\n', "", text, flags=re.S)
    saved.write_text(text.replace('\t\t<edge from-layer="5" from-port="1" to-layer="6" to-port="0" />\n',
                                  ""))
    _expect(saved, "no Result layers")


@pytest.mark.parametrize("doctype", [
    # billion laughs: nested entity expansion
    '<!DOCTYPE net [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    # external entity (file disclosure)
    '<!DOCTYPE net [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    # external DTD
    '<!DOCTYPE net SYSTEM "http://example.com/evil.dtd">',
    # parameter entities
    '<!DOCTYPE net [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
])
def test_entity_attacks_are_refused(saved, doctype, no_model_built):
    text = saved.read_text().replace('<net name="m"', doctype + '\n<net name="&d;"' if "&b;" in doctype
                                     else doctype + '\n<net name="m"')
    saved.write_text(text)
    _expect(saved, "DOCTYPE and entity declarations are not allowed")


def test_undefined_entity_is_malformed(saved):
    _edit(saved, '<net name="m"', '<net name="&xxe;"')
    _expect(saved, "not well-formed XML: undefined entity")
