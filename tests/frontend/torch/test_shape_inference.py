"""Converted graphs keep the static dimensions a dynamic input still determines."""
import pytest

torch = pytest.importorskip("torch")

import ov_notebook as ov  # noqa: E402


@pytest.mark.parametrize("force_trace", [False, True])
def test_flatten_after_global_pool_keeps_the_channel_count(force_trace):
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.AdaptiveAvgPool2d(1),
                                torch.nn.Flatten(), torch.nn.Linear(8, 4)).eval()
    example = torch.rand(1, 3, 16, 16)
    source = torch.jit.trace(model, example) if force_trace else model
    converted = ov.convert_model(source, example_input=example, input=[-1, 3, -1, -1])
    assert str(converted.output(0).get_partial_shape()) == "[?,4]"
    flatten = [op for op in converted.get_ordered_ops() if op.get_type_name() == "Reshape"]
    assert any(str(op.get_output_partial_shape(0)) == "[?,8]" for op in flatten)
