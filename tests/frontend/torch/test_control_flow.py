"""TorchScript control flow: scripted modules with data-dependent ifs, for- and while-loops,
loop-carried tensors, nested loops and ifs, and the norms torch scripts with loops. Each is
converted, compared with torch (1e-4; dtype and shape exact) on several inputs, and the IR we
write is run by real OpenVINO with the same results."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ov_notebook as ov
from ov_notebook.frontend.errors import ConversionError
from ov_notebook.frontend.torch import control_flow
from oracle import assert_outputs_match, openvino_model, run_openvino

warnings.filterwarnings("ignore", category=FutureWarning)  # torch.jit.script is deprecated


class DataDependentIf(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            y = x * 2
        else:
            y = x - 1
        return y


class IfWithOutsideValues(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.linspace(-1, 1, 3))

    def forward(self, x, y):
        if bool(x.mean() > y.mean()):
            out = x * self.weight + y
            other = y.sum()
        else:
            out = y - x
            other = x.sum() * 2
        return out, other


class IfWithDifferentShapes(torch.nn.Module):
    def forward(self, x):
        if x[0, 0] > 0:
            y = x.reshape(-1)
        else:
            y = x[0]
        return y * 3


class ForLoopRuntimeCount(torch.nn.Module):
    def forward(self, x, n: int):
        for i in range(n):
            x = x * 0.5 + i
        return x


class ForLoopKnownCount(torch.nn.Module):
    def forward(self, x):
        total = torch.zeros_like(x)
        for i in range(4):
            total = total + x * i
        return total


class WhileLoop(torch.nn.Module):
    def forward(self, x):
        steps = 0
        while bool(x.abs().sum() < 100.0) and steps < 40:
            x = x * 2 + 0.1
            steps += 1
        return x, steps


class WhileOverRows(torch.nn.Module):
    def forward(self, x):
        out = x
        row = 0
        while row < x.shape[0]:  # conditions known at conversion: unrolled
            out = out * 0.5 + x[row]
            row += 1
        return out


class LoopCarriedTensors(torch.nn.Module):
    def forward(self, x, h, n: int):
        outputs = x
        for _ in range(n):
            h = torch.tanh(h @ x.transpose(0, 1) @ x * 0.3 + 0.5)
            outputs = outputs + h.sum()
        return outputs, h


class GrowingLoop(torch.nn.Module):
    def forward(self, x, n: int):
        for _ in range(n):
            x = torch.cat([x, x[-1:] + 1], 0)
        return x


class NestedLoopsAndIfs(torch.nn.Module):
    def forward(self, x, n: int):
        for i in range(n):
            for j in range(n):
                if (x.sum() + i) > j:
                    x = x - 0.25 * j
                else:
                    x = x + 0.5
        return x


class ListIndexedByIteration(torch.nn.Module):
    def forward(self, x, n: int):
        factors = [1.0, 2.0, 3.0, 4.0]
        dims = x.shape
        for i in range(n):
            x = x * factors[i % 4] + dims[-1 - i % 2]
        return x


class LoopInsideIf(torch.nn.Module):
    def forward(self, x, n: int):
        if x.max() > 0.5:
            for _ in range(n):
                x = torch.relu(x - 0.3)
        else:
            x = -x
        return x


class ScalarHelpers(torch.nn.Module):
    """prim::max/min on ints and floats, aten::item, aten::tensor, prim::dtype."""

    def forward(self, x):
        rows, cols = x.shape[0], x.shape[1]
        biggest = max(rows, cols)
        smallest = min(float(rows), 2.5)
        peak = x.max().item()
        scale = torch.tensor([peak, smallest], dtype=x.dtype)
        return x * biggest + scale.sum(), x.to(x.dtype)


class ListMaxMin(torch.nn.Module):
    def forward(self, x):
        sizes = [x.shape[0], x.shape[1], 3]
        return x.reshape(max(sizes), -1) if max(sizes) == x.numel() else x * min(sizes)


def _norms():
    return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8),
                               torch.nn.GroupNorm(4, 8), torch.nn.ReLU())


def _randomized(module):
    torch.manual_seed(0)
    for norm in module.modules():
        if isinstance(norm, torch.nn.BatchNorm2d):
            norm.running_mean.uniform_(-1, 1)
            norm.running_var.uniform_(0.5, 2)
    return module.eval()


def _inputs_of(case, seed):
    generator = torch.Generator().manual_seed(seed)

    def rand(*shape):
        return torch.rand(*shape, generator=generator) * 2 - 1

    return {
        "if": lambda: (rand(2, 3),),
        "if_outside": lambda: (rand(2, 3), rand(2, 3)),
        "if_shapes": lambda: (rand(2, 3),),
        "for_runtime": lambda: (rand(2, 3), 1 + seed),
        "for_known": lambda: (rand(2, 3),),
        "while": lambda: (rand(2, 3) * 0.1,),
        "while_sizes": lambda: (rand(3, 4),),
        "carried": lambda: (rand(3, 4), rand(2, 4), 2 + seed),
        "growing": lambda: (rand(2, 3), seed),
        "nested": lambda: (rand(2, 2), 1 + seed % 3),
        "list_index": lambda: (rand(2, 3), 2 + 2 * seed),
        "loop_in_if": lambda: (rand(2, 3) + 0.4 * (seed % 2), 3),
        "scalars": lambda: (rand(3, 4),),
        "list_max": lambda: (rand(2, 3),),
        "norms": lambda: (rand(1, 3, 9, 9),),
    }[case]()


CASES = {
    "if": (DataDependentIf, "If"), "if_outside": (IfWithOutsideValues, "If"),
    "if_shapes": (IfWithDifferentShapes, "If"), "for_runtime": (ForLoopRuntimeCount, "Loop"),
    "for_known": (ForLoopKnownCount, None), "while": (WhileLoop, "Loop"),
    "while_sizes": (WhileOverRows, None),
    "carried": (LoopCarriedTensors, "Loop"), "growing": (GrowingLoop, "Loop"),
    "nested": (NestedLoopsAndIfs, "Loop"), "list_index": (ListIndexedByIteration, "Loop"),
    "loop_in_if": (LoopInsideIf, "If"),
    "scalars": (ScalarHelpers, None), "list_max": (ListMaxMin, None),
    "norms": (lambda: _randomized(_norms()), None),
}


def _numpy(value):
    return value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def _expected(module, inputs):
    with torch.no_grad():
        produced = module(*inputs)
    produced = produced if isinstance(produced, tuple) else (produced,)
    return [_numpy(p) for p in produced]


@pytest.mark.parametrize("case", CASES)
def test_scripted_control_flow_matches_torch_and_openvino(case, tmp_path):
    make, sub_graph = CASES[case]
    module = make().eval()
    scripted = torch.jit.script(module)
    model = ov.convert_model(scripted, example_input=_inputs_of(case, 0))
    types = {node.get_type_name() for node in model.get_ordered_ops()}
    if sub_graph is not None:
        assert sub_graph in types, f"{case}: expected a {sub_graph}, got {sorted(types)}"
    else:
        assert not types & {"Loop", "If"}, f"{case}: folded at conversion, got {sorted(types)}"
    compiled = ov.compile_model(model)
    theirs = _openvino_compiled(model, tmp_path)
    for seed in range(3):
        inputs = _inputs_of(case, seed)
        feeds = [_numpy(value) for value in inputs]
        expected = _expected(module, inputs)
        ours = [np.asarray(compiled(feeds)[i]) for i in range(len(compiled.outputs))]
        assert_outputs_match(ours, expected, rtol=1e-4, atol=1e-4, what=f"{case} seed {seed}")
        result = theirs(feeds)
        assert_outputs_match([np.asarray(result[i]) for i in range(len(theirs.outputs))],
                             expected, rtol=1e-4, atol=1e-4,
                             what=f"{case} seed {seed} (OpenVINO on our IR)")


def _openvino_compiled(model, directory):
    """Real OpenVINO's compiled model of the IR we write (read and compiled once)."""
    import openvino

    return openvino.Core().compile_model(openvino_model(model, str(directory)), "CPU",
                                         {"INFERENCE_PRECISION_HINT": "f32"})


