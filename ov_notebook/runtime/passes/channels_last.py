"""Channels-last layout: run regions of convolutions and what connects them on NHWC tensors.

Depthwise convolutions (MobileNet, EfficientNet) multiply-add over taps; channels-first they
either read per-channel planes with stride-phase copies or transpose their input and output
around a channels-last product. In NHWC every tap reads one contiguous row of W*C values, a 1x1
convolution is one GEMM over N*H*W rows, and global pooling is one product with a 1/P vector. The
pass finds connected regions of ops that can run on NHWC tensors and rewrites them, with P the
permutation [N, C, H, W] -> [N, H, W, C]:

    conv(x), pool(x)      -> conv_nhwc(P x), pool_nhwc(P x)   # P conv = conv_nhwc P
    f(x, c)               -> f(P x, P c)                       # element-wise ops commute with P
    concat/split(x, 1)    -> concat/split(P x, 3)              # axes follow P
    reduce(x, axes)       -> reduce(P x, P axes)
    bn(x)                 -> P x * s + b       # s = gamma / sqrt(var + eps), b = beta - mean * s
    reshape-transpose-reshape channel shuffle -> ShuffleChannels(P x, axis=3)
    region input x        -> ToChannelsLast(x);   region output P y -> ToChannelsFirst(P y)

Only the compiled clone changes; the conversions appear where a region meets the rest (a
Reshape/Flatten head, a MatMul, the model's outputs). Regions are rewritten where it was measured
to pay (see ``_pays``): with two convolutions or more and no grouped one.

On the oneDNN backend the same regions hold: NHWC is the layout oneDNN picks itself. Asked
with ``format_tag any`` (``onednn/layouts.py``), oneDNN 3.2 on AVX-512 picks nhwc source and
destination (brgconv, brgconv_1x1, brdgmm_dw) for every f32 convolution of resnet50,
mobilenet_v3_large and efficientnet_b0 but the 3-channel stem (nchw in, nChw16c out), and
OpenVINO 2026.4's CPU plugin runs all of their convolutions in acdb (NHWC) with brgconv too.
Forcing nChw16c (jit kernels; ``benchmarks/kernels_blocked.py``, 1 thread, CPU time): the
convolutions of mobilenet_v3_large sum to 0.89x on depthwise and 1.01x on 1x1 ones (0.98x in
all), efficientnet_b0's 0.89x and 1.00x (0.98x), resnet50's 3x3 and 1x1 layers 1.04-1.6x, and
a 16c region pays reorders at its edges (0.1-1.5 ms for 64-256 channels at 56x56) and
zero-padded channel tails (72, 120, 200 channels). So regions stay NHWC on both backends.
"""
from __future__ import annotations

import numpy as np

from ...ir.node import get_op_class
from ...ir.ops.core import Constant
from ...ir.types import Type
from ..layout_ops import TO_CHANNELS_LAST, ToChannelsFirst, ToChannelsLast, channels_last_class

NHWC_AXIS = (0, 3, 1, 2)  # NCHW axis a is NHWC axis NHWC_AXIS[a]
_CONVOLUTIONS = frozenset({"FusedConvolution", "FusedGroupConvolution"})
_POOLS = frozenset({"MaxPool", "AvgPool", "AdaptiveAvgPool"})
_REDUCTIONS = frozenset({"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd"})


# --- what may run channels-last: rules give (layout input indices, constant indices to permute) ---
def is_layout_value(output) -> bool:
    """A 4-D f32 tensor: what the region keeps in NHWC."""
    shape = output.get_partial_shape()
    return shape.rank_is_static and len(shape) == 4 and output.get_element_type() == Type.f32


def _constant(output):
    node = output.get_node()
    return node if isinstance(node, Constant) else None


def _scalar_like(output) -> bool:
    shape = output.get_partial_shape()
    return shape.is_static and all(d == 1 for d in shape.to_shape())


