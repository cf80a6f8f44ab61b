"""``kg build --workers N`` (N > 1): N local processes each parse AND extract partitions of
up to ``batch_size`` articles (:func:`partitions`) and send back the extractions. spaCy's own
``n_process`` ships every parsed ``Doc`` back to the parent, which then deserialises and
extracts it on top of resolving and writing: on 2 cores that made ``--workers 2`` slower than
1; here the parent only resolves and writes.

The local process reads and selects the articles as usual, sends them out in partitions and
takes the extractions back (plain dataclasses, about 12 kB an article) in article order, a
bounded number of partitions in flight (:func:`in_order`, shared with the Dask stage) - so
articles stream through the workers and neither side holds the corpus. Resolution and the
store stay in the local process: one writer, and the same resolver as a local build, so the
store ends up with exactly the quads a one-process build would write. Workers are forked
from a parent that loaded the spaCy model where fork exists, and keep it.
"""

from __future__ import annotations

import collections
import logging
import os
import signal
from collections.abc import Iterator

from ..model import Article
from ..processes import die_with_parent
from .stages import extract_partition, worker_pipeline

log = logging.getLogger("kg.build")

#: Partitions in flight per worker thread: enough to keep every worker busy while the writer
#: waits for the oldest one, few enough that neither side buffers much of the corpus.
IN_FLIGHT_PER_THREAD = 2


def in_order(parts: Iterator[list[Article]], submit, window: int, name: str) -> Iterator[tuple[Article, object]]:
    """Submit partitions (``submit(part)`` -> a future), at most ``window`` in flight, and yield
    ``(article, extraction or exception)`` in article order; a failed partition fails its articles."""
    pending: collections.deque = collections.deque()

    def submit_next() -> None:
        part = next(parts, None)
        if part is not None:
            pending.append((part, submit(part)))

    try:
        for _ in range(window):
            submit_next()
        while pending:
            part, future = pending.popleft()
            try:
                results = future.result()
            except Exception as e:  # worker lost, pool broken, ...: its articles are skipped
                log.warning("%s: a partition of %d articles failed: %s", name, len(part), e)
                results = [f"{name}: {type(e).__name__}: {e}"] * len(part)
            finally:
                if hasattr(future, "release"):
                    future.release()
            submit_next()
            for article, result in zip(part, results):
                yield article, (RuntimeError(result) if isinstance(result, str) else result)
    finally:
        for _, future in pending:  # stopped early: drop what is still queued
            future.cancel()


#: The smallest partition the last ones shrink to (see :func:`partitions`).
MIN_PARTITION = 2


def partitions(articles: list[Article], size: int, workers: int) -> Iterator[list[Article]]:
    """Consecutive partitions of at most ``size`` articles, the last ones smaller (half of a
    worker's share of what is left, down to :data:`MIN_PARTITION`), so the workers run out of work at
    about the same time: with partitions of one size, one worker could still be parsing a
    whole partition while the others sat idle (docs/decisions/write-path.md)."""
    size, workers = max(1, size), max(1, workers)
    i, n = 0, len(articles)
    while i < n:
        step = min(size, max(MIN_PARTITION, -(-(n - i) // (2 * workers))))
        yield articles[i:i + step]
        i += step


def _pool_init(model: str, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the build's handler, inherited through fork
    worker_pipeline(model)


def pool_extractions(articles: list[Article], *, model: str, workers: int = 2,
                     batch_size: int = 16) -> Iterator[tuple[Article, object]]:
    """The local extraction stage for ``--workers N``: N processes parse and extract partitions
    of ``batch_size`` articles; this process only collects the results (see the module doc)."""
    import concurrent.futures as cf
    import multiprocessing as mp

    if not articles:
        return
    fork = "fork" in mp.get_all_start_methods()
    if fork:
        worker_pipeline(model)  # loaded once here; forked workers share it
    parts = partitions(articles, batch_size, workers)
    pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("fork" if fork else "spawn"),
                                  initializer=_pool_init, initargs=(model, os.getpid()))
    try:
        yield from in_order(parts, lambda part: pool.submit(extract_partition, part, model, batch_size),
                            IN_FLIGHT_PER_THREAD * workers, "worker process")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


#: Resident memory one parsing worker needs (the small English model and a batch of articles;
#: measured ~0.4 GB, with room for long articles), and articles below which a second process
#: costs more (its model load, ~1.5 s) than it saves.
WORKER_MEMORY_BYTES = 600 * 2**20
ARTICLES_PER_WORKER = 20


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes of memory available without swapping (Linux ``MemAvailable``), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_workers(n_articles: int, cores: int | None = None, memory: int | None = None) -> int:
    """``kg build``'s ``--workers`` when not given: the usable cores, at most one per
    :data:`WORKER_MEMORY_BYTES` of available memory and one per :data:`ARTICLES_PER_WORKER`
    articles to parse (a small build stays in one process), at least 1."""
    cores = usable_cores() if cores is None else cores
    memory = available_memory() if memory is None else memory
    n = min(cores, max(1, n_articles // ARTICLES_PER_WORKER))
    if memory is not None:
        n = min(n, memory // WORKER_MEMORY_BYTES)
    return max(1, n)
