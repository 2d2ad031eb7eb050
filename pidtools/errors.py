"""Errors that carry the name of the parameter they are about.

Every check of the public API raises :class:`ParameterError` (a ``ValueError``) or
:class:`ParameterTypeError` (a ``TypeError``), so callers can catch the usual built-in types
while tools built on top (the command line) read ``err.param`` to name their own option instead
of rewording the message.
"""

from __future__ import annotations

__all__ = ["ParameterError", "ParameterTypeError"]


class _Parameter:
    """Mixin: ``param`` is the name of the argument at fault (``"sources[1]"``, ``"bins"``)."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class ParameterError(_Parameter, ValueError):
    """A value breaks a rule of the parameter ``param`` (wrong range, shape, content)."""


class ParameterTypeError(_Parameter, TypeError):
    """A value of the wrong type for the parameter ``param``."""
