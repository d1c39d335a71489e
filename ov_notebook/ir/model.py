"""The Model: a graph from Parameters to Results, with OpenVINO's Python API."""
from __future__ import annotations

import itertools
import numbers

from .errors import OpValidationError, PortIndexError, PortNotFoundError
from .node import Node, Output, as_output
from .shape import PartialShape, Shape
from .values import OVAny

__all__ = ["Model"]

_model_ids = itertools.count()


def _topological_order(results, extra_roots=()):
    """Nodes reachable from ``results`` in dependency order (inputs before consumers).

    Iterative depth-first post-order, visiting inputs in port order, so the order is deterministic
    and deep graphs do not hit Python's recursion limit.
    """
    order, state = [], {}
    for root in list(extra_roots) + list(results):
        if id(root) in state:
            continue
        stack = [(root, iter(root._inputs))]
        state[id(root)] = 1
        while stack:
            node, pending = stack[-1]
            advanced = False
            for source in pending:
                producer = source._node
                mark = state.get(id(producer))
                if mark is None:
                    state[id(producer)] = 1
                    stack.append((producer, iter(producer._inputs)))
                    advanced = True
                    break
                if mark == 1:
                    raise OpValidationError(None, f"the graph has a cycle through "
                                            f"{producer.get_type_name()} "
                                            f"'{producer.get_friendly_name()}'")
            if not advanced:
                stack.pop()
                state[id(node)] = 2
                order.append(node)
    return order


def _require_list(values, what, expected):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} must be a list of {expected}, got {type(values).__name__} "
                        f"{values!r}")


def _require_node(value, method, expected):
    if not isinstance(value, Node):
        raise TypeError(f"{method} expects {expected}, got {type(value).__name__} {value!r}")


def _check_unique(parameters):
    seen = set()
    for param in parameters:
        if id(param) in seen:
            raise ValueError(f"Parameter '{param.get_friendly_name()}' is listed twice in the "
                             "model's parameters")
        seen.add(id(param))


def _is_sink_list(values) -> bool:
    if isinstance(values, Node):
        values = [values]
    return isinstance(values, (list, tuple)) and bool(values) and all(
        getattr(v.get_node() if isinstance(v, Output) else v, "is_sink", False) for v in values)


def _rt_info_keys(path) -> list:
    """An rt_info path: a key, or a non-empty list of string keys."""
    keys = [path] if isinstance(path, str) else path
    if not isinstance(keys, (list, tuple)) or not keys or \
            not all(isinstance(k, str) for k in keys):
        raise TypeError(f"an rt_info path is a string or a non-empty list of strings, got {path!r}")
    return list(keys)


def _port_key(key, index, tensor_name):
    given = [k for k in (key, index, tensor_name) if k is not None]
    if len(given) > 1:
        raise TypeError("give one of a key, index= or tensor_name=")
    return given[0] if given else None


def _is_op_port_pair(item) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and \
        isinstance(item[1], int) and not isinstance(item[1], bool)


