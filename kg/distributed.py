"""Parsing and extraction on a Dask cluster, one local writer (``kg build --dask ADDRESS``).

The local process reads and selects the articles as usual, ships them to the cluster in
partitions of ``batch_size`` articles, and takes the extractions back (plain dataclasses,
about 12 kB an article) in article order, a bounded number of partitions in flight - so
articles stream through the cluster and neither side holds the corpus. Resolution and the
store stay in the local process: one writer, and the same resolver as a local build, so the
store ends up with exactly the quads a local build would write.

Each worker process loads the spaCy model and the extraction rules once (when the build
starts, through :func:`check_cluster`, or on its first partition if it joins later) and
keeps them for every later partition and build. Workers must run the same kg (code, data/
and model) as the writer; :func:`check_cluster` compares a fingerprint and refuses a
cluster that differs, since its results would differ too.

Needs the ``dask`` extra on the writer and on every worker: ``pip install 'kg[dask]'``.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from .model import Article

log = logging.getLogger("kg.distributed")

# Partitions in flight per worker thread: enough to keep every worker busy while the writer
# waits for the oldest one, few enough that neither side buffers much of the corpus.
IN_FLIGHT_PER_THREAD = 2
CONNECT_TIMEOUT = "30s"
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
    files = sorted(pkg.glob("*.py")) + sorted(data.glob("*.yaml")) + sorted((data / "gazetteer").glob("*"))
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
    """Runs on a worker: parse and extract a partition; a DocExtraction or an error message per article."""
    nlp, extractor = _worker_pipeline(model)
    out: list = []
    for doc, article in nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=batch_size):
        try:
            out.append(extractor.extract(doc, article))
        except Exception as e:  # one bad article must not lose the others
            out.append(f"{type(e).__name__}: {e}")
    return out


# ---------------------------------------------------------------- writer side
def connect(address: str):
    try:
        from distributed import Client
    except ImportError as e:
        raise ClusterError("--dask needs the dask extra: pip install 'kg[dask]' (dask[distributed])") from e
    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from e


def check_cluster(client, model: str) -> int:
    """Load the model on every worker and check they all run this kg; the number of worker threads."""
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
    except TimeoutError as e:
        raise ClusterError(f"the Dask cluster has no worker (waited {WAIT_FOR_WORKERS_S} s)") from e
    local = fingerprint(model)
    try:
        remote = client.run(_preflight, model)
    except Exception as e:
        raise ClusterError(f"a Dask worker cannot run kg with model {model!r}: {type(e).__name__}: {e} "
                           "(install the same kg, its data/ and the model on every worker)") from e
    bad = sorted(addr for addr, fp in remote.items() if fp != local)
    if bad:
        raise ClusterError(
            f"Dask worker(s) {', '.join(bad)} run a different kg, data/ or model (fingerprint "
            f"{remote[bad[0]]} vs {local} here); their results would differ - install the same version")
    return sum(client.nthreads().values())


def dask_extractions(address: str | None = None, *, client=None, partition_size: int | None = None,
                     in_flight: int | None = None):
    """An extraction stage for :func:`kg.pipeline.build` that runs on the Dask cluster at ``address``
    (or on an existing ``client``). Partitions hold ``partition_size`` articles (default: the
    build's ``batch_size``)."""

    def stage(articles: list[Article], *, model: str, workers: int = 1,
              batch_size: int = 16) -> Iterator[tuple[Article, object]]:
        own = client is None
        c = connect(address) if own else client
        try:
            threads = check_cluster(c, model)
            size = max(1, partition_size or batch_size)
            parts = iter([articles[i:i + size] for i in range(0, len(articles), size)])
            window = max(2, in_flight or IN_FLIGHT_PER_THREAD * threads)
            log.info("dask: %d articles in partitions of %d on %d worker thread(s)", len(articles), size, threads)
            pending: collections.deque = collections.deque()

            def submit_next() -> None:
                part = next(parts, None)
                if part is not None:
                    pending.append((part, c.submit(extract_partition, part, model, batch_size, pure=False)))

            for _ in range(window):
                submit_next()
            while pending:
                part, future = pending.popleft()
                try:
                    results = future.result()
                except Exception as e:  # the partition failed (worker lost, ...): its articles are skipped
                    log.warning("dask partition of %d articles failed: %s", len(part), e)
                    results = [f"on the Dask cluster: {type(e).__name__}: {e}"] * len(part)
                finally:
                    future.release()
                submit_next()
                for article, result in zip(part, results):
                    yield article, (RuntimeError(result) if isinstance(result, str) else result)
        finally:
            if own:
                c.close()

    return stage
