"""ONNX graph -> IR Model: initializers become Constants, graph inputs Parameters, nodes are
translated in order, every value keeps its ONNX tensor name."""
from __future__ import annotations

import ast
import json
import time
from collections import OrderedDict

import numpy as np

from ...ir.model import Model
from ...ir.node import Output
from ...ir.ops.core import Constant, Parameter
from ...ir.shape import Dimension, PartialShape
from ...ir.types import Type
from ..errors import ConversionError, UnsupportedOpsError
from .context import OnnxContext
from .loader import ONNX_TYPES, load_onnx
from .registry import find_onnx_translator

__all__ = ["convert_onnx"]


def convert_onnx(model, *, input=None, output=None, example_input=None, extension=None,
                 verbose=False, share_weights=True) -> Model:
    """Convert an ONNX model (a path or an ``onnx.ModelProto``) to an IR Model::

        ov_model = ov.convert_model("model.onnx")
    """
    if extension is not None:
        raise ConversionError("extension= is not supported by ov_notebook's ONNX frontend")
    if example_input is not None:
        raise ConversionError("example_input is not used for ONNX models (their graph is already "
                              "traced); use input= to set input shapes or types")
    started = time.perf_counter()
    proto = load_onnx(model)
    converter = _GraphConverter(proto, share_weights, verbose)
    converter.add_initializers()
    converter.add_inputs(_normalize_input(input))
    converter.translate_nodes()
    result = converter.build_model(output)
    if verbose:
        print(f"[ov_notebook] converted ONNX graph '{proto.graph.name}' "
              f"({len(proto.graph.node)} nodes) in {time.perf_counter() - started:.2f}s")
    return result


def _opsets(proto) -> dict:
    versions = {}
    for entry in proto.opset_import:
        domain = "" if entry.domain in ("", "ai.onnx") else entry.domain
        versions[domain] = int(entry.version)
    return versions


def _element_type(elem_type, where):
    name = ONNX_TYPES.get(elem_type)
    if name is None:
        raise ConversionError(f"{where}: ONNX element type {elem_type} is not supported "
                              f"(supported: float, float16, bfloat16, double, (u)int8-64, bool)")
    return Type(name)


def _value_info_shape(type_proto) -> PartialShape:
    tensor = type_proto.tensor_type
    if not tensor.HasField("shape"):
        return PartialShape.dynamic()
    dims = [Dimension(d.dim_value) if d.HasField("dim_value") else Dimension()
            for d in tensor.shape.dim]
    return PartialShape(dims)


