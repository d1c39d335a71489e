"""BatchNormInference-5, MVN-6, NormalizeL2-1, GroupNormalization-12 and LRN-1 against OpenVINO."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

F32 = np.float32


def _normal(shape, seed, scale=2.0, shift=0.5):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(F32)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=2, max_size=5),
       epsilon=st.sampled_from([0.0, 1e-5, 1e-3]))
def test_batch_norm_matches_openvino(shape, epsilon):
    channels = shape[1]
    rng = np.random.default_rng(len(shape))
    params = [rng.uniform(0.2, 2, channels).astype(F32) for _ in range(4)]
    compare_with_openvino(
        lambda x, g, b, m, v: ops.batch_norm_inference(x, g, b, m, v, epsilon),
        [_normal(shape, channels)] + params, atol=1e-5)


@st.composite
def axes_cases(draw, min_rank=1, max_rank=4):
    shape = draw(st.lists(st.integers(1, 6), min_size=min_rank, max_size=max_rank))
    rank = len(shape)
    axes = draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
    negative = draw(st.booleans())
    return shape, [a - rank if negative else a for a in sorted(axes)]


@settings(max_examples=40, deadline=None)
@given(case=axes_cases(), normalize_variance=st.booleans(),
       eps_mode=st.sampled_from(["inside_sqrt", "outside_sqrt"]), eps=st.sampled_from([1e-9, 1e-5, 0.1]))
def test_mvn_matches_openvino(case, normalize_variance, eps_mode, eps):
    shape, axes = case
    compare_with_openvino(lambda x: ops.mvn(x, axes, normalize_variance, eps, eps_mode),
                          [_normal(shape, len(axes))], atol=1e-5)


@pytest.mark.parametrize("shape", [(2, 7, 768), (1, 197, 384), (3, 1)])
def test_mvn_over_the_last_axis_like_layer_norm(shape):
    compare_with_openvino(lambda x: ops.mvn(x, [-1], True, 1e-12, "inside_sqrt"),
                          [_normal(shape, 1, scale=5.0, shift=3.0)], atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(case=axes_cases(min_rank=2), eps_mode=st.sampled_from(["add", "max"]),
       eps=st.sampled_from([1e-12, 1e-4, 1.0]))
def test_normalize_l2_matches_openvino(case, eps_mode, eps):
    shape, axes = case
    compare_with_openvino(lambda x: ops.normalize_l2(x, axes, eps, eps_mode),
                          [_normal(shape, len(shape))], atol=1e-6)


def test_normalize_l2_with_empty_axes_normalizes_each_element():
    # OpenVINO 2026.4 cannot compile an empty axes constant; the spec's x / sqrt(x^2 + eps)
    x = np.array([[3.0, -4.0, 0.0]], F32)
    param = ops.parameter([1, 3], F32)
    node = ops.normalize_l2(param, np.array([], np.int64), 1e-6, "add")
    (result,) = run_ours(ov.Model([node], [param]), [x])
    np.testing.assert_allclose(result, x / np.sqrt(x * x + F32(1e-6)), rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 3), groups=st.integers(1, 4), per_group=st.integers(1, 3),
       spatial=st.lists(st.integers(1, 5), max_size=3), epsilon=st.sampled_from([1e-5, 0.1]))
def test_group_normalization_matches_openvino(batch, groups, per_group, spatial, epsilon):
    channels = groups * per_group
    rng = np.random.default_rng(channels)
    inputs = [_normal([batch, channels] + spatial, groups), rng.standard_normal(channels).astype(F32),
              rng.standard_normal(channels).astype(F32)]
    compare_with_openvino(lambda x, s, b: ops.group_normalization(x, s, b, groups, epsilon),
                          inputs, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=4, max_size=4), across=st.booleans(),
       size=st.integers(1, 6), alpha=st.sampled_from([1e-4, 0.01, 1.0]),
       beta=st.sampled_from([0.5, 0.75, 1.0]), bias=st.sampled_from([1.0, 2.0]))
def test_lrn_matches_openvino(shape, across, size, alpha, beta, bias):
    axes = [1] if across else [2, 3]  # the two axes sets OpenVINO's CPU plugin runs
    compare_with_openvino(lambda x: ops.lrn(x, axes, alpha, beta, bias, size),
                          [_normal(shape, size)], atol=1e-6)


def _float(shape):
    return (shape, F32)


SHAPE_CASES = {
    "batch_norm": [
        (lambda o, x, g, b, m, v: o.batch_norm_inference(x, g, b, m, v, 1e-5),
         [_float("[2,?,5]"), _float("[?]"), _float("[3]"), _float("[?]"), _float("[...]")]),
        (lambda o, x, g, b, m, v: o.batch_norm_inference(x, g, b, m, v, 1e-5),
         [_float("[...]"), _float("[?]"), _float("[3]"), _float("[?]"), _float("[...]")]),
        (lambda o, x, g, b, m, v: o.batch_norm_inference(x, g, b, m, v, 1e-5),
         [_float("[1..4,2..6,?]"), _float("[3..8]"), _float("[?]"), _float("[?]"), _float("[?]")]),
    ],
    "mvn": [
        (lambda o, x: o.mvn(x, np.array([1, -1]), True, 1e-5, "inside_sqrt"), [_float("[?,3,..5]")]),
        (lambda o, x, a: o.mvn(x, a, False, 1e-5, "outside_sqrt"), [_float("[...]"), ("[?]", np.int64)]),
    ],
    "normalize_l2": [
        (lambda o, x: o.normalize_l2(x, np.array(1), 1e-5, "max"), [_float("[2,?]")]),
        (lambda o, x, a: o.normalize_l2(x, a, 1e-5, "add"), [_float("[2,?,4]"), ("[1]", np.int64)]),
    ],
    "group_normalization": [
        (lambda o, x, s, b: o.group_normalization(x, s, b, 3, 1e-5),
         [_float("[2,?]"), _float("[6]"), _float("[?]")]),
        (lambda o, x, s, b: o.group_normalization(x, s, b, 4, 1e-5),
         [_float("[2,2..5,3]"), _float("[?]"), _float("[?]")]),
        (lambda o, x, s, b: o.group_normalization(x, s, b, 2, 1e-5),
         [_float("[...]"), _float("[6]"), _float("[6]")]),
    ],
    "lrn": [
        (lambda o, x: o.lrn(x, np.array([2, 3]), 1e-4, 0.75, 1.0, 5), [_float("[?,3,?,?]")]),
        (lambda o, x, a: o.lrn(x, a), [_float("[...]"), ("[2]", np.int64)]),
    ],
}


@pytest.mark.parametrize("build, inputs", [case for cases in SHAPE_CASES.values() for case in cases])
def test_shape_inference_matches_openvino(build, inputs):
    assert_same_inference(build, *inputs)


def test_bad_inputs_are_rejected():
    x = ops.parameter([2, 3, 4], F32)
    vec3, vec4 = ops.parameter([3], F32), ops.parameter([4], F32)
    assert_rejected(lambda: ops.batch_norm_inference(x, vec4, vec3, vec3, vec3, 1e-5),
                    r"gamma \(input 1\) has 4 elements but the data has 3 channels")
    assert_rejected(lambda: ops.batch_norm_inference(vec3, vec3, vec3, vec3, vec3, 1e-5),
                    r"rank 2 or more")
    assert_rejected(lambda: ops.batch_norm_inference(x, vec3, vec3, vec3, vec3, -1.0),
                    r"epsilon must be non-negative")
    assert_rejected(lambda: ops.batch_norm_inference(ops.parameter([2, 3], np.int32), *[
        ops.parameter([3], np.int32)] * 4, 1e-5), r"floating-point")
    assert_rejected(lambda: ops.mvn(x, [3], True, 1e-5, "inside_sqrt"), r"axes 3 is out of range")
    assert_rejected(lambda: ops.mvn(x, np.array([[1]]), True, 1e-5, "inside_sqrt"), r"rank 1")
    assert_rejected(lambda: ops.mvn(x, [1], True, 1e-5, "inside"), r"eps_mode")
    assert_rejected(lambda: ops.normalize_l2(x, [-4], 1e-5, "add"), r"axes -4 is out of range")
    assert_rejected(lambda: ops.normalize_l2(x, [1], 1e-5, "mul"), r"eps_mode")
    assert_rejected(lambda: ops.group_normalization(ops.parameter([2, 6], F32), ops.parameter(
        [6], F32), ops.parameter([6], F32), 4, 1e-5), r"6 channels .* cannot be split into 4 groups")
    assert_rejected(lambda: ops.group_normalization(x, vec3, vec3, 0, 1e-5), r"num_groups must be a positive")
    assert_rejected(lambda: ops.group_normalization(x, vec4, vec3, 1, 1e-5), r"scale \(input 1\) has 4")
    assert_rejected(lambda: ops.lrn(x, np.array(1)), r"axes \(input 1\) must have rank 1")
    assert_rejected(lambda: ops.lrn(x, [0, 1, 2, 1]), r"4 elements, more than the data rank 3")
    assert_rejected(lambda: ops.lrn(x, [3]), r"axes 3 is out of range")


ROUND_TRIPS = [
    (lambda o, x, g, b, m, v: o.batch_norm_inference(x, g, b, m, v, 1e-3),
     [_float("[2,3,4]")] + [_float("[3]")] * 4),
    (lambda o, x: o.mvn(x, np.array([2]), True, 1e-5, "outside_sqrt"), [_float("[2,3,4]")]),
    (lambda o, x: o.mvn(x, np.array([1, 2]), False, 1e-9, "INSIDE_SQRT"), [_float("[2,3,4]")]),
    (lambda o, x: o.normalize_l2(x, np.array([1]), 1e-10, "add"), [_float("[2,3,4]")]),
    (lambda o, x, s, b: o.group_normalization(x, s, b, 2, 1e-5),
     [_float("[2,4,3]"), _float("[4]"), _float("[4]")]),
    (lambda o, x: o.lrn(x, np.array([1]), 2e-4, 0.75, 2.0, 3), [_float("[2,3,4,5]")]),
]


@pytest.mark.parametrize("build, inputs", ROUND_TRIPS)
def test_round_trip(build, inputs):
    assert_round_trip(build, *inputs)


def test_normalize_l2_max_mode_reaches_openvino():
    # openvino.opset1.normalize_l2 passes its eps_mode as "mode" and so always builds "add";
    # ours sets eps_mode, and OpenVINO reads it from our IR
    from oracle import openvino_model
    x = ops.parameter([2, 3], F32)
    model = openvino_model(ov.Model([ops.normalize_l2(x, [1], 1e-4, "max")], [x]))
    (node,) = [n for n in model.get_ordered_ops() if n.get_type_name() == "NormalizeL2"]
    assert node.get_attributes()["eps_mode"] == "max"
