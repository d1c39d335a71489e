"""Errors of the notebook layer: ordinary exceptions, so its functions work without IPython.

The functions behind the magics (``conversion.convert``, ``inference``, ``infer_report.run_infer``)
raise a :class:`NotebookError` for input they cannot use, with a message that says what was wrong
and what was expected. ``magics.py``, the layer's one edge to IPython, turns it into IPython's
one-line ``UsageError``, prefixed with the magic and the flag the message is about::

    >>> compiled_for(5)
    NotebookTypeError: MODEL must be a converted Model, a CompiledModel or a path to an IR ...
    >>> torch_leaves(net, x)            # in a cell: %infer m x --torch net
    NotebookValueError: the PyTorch model failed on the input: RuntimeError: ...
    UsageError: %infer --torch: the PyTorch model failed on the input: RuntimeError: ...
"""
from __future__ import annotations

__all__ = ["NotebookError", "NotebookValueError", "NotebookTypeError"]


class NotebookError(Exception):
    """Input a notebook function cannot use.

    ``subject`` is what the message is about as the magics spell it (a flag such as ``--torch``,
    or the model's expression), or None for the magic's input as a whole.
    """

    def __init__(self, message: str, subject: str | None = None):
        super().__init__(message)
        self.subject = subject

    def usage(self, magic: str) -> str:
        """The message as ``%magic`` reports it: ``%infer --torch: <message>``."""
        where = f"%{magic} {self.subject}" if self.subject else f"%{magic}"
        return f"{where}: {self}"


class NotebookValueError(NotebookError, ValueError):
    """A value of the right kind that does not fit (a missing file, an input of another shape)."""


class NotebookTypeError(NotebookError, TypeError):
    """A value of the wrong kind (an int where a model is expected)."""
