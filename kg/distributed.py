"""Parsing and extraction away from the writer: on local worker processes or a Dask cluster.

* ``kg build --workers N`` (N > 1): :func:`pool_extractions` - N local processes each parse
  AND extract partitions of up to ``batch_size`` articles (:func:`partitions`) and send back the extractions. spaCy's
  own ``n_process`` ships every parsed ``Doc`` back to the parent, which then deserialises
  and extracts it on top of resolving and writing: on 2 cores that made ``--workers 2``
  slower than 1; here the parent only resolves and writes.
* ``kg build --dask ADDRESS``: :class:`DaskExtractions` - the same partitions on a Dask
  cluster.

Either way the local process reads and selects the articles as usual, sends them out in
partitions, and takes the extractions back (plain dataclasses, about 12 kB an article) in
article order, a bounded number of partitions in flight - so articles stream through the
workers and neither side holds the corpus. Resolution and the store stay in the local
process: one writer, and the same resolver as a local build, so the store ends up with
exactly the quads a one-process build would write.

Each worker process loads the spaCy model and the extraction rules once and keeps them for
every later partition (local workers are forked from a parent that loaded them, where fork
exists; Dask workers load them when the build starts, through :func:`check_cluster`, or on
their first partition if they join later). Dask workers must run the same kg (code, data/
and model) as the writer; :func:`check_cluster` compares a fingerprint and refuses a
cluster that differs, since its results would differ too.

``--dask`` needs the ``dask`` extra on the writer and on every worker: ``pip install 'kg[dask]'``.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from .model import Article
from .processes import die_with_parent

log = logging.getLogger("kg.distributed")

# Partitions in flight per worker thread: enough to keep every worker busy while the writer
# waits for the oldest one, few enough that neither side buffers much of the corpus.
IN_FLIGHT_PER_THREAD = 2
WAIT_FOR_WORKERS_S = 60


class ClusterError(Exception):
    """The Dask cluster cannot run the build; the message says what to do."""


# ---------------------------------------------------------------- worker side
_lock = threading.Lock()
_cache: dict[str, object] = {}


def _worker_pipeline(model: str):
    """The spaCy pipeline and the Extractor of this worker process, loaded on first use."""
    with _lock:  # a worker with several threads still loads them once
        if model not in _cache:
            from .extract import Extractor
            from .nlp import load

            _cache[model] = (load(model), Extractor())
    return _cache[model]


def fingerprint(model: str) -> str:
    """What decides an extraction: kg's code, its rule and gazetteer data, spaCy and the model."""
    from .paths import data_dir

    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    data = data_dir()
    files = sorted(pkg.rglob("*.py")) + sorted(data.glob("*.yaml")) + sorted((data / "gazetteer").glob("*"))
    for p in files:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(f"spacy {_version('spacy')} {model} {_version(model)}".encode())
    return h.hexdigest()[:16]


def _version(distribution: str) -> str:
    """An installed package's version, read without importing it (the writer never loads spaCy)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


def _preflight(model: str) -> str:
    _worker_pipeline(model)
    return fingerprint(model)


def extract_partition(articles: list[Article], model: str, batch_size: int = 16) -> list:
    """Runs on a worker: parse and extract a partition; a DocExtraction or an error message per
    article. If spaCy fails on the partition, its texts are parsed one by one (the bad one is
    reported), as a local build does."""
    nlp, extractor = _worker_pipeline(model)

    def extracted(doc, article):
        try:
            return extractor.extract(doc, article)
        except Exception as e:  # one bad article must not lose the others
            return f"{type(e).__name__}: {e}"

    try:
        return [extracted(doc, a) for doc, a in nlp.pipe(((a.text, a) for a in articles), as_tuples=True,
                                                          batch_size=batch_size)]
    except Exception:
        out: list = []
        for a in articles:
            try:
                doc = nlp(a.text)
            except Exception as e:
                out.append(f"spaCy failed: {type(e).__name__}: {e}")
            else:
                out.append(extracted(doc, a))
        return out


def _in_order(parts: Iterator[list[Article]], submit, window: int, name: str) -> Iterator[tuple[Article, object]]:
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
    whole partition while the others sat idle - 0.5 to 2 s of a 9 s parse of 100 articles on
    2 workers (measured: 9.0 and 9.3 s with fixed partitions of 16, 8.2 and 8.3 s shrinking)."""
    size, workers = max(1, size), max(1, workers)
    i, n = 0, len(articles)
    while i < n:
        step = min(size, max(MIN_PARTITION, -(-(n - i) // (2 * workers))))
        yield articles[i:i + step]
        i += step


# ---------------------------------------------------------------- local worker processes
def _pool_init(model: str, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the build's handler, inherited through fork
    _worker_pipeline(model)


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
        _worker_pipeline(model)  # loaded once here; forked workers share it
    parts = partitions(articles, batch_size, workers)
    pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("fork" if fork else "spawn"),
                                  initializer=_pool_init, initargs=(model, os.getpid()))
    try:
        yield from _in_order(parts, lambda part: pool.submit(extract_partition, part, model, batch_size),
                             IN_FLIGHT_PER_THREAD * workers, "worker process")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------- writer side
def connect(address: str):
    try:
        from distributed import Client
    except ImportError as e:
        raise ClusterError("--dask needs the dask extra: pip install 'kg[dask]' (dask[distributed])") from e
    _probe(address)
    try:
        # connect timeout: dask's distributed.comm.timeouts.connect (30 s unless configured)
        return Client(address)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from e


def _probe(address: str, timeout: float = 10.0) -> None:
    """Fail fast (and quietly) when nothing listens at a tcp:// scheduler address."""
    import socket
    from urllib.parse import urlsplit

    scheme, sep, _ = address.partition("://")
    if sep and scheme != "tcp":
        return
    try:
        u = urlsplit(address if sep else "tcp://" + address)
        host, port = u.hostname, u.port or 8786
    except ValueError as e:
        raise ClusterError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT)") from e
    if not host:
        raise ClusterError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT)")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e.strerror or e}") from None


