"""MatMul-1 and Einsum-7 against real OpenVINO: outputs, shape inference, rejected inputs and IR
round trips."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ov_notebook as ov
from ov_notebook import opset as ops
from oracle import assert_outputs_match, run_openvino, run_ours

from .opcheck import assert_rejected, assert_round_trip, assert_same_inference


def compare(build, inputs, rtol=1e-5):
    """Ours vs OpenVINO, the absolute tolerance scaled to the output (sums of many products)."""
    params = [ops.parameter(list(a.shape), a.dtype, name=f"input{i}") for i, a in enumerate(inputs)]
    model = ov.Model(build(*params).outputs(), params)
    ours, theirs = run_ours(model, inputs), run_openvino(model, inputs)
    scale = max(float(np.abs(t).max()) if t.size else 0.0 for t in theirs)
    assert_outputs_match(ours, theirs, rtol=rtol, atol=rtol * max(scale, 1.0))
    return ours


def _array(rng, shape, dtype):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@st.composite
def matmul_shapes(draw):
    """Shapes of a and b (1-D to 4-D, batch axes broadcasting through 1s) and the transposes."""
    m, k, n = draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 5))
    batch = draw(st.lists(st.integers(1, 3), max_size=2))
    rank_a, rank_b = draw(st.integers(1, 2 + len(batch))), draw(st.integers(1, 2 + len(batch)))

    def batch_of(rank):
        dims = batch[len(batch) - (rank - 2):] if rank > 2 else []
        return [d if draw(st.booleans()) else 1 for d in dims]

    transpose_a, transpose_b = draw(st.booleans()), draw(st.booleans())
    a = [k] if rank_a == 1 else batch_of(rank_a) + ([k, m] if transpose_a else [m, k])
    b = [k] if rank_b == 1 else batch_of(rank_b) + ([n, k] if transpose_b else [k, n])
    return a, b, transpose_a, transpose_b


@settings(max_examples=60, deadline=None)
@given(case=matmul_shapes(), dtype=st.sampled_from([np.float32, np.float32, np.int32]))
def test_matmul_matches_openvino(case, dtype):
    shape_a, shape_b, transpose_a, transpose_b = case
    rng = np.random.default_rng(len(shape_a) * 10 + len(shape_b))
    inputs = [_array(rng, shape_a, dtype), _array(rng, shape_b, dtype)]
    compare(lambda a, b: ops.matmul(a, b, transpose_a, transpose_b), inputs)


def test_matmul_with_constant_weights_and_f16():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    weights = rng.standard_normal((6, 8)).astype(np.float32)
    compare(lambda a: ops.matmul(a, weights, False, True), [x])  # a Linear layer
    half = [rng.standard_normal(shape).astype(np.float16) for shape in ((3, 4, 5), (5, 2))]
    compare(lambda a, b: ops.matmul(a, b, False, False), half, rtol=2e-3)


# --- Einsum -------------------------------------------------------------------------------------
EQUATIONS = [  # what torch.einsum / transformers produce, plus the spec's corner cases
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("bhqk,bhkd->bhqd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("ij->ji", [(3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ij->", [(3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("b...d,bkd->b...k", [(2, 3, 4, 5), (2, 6, 5)]),
    ("a...,a...->...", [(3, 2, 1), (3, 1, 4)]),
    ("...,...->...", [(2, 3), (3,)]),
    ("iij,jk->ik", [(3, 3, 4), (4, 2)]),
    ("abca->bc", [(3, 2, 4, 3)]),
    ("bid,bjd->bij", [(1, 7, 8), (1, 9, 8)]),
    ("Ab,bC->AC", [(3, 4), (4, 2)]),
]


@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_matches_openvino(equation, shapes):
    rng = np.random.default_rng(2)
    compare(lambda *p: ops.einsum(list(p), equation), [_array(rng, s, np.float32) for s in shapes])


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=4, max_size=4),
       pattern=st.sampled_from(["bhqd,bhkd->bhqk", "bqhd,bkhd->bhqk", "bhqk,bkhd->bqhd",
                                "...d,de->...e", "abcd->dbca", "ab,cd->abcd"]),
       dtype=st.sampled_from([np.float32, np.int32]))
def test_einsum_random_sizes_match_openvino(sizes, pattern, dtype):
    size = dict(zip("abcdehkq", sizes * 2))
    rng = np.random.default_rng(3)
    subscripts = pattern.split("->")[0].split(",")
    shapes = [[2] + [size[c] for c in s[3:]] if s.startswith("...") else [size[c] for c in s]
              for s in subscripts]
    compare(lambda *p: ops.einsum(list(p), pattern), [_array(rng, s, dtype) for s in shapes])


@pytest.mark.parametrize("equation, shape", [("ii", (4, 4)), ("iji", (3, 2, 3))])
def test_einsum_traces_openvino_cannot_compile(equation, shape):
    # OpenVINO 2026's EinsumDecomposition throws on a full trace; numpy is the reference here
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    param = ops.parameter(list(shape), np.float32)
    result = run_ours(ov.Model([ops.einsum([param], equation)], [param]), [x])[0]
    np.testing.assert_allclose(result, np.einsum(equation, x), rtol=1e-5)
    assert result.shape == np.einsum(equation, x).shape and result.dtype == np.float32


def test_einsum_never_returns_its_input():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    param = ops.parameter([2, 3], np.float32)
    result = run_ours(ov.Model([ops.einsum([param], "ij->ij")], [param]), [x])[0]
    assert not np.shares_memory(result, x)
    np.testing.assert_array_equal(result, x)


# --- shape inference ----------------------------------------------------------------------------
@pytest.mark.parametrize("a, b, transpose_a, transpose_b", [
    ("[?,?,4]", "[4,5]", False, False), ("[2,?,3,4]", "[?,1,5,4]", False, True),
    ("[...]", "[4,5]", False, False), ("[3]", "[?,3,2]", False, False), ("[3]", "[3]", True, True),
    ("[2..5,3]", "[1..4]", False, False), ("[1,?,2..6,7]", "[3,1,7,?]", True, False),
    ("[5,?]", "[?]", True, False)])
def test_matmul_shape_inference_matches_openvino(a, b, transpose_a, transpose_b):
    assert_same_inference(lambda o, x, y: o.matmul(x, y, transpose_a, transpose_b),
                          (a, np.float32), (b, np.float32))


@pytest.mark.parametrize("equation, shapes", [
    ("bhqd,bhkd->bhqk", ["[?,?,4,8]", "[2,3,?,8]"]), ("ij,jk", ["[...]", "[4,?]"]),
    ("...ij,...jk->...ik", ["[?,1,3,4]", "[5,4,2]"]), ("ii->i", ["[?,4]"]),
    ("a...,a...->...", ["[3,2..6,1]", "[3,1,?]"]), ("ab,bc->ca", ["[2..5,?]", "[?,1..3]"])])
def test_einsum_shape_inference_matches_openvino(equation, shapes):
    assert_same_inference(lambda o, *p: o.einsum(list(p), equation),
                          *[(s, np.float32) for s in shapes])


# --- rejected inputs ----------------------------------------------------------------------------
def test_bad_inputs_are_rejected():
    a, b = ops.parameter([2, 3, 4], np.float32), ops.parameter([5, 6], np.float32)
    assert_rejected(lambda: ops.matmul(a, b, False, False), r"inner dimensions differ: 4 vs 5")
    assert_rejected(lambda: ops.matmul(a, ops.parameter([4, 4, 2], np.float32), False, False),
                    r"batch dimensions 2 and 4 at batch axis 0 cannot be broadcast")
    assert_rejected(lambda: ops.matmul(a, ops.parameter([], np.float32), False, False),
                    r"must not be scalars")
    assert_rejected(lambda: ops.matmul(a, ops.parameter([4, 2], np.int32), False, False),
                    r"same element type")
    assert_rejected(lambda: ops.einsum([a, b], "ij,jk->ik"), r"does not fit subscript 'ij'")
    assert_rejected(lambda: ops.einsum([a], "ij,jk->ik"), r"2 input subscripts for 1 inputs")
    assert_rejected(lambda: ops.einsum([a], "i1j->ij"), r"only letters")
    assert_rejected(lambda: ops.einsum([a], "...ij->ij"), r"ellipsis exactly when")
    assert_rejected(lambda: ops.einsum([a], "ijk->x"), r"output label 'x' is in no input")
    assert_rejected(lambda: ops.einsum([a, b], "ijk,kl->il"), r"label 'k' stands for both 4 and 5")


# --- IR round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["matmul", "einsum", "einsum_implicit"])
def test_round_trip(name):
    def build(o, x, y):
        if name == "matmul":
            return o.matmul(x, y, True, False)
        if name == "einsum":
            return o.einsum([x, y], "bij,bjk->bik")
        return o.einsum([x, y], "bij,bjk")

    assert_round_trip(build, ("[2,3,3]", np.float32), ("[2,3,5]", np.float32))


def test_einsum_equation_whitespace_is_dropped():
    x = ops.parameter([2, 3], np.float32)
    assert ops.einsum([x, x], " ij , kj -> ik ").get_attributes()["equation"] == "ij,kj->ik"
