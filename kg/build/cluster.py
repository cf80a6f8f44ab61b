"""``kg build --dask ADDRESS``: parse and extract on a Dask cluster (:class:`DaskExtractions`),
the same partitions as local worker processes (:mod:`kg.build.pool`), while this process
resolves and writes the store.

Dask workers load the spaCy model and the extraction rules when the build starts, through
:func:`check_cluster`, or on their first partition if they join later, and keep them. They
must run the same kg (code, data files and model) as the writer: :func:`check_cluster`
compares a :func:`fingerprint` and refuses a cluster that differs, since its results would
differ too.

``--dask`` needs the ``dask`` extra on the writer and on every worker: ``pip install 'kg[dask]'``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

from ..model import Article
from .pool import IN_FLIGHT_PER_THREAD, in_order, partitions
from .stages import extract_partition, worker_pipeline

log = logging.getLogger("kg.build")

WAIT_FOR_WORKERS_S = 60


class ClusterError(Exception):
    """The Dask cluster cannot run the build; the message says what to do."""


#: Parts of the data folder that decide no extraction (the sample articles, its README).
_NOT_RULES = ("articles", "README.md")


def fingerprint(model: str, *, package: Path | None = None, data: Path | None = None) -> str:
    """What decides an extraction: kg's code (every module of the package and its subpackages),
    its data files (rules, lexicons, gazetteer, ontology: all of ``data`` but the sample
    articles), spaCy and the model. ``package`` and ``data``: the folders to read instead of
    this kg's."""
    from ..paths import data_dir

    package = package or Path(__file__).resolve().parent.parent
    data = data or data_dir()
    h = hashlib.sha256()
    files = [("kg", p, p.relative_to(package)) for p in package.rglob("*.py")]
    files += [("data", p, p.relative_to(data)) for p in data.rglob("*")]
    for root, p, rel in sorted(files, key=lambda f: (f[0], f[2].as_posix())):
        if not p.is_file() or "__pycache__" in rel.parts or (root == "data" and rel.parts[0] in _NOT_RULES):
            continue
        h.update(f"{root}/{rel.as_posix()}".encode() + b"\0" + p.read_bytes() + b"\0")
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
    worker_pipeline(model)
    return fingerprint(model)


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
    """An extraction stage for :func:`kg.build.build` on the Dask cluster at ``address`` (or
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
            yield from in_order(parts, lambda part: c.submit(extract_partition, part, model, batch_size, pure=False),
                                window, "on the Dask cluster")
        finally:
            self.close()


def dask_extractions(address: str | None = None, **kw) -> DaskExtractions:
    """``kg build --dask ADDRESS``: see :class:`DaskExtractions`."""
    return DaskExtractions(address, **kw)
