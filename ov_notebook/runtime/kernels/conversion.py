"""Kernels of the type-conversion ops: Convert, ConvertLike, ShapeOf.

The element-wise ops have no kernels here: each carries its numpy math as ``compute`` in
``ir/ops/elementwise.py``, which ``get_kernel`` returns (see ``kernels/__init__.py``).
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.core import convert_values
from ...ir.types import Type
from . import kernel


@kernel("Convert")
def convert(x, *, destination_type):
    return convert_values(x, Type(destination_type))


@kernel("ConvertLike", needs_node=True)
def convert_like(x, like, *, node):
    return convert_values(x, node.get_output_element_type(0))


@kernel("ShapeOf")
def shape_of(x, *, output_type=Type.i64):
    return np.array(x.shape, dtype=Type(output_type).to_dtype())
