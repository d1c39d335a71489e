"""The one Registry type behind ops, kernels and both frontends' translators."""
import pytest

from ov_notebook._registry import Registry
from ov_notebook.frontend.onnx import registry as onnx_registry
from ov_notebook.frontend.torch import registry as torch_registry
from ov_notebook.ir import get_op_class, registered_ops
from ov_notebook.ir.op import _OPS
from ov_notebook.runtime import kernels


def first(x):
    return x


def second(x):
    return x


def test_register_and_look_up():
    table = Registry("widget")
    assert table.register("a", first) is first
    assert table.get("a") is first and table["a"] is first and "a" in table
    assert table.get("b") is None and table.get("b", 0) == 0 and "b" not in table
    assert (table.keys(), table.items(), len(table), list(table)) == (
        ["a"], [("a", first)], 1, ["a"])
    assert table.find(["b", "a"]) is first and table.find(["b"]) is None
    with pytest.raises(KeyError, match="no widget is registered for b"):
        table["b"]


def test_duplicates_raise_naming_both_definitions():
    table = Registry("widget")
    table.register("a", first)
    with pytest.raises(ValueError, match=r"widget a is registered twice \(test_registry\.first "
                                         r"and test_registry\.second\)"):
        table.register("a", second)
    assert table["a"] is first


def test_decorator_registers_every_key_and_wraps():
    table = Registry("kernel")

    @table.decorator("x", "y", wrap=lambda key, function: (key, function))
    def kernel(value):
        return value

    assert kernel(3) == 3  # the decorated function is returned unchanged
    assert table["x"] == ("x", kernel) and table["y"] == ("y", kernel)
    with pytest.raises(ValueError, match=r"kernel y is registered twice \(.*<locals>\.kernel and "
                                         r"test_registry\.first\)"):
        table.decorator("y")(first)


def test_loader_runs_once_on_the_first_lookup():
    calls = []

    def loader():
        calls.append(1)
        table.register("loaded", first)
        assert "loaded" in table  # a lookup while loading does not load again

    table = Registry("widget", loader)
    table.register("early", second)  # registering does not load
    assert calls == []
    assert table.get("loaded") is first and calls == [1]
    assert len(table) == 2 and table.keys() == ["early", "loaded"] and calls == [1]


def test_versioned_keys():
    table = Registry("operation", versioned=True, key_text=lambda key: f"{key[0]}-{key[1]}")
    table.register(("Relu", 1), first)
    table.register(("Relu", 6), second)
    assert table.versions("Relu") == {1: first, 6: second} and table.versions("Tanh") == {}
    assert table.names() == ["Relu"]
    with pytest.raises(ValueError, match="operation Relu-6 is registered twice"):
        table.register(("Relu", 6), first)
    with pytest.raises(TypeError, match=r"\(name, version\) pairs"):
        table.register("Relu", first)


def test_monkeypatch_swaps_an_entry_for_one_test(monkeypatch):
    table = Registry("widget", versioned=True)
    table.register(("a", 1), first)
    with monkeypatch.context() as patch:
        patch.setitem(table, ("a", 1), second)
        patch.setitem(table, ("b", 2), second)
        assert table.versions("a") == {1: second} and table.names() == ["a", "b"]
    assert table.items() == [(("a", 1), first)] and table.names() == ["a"]


def test_the_four_registries_are_registries():
    assert isinstance(_OPS, Registry) and isinstance(kernels._KERNELS, Registry)
    assert isinstance(torch_registry.TRANSLATORS, Registry)
    assert isinstance(onnx_registry._TRANSLATORS, Registry)
    assert ("Softmax", "opset8") in _OPS and get_op_class("SoftMax", "opset1").version == "opset1"
    assert registered_ops()["Softmax"][-1] == "opset8"
    assert torch_registry.find_translator("aten.add_.Tensor") is torch_registry.TRANSLATORS["aten.add"]
    assert onnx_registry.find_onnx_translator("Softmax", 11) is not None
    assert "Softmax" in onnx_registry.registered_onnx_ops()


def test_registries_reject_duplicates_naming_both_definitions():
    # each registry loads first: an entry registered before its loader runs would make the
    # loader's registration of the real one the duplicate
    torch_registry.registered_translators(), onnx_registry.registered_onnx_ops()
    kernels.registered_kernels()
    with pytest.raises(ValueError, match=r"torch translator aten::add is registered twice "
                                         r"\(ov_notebook\.frontend\.torch\.ops\.arithmetic\.add "
                                         r"and test_registry\.first\)"):
        torch_registry.translator("aten::add")(first)
    with pytest.raises(ValueError, match=r"ONNX translator Relu \(opset \d+\) is registered twice"):
        onnx_registry.onnx_op("Relu", since=max(onnx_registry.registered_onnx_ops()["Relu"]))(first)
    with pytest.raises(ValueError, match=r"kernel MatMul is registered twice \(ov_notebook\.runtime"
                                         r"\.kernels\..*and test_registry\.first\)"):
        kernels.kernel("MatMul")(first)
    softmax = get_op_class("Softmax")
    duplicate = type("Softmax", (softmax,), {"__module__": __name__})
    with pytest.raises(ValueError, match=rf"operation Softmax {softmax.version} is registered twice "
                                         rf"\(ov_notebook\.ir\.ops\..*\.{softmax.__qualname__} and "
                                         rf"test_registry\.Softmax\)"):
        from ov_notebook.ir import register_op

        register_op(duplicate)
