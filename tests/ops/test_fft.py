"""DFT-7, IDFT-7, RDFT-9, IRDFT-9 against real OpenVINO: values, shape inference, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import assert_outputs_match, run_openvino, run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference, compare_with_openvino

BUILDERS = {"dft": True, "idft": True, "rdft": False, "irdft": True}  # name -> complex input


@st.composite
def fourier_cases(draw):
    rank = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank))
    axes = draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
    axes = [a - rank if draw(st.booleans()) else a for a in axes]
    sizes = draw(st.none() | st.lists(st.sampled_from([-1, 1, 2, 3, 5, 8]), min_size=len(axes),
                                      max_size=len(axes)))
    return shape, axes, sizes


def _padded_for_openvino(name, data, axes, sizes):
    """``data`` zero-padded or trimmed to ``sizes`` on ``axes`` and the sizes with -1 spelled out:
    OpenVINO's CPU plugin refuses (RDFT) or miscomputes (DFT, IRDFT) signal sizes other than the
    input's and crashes on IRDFT's -1, so it gets the resizing done beforehand (same math)."""
    rank = data.ndim - (1 if BUILDERS[name] else 0)
    targets, explicit = list(data.shape), []
    for index, axis in enumerate(a + rank if a < 0 else a for a in axes):
        size, length = sizes[index], data.shape[axis]
        if name == "irdft" and index == len(axes) - 1:  # a half spectrum: s // 2 + 1 inputs
            size = 2 * (length - 1) if size == -1 else size
            targets[axis] = size // 2 + 1
        else:
            size = targets[axis] = length if size == -1 else size
        explicit.append(size)
    trimmed = data[tuple(slice(0, target) for target in targets)]
    return np.pad(trimmed, [(0, t - n) for t, n in zip(targets, trimmed.shape)]), explicit


@settings(max_examples=60, deadline=None)
@given(case=fourier_cases(), name=st.sampled_from(sorted(BUILDERS)),
       index_type=st.sampled_from([np.int32, np.int64]))
def test_fourier_transforms_match_openvino(case, name, index_type):
    shape, axes, sizes = case
    if name == "irdft":  # the last axis of a half spectrum needs 2 or more elements unless sized
        shape[axes[-1]] = max(shape[axes[-1]], 2)
    data_shape = shape + [2] if BUILDERS[name] else shape
    data = np.random.default_rng(len(shape) + sum(shape)).standard_normal(data_shape)
    data = data.astype(np.float32)
    build = getattr(ops, name)
    axes_node = np.array(axes, index_type)
    if sizes is None and name != "irdft":
        compare_with_openvino(lambda x: build(x, axes_node), [data], rtol=1e-4, atol=1e-4)
        return
    padded, explicit = _padded_for_openvino(name, data, axes, sizes or [-1] * len(axes))
    ours = _run(run_ours, build, data, axes_node, sizes and np.array(sizes, index_type))
    theirs = _run(run_openvino, build, padded, axes_node, np.array(explicit, index_type))
    assert_outputs_match(ours, theirs, rtol=1e-4, atol=1e-4)


def _run(runner, build, data, axes, sizes):
    param = ops.parameter(list(data.shape), data.dtype)
    node = build(param, axes) if sizes is None else build(param, axes, sizes)
    return runner(ov.Model(node.outputs(), [param]), [data])


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_fourier_transforms_in_f16_match_openvino(name):
    shape = [3, 8, 2] if BUILDERS[name] else [3, 8]
    data = np.random.default_rng(1).standard_normal(shape).astype(np.float16)
    compare_with_openvino(lambda x: getattr(ops, name)(x, [1]), [data], rtol=2e-2, atol=2e-2)


def _constant(values):
    return np.array(values, np.int64)


@pytest.mark.parametrize("name, shape, axes, sizes", [
    ("dft", "[2,5,2]", [1], [8]),
    ("dft", "[2,?,3..6,2]", [1, 2], None),
    ("dft", "[2,?,3..6,2]", "dynamic", None),
    ("dft", "[2,?,3..6,2]", "dynamic", "dynamic"),
    ("dft", "[2,?,3..6,2]", [-2], "dynamic"),
    ("idft", "[2,?,3..6,2]", [-2], [-1]),
    ("idft", "...", [1], None),
    ("rdft", "[2,?,3..6]", [1, 2], None),
    ("rdft", "[2,?,3..6]", [2, 1], None),
    ("rdft", "[2,?,3..6]", "dynamic", None),
    ("rdft", "[2,7,5]", [-1], [9]),
    ("rdft", "[2,?,?]", [1, 2], "dynamic"),
    ("rdft", "[2,5]", [-2], None),
    ("irdft", "[2,?,3..6,2]", [1, 2], None),
    ("irdft", "[2,7,4,2]", [2], [-1]),
    ("irdft", "[2,7,4,2]", [1], [5]),
    ("irdft", "[2,?,3..6,2]", "dynamic", None),
    ("irdft", "[2,?,?,2]", [1, 2], "dynamic"),
    ("irdft", "...", [0], None),
])
def test_fourier_shape_inference_matches_openvino(name, shape, axes, sizes):
    count = 2 if axes == "dynamic" else len(axes)
    inputs = [(shape, np.float32)] + [(f"[{count}]", np.int64)] * (
        (axes == "dynamic") + (sizes == "dynamic"))

    def build(opset, data, *dynamic):
        dynamic = list(dynamic)
        axes_node = dynamic.pop(0) if axes == "dynamic" else opset.constant(_constant(axes))
        if sizes is None:
            return getattr(opset, name)(data, axes_node)
        sizes_node = dynamic.pop(0) if sizes == "dynamic" else opset.constant(_constant(sizes))
        return getattr(opset, name)(data, axes_node, sizes_node)
    assert_same_inference(build, *inputs)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_fourier_ir_round_trips_with_openvino(name):
    shape = "[2,6,2]" if BUILDERS[name] else "[2,6]"
    assert_round_trip(lambda opset, x: getattr(opset, name)(
        x, opset.constant(_constant([1])), opset.constant(_constant([4]))), (shape, np.float32))


@pytest.mark.parametrize("build, match", [
    (lambda: ops.dft(ops.parameter([2, 5, 2], np.float32), _constant([1, 1])), "unique"),
    (lambda: ops.dft(ops.parameter([2, 5, 3], np.float32), _constant([1])), "must be 2"),
    (lambda: ops.dft(ops.parameter([2, 5, 2], np.float32), _constant([2])), "out of the range"),
    (lambda: ops.rdft(ops.parameter([2, 5], np.float32), _constant([-3])), "out of the range"),
    (lambda: ops.dft(ops.parameter([2, 5, 2], np.float32), _constant([0]), _constant([1, 2])),
     "same length"),
    (lambda: ops.dft(ops.parameter([2, 5, 2], np.int32), _constant([0])), "f32, f16 or bf16"),
    (lambda: ops.idft(ops.parameter([2, 5, 2], np.float32), np.array([0.5], np.float32)),
     "integer"),
])
def test_fourier_rejects_bad_input(build, match):
    assert_rejected(build, match)


@settings(max_examples=40, deadline=None)
@given(batched=st.booleans(), length=st.integers(4, 40), frame_size=st.integers(1, 16),
       window=st.integers(1, 16), step=st.integers(1, 6), transpose=st.booleans(),
       index_type=st.sampled_from([np.int32, np.int64]), seed=st.integers(0, 1000))
def test_stft_matches_openvino(batched, length, frame_size, window, step, transpose, index_type,
                               seed):
    frame_size, window = min(frame_size, length), min(window, frame_size, length)
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(((2,) if batched else ()) + (length,)).astype(np.float32)
    weights = rng.uniform(0, 1, window).astype(np.float32)
    compare_with_openvino(lambda s, w: ops.stft(s, w, np.asarray(frame_size, index_type),
                                                np.asarray(step, index_type), transpose),
                          [signal, weights], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("signal, window, frame_size, step, transpose", [
    ("[48]", "[16]", 16, 4, False), ("[?,?]", "[?]", 16, 4, True), ("[2,48]", "[10]", 16, 4, False),
    ("[2,10..48]", "[16]", 16, 4, False), ("...", "[16]", 16, 4, False),
    ("[2,48]", "[16]", "dynamic", 4, False), ("[2,48]", "[16]", 16, "dynamic", True),
])
def test_stft_shape_inference_matches_openvino(signal, window, frame_size, step, transpose):
    def build(opset, s, w, *dynamic):
        dynamic = list(dynamic)
        size = dynamic.pop(0) if frame_size == "dynamic" else opset.constant(np.int64(frame_size))
        stride = dynamic.pop(0) if step == "dynamic" else opset.constant(np.int64(step))
        return opset.stft(s, w, size, stride, transpose)
    extra = [("[]", np.int64)] * ((frame_size == "dynamic") + (step == "dynamic"))
    assert_same_inference(build, (signal, np.float32), (window, np.float32), *extra)


def test_stft_round_trips_with_openvino():
    assert_round_trip(lambda opset, s, w: opset.stft(s, w, opset.constant(np.int64(16)),
                                                     opset.constant(np.int64(4)), True),
                      ("[2,48]", np.float32), ("[10]", np.float32))


def _stft(signal=(2, 48), window=(16,), frame_size=16, step=4):
    return lambda: ops.stft(ops.parameter(list(signal), np.float32),
                            ops.parameter(list(window), np.float32), np.int64(frame_size),
                            np.int64(step), False)


@pytest.mark.parametrize("build, match", [
    (_stft(window=(17,)), r"window's length \(17\) must be in \[1, 16\]"),
    (_stft(signal=(2, 10)), r"frame_size 16 must be in \[1, 10\]"),
    (_stft(signal=(2, 3, 48)), r"\[batch, signal_size\]"),
    (_stft(step=0), "frame_step must be positive"),
])
def test_stft_rejects_bad_input(build, match):
    assert_rejected(build, match)
