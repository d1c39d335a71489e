"""IR that openvino.save_model writes for models built with openvino.opset* reads back here with
the same structure as OpenVINO's own read of it: op types and versions, attributes, element
types, shapes, friendly and tensor names, weights; and our runtime computes what OpenVINO does."""
import numpy as np
import openvino
import openvino.opset8 as ov8
import openvino.opset11 as ov11
import openvino.opset13 as ops
import pytest

import ov_notebook as ov
from ov_notebook.ir import get_op_class, read_model
from ov_notebook.ir.errors import UnknownOpError
from oracle import assert_outputs_match, run_ours

CORE = openvino.Core()
RNG = np.random.default_rng(7)


def weights(*shape):
    return ops.constant(RNG.uniform(-1, 1, shape).astype(np.float32))


def ints(values):
    return ops.constant(np.array(values, np.int64))


def conv_net():
    x = ops.parameter([1, 3, 8, 8], np.float32, name="image")
    y = ops.convolution(x, weights(4, 3, 3, 3), [1, 1], [1, 1], [1, 1], [1, 1], name="conv")
    y = ops.relu(ops.add(y, weights(1, 4, 1, 1)), name="relu")
    y = ops.max_pool(y, [2, 2], [1, 1], [0, 0], [0, 0], [2, 2], name="pool").output(0)
    y = ops.group_convolution(y, weights(2, 2, 2, 3, 3), [1, 1], [1, 1], [1, 1], [1, 1])
    y = ops.avg_pool(y, [1, 1], [0, 0], [0, 0], [2, 2], True, "ceil")
    y = ops.reduce_mean(y, ints([2, 3]), False, name="gap")
    return openvino.Model([ops.matmul(y, weights(4, 10), False, False, name="fc")], [x], "conv_net")


def transformer_block():
    x = ops.parameter([2, -1, 8], np.float32, name="tokens")
    q = ops.matmul(x, weights(8, 8), False, True)
    heads = ops.transpose(ops.reshape(q, ints([0, 0, 2, 4]), True), ints([0, 2, 1, 3]))
    attention = ops.scaled_dot_product_attention(heads, heads, heads, causal=True)
    merged = ops.reshape(ops.transpose(attention, ints([0, 2, 1, 3])), ints([0, 0, 8]), True)
    normed = ops.mvn(ops.add(x, merged), ints([-1]), True, 1e-5, "inside_sqrt")
    out = ops.softmax(ops.gelu(normed, "tanh"), -1, name="probs")
    out.output(0).set_names({"probs", "p,1"})
    return openvino.Model([out], [x], "transformer")


def shape_subgraph():
    x = ops.parameter([-1, 3, openvino.Dimension(4, 16), 16], np.float32, name="x")
    shape = ops.shape_of(x)
    batch = ops.gather(shape, ints([0]), ints(0))
    target = ops.concat([batch, ints([-1])], 0)
    flat = ops.reshape(x, target, False, name="flatten")
    sizes = ops.convert(ops.multiply(ops.convert(ops.shape_of(flat), "f32"),
                                     ops.constant(np.array([1, 0.5], np.float32))), "i64")
    tiled = ops.tile(ops.unsqueeze(flat, ints([1])), ints([1, 2, 1]))
    return openvino.Model([tiled, sizes, ops.squeeze(ops.unsqueeze(flat, ints([0])), ints([0]))],
                          [x], "shapes")


def indexing_and_selection():
    x = ops.parameter([4, 6], np.float32, name="x")
    k = ops.topk(x, 3, 1, "max", "value", "i64")
    gathered = ops.gather_elements(x, k.output(1), 1)
    scattered = ops.scatter_update(x, ints([1, 3]), weights(2, 6), ints(0))
    sliced = ops.strided_slice(scattered, ints([0, 1]), ints([4, 6]), ints([2, 2]), [0, 0], [0, 0])
    sel = ops.select(ops.greater(x, ops.constant(np.float32(0))), x, ops.negative(x))
    pieces = ops.split(sel, ints(1), 2)
    parts = ops.variadic_split(x, ints(0), ints([1, 3]))
    onehot = ops.one_hot(ops.convert(k.output(1), "i32"), ints(6), ops.constant(np.float32(1)),
                         ops.constant(np.float32(0)), -1)
    outputs = [k.output(0), gathered, sliced, pieces.output(1), parts.output(0),
               ops.cumsum(x, ints(1), True, False), onehot]
    return openvino.Model([o if isinstance(o, openvino.Output) else o.output(0) for o in outputs],
                          [x], "indexing")


