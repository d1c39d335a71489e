"""torch.fft and complex-tensor translators (DFT/IDFT/RDFT/IRDFT in OpenVINO's trailing-2
complex layout): compared with torch on both routes, with real OpenVINO reading the IR, with
dynamic dimensions, and the errors for what cannot convert."""
import numpy as np
import pytest
import torch

import ov_notebook as ov
from layer_harness import Lambda, cases, check_layer, check_openvino_agrees, convert, randn
from oracle import assert_outputs_match, run_openvino, run_ours
from ov_notebook.frontend.errors import ConversionError

real = torch.view_as_real
# the core-ATen route lowers a complex transform of a real tensor to a cast to complex64 and
# irfft with n to a slice of a complex tensor: translators outside fft.py see those (not converted)
BOTH = ("export", "trace")

FFTS = {
    "fft": (lambda: Lambda(lambda x: real(torch.fft.fft(x))), lambda: (randn(2, 6),)),
    "fft_n_dim_ortho": (lambda: Lambda(lambda x: real(torch.fft.fft(x, n=8, dim=0, norm="ortho"))),
                        lambda: (randn(5, 3),)),
    "ifft_forward": (lambda: Lambda(lambda x: torch.fft.ifft(torch.fft.fft(x), norm="forward").imag),
                     lambda: (randn(3, 7),)),
    "rfft_ortho": (lambda: Lambda(lambda x: real(torch.fft.rfft(x, norm="ortho"))),
                   lambda: (randn(2, 3, 9),)),
    "rfft_n_trim": (lambda: Lambda(lambda x: real(torch.fft.rfft(x, n=4, norm="forward"))),
                    lambda: (randn(2, 7),)),
    "irfft": (lambda: Lambda(lambda x: torch.fft.irfft(torch.fft.rfft(x))),
              lambda: (randn(2, 8),)),
    "irfft_n": (lambda: Lambda(lambda x: torch.fft.irfft(torch.fft.fft(x), n=6, norm="ortho")),
                lambda: (randn(2, 5),), BOTH),
    "fft2": (lambda: Lambda(lambda x: real(torch.fft.fft2(x))), lambda: (randn(2, 4, 5),), BOTH),
    "ifft2_s": (lambda: Lambda(lambda x: real(torch.fft.ifft2(torch.fft.fft2(x), s=(3, 6)))),
                lambda: (randn(4, 5),), BOTH),
    "rfft2_s": (lambda: Lambda(lambda x: real(torch.fft.rfft2(x, s=(3, 8)))),
                lambda: (randn(2, 4, 5),)),
    "irfft2": (lambda: Lambda(lambda x: torch.fft.irfft2(torch.fft.rfft2(x), norm="forward")),
               lambda: (randn(3, 4, 6),)),
    "fftn_real": (lambda: Lambda(lambda x: torch.fft.fftn(x).real), lambda: (randn(2, 3, 4),),
                  BOTH),
    "fftn_dim": (lambda: Lambda(lambda x: real(torch.fft.fftn(x, dim=(0, 2), norm="ortho"))),
                 lambda: (randn(3, 2, 4),), BOTH),
    "ifftn_s": (lambda: Lambda(lambda x: real(torch.fft.ifftn(torch.fft.fftn(x), s=(5,)))),
                lambda: (randn(2, 4),), BOTH),
    "rfftn": (lambda: Lambda(lambda x: real(torch.fft.rfftn(x, dim=(1, 2)))),
              lambda: (randn(2, 3, 6),)),
    "irfftn_s": (lambda: Lambda(lambda x: torch.fft.irfftn(torch.fft.rfftn(x), s=(2, 6),
                                                          norm="forward")),
                 lambda: (randn(2, 6),)),
    "complex": (lambda: Lambda(lambda x, y: real(torch.fft.fft(torch.complex(x, y), norm="ortho"))),
                lambda: (randn(2, 5), randn(2, 5, seed=1))),
    "complex_broadcast": (lambda: Lambda(lambda x, y: real(torch.complex(x, y))),
                          lambda: (randn(2, 1), randn(3, seed=1))),
    "view_as_complex": (lambda: Lambda(lambda x: real(torch.fft.ifft2(torch.view_as_complex(x)))),
                        lambda: (randn(2, 3, 4, 2),)),
    "real_imag": (lambda: Lambda(lambda x: (torch.fft.rfft(x).real, torch.fft.rfft(x).imag)),
                  lambda: (randn(3, 8),)),
    "real_of_real": (lambda: Lambda(lambda x: torch.real(x) * 2), lambda: (randn(3, 4),)),
    # torch.stft: the core-ATen route lowers it to unfold/fft graphs
    "stft_hann_center": (lambda: Lambda(lambda x, w: real(torch.stft(x, 16, 4, window=w,
                                                                     return_complex=True))),
                         lambda: (randn(2, 64), torch.hann_window(16)), BOTH),
    "stft_defaults_no_center": (lambda: Lambda(lambda x: real(torch.stft(
        x, 8, center=False, return_complex=True))), lambda: (randn(50),), BOTH),
    "stft_short_window_normalized": (lambda: Lambda(lambda x, w: real(torch.stft(
        x, 16, 5, win_length=10, window=w, normalized=True, center=False, return_complex=True))),
        lambda: (randn(3, 70), torch.hamming_window(10)), BOTH),
    "stft_real_output": (lambda: Lambda(lambda x, w: torch.stft(
        x, 12, 3, window=w, center=False, return_complex=False)),
        lambda: (randn(2, 40), torch.hann_window(12)), BOTH),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(FFTS))
