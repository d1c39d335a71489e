"""Structural comparison of two models: what differs, in words.

    >>> from ov_notebook.ir.compare import compare_models
    >>> compare_models(model, ov.read_model("model.xml"))
    []
    >>> compare_models(model, other)
    ["node 'conv' (Convolution): attribute strides: [1, 1] != [2, 2]"]

The graphs are walked in parallel from their Results (then their Parameters), input port by input
port, so nodes are matched by position in the graph, not by name or creation order.
"""
from __future__ import annotations

import numpy as np

from .model import Model
from .ops.core import Constant, bf16_to_f32, convert_values
from .serialize import DECOMPRESSION

__all__ = ["compare_models"]


class _View:
    """What is compared of one node; a decompressed weight (Constant -> Convert marked
    ``decompression``) can be viewed as the Constant it stands for."""

    __slots__ = ("node", "type_name", "version", "name", "attributes", "rt_info", "data", "inputs")

    def __init__(self, node, fold):
        self.node = node
        self.type_name = node.get_type_name()
        self.version = node.get_version()
        self.name = node.get_friendly_name()
        self.attributes = node.get_attributes()
        self.rt_info = dict(node.get_rt_info())
        self.inputs = list(node.input_values())
        self.data = node.get_data() if isinstance(node, Constant) else None
        if fold and _is_decompression(node):
            self._fold()

    def _fold(self):
        source = self.inputs[0].get_node()
        destination = self.node.get_output_element_type(0)
        self.type_name, self.version = "Constant", source.get_version()
        self.attributes = {"element_type": destination, "shape": list(source.get_data().shape)}
        self.data = convert_values(_numeric(source), destination)
        self.rt_info.pop(DECOMPRESSION, None)
        self.inputs = []

    @property
    def label(self):
        return f"node '{self.name}' ({self.type_name})"


def _is_decompression(node) -> bool:
    return (node.get_type_name() == "Convert" and DECOMPRESSION in node.get_rt_info()
            and isinstance(node.input_value(0).get_node(), Constant))


def _numeric(constant):
    return constant.get_value() if hasattr(constant, "get_value") else constant.get_data()


def _same_values(a, b, rtol, atol) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if rtol == 0 and atol == 0:
        return a.tobytes() == b.tobytes() or bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if a.dtype == np.uint16 and b.dtype == np.uint16:  # raw bf16 bits
        a, b = bf16_to_f32(a), bf16_to_f32(b)
    return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                            equal_nan=True))


def _attribute_text(value):
    if isinstance(value, (list, tuple)):
        return str([_attribute_text(v) for v in value])
    if isinstance(value, float):  # OpenVINO keeps some float attributes (eps) in f32
        return repr(float(np.float32(value)))
    return str(value)


