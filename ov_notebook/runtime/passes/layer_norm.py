"""Layer-norm fusion: MVN over the last axis and the element-wise ops after it become one op.

    mvn(x) * gamma + beta -> fused_mvn[mul;add](x, gamma, beta)

MVN, Multiply and Add each make a full pass over the tensor and the two affine steps allocate
their results; ``FusedMVN`` (``kernels/normalization.py``) normalizes blocks of rows on the run's
threads and applies gamma, beta and whatever else can join an epilogue (a residual Add, an
activation: the rules of ``fusion.py``) in place, on each block while it is in cache.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.core import Constant
from .fusion import fuse_after


def _over_last_axis(node) -> bool:
    """MVN normalizing the variance over the last axis only (LayerNorm), on static rank."""
    shape, axes = node.get_input_partial_shape(0), node.input_value(1).get_node()
    if not shape.rank_is_static or not isinstance(axes, Constant) or \
            not node.get_attributes()["normalize_variance"]:
        return False
    return [int(a) % len(shape) for a in np.asarray(axes.get_value()).reshape(-1)] == \
        [len(shape) - 1]


def fuse_layer_norms(model) -> bool:
    """Run :func:`fusion.fuse_after` on every LayerNorm-style MVN of ``model``."""
    changed = False
    for node in model.get_ordered_ops():
        if node.get_type_name() == "MVN" and _over_last_axis(node) and fuse_after(node):
            changed = True
    return changed