class _GraphConverter:
    def __init__(self, proto, share_weights, verbose):
        self.proto = proto
        self.graph = proto.graph
        self.opsets = _opsets(proto)
        self.share_weights = share_weights
        self.verbose = verbose
        self.values = {}
        self.known = set()  # ids of IR nodes already stamped with rt_info
        self.parameters = []
        self.unsupported = OrderedDict()  # op type -> [node names]

    # --- sources ---------------------------------------------------------------------------
    def add_initializers(self):
        from onnx import numpy_helper

        for tensor in self.graph.initializer:
            element_type = _element_type(tensor.data_type, f"initializer '{tensor.name}'")
            array = numpy_helper.to_array(tensor)
            if element_type is Type.bf16:
                array = array.view(np.uint16)
            node = Constant(array, element_type, name=tensor.name,
                            shared_memory=self.share_weights)
            node.output(0).set_names({tensor.name})
            self._remember(tensor.name, node.output(0))

    def add_inputs(self, overrides):
        initializer_names = {t.name for t in self.graph.initializer}
        inputs = [i for i in self.graph.input if i.name not in initializer_names]
        positions = [k for k in overrides if isinstance(k, int)]
        if positions and len(positions) != len(inputs):
            raise ConversionError(f"input= gives {len(positions)} shape(s) by position but the ONNX "
                                  f"model has {len(inputs)} inputs {[i.name for i in inputs]}; give "
                                  "one per input, or name them: input={'x': [1, 3]}")
        unknown = set(overrides) - {i.name for i in inputs} - set(range(len(inputs)))
        if unknown:
            names = [i.name for i in inputs]
            raise ConversionError(f"input= names {sorted(map(str, unknown))} are not inputs of the ONNX "
                                  f"model; its inputs are {names}")
        for index, value_info in enumerate(inputs):
            where = f"graph input '{value_info.name}'"
            element_type = _element_type(value_info.type.tensor_type.elem_type, where)
            shape = _value_info_shape(value_info.type)
            override = overrides.get(value_info.name, overrides.get(index))
            if override is not None:
                new_shape, new_type = override
                if new_shape is not None:
                    if not new_shape.compatible(shape):
                        raise ConversionError(f"input= shape {new_shape} for '{value_info.name}' is "
                                              f"incompatible with the model's {shape}")
                    shape = new_shape
                element_type = new_type or element_type
            param = Parameter(element_type, shape, name=value_info.name)
            param.output(0).set_names({value_info.name})
            param.rt_info["structure_path"] = value_info.name
            self.parameters.append(param)
            self._remember(value_info.name, param.output(0))

    def _remember(self, name, output):
        self.values[name] = output
        self.known.add(id(output.get_node()))

    # --- nodes --------------------------------------------------------------------------------
    def translate_nodes(self):
        blocked = set()  # values that could not be computed because a producer is unsupported
        for node in self.graph.node:
            domain = "" if node.domain in ("", "ai.onnx") else node.domain
            opset = self.opsets.get(domain, self.opsets.get("", 1))
            function = find_onnx_translator(node.op_type, opset, domain)
            if function is None:
                label = f"{domain}:{node.op_type}" if domain else node.op_type
                self.unsupported.setdefault(label, []).append(node.name or node.output[0])
                blocked.update(node.output)
                continue
            if any(name in blocked for name in node.input if name):
                blocked.update(node.output)
                continue
            self._translate(node, function, opset)
        if self.unsupported:
            raise _unsupported_error(self.unsupported)

    def _translate(self, node, function, opset):
        from onnx import helper

        attributes = {a.name: _attribute_value(helper, a) for a in node.attribute}
        ctx = OnnxContext(node, self.values, opset, attributes)
        try:
            produced = function(ctx)
        except ConversionError:
            raise
        except Exception as exc:  # noqa: BLE001  name the node whatever went wrong inside
            raise ConversionError(f"ONNX {node.op_type} node '{ctx.name}': {type(exc).__name__}: "
                                  f"{exc}") from exc
        outputs = [produced] if isinstance(produced, Output) or produced is None else list(produced)
        info = _node_info(node)
        for name, value in zip(node.output, outputs):
            if not name or value is None:
                continue
            if not isinstance(value, Output):
                value = value.output(0)
            self._stamp(value, info)
            value.add_names({name})
            self.values[name] = value
        last = next((v for v in outputs if v is not None), None)
        if last is not None and node.name and not isinstance(last.get_node(), (Parameter, Constant)):
            last.get_node().set_friendly_name(node.name)

    def _stamp(self, output, info):
        stack = [output.get_node()]
        while stack:
            node = stack.pop()
            if id(node) in self.known:
                continue
            self.known.add(id(node))
            for key, value in info.items():
                node.rt_info.setdefault(key, value)
            stack.extend(src.get_node() for src in node.input_values())

    # --- model ----------------------------------------------------------------------------
    def build_model(self, output_names):
        names = [o.name for o in self.graph.output]
        if output_names is not None:
            if not isinstance(output_names, (str, list, tuple)) or not all(
                    isinstance(n, str) for n in ([output_names] if isinstance(output_names, str)
                                                 else output_names)):
                raise ConversionError(f"output= takes a tensor name or a list of names, got "
                                      f"{output_names!r}")
            names = [output_names] if isinstance(output_names, str) else list(output_names)
        results = []
        for name in names:
            if name not in self.values:
                raise ConversionError(f"output '{name}' is not a tensor of the ONNX graph")
            results.append(self.values[name])
        model = Model(results, self.parameters, self.graph.name or "onnx_model")
        for index, result in enumerate(model.get_results()):
            result.rt_info["structure_path"] = f"[{index}]"
            result.set_friendly_name(names[index])
        model.rt_info["ov_notebook"] = {"framework": "onnx", "route": "onnx",
                                        "input_tree": json.dumps(_flat_tree(
                                            [p.get_friendly_name() for p in self.parameters])),
                                        "output_tree": json.dumps(_flat_tree(names))}
        return model