def test_known_trip_count_unrolls_below_the_threshold():
    class Long(torch.nn.Module):  # torch unrolls by 8 itself: still far above the threshold
        def forward(self, x):
            for _ in range(1000):
                x = x + 1
            return x

    x = torch.zeros(2)
    long_loop = ov.convert_model(torch.jit.script(Long()), example_input=(x,))
    assert "Loop" in {n.get_type_name() for n in long_loop.get_ordered_ops()}
    np.testing.assert_array_equal(ov.compile_model(long_loop)(x.numpy())[0],
                                  np.full(2, 1000, np.float32))
    assert 1000 // 8 > control_flow.UNROLL_MAX_ITERATIONS


def test_group_norm_and_batch_norm_scripted_with_dynamic_shapes():
    module = _randomized(_norms())
    scripted = torch.jit.script(module)
    model = ov.convert_model(scripted, example_input=(torch.rand(1, 3, 9, 9),),
                             input=[ov.PartialShape([-1, 3, -1, -1])])
    compiled = ov.compile_model(model)
    for shape in ((1, 3, 9, 9), (2, 3, 7, 11)):
        x = torch.rand(*shape)
        assert_outputs_match([compiled(x.numpy())[0]], _expected(module, (x,)), rtol=1e-4,
                             atol=1e-4, what=str(shape))


