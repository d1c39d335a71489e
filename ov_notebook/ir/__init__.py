"""The model layer: element types, shapes, nodes, the operation set and IR v11 files.

Imports numpy only; never torch and never the runtime, frontend or notebook layers.
"""
from . import ops  # noqa: F401  registers the operation set
from .compare import compare_models
from .deserialize import read_model, read_model_from_string
from .errors import IRError, IRReadError, IRWriteError, OpValidationError, UnknownOpError
from . import layout_helpers
from .graph import clone_model
from .layout import Layout, get_batch, set_batch
from .model import Model
from .node import Attr, Input, Node, Op, Output, get_op_class, register_op, registered_ops
from .ports import ConstOutput, DescriptorTensor, DiscreteTypeInfo
from .serialize import save_model, serialize
from .shape import Dimension, PartialShape, Shape
from .types import Type
from .values import AxisVector, Coordinate, CoordinateDiff, OVAny, Strides

__all__ = [
    "Type", "Dimension", "PartialShape", "Shape", "Node", "Op", "Attr", "Input", "Output", "Model",
    "ConstOutput", "DescriptorTensor", "OVAny", "Strides", "Coordinate", "CoordinateDiff",
    "AxisVector", "DiscreteTypeInfo", "Layout", "layout_helpers", "get_batch", "set_batch",
    "read_model", "read_model_from_string", "save_model", "serialize", "clone_model",
    "register_op", "get_op_class", "registered_ops", "IRError", "IRReadError", "IRWriteError",
    "OpValidationError", "UnknownOpError", "compare_models",
]
