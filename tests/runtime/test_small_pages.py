"""compile_model allocates without numpy's huge-page advice and gives numpy its setting back."""
import threading

import numpy as np
import pytest

import ov_notebook as ov
from ov_notebook import opset
from ov_notebook.runtime import memory

pytestmark = pytest.mark.skipif(memory._set_madvise_hugepage(True) is None,
                                reason="this numpy has no huge-page switch")


def current():
    previous = memory._set_madvise_hugepage(True)
    memory._set_madvise_hugepage(previous)
    return previous


@pytest.mark.parametrize("before", [True, False])
def test_small_pages_restores_numpy_setting_even_after_an_error(before):
    memory._set_madvise_hugepage(before)
    try:
        with pytest.raises(KeyError):
            with memory.small_pages():
                assert current() is False
                with memory.small_pages():  # nested: still off, and the outer one restores
                    assert current() is False
                assert current() is False
                raise KeyError("inside")
        assert current() is before
    finally:
        memory._set_madvise_hugepage(True)


def test_compile_runs_with_small_pages_and_restores_them():
    seen = []
    original = memory._set_madvise_hugepage

    def spy(enabled):
        seen.append(enabled)
        return original(enabled)

    x = opset.parameter([4, 64], np.float32, name="x")
    weights = opset.constant(np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32))
    model = ov.Model([opset.matmul(x, weights, False, False)], [x])
    memory._set_madvise_hugepage = spy
    try:
        compiled = ov.compile_model(model, "CPU")
    finally:
        memory._set_madvise_hugepage = original
    assert seen == [False, True]  # off for the compile, then numpy's own setting again
    assert current() is True
    data = np.ones((4, 64), np.float32)
    np.testing.assert_allclose(compiled(data)[0], data @ weights.get_data(), rtol=1e-5)


def test_concurrent_compiles_restore_the_setting_once_all_are_done():
    x = opset.parameter([2, 8], np.float32, name="x")
    model = ov.Model([opset.relu(x)], [x])
    errors = []

    def compile_many():
        try:
            for _ in range(20):
                ov.compile_model(model, "CPU")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=compile_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert current() is True
