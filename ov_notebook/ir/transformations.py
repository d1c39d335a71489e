"""Model transformations with OpenVINO's names: the stateful form of a decoder with a KV cache.

``apply_make_stateful_transformation(model, {input name: output name})`` is OpenVINO's MakeStateful
pass (``openvino._offline_transformations``): each named Parameter becomes a ReadValue and each
named Result an Assign of one variable (id: the input name followed by the output name), so the
pair's value stays inside the model between inferences.

``make_stateful(model)`` is what optimum-intel's export does with it for a decoder
(``patch_stateful``): the KV-cache inputs and outputs are found by name, a ``beam_idx`` input
reorders the cache along the batch with a Gather (beam search; ``[0, 1, ...]`` keeps it), the
variables start from an empty cache of the batch of ``input_ids``, and a new sequence starts with
``InferRequest.reset_state()``::

    ov_model = ov.convert_model(model, example_input={..., "past_key_values": cache}, input=...)
    ov.make_stateful(ov_model)
    request = ov.compile_model(ov_model).create_infer_request()
    request.reset_state()
    logits = request.infer({"input_ids": ids, "attention_mask": mask, "beam_idx": [0]})["logits"]
"""
from __future__ import annotations

import json
import re

import numpy as np

from . import structure
from .model import Model
from .node import get_op_class
from .ops.core import Constant, Parameter
from .ops.state import Assign, ReadValue
from .types import Type

__all__ = ["make_stateful", "apply_make_stateful_transformation", "StatefulError"]

_CACHE_INPUT = re.compile(r"key_values")       # optimum-intel: past_key_values.<i>.<key|value>
_LAYER_FIELD = re.compile(r"\.(\d+)\.(key|value)$")


class StatefulError(ValueError):
    """The model cannot be made stateful as asked; the message says which input or output."""


def _port_by_name(ports, name, what):
    for port in ports:
        if name in port.get_names():
            return port
    raise StatefulError(f"the model has no {what} named {name!r}; its {what}s: "
                        f"{[port.get_any_name() for port in ports]}")


def apply_make_stateful_transformation(model: Model, param_res_names: dict) -> None:
    """OpenVINO's MakeStateful: for each ``{input name: output name}`` pair, the Parameter becomes
    a ReadValue and the Result an Assign of the variable ``input name + output name`` (its
    shape and type the Parameter's). The model changes in place."""
    if not isinstance(model, Model):
        raise TypeError(f"expected a Model, got {type(model).__name__}")
    if not isinstance(param_res_names, dict) or not param_res_names:
        raise StatefulError("param_res_names must be a non-empty dict {input tensor name: "
                            "output tensor name}")
    pairs = []
    for input_name, output_name in param_res_names.items():
        parameter = _port_by_name(model.inputs, input_name, "input").get_node()
        result = model.get_results()[model.get_result_index(
            _port_by_name(model.outputs, output_name, "output"))]
        pairs.append((parameter, result, input_name + output_name))
    sinks = []
    for parameter, result, variable_id in pairs:
        read = ReadValue(variable_id=variable_id, variable_type=parameter.get_element_type(),
                         variable_shape=parameter.get_partial_shape())
        read.set_friendly_name(f"{parameter.get_friendly_name()}_read")
        read.rt_info.update(parameter.rt_info)
        for target in list(parameter.output(0).get_target_inputs()):
            target.replace_source_output(read.output(0))
        store = Assign(result.input_value(0), variable_id=variable_id)
        store.set_friendly_name(f"{result.get_friendly_name()}_assign")
        store.rt_info.update(result.rt_info)
        model.remove_result(result)
        model.remove_parameter(parameter)
        sinks.append(store)
    model.add_sinks(sinks)
    model.validate_nodes_and_infer_types()


def _cache_leaves(tree):
    """``[(layer, field, leaf index)]`` of the first ``cache`` node of a structure tree."""
    if tree["kind"] == "cache":
        return [(layer, field, child["index"]) for layer, pair in enumerate(tree["items"])
                for field, child in enumerate(pair["items"]) if child["kind"] == "leaf"]
    for child in tree.get("items", ()):
        found = _cache_leaves(child)
        if found:
            return found
    return []


def _cache_pairs_from_structure(model):
    """``{input name: output name}`` from the cache objects the model was converted with (a
    DynamicCache in example_input and in the outputs), or {} when it has none."""
    info = model.rt_info.get("ov_notebook", {})
    if "input_tree" not in info or "output_tree" not in info:
        return {}
    inputs = _cache_leaves(structure.decode(info["input_tree"]))
    outputs = {(layer, field): index for layer, field, index in
               _cache_leaves(structure.decode(info["output_tree"]))}
    if not inputs or len(inputs) != len(outputs):
        return {}
    pairs = {}
    for layer, field, index in inputs:
        if (layer, field) not in outputs:
            return {}
        pairs[model.inputs[index].get_any_name()] = \
            model.outputs[outputs[layer, field]].get_any_name()
    return pairs


def _cache_pairs(model):
    """``{input name: output name}``: the cache the model was converted with, else inputs named
    like ``past_key_values.<i>.<key|value>``, each with the one output whose name ends in the
    same ``.<i>.<key|value>``."""
    pairs = _cache_pairs_from_structure(model)
    if pairs:
        return pairs
    for port in model.inputs:
        name = next((n for n in sorted(port.get_names()) if _CACHE_INPUT.search(n)), None)
        if name is None:
            continue
        match = _LAYER_FIELD.search(name)
        if match is None:
            raise StatefulError(f"cache input {name!r} is not named <prefix>.<layer>.<key|value>; "
                                "pass input_output_map")
        outputs = [n for out in model.outputs for n in sorted(out.get_names())
                   if n.endswith(match.group(0)) and not _CACHE_INPUT.search(n)]
        if len(outputs) != 1:
            raise StatefulError(f"cache input {name!r} needs one output named <name>"
                                f"{match.group(0)}, found {outputs}; pass input_output_map")
        pairs[name] = outputs[0]
    if not pairs:
        raise StatefulError("the model has no cache inputs (named like past_key_values.0.key); "
                            f"its inputs: {[port.get_any_name() for port in model.inputs]}")
    return pairs