def check_cluster(client, model: str) -> int:
    """Load the model on every worker and check they all run this kg; the number of worker threads."""
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
    except TimeoutError as e:
        raise ClusterError(f"the Dask cluster has no worker (waited {WAIT_FOR_WORKERS_S} s)") from e
    try:
        remote = client.run(_preflight, model)
    except Exception as e:
        raise ClusterError(f"a Dask worker cannot run kg with model {model!r}: {type(e).__name__}: {e} "
                           "(install the same kg, its data/ and the model on every worker)") from e
    local = fingerprint(model)
    if any(fp != local for fp in remote.values()):  # once more, in case a file changed meanwhile
        remote, local = client.run(fingerprint, model), fingerprint(model)
    bad = sorted(addr for addr, fp in remote.items() if fp != local)
    if bad:
        raise ClusterError(
            f"Dask worker(s) {', '.join(bad)} run a different kg, data/ or model (fingerprint "
            f"{remote[bad[0]]} vs {local} here); their results would differ - install the same version")
    return sum(client.nthreads().values())


class DaskExtractions:
    """An extraction stage for :func:`kg.pipeline.build` on the Dask cluster at ``address`` (or
    through an existing ``client``). Partitions hold ``partition_size`` articles (default: the
    build's ``batch_size``). A connection this object opens lasts one call (a build calls the
    stage once, plus once per article too long for one parse); the cluster check is made once."""

    def __init__(self, address: str | None = None, *, client=None, partition_size: int | None = None,
                 in_flight: int | None = None):
        if address is None and client is None:
            raise ValueError("give a scheduler address or a client")
        self.address = address
        self.partition_size = partition_size
        self.in_flight = in_flight
        self._client = client
        self._own = client is None
        self._threads: dict[str, int] = {}  # model -> worker threads, once checked

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> DaskExtractions:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, articles: list[Article], *, model: str, workers: int = 1,
                 batch_size: int = 16) -> Iterator[tuple[Article, object]]:
        try:
            if self._client is None:
                self._client = connect(self.address)
            c = self._client
            if model not in self._threads:
                self._threads[model] = check_cluster(c, model)
            threads = max(1, sum(c.nthreads().values()) or self._threads[model])
            size = max(1, self.partition_size or batch_size)
            parts = partitions(articles, size, threads)
            window = max(2, self.in_flight or IN_FLIGHT_PER_THREAD * threads)
            log.info("dask: %d articles in partitions of %d on %d worker thread(s)", len(articles), size, threads)
            yield from _in_order(parts, lambda part: c.submit(extract_partition, part, model, batch_size, pure=False),
                                 window, "on the Dask cluster")
        finally:
            self.close()


def dask_extractions(address: str | None = None, **kw) -> DaskExtractions:
    """``kg build --dask ADDRESS``: see :class:`DaskExtractions`."""
    return DaskExtractions(address, **kw)
