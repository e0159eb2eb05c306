"""The errors cams-graph raises.

Every error a user can meet is one of these classes; the command line turns
them into a one-line message and an exit status, the API into a JSON answer
with a 4xx status::

    CamsError                    any error of cams-graph
    ├── StoreError               the store cannot be opened or written
    │   └── StoreLockedError     another process holds the embedded store
    ├── QuerySyntaxError         a SPARQL query or update does not parse
    ├── UnsafeQueryError         a query asks for the network (SERVICE, LOAD, remote FROM)
    ├── QueryTimeoutError        a query ran past its time limit and was stopped
    ├── PoolBusyError            every query worker stayed busy for the whole time limit
    ├── ResultTooLargeError      an answer grew past the row or byte cap
    ├── NotAcceptableError       the client accepts none of the formats of the answer
    ├── InputError               an input file cannot be read (encoding, size, format)
    ├── ReasonerError            the OWL reasoner (Java) cannot run
    ├── ValidationError          an import was rejected because of violations
    ├── UnknownTermError         an unknown work, right, territory, batch, …
    └── ConflictingStateError    an operation the store's state forbids (retract)

>>> issubclass(StoreLockedError, CamsError)
True
>>> str(QuerySyntaxError("unexpected '}'", line=2, column=5))
"line 2, column 5: unexpected '}'"
"""

from __future__ import annotations

__all__ = [
    "CamsError",
    "ConflictingStateError",
    "InputError",
    "NotAcceptableError",
    "PoolBusyError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "ReasonerError",
    "ResultTooLargeError",
    "StoreError",
    "StoreLockedError",
    "UnknownTermError",
    "UnsafeQueryError",
    "ValidationError",
]


class CamsError(Exception):
    """Any error of cams-graph."""

    exit_code = 2


class StoreError(CamsError):
    """The store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store."""


class QuerySyntaxError(CamsError):
    """A SPARQL query or update does not parse; carries the position when known."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ):
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        """The text of the line in error, when known."""
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + message)

    def pointer(self) -> str | None:
        """The line in error with a caret under the column, for a person to read.

        >>> print(QuerySyntaxError("expected '}'", 1, 10, "SELECT * {").pointer())
        SELECT * {
                 ^
        """
        if self.source is None or self.column is None:
            return None
        return f"{self.source}\n{' ' * max(self.column - 1, 0)}^"


class UnsafeQueryError(CamsError):
    """A query asks for something that would reach the network or the file system."""


class QueryTimeoutError(CamsError):
    """A query ran past its time limit and was stopped."""


class InputError(CamsError):
    """An input file cannot be read: missing, not UTF-8, too large, truncated, wrong format."""


class ValidationError(CamsError):
    """An import was rejected: the batch breaks rules that block it."""

    exit_code = 1


class UnknownTermError(CamsError):
    """A work, party, agreement, right, territory or batch that the store does not know."""


class ConflictingStateError(CamsError):
    """An operation that the store's current state forbids."""


class ReasonerError(CamsError):
    """The OWL reasoner cannot run (no Java runtime, or it failed)."""


class PoolBusyError(CamsError):
    """Every query worker stayed busy for the whole time limit."""


class ResultTooLargeError(CamsError):
    """A result grew past the row or byte cap while it was being written."""


class NotAcceptableError(CamsError):
    """The client accepts none of the formats the answer can be written in."""