def make_stateful(model: Model, input_output_map: dict | None = None, *, beam_idx: bool = True,
                  batch_dim: int = 0, main_input: str | None = None) -> Model:
    """Make a decoder with KV-cache inputs and outputs stateful, as optimum-intel exports it.

    ``input_output_map``: ``{cache input name: cache output name}``; by default the cache the
    model was converted with (a DynamicCache in ``example_input`` and in the outputs, whatever
    its argument is called), else the inputs named like ``past_key_values.<i>.<key|value>`` and
    the outputs ending in the same ``.<i>.<key|value>`` (``present.0.key``).
    ``beam_idx``: add the ``beam_idx`` input (i32, one index per batch row) that reorders the
    cache along ``batch_dim`` before each inference. The cache starts empty for the batch of
    ``main_input`` (``input_ids``, else ``inputs_embeds``). The model changes in place and is
    returned; its input/output structure (``infer_structured``) loses the cache.
    """
    pairs = dict(input_output_map) if input_output_map else _cache_pairs(model)
    main = _port_by_name(model.inputs, main_input or _main_input_name(model), "input")
    kept_trees = _trees_without_cache(model, pairs)
    if beam_idx:
        _fuse_cache_reorder(model, pairs, main, batch_dim)
    apply_make_stateful_transformation(model, pairs)
    _initialize_states(model, main, batch_dim)
    if kept_trees is not None:
        input_tree, output_tree = kept_trees
        if beam_idx:
            input_tree = structure.call(input_tree["names"] + ["beam_idx"],
                                        input_tree["items"] + [structure.leaf(
                                            len(model.inputs) - 1)],
                                        input_tree["positions"] + [None])
        model.rt_info["ov_notebook"]["input_tree"] = structure.encode(input_tree)
        model.rt_info["ov_notebook"]["output_tree"] = structure.encode(output_tree)
    return model


def _main_input_name(model):
    names = {n for port in model.inputs for n in port.get_names()}
    for name in ("input_ids", "inputs_embeds"):
        if name in names:
            return name
    raise StatefulError("the model has neither input_ids nor inputs_embeds; pass main_input=")


def _fuse_cache_reorder(model, pairs, main, batch_dim):
    """beam_idx (i32, the batch of ``main``) and a Gather along the batch after each cache
    input: the cache rows the next step continues from."""
    names = {n for port in model.inputs for n in port.get_names()}
    if "beam_idx" in names:
        raise StatefulError("the model already has a beam_idx input")
    batch = main.get_partial_shape()[0]
    beam = Parameter(Type.i32, [batch], name="beam_idx")
    beam.output(0).set_names({"beam_idx"})
    model.add_parameters([beam])
    gather = get_op_class("Gather")
    axis = Constant(np.array(batch_dim, dtype=np.int64))
    for input_name in pairs:
        port = _port_by_name(model.inputs, input_name, "input")
        targets = list(port.get_target_inputs())
        reordered = gather(port, beam.output(0), axis.output(0))
        for target in targets:
            target.replace_source_output(reordered.output(0))
    model.validate_nodes_and_infer_types()


def _initialize_states(model, main, batch_dim):
    """Each ReadValue starts from zeros of its shape, with the batch of ``main`` and its other
    dynamic dimensions (the sequence) 0: an empty cache."""
    shape_of = get_op_class("ShapeOf")(main)
    batch = get_op_class("Gather")(shape_of.output(0), Constant(np.array([0], np.int64)).output(0),
                                   Constant(np.array(0, np.int64)).output(0))
    concat, broadcast = get_op_class("Concat"), get_op_class("Broadcast")
    for node in model.get_ordered_ops():
        if not isinstance(node, ReadValue) or node.get_input_size():
            continue
        shape = node.get_output_partial_shape(0)
        dims = [batch.output(0) if axis == batch_dim else Constant(np.array(
            [dim.get_min_length()], np.int64)).output(0) for axis, dim in enumerate(shape)]
        zero = Constant(np.zeros((), node.get_output_element_type(0).to_dtype()))
        init = broadcast(zero.output(0), concat(*dims, axis=0).output(0))
        attributes = node.get_attributes()
        started = ReadValue(init.output(0), name=node.get_friendly_name(), **attributes)
        started.rt_info.update(node.rt_info)
        node.output(0).replace(started.output(0))
    model.validate_nodes_and_infer_types()


def _trees_without_cache(model, pairs):
    """The model's input and output trees without the cache leaves, or None without trees."""
    info = model.rt_info.get("ov_notebook", {})
    if "input_tree" not in info or "output_tree" not in info:
        return None
    inputs = [i for i, port in enumerate(model.inputs) if port.get_names() & set(pairs)]
    outputs = [i for i, port in enumerate(model.outputs)
               if port.get_names() & set(pairs.values())]
    input_tree = structure.without_leaves(structure.decode(info["input_tree"]), inputs)
    output_tree = structure.without_leaves(structure.decode(info["output_tree"]), outputs)
    if input_tree is None or input_tree["kind"] != "call" or output_tree is None:
        return None
    return json.loads(json.dumps(input_tree)), output_tree