class _Comparison:
    def __init__(self, names, rt_info, weights, fold, rtol, atol):
        self.names, self.rt_info, self.weights = names, rt_info, weights
        self.fold, self.rtol, self.atol = fold, rtol, atol
        self.differences = []
        self.paired = {}  # id(reference node) -> other node

    def note(self, text):
        self.differences.append(text)

    def walk(self, pairs):
        """Depth-first over (reference node, other node) pairs, following input ports."""
        stack = list(reversed(pairs))
        while stack:
            mine, theirs = stack.pop()
            known = self.paired.get(id(mine))
            if known is not None:
                if known is not theirs:
                    self.note(f"node '{mine.get_friendly_name()}' ({mine.get_type_name()}) is "
                              f"reached along paths that lead to different nodes in the other model")
                continue
            self.paired[id(mine)] = theirs
            a, b = _View(mine, self.fold), _View(theirs, self.fold)
            if not self.compare_nodes(a, b):
                continue
            for index, (src_a, src_b) in enumerate(zip(a.inputs, b.inputs)):
                if src_a.get_index() != src_b.get_index():
                    self.note(f"{a.label} input {index}: reads output {src_a.get_index()} of its "
                              f"producer, the other model output {src_b.get_index()}")
                stack.append((src_a.get_node(), src_b.get_node()))

    def compare_nodes(self, a, b) -> bool:
        """Record differences of two nodes; False when they are too different to walk on."""
        if (a.type_name, a.version) != (b.type_name, b.version):
            self.note(f"{a.label}: type {a.type_name}-{a.version} != {b.type_name}-{b.version} "
                      f"('{b.name}')")
            return False
        if self.names and a.name != b.name:
            self.note(f"{a.label}: friendly name '{a.name}' != '{b.name}'")
        if self.rt_info and a.rt_info != b.rt_info:
            self.note(f"{a.label}: rt_info {a.rt_info} != {b.rt_info}")
        self.compare_attributes(a, b)
        if len(a.inputs) != len(b.inputs):
            self.note(f"{a.label}: {len(a.inputs)} inputs != {len(b.inputs)}")
            return False
        self.compare_outputs(a, b)
        if hasattr(a.node, "get_functions"):
            self.compare_bodies(a, b)
        if self.weights and a.data is not None and b.data is not None and not _same_values(
                a.data, b.data, self.rtol, self.atol):
            self.note(f"{a.label}: constant values differ")
        return True

    def compare_bodies(self, a, b):
        """Sub-graph ops (Loop, If): descriptions, special ports and each body, recursively."""
        for index, name in enumerate(a.node.body_names):
            for what in ("input", "output"):
                mine = getattr(a.node, f"get_{what}_descriptions")(index)
                theirs = getattr(b.node, f"get_{what}_descriptions")(index)
                if mine != theirs:
                    self.note(f"{a.label}: {name} {what} descriptions {mine} != {theirs}")
            inner = compare_models(a.node.get_function(index), b.node.get_function(index),
                                   names=self.names, rt_info=self.rt_info, weights=self.weights,
                                   fold_decompression=self.fold, rtol=self.rtol, atol=self.atol)
            self.differences += [f"{a.label} {name}: {text}" for text in inner
                                 if not text.startswith("model name")]  # IR keeps no body name
        if hasattr(a.node, "get_special_body_ports") and \
                a.node.get_special_body_ports() != b.node.get_special_body_ports():
            self.note(f"{a.label}: special body ports {a.node.get_special_body_ports()} != "
                      f"{b.node.get_special_body_ports()}")

    def compare_attributes(self, a, b):
        for key in sorted(set(a.attributes) | set(b.attributes)):
            left, right = a.attributes.get(key, "<missing>"), b.attributes.get(key, "<missing>")
            if _attribute_text(left) != _attribute_text(right):
                self.note(f"{a.label}: attribute {key}: {_attribute_text(left)} != "
                          f"{_attribute_text(right)}")

    def compare_outputs(self, a, b):
        outputs_a, outputs_b = a.node.outputs(), b.node.outputs()  # a folded weight: its Convert's
        if len(outputs_a) != len(outputs_b):
            self.note(f"{a.label}: {len(outputs_a)} outputs != {len(outputs_b)}")
        for index, (x, y) in enumerate(zip(outputs_a, outputs_b)):
            what = f"{a.label} output {index}"
            if x.get_element_type() != y.get_element_type():
                self.note(f"{what}: element type {x.get_element_type()} != {y.get_element_type()}")
            if str(x.get_partial_shape()) != str(y.get_partial_shape()):
                self.note(f"{what}: shape {x.get_partial_shape()} != {y.get_partial_shape()}")
            if self.names and x.get_names() != y.get_names():
                self.note(f"{what}: tensor names {sorted(x.get_names())} != {sorted(y.get_names())}")
            if self.rt_info and dict(x.get_rt_info()) != dict(y.get_rt_info()):
                self.note(f"{what}: rt_info {dict(x.get_rt_info())} != {dict(y.get_rt_info())}")


def compare_models(reference: Model, other: Model, *, names=True, rt_info=True, weights=True,
                   fold_decompression=False, rtol=0.0, atol=0.0) -> list:
    """The differences between two models as readable strings; ``[]`` when they are the same graph.

    Compared: inputs and outputs (count, order), and for every node matched by graph position: op
    type and version, attributes, input wiring, output element types, shapes, tensor names
    (``names``), friendly names (``names``), rt_info of nodes, outputs and the model
    (``rt_info``), and constant values (``weights``; bit-exact unless ``rtol``/``atol`` are given).
    Float attributes are compared at f32 precision, the precision OpenVINO keeps some of them in.
    ``fold_decompression=True`` compares a Constant followed by a Convert marked ``decompression``
    (what ``save_model(..., compress_to_fp16=True)`` writes) as the one Constant it stands for.
    """
    comparison = _Comparison(names, rt_info, weights, fold_decompression, rtol, atol)
    for what, mine, theirs in (("inputs", reference.get_parameters(), other.get_parameters()),
                               ("outputs", reference.get_results(), other.get_results())):
        if len(mine) != len(theirs):
            comparison.note(f"the models have {len(mine)} and {len(theirs)} {what}")
    if names and reference.get_friendly_name() != other.get_friendly_name():
        comparison.note(f"model name '{reference.get_friendly_name()}' != "
                        f"'{other.get_friendly_name()}'")
    if rt_info and reference.rt_info != other.rt_info:
        comparison.note(f"model rt_info {reference.rt_info} != {other.rt_info}")
    comparison.walk(list(zip(reference.get_results(), other.get_results())) +
                    list(zip(reference.get_parameters(), other.get_parameters())))
    return comparison.differences
