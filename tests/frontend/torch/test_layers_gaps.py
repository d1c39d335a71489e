"""Translator gaps closed: bitwise ops and shifts, boolean-mask indexing and writes, circular
padding, avg_pool divisor_override, grouped-query attention, masked multi-head attention,
view(dtype), antialiased interpolation, splits along dynamic dimensions, grouped convolutions with
computed weights, eye of run-time sizes, and GPT-2 with its default cache (torch.cat skipping the
empty cache tensors)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ov_notebook as ov
from ov_notebook.frontend.errors import ConversionError
from layer_harness import Lambda, cases, check_layer, check_openvino_agrees, convert, randint, randn
from oracle import assert_outputs_match, run_openvino, run_ours

pytestmark = [pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
              # softmax over rows with every key masked, before they are zeroed
              pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")]
BOTH = ("export", "trace")


def ints(*shape, seed=0, dtype=torch.int64):
    return randint(-50, 50, *shape, seed=seed, dtype=dtype)


# --- bitwise operations and shifts -------------------------------------------------------------
BITWISE = {
    "and_int": (lambda: Lambda(lambda x, y: x & y), lambda: (ints(2, 5), ints(5, seed=1))),
    "or_int32": (lambda: Lambda(torch.bitwise_or),
                 lambda: (ints(2, 5, dtype=torch.int32), ints(2, 5, seed=1, dtype=torch.int32))),
    "xor_uint8": (lambda: Lambda(lambda x, y: x ^ y),
                  lambda: (randint(0, 255, 6, dtype=torch.uint8),
                           randint(0, 255, 6, seed=1, dtype=torch.uint8))),
    "and_scalar": (lambda: Lambda(lambda x: x & 12), lambda: (ints(6),)),
    "or_mixed_dtypes": (lambda: Lambda(lambda x, y: x | y),
                        lambda: (ints(6, dtype=torch.int8), ints(6, seed=1, dtype=torch.int32))),
    "bool_and_int_scalar": (lambda: Lambda(lambda x: (x > 0) & 3), lambda: (ints(6),)),
    "bool_xor": (lambda: Lambda(lambda x, y: torch.bitwise_xor(x > 0, y > 0)),
                 lambda: (ints(6), ints(6, seed=1))),
    "not_int": (lambda: Lambda(lambda x: ~x), lambda: (ints(6),)),
    "not_uint8": (lambda: Lambda(torch.bitwise_not),
                  lambda: (randint(0, 255, 6, dtype=torch.uint8),)),
    "left_shift": (lambda: Lambda(lambda x, y: x << y),
                   lambda: (ints(6), randint(0, 8, 6, seed=1))),
    "right_shift_negative": (lambda: Lambda(lambda x, y: x >> y),
                             lambda: (ints(6), randint(0, 8, 6, seed=1))),
    "shift_scalar": (lambda: Lambda(lambda x: (x << 3) + (x >> 2)), lambda: (ints(6),)),
    # torch: amounts outside [0, bits) shift everything out (0, or the sign for >>)
    "shift_out_of_range": (lambda: Lambda(lambda x, y: torch.stack([x << y, x >> y])),
                           lambda: (ints(6, dtype=torch.int32),
                                    torch.tensor([-1, 31, 32, 40, -7, 3], dtype=torch.int32))),
    "shift_uint8": (lambda: Lambda(lambda x, y: torch.bitwise_right_shift(x, y) | (x << 9)),
                    lambda: (randint(0, 255, 6, dtype=torch.uint8),
                             randint(0, 10, 6, seed=1, dtype=torch.uint8))),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(BITWISE, BOTH))
def test_bitwise(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)




# --- boolean masks and indexed writes ----------------------------------------------------------
class _Write(torch.nn.Module):
    """``write(y, *inputs)`` on a copy of the first input (in-place index_put_ in the graph)."""

    def __init__(self, write):
        super().__init__()
        self.write = write

    def forward(self, x, *inputs):
        y = x.clone()
        self.write(y, *inputs)
        return y


def _put(y, i, v):
    y[i] = v


def x34():
    return (randn(3, 4),)


MASKS = {
    "mask_index": (lambda: Lambda(lambda x: x[x > 0]), x34),
    "mask_rows": (lambda: Lambda(lambda x: x[x[:, 0] > 0]), x34),
    "mask_columns": (lambda: Lambda(lambda x: x[:, x[0] > 0] * 2), x34),
    "mask_inner_axes": (lambda: Lambda(lambda x: x[:, x[0] > 0]), lambda: (randn(2, 3, 4, 2),)),
    "mask_and_index": (lambda: Lambda(lambda x, i: x[x[:, 0] > 0, i]),
                       lambda: (randn(4, 3), torch.tensor([2]))),
    "mask_write_scalar": (lambda: _Write(lambda y: y.__setitem__(y > 0, 0.5)), x34),
    "mask_write_row": (lambda: _Write(lambda y, v: _put(y, y[:, 0] > 0, v)),
                       lambda: (randn(3, 4), randn(4, seed=1))),
    "mask_write_selected": (lambda: _Write(lambda y: _put(y, y < 0, y[y < 0] * 3)), x34),
    "index_write": (lambda: _Write(lambda y, i, v: _put(y, i, v)),
                    lambda: (randn(5, 3), torch.tensor([4, 0, -2]), randn(3, 3, seed=1))),
    "index_write_columns": (lambda: _Write(lambda y, i: y.__setitem__((slice(None), i), -1.0)),
                            lambda: (randn(2, 5, 3), torch.tensor([1, 3]))),
    "index_write_pairs": (lambda: _Write(lambda y, i, j, v: _put(y, (slice(None), i, j), v)),
                          lambda: (randn(2, 4, 3), torch.tensor([0, 3]), torch.tensor([2, 1]),
                                   randn(2, seed=1))),
    "index_put_accumulate": (lambda: Lambda(lambda x, i, v: x.index_put((i,), v, accumulate=True)),
                             lambda: (randn(4, 2), torch.tensor([1, 3, 1]), randn(3, 2, seed=1))),
    "masked_scatter": (lambda: Lambda(lambda x, s: x.masked_scatter(x > 0, s)),
                       lambda: (randn(3, 4), randn(20, seed=1))),
    "masked_scatter_broadcast": (lambda: Lambda(lambda x, s: x.masked_scatter(x[0] > 0, s)),
                                 lambda: (randn(3, 4), randn(3, 4, seed=1))),
    "masked_select": (lambda: Lambda(lambda x: torch.masked_select(x, x > 0.2)), x34),
    "masked_select_broadcast": (lambda: Lambda(lambda x: x.masked_select(x[:, :1] > 0)), x34),
    "nonzero": (lambda: Lambda(lambda x: torch.nonzero(x > 0)), x34),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(MASKS, BOTH))
def test_masks(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("route", BOTH)
def test_mask_index_shape_is_dynamic(route):
    model = check_layer(Lambda(lambda x: x[x > 0].unsqueeze(1) * 2), x34(), route)
    shape = model.outputs[0].get_partial_shape()  # [0..12, 1]: at most every element selected
    assert shape[0].is_dynamic and shape[0].get_max_length() == 12 and shape[1] == 1
    compiled = ov.compile_model(model)
    for x in (torch.ones(3, 4), -torch.ones(3, 4)):  # all and none selected
        assert compiled([x.numpy()])[0].shape == ((x > 0).sum().item(), 1)



# --- circular padding and average pools --------------------------------------------------------
def image(*shape):
    return lambda: (randn(*shape),)


PADDING_AND_POOLS = {
    "pad_circular_2d": (lambda: Lambda(lambda x: F.pad(x, (1, 2, 2, 1), mode="circular")),
                        image(1, 2, 4, 5)),
    "pad_circular_crop": (lambda: Lambda(lambda x: F.pad(x, (-1, 2, 1, -1), mode="circular")),
                          image(1, 2, 4, 5)),
    "circular_pad1d": (lambda: torch.nn.CircularPad1d((2, 3)), image(2, 3, 5)),
    "circular_pad3d": (lambda: torch.nn.CircularPad3d(1), image(1, 1, 3, 3, 3)),
    "conv2d_circular": (lambda: torch.nn.Conv2d(2, 3, (3, 5), padding=(1, 2),
                                                padding_mode="circular"), image(1, 2, 5, 6)),
    "conv1d_circular_unbatched": (lambda: torch.nn.Conv1d(2, 3, 3, padding=1,
                                                          padding_mode="circular"), image(2, 7)),
    "avg_pool_divisor": (lambda: torch.nn.AvgPool2d(3, stride=2, padding=1, divisor_override=2),
                         image(1, 2, 5, 6)),
    "avg_pool_divisor_exclude_pad": (lambda: torch.nn.AvgPool2d(
        3, stride=2, padding=1, count_include_pad=False, divisor_override=5), image(1, 2, 5, 6)),
    "avg_pool_divisor_ceil": (lambda: torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                                         divisor_override=4), image(1, 2, 6, 7)),
    "avg_pool3d_divisor_ceil": (lambda: Lambda(lambda x: F.avg_pool3d(
        x, 2, ceil_mode=True, divisor_override=3)), image(1, 1, 3, 5, 4)),
    # the last window overhangs the padded input: torch divides by its part inside that
    "avg_pool1d_ceil_count_pad": (lambda: torch.nn.AvgPool1d(3, stride=2, padding=1,
                                                             ceil_mode=True), image(1, 2, 8)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(PADDING_AND_POOLS, BOTH))
def test_padding_and_pools(make_module, make_inputs, route):
    torch.manual_seed(0)
    check_layer(make_module(), make_inputs(), route)


def test_circular_padding_wrapping_twice_is_refused():
    module = Lambda(lambda x: F.pad(x, (0, 0, 3, -2), mode="circular"))  # 3 rows wrap around 2
    with pytest.raises(ConversionError, match="wraps around more than"):
        convert(module, image(1, 1, 4, 5)(), "export")


# --- attention ---------------------------------------------------------------------------------
def _qkv(heads, kv_heads, length=5):
    return (randn(2, heads, length, 8), randn(2, kv_heads, length, 8, seed=1),
            randn(2, kv_heads, length, 4, seed=2))


def _unattended_rows():
    mask = torch.ones(5, 5, dtype=torch.bool).tril()
    mask[:2] = False  # the first two queries may attend to nothing: torch gives 0, not NaN
    return mask


class _MaskedSelfAttention(torch.nn.Module):
    """nn.MultiheadAttention; traced without gradients it takes the
    aten::_native_multi_head_attention fast path, with its masks merged."""

    def __init__(self, need_weights, padding, causal):
        super().__init__()
        torch.manual_seed(0)
        self.attention = torch.nn.MultiheadAttention(8, 2, batch_first=True)
        self.need_weights, self.padding, self.causal = need_weights, padding, causal

    def forward(self, x, padding):
        causal = torch.ones(5, 5, dtype=torch.bool).triu(1) if self.causal else None
        padding = padding if self.padding else None
        result, weights = self.attention(x, x, x, key_padding_mask=padding, attn_mask=causal,
                                         need_weights=self.need_weights)
        return (result, weights) if self.need_weights else result


def _padding():
    return (randn(2, 5, 8), torch.tensor([[False] * 5, [False] * 3 + [True] * 2]))


ATTENTION = {
    "sdpa_gqa": (lambda: Lambda(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, enable_gqa=True)), lambda: _qkv(4, 2)),
    "sdpa_gqa_single_kv_head": (lambda: Lambda(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, is_causal=True, enable_gqa=True)), lambda: _qkv(6, 1)),
    "sdpa_unattended_rows_bool": (lambda: Lambda(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=_unattended_rows())), lambda: _qkv(2, 2)),
    "sdpa_unattended_rows_float": (lambda: Lambda(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=torch.zeros(5, 5).masked_fill(~_unattended_rows(), float("-inf")))),
        lambda: _qkv(2, 2)),
}
for _weights in (False, True):
    for _name, _padding_mask, _causal in (("padding", True, False), ("causal", False, True),
                                          ("padding_causal", True, True)):
        ATTENTION[f"mha_{_name}{'_weights' if _weights else ''}"] = (
            lambda w=_weights, p=_padding_mask, c=_causal: _MaskedSelfAttention(w, p, c),
            _padding, ("export", "trace_no_grad"))


@pytest.mark.parametrize("make_module, make_inputs, route", cases(ATTENTION, BOTH))
def test_attention(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)



# --- view(dtype) and antialiased interpolation -------------------------------------------------
def _interpolate(**options):
    return lambda: Lambda(lambda x: F.interpolate(x, antialias=True, **options))


VIEWS_AND_RESIZES = {
    "view_int8_as_uint8": (lambda: Lambda(lambda x: x.view(torch.uint8)),
                           lambda: (randint(-128, 128, 2, 5, dtype=torch.int8),), ("export",)),
    "view_uint8_as_int8": (lambda: Lambda(lambda x: x.view(torch.int8) * 2),
                           lambda: (randint(0, 256, 6, dtype=torch.uint8),), ("export",)),
    "view_int32_as_uint32": (lambda: Lambda(lambda x: x.view(torch.uint32)),
                             lambda: (randint(-2 ** 31, 2 ** 31, 6, dtype=torch.int32),),
                             ("export",)),
    "view_int64_as_uint64": (lambda: Lambda(lambda x: x.view(torch.uint64)),
                             lambda: (randint(-2 ** 62, 2 ** 62, 6),), ("export",)),
    "view_bool_as_uint8": (lambda: Lambda(lambda x: (x > 0).view(torch.uint8)),
                           lambda: (randn(6),), ("export",)),
    "view_same_dtype": (lambda: Lambda(lambda x: x.view(torch.float32) + 1), lambda: (randn(6),),
                        ("export",)),
    "bilinear_antialias_down": (_interpolate(size=(3, 5), mode="bilinear"), image(1, 2, 8, 9)),
    "bilinear_antialias_up": (_interpolate(size=(11, 13), mode="bilinear"), image(1, 2, 8, 9)),
    "bicubic_antialias_down": (_interpolate(size=(3, 4), mode="bicubic"), image(2, 2, 9, 11)),
    "bicubic_antialias_mixed": (_interpolate(size=(12, 4), mode="bicubic"), image(1, 3, 7, 11)),
    "bilinear_antialias_scale": (_interpolate(scale_factor=0.5, mode="bilinear"),
                                 image(1, 2, 8, 10)),
    "bicubic_antialias_recomputed_scale": (_interpolate(scale_factor=0.3, mode="bicubic",
                                                        recompute_scale_factor=True),
                                           image(1, 2, 8, 10)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(VIEWS_AND_RESIZES, BOTH))
def test_views_and_resizes(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


# torch.jit.trace cannot record view(dtype) (an internal assert in torch), so export only
REFUSED = {
    "view_float_bits": (lambda x: x.view(torch.int32), randn(4), "floating-point bits"),
    "view_other_size": (lambda x: x.view(torch.float16), randn(4), "another size"),
    "antialias_fractional_scale": (lambda x: F.interpolate(x, scale_factor=0.3, mode="bilinear",
                                                           antialias=True),
                                   randn(1, 2, 8, 10), "recompute_scale_factor"),
    "antialias_align_corners": (lambda x: F.interpolate(x, size=(3, 3), mode="bilinear",
                                                        antialias=True, align_corners=True),
                                randn(1, 2, 8, 10), "align_corners"),
    "antialias_uint8": (lambda x: F.interpolate(x, size=(3, 3), mode="bilinear", antialias=True),
                        randint(0, 256, 1, 2, 8, 8, dtype=torch.uint8), "fixed-point"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_a_reason(name):
    function, x, reason = REFUSED[name]
    with pytest.raises(ConversionError, match=reason):
        convert(Lambda(function), (x,), "export")


# --- sizes only run time knows: splits, grouped convolutions, eye -------------------------------
def _dynamic(module, inputs, route):
    """``module`` converted with every input dimension dynamic: torch.export with the first
    input's last dimension an (even) Dim, or torch.jit.trace converted without example_input."""
    if route == "trace":
        return ov.convert_model(torch.jit.trace(module, inputs, check_trace=False))
    half = torch.export.Dim("half", min=2, max=64)
    dims = tuple({inputs[0].dim() - 1: 2 * half} if i == 0 else None for i in range(len(inputs)))
    return ov.convert_model(torch.export.export(module, inputs, dynamic_shapes=(dims,)))


