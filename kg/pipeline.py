"""The build: ingest -> nlp -> extract -> resolve -> rdf/store, with a summary of what happened.

Only new or changed articles (by content hash) are parsed; an unchanged article is
skipped and says so; a changed one has its named graph replaced. One bad article is
reported and skipped, never losing the others' work.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterable
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


def build(store: KGStore, inputs: list[str], *, model: str, workers: int = 1, stdin=None, force: bool = False,
          progress: bool = True, batch_size: int = 16) -> BuildReport:
    from . import write
    from .extract import Extractor
    from .nlp import parse
    from .resolve import Resolver

    report = BuildReport()
    write.load_ontology(store)
    existing = store.article_hashes()
    articles = select_articles(read_articles(inputs, stdin=stdin), existing, report, force=force)
    if not articles:
        write.refresh_summary(store)
        return report

    extractor = Extractor()
    docs = []
    bar = _progress(len(articles), progress)
    try:
        stream = parse(((a.text, a) for a in articles), model=model, workers=workers, batch_size=batch_size)
        for doc, article in stream:
            try:
                docs.append(extractor.extract(doc, article))
            except Exception as e:  # one bad article must not lose the others
                log.exception("extraction failed for %s", article.id)
                report.skipped.append(Problem(article.path or article.id, f"extraction failed: {e}"))
            bar.update(1)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()

    resolver = Resolver(known_people=known_people(store))
    resolver.learn_people(docs)
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
