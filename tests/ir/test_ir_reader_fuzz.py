"""Random corruption of a valid .xml/.bin never makes the reader fail with anything but
IRReadError: byte flips, truncation, attribute mutation, edge rewiring, dimension edits."""
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import IRReadError, read_model_from_string
from ov_notebook.ir.node import get_op_class

# IR_FUZZ_EXAMPLES=2000 explores further (randomized) than the quick, reproducible default.
EXPLORE = os.environ.get("IR_FUZZ_EXAMPLES")
SETTINGS = settings(max_examples=int(EXPLORE or 120), deadline=None, derandomize=not EXPLORE,
                    suppress_health_check=[HealthCheck.too_slow])


def _build(tmp_path_factory):
    x = ops.parameter([1, 2, 6, 6], np.float32, name="x")
    w = ops.constant(np.random.default_rng(0).standard_normal((4, 2, 3, 3)).astype(np.float32))
    nodes = [get_op_class("Convolution").from_ir(
        [x.output(0), w.output(0)], {"strides": [1, 1], "pads_begin": [1, 1], "pads_end": [1, 1],
                                     "dilations": [1, 1]}, "conv")]
    shape = ops.constant(np.array([1, 4, 36], np.int64))
    nodes.append(get_op_class("Reshape").from_ir([nodes[-1].output(0), shape.output(0)],
                                                  {"special_zero": False}, "flat"))
    nodes.append(get_op_class("Split").from_ir(
        [nodes[-1].output(0), ops.constant(np.int64(1)).output(0)], {"num_splits": 2}, "split"))
    y = ops.add(ops.relu(nodes[-1].output(0)), ops.constant(np.float32(0.5)))
    model = ov.Model([y.output(0), nodes[-1].output(1), ops.shape_of(x).output(0)], [x], "fuzz")
    model.set_rt_info("v", ["section", "key"])
    path = tmp_path_factory.mktemp("fuzz") / "model.xml"
    ov.save_model(model, path, compress_to_fp16=True)
    return path.read_bytes(), path.with_suffix(".bin").read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return _build(tmp_path_factory)


def _read(xml, weights):
    try:
        read_model_from_string(bytes(xml), bytes(weights))
    except IRReadError:
        pass


ATTRIBUTE = re.compile(rb'([\w-]+)="([^"]*)"')
NUMBER = re.compile(rb">(-?\d+)<|\"(-?\d+)\"")
NASTY = [b"", b"-1", b"0", b"-0", b"1e308", b"nan", b"inf", b"-inf", b"99999999999999999999999",
         b"?", b"..", b"1..", b"..-3", b"f16", b"boolean", b"dynamic", b"u1", b",", b"1,,2",
         b"1, -2", b"&amp;", b"\\,", b"opset999", b"Const", b"Result", b"Parameter", b"...",
         b"0.5", b"true", b"TRUE", b"\xff\xfe"]


@SETTINGS
@given(data=st.data())
def test_byte_flips_and_truncation(files, data):
    xml, weights = bytearray(files[0]), bytearray(files[1])
    target = data.draw(st.sampled_from(["xml", "bin"]))
    buffer = xml if target == "xml" else weights
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(buffer) - 1))
        buffer[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del buffer[data.draw(st.integers(0, len(buffer))):]
    _read(xml, weights)


@SETTINGS
@given(data=st.data())
def test_attribute_mutation(files, data):
    xml = files[0]
    matches = list(ATTRIBUTE.finditer(xml))
    for _ in range(data.draw(st.integers(1, 3))):
        match = data.draw(st.sampled_from(matches))
        value = data.draw(st.one_of(st.sampled_from(NASTY), st.binary(max_size=8),
                                    st.integers(-10**12, 10**12).map(lambda i: str(i).encode())))
        value = value.replace(b'"', b"").replace(b"<", b"").replace(b"&", b"")
        xml = xml[:match.start(2)] + value + xml[match.end(2):]
        matches = list(ATTRIBUTE.finditer(xml))
    _read(xml, files[1])


@SETTINGS
@given(data=st.data())
def test_edge_rewiring_and_number_edits(files, data):
    xml = files[0]
    for _ in range(data.draw(st.integers(1, 4))):
        matches = list(NUMBER.finditer(xml))
        match = data.draw(st.sampled_from(matches))
        group = 1 if match.group(1) is not None else 2
        number = data.draw(st.integers(-3, 70)) if data.draw(st.booleans()) else \
            data.draw(st.integers(-2**40, 2**62))
        xml = xml[:match.start(group)] + str(number).encode() + xml[match.end(group):]
    _read(xml, files[1])


@SETTINGS
@given(data=st.data())
def test_structure_edits(files, data):
    """Whole elements removed or duplicated: layers, ports, dims, edges, data."""
    xml = files[0]
    elements = list(re.finditer(rb"<(layer|port|dim|edge|data|input|output|rt_info)\b.*?"
                                rb"(?:/>|</\1>)", xml, re.S))
    match = data.draw(st.sampled_from(elements))
    if data.draw(st.booleans()):
        xml = xml[:match.start()] + xml[match.end():]
    else:
        xml = xml[:match.end()] + match.group(0) + xml[match.end():]
    _read(xml, files[1])
