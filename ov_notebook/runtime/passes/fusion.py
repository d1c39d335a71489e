"""Fuse what follows a convolution or MatMul into its epilogue, run in place on its output.

Rewrite rules, applied while the anchor's output (then each fused op's output) has exactly one
consumer and the consumer keeps its shape and element type:

    anchor(x) + c        -> anchor'(x)      # bias (constant) or residual / mask (any tensor)
    anchor(x) - c        -> anchor'(x)      # (binary ops whose class has an ``epilogue_token``)
    anchor(x) * c        -> anchor'(x)      # when affine folding could not reach the weights
    act(anchor(x))       -> anchor'(x)      # ops whose class is ``fusable_activation``
    anchor(x) * sigmoid(anchor(x)) -> anchor'(x)   # SiLU written out (Swish with beta 1)

``anchor'`` is the runtime-internal ``Fused<anchor>`` op (``runtime/fused_ops.py``); its kernel
adds, multiplies and activates in the anchor's freshly made output buffer, so a block like
``relu(bn(conv(x)) + identity)`` makes one array instead of three.
"""
from __future__ import annotations

from ...ir.graph import replace_output
from ..fused_ops import fused_op_class
from ..kernels._epilogue import epilogue_token
from .affine_folding import ANCHORS



def _binary_step(node, tail):
    """(token, extra input) when ``node`` is ``tail (+|-|*) other`` (a binary op whose class has
    an ``epilogue_token``), else None."""
    token = node.epilogue_token
    if token is None or node.get_input_size() != 2:
        return None
    first, second = node.input_value(0), node.input_value(1)
    if first == tail and second != tail:
        return token, second
    if second == tail and first != tail and node.commutative:
        return token, first
    return None


def _silu_step(tail, consumers):
    """The Multiply of ``tail * sigmoid(tail)`` when those are ``tail``'s two consumers."""
    nodes = {c.get_node().get_type_name(): c.get_node() for c in consumers}
    sigmoid, multiply = nodes.get("Sigmoid"), nodes.get("Multiply")
    if len(consumers) != 2 or sigmoid is None or multiply is None:
        return None
    if len(sigmoid.output(0).get_target_inputs()) != 1:
        return None
    operands = {multiply.input_value(0), multiply.input_value(1)}
    return multiply if operands == {tail, sigmoid.output(0)} else None


def _keeps_type(node, tail) -> bool:
    """Same element type, and a shape that can only be the tail's: equal when static; with
    dynamic dimensions an operand could still broadcast it bigger at run time, which the
    epilogue handles with an out-of-place step (see kernels/_epilogue.apply_epilogue)."""
    shape, tail_shape = node.get_output_partial_shape(0), tail.get_partial_shape()
    if node.get_output_size() != 1 or node.get_output_element_type(0) != tail.get_element_type():
        return False
    if tail_shape.is_static:
        return shape == tail_shape
    return shape.rank_is_static and tail_shape.rank_is_static and \
        len(shape) == len(tail_shape) and shape.compatible(tail_shape)


def _next_step(tail):
    """(consumer, token, extra input or None) for the op that can join the epilogue, or None."""
    consumers = tail.get_target_inputs()
    if len(consumers) == 2:
        multiply = _silu_step(tail, consumers)
        return None if multiply is None or not _keeps_type(multiply, tail) else (
            multiply, "Swish:1.0", None)
    if len(consumers) != 1:
        return None
    node = next(iter(consumers)).get_node()
    if not _keeps_type(node, tail):
        return None
    token = epilogue_token(node)
    if token is not None:
        return node, token, None
    step = _binary_step(node, tail)
    return None if step is None else (node, step[0], step[1])


def fuse_after(anchor) -> bool:
    """Replace ``anchor`` and the ops that can join its epilogue by one fused op."""
    # f16 epilogues would round every step to f16, where OpenVINO computes them in f32
    if anchor.get_output_element_type(0).get_type_name() not in ("f32", "f64"):
        return False
    tail, tokens, extras, names = anchor.output(0), [], [], [anchor.get_friendly_name()]
    while (step := _next_step(tail)) is not None:
        node, token, extra = step
        tokens.append(token)
        if extra is not None:
            extras.append(extra)
        names.append(node.get_friendly_name())
        tail = node.output(0)
    if not tokens:
        return False
    cls = fused_op_class(anchor.get_type_name())
    inputs = list(anchor.input_values())[:cls.anchor_inputs] + extras
    fused = cls(*inputs, name=anchor.get_friendly_name(), post_ops=";".join(tokens),
                **anchor.get_attributes())
    fused.rt_info.update(anchor.rt_info)
    fused.rt_info["fused_names"] = ",".join(names)
    replace_output(tail, fused.output(0))
    return True


def fuse_epilogues(model) -> bool:
    """Run :func:`fuse_after` on every convolution and MatMul of ``model``."""
    changed = False
    for node in model.get_ordered_ops():
        if node.get_type_name() in ANCHORS and fuse_after(node):
            changed = True
    return changed