class Model:
    """A graph of operations from Parameters to Results.

    ``Model(results, parameters, name)``: ``results`` are Result nodes, nodes (their output 0 becomes
    a Result) or outputs; ``parameters`` lists the model's Parameters in input order (when omitted,
    the Parameters the results depend on, in creation order)::

        >>> x = ops.parameter([1, 3], Type.f32, name="x")
        >>> model = Model([ops.relu(x)], [x], "tiny")
        >>> model.input("x").get_partial_shape()
        <PartialShape: [1,3]>
    """

    def __init__(self, results, parameters=None, name="", *more, sinks=None):
        from .ops.core import Parameter, Result  # the core ops register on import

        # OpenVINO's Model(results, sinks, parameters[, variables][, name]): sinks come second;
        # the variables are those of the ReadValue/Assign nodes, so a variables list is not kept
        if sinks is None and _is_sink_list(parameters) and isinstance(name, (list, tuple, Node)):
            more = more[1:] if more and isinstance(more[0], (list, tuple)) else more
            sinks, parameters, name = parameters, name, (more[0] if more else "")
        if isinstance(results, (Node, Output)):
            results = [results]
        if isinstance(parameters, str) and name == "":
            parameters, name = None, parameters
        if isinstance(parameters, Node):
            parameters = [parameters]
        _require_list(results, "results", "Result nodes, nodes or outputs")
        if parameters is not None:
            _require_list(parameters, "parameters", "Parameter nodes")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a model name must be a string, got {type(name).__name__} {name!r}")
        made = []
        for item in results:
            if isinstance(item, Result):
                made.append(item)
            else:
                made.append(Result(as_output(item)))
        self._results = made
        if parameters is None:
            parameters = sorted((n for n in _topological_order(self._results)
                                 if isinstance(n, Parameter)), key=lambda n: n._id)
        parameters = list(parameters)
        for param in parameters:
            if not isinstance(param, Parameter):
                raise TypeError(f"model parameters must be Parameter nodes, got "
                                f"{type(param).__name__} {getattr(param, 'get_friendly_name', lambda: '')()}")
        _check_unique(parameters)
        self._parameters = parameters
        self._sinks = []
        if sinks:
            self.add_sinks(sinks)
        self._check_parameters_cover()
        self._id = next(_model_ids)
        self._friendly_name = name or ""
        self.rt_info = {}

    # --- identity -------------------------------------------------------------------------
    def get_name(self) -> str:
        return f"Model{self._id}"

    def get_friendly_name(self) -> str:
        return self._friendly_name or self.get_name()

    def set_friendly_name(self, name: str) -> None:
        self._friendly_name = name

    @property
    def friendly_name(self) -> str:
        return self.get_friendly_name()

    @friendly_name.setter
    def friendly_name(self, name):
        self.set_friendly_name(name)

    @property
    def name(self) -> str:
        return self.get_friendly_name()

    # --- structure ------------------------------------------------------------------------
    def get_parameters(self) -> list:
        return list(self._parameters)

    def get_results(self) -> list:
        return list(self._results)

    @property
    def parameters(self) -> list:
        return self.get_parameters()

    @property
    def results(self) -> list:
        return self.get_results()

    def get_ordered_ops(self) -> list:
        """Every node in topological order: Parameters first, Results last.

        The nodes in between come in the order OpenVINO's serializer writes them: depth-first from
        the last Result to the first, each node's inputs in port order, so IR files we write list
        layers the way ``openvino.save_model`` does.
        """
        body = _topological_order(self._results[::-1] + self._sinks, self._parameters)
        params = {id(p) for p in self._parameters}
        results = {id(r) for r in self._results}
        middle = [n for n in body if id(n) not in params and id(n) not in results]
        return list(self._parameters) + middle + list(self._results)

    def get_ops(self) -> list:
        return self.get_ordered_ops()

    def get_result(self) -> Node:
        """The only Result (a model with several outputs: use get_results())."""
        if len(self._results) != 1:
            raise RuntimeError(f"the model has {len(self._results)} results; use get_results()")
        return self._results[0]

    @property
    def result(self) -> Node:
        return self.get_result()

    def _result_at(self, index) -> Node:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"an output index must be an integer, got {type(index).__name__} "
                            f"{index!r}")
        if not -len(self._results) <= index < len(self._results):
            raise IndexError(f"the model has {len(self._results)} outputs; index {index} is out of "
                             "range")
        return self._results[index]

    def get_output_op(self, index) -> Node:
        return self._result_at(index)

    def get_sinks(self) -> list:
        """The Assign nodes that keep values in variables (nothing reads them; they run)."""
        return list(self._sinks)

    @property
    def sinks(self) -> list:
        return self.get_sinks()

    def add_sinks(self, sinks) -> None:
        """Add Assign nodes (a node or a list) whose effects the model keeps."""
        if isinstance(sinks, (Node, Output)):
            sinks = [sinks]
        _require_list(sinks, "sinks", "Assign nodes")
        for sink in sinks:
            node = sink.get_node() if isinstance(sink, Output) else sink
            if not getattr(node, "is_sink", False):
                kind = node.get_type_name() if isinstance(node, Node) else type(node).__name__
                raise TypeError(f"a sink must be an Assign node, got {kind}")
            if not any(node is known for known in self._sinks):
                self._sinks.append(node)
        self._check_parameters_cover()

    def remove_sink(self, sink) -> None:
        self._sinks = [known for known in self._sinks if known is not sink]

    def get_sink_index(self, sink) -> int:
        node = sink.get_node() if isinstance(sink, Output) else sink
        return next((i for i, known in enumerate(self._sinks) if known is node), -1)

    def get_variables(self) -> list:
        """The variables the model's ReadValue and Assign nodes use, one per variable_id."""
        variables = {}
        for node in self.get_ordered_ops():
            variable = getattr(node, "get_variable", lambda: None)()
            if variable is not None:
                variables.setdefault(variable.get_info().variable_id, variable)
        return list(variables.values())

    @property
    def variables(self) -> list:
        return self.get_variables()

    def get_variable_by_id(self, variable_id: str):
        for variable in self.get_variables():
            if variable.get_info().variable_id == variable_id:
                return variable
        raise RuntimeError(f"the model has no variable {variable_id!r}")

    @property
    def inputs(self) -> list:
        return [p.output(0) for p in self._parameters]

    @property
    def outputs(self) -> list:
        return [r.output(0) for r in self._results]

    def _find_port(self, ports, key, what):
        if key is None:
            if len(ports) != 1:
                raise ValueError(f"the model has {len(ports)} {what}s; pass an index or a name")
            return ports[0]
        if isinstance(key, bool):
            raise TypeError(f"{what} key must be an index, a tensor name or a port, got {key!r}")
        if isinstance(key, int):
            if not -len(ports) <= key < len(ports):
                raise PortIndexError(f"the model has {len(ports)} {what}s; index {key} is out of "
                                     f"range")
            return ports[key]
        if isinstance(key, str):
            for port in ports:
                if key in port.get_names():
                    return port
            for port in ports:
                if port.get_node().get_friendly_name() == key:
                    return port
            known = [sorted(p.get_names()) for p in ports]
            raise PortNotFoundError(f"the model has no {what} named '{key}'; {what} names: {known}")
        if isinstance(key, Output):
            for port in ports:
                if port == key:
                    return port
            raise PortNotFoundError(f"{key} is not an {what} of this model")
        raise TypeError(f"{what} key must be an index, a tensor name or a port, got {key!r}")

    def input(self, key=None, *, index=None, tensor_name=None) -> Output:
        """The input by position or tensor name (OpenVINO's ``index=``/``tensor_name=`` too)."""
        return self._find_port(self.inputs, _port_key(key, index, tensor_name), "input")

    def output(self, key=None, *, index=None, tensor_name=None) -> Output:
        """The output by position or tensor name (OpenVINO's ``index=``/``tensor_name=`` too)."""
        return self._find_port(self.outputs, _port_key(key, index, tensor_name), "output")

    def get_parameter_index(self, parameter) -> int:
        for index, param in enumerate(self._parameters):
            if param is parameter:
                return index
        return -1

    def get_result_index(self, value) -> int:
        for index, result in enumerate(self._results):
            if result is value or result.output(0) == value or result.input_value(0) == value:
                return index
        return -1

    def get_output_size(self) -> int:
        return len(self._results)

    def get_output_element_type(self, index):
        return self._result_at(index).get_output_element_type(0)

    def get_output_partial_shape(self, index) -> PartialShape:
        return self._result_at(index).get_output_partial_shape(0)

    def get_output_shape(self, index) -> Shape:
        return self._result_at(index).get_output_shape(0)

    def is_dynamic(self) -> bool:
        return any(op.get_output_partial_shape(i).is_dynamic
                   for op in self.get_ordered_ops() for i in range(op.get_output_size()))

    @property
    def dynamic(self) -> bool:
        return self.is_dynamic()

    # --- editing inputs and outputs ------------------------------------------------------
    def add_parameters(self, parameters) -> None:
        from .ops.core import Parameter

        if isinstance(parameters, Node):
            parameters = [parameters]
        _require_list(parameters, "parameters", "Parameter nodes")
        for param in parameters:
            if not isinstance(param, Parameter):
                raise TypeError(f"expected Parameter nodes, got {type(param).__name__}")
            if self.get_parameter_index(param) >= 0:
                raise ValueError(f"Parameter '{param.get_friendly_name()}' is already an input")
            self._parameters.append(param)

    def _insert_parameters(self, index, parameters) -> None:
        """Puts new Parameters at input ``index`` (the planes of a multi-plane image that
        preprocessing adds next to the input they replace, where OpenVINO puts them)."""
        for param in parameters:
            if self.get_parameter_index(param) >= 0:
                raise ValueError(f"Parameter '{param.get_friendly_name()}' is already an input")
        self._parameters[index:index] = list(parameters)

    def remove_parameter(self, parameter) -> None:
        """Drop ``parameter`` from the inputs; nothing may still depend on it."""
        _require_node(parameter, "remove_parameter", "a Parameter of this model")
        index = self.get_parameter_index(parameter)
        if index < 0:
            raise ValueError(f"'{parameter.get_friendly_name()}' is not a parameter of this model")
        if any(node is parameter for node in _topological_order(self._results + self._sinks)):
            raise ValueError(f"cannot remove Parameter '{parameter.get_friendly_name()}': the "
                             "results still depend on it")
        del self._parameters[index]

    def replace_parameter(self, index, parameter) -> None:
        """Put ``parameter`` in place of input ``index``, rewiring its consumers; if the graph does
        not accept the new input's type or shape, the model is left unchanged and the error raised.
        """
        from .ops.core import Parameter

        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or \
                not -len(self._parameters) <= index < len(self._parameters):
            raise IndexError(f"the model has {len(self._parameters)} parameters; {index!r} is not "
                             "a valid index")
        if not isinstance(parameter, Parameter):
            raise TypeError(f"replace_parameter expects a Parameter node, got "
                            f"{type(parameter).__name__}")
        old = self._parameters[index]
        targets = list(old.output(0).get_target_inputs())
        old.output(0).replace(parameter.output(0))
        self._parameters[index] = parameter
        try:
            self.validate_nodes_and_infer_types()
        except Exception:
            for target in targets:
                target.replace_source_output(old.output(0))
            self._parameters[index] = old
            self.validate_nodes_and_infer_types()
            raise

    def add_results(self, results) -> None:
        from .ops.core import Result

        if isinstance(results, Node):
            results = [results]
        _require_list(results, "results", "Result nodes")
        for result in results:
            if not isinstance(result, Result):
                raise TypeError(f"expected Result nodes, got {type(result).__name__}")
            self._results.append(result)
        self._check_parameters_cover()

    def remove_result(self, result) -> None:
        _require_node(result, "remove_result", "a Result of this model")
        index = next((i for i, r in enumerate(self._results) if r is result), -1)
        if index < 0:
            raise ValueError(f"'{result.get_friendly_name()}' is not a result of this model")
        del self._results[index]

    def _check_parameters_cover(self):
        from .ops.core import Parameter

        declared = {id(p) for p in self._parameters}
        missing = [n for n in _topological_order(self._results + getattr(self, "_sinks", []))
                   if isinstance(n, Parameter) and id(n) not in declared]
        if missing:
            raise ValueError("the results depend on Parameters not listed in the model's "
                             "parameters: " + ", ".join(p.get_friendly_name() for p in missing))

    def add_outputs(self, outputs) -> list:
        """Add Results for ``outputs`` (ports or tensor names); returns the new output ports."""
        from .ops.core import Result

        if not isinstance(outputs, list) and not _is_op_port_pair(outputs):
            outputs = list(outputs) if isinstance(outputs, tuple) else [outputs]
        elif not isinstance(outputs, list):
            outputs = [outputs]  # one (operation name, port) pair
        added = []
        for item in outputs:
            if isinstance(item, str):
                item = self._find_tensor(item)
            elif _is_op_port_pair(item):
                item = self._find_op_output(*item)
            elif not isinstance(item, (Node, Output)):
                raise TypeError(f"add_outputs takes ports, tensor names and (operation name, "
                                f"port index) pairs, got {type(item).__name__} {item!r}")
            output = as_output(item)
            # an output some Result already reads is not added twice (OpenVINO's add_output)
            result = next((r for r in self._results if r.input_value(0) == output), None)
            if result is None:
                result = Result(output)
                self._results.append(result)
            added.append(result.output(0))
        self._check_parameters_cover()
        return added

    def _find_op_output(self, op_name, port):
        for op in self.get_ordered_ops():
            if op.get_friendly_name() == op_name:
                return op.output(port)
        raise KeyError(f"the model has no operation named '{op_name}' (add_outputs takes "
                       "(operation friendly name, port index) pairs)")

    def _find_tensor(self, name):
        for op in self.get_ordered_ops():
            for out in op.outputs():
                if name in out.get_names():
                    return out
        raise KeyError(f"the model has no tensor named '{name}'")

    def evaluate(self, output_tensors, input_tensors, evaluation_context=None) -> bool:
        """OpenVINO's ``model.evaluate(output_tensors, input_tensors)``: computes the outputs
        into ``output_tensors`` (Tensors, resized as needed) and returns True (``evaluation.py``).
        """
        from .evaluation import evaluate_model

        return evaluate_model(self, output_tensors, input_tensors)

    # --- rt_info --------------------------------------------------------------------------
    def get_rt_info(self, path=None):
        """The rt_info dict, or the entry at ``path`` (a key or a list of keys) as an ``OVAny``
        (as OpenVINO: ``model.get_rt_info(["a", "b"]).astype(str)``; it equals its value)."""
        if path is None:
            return self.rt_info
        return OVAny(self._rt_info_entry(path))

    def _rt_info_entry(self, path):
        node = self.rt_info
        for key in _rt_info_keys(path):
            if not isinstance(node, dict) or key not in node:
                raise KeyError(f"the model's rt_info has no entry {path!r}")
            node = node[key]
        return node

    def set_rt_info(self, value, path) -> None:
        keys = _rt_info_keys(path)
        node = self.rt_info
        for depth, key in enumerate(keys[:-1]):
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise TypeError(f"rt_info path {keys!r}: {keys[:depth + 1]!r} holds a "
                                f"{type(node).__name__}, not a section that can hold {keys[-1]!r}")
        node[keys[-1]] = value

    def has_rt_info(self, path) -> bool:
        _rt_info_keys(path)
        try:
            self._rt_info_entry(path)
            return True
        except KeyError:
            return False

    # --- shape inference --------------------------------------------------------------------
    def validate_nodes_and_infer_types(self) -> None:
        """Re-run type and shape inference on every node, in topological order."""
        for op in self.get_ordered_ops():
            op.validate_and_infer_types()

    def reshape(self, shapes, variables_shapes=None) -> None:
        """Give inputs new shapes and re-run shape inference.

        ``shapes``: one shape (for a single-input model), or a dict / list keyed by input index,
        tensor name or input port. A shape is a list (``-1`` dynamic), a PartialShape, or a string
        ``"[1,3,?,?]"``. On failure the model keeps its previous shapes.
        """
        if isinstance(shapes, dict):
            items = list(shapes.items())
        elif isinstance(shapes, (list, tuple)) and shapes and all(
                isinstance(s, (list, tuple, PartialShape, str)) for s in shapes) and \
                len(self._parameters) > 1:
            items = list(enumerate(shapes))
        else:
            items = [(None, shapes)]
        targets = []
        for key, shape in items:
            port = self.input(key)
            try:
                new_shape = PartialShape(shape)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"invalid shape {shape!r} for input {key!r}: {exc}") from None
            targets.append((port.get_node(), new_shape))
        previous = [(p, p.attr("shape")) for p in self._parameters]
        try:
            for param, new_shape in targets:
                param.set_attribute("shape", new_shape)
            self.validate_nodes_and_infer_types()
        except Exception:
            for param, shape in previous:
                param.set_attribute("shape", shape)
            self.validate_nodes_and_infer_types()
            raise

    # --- copies & printing ----------------------------------------------------------------
    def clone(self) -> Model:
        """A deep copy: new nodes with the same attributes, names, rt_info and weights (shared)."""
        from .graph import clone_model

        return clone_model(self)

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        return self.clone()

    def __repr__(self):
        def port(o):
            return (f"<ConstOutput: names[{', '.join(sorted(o.get_names()))}] "
                    f"shape{o.get_partial_shape()} type: {o.get_element_type()}>")
        inputs = ",\n".join(port(o) for o in self.inputs)
        outputs = ",\n".join(port(o) for o in self.outputs)
        return f"<Model: '{self.get_friendly_name()}'\ninputs[\n{inputs}\n]\noutputs[\n{outputs}\n]>"

