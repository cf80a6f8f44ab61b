"""The build: ingest -> nlp -> extract -> resolve -> rdf/store, with a report of what happened.

Only new or changed articles (by content hash) are parsed; an unchanged article is
skipped and says so; a changed one has its named graph replaced. One bad article is
reported and skipped, never losing the others' work.

Failure handling (README, "Failure modes"):

* every bad input becomes a :class:`~kg.ingest.Problem` naming the file (and JSONL line),
  collected in :attr:`BuildReport.skipped`; the rest of the run is built. ``strict`` stops
  at the first problem instead, before anything is written (:mod:`kg.build.select`);
* an article longer than ``max_chars`` (spaCy's limit, :data:`kg.nlp.MAX_CHARS`) is parsed
  in pieces (:mod:`kg.build.chunks`);
* each article is resolved on its own (:mod:`kg.resolve` reads nothing of the run or the
  store), so its graph does not depend on what else is built with it, and articles are
  written while the rest are parsed, ``commit_every`` at a time, each group with its summary
  update, through one writer session (:class:`kg.write.Writer`): a build killed at any moment
  leaves whole articles and a consistent store once the next session has dropped a half-done
  bulk write, and re-running it builds the rest;
* ``stop()`` turning true (the CLI's first SIGINT / SIGTERM) stops parsing, writes what is
  already parsed and returns with :attr:`BuildReport.interrupted`; a KeyboardInterrupt (the
  second signal) stops at once, keeping what was committed.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator

from ..ingest import Problem, read_inputs
from ..model import Article, ArticleGraph
from ..nlp import MAX_CHARS
from ..store import KGStore
from .chunks import extract_articles, merge_chunk_graphs
from . import origins
from .origins import origin_of
from .origins import load as stored_origins
from .report import BuildReport
from .select import MAX_ARTICLE_CHARS, select_articles
from .stages import ExtractionStage, local_extractions

log = logging.getLogger("kg.build")

#: Articles written per write (each write also brings the summary graph up to date). Big
#: writes are cheaper per article (a widely reported fact's summary entry changes once per
#: write); a killed build writes at most this many articles again; the group is held in
#: memory as ArticleGraphs (~40 KB each), its quads stream into the store.
COMMIT_EVERY = 1000


class ExtractionSpool:
    """Extractions parked in an unnamed temporary file (in ``directory``) until every article
    of a ``--strict`` build has parsed, so memory does not grow with the number of articles."""

    def __init__(self, directory=None):
        self._file = tempfile.TemporaryFile(dir=directory)
        self._count = 0

    def append(self, extraction) -> None:
        pickle.dump(extraction, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        self._file.flush()
        self._file.seek(0)
        for _ in range(self._count):
            yield pickle.load(self._file)

    def close(self) -> None:
        self._file.close()


def _until(items: Iterable, stop: Callable[[], bool]) -> Iterator:
    for item in items:
        if stop():
            return
        yield item


def _never() -> bool:
    return False


def build(store: KGStore, inputs: list[str], *, model: str, workers: int | None = 1, stdin=None, force: bool = False,
          progress: bool = True, batch_size: int = 16, extractions: ExtractionStage | None = None,
          strict: bool = False, any_language: bool = False, max_chars: int = MAX_CHARS,
          commit_every: int = COMMIT_EVERY, part_units: int | None = None, follow_symlinks: bool = False,
          title_from: str = "auto", web=None, max_article_chars: int | None = MAX_ARTICLE_CHARS,
          stop: Callable[[], bool] = _never, curation=None) -> BuildReport:
    """Build ``inputs`` into ``store`` (opened for writing); see the module docstring for what
    happens on bad input, long articles, kills and ``stop()``. Never raises for bad input.
    ``follow_symlinks``: follow symbolic links out of an input folder; ``title_from``: how a
    plain-text article's headline is found; ``web``: how URLs are fetched, a
    :class:`kg.ingest.fetch.WebOptions` (all three: :func:`kg.ingest.read_inputs`); its pages are
    cached in ``STORE/web-cache`` unless it names another ``cache_dir``. ``curation``: a
    :class:`kg.curation.Curation` applied when the build ends (default: ``STORE/curation.yaml``)."""
    from ..write import ARTICLE_PART_UNITS, Writer

    if any("://" in i for i in inputs):
        from dataclasses import replace

        from ..ingest.fetch import WEB_CACHE, WebOptions

        web = web or WebOptions()
        if web.cache_dir is None:
            web = replace(web, cache_dir=os.path.join(store.path, WEB_CACHE))
    report = BuildReport()
    read_from: dict[str, tuple[str, int | None]] = {}  # id -> where each selected article was read
    # a bulk write a killed build left half-done is dropped first: its articles are written again
    with Writer(store, part_units=part_units or ARTICLE_PART_UNITS, curation=curation) as writer:
        existing = store.article_hashes()
        try:
            _build(writer, inputs, existing, report, stop, read_from, model=model, workers=workers, stdin=stdin,
                   force=force, progress=progress, batch_size=batch_size, stage=extractions or local_extractions,
                   strict=strict, any_language=any_language, max_chars=max_chars,
                   commit_every=max(1, commit_every), follow_symlinks=follow_symlinks,
                   title_from=title_from, web=web, max_article_chars=max_article_chars)
        except KeyboardInterrupt:
            report.interrupted = True
        report.interrupted = report.interrupted or stop()
        writer.close(complete=not (report.stopped or report.interrupted))
        report.curation = writer.applied
    written = {i: origin_of(read_from[i][0]) for i in report.built + report.replaced}
    origins.save(store.path, written)
    return report


def _build(writer, inputs: list[str], existing: dict[str, str], report: BuildReport, stop: Callable[[], bool],
           origins: dict[str, tuple[str, int | None]], *,
           stdin, force: bool, any_language: bool, strict: bool, follow_symlinks: bool,
           title_from: str, web, max_article_chars: int | None, **kw) -> None:
    reads = _until(read_inputs(inputs, stdin=stdin, follow_symlinks=follow_symlinks, title_from=title_from,
                                 web=web), stop)
    articles = select_articles(reads, existing, report, force=force, strict=strict, any_language=any_language,
                               max_article_chars=max_article_chars, origins=origins,
                               stored_origins=stored_origins(writer.store.path) if existing else {})
    if report.stopped or stop():
        return
    writer.prepare()  # the ontology; a summary of another format is recomputed when the run ends well
    if not articles:
        return

    def problem(article: Article, reason: str) -> Problem:
        source, line = origins.get(article.id, (article.path or article.id, None))
        return Problem(source, reason, line)

    _build_articles(writer, articles, existing, report, stop, strict=strict, problem=problem, **kw)


def _build_articles(writer, articles: list[Article], existing: dict[str, str], report: BuildReport,
                    stop: Callable[[], bool], *, model: str, workers: int | None, progress: bool, batch_size: int,
                    stage: ExtractionStage, strict: bool, max_chars: int, commit_every: int,
                    problem: Callable[[Article, str], Problem]) -> None:
    """Parse, extract, resolve and write ``articles``: each article is resolved on its own
    (:mod:`kg.resolve`), so it is written as soon as it is parsed, ``commit_every`` at a time.
    With ``strict`` nothing is written unless every article parses: the extractions wait in a
    spool until the last one."""
    if workers is None:  # the usable cores, as memory and the number of articles allow
        from .pool import default_workers

        workers = default_workers(len(articles))
    log.info("parsing %d article(s) with %d process(es)", len(articles), workers)
    started = time.perf_counter()
    bar = _progress(len(articles), progress)
    # the articles written (with their summary update), a second line under the parse's: the
    # last write comes after the last article is parsed
    written = _progress(len(articles), progress, desc="written", position=1)

    def extracted() -> Iterator[tuple[Article, list]]:
        try:
            for article, result in extract_articles(articles, stage, model=model, workers=workers,
                                                    batch_size=batch_size, max_chars=max_chars,
                                                    progress=bar.update, stop=stop):
                if isinstance(result, BaseException):
                    p = problem(article, f"extraction failed: {result}")
                    report.skipped.append(p)
                    if strict:
                        report.stopped = p
                        return
                else:
                    yield article, result
                if stop():
                    return
        finally:
            bar.close()

    spool = ExtractionSpool(writer.store.path) if strict else None
    try:
        items: Iterable[tuple[Article, list]] = extracted()
        if spool is not None:
            for item in items:
                spool.append(item)
            if report.stopped:
                return
            items = spool
        n = _write_all(writer, items, existing, report, strict=strict, commit_every=commit_every,
                       problem=problem, written=written.update)
        log.info("parsed, resolved and wrote %d article(s) in %.1f s", n, time.perf_counter() - started)
    finally:
        bar.close()
        written.close()
        if spool is not None:
            spool.close()


def _write_all(writer, items: Iterable[tuple[Article, list]], existing: dict[str, str],
               report: BuildReport, *, strict: bool, commit_every: int,
               problem: Callable[[Article, str], Problem], written: Callable[[int], object] = lambda n: None) -> int:
    """Resolve the extractions ``items`` (``(article, [(offset, DocExtraction), ...])``) as they
    come and write them ``commit_every`` articles per write (``written(n)`` after each write of
    ``n``); the number of articles resolved."""
    from ..resolve import Resolver, article_people

    resolver = Resolver()
    batch: list[ArticleGraph] = []
    resolved = 0
    for article, parts in items:
        try:
            if len(parts) == 1 and parts[0][0] == 0:
                ag = resolver.resolve(parts[0][1])
            else:
                people = article_people(d for _, d in parts)  # a surname in one piece, its full name in another
                ag = merge_chunk_graphs(article, [(off, resolver.resolve(d, people)) for off, d in parts])
        except Exception as e:
            log.exception("resolution failed for %s", article.id)
            p = problem(article, f"resolution failed: {e}")
            report.skipped.append(p)
            if strict:  # nothing more written, not even the rest of this transaction's batch
                report.stopped = p
                return resolved
            continue
        resolved += 1
        batch.append(ag)
        if len(batch) >= commit_every:
            _commit(writer, batch, existing, report, problem)
            written(len(batch))
            batch = []
    if batch:
        _commit(writer, batch, existing, report, problem)
        written(len(batch))
    return resolved


def _commit(writer, graphs: list[ArticleGraph], existing: dict[str, str], report: BuildReport,
            problem: Callable[[Article, str], Problem]) -> None:
    """Write ``graphs`` with their summary update (:meth:`kg.write.Writer.write`); if that fails
    for another reason than the store itself (OSError), write them one by one (the next write
    first undoes what a failed bulk load left) and report the ones that fail."""
    try:
        writer.write(graphs)
        done = graphs
    except (OSError, KeyboardInterrupt):
        raise
    except Exception as e:
        log.warning("writing %d articles at once failed (%s); writing them one by one", len(graphs), e)
        done = []
        for ag in graphs:
            try:
                writer.write([ag])
                done.append(ag)
            except (OSError, KeyboardInterrupt):
                raise
            except Exception as err:
                report.skipped.append(problem(ag.article, f"cannot be written: {err}"))
    for ag in done:
        (report.replaced if ag.article.id in existing else report.built).append(ag.article.id)
    log.info("wrote %d article(s): %s", len(done), " ".join(ag.article.id for ag in done))


def remove(store: KGStore, doc_ids: list[str], curation=None) -> tuple[list[str], list[str]]:
    """Remove articles by id (each in one transaction with the summary refresh), then apply the
    curation (``curation``, else ``STORE/curation.yaml``)."""
    from ..write import Writer

    removed, missing = [], []
    with Writer(store, curation=curation) as writer:
        for d in doc_ids:
            (removed if writer.remove(d) else missing).append(d)
    return removed, missing


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _progress(total: int, enabled: bool, desc: str = "parsing", position: int = 0):
    """A progress bar on stderr; none when ``enabled`` is false or stderr is no terminal."""
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc=desc, leave=False, disable=None, position=position)
