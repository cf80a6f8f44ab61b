"""Answers on their way to clients. The worker streams its serialised answer in 64 KB frames; the
HTTP thread spools it (the first 256 KB in memory, the rest in an unlinked temporary file), so
the worker is free again as soon as the answer is complete, whatever the client does, and a
client that does not read costs the server at most 256 KB of memory. A result over
``--max-result-mb`` is refused with ``503``; all spooled results together are capped at 1 GB
(``503`` beyond). The pipe between worker and server is the back-pressure: a worker blocks while
the server has not taken its last frame."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading

from .errors import WorkerBusy, WorkerGone
from .frames import CHUNK

SPOOL_MEMORY = 256 << 10  # bytes of one response held in memory; the rest goes to a temporary file
SPOOL_BUDGET = 1 << 30  # bytes of all responses spooled at once


class SpoolBudget:
    """Bytes of response bodies held for clients at once, memory and temporary files together."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> bool:
        with self._lock:
            if self.used + n > self.limit:
                return False
            self.used += n
            return True

    def give(self, n: int) -> None:
        with self._lock:
            self.used -= n


class Spool:
    """One response body between a worker and its client: the first ``memory`` bytes in memory,
    the rest in an unlinked temporary file; at most ``limit`` bytes."""

    def __init__(self, budget: SpoolBudget, limit: int, memory: int = SPOOL_MEMORY):
        self._budget = budget
        self._limit = limit
        self._file = tempfile.SpooledTemporaryFile(max_size=memory)
        self.size = 0

    def write(self, data: bytes) -> None:
        if self.size + len(data) > self._limit:
            raise WorkerGone("an answer over the result size limit")
        if not self._budget.take(len(data)):
            raise WorkerBusy("the server holds too many results that clients have not read yet; try again",
                             note="spool full", headers={"Retry-After": "5"})
        self.size += len(data)
        self._file.write(data)

    def chunks(self, n: int = CHUNK):
        self._file.seek(0)
        while True:
            data = self._file.read(n)
            if not data:
                return
            yield data

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._budget.give(self.size)


class Answer:
    """A worker's complete answer: ``meta`` (status, content_type, headers, kind, rows,
    truncated) and the body in ``spool`` (the caller closes it)."""

    __slots__ = ("meta", "spool")

    def __init__(self, meta: dict, spool: Spool):
        self.meta = meta
        self.spool = spool


def job_key(job: dict) -> str:
    """What makes two requests the same query for the engine: text and dataset (a page: its
    kind and address or search text)."""
    data = json.dumps([job.get("text"), job.get("default_graph"), job.get("named_graphs"),
                       *([job["page"], job.get("iri"), job.get("q"), job.get("type")] if job.get("page") else [])],
                      ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()
