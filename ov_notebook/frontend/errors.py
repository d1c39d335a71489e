"""Errors of the frontends."""
from ..ir.errors import IRError


class ConversionError(IRError, ValueError):
    """A model that cannot be converted; the message says what was wrong and what was expected."""


class UnsupportedOpsError(ConversionError):
    """Operations without a translator; ``unsupported`` maps each op to (count, [module paths])."""

    def __init__(self, message, unsupported):
        super().__init__(message)
        self.unsupported = unsupported
