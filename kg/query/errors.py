"""Why a query did not give an answer: one set of exceptions for ``kg query`` and ``kg serve``.

Each says how it is told to the user: ``exit_code`` is the CLI's exit status, ``status`` the
HTTP status ``kg serve`` answers with, ``note`` the word of its log line, ``headers`` extra
response headers (``Retry-After``).
"""

from __future__ import annotations


class QueryError(Exception):
    """A query could not be run (a bad query or parameter: exit 2)."""

    exit_code = 2
    status = 500
    note = "error"

    def __init__(self, message: str = "", status: int | None = None, note: str | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        if note is not None:
            self.note = note
        self.headers = dict(headers or {})


class QuerySyntaxError(QueryError):
    """The query text does not parse: ``headline`` says where and what is probably wrong,
    ``excerpt`` the query's lines there with a caret (already escaped for a terminal); the
    message is both, one per line (:func:`kg.query.syntax.explain`)."""

    status, note = 400, "syntax error"

    def __init__(self, headline: str, excerpt: list[str] | tuple[str, ...] = (), *, line: int | None = None,
                 column: int | None = None):
        self.headline = headline
        self.excerpt = list(excerpt)
        self.line, self.column = line, column
        super().__init__("\n".join([headline, *self.excerpt]))


class QueryRefused(QueryError):
    """The query was refused before running: SERVICE without ``allow_service``, or too big."""


class QueryTimeout(QueryError):
    """The query ran over its time limit and was stopped."""

    exit_code = 1
    status, note = 503, "timeout"


class QueryFailed(QueryError):
    """The query is valid but failed while running (store error, child crashed)."""

    exit_code = 1