def _operands(node, indices):
    """(layout inputs, constants to permute) among ``indices``, or None when one is neither."""
    layout, permute = [], []
    for index in indices:
        source = node.input_value(index)
        if _constant(source) is not None and source.get_node().get_value().ndim <= 4:
            permute.append(index)
        elif is_layout_value(source):
            layout.append(index)
        elif not _scalar_like(source):
            return None
    return layout, permute


def _convolution_rule(node):
    filters = _constant(node.input_value(1))
    rank = 5 if node.get_type_name() == "FusedGroupConvolution" else 4  # 2-D convolutions only
    if filters is None or filters.get_value().ndim != rank or \
            not is_layout_value(node.input_value(0)):
        return None
    extras = _operands(node, range(node.anchor_inputs, node.get_input_size()))
    return None if extras is None else ([0] + extras[0], extras[1])


def _pool_rule(node):
    if not is_layout_value(node.input_value(0)):
        return None
    if node.get_type_name() == "MaxPool" and node.get_output_size() > 1 and \
            node.output(1).get_target_inputs():
        return None  # indices into the NCHW tensor
    if node.get_type_name() == "AdaptiveAvgPool":
        sizes = _constant(node.input_value(1))
        if sizes is None or not np.all(sizes.get_value() == 1):
            return None  # only global pooling has an NHWC kernel
    return [0], []


def _elementwise_rule(node):
    if node.get_attributes().get("auto_broadcast", "numpy") != "numpy":
        return None
    operands = _operands(node, range(node.get_input_size()))
    return None if operands is None or not operands[0] else operands


def _axis_rule(node):
    type_name = node.get_type_name()
    if type_name == "Concat":
        found = _operands(node, range(node.get_input_size()))
        return found if found is not None and found[0] and all(
            len(node.input_value(i).get_partial_shape()) == 4
            for i in found[1]) else None
    if not is_layout_value(node.input_value(0)) or _constant(node.input_value(1)) is None:
        return None
    if type_name in _REDUCTIONS and not node.get_attributes()["keep_dims"]:
        axes = {int(a) % 4 for a in np.ravel(_constant(node.input_value(1)).get_value())}
        kept = [a for a in range(4) if a not in axes]
        if kept != [a for a in TO_CHANNELS_LAST if a not in axes]:
            return None  # the remaining axes would come out in another order
    return [0], []


def _batch_norm_rule(node):
    params = [_constant(node.input_value(i)) for i in range(1, 5)]
    return ([0], []) if is_layout_value(node.input_value(0)) and all(params) else None


def _shuffle_parts(node):
    """(first Reshape, group) when ``node`` ends reshape [N, g, C/g, H, W] -> transpose(0, 2, 1,
    3, 4) -> reshape [N, C, H, W] (torch's channel_shuffle), else None."""
    transpose = node.input_value(0).get_node()
    if node.get_type_name() != "Reshape" or transpose.get_type_name() != "Transpose":
        return None
    order, first = _constant(transpose.input_value(1)), transpose.input_value(0).get_node()
    if order is None or list(np.ravel(order.get_value())) != [0, 2, 1, 3, 4] or \
            first.get_type_name() != "Reshape" or not is_layout_value(first.input_value(0)):
        return None
    if any(len(n.output(0).get_target_inputs()) != 1 for n in (first, transpose)):
        return None
    before, split = first.input_value(0).get_partial_shape(), first.get_output_partial_shape(0)
    after = node.get_output_partial_shape(0)
    if not (before.is_static and split.is_static and after.is_static):
        return None
    before, split, after = before.to_shape(), split.to_shape(), after.to_shape()
    if list(after) != list(before) or [split[0], split[1] * split[2]] + list(split[3:]) != \
            list(before):
        return None
    return first, int(split[1])


