"""Fixtures of the notebook-layer tests: an IPython shell with the extension loaded."""
import pytest
from IPython.core.interactiveshell import InteractiveShell

from ov_notebook.notebook import inference


@pytest.fixture
def ip():
    """The InteractiveShell singleton with ``%load_ext ov_notebook``; few timing runs."""
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ov_notebook")
    shell.run_line_magic("config", "OVNotebook.runs = 2")
    yield shell
    shell.run_line_magic("unload_ext", "ov_notebook")
    inference.clear_cache()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """One JupyterLab server for the session (tests/notebook/lab.py), rooted in a temp dir."""
    pytest.importorskip("jupyterlab")
    pytest.importorskip("playwright.sync_api")
    import os

    from lab import CHROMIUM, LabServer

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    server = LabServer(str(tmp_path_factory.mktemp("lab") / "root"))
    os.makedirs(server.root, exist_ok=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(lab):
    from playwright.sync_api import sync_playwright

    from lab import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
