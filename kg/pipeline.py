"""The build: ingest -> nlp -> extract -> resolve -> rdf/store, with a summary of what happened.

Only new or changed articles (by content hash) are parsed; an unchanged article is
skipped and says so; a changed one has its named graph replaced. One bad article is
reported and skipped, never losing the others' work.
"""

from __future__ import annotations

import logging
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .ingest import Problem, read_articles
from .model import Article
from .store import KGStore

log = logging.getLogger("kg.build")


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    interrupted: bool = False

    def summary(self) -> str:
        parts = [f"{len(self.built)} built", f"{len(self.replaced)} replaced", f"{len(self.unchanged)} unchanged",
                 f"{len(self.skipped)} skipped"]
        return ", ".join(parts) + (" (interrupted)" if self.interrupted else "")


def known_people(store: KGStore) -> set[str]:
    from .rdf import KG

    q = f"SELECT DISTINCT ?l WHERE {{ ?e a <{KG.Person}> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    return {row["l"].value for row in store.query(q)}


def select_articles(items: Iterable[Article | Problem], existing: dict[str, str], report: BuildReport,
                    force: bool = False) -> list[Article]:
    """Drop unchanged articles, duplicates within the run, and record problems."""
    todo: dict[str, Article] = {}
    seen_hash: dict[str, str] = {}
    for item in items:
        if isinstance(item, Problem):
            report.skipped.append(item)
            log.warning("skipped %s", item)
            continue
        a = item
        if a.id in todo:
            report.skipped.append(Problem(a.path or a.id, f"duplicate id {a.id!r} (already read from {todo[a.id].path})"))
            continue
        h = a.sha256
        if h in seen_hash:
            report.skipped.append(Problem(a.path or a.id, f"same content as article {seen_hash[h]!r}"))
            continue
        seen_hash[h] = a.id
        if not force and existing.get(a.id) == h:
            report.unchanged.append(a.id)
            log.info("unchanged: %s", a.id)
            continue
        todo[a.id] = a
    return list(todo.values())


# An extraction stage turns articles into ``(article, DocExtraction)`` pairs - or
# ``(article, exception)`` for one that failed - in any order; ``local_extractions`` is the
# default, ``kg.distributed.dask_extractions`` runs the same code on a Dask cluster.
ExtractionStage = Callable[..., Iterator[tuple[Article, object]]]


def local_extractions(articles: list[Article], *, model: str, workers: int = 1,
                      batch_size: int = 16) -> Iterator[tuple[Article, object]]:
    """Parse in one ``nlp.pipe`` stream (``workers`` = spaCy ``n_process``), extract here."""
    from .extract import Extractor
    from .nlp import parse

    extractor = Extractor()
    for doc, article in parse(((a.text, a) for a in articles), model=model, workers=workers, batch_size=batch_size):
        try:
            yield article, extractor.extract(doc, article)
        except Exception as e:  # one bad article must not lose the others
            log.exception("extraction failed for %s", article.id)
            yield article, e


class ExtractionSpool:
    """Extractions parked in an unnamed temporary file (in ``directory``) between extraction
    and resolution - resolution needs every person name of the run first - so memory does
    not grow with the number of articles in a build."""

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


def build(store: KGStore, inputs: list[str], *, model: str, workers: int = 1, stdin=None, force: bool = False,
          progress: bool = True, batch_size: int = 16, extractions: ExtractionStage | None = None) -> BuildReport:
    from . import write
    from .resolve import Resolver

    report = BuildReport()
    write.load_ontology(store)
    existing = store.article_hashes()
    articles = select_articles(read_articles(inputs, stdin=stdin), existing, report, force=force)
    if not articles:
        write.refresh_summary(store)
        return report

    resolver = Resolver(known_people=known_people(store))
    docs = ExtractionSpool(store.path)
    bar = _progress(len(articles), progress)
    try:
        stage = extractions or local_extractions
        for article, result in stage(articles, model=model, workers=workers, batch_size=batch_size):
            if isinstance(result, BaseException):
                report.skipped.append(Problem(article.path or article.id, f"extraction failed: {result}"))
            else:
                resolver.learn_people([result])
                docs.append(result)
            bar.update(1)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()

    previous = signal.getsignal(signal.SIGINT)
    try:
        for d in docs:
            try:
                ag = resolver.resolve(d)
            except Exception as e:
                log.exception("resolution failed for %s", d.article.id)
                report.skipped.append(Problem(d.article.path or d.article.id, f"resolution failed: {e}"))
                continue
            write.write_article(store, ag)
            (report.replaced if d.article.id in existing else report.built).append(d.article.id)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        docs.close()
        signal.signal(signal.SIGINT, previous)
        write.refresh_summary(store)
    return report


def remove(store: KGStore, doc_ids: list[str]) -> tuple[list[str], list[str]]:
    from . import write

    removed, missing = [], []
    for d in doc_ids:
        (removed if write.remove_article(store, d) else missing).append(d)
    write.refresh_summary(store)
    return removed, missing


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="parsing", leave=False, disable=None)