def image_ops():
    x = ops.parameter([1, 4, 4, 6], np.float32, name="x")
    up = ov11.interpolate(x, ops.constant(np.array([2.0, 1.5], np.float32)), "linear", "scales",
                          axes=ints([2, 3]))
    nearest = ov11.interpolate(x, ints([8, 3]), "nearest", "sizes", axes=ints([2, 3]),
                               coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    d2s = ops.depth_to_space(x, "blocks_first", 2)
    padded = ops.pad(x, ints([0, 0, 1, 2]), ints([0, 0, 1, 0]), "reflect")
    norm = ops.normalize_l2(x, ints([1]), 1e-6, "add")
    bn = ops.batch_norm_inference(x, weights(4), weights(4), weights(4),
                                  ops.constant(np.full(4, 0.5, np.float32)), 1e-5)
    gn = ops.group_normalization(x, weights(4), weights(4), 2, 1e-5)
    adaptive = ov8.adaptive_avg_pool(x, ints([2, 2]))
    return openvino.Model([up, nearest, d2s, padded, norm, bn, gn, adaptive], [x], "image")


def elementwise_mix():
    a = ops.parameter([2, 3], np.float32, name="a")
    b = ops.parameter([3], np.float32, name="b")
    flag = ops.parameter([2, 3], np.bool_, name="flag")
    y = ops.clamp(ops.multiply(ops.subtract(a, b), ops.constant(np.float32(2))), -1.0, 1.0)
    y = ops.swish(ops.hswish(ops.mish(y)), ops.constant(np.float32(0.5)))
    y = ops.power(ops.abs(y), ops.constant(np.float32(1.5)))
    logic = ops.logical_and(ops.logical_not(flag), ops.less_equal(a, b))
    rounded = ops.round(ops.divide(a, ops.constant(np.float32(3))), "half_to_even")
    ints_out = ops.floor_mod(ops.convert(a, "i32"), ops.constant(np.int32(3)))
    return openvino.Model([y, logic, rounded, ints_out, ops.sigmoid(ops.exp(b))], [a, b, flag],
                          "elementwise")


def generators():
    n = ops.parameter([], np.int64, name="n")
    values = ops.range(ops.constant(np.int64(0)), n, ops.constant(np.int64(2)), "i32")
    eye = ops.eye(ops.constant(np.int64(3)), ops.constant(np.int64(3)), ops.constant(np.int64(0)),
                  "f32")
    grid = ops.broadcast(ops.constant(np.float32(1)), ints([2, 3]))
    return openvino.Model([values, eye, grid, ops.einsum([eye, eye], "ij,jk->ik")], [n], "gen")


MODELS = [conv_net, transformer_block, shape_subgraph, indexing_and_selection, image_ops,
          elementwise_mix, generators]


def _normal(value):
    """An attribute value from either library in one comparable form."""
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    if isinstance(value, float):
        return float(np.float32(value))
    if isinstance(value, (bool, int)):
        return value
    return str(value).lower()


def _compare_nodes(theirs, mine, sharper_shapes):
    where = f"{mine.get_type_name()} '{mine.get_friendly_name()}'"
    info = theirs.get_type_info()
    assert (info.name, info.version_id) == (mine.get_type_name(), mine.get_version()), where
    assert theirs.get_friendly_name() == mine.get_friendly_name()
    their_attributes = theirs.get_attributes()
    for key, value in mine.get_attributes().items():
        if mine.get_type_name() != "Parameter" or key != "shape":  # OpenVINO's drops intervals
            assert _normal(value) == _normal(their_attributes[key]), f"{where}: {key}"
    assert len(theirs.outputs()) == len(mine.outputs()), where
    for a, b in zip(theirs.outputs(), mine.outputs()):
        assert a.get_element_type().get_type_name() == b.get_element_type().get_type_name(), where
        if sharper_shapes:  # OpenVINO does not infer through f16 decompression; we do
            assert ov.PartialShape(str(a.get_partial_shape())).relaxes(b.get_partial_shape())
        else:
            assert str(a.get_partial_shape()) == str(b.get_partial_shape()), where
        assert a.get_names() == b.get_names(), where
    if mine.get_type_name() == "Constant":
        assert theirs.get_data().tobytes() == mine.get_data().tobytes(), where


def assert_same_structure(theirs, mine, sharper_shapes=False):
    """Walk both graphs from their Results and Parameters in parallel, input port by port."""
    assert len(theirs.get_ordered_ops()) == len(mine.get_ordered_ops())
    pairs = list(zip(theirs.get_results(), mine.get_results())) + list(
        zip(theirs.get_parameters(), mine.get_parameters()))
    seen = set()
    while pairs:
        a, b = pairs.pop()
        if id(b) in seen:
            continue
        seen.add(id(b))
        _compare_nodes(a, b, sharper_shapes)
        assert a.get_input_size() == b.get_input_size()
        for index in range(b.get_input_size()):
            source_a, source_b = a.input_value(index), b.input_value(index)
            assert source_a.get_index() == source_b.get_index()
            pairs.append((source_a.get_node(), source_b.get_node()))
    assert theirs.get_friendly_name() == mine.get_friendly_name()


def _inputs(model):
    arrays = []
    for port in model.inputs:
        shape = [d.get_length() if d.is_static else 4 for d in port.get_partial_shape()]
        dtype = port.get_element_type().to_dtype()
        arrays.append(np.array(7, dtype) if dtype == np.int64 else (
            RNG.random(shape) < 0.5 if dtype == np.bool_ else RNG.uniform(-2, 2, shape).astype(dtype)))
    return arrays


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
@pytest.mark.parametrize("build", MODELS, ids=lambda b: b.__name__)
def test_openvino_written_ir_reads_back(build, compress, tmp_path):
    model = build()
    for op in model.get_ordered_ops():
        try:
            get_op_class(op.get_type_name(), op.get_type_info().version_id)
        except UnknownOpError:
            pytest.skip(f"{op.get_type_name()} is not in the operation set yet")
    path = tmp_path / "model.xml"
    openvino.save_model(model, path, compress_to_fp16=compress)
    theirs, mine = CORE.read_model(path), read_model(path)
    assert_same_structure(theirs, mine, sharper_shapes=compress)
    assert "OpenVINO Runtime" in mine.rt_info  # model rt_info read as written
    inputs = _inputs(theirs)
    compiled = CORE.compile_model(theirs, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    reference = compiled(inputs)
    assert_outputs_match(run_ours(mine, inputs), [np.asarray(reference[i]) for i in range(
        len(compiled.outputs))], rtol=1e-4, atol=1e-5, what=build.__name__)


def test_reads_files_saved_with_a_path_object_and_relative_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    openvino.save_model(conv_net(), "net.xml")
    assert read_model("net.xml").get_friendly_name() == "conv_net"
    assert ov.read_model(tmp_path / "net.xml").get_friendly_name() == "conv_net"
