"""Kernels derived from an op definition's ``compute`` where no kernel is registered."""
import numpy as np
import pytest

from ov_notebook.ir import UnknownOpError
from ov_notebook.runtime import kernels


class Doubled:
    """Stands in for an op class carrying its numpy math; not registered as an op, so the
    coverage tests over registered_ops() never see it."""

    type_name = "TestDoubled"

    @staticmethod
    def compute(x, *, out=None, scale=2.0):
        return np.multiply(x, scale, out=out if out is not None and out.shape == x.shape else None)


class WithoutCompute:
    type_name = "TestWithoutCompute"
    compute = None


@pytest.fixture
def op_classes(monkeypatch):
    """get_op_class as the kernels module sees it, knowing only the two test classes."""
    looked_up = []

    def get_op_class(type_name, version=None):
        looked_up.append(type_name)
        for cls in (Doubled, WithoutCompute):
            if cls.type_name == type_name:
                return cls
        raise UnknownOpError(f"unknown operation type '{type_name}'")

    monkeypatch.setattr(kernels, "get_op_class", get_op_class)
    monkeypatch.setattr(kernels, "_DERIVED", {})
    return looked_up


def test_compute_is_the_kernel_where_none_is_registered(op_classes):
    spec = kernels.get_kernel("TestDoubled")
    assert (spec.type_name, spec.function, spec.inplace, spec.needs_node) == (
        "TestDoubled", Doubled.compute, True, False)
    x = np.arange(3, dtype=np.float32)
    out = np.empty_like(x)
    assert spec.function(x, out=out, scale=3.0) is out and out.tolist() == [0, 3, 6]
    assert kernels.get_kernel("TestDoubled") is spec and op_classes == ["TestDoubled"]  # cached


def test_no_compute_and_no_op_mean_no_kernel(op_classes):
    for type_name in ("TestWithoutCompute", "TestNoSuchOp"):
        with pytest.raises(NotImplementedError, match=f"no kernel for operation {type_name}"):
            kernels.get_kernel(type_name)


def test_registered_kernels_win_and_list_the_derived_ones(op_classes, monkeypatch):
    monkeypatch.setattr(kernels, "registered_ops",
                        lambda: {"TestDoubled": ["opset1"], "TestWithoutCompute": ["opset1"]})
    registered = kernels.registered_kernels()
    assert registered["TestDoubled"].function is Doubled.compute
    assert "TestWithoutCompute" not in registered and "MatMul" in registered

    def explicit(x, *, scale=2.0):
        return x * scale

    monkeypatch.setitem(kernels._KERNELS, "TestDoubled", kernels.KernelSpec(
        "TestDoubled", explicit, inplace=False, needs_node=False))
    assert kernels.get_kernel("TestDoubled").function is explicit
    assert kernels.registered_kernels()["TestDoubled"].function is explicit
