"""``out=`` arguments (every ``.out`` overload): the op's value is what it computed, cast to the
out tensor's dtype as torch copies it there, and later readers of the out tensor see that value
with the shape torch resizes the out tensor to. One generic rule in the converter serves all ops;
these cases cover single and multiple out tensors, casts, resizes and every route."""
import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import Lambda
from oracle import assert_outputs_match, run_openvino, run_ours

pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
              pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")]


def cumsum_then_read(x, y):
    torch.cumsum(x, 0, out=y)
    return y * 2


def cumsum_returned(x, y):
    return torch.cumsum(x, 1, out=y) + 1


def flip_out(x, y):
    torch.ops.aten.flip.out(x, [1], out=y)
    return y


def round_out(x, y):
    return torch.round(x * 3, out=y) - y  # the returned tensor is y: zero


def cat_out(x, y):
    torch.cat([x, x * 2], 0, out=y)
    return y


def index_select_out(x, y, index):
    torch.index_select(x, 1, index, out=y)
    return y + 1


def masked_scatter_out(x, y):
    torch.ops.aten.masked_scatter.out(x, x > 0, x * 10, out=y)
    return y


def vector_norm_out(x, y):
    torch.linalg.vector_norm(x, 3.0, [1], out=y)
    return y - 1


def add_alpha_out(x, y):
    torch.add(x, x, alpha=3, out=y)
    return y


def max_dim_two_outs(x, values, indices):
    torch.max(x, 1, keepdim=True, out=(values, indices))
    return values, indices * 2


def sort_two_outs(x, values, indices):
    torch.sort(x, 0, True, out=(values, indices))
    return indices, values


def floats(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# name: (function, inputs factory, whether the out tensors keep their shape)
CASES = {
    "cumsum_then_read": (cumsum_then_read, lambda: (floats(3, 4), torch.zeros(3, 4)), True),
    "cumsum_returned": (cumsum_returned, lambda: (floats(3, 4), torch.zeros(3, 4)), True),
    "cumsum_resized": (cumsum_then_read, lambda: (floats(3, 4), torch.zeros(7)), False),
    "cumsum_int_into_float": (cumsum_then_read,
                              lambda: (torch.arange(12).reshape(3, 4), torch.zeros(3, 4)), True),
    "flip": (flip_out, lambda: (floats(3, 4), torch.zeros(3, 4)), True),
    "round": (round_out, lambda: (floats(3, 4), torch.zeros(3, 4)), True),
    "cat_resized": (cat_out, lambda: (floats(3, 4), torch.zeros(2)), False),
    "index_select_resized": (index_select_out,
                             lambda: (floats(3, 4), torch.zeros(3, 4), torch.tensor([3, 0, 3])),
                             False),
    "masked_scatter": (masked_scatter_out, lambda: (floats(3, 4), torch.zeros(3, 4)), True),
    "vector_norm_resized": (vector_norm_out, lambda: (floats(3, 4), torch.zeros(1, 1)), False),
    "add_int_into_float": (add_alpha_out, lambda: (torch.arange(6), torch.zeros(6)), True),
    "add_int_into_int32": (add_alpha_out,
                           lambda: (torch.arange(6), torch.zeros(6, dtype=torch.int32)), True),
    "max_dim_two_outs": (max_dim_two_outs, lambda: (floats(3, 5), torch.zeros(3, 1),
                                                   torch.zeros(3, 1, dtype=torch.int64)), True),
    "sort_two_outs_resized": (sort_two_outs, lambda: (floats(4, 3), torch.zeros(1),
                                                      torch.zeros(1, dtype=torch.int64)), False),
}
ROUTES = ("script", "trace", "export", "module")
# torch.jit.script compiles neither torch.ops.aten.<op>.out calls nor a tuple given as out=
UNSCRIPTABLE = {flip_out, masked_scatter_out, max_dim_two_outs, sort_two_outs}


def _params():
    for name, (function, make_inputs, same_shape) in CASES.items():
        for route in ROUTES:
            if route == "export" and not same_shape:  # torch.export cannot resize an input
                continue
            if route == "script" and function in UNSCRIPTABLE:
                continue
            yield pytest.param(function, make_inputs, route, id=f"{name}-{route}")


def _convert(function, make_inputs, route):
    if route == "script":
        return ov.convert_model(torch.jit.script(function), example_input=make_inputs())
    if route == "trace":
        traced = torch.jit.trace(Lambda(function), make_inputs(), check_trace=False)
        return ov.convert_model(traced, example_input=make_inputs())
    if route == "export":
        return ov.convert_model(torch.export.export(Lambda(function), make_inputs()))
    return ov.convert_model(Lambda(function), example_input=make_inputs())  # export or trace


@pytest.mark.parametrize("function, make_inputs, route", list(_params()))
def test_out_argument(function, make_inputs, route):
    expected = function(*make_inputs())
    expected = [t.numpy() for t in (expected if isinstance(expected, tuple) else (expected,))]
    model = _convert(function, make_inputs, route)
    feeds = [t.numpy() for t in make_inputs()]
    ours = run_ours(model, feeds)
    assert len(ours) == len(expected)
    for index, (got, reference) in enumerate(zip(ours, expected)):
        assert got.dtype == reference.dtype and got.shape == reference.shape, \
            f"output {index}: {got.dtype}{list(got.shape)}, torch {reference.dtype}" \
            f"{list(reference.shape)}"
        np.testing.assert_allclose(got, reference, atol=1e-4, rtol=1e-4)
    assert_outputs_match(ours, run_openvino(model, feeds), rtol=1e-4, atol=1e-4)


def test_convert_model_reads_input_shapes_before_tracing_resizes_them():
    """Tracing runs forward, and ``out=`` resizes the example's tensor: the model input keeps the
    shape the user gave."""
    x, y = floats(3, 4), torch.zeros(2)
    model = ov.convert_model(torch.jit.script(cat_out), example_input=(x, y))
    assert [list(p.get_partial_shape().to_shape()) for p in model.inputs] == [[3, 4], [2]]
    model = ov.convert_model(Lambda(cat_out), example_input=(floats(3, 4), torch.zeros(2)))
    assert [list(p.get_partial_shape().to_shape()) for p in model.inputs] == [[3, 4], [2]]
