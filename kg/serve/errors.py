"""Why ``kg serve`` answers a request without a result of the engine: each error carries its
HTTP status, a note for the log line and extra response headers (:class:`kg.query.QueryError`,
whose :class:`~kg.query.QueryTimeout` is the time limit here too)."""

from __future__ import annotations

from ..query.errors import QueryError, QueryTimeout

__all__ = ["QueryTimeout", "ServeError", "WorkerBusy", "WorkerError", "WorkerGone", "error_answer",
           "out_of_memory_message"]


class ServeError(QueryError):
    """A request that ends without an answer from the engine (500 unless said otherwise)."""


class WorkerBusy(ServeError):
    status, note = 503, "busy"


class WorkerError(ServeError):
    status, note = 500, "worker error"


class WorkerGone(Exception):
    """The worker's stdout closed (it died) or carried garbage."""


def error_answer(status: int, message: str) -> dict:
    """The answer (as a worker gives it) that says ``message`` with HTTP ``status``."""
    message = message.rstrip()
    if len(message) > 4000:
        message = message[:4000] + " [...]"
    return {"status": status, "content_type": "text/plain; charset=utf-8",
            "body": (message + "\n").encode("utf-8"), "headers": {}, "rows": 0, "kind": "error"}


def out_of_memory_message(limit: int | None) -> str:
    mb = f" of {limit >> 20} MB" if limit else ""
    return (f"query ran out of memory: it needed more than the query worker's limit{mb} "
            "(kg serve --memory-limit); ask for less (a LIMIT, fewer joins, no ORDER BY over a huge result)")
