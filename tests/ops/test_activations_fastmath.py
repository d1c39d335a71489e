"""Gelu (erf) and Erf on float32 run the rational approximation of kernels/_fastmath.py: against
real OpenVINO over the whole range (tails included), and a live input is never overwritten."""
import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset as ops

from .opcheck import compare_with_openvino

F32 = np.float32


def _values():
    wide = np.linspace(-12, 12, 4801, dtype=F32)
    return np.concatenate([wide, np.random.default_rng(0).standard_normal(2999).astype(F32)])


@pytest.mark.parametrize("build", [lambda x: ops.gelu(x), lambda x: ops.gelu(x, "erf"),
                                   lambda x: ops.erf(x)], ids=["gelu", "gelu-erf", "erf"])
def test_matches_openvino_over_the_whole_range(build):
    compare_with_openvino(build, [_values().reshape(2, -1)], rtol=1e-5, atol=2e-6)


def test_gelu_leaves_an_input_it_shares_alone():
    x = ops.parameter([3, 5], F32, name="x")
    model = ov.Model([ops.add(ops.gelu(x), x)], [x])  # x is read again after the Gelu
    value = np.random.default_rng(1).standard_normal((3, 5)).astype(F32)
    copy = value.copy()
    result = ov.compile_model(model)(value)[0]
    np.testing.assert_array_equal(value, copy)
    from scipy.special import erf

    expected = value * 0.5 * (1 + erf(value / np.sqrt(2))) + value
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=2e-6)
