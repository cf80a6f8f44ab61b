"""Which articles a build parses: problems recorded, unchanged and repeated articles, too long
or non-English ones dropped."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from ..ingest import Problem, Read, language_problem
from ..model import Article
from .origins import collision, legacy_id
from .report import BuildReport

log = logging.getLogger("kg.build")

#: Longer articles are skipped (``kg build --max-article-chars``, 0 = no limit): parsing takes
#: about a minute and a gigabyte per million characters on one core, and the extractions of an
#: article are held until it is written, so time and memory grow with its length
#: (``bench/bench_long_article.py``). The longest article of the Wikinews sample has 55,000.
MAX_ARTICLE_CHARS = 1_000_000


def select_articles(reads: Iterable[Read], existing: dict[str, str], report: BuildReport, *,
                    force: bool = False, strict: bool = False, any_language: bool = False,
                    max_article_chars: int | None = MAX_ARTICLE_CHARS,
                    origins: dict[str, tuple[str, int | None]] | None = None,
                    stored_origins: dict[str, str] | None = None) -> list[Article]:
    """The articles to build: problems recorded, unchanged articles, repeated ids, repeated
    content (in the run or already in the store under another id), articles longer than
    ``max_article_chars`` (``None`` or 0: no limit) and non-English articles dropped. An
    article whose checks raise (nothing known does) is a problem of its own, not the end of the
    run. With ``strict``, stops at the first problem (``report.stopped``) and returns [].
    ``origins`` (if given) receives where each selected article was read (source, line), by id.
    ``stored_origins``: where the store's articles were read (:mod:`.origins`): a changed
    article read from another file than the stored one of its id, which still exists, is
    another article - skipped naming both, never a replacement. A store built when ids were
    bare file names keeps them (:func:`~.origins.legacy_id`)."""
    todo: dict[str, tuple[Article, Read]] = {}
    seen_ids: dict[str, str] = {}  # id -> where it was read (not the article: unchanged texts are let go)
    seen_hash: dict[str, tuple[str, str]] = {}  # hash -> (id, where)

    def skip(problem: Problem, *, duplicate: bool = False) -> bool:
        # a duplicate is built once (from its first copy): listed apart, not a failure of the build
        (report.duplicates if duplicate else report.skipped).append(problem)
        log.info("%s %s", "duplicate" if duplicate else "skipped", problem)
        if strict:
            report.stopped = problem
        return strict

    for r in reads:
        report.notes += [(r.where, note) for note in r.notes]
        if isinstance(r.item, Problem):
            if skip(r.item):
                return []
            continue
        a, h, problem, duplicate = _identify(r, existing, stored_origins or {}, seen_ids, seen_hash)
        if problem is None:
            seen_ids[a.id] = r.where
            seen_hash[h] = (a.id, r.where)
            if not force and existing.get(a.id) == h:
                report.unchanged.append(a.id)
                log.info("unchanged: %s", a.id)
                continue
            problem = _unbuildable(a, r, existing, stored_origins or {}, max_article_chars, any_language)
        if problem is not None:
            if skip(problem, duplicate=duplicate):
                return []
            continue
        todo[a.id] = (a, r)

    # the same article already in the store under another id, which this run does not replace
    stored = {h: doc for doc, h in existing.items()}
    selected = []
    for a, r in todo.values():
        if (problem := _stored_copy(a, r, todo, stored)) is not None:
            if skip(problem, duplicate=True):
                return []
            continue
        selected.append(a)
        if origins is not None:
            origins[a.id] = (r.source, r.line)
    return selected


def _identify(r: Read, existing: dict[str, str], stored_origins: dict[str, str], seen_ids: dict[str, str],
              seen_hash: dict[str, tuple[str, str]]) -> tuple[Article, str | None, Problem | None, bool]:
    """The article read by ``r`` (under its legacy id if the store has one), its content hash, and
    the problem that it repeats an id or content already read in this run (or could not be
    hashed), with whether that problem is a duplicate (built once from its first copy)."""
    a = r.item
    if (old := legacy_id(a.id, r.source, existing, stored_origins)) and old not in seen_ids:
        a = replace(a, id=old)  # a store built when ids were file names keeps its ids
    if a.id in seen_ids:
        return a, None, Problem(r.source, f"duplicate id {a.id!r} (already read from {seen_ids[a.id]})", r.line), False
    try:
        h = a.sha256
    except Exception as e:  # the readers make text hashable; should one slip through, it is this one's
        return a, None, Problem(r.source, f"could not be hashed ({type(e).__name__})", r.line), False
    if h in seen_hash:
        first, where = seen_hash[h]
        return a, h, Problem(r.source, f"duplicate content: same article as {where} (id {first!r}), "
                                       "built once from there", r.line), True
    return a, h, None, False


def _unbuildable(a: Article, r: Read, existing: dict[str, str], stored_origins: dict[str, str],
                 max_article_chars: int | None, any_language: bool) -> Problem | None:
    """Why a new or changed article is not built: its id is the store's article read from another
    file, it is too long, or it is not English; None if none of these."""
    if a.id in existing and (other := collision(a.id, r.source, stored_origins)):
        return Problem(r.source, f"duplicate id {a.id!r}: the store's article {a.id!r} was read from {other}; "
                                 "not replaced (build their common folder: ids are paths relative to it)", r.line)
    if max_article_chars and len(a.text) > max_article_chars:
        return Problem(r.source, f"too long ({len(a.text):,} characters; the limit is {max_article_chars:,}: "
                                 "--max-article-chars N, 0 for none)", r.line)
    if not any_language and (why := language_problem(a.text)):
        return Problem(r.source, f"{why}; pass --any-language to build it anyway", r.line)
    return None


def _stored_copy(a: Article, r: Read, todo: dict[str, tuple[Article, Read]], stored: dict[str, str]) -> Problem | None:
    """The problem that ``a`` is already in the store (``stored``: id by content hash) under another
    id which this run does not replace; None if it is not."""
    other = stored.get(a.sha256)
    if other is not None and other != a.id and (other not in todo or todo[other][0].sha256 == a.sha256):
        return Problem(r.source, f"duplicate content: same article as {other!r}, already in the store", r.line)
    return None
