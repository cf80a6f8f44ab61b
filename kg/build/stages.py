"""Extraction stages: articles in, ``(article, DocExtraction)`` out - or ``(article, exception)``
for one that failed - in any order.

* :func:`local_extractions` - in this process, one ``nlp.pipe`` stream (the default);
* :func:`kg.build.pool.pool_extractions` - ``--workers N``: N local processes;
* :class:`kg.build.cluster.DaskExtractions` - ``--dask ADDRESS``: a Dask cluster.

All three parse and extract through :func:`extract_stream`, which holds the one fallback: if
spaCy fails on a text (which ends its stream), the texts of that batch are parsed one by one -
the one that fails is reported - and the stream resumes after them. The worker processes
call :func:`extract_partition`, which keeps the spaCy pipeline and the extraction rules of
the process loaded (:func:`worker_pipeline`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from ..model import Article

log = logging.getLogger("kg.build")

#: ``stage(articles, *, model, workers, batch_size)`` -> ``(article, DocExtraction or exception)``
ExtractionStage = Callable[..., Iterator[tuple[Article, object]]]


class ParseFailed(RuntimeError):
    """spaCy failed on an article's text."""


def extract_stream(nlp, extractor, articles: list[Article], *, batch_size: int = 16,
                   quiet: bool = False) -> Iterator[tuple[Article, object]]:
    """Parse ``articles`` in one ``nlp.pipe`` stream and extract each, in order: ``(article,
    DocExtraction)``, or ``(article, exception)`` when its extraction failed (logged unless
    ``quiet``) or spaCy failed on it (:class:`ParseFailed`). A batch spaCy fails on is parsed
    again one article at a time (``2 x batch_size`` articles from the failure on), then the
    stream resumes: one bad text never loses the others."""

    def extracted(doc, article):
        try:
            return article, extractor.extract(doc, article)
        except Exception as e:  # one bad article must not lose the others
            if not quiet:
                log.error("extraction failed for %s", article.id, exc_info=e)
            return article, e

    i, n = 0, len(articles)
    while i < n:
        try:
            for doc, article in nlp.pipe(((a.text, a) for a in articles[i:]), as_tuples=True,
                                         batch_size=batch_size):
                i += 1
                yield extracted(doc, article)
        except Exception as e:
            if not quiet:
                log.warning("spaCy failed in a batch (%s: %s); parsing it one article at a time",
                            type(e).__name__, e)
            end = min(n, i + batch_size * 2)
            for article in articles[i:end]:
                try:
                    doc = nlp(article.text)
                except Exception as err:
                    yield article, ParseFailed(f"spaCy failed: {type(err).__name__}: {err}")
                else:
                    yield extracted(doc, article)
            i = end


def local_extractions(articles: list[Article], *, model: str, workers: int = 1,
                      batch_size: int = 16) -> Iterator[tuple[Article, object]]:
    """Parse and extract in this process; with ``workers`` > 1, in that many worker processes
    that parse AND extract (:func:`kg.build.pool.pool_extractions`: faster than spaCy's
    ``n_process``, which ships every parsed Doc back to this process)."""
    if workers > 1:
        from .pool import pool_extractions

        yield from pool_extractions(articles, model=model, workers=workers, batch_size=batch_size)
        return
    from ..extract import Extractor
    from ..nlp import load

    yield from extract_stream(load(model), Extractor(), articles, batch_size=batch_size)


# ---------------------------------------------------------------- worker processes
_lock = threading.Lock()
_cache: dict[str, object] = {}


def worker_pipeline(model: str):
    """The spaCy pipeline and the Extractor of this worker process, loaded on first use."""
    with _lock:  # a worker with several threads still loads them once
        if model not in _cache:
            from ..extract import Extractor
            from ..nlp import load

            _cache[model] = (load(model), Extractor())
    return _cache[model]


def extract_partition(articles: list[Article], model: str, batch_size: int = 16) -> list:
    """Runs on a worker: parse and extract a partition (:func:`extract_stream`); a DocExtraction
    or an error message per article (plain strings travel back to any Python)."""
    nlp, extractor = worker_pipeline(model)
    out: list = []
    for _, result in extract_stream(nlp, extractor, articles, batch_size=batch_size, quiet=True):
        if isinstance(result, ParseFailed):
            out.append(str(result))
        elif isinstance(result, BaseException):
            out.append(f"{type(result).__name__}: {result}")
        else:
            out.append(result)
    return out
