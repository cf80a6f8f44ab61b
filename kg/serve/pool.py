"""The query workers and the scheduler in front of them (two lanes, round-robin by client), and
the one-off worker of an update.

* **Time limit**: the HTTP thread waits for the worker's answer until the deadline; past it the
  worker is killed (SIGKILL: a runaway join cannot be interrupted any other way in Oxigraph),
  the client gets ``503`` and a fresh worker takes its place. Evaluation and serialisation both
  count; waiting for a free worker is bounded by the same limit (``503``).
* **A crash costs one request**: a worker that dies answers that request ``500`` ("the query
  worker crashed (SIGSEGV)"), or ``503`` when it ran out of memory; one worker more than
  ``--workers`` is kept started and idle, so the next request does not wait for a replacement
  (:class:`Penalties` for what the client's next queries cost).
* **Two lanes**: see :class:`WorkerPool`.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import threading
import time
from collections import OrderedDict, deque
from pathlib import Path

from .errors import QueryTimeout, ServeError, WorkerBusy, WorkerError, WorkerGone, error_answer, \
    out_of_memory_message
from .frames import CHUNK
from .limits import COOLDOWN_MAX, DEFAULT_MAX_RESULT_MB, MAX_BODY, REMEMBER_FAILURES, SLOW_AFTER, SLOW_NICE, \
    SPARE_WORKERS
from .process import Worker
from .spool import SPOOL_BUDGET, Answer, Spool, SpoolBudget, job_key


class _Ticket:
    __slots__ = ("client", "worker")

    def __init__(self, client: str):
        self.client = client
        self.worker: Worker | None = None


class Penalties:
    """What crashed workers cost their clients. A query (text and dataset, :func:`job_key`) whose
    worker crashed or ran out of memory is refused for ``REMEMBER_FAILURES`` s without running,
    and its client must wait before its next query (429): 1 s after a first such loss, doubling
    with each further one within a minute, at most ``COOLDOWN_MAX`` s. A crash takes ~30 ms to
    provoke and ~0.1 s of CPU to repair (a new worker process): without the wait, one client
    could keep the pool restarting while everyone else waits for workers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failed: OrderedDict[str, tuple[float, int, str]] = OrderedDict()
        self._losses: dict[str, deque[float]] = {}  # client -> times its queries lost a worker
        self._cooldown: dict[str, float] = {}  # client -> when it may run a query again

    def remember(self, key: str, status: int, message: str) -> None:
        with self._lock:
            self._failed[key] = (time.monotonic() + REMEMBER_FAILURES, status, message)
            self._failed.move_to_end(key)
            while len(self._failed) > 1000:
                self._failed.popitem(last=False)

    def penalise(self, client: str) -> None:
        """A query of ``client`` cost a worker: it waits before its next one."""
        now = time.monotonic()
        with self._lock:
            times = self._losses.setdefault(client, deque())
            times.append(now)
            while times and times[0] < now - 60:
                times.popleft()
            self._cooldown[client] = now + min(COOLDOWN_MAX, 2.0 ** (len(times) - 1))
            if len(self._losses) > 10000:  # forget the oldest clients
                for c in [c for c, t in self._losses.items() if not t or t[-1] < now - 60]:
                    self._losses.pop(c, None)
                    self._cooldown.pop(c, None)

    def cooling(self, client: str) -> float:
        """Seconds ``client`` must still wait (0 if none)."""
        with self._lock:
            left = self._cooldown.get(client, 0.0) - time.monotonic()
        return left if left > 0 else 0.0

    def recall(self, key: str) -> tuple[int, str] | None:
        """``(status, message)`` of the failure of query ``key`` if it is still remembered."""
        with self._lock:
            item = self._failed.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._failed[key]
                return None
            return item[1], item[2]