def test_fft(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("name", ["fft_n_dim_ortho", "ifft_forward", "rfft_n_trim", "irfft_n",
                                  "ifft2_s", "irfftn_s", "complex_broadcast",
                                  "stft_hann_center", "stft_short_window_normalized"])
@pytest.mark.parametrize("route", BOTH)
def test_fft_openvino_agrees(name, route):
    make_module, make_inputs = FFTS[name][:2]
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-4, atol=1e-4)


DYNAMIC = {  # function, example input, other input (different last dimension)
    "rfft_forward": (lambda x: real(torch.fft.rfft(x, norm="forward")), (3, 8), (2, 12)),
    "irfft_ortho": (lambda x: torch.fft.irfft(torch.fft.rfft(x), norm="ortho"), (3, 8), (2, 10)),
    "fft2_ortho": (lambda x: real(torch.fft.fft2(x, norm="ortho")), (3, 8), (4, 6)),
}


def _dynamic(function, shape, route):
    module = Lambda(function).eval()
    example = (randn(*shape),)
    if route == "trace":  # converted without example_input: every dimension dynamic
        return ov.convert_model(torch.jit.trace(module, example, check_trace=False))
    half = torch.export.Dim("half", min=2, max=64)
    batch = torch.export.Dim("batch", min=1, max=16)
    program = torch.export.export(module, example, dynamic_shapes=(({0: batch, 1: 2 * half},),))
    return ov.convert_model(program)


@pytest.mark.parametrize("name", list(DYNAMIC))
@pytest.mark.parametrize("route", BOTH)
def test_fft_with_dynamic_dims(name, route):
    function, shape, other = DYNAMIC[name]
    model = _dynamic(function, shape, route)
    assert model.inputs[0].get_partial_shape().is_dynamic
    compiled = ov.compile_model(model)
    for size in (shape, other):
        x = randn(*size, seed=3)
        expected = function(x).numpy()
        got = compiled([x.numpy()])[0]
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    feeds = [randn(*other, seed=4).numpy()]
    assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=1e-4, atol=1e-4)


REFUSED = {  # what torch computes but the conversion refuses, with the reason
    "complex_output": (lambda x: torch.fft.fft(x), "not a tensor"),
    "complex_into_real_op": (lambda x: torch.fft.fft(x).abs(), "complex tensor"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_fft_refused_with_a_reason(name):
    function, reason = REFUSED[name]
    with pytest.raises(ConversionError, match=reason):
        convert(Lambda(function), (randn(2, 4),), "trace")
