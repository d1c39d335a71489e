"""Shape subgraphs of converted PyTorch models (ShapeOf -> Gather/Slice -> Concat -> Reshape,
Broadcast, Slice, Range...) infer what OpenVINO infers on the same dynamic shapes, and run."""
import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops

from .opcheck import assert_same_inference
from oracle import assert_outputs_match, run_openvino, run_ours

I64 = np.int64


def _take(o, x, positions):
    """Gather(ShapeOf(x), positions): ``x.shape[i]`` as a 1-D i64 tensor."""
    return o.gather(o.shape_of(x), np.array(positions, I64), np.array(0, I64))


def _size(o, x, position):
    """``x.size(i)`` as a scalar, the way TorchScript graphs produce it."""
    return o.squeeze(_take(o, x, [position]), np.array([0], I64))


CHAINS = {
    # x.view(b, s, 12, 64)
    "split_heads": (lambda o, x: o.reshape(x, o.concat([_take(o, x, [0, 1]), np.array([12, 64], I64)], 0),
                                           False), ["[?,128,768]"]),
    "split_heads_dynamic_seq": (lambda o, x: o.reshape(
        x, o.concat([_take(o, x, [0, 1]), np.array([12, 64], I64)], 0), False), ["[?,?,768]"]),
    # x.transpose(1, 2).reshape(b, s, -1) with a static head layout
    "merge_heads": (lambda o, x: o.reshape(
        o.transpose(x, np.array([0, 2, 1, 3], I64)),
        o.concat([_take(o, x, [0]), _take(o, x, [2]), np.array([-1], I64)], 0), False),
        ["[2,12,?,64]"]),
    # x.flatten(1) through special_zero
    "flatten": (lambda o, x: o.reshape(x, np.array([0, -1], I64), True), ["[?,3,1..8,8]"]),
    # x.shape[1:] sliced, then used as a target
    "slice_shape": (lambda o, x, y: o.reshape(y, o.slice(o.shape_of(x), np.array([1], I64),
                                                         np.array([2**62], I64), np.array([1], I64)),
                                              False), ["[?,4,6]", "[24]"]),
    "strided_slice_shape": (lambda o, x, y: o.broadcast(y, o.strided_slice(
        o.shape_of(x), np.array([-2], I64), np.array([0], I64), np.array([1], I64), [0], [1])),
        ["[?,4,6]", "[1,6]"]),
    # mask.expand_as(scores)
    "expand_as": (lambda o, m, s: o.broadcast(m, o.shape_of(s)), ["[1,1,1,?]", "[?,12,?,?]"]),
    # x[:, :y.size(1)]
    "slice_by_other": (lambda o, x, y: o.slice(x, np.array([0], I64), _take(o, y, [1]),
                                               np.array([1], I64), np.array([1], I64)),
                       ["[?,512,64]", "[2,1..128]"]),
    # torch.arange(x.size(1)) with a static size
    "arange_static": (lambda o, x: o.range(np.array(0, I64), _size(o, x, 1), np.array(1, I64), "i64"),
                      ["[?,128]"]),
    "arange_dynamic": (lambda o, x: o.range(np.array(0, I64), _size(o, x, 0), np.array(1, I64), "i32"),
                       ["[?,128]"]),
    # x.unsqueeze(1).expand(-1, n, -1) with n known
    "unsqueeze_expand": (lambda o, x: o.broadcast(
        o.unsqueeze(x, np.array([1], I64)),
        o.concat([_take(o, x, [0]), np.array([3], I64), _take(o, x, [1])], 0)), ["[?,1..16]"]),
    # shape arithmetic through Convert and a scatter of one dimension
    "scatter_shape": (lambda o, x: o.reshape(x, o.scatter_update(
        o.convert(o.shape_of(x, "i32"), "i64"), np.array([1], I64), np.array([-1], I64), np.array(0, I64)),
        False), ["[?,4,6]"]),
    # new_zeros(x.shape[0], 10) style: Broadcast of a scalar to a partly known shape
    "zeros_like_batch": (lambda o, x: o.broadcast(np.array(0.0, np.float32),
                                                  o.concat([_take(o, x, [0]), np.array([10], I64)], 0)),
                         ["[1..4,7]"]),
    # one_hot(x, num_classes=y.size(-1))
    "one_hot_depth": (lambda o, i, y: o.one_hot(i, _size(o, y, 1), np.array(1.0, np.float32),
                                                np.array(0.0, np.float32), -1), ["[?]", "[2,10]"]),
}


def _inputs(shapes):
    return [(s, I64 if name_is_index(s) else np.float32) for s in shapes]


def name_is_index(shape):
    return shape == "[?]"


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_chain_infers_like_openvino(name):
    build, shapes = CHAINS[name]
    assert_same_inference(build, *_inputs(shapes))


def test_chain_runs_like_openvino_on_concrete_shapes():
    build, _ = CHAINS["merge_heads"]
    x = ops.parameter("[2,12,?,64]", np.float32, name="x")
    model = ov.Model([build(ops, x)], [x])
    data = np.random.default_rng(0).standard_normal((2, 12, 5, 64)).astype(np.float32)
    ours = run_ours(model, [data])
    assert_outputs_match(ours, run_openvino(model, [data]))
    assert ours[0].shape == (2, 5, 768)


@pytest.mark.parametrize("shape", ["[?,128,768]", "[?,?,768]", "[2..4,128,768]"])
def test_reshape_with_a_copied_dynamic_dimension(shape):
    """x.view(x.size(0), -1, 64): built node by node, OpenVINO has no dimension symbols either,
    so the -1 stays dynamic next to a dynamic batch in both."""
    assert_same_inference(
        lambda o, x: o.reshape(x, o.concat([_take(o, x, [0]), np.array([-1, 64], I64)], 0), False),
        (shape, np.float32))