def _check_dynamic(module, inputs, route, other_inputs, openvino=True):
    """Converted once, right for the example and for inputs of other sizes."""
    model = _dynamic(module, inputs, route)
    assert any(port.get_partial_shape().is_dynamic for port in model.inputs)
    compiled = ov.compile_model(model)
    for feed in (inputs, other_inputs):
        with torch.no_grad():
            expected = module(*feed)
        expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
        results = compiled([t.numpy() for t in feed])
        assert len(results) == len(expected)
        for got, want in zip(results.values(), expected):
            assert got.shape == tuple(want.shape) and got.dtype == want.numpy().dtype
            np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-4)
    if openvino:  # real OpenVINO reads the dynamic IR alike
        feeds = [t.numpy() for t in other_inputs]
        assert_outputs_match(run_ours(model, feeds), run_openvino(model, feeds), rtol=1e-4,
                             atol=1e-4)


DYNAMIC = {  # function, example input shapes, other input shapes
    "chunk": (lambda x: [t * 2 for t in x.chunk(2, 1)], [(3, 8)], [(3, 12)]),
    "chunk_uneven": (lambda x: x.chunk(3, -1), [(3, 8)], [(3, 10)]),
    "split_piece": (lambda x: x.split(4, 1)[1] + 1, [(3, 8)], [(3, 6)]),
    "split_computed_sizes": (lambda x: x.split([x.shape[1] // 4, 3 * x.shape[1] // 4], 1),
                             [(3, 8)], [(3, 12)]),
    "chunk_getitem": (lambda x: x.chunk(2, 1)[1], [(3, 8)], [(3, 6)]),
    "grouped_conv_weight_input": (lambda w, x: F.conv2d(x, w * 2, groups=2, padding=1),
                                  [(6, 2, 3, 4), (1, 4, 5, 5)], [(6, 2, 3, 6), (1, 4, 5, 5)]),
    "eye": (lambda x: x @ torch.eye(x.shape[1]) + torch.eye(x.shape[0], x.shape[1]), [(3, 4)],
            [(3, 6)]),
    "eye_bool": (lambda x: torch.eye(x.shape[1], dtype=torch.bool) | (x[:1] > 0), [(1, 4)],
                 [(1, 6)]),
}
# OpenVINO's CPU plugin has no GroupConvolution whose weights have a dynamic shape
OPENVINO_CANNOT_RUN = {"grouped_conv_weight_input"}
# unbind: torch.export specializes a dimension unbound along, so TorchScript only
DYNAMIC_TRACE_ONLY = {"unbind": (lambda x: [t + 1 for t in x.unbind(1)], [(3, 4)], [(2, 4)])}


@pytest.mark.parametrize("name, route", [(n, r) for n in DYNAMIC for r in BOTH] +
                         [(n, "trace") for n in DYNAMIC_TRACE_ONLY])
def test_run_time_sizes(name, route):
    function, example, other = {**DYNAMIC, **DYNAMIC_TRACE_ONLY}[name]
    inputs = [tuple(randn(*shape, seed=seed + i) for i, shape in enumerate(shapes))
              for seed, shapes in ((0, example), (5, other))]
    _check_dynamic(Lambda(function), inputs[0], route, inputs[1],
                   openvino=name not in OPENVINO_CANNOT_RUN)


# --- GPT-2 with its default cache ------------------------------------------------------------
@pytest.fixture
def dynamic_cache_pytree():
    """transformers' DynamicCache as a pytree, which torch.export needs to return it; undone
    afterwards so other tests see the process as they expect."""
    transformers = pytest.importorskip("transformers")
    from torch.fx import _pytree as fx_pytree
    from torch.utils import _pytree
    from transformers.integrations.executorch import register_dynamic_cache_export_support

    cache_type = transformers.DynamicCache
    registered = cache_type in _pytree.SUPPORTED_NODES
    register_dynamic_cache_export_support()
    yield
    if not registered:
        _pytree._deregister_pytree_node(cache_type)
        fx_pytree._deregister_pytree_flatten_spec(cache_type)


def _gpt2():
    import transformers

    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=1000, n_embd=64, n_layer=2, n_head=4,
                                     n_positions=64, bos_token_id=0, eos_token_id=0)
    model = transformers.GPT2LMHeadModel(config).eval()  # use_cache=True: the default
    ids = torch.randint(0, 1000, (1, 7), generator=torch.Generator().manual_seed(0))
    mask = torch.ones(1, 7, dtype=torch.int64)
    mask[0, :2] = 0  # left padding, as batched generation has
    return model, {"input_ids": ids, "attention_mask": mask}


@pytest.mark.parametrize("source", ["exported_program", "module"])
def test_gpt2_default_cache(source, dynamic_cache_pytree):
    model, inputs = _gpt2()
    with torch.no_grad():
        reference = model(**inputs)
    if source == "module":
        converted = ov.convert_model(model, example_input=inputs)
    else:
        converted = ov.convert_model(torch.export.export(model, (), kwargs=inputs))
    assert converted.rt_info["ov_notebook"]["route"] == "export"
    # the cache flattens as torch.export's pytree of it does: every key, then every value
    layers = reference.past_key_values.layers
    expected = [reference.logits] + [layer.keys for layer in layers] + \
        [layer.values for layer in layers]
    assert [port.get_any_name() for port in converted.outputs] == \
        ["logits"] + [f"cache.{i}.{kind}" for kind in ("key", "value") for i in range(2)]
    results = ov.compile_model(converted)({k: v.numpy() for k, v in inputs.items()})
    for got, want in zip(results.values(), expected):
        want = want.numpy()
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


# --- real OpenVINO reads the IR of the new translator choices -----------------------------------
AGREEMENT = [
    (BITWISE, ["and_int", "xor_uint8", "not_int", "shift_out_of_range", "shift_uint8"]),
    (MASKS, ["mask_index", "mask_and_index", "mask_write_row", "mask_write_selected",
             "index_write_pairs", "index_put_accumulate", "masked_scatter", "masked_select",
             "nonzero"]),
    (PADDING_AND_POOLS, ["pad_circular_crop", "conv2d_circular", "avg_pool_divisor_ceil",
                         "avg_pool1d_ceil_count_pad"]),
    (ATTENTION, ["sdpa_gqa", "sdpa_unattended_rows_bool", "mha_padding_causal_weights",
                 "mha_padding"]),
    (VIEWS_AND_RESIZES, ["view_int8_as_uint8", "bilinear_antialias_down",
                         "bicubic_antialias_mixed"]),
]


def _agreement_params():
    for table, names in AGREEMENT:
        for name in names:
            make_module, make_inputs, *routes = table[name]
            for route in (routes[0] if routes else BOTH):
                yield pytest.param(make_module, make_inputs, route, id=f"{name}-{route}")


@pytest.mark.parametrize("make_module, make_inputs, route", list(_agreement_params()))
def test_openvino_agrees(make_module, make_inputs, route):
    torch.manual_seed(0)
    inputs = make_inputs()
    check_openvino_agrees(make_module().eval(), inputs, route, rtol=1e-4, atol=1e-4)