def _flat_tree(names):
    return {"type": "tuple", "items": [{"type": "tensor", "index": i, "name": n}
                                       for i, n in enumerate(names)]}


def _attribute_value(helper, attribute):
    value = helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list) and value and isinstance(value[0], bytes):
        return [v.decode("utf-8", errors="replace") for v in value]
    return value


def _node_info(node) -> dict:
    info = {"source_op": node.op_type, "source_node": node.name}
    metadata = {m.key: m.value for m in node.metadata_props}
    scopes = metadata.get("pkg.torch.onnx.name_scopes")
    classes = metadata.get("pkg.torch.onnx.class_hierarchy")
    try:
        if scopes:  # cumulative paths ['', 'layer1', 'layer1.0', ..., op name]
            parts = ast.literal_eval(scopes)
            info["module_path"] = str(parts[-2]) if len(parts) >= 2 else ""
        if classes:
            hierarchy = ast.literal_eval(classes)
            if len(hierarchy) >= 2:
                info["module_type"] = str(hierarchy[-2]).rsplit(".", 1)[-1]
    except (ValueError, SyntaxError):
        pass  # metadata written by another exporter: keep the op type and node name only
    return info


def _unsupported_error(unsupported) -> UnsupportedOpsError:
    lines = []
    report = {}
    for op_type, nodes in unsupported.items():
        sample = ", ".join(nodes[:5]) + (", ..." if len(nodes) > 5 else "")
        lines.append(f"  {op_type}: {len(nodes)} node(s) ({sample})")
        report[op_type] = (len(nodes), list(nodes))
    message = (f"the ONNX model uses {len(unsupported)} unsupported operation type(s):\n"
               + "\n".join(lines) + "\nHint: convert the PyTorch model directly with "
               "ov.convert_model(model, example_input=...), or re-export with another opset_version.")
    return UnsupportedOpsError(message, report)


def _normalize_input(spec) -> dict:
    """``input=`` as {name or index: (PartialShape or None, Type or None)}."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        return {k: _checked(_shape_and_type, v, f"[{k!r}]") for k, v in spec.items()}
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, (int, Dimension)) for s in spec):
        spec = [spec]
    if isinstance(spec, (str, PartialShape)):
        spec = [spec]
    if not isinstance(spec, (list, tuple)):
        raise ConversionError(f"input= takes a shape, a list of shapes or (name, shape, type) "
                              f"tuples, or a dict by input name; got {type(spec).__name__} "
                              f"{spec!r}")
    result = {}
    for index, item in enumerate(spec):
        if isinstance(item, tuple) and item and isinstance(item[0], str) and len(item) in (2, 3):
            result[item[0]] = _checked(_shape_and_type, item[1:], f"[{index}]", item)
        else:
            result[index] = _checked(_shape_and_type, item, f"[{index}]")
    return result


def _checked(function, value, where, shown=None):
    try:
        return function(value)
    except (TypeError, ValueError) as exc:
        shown = value if shown is None else shown
        raise ConversionError(f"input={where}: cannot read {shown!r} as a shape and element type: "
                              f"{exc}") from None


def _shape_and_type(value):
    if isinstance(value, tuple) and len(value) == 2 and not all(
            isinstance(v, (int, Dimension)) for v in value):
        shape, element_type = value
        return (None if shape is None else PartialShape(shape),
                None if element_type is None else Type(element_type))
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, Type) or isinstance(value, type) or isinstance(value, np.dtype):
        return None, Type(value)
    return PartialShape(value), None
