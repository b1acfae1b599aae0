"""User-facing errors: each says what is wrong, where, and what to do about it."""

from __future__ import annotations


class HubbubError(Exception):
    """An error a user can fix. The CLI prints it without a traceback and exits non-zero."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message
