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
