"""Shared checks for the op tests: our runtime vs real OpenVINO, our shape inference vs
OpenVINO's, and IR round trips in both directions."""
from __future__ import annotations

import importlib
import os
import tempfile
import types

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import read_model
from ov_notebook.ir.errors import OpValidationError
from oracle import assert_outputs_match, run_openvino, run_ours

openvino = pytest.importorskip("openvino")


def _openvino_opset():
    """Every ``openvino.opsetN`` builder under its name, the newest version of each."""
    namespace = types.SimpleNamespace()
    number = 1
    while True:
        try:
            module = importlib.import_module(f"openvino.opset{number}")
        except ImportError:
            return namespace
        for name in dir(module):
            if not name.startswith("_"):
                setattr(namespace, name, getattr(module, name))
        number += 1


OV = _openvino_opset()


def compare_with_openvino(build, inputs, rtol=1e-5, atol=1e-6):
    """``build(*parameters)`` with our opset on parameters shaped like ``inputs``; run on our
    runtime and on OpenVINO (reading the IR we write) and compare every output."""
    params = [ops.parameter(list(a.shape), a.dtype, name=f"input{i}") for i, a in enumerate(inputs)]
    node = build(*params)
    model = ov.Model(node.outputs(), params)
    ours = run_ours(model, inputs)
    assert_outputs_match(ours, run_openvino(model, inputs), rtol=rtol, atol=atol)
    return ours


def signature(node):
    """[(element type, partial shape)] of every output, as printed by either library."""
    return [(str(o.get_element_type().get_type_name()), str(o.get_partial_shape()))
            for o in node.outputs()]


def assert_same_inference(build, *inputs):
    """``build(opset, *parameters)`` with ours and with OpenVINO's on the same partial shapes
    (strings like "[2,?,1..5]") and element types; the inferred outputs must print the same."""
    ours = build(ops, *[ops.parameter(ov.PartialShape(s), t) for s, t in inputs])
    theirs = build(OV, *[OV.parameter(openvino.PartialShape(s), t) for s, t in inputs])
    assert signature(ours) == signature(theirs), f"ours {signature(ours)} vs OpenVINO {signature(theirs)}"


def assert_rejected(build, match):
    with pytest.raises(OpValidationError, match=match):
        build()


def _normalized(value, approx=False):
    """Attribute values comparable across libraries: type names, lists, floats (approximately,
    on the expected side: OpenVINO stores some float attributes as float32)."""
    if hasattr(value, "get_type_name"):
        return value.get_type_name()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_normalized(v, approx) for v in value]
    if isinstance(value, (float, np.floating)):
        return pytest.approx(float(value), rel=1e-6) if approx else float(value)
    return value


def _only(model, type_name):
    found = [n for n in model.get_ordered_ops() if n.get_type_name() == type_name]
    assert len(found) == 1, \
        f"expected one {type_name} in {[n.get_type_name() for n in model.get_ordered_ops()]}"
    return found[0]


def assert_round_trip(build, *inputs):
    """Build with both opsets; our IR read by OpenVINO and OpenVINO's IR read by us must keep
    the type, version, attributes and inferred outputs."""
    ours = build(ops, *[ops.parameter(ov.PartialShape(s), t) for s, t in inputs])
    theirs = build(OV, *[OV.parameter(openvino.PartialShape(s), t) for s, t in inputs])
    directory = tempfile.mkdtemp(prefix="ovn_roundtrip_")
    our_path, their_path = os.path.join(directory, "ours.xml"), os.path.join(directory, "theirs.xml")
    ov.save_model(ov.Model(ours.outputs(), _parameters(ours)), our_path)
    openvino.save_model(openvino.Model(theirs.outputs(), _parameters(theirs)), their_path)
    type_name = ours.get_type_name()
    read_by_openvino = _only(openvino.Core().read_model(our_path), theirs.get_type_name())
    read_by_us = _only(read_model(their_path), type_name)
    expected = {k: _normalized(v, approx=True) for k, v in ours.get_attributes().items()}
    assert {k: _normalized(v) for k, v in read_by_us.get_attributes().items()} == expected
    assert {k: _normalized(v) for k, v in read_by_openvino.get_attributes().items()} == expected
    assert read_by_us.get_version() == ours.get_version()
    assert signature(ours) == signature(theirs) == signature(read_by_us)
    # OpenVINO reading IR does not fold f16-compressed constants (Interpolate scales) into
    # shapes: compare with what it infers reading its own IR
    read_back = _only(openvino.Core().read_model(their_path), theirs.get_type_name())
    assert signature(read_by_openvino) == signature(read_back)


def _parameters(node):
    """The Parameters feeding ``node`` (directly or through constants-only paths)."""
    found, stack, seen = [], [node], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.get_type_name() == "Parameter":
            found.append(current)
        stack.extend(v.get_node() for v in current.input_values())
    return sorted(found, key=lambda p: p.get_friendly_name())
