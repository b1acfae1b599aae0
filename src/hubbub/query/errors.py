"""Query errors that say what is wrong, where (line, column, a caret under it) and how to fix it."""

from __future__ import annotations

from hubbub.errors import HubbubError


class QuerySyntaxError(HubbubError):
    """A query that cannot be parsed. `str()` is the one-line message, the query and a caret."""

    def __init__(self, message: str, query: str, offset: int, hint: str = "") -> None:
        self.query = query
        self.offset = max(0, min(offset, len(query)))
        before = query[: self.offset]
        self.line = before.count("\n") + 1
        self.column = self.offset - (before.rfind("\n") + 1) + 1
        self.problem = message
        super().__init__(f"{message} at line {self.line}, column {self.column}", hint)

    def excerpt(self) -> str:
        """The query line with a caret under the position."""
        line_text = self.query.split("\n")[self.line - 1]
        return f"  {line_text}\n  {' ' * (self.column - 1)}^"

    def __str__(self) -> str:
        text = f"{self.message}\n{self.excerpt()}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text