def rule(node):
    """(layout input indices, constant input indices to permute) if ``node`` can run
    channels-last, else None. The channel shuffle's layout input is its first Reshape's."""
    type_name = node.get_type_name()
    if type_name in _CONVOLUTIONS:
        found = _convolution_rule(node)
    elif type_name in _POOLS:
        found = _pool_rule(node)
    elif type_name == "Reshape":
        found = ([0], []) if _shuffle_parts(node) is not None else None
    elif type_name in _REDUCTIONS or type_name in ("Concat", "Split", "VariadicSplit"):
        found = _axis_rule(node)
    elif type_name == "BatchNormInference":
        found = _batch_norm_rule(node)
    elif node.elementwise:  # the op's trait: commutes with the permutation
        found = _elementwise_rule(node)
    else:
        return None
    read = [o for o in node.outputs() if o.get_index() == 0 or o.get_target_inputs()]
    return found if found is not None and all(o.get_element_type() == Type.f32
                                              for o in read) else None


def layout_sources(node, indices):
    """The tensors a member reads in NHWC: its layout inputs (the shuffle's: its first
    Reshape's input)."""
    if node.get_type_name() == "Reshape":
        return [_shuffle_parts(node)[0].input_value(0)]
    return [node.input_value(i) for i in indices]


# --- regions -------------------------------------------------------------------------------------
def _regions(members):
    """Connected groups of member ids (linked by the layout tensors between them)."""
    parent = {key: key for key in members}

    def root(key):
        while parent[key] != key:
            parent[key] = key = parent[parent[key]]
        return key
    for key, (node, layout, _) in members.items():
        for source in layout_sources(node, layout):
            producer = id(source.get_node())
            if producer in members:
                parent[root(key)] = root(producer)
    groups = {}
    for key in members:
        groups.setdefault(root(key), set()).add(key)
    return list(groups.values())


def _grouped(node) -> bool:
    """A grouped convolution that is not depthwise (more than one channel per group)."""
    if node.get_type_name() != "FusedGroupConvolution":
        return False
    shape = node.input_value(1).get_partial_shape()  # [G, O/G, C/G, kh, kw], constant
    return shape[1].get_length() > 1 or shape[2].get_length() > 1


def _pays(region, members) -> bool:
    """Regions of two convolutions or more (element-wise ops and pools run as fast either way,
    and a lone convolution would pay two layout copies for itself) and no grouped one: there,
    groups of a few channels take an im2col gathering runs of a few floats and one thin GEMM per
    group (regnet_y_400mf, 1 thread: grouped convolutions 6.5 -> 9.0 ms, the whole model 20.0 ->
    21.8 ms)."""
    nodes = [members[key][0] for key in region]
    return sum(n.get_type_name() in _CONVOLUTIONS for n in nodes) >= 2 and \
        not any(_grouped(n) for n in nodes)


# --- the rewrite ---------------------------------------------------------------------------------
def _rebuilt(node, inputs, cls=None, **changes):
    new = (cls or type(node)).from_ir(list(inputs), {**node.get_attributes(), **changes},
                                      node.get_friendly_name())
    new.rt_info.update(node.rt_info)
    return new


def _permuted_constant(output, cache):
    """A constant operand broadcast into a 4-D value, as the NHWC permutation of its 4-D form."""
    constant = output.get_node()
    if id(constant) not in cache:
        value = constant.get_value()
        value = value.reshape((1,) * (4 - value.ndim) + value.shape).transpose(TO_CHANNELS_LAST)
        cache[id(constant)] = Constant(np.ascontiguousarray(value), output.get_element_type(),
                                       name=f"{constant.get_friendly_name()}/nhwc").output(0)
    return cache[id(constant)]


def _mapped_axes(output):
    """An axis or axes constant with each NCHW axis replaced by its NHWC position."""
    value = output.get_node().get_value()
    mapped = np.vectorize(lambda a: NHWC_AXIS[int(a) % 4], otypes=[value.dtype])(value)
    return Constant(mapped.astype(value.dtype), output.get_element_type()).output(0)