def test_values_that_cannot_cross_a_runtime_branch_are_named():
    class ListOut(torch.nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                sizes = [1, 2]
            else:
                sizes = [2, 1]
            return x.reshape(sizes[0], -1) * sizes[1]

    with pytest.raises(ConversionError, match="only tensors and numbers can cross"):
        ov.convert_model(torch.jit.script(ListOut()), example_input=(torch.rand(2, 2),))


class RuntimeScalars(torch.nn.Module):
    """Sizes known only at run time: aten::__range_length/__derive_index of a backwards range
    (a Loop-5), prim::max/min of ints and of a list, aten::tensor of them, aten::item,
    prim::dtype of a scripted tensor."""

    def forward(self, x):
        total = torch.zeros(x.shape[1], dtype=x.dtype)
        for i in range(x.shape[0] - 1, -1, -2):
            total = total + x[i]
        rows = max(x.shape[0], 3)
        shortest = min([x.shape[0], x.shape[1], 5])
        sizes = torch.tensor([x.shape[0], shortest, rows])
        peak = x.max().item()
        return total * peak, sizes


def test_scalar_helpers_on_sizes_known_at_run_time(tmp_path):
    module = RuntimeScalars()
    model = ov.convert_model(torch.jit.script(module), example_input=(torch.rand(4, 3),),
                             input=[ov.PartialShape([-1, -1])])
    assert "Loop" in {n.get_type_name() for n in model.get_ordered_ops()}
    compiled = ov.compile_model(model)
    for shape in ((4, 3), (5, 2), (1, 7), (8, 8)):
        x = torch.rand(*shape)
        expected = _expected(module, (x,))
        ours = [np.asarray(compiled(x.numpy())[i]) for i in range(2)]
        assert_outputs_match(ours, expected, rtol=1e-4, atol=1e-4, what=str(shape))
        assert_outputs_match(run_openvino(model, [x.numpy()], tmp_path), expected, rtol=1e-4,
                             atol=1e-4, what=f"{shape} (OpenVINO on our IR)")


@pytest.mark.parametrize("case", ["if", "if_outside", "if_shapes", "for_known", "while",
                                  "list_max"])
def test_ir_that_openvino_converts_runs_here(case, tmp_path):
    """OpenVINO's own frontend writes these with If/Loop (and an If inside a Loop's body)."""
    import openvino

    make, _ = CASES[case]
    module = make().eval()
    converted = openvino.convert_model(torch.jit.script(module),
                                       example_input=_inputs_of(case, 0))
    openvino.save_model(converted, tmp_path / "theirs.xml", compress_to_fp16=False)
    model = ov.read_model(tmp_path / "theirs.xml")
    assert {n.get_type_name() for n in model.get_ordered_ops()} & {"If", "Loop"}
    compiled = ov.compile_model(model)
    for seed in range(3):
        inputs = _inputs_of(case, seed)
        ours = compiled([_numpy(value) for value in inputs])
        assert_outputs_match([np.asarray(ours[i]) for i in range(len(compiled.outputs))],
                             _expected(module, inputs), rtol=1e-4, atol=1e-4, what=case)


def test_weights_read_in_a_branch_stay_constants_of_the_body():
    model = ov.convert_model(torch.jit.script(IfWithOutsideValues()),
                             example_input=_inputs_of("if_outside", 0))
    (branch,) = [n for n in model.get_ordered_ops() if n.get_type_name() == "If"]
    then_body = branch.get_then_body()
    weights = [n for n in then_body.get_ordered_ops() if n.get_type_name() == "Constant"
               and n.get_output_shape(0) == [3]]
    assert len(weights) == 1 and not weights[0].output(0).get_names()
    np.testing.assert_array_equal(weights[0].get_data(), np.linspace(-1, 1, 3, dtype=np.float32))
    assert len(then_body.get_parameters()) == 2  # x and y; the weight is not fed from outside
    assert branch.get_input_size() == 3  # the condition, x, y
