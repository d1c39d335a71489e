"""Arithmetic, comparison and logical translators, including torch's type promotion."""
import pytest
import torch

from layer_harness import Lambda, cases, check_layer, randint, randn

# comparisons and promotion cases are core ATen ops already: lowering changes nothing there
EXPORTED_AND_TRACED = ("export", "trace")


def f32(*shape, seed=0):
    return randn(*shape, seed=seed)


def positive(*shape, seed=0):
    return randn(*shape, seed=seed).abs() + 0.5


def ints(*shape, seed=0, dtype=torch.int64):
    return randint(-9, 10, *shape, seed=seed, dtype=dtype)


def nonzero_ints(*shape, seed=0, dtype=torch.int64):
    value = randint(1, 6, *shape, seed=seed, dtype=dtype)
    return value * torch.where(randint(0, 2, *shape, seed=seed + 1) > 0, 1, -1).to(dtype)


BINARY = {
    "add": (lambda: Lambda(lambda x, y: x + y), lambda: (f32(2, 3), f32(3, seed=1))),
    "add_alpha": (lambda: Lambda(lambda x, y: torch.add(x, y, alpha=2.5)),
                  lambda: (f32(2, 3), f32(2, 3, seed=1))),
    "add_scalar": (lambda: Lambda(lambda x: x + 1.5), lambda: (f32(4),)),
    "sub_alpha": (lambda: Lambda(lambda x, y: torch.sub(x, y, alpha=3)),
                  lambda: (f32(2, 3), f32(1, 3, seed=1))),
    "rsub": (lambda: Lambda(lambda x: 2.0 - x), lambda: (f32(5),)),
    "rsub_alpha": (lambda: Lambda(lambda x, y: torch.rsub(x, y, alpha=2)),
                   lambda: (f32(3), f32(3, seed=1))),
    "mul": (lambda: Lambda(lambda x, y: x * y), lambda: (f32(2, 1), f32(1, 4, seed=1))),
    "mul_bool": (lambda: Lambda(lambda x, y: (x > 0) * (y > 0)), lambda: (f32(6), f32(6, seed=1))),
    "div": (lambda: Lambda(lambda x, y: x / y), lambda: (f32(3, 4), positive(4, seed=1))),
    "div_floor": (lambda: Lambda(lambda x, y: torch.div(x, y, rounding_mode="floor")),
                  lambda: (f32(8) * 5, positive(8, seed=1))),
    "div_trunc": (lambda: Lambda(lambda x, y: torch.div(x, y, rounding_mode="trunc")),
                  lambda: (f32(8) * 5, positive(8, seed=1))),
    "div_int": (lambda: Lambda(lambda x, y: x / y), lambda: (ints(8), nonzero_ints(8, seed=1))),
    "div_int_floor": (lambda: Lambda(lambda x, y: torch.div(x, y, rounding_mode="floor")),
                      lambda: (ints(8), nonzero_ints(8, seed=1))),
    "div_int_trunc": (lambda: Lambda(lambda x, y: torch.div(x, y, rounding_mode="trunc")),
                      lambda: (ints(8), nonzero_ints(8, seed=1))),
    "floor_divide": (lambda: Lambda(lambda x, y: x // y),
                     lambda: (ints(8), nonzero_ints(8, seed=1))),
    "remainder": (lambda: Lambda(lambda x, y: x % y), lambda: (ints(8), nonzero_ints(8, seed=1))),
    "fmod": (lambda: Lambda(lambda x: torch.fmod(x, 1.5)), lambda: (f32(8) * 4,)),
    "pow_scalar": (lambda: Lambda(lambda x: x ** 2), lambda: (f32(5),)),
    "pow_tensor": (lambda: Lambda(lambda x, y: torch.pow(x, y)),
                   lambda: (positive(5), f32(5, seed=1))),
    "pow_int_float": (lambda: Lambda(lambda x: x ** 0.5), lambda: (randint(0, 9, 5),)),
    "maximum": (lambda: Lambda(torch.maximum), lambda: (f32(2, 3), f32(2, 3, seed=1))),
    "minimum": (lambda: Lambda(torch.minimum), lambda: (f32(2, 3), f32(3, seed=1))),
    "max_binary": (lambda: Lambda(lambda x, y: torch.max(x, y)), lambda: (f32(4), f32(4, seed=1))),
}

PROMOTION = {
    "int_plus_float_tensor": (lambda: Lambda(lambda x, y: x + y), lambda: (ints(4), f32(4))),
    "int_times_python_float": (lambda: Lambda(lambda x: x * 2.5), lambda: (ints(4),)),
    "int32_plus_python_int": (lambda: Lambda(lambda x: x + 3),
                              lambda: (ints(4, dtype=torch.int32),)),
    "int32_plus_int64": (lambda: Lambda(lambda x, y: x + y),
                         lambda: (ints(4, dtype=torch.int32), ints(4, seed=1))),
    "f32_plus_f64_zero_dim": (lambda: Lambda(lambda x, y: x + y),
                              lambda: (f32(3), torch.tensor(0.25, dtype=torch.float64))),
    "int_plus_f64_zero_dim": (lambda: Lambda(lambda x, y: x + y),
                              lambda: (ints(3), torch.tensor(0.25, dtype=torch.float64))),
    "bool_plus_int": (lambda: Lambda(lambda x: (x > 0) + 2), lambda: (f32(4),)),
    "uint8_plus_int8": (lambda: Lambda(lambda x, y: x + y),
                        lambda: (randint(0, 9, 4, dtype=torch.uint8),
                                 ints(4, dtype=torch.int8))),
    "f16_times_f32_zero_dim": (lambda: Lambda(lambda x: x * torch.tensor(2.0)),
                               lambda: (f32(4).half(),)),
}

COMPARISON = {
    name: (lambda op=op: Lambda(lambda x, y: op(x, y)), lambda: (ints(6), ints(6, seed=1)))
    for name, op in {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le,
                     "gt": torch.gt, "ge": torch.ge}.items()
}
COMPARISON.update({
    "gt_scalar_float": (lambda: Lambda(lambda x: x > 0.5), lambda: (f32(2, 3),)),
    "eq_int_float": (lambda: Lambda(lambda x, y: x == y),
                     lambda: (randint(0, 3, 6), randint(0, 3, 6, seed=1).float())),
    "logical_and": (lambda: Lambda(lambda x, y: torch.logical_and(x > 0, y > 0)),
                    lambda: (f32(6), f32(6, seed=1))),
    "logical_or_numeric": (lambda: Lambda(torch.logical_or), lambda: (ints(6), ints(6, seed=1))),
    "logical_xor": (lambda: Lambda(lambda x, y: torch.logical_xor(x > 0, y > 0)),
                    lambda: (f32(6), f32(6, seed=1))),
    "logical_not": (lambda: Lambda(lambda x: torch.logical_not(x)), lambda: (ints(6),)),
    "and_operator": (lambda: Lambda(lambda x, y: (x > 0) & (y > 0)),
                     lambda: (f32(6), f32(6, seed=1))),
    "or_operator": (lambda: Lambda(lambda x, y: (x > 0) | (y > 0)),
                    lambda: (f32(6), f32(6, seed=1))),
    "bitwise_not_bool": (lambda: Lambda(lambda x: ~(x > 0)), lambda: (f32(6),)),
})

UNARY = {
    name: (lambda op=op: Lambda(op), lambda: (f32(2, 5),))
    for name, op in {"neg": torch.neg, "abs": torch.abs, "floor": torch.floor,
                     "ceil": torch.ceil, "sign": torch.sign, "exp": torch.exp, "erf": torch.erf,
                     "sin": torch.sin, "cos": torch.cos, "square": torch.square,
                     "round": torch.round}.items()
}
UNARY.update({
    name: (lambda op=op: Lambda(op), lambda: (positive(2, 5),))
    for name, op in {"sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "log": torch.log,
                     "log2": torch.log2, "log1p": torch.log1p, "reciprocal": torch.reciprocal}.items()
})
UNARY.update({
    "round_decimals": (lambda: Lambda(lambda x: torch.round(x, decimals=2)),
                       lambda: (f32(2, 5) * 10,)),
    "sqrt_int": (lambda: Lambda(torch.sqrt), lambda: (randint(0, 9, 5),)),
    "exp_int": (lambda: Lambda(torch.exp), lambda: (randint(0, 4, 5),)),
    "neg_int": (lambda: Lambda(torch.neg), lambda: (ints(5),)),
    "abs_int": (lambda: Lambda(torch.abs), lambda: (ints(5),)),
    # inverse and hyperbolic trigonometry, inside each function's domain
    "asin": (lambda: Lambda(torch.asin), lambda: (f32(2, 5).clamp(-0.99, 0.99),)),
    "acos": (lambda: Lambda(torch.acos), lambda: (f32(2, 5).clamp(-0.99, 0.99),)),
    "atan": (lambda: Lambda(torch.atan), lambda: (f32(2, 5) * 3,)),
    "sinh": (lambda: Lambda(torch.sinh), lambda: (f32(2, 5),)),
    "cosh": (lambda: Lambda(torch.cosh), lambda: (f32(2, 5),)),
    "asinh": (lambda: Lambda(torch.asinh), lambda: (f32(2, 5) * 10,)),
    "acosh": (lambda: Lambda(torch.acosh), lambda: (positive(2, 5) + 1,)),
    "atanh": (lambda: Lambda(torch.atanh), lambda: (f32(2, 5).clamp(-0.99, 0.99),)),
    "asinh_int": (lambda: Lambda(torch.asinh), lambda: (ints(5),)),
})

SELECTION = {
    "clamp": (lambda: Lambda(lambda x: torch.clamp(x, -0.5, 0.5)), lambda: (f32(8),)),
    "clamp_min_only": (lambda: Lambda(lambda x: torch.clamp(x, min=0.1)), lambda: (f32(8),)),
    "clamp_max_only": (lambda: Lambda(lambda x: torch.clamp(x, max=0.1)), lambda: (f32(8),)),
    "clamp_int": (lambda: Lambda(lambda x: torch.clamp(x, -3, 4)), lambda: (ints(8),)),
    "clamp_int_float_bound": (lambda: Lambda(lambda x: torch.clamp(x, min=0.5)),
                              lambda: (ints(8),)),
    "clamp_tensor": (lambda: Lambda(lambda x, lo, hi: torch.clamp(x, lo, hi)),
                     lambda: (f32(8), f32(8, seed=1) - 1, f32(8, seed=2) + 1)),
    "clamp_min": (lambda: Lambda(lambda x: x.clamp_min(0.2)), lambda: (f32(8),)),
    "clamp_max": (lambda: Lambda(lambda x: x.clamp_max(0.2)), lambda: (f32(8),)),
    "where": (lambda: Lambda(lambda c, x, y: torch.where(c > 0, x, y)),
              lambda: (f32(2, 3), f32(2, 3, seed=1), f32(3, seed=2))),
    "where_scalar": (lambda: Lambda(lambda x: torch.where(x > 0, x, 0.0)), lambda: (f32(6),)),
    "where_int_float": (lambda: Lambda(lambda c, x, y: torch.where(c > 0, x, y)),
                        lambda: (f32(6), ints(6), f32(6, seed=2))),
    "masked_fill": (lambda: Lambda(lambda x: x.masked_fill(x < 0, -1e4)), lambda: (f32(2, 4),)),
    "masked_fill_broadcast": (lambda: Lambda(lambda x, m: x.masked_fill(m > 0, 3)),
                              lambda: (f32(2, 4), f32(4, seed=1))),
    "masked_fill_tensor_value": (lambda: Lambda(lambda x, v: x.masked_fill(x < 0, v)),
                                 lambda: (f32(2, 4), torch.tensor(7.0))),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(BINARY))
def test_binary_arithmetic(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route",
                         cases(PROMOTION, EXPORTED_AND_TRACED))
def test_type_promotion(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route",
                         cases(COMPARISON, EXPORTED_AND_TRACED))
def test_comparison_and_logical(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(UNARY))
def test_unary(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(SELECTION))
def test_clamp_where_masked_fill(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


class InPlaceCopy(torch.nn.Module):
    def forward(self, x, y):
        z = torch.zeros_like(x)
        z.copy_(y)
        return z + x


@pytest.mark.parametrize("route", ["export", "trace"])
def test_copy(route):
    check_layer(InPlaceCopy(), (f32(2, 3), ints(3)), route)
