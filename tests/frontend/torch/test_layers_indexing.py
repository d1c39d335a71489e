"""Joining, splitting, slicing, gathering and padding translators."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randint, randn


def x3():
    return (randn(4, 6, 5),)


JOIN_SPLIT = {
    "cat": (lambda: Lambda(lambda x, y: torch.cat([x, y], 1)), lambda: (randn(2, 3), randn(2, 4))),
    "cat_negative_dim": (lambda: Lambda(lambda x, y: torch.cat((x, y), -1)),
                         lambda: (randn(2, 3), randn(2, 2))),
    "cat_mixed_dtypes": (lambda: Lambda(lambda x, y: torch.cat([x, y])),
                         lambda: (randn(2, 3), randint(0, 5, 1, 3))),
    "stack": (lambda: Lambda(lambda x, y: torch.stack([x, y], 1)), lambda: (randn(2, 3),
                                                                            randn(2, 3, seed=1))),
    "stack_last": (lambda: Lambda(lambda x, y: torch.stack([x, y], -1)),
                   lambda: (randn(2, 3), randn(2, 3, seed=1))),
    "split": (lambda: Lambda(lambda x: torch.split(x, 2, dim=1)), x3),
    "split_uneven": (lambda: Lambda(lambda x: torch.split(x, 4, dim=1)), x3),
    "split_sizes": (lambda: Lambda(lambda x: torch.split(x, [1, 3, 1], dim=-1)), x3),
    "chunk": (lambda: Lambda(lambda x: torch.chunk(x, 3, dim=1)), x3),
    "chunk_uneven": (lambda: Lambda(lambda x: x.chunk(4, dim=-1)), x3),
    "unbind": (lambda: Lambda(lambda x: torch.unbind(x, 1)), lambda: (randn(2, 3, 2),)),
}

SLICE_GATHER = {
    "slice": (lambda: Lambda(lambda x: x[:, 1:4]), x3),
    "slice_step": (lambda: Lambda(lambda x: x[1::2, :, ::3]), x3),
    "slice_negative": (lambda: Lambda(lambda x: x[:, -3:-1]), x3),
    "slice_dynamic_end": (lambda: Lambda(lambda x: x[:, : x.shape[2]]), x3),
    "narrow": (lambda: Lambda(lambda x: x.narrow(1, 2, 3)), x3),
    "select": (lambda: Lambda(lambda x: x[:, 2]), x3),
    "select_negative": (lambda: Lambda(lambda x: x[-1]), x3),
    "index_none_ellipsis": (lambda: Lambda(lambda x: x[..., None, 0]), x3),
    "index_select": (lambda: Lambda(lambda x, i: torch.index_select(x, 1, i)),
                     lambda: (randn(4, 6, 5), torch.tensor([0, 5, 2]))),
    "gather": (lambda: Lambda(lambda x, i: torch.gather(x, 1, i)),
               lambda: (randn(3, 4), randint(0, 4, 3, 2))),
    "index_tensor": (lambda: Lambda(lambda x, i: x[i]), lambda: (randn(5, 3), randint(0, 5, 2, 2))),
    "index_tensor_axis1": (lambda: Lambda(lambda x, i: x[:, i]),
                           lambda: (randn(5, 3, 2), randint(-3, 3, 4))),
    "index_two_tensors": (lambda: Lambda(lambda x, i, j: x[i, j]),
                          lambda: (randn(5, 4, 2), randint(0, 5, 3), randint(0, 4, 3, seed=1))),
    "index_adjacent_inner": (lambda: Lambda(lambda x, i, j: x[:, i, j]),
                             lambda: (randn(2, 5, 4, 3), randint(-5, 5, 3), randint(0, 4, 2, 1))),
    "index_separated": (lambda: Lambda(lambda x, i, j: x[i, :, j]),
                        lambda: (randn(5, 4, 3), randint(0, 5, 2), randint(-3, 3, 2))),
    "index_constant_table": (lambda: _TableLookup(), lambda: (randn(2, 3),)),
    "roll": (lambda: Lambda(lambda x: torch.roll(x, shifts=(1, -2), dims=(1, 2))), x3),
    "roll_flat": (lambda: Lambda(lambda x: torch.roll(x, 3)), x3),
    "flip": (lambda: Lambda(lambda x: torch.flip(x, [0, 2])), x3),
}

PADS = {
    "pad_constant": (lambda: Lambda(lambda x: F.pad(x, (1, 2))), x3),
    "pad_constant_value": (lambda: Lambda(lambda x: F.pad(x, (1, 0, 2, 1), value=-3.5)), x3),
    "pad_negative": (lambda: Lambda(lambda x: F.pad(x, (-1, 1, 0, -2))), x3),
    "pad_reflect": (lambda: Lambda(lambda x: F.pad(x, (2, 1), mode="reflect")), x3),
    "pad_replicate_2d": (lambda: Lambda(lambda x: F.pad(x, (1, 2, 2, 1), mode="replicate")),
                         lambda: (randn(1, 2, 4, 5),)),
    "reflection_pad2d": (lambda: torch.nn.ReflectionPad2d((1, 0, 2, 1)),
                         lambda: (randn(1, 2, 4, 5),)),
    "replication_pad1d": (lambda: torch.nn.ReplicationPad1d(2), lambda: (randn(1, 2, 5),)),
    "zero_pad2d": (lambda: torch.nn.ZeroPad2d((1, 1, 0, 2)), lambda: (randn(1, 2, 4, 5),)),
    # Swin pads to a multiple of the window; traced, the amount is computed from x.size()
    "pad_to_multiple": (lambda: Lambda(lambda x: F.pad(x, (0, 0, 0, (4 - x.shape[1] % 4) % 4))),
                        x3),
    "pad_int": (lambda: Lambda(lambda x: F.pad(x, (1, 1), value=7)), lambda: (randint(0, 5, 2, 3),)),
}


class _TableLookup(torch.nn.Module):
    """A constant index into a parameter table, as relative position biases do (Swin)."""

    def __init__(self):
        super().__init__()
        self.table = torch.nn.Parameter(torch.arange(12.0).reshape(6, 2))
        self.register_buffer("index", torch.tensor([[0, 5, 3], [1, 1, 2]]))

    def forward(self, x):
        return x + self.table[self.index.view(-1)].view(2, 3, 2).sum(-1)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(JOIN_SPLIT))
def test_join_split(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(SLICE_GATHER))
def test_slice_gather(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


@pytest.mark.parametrize("make_module, make_inputs, route", cases(PADS))
def test_pad(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)


class _SliceAssign(torch.nn.Module):
    """An in-place assignment into a slice of a fresh tensor (Swin's shifted-window mask)."""

    def forward(self, x):
        mask = x.new_zeros((4, 4))
        mask[1:3, 0:2] = 5.0
        return x + mask


class _PaddedSliceAssign(torch.nn.Module):
    """Swin's mask for real: the mask's size is computed from the input's (at run time when
    traced), and slices are assigned with negative bounds."""

    def forward(self, x):
        rows = x.shape[0] + (4 - x.shape[0] % 4) % 4
        mask = x.new_zeros((rows, x.shape[1]))
        mask[-2:, 1:] = 5.0
        mask[:1, ::2] = -1.0
        return mask.sum(0) + x


@pytest.mark.parametrize("route", ["export", "trace"])
def test_slice_assignment(route):
    check_layer(_SliceAssign(), (randn(4, 4),), route)


@pytest.mark.parametrize("route", ["export", "trace"])
def test_slice_assignment_computed_size(route):
    check_layer(_PaddedSliceAssign(), (randn(6, 5),), route)