class WorkerPool:
    """Read-only query workers and the scheduler in front of them.

    ``size`` workers serve the fast lane (queries running for less than ``slow_after``); one
    (``spare``) more is kept started and idle. A query that runs past ``slow_after`` moves its
    worker to the slow lane (re-niced, not counted in ``size``; retired after the query) and the
    spare takes its place while the maintainer thread starts another: quick queries always have
    ``size`` workers. At most ``slow_workers`` queries are slow at once; past that a query that
    turns slow is stopped (503). Requests waiting for a worker are served round-robin by client.
    A query that costs its worker is refused again and its client made to wait (:class:`Penalties`).
    """

    def __init__(self, store_dir: Path, size: int = 2, sandbox: bool = True, startup_timeout: float = 60.0,
                 log=None, *, memory_limit: int | None = None, slow_workers: int | None = None,
                 spare: int = SPARE_WORKERS, slow_after: float = SLOW_AFTER,
                 max_result_bytes: int = DEFAULT_MAX_RESULT_MB << 20, spool_budget: int = SPOOL_BUDGET):
        self.store_dir = Path(store_dir)
        self.size = size
        self.slow_workers = size if slow_workers is None else slow_workers
        self.spare = spare
        self.slow_after = slow_after
        self.sandbox = sandbox
        self.memory_limit = memory_limit
        self.max_result_bytes = max_result_bytes
        self.startup_timeout = startup_timeout
        self._log = log or (lambda msg: None)
        self.budget = SpoolBudget(spool_budget)
        self.sandboxed = False
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._retire: list[tuple[Worker, str]] = []
        self._fast = self._slow = self._starting = 0
        self._waiting: dict[str, deque[_Ticket]] = {}
        self._turns: deque[str] = deque()  # clients with waiting requests, in serving order
        self.penalties = Penalties()
        self._closed = False
        self._thread: threading.Thread | None = None
        try:
            for _ in range(size + spare):
                self._idle.append(self._start())
        except BaseException:
            self.close()
            raise
        # One long-lived thread starts the replacements: PR_SET_PDEATHSIG fires when the
        # *thread* that started a worker ends, so short-lived threads must not start them.
        self._thread = threading.Thread(target=self._maintain, name="kg-serve-workers", daemon=True)
        self._thread.start()

    # -- processes -------------------------------------------------------------------
    def _start(self) -> Worker:
        w = Worker(self.store_dir, "read", self.sandbox, self.memory_limit, self._log)
        try:
            info = w.wait_ready(self.startup_timeout)
        except WorkerError as e:
            w.kill()
            raise WorkerError(f"query worker did not start: {e}") from None
        if not info.get("ready"):
            w.kill()
            if self.sandbox:  # e.g. the store is unreadable inside the user namespace: retry without
                self._log(f"kg serve: worker failed in the network sandbox ({info.get('error')}); "
                          "retrying without it")
                self.sandbox = False
                return self._start()
            raise WorkerError(f"query worker could not open the store: {info.get('error')}")
        self.sandboxed = bool(info.get("sandbox"))
        with self._cond:
            self._all.add(w)
        return w

    def _deficit(self) -> int:
        return self.size + self.spare - (len(self._idle) + self._fast + self._starting)

    def _maintain(self) -> None:
        backoff, retry_at = 0.5, 0.0
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    start = self._deficit() > 0 and time.monotonic() >= retry_at
                    if self._retire or start:
                        break
                    self._cond.wait(None if self._deficit() <= 0 else max(0.01, retry_at - time.monotonic()))
                retire, self._retire = self._retire, []
                if start:
                    self._starting += 1
            for w, reason in retire:
                w.kill()
                with self._cond:
                    self._all.discard(w)
                if reason:
                    rss = f"; peak RSS {w.peak_rss / 2**20:.0f} MB" if w.peak_rss else ""
                    self._log(f"kg serve: worker {w.pid} {reason}{rss}")
            if not start:
                continue
            new = None
            try:
                new = self._start()
                backoff = 0.5
            except WorkerError as e:
                self._log(f"kg serve: {e}; trying again in {backoff:g} s")
                retry_at = time.monotonic() + backoff
                backoff = min(backoff * 2, 30.0)
            with self._cond:
                self._starting -= 1
                if new is not None and not self._closed:
                    self._idle.append(new)
                    self._dispatch()
                    new = None
            if new is not None:
                new.kill()

    # -- scheduling ------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Give idle workers to waiting requests, one client at a time (lock held)."""
        while self._turns and self._idle and self._fast < self.size:
            w = self._idle.pop(0)
            if not w.alive():  # died while idle (killed from outside): not a request's fault
                self._retire.append((w, "died while idle"))
                continue
            client = self._turns.popleft()
            tickets = self._waiting[client]
            tickets.popleft().worker = w
            self._fast += 1
            if tickets:
                self._turns.append(client)
            else:
                del self._waiting[client]
        self._cond.notify_all()

    def _acquire(self, client: str, deadline: float) -> Worker:
        ticket = _Ticket(client)
        with self._cond:
            if self._closed:
                raise WorkerError("the server is stopping", 503)
            if client not in self._waiting:
                self._waiting[client] = deque()
                self._turns.append(client)
            self._waiting[client].append(ticket)
            self._dispatch()
            while ticket.worker is None:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    tickets = self._waiting.get(client)
                    if tickets is not None and ticket in tickets:
                        tickets.remove(ticket)
                        if not tickets:
                            del self._waiting[client]
                            self._turns.remove(client)
                    raise WorkerBusy("all query workers stayed busy; try again", headers={"Retry-After": "1"})
                self._cond.wait(left)
            return ticket.worker

    def _release(self, w: Worker, healthy: bool, reason: str = "") -> None:
        with self._cond:
            if w.slow:
                self._slow -= 1
            else:
                self._fast -= 1
            if healthy and not w.slow and not self._closed and w.alive():
                self._idle.append(w)
            else:
                self._retire.append((w, reason or ("retired after a slow query" if w.slow else "")))
            self._dispatch()

    def _to_slow_lane(self, w: Worker) -> bool:
        with self._cond:
            if self._closed or self._slow >= self.slow_workers:
                return False
            self._fast -= 1
            self._slow += 1
            w.slow = True
            self._dispatch()
        try:
            os.setpriority(os.PRIO_PROCESS, w.pid, min(19, os.getpriority(os.PRIO_PROCESS, w.pid) + SLOW_NICE))
        except OSError:
            pass
        return True

    # -- running a query -------------------------------------------------------------
    def run(self, job: dict, timeout: float, client: str = "-") -> Answer:
        """Run ``job`` on a worker within ``timeout`` s (plus at most ``timeout`` s waiting for
        one). The :class:`Answer` (its spool is the caller's to close), or a :class:`ServeError`."""
        wait = self.penalties.cooling(client)
        if wait:
            raise ServeError(f"a query from {client} made a query worker fail a moment ago: wait {math.ceil(wait)} s "
                             "before the next one", 429, note="cooling down",
                             headers={"Retry-After": str(math.ceil(wait))})
        key = job_key(job)
        failed = self.penalties.recall(key)
        if failed:
            raise WorkerError(f"{failed[1]} (the same query failed this way less than "
                              f"{REMEMBER_FAILURES / 60:.0f} minutes ago: refused without running)", failed[0],
                              note="refused: failed before")
        job = {**job, "max_result_bytes": self.max_result_bytes}
        wait_deadline = time.monotonic() + timeout
        for _attempt in range(3):
            w = self._acquire(client, wait_deadline)
            try:
                w.send(job)
                break
            except OSError:  # died while idle: take another
                self._release(w, False, "died while idle")
        else:
            raise WorkerError("query failed: no query worker could take it")
        start = time.monotonic()
        deadline, slow_at = start + timeout, start + self.slow_after
        spool = Spool(self.budget, self.max_result_bytes + 2 * CHUNK)
        healthy, reason, answer = False, "", None
        try:
            while True:
                frame = w.recv_frame(deadline if w.slow else min(deadline, slow_at))
                if frame is None:
                    if time.monotonic() >= deadline:
                        reason = "killed at the time limit"
                        raise QueryTimeout(f"query stopped: it ran over the time limit of {timeout:g} s")
                    if not w.slow and not self._to_slow_lane(w):
                        reason = "stopped: the slow lane was full"
                        raise WorkerBusy(f"query stopped after {self.slow_after:g} s: the server is already running "
                                         f"{self.slow_workers} slow queries; try again later",
                                         note="slow lane full", headers={"Retry-After": "5"})
                    continue
                kind, payload = frame
                if kind == b"D":
                    spool.write(payload)
                    continue
                meta = json.loads(payload)
                if meta.pop("exit", False):  # the worker stops after this answer (MemoryError)
                    reason = "ran out of memory (MemoryError)"
                    self.penalties.remember(key, meta.get("status", 503), out_of_memory_message(self.memory_limit))
                    self.penalties.penalise(client)
                else:
                    healthy = True
                answer = Answer(meta, spool)
                return answer
        except (WorkerGone, json.JSONDecodeError, UnicodeDecodeError) as e:
            status, message, reason = w.failure()
            if str(e) != "exited":
                status, message = 500, f"query failed: the query worker sent {e}; it has been replaced"
                reason = f"sent {e}"
            self.penalties.remember(key, status, message)
            self.penalties.penalise(client)
            raise WorkerError(message, status, note="out of memory" if status == 503 else "worker crashed") from None
        finally:
            if answer is None:
                spool.close()
            self._release(w, healthy, reason)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for w in workers:  # EOF first: idle workers exit at once
            try:
                w.proc.stdin.close()
            except OSError:
                pass
        end = time.monotonic() + 2
        for w in workers:
            try:
                w.proc.wait(timeout=max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            w.kill()


def run_update(store_dir: Path, text: str, timeout: float, sandbox: bool = True, memory_limit: int | None = None,
               log=None) -> dict:
    """Run one SPARQL UPDATE in a fresh worker holding the store's writer lock."""
    w = Worker(store_dir, "update", sandbox, memory_limit, log)
    try:
        try:
            info = w.wait_ready(max(timeout, 30.0))
        except WorkerError as e:
            return error_answer(500, f"cannot write the store: {e}")
        if not info.get("ready"):
            return error_answer(info.get("status", 500), f"cannot write the store: {info.get('error')}")
        w.send({"text": text})
        body = bytearray()

        def sink(data: bytes) -> None:
            if len(body) + len(data) > MAX_BODY:
                raise WorkerGone("an answer over the size limit")
            body.extend(data)

        try:
            meta = w.recv_answer(time.monotonic() + timeout, sink)
        except QueryTimeout:
            raise QueryTimeout(f"update stopped: it ran over the time limit of {timeout:g} s") from None
        except (WorkerGone, json.JSONDecodeError):
            status, message, _ = w.failure()
            raise WorkerError(message.replace("query", "update", 1), status) from None
        meta.pop("exit", None)
        meta["body"] = bytes(body)
        return meta
    finally:
        w.close()
