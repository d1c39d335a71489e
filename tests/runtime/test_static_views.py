"""Steps compile time resolves entirely (kernels/shape_ops.StaticView, the unit-spatial layout
conversions, the global pooling's oneDNN static call): they must be the ones the plan runs, give
OpenVINO's numbers, never hand out a writable alias of another value, and fall back to the kernel
for an input laid out otherwise."""
import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.runtime.kernels.channels_last import _keeps_memory_order
from ov_notebook.runtime.kernels.shape_ops import StaticView, reshape
from oracle import assert_outputs_match, run_openvino

BACKENDS = ["numpy", "onednn"]


def steps(compiled, type_name):
    return [step for step in compiled._plan.plan.steps
            if step.node.get_type_name() == type_name]


def shape_ops_model():
    x = ops.parameter([2, 3, 4], np.float32, name="x")
    flat = ops.reshape(ops.relu(x), np.array([0, -1], np.int64), True)  # [2, 12]
    wide = ops.unsqueeze(ops.exp(flat), np.array([1], np.int64))  # [2, 1, 12]
    narrow = ops.squeeze(ops.negative(wide), np.array([1], np.int64))  # [2, 12]
    return ov.Model([narrow, wide], [x], "views")


@pytest.mark.parametrize("backend", BACKENDS)
def test_static_reshape_squeeze_unsqueeze_are_bound_views(backend):
    model = shape_ops_model()
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": backend})
    for type_name in ("Reshape", "Squeeze", "Unsqueeze"):
        (step,) = steps(compiled, type_name)
        assert isinstance(step.fast_call, StaticView), type_name
    x = np.random.default_rng(0).standard_normal((2, 3, 4), dtype=np.float32)
    ours = list(compiled([x]).values())
    assert_outputs_match(ours, run_openvino(model, [x]), what=backend)
    # the results are the caller's own arrays: writing one changes neither the other nor x
    before = ours[0].copy()
    ours[1][...] = 0
    np.testing.assert_array_equal(ours[0], before)
    assert ours[1].flags.writeable and not np.shares_memory(ours[0], ours[1])


def test_static_view_runs_the_kernel_for_another_shape():
    calls = []

    def kernel(data, shape, *, special_zero=False):
        calls.append(data.shape)
        return reshape(data, shape, special_zero=special_zero)

    call = StaticView((2, 6), (3, 4)).bind(kernel, {"special_zero": False})
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    view = call(x, np.array([3, 4]))
    assert view.shape == (3, 4) and np.shares_memory(view, x) and not view.flags.writeable
    assert calls == []
    other = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(call(other, np.array([6, 2])), other.reshape(6, 2))
    assert calls == [(4, 3)]
    strided = np.arange(24, dtype=np.float32).reshape(2, 12)[:, ::2]  # (2, 6), no view of it
    copied = call(strided, np.array([3, 4]))
    np.testing.assert_array_equal(copied, strided.reshape(3, 4))
    assert not copied.flags.writeable


@pytest.mark.parametrize("shape, order", [
    ((2, 1, 1, 5), (0, 3, 1, 2)), ((2, 5, 1, 1), (0, 2, 3, 1)), ((1, 4, 4, 1), (0, 3, 1, 2)),
    ((1, 4, 3, 2), (0, 3, 1, 2)), ((3, 1, 2, 1), (0, 3, 1, 2)), ((1, 1, 1, 1), (0, 2, 3, 1)),
    ((2, 3, 1, 1), (0, 3, 1, 2)), ((1, 2, 1, 3), (0, 2, 3, 1)),
    ((1, 4, 1, 4), (0, 3, 1, 2)), ((1, 3, 3, 1), (0, 2, 3, 1)),  # equal sizes, axes swapped
])
def test_keeps_memory_order_is_what_numpy_copies(shape, order):
    x = np.arange(np.prod(shape)).reshape(shape)
    same = np.array_equal(np.ascontiguousarray(x.transpose(order)).ravel(), x.ravel())
    assert _keeps_memory_order(list(shape), order) == same


def pooled_model(rng, size=5, channels=24):
    x = ops.parameter([2, channels, size, size], np.float32, name="x")
    weights = rng.standard_normal((channels, channels, 1, 1), dtype=np.float32) * 0.2
    y = ops.relu(ops.convolution(x, weights, [1, 1], [0, 0], [0, 0], [1, 1]))
    y = ops.relu(ops.convolution(y, weights, [1, 1], [0, 0], [0, 0], [1, 1]))
    pooled = ops.adaptive_avg_pool(y, np.array([1, 1], np.int64))
    flat = ops.reshape(pooled, np.array([2, -1], np.int64), False)
    return ov.Model([flat, pooled], [x], "pooled")


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_pooling_and_its_conversion_after_a_region(rng, backend, monkeypatch):
    from ov_notebook.runtime.kernels import pooling

    if backend == "onednn":  # its static call runs: the numpy kernel is never reached
        monkeypatch.setattr(pooling, "global_mean_nhwc", None)
    model = pooled_model(rng)
    compiled = ov.compile_model(model, "CPU", {"KERNEL_BACKEND": backend})
    (pool,) = steps(compiled, "AdaptiveAvgPoolNHWC")
    conversions = steps(compiled, "ToChannelsFirst")
    assert conversions and all(isinstance(s.fast_call, StaticView) for s in conversions)
    if backend == "onednn":
        assert pool.node.rt_info["kernel_backend"] == "onednn"
        assert pool.fast_call is not None
    else:
        assert pool.fast_call is None
    x = rng.standard_normal((2, 24, 5, 5), dtype=np.float32)
    for _ in range(2):  # the second run reuses what the first allocated
        assert_outputs_match(list(compiled([x]).values()), run_openvino(model, [x]),
                             what=backend)
