"""scatter (src, value, reduce add/multiply), scatter_ in place, scatter_add, scatter_reduce
(sum, prod, mean, amax, amin; include_self both ways), index_add (alpha, any dim) ->
ScatterElementsUpdate-12; on every route, against torch and real OpenVINO."""
import pytest
import torch

import ov_notebook as ov
from breadth_harness import check_op, params, randint, randn
from layer_harness import Lambda
from ov_notebook.frontend.errors import ConversionError

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]


def data_index_src(dtype=torch.float32):
    def make():
        # duplicate positions in the index, so reductions combine several updates
        index = torch.tensor([[0, 1, 2, 0], [2, 0, 0, 1], [2, 2, 1, 1]])
        return randn(3, 4).to(dtype) * 4, index, randn(4, 5, seed=1).to(dtype) * 4
    return make


def scatter_src(x, index, src):
    return x.scatter(0, index, src[:3, :4])


def scatter_src_bigger(x, index, src):  # torch reads only the index-shaped corner of src
    return x.scatter(1, index[:2], src)


def scatter_value(x, index, src):
    return x.scatter(1, index, 2.5) + src.sum()


def scatter_add_reduce(x, index, src):
    return x.scatter(0, index, src, reduce="add")


def scatter_multiply_reduce(x, index, src):
    return x.scatter(0, index, src, reduce="multiply")


def scatter_in_place(x, index, src):
    y = x.clone()
    y.scatter_(-1, index, src, reduce="add")
    return y * 2


def scatter_add(x, index, src):
    return torch.scatter_add(x, 0, index, src)


def reduce_mean(x, index, src):
    return x.scatter_reduce(0, index, src, "mean")


def reduce_amax_without_self(x, index, src):
    return x.scatter_reduce(0, index, src, "amax", include_self=False)


def reduce_amin(x, index, src):
    return x.scatter_reduce(1, index, src, "amin")


def reduce_sum_without_self(x, index, src):
    return x.scatter_reduce(0, index, src, "sum", include_self=False)


def reduce_prod(x, index, src):
    return x.scatter_reduce(-2, index, src, "prod")


def reduce_mean_without_self(x, index, src):
    return x.scatter_reduce(1, index, src, "mean", include_self=False)


def index_add(x, index, source):
    return x.index_add(0, index, source, alpha=2)


def index_add_dim1(x, index, source):
    return torch.index_add(x, 1, index, source)


def index_add_in_place(x, index, source):
    y = x.clone()
    y.index_add_(-1, index, source)
    return y


SCATTERS = {
    "scatter_src": (scatter_src, data_index_src(), scatter_src),
    "scatter_src_bigger": (scatter_src_bigger, data_index_src(), scatter_src_bigger),
    "scatter_value": (scatter_value, data_index_src(), scatter_value),
    "scatter_value_int": (scatter_value, data_index_src(torch.int32)),
    "scatter_reduce_add": (scatter_add_reduce, data_index_src(), scatter_add_reduce),
    "scatter_reduce_multiply": (scatter_multiply_reduce, data_index_src(), scatter_multiply_reduce),
    "scatter_in_place": (scatter_in_place, data_index_src(), scatter_in_place),
    "scatter_add": (scatter_add, data_index_src(), scatter_add),
    "scatter_add_int64": (scatter_add, data_index_src(torch.int64)),
    "scatter_reduce_mean": (reduce_mean, data_index_src(), reduce_mean),
    "scatter_reduce_mean_without_self": (reduce_mean_without_self, data_index_src()),
    "scatter_reduce_amax_without_self": (reduce_amax_without_self, data_index_src(),
                                         reduce_amax_without_self),
    "scatter_reduce_amin": (reduce_amin, data_index_src()),
    "scatter_reduce_amin_int": (reduce_amin, data_index_src(torch.int32)),
    "scatter_reduce_sum_without_self": (reduce_sum_without_self, data_index_src()),
    "scatter_reduce_prod": (reduce_prod, data_index_src()),
    "index_add_alpha": (index_add, lambda: (randn(4, 3), torch.tensor([3, 0, 3, 1, 3]),
                                            randn(5, 3, seed=1)), index_add),
    "index_add_dim1_int": (index_add_dim1, lambda: (randint(-9, 9, 2, 4, 3),
                                                    torch.tensor([1, 1]),
                                                    randint(-9, 9, 2, 2, 3, seed=1))),
    "index_add_in_place": (index_add_in_place, lambda: (randn(3, 4), torch.tensor([0, 0, 2]),
                                                        randn(3, 3, seed=1)), index_add_in_place),
}


@pytest.mark.parametrize("function, make_inputs, script, route", params(SCATTERS))
def test_scatter(function, make_inputs, script, route):
    check_op(function, make_inputs, route, script=script)


def test_scatter_reduce_mean_of_integers_is_refused():
    inputs = data_index_src(torch.int64)()
    with pytest.raises(ConversionError, match="mean"):
        ov.convert_model(torch.jit.trace(Lambda(reduce_mean), inputs), example_input=inputs)
