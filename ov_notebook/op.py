"""``ov_notebook.op``: the node classes OpenVINO's ``openvino.op`` exposes.

    >>> import numpy as np
    >>> from ov_notebook import Model, Shape, Type, op
    >>> x = op.Parameter(Type.f32, Shape([2]))
    >>> y = x + op.Constant(np.ones(2, np.float32))
    >>> model = Model([op.Result(y.output(0))], [x])

``ov_notebook.opset`` builders return instances of these classes
(``isinstance(opset.parameter([2], Type.f32), op.Parameter)``). OpenVINO's ``op`` also holds
``assign``, ``read_value`` (stateful models), ``if_op``, ``loop``, ``tensor_iterator`` and ``util``;
docs/openvino-compatibility.md says which of those ov_notebook has.
"""
from .ir.ops.control_flow import TensorIterator as tensor_iterator
from .ir.ops.core import Constant, Parameter, Result

__all__ = ["Constant", "Parameter", "Result", "tensor_iterator"]