def _batch_norm(node, data):  # x*s + b, s = gamma/sqrt(var + eps), b = beta - mean*s
    gamma, beta, mean, variance = (node.input_value(i).get_node().get_value().astype(np.float64)
                                   for i in range(1, 5))
    scale = gamma / np.sqrt(variance + node.get_attributes()["epsilon"])
    name = node.get_friendly_name()
    scaled = get_op_class("Multiply")(data, Constant(scale.astype(np.float32),
                                                     name=f"{name}/scale"), name=f"{name}/scale")
    shifted = get_op_class("Add")(scaled.output(0), Constant(
        (beta - mean * scale).astype(np.float32), name=f"{name}/shift"), name=name)
    shifted.rt_info.update(node.rt_info)
    return shifted


def _build(node, inputs):
    """The node that computes ``node`` on channels-last inputs (outputs in the same order)."""
    type_name = node.get_type_name()
    if type_name in _CONVOLUTIONS or type_name in _POOLS:
        return _rebuilt(node, inputs, channels_last_class(type(node)))
    if type_name == "Concat":
        return _rebuilt(node, inputs, axis=NHWC_AXIS[node.get_attributes()["axis"] % 4])
    if type_name in ("Split", "VariadicSplit") or type_name in _REDUCTIONS:
        return _rebuilt(node, [inputs[0], _mapped_axes(inputs[1])] + inputs[2:])
    if type_name == "BatchNormInference":
        return _batch_norm(node, inputs[0])
    if type_name == "Reshape":  # the channel shuffle
        return get_op_class("ShuffleChannels")(inputs[0], axis=3, group=_shuffle_parts(node)[1],
                                               name=node.get_friendly_name())
    return _rebuilt(node, inputs)


def _rewrite(ordered, kept):
    """Build every member's NHWC node (in topological order), then reroute the consumers
    outside the regions through ToChannelsFirst; entries from outside get ToChannelsLast."""
    mapping, entries, constants = {}, {}, {}

    def nhwc(source):
        if source in mapping:
            return mapping[source]
        if source not in entries:
            entries[source] = ToChannelsLast(source, name=f"{source.get_node().get_friendly_name()}"
                                             "/to_nhwc").output(0)
        return entries[source]
    for node, layout, permute in ordered:
        inputs = list(node.input_values())
        if node.get_type_name() == "Reshape":  # the shuffle reads its first Reshape's input
            inputs = layout_sources(node, layout)
            layout = [0]
        for index in layout:
            inputs[index] = nhwc(inputs[index])
        for index in permute:
            inputs[index] = _permuted_constant(inputs[index], constants)
        for old, new in zip(node.outputs(), _build(node, inputs).outputs()):
            mapping[old] = new
    for node, _, _ in ordered:
        for old in node.outputs():
            _leave_region(old, mapping[old], kept)


def _leave_region(old, new, kept):
    """Consumers of ``old`` outside the regions read ``new`` (back in NCHW if 4-D)."""
    outside = [t for t in old.get_target_inputs() if id(t.get_node()) not in kept]
    if not outside:
        return
    if is_layout_value(old):
        new = ToChannelsFirst(new, name=f"{old.get_node().get_friendly_name()}/to_nchw").output(0)
    for target in outside:
        target.replace_source_output(new)
    names = old.get_names()
    if names:
        new.add_names(names)
        old.set_names(set())


def convert_to_channels_last(model) -> bool:
    """Rewrite the regions worth running in NHWC; whether there was one."""
    members, order = {}, []
    for node in model.get_ordered_ops():
        found = rule(node)
        if found is not None:
            members[id(node)] = (node,) + tuple(found)
            order.append(id(node))
    kept = {key for region in _regions(members) if _pays(region, members) for key in region}
    if not kept:
        return False
    _rewrite([members[key] for key in order if key in kept], kept)
    return True
