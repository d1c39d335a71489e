"""``Model.evaluate(output_tensors, input_tensors)`` and ``Node.evaluate(output_values,
input_values)`` with OpenVINO's arguments: results are written into the given output tensors
(resized where their shape differs) and the call returns True.

Nodes whose math the IR knows (``Op.evaluate(values)``, ``compute``) are evaluated here with
numpy. Operations whose math lives in runtime kernels (convolutions, pooling, softmax, ...) are
run by the runtime, which the package installs as ``RUNNER`` (the ir layer does not import it);
without it such a model evaluates to False, as OpenVINO's evaluate does for an op it cannot.
"""
from __future__ import annotations

import numpy as np

__all__ = ["evaluate_model", "evaluate_node", "RUNNER"]

# runner(model, input_arrays) -> output arrays: set by ov_notebook/__init__.py to the runtime's
# compile-and-infer; None when only the ir layer is loaded
RUNNER = None


def _as_array(value, what):
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "data") and isinstance(value.data, np.ndarray):  # ov_notebook.Tensor
        return value.data
    raise TypeError(f"{what} must be a Tensor (or a numpy array), got {type(value).__name__}")


def _write(tensor, value, what):
    if not (hasattr(tensor, "data") and hasattr(tensor, "set_shape")):
        raise TypeError(f"{what} must be a Tensor the result is written into, got "
                        f"{type(tensor).__name__}")
    value = np.asarray(value)
    if tuple(tensor.data.shape) != value.shape:
        tensor.set_shape(list(value.shape))
    tensor.data[...] = value


def _check_counts(output_tensors, input_tensors, outputs, inputs, what):
    if not isinstance(output_tensors, (list, tuple)) or not isinstance(input_tensors, (list, tuple)):
        raise TypeError(f"{what}.evaluate takes a list of output tensors and a list of input "
                        "tensors")
    if len(input_tensors) != inputs or len(output_tensors) != outputs:
        raise ValueError(f"{what} has {inputs} input(s) and {outputs} output(s); evaluate got "
                         f"{len(input_tensors)} input and {len(output_tensors)} output tensor(s)")


def _write_all(output_tensors, values):
    for index, (tensor, value) in enumerate(zip(output_tensors, values)):
        _write(tensor, value, f"output tensor {index}")
    return True


def evaluate_model(model, output_tensors, input_tensors) -> bool:
    from .ops.core import Constant, Parameter, Result

    _check_counts(output_tensors, input_tensors, len(model.outputs), len(model.inputs), "the model")
    arrays = [_as_array(t, f"input tensor {i}") for i, t in enumerate(input_tensors)]
    values = {}
    for parameter, array in zip(model.get_parameters(), arrays):
        values[(parameter, 0)] = array
    for node in model.get_ordered_ops():
        if isinstance(node, (Parameter, Result)):
            continue
        if isinstance(node, Constant):
            values[(node, 0)] = node.get_data()
            continue
        produced = node.evaluate([values[(s.get_node(), s.get_index())]
                                  for s in node.input_values()])
        if produced is None:  # math only the runtime kernels have
            if RUNNER is None:
                return False
            return _write_all(output_tensors, RUNNER(model, arrays))
        for index, value in enumerate(produced):
            values[(node, index)] = np.asarray(value)
    results = []
    for result in model.get_results():
        source = result.input_value(0)
        results.append(values[(source.get_node(), source.get_index())])
    return _write_all(output_tensors, results)


def evaluate_node(node, output_values, input_values, evaluation_context=None) -> bool:
    """OpenVINO's ``node.evaluate(output_values, input_values)``."""
    from .model import Model
    from .ops.core import Parameter

    what = f"{node.get_type_name()} '{node.get_friendly_name()}'"
    _check_counts(output_values, input_values, node.get_output_size(), node.get_input_size(), what)
    arrays = [_as_array(t, f"input tensor {i}") for i, t in enumerate(input_values)]
    produced = node.evaluate(arrays)
    if produced is None:
        if RUNNER is None:
            return False
        parameters = [Parameter(s.get_element_type(), list(a.shape))
                      for s, a in zip(node.input_values(), arrays)]
        clone = node.clone_with_new_inputs([p.output(0) for p in parameters])
        produced = RUNNER(Model(clone.outputs(), parameters), arrays)
    return _write_all(output_values, produced)
