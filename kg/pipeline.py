"""The build: ingest -> nlp -> extract -> resolve -> rdf/store, with a summary of what happened.

Only new or changed articles (by content hash) are parsed; an unchanged article is
skipped and says so; a changed one has its named graph replaced. One bad article is
reported and skipped, never losing the others' work.

Failure handling (README, "Failure modes"):

* every bad input becomes a :class:`~kg.ingest.Problem` naming the file (and JSONL line),
  collected in :attr:`BuildReport.skipped`; the rest of the run is built. ``strict`` stops
  at the first problem instead, before anything is written;
* an article in another language is skipped unless ``any_language``
  (:func:`kg.ingest.language_problem`); one article read from two sources is built once;
  an article longer than ``max_article_chars`` (:data:`MAX_ARTICLE_CHARS`) is skipped:
  parsing takes about a minute and a gigabyte per million characters, and a text that long
  is rather a dump than a news article;
* an article longer than ``max_chars`` (spaCy's limit, :data:`kg.nlp.MAX_CHARS`) is cut
  at paragraph breaks into pieces of at most ``max_chars``, each parsed, extracted and
  resolved as a sub-document (its surnames against the full names of every piece); the
  pieces' graphs are merged with their evidence offsets shifted back into the whole text
  (:func:`split_text`, :func:`merge_chunk_graphs`);
* each article is resolved on its own (:mod:`kg.resolve` reads nothing of the run or the
  store), so its graph does not depend on what else is built with it, and articles are
  written while the rest are parsed, ``commit_every`` at a time, each group with its summary
  update (:func:`kg.write.write_articles`: one transaction, or for a big group of new articles a
  bulk load guarded by pending markers): a build killed at any moment leaves whole
  articles and a consistent store once :func:`kg.write.recover` (run first by every
  build) has dropped a half-done bulk write, and re-running it builds the rest. An article with
  more facts than ``part_units`` is written in parts, one transaction each, with a
  placeholder hash until its last part (:func:`kg.write.write_article_parts`);
* SIGINT / SIGTERM: the first stops parsing, writes what is already parsed and returns
  with :attr:`BuildReport.interrupted`; a second one stops at once (KeyboardInterrupt is
  caught too), keeping what was committed.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .ingest import Note, Problem, Read, language_problem, read_inputs
from .model import Article, ArticleGraph, Provenance
from .nlp import MAX_CHARS
from .store import KGStore

log = logging.getLogger("kg.build")

#: Articles written per write (each write also brings the summary graph up to date). Big
#: writes are cheaper per article (a widely reported fact's summary entry changes once per
#: write); a killed build writes at most this many articles again; the group is held in
#: memory as ArticleGraphs (~40 KB each), its quads stream into the store.
COMMIT_EVERY = 1000
#: Longer articles are skipped (``kg build --max-article-chars``, 0 = no limit): parsing takes
#: about a minute and a gigabyte per million characters on one core, and the extractions of an
#: article are held until it is written, so time and memory grow with its length
#: (``bench/bench_long_article.py``). The longest article of the Wikinews sample has 55,000.
MAX_ARTICLE_CHARS = 1_000_000


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    notes: list[tuple[str, Note]] = field(default_factory=list)  # (where, note): ("x.txt", "not valid UTF-8...")
    interrupted: bool = False
    signal: int | None = None  # the signal that interrupted the build, if any
    stopped: Problem | None = None  # with strict: the problem that stopped the build

    @property
    def exit_code(self) -> int:
        """130 (SIGINT) / 143 (SIGTERM) if interrupted, 1 if anything was skipped, else 0."""
        if self.interrupted:
            return 128 + (self.signal or signal.SIGINT)
        return 1 if self.skipped or self.stopped else 0

    def summary(self) -> str:
        s = (f"{len(self.built)} built, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
             f"{len(self.skipped)} skipped")
        if self.skipped:
            kinds = Counter(problem_kind(p.reason) for p in self.skipped)
            s += " (" + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) + ")"
        if self.notes:
            kinds = Counter(note.kind for _, note in self.notes)
            s += "; " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        if self.stopped:
            s += "; stopped at the first problem (--strict)"
        if self.interrupted:
            s += "; interrupted"
        return s


_KIND_END = re.compile(r":| \(| '| \"")


def problem_kind(reason: str) -> str:
    """The kind of a problem, for the summary: ``"invalid JSON: ..."`` -> ``"invalid JSON"``,
    ``"unsafe id '../x'"`` -> ``"unsafe id"``, ``"missing 'text'"`` stays whole."""
    m = _KIND_END.search(reason, 1)
    if m is None or (m.group() in (" '", ' "') and " " not in reason[:m.start()]):
        return reason
    return reason[:m.start()]


# ---------------------------------------------------------------- selecting what to build
def select_articles(reads: Iterable[Read], existing: dict[str, str], report: BuildReport, *,
                    force: bool = False, strict: bool = False, any_language: bool = False,
                    max_article_chars: int | None = MAX_ARTICLE_CHARS,
                    origins: dict[str, tuple[str, int | None]] | None = None) -> list[Article]:
    """The articles to build: problems recorded, unchanged articles, repeated ids, repeated
    content (in the run or already in the store under another id), articles longer than
    ``max_article_chars`` (``None`` or 0: no limit) and non-English articles dropped. An
    article whose checks raise (nothing known does) is a problem of its own, not the end of the
    run. With ``strict``, stops at the first problem (``report.stopped``) and returns [].
    ``origins`` (if given) receives where each selected article was read (source, line), by id."""
    todo: dict[str, tuple[Article, Read]] = {}
    seen_ids: dict[str, str] = {}  # id -> where it was read (not the article: unchanged texts are let go)
    seen_hash: dict[str, tuple[str, str]] = {}  # hash -> (id, where)

    def skip(problem: Problem) -> bool:
        report.skipped.append(problem)
        log.info("skipped %s", problem)
        if strict:
            report.stopped = problem
        return strict

    for r in reads:
        report.notes += [(r.where, note) for note in r.notes]
        if isinstance(r.item, Problem):
            if skip(r.item):
                return []
            continue
        a = r.item
        if a.id in seen_ids:
            if skip(Problem(r.source, f"duplicate id {a.id!r} (already read from {seen_ids[a.id]})", r.line)):
                return []
            continue
        try:
            h = a.sha256
        except Exception as e:  # the readers make text hashable; should one slip through, it is this one's
            if skip(Problem(r.source, f"could not be hashed ({type(e).__name__})", r.line)):
                return []
            continue
        if h in seen_hash:
            first, where = seen_hash[h]
            if skip(Problem(r.source, f"duplicate content: same article as {where} (id {first!r}), "
                                      "built once from there", r.line)):
                return []
            continue
        seen_ids[a.id] = r.where
        seen_hash[h] = (a.id, r.where)
        if not force and existing.get(a.id) == h:
            report.unchanged.append(a.id)
            log.info("unchanged: %s", a.id)
            continue
        if max_article_chars and len(a.text) > max_article_chars:
            if skip(Problem(r.source, f"too long ({len(a.text):,} characters; the limit is {max_article_chars:,}: "
                                      "--max-article-chars N, 0 for none)", r.line)):
                return []
            continue
        if not any_language and (why := language_problem(a.text)):
            if skip(Problem(r.source, f"{why}; pass --any-language to build it anyway", r.line)):
                return []
            continue
        todo[a.id] = (a, r)

    # the same article already in the store under another id, which this run does not replace
    stored = {h: doc for doc, h in existing.items()}
    selected = []
    for a, r in todo.values():
        other = stored.get(a.sha256)
        if other is not None and other != a.id and (other not in todo or todo[other][0].sha256 == a.sha256):
            if skip(Problem(r.source, f"duplicate content: same article as {other!r}, already in the store", r.line)):
                return []
            continue
        selected.append(a)
        if origins is not None:
            origins[a.id] = (r.source, r.line)
    return selected


# ---------------------------------------------------------------- long articles
def split_text(text: str, max_chars: int) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pairs, every piece at most ``max_chars`` long and equal
    to ``text[offset:offset + len(piece)]``. Cut at the last paragraph break that fits, else
    a line break, a sentence end, a space, else anywhere; the whitespace at a cut is dropped."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    pieces: list[tuple[int, str]] = []
    start, n = 0, len(text)
    while start < n and text[start].isspace():
        start += 1
    while start < n:
        if n - start <= max_chars:
            pieces.append((start, text[start:]))
            break
        limit = start + max_chars
        cut = text.rfind("\n\n", start + 1, limit + 1)
        if cut <= start:
            cut = text.rfind("\n", start + 1, limit + 1)
        if cut <= start:
            cut = max(text.rfind(". ", start + 1, limit), text.rfind("? ", start + 1, limit),
                      text.rfind("! ", start + 1, limit))
            cut = cut + 1 if cut > start else -1
        if cut <= start:
            cut = text.rfind(" ", start + 1, limit + 1)
        if cut <= start:
            cut = limit
        piece = text[start:cut].rstrip()
        pieces.append((start, piece))
        start = cut
        while start < n and text[start].isspace():
            start += 1
    return pieces


def _shift(ev: Provenance, offset: int) -> Provenance:
    return dataclasses.replace(ev, start=ev.start + offset, end=ev.end + offset)


def _union(a: tuple, b: tuple) -> tuple:
    return tuple(dict.fromkeys((*a, *b)))


def merge_chunk_graphs(article: Article, graphs: list[tuple[int, ArticleGraph]]) -> ArticleGraph:
    """One article's graph from the graphs of its pieces (``(offset of the piece, graph)``):
    entities merged by key (mentions added up), evidence offsets shifted into ``article.text``."""
    entities: dict[str, object] = {}
    relations: list = []
    quotations: list = []
    warnings: list = []
    for offset, g in graphs:
        for e in g.entities:
            old = entities.get(e.key)
            entities[e.key] = e if old is None else dataclasses.replace(
                old, aliases=_union(old.aliases, e.aliases), roles=_union(old.roles, e.roles),
                mentions=old.mentions + e.mentions, qid=old.qid or e.qid)
        relations += [dataclasses.replace(r, evidence=_shift(r.evidence, offset)) for r in g.relations]
        quotations += [dataclasses.replace(q, evidence=_shift(q.evidence, offset)) for q in g.quotations]
        warnings += g.warnings
    return dataclasses.replace(graphs[0][1], article=article, entities=tuple(entities.values()),
                               relations=tuple(relations), quotations=tuple(quotations), warnings=tuple(warnings))


# ---------------------------------------------------------------- extraction stages
# An extraction stage turns articles into ``(article, DocExtraction)`` pairs - or
# ``(article, exception)`` for one that failed - in any order; ``local_extractions`` is the
# default, ``kg.distributed.dask_extractions`` runs the same code on a Dask cluster.
ExtractionStage = Callable[..., Iterator[tuple[Article, object]]]


def local_extractions(articles: list[Article], *, model: str, workers: int = 1,
                      batch_size: int = 16) -> Iterator[tuple[Article, object]]:
    """Parse in one ``nlp.pipe`` stream (``workers`` = spaCy ``n_process``), extract here.

    If spaCy fails on a text (which ends its stream), the texts of that batch are parsed one
    by one - the one that fails is reported - and the stream resumes after them.
    """
    if workers > 1:  # worker processes that parse AND extract: faster than spaCy's n_process
        from .distributed import pool_extractions

        yield from pool_extractions(articles, model=model, workers=workers, batch_size=batch_size)
        return
    from .extract import Extractor
    from .nlp import ModelError, load, parse

    extractor = Extractor()

    def extracted(doc, article):
        try:
            return article, extractor.extract(doc, article)
        except Exception as e:  # one bad article must not lose the others
            log.exception("extraction failed for %s", article.id)
            return article, e

    i, n = 0, len(articles)
    while i < n:
        try:
            for doc, article in parse(((a.text, a) for a in articles[i:]), model=model, workers=workers,
                                      batch_size=batch_size):
                i += 1
                yield extracted(doc, article)
        except ModelError:
            raise
        except Exception as e:
            log.warning("spaCy failed in a batch (%s: %s); parsing it one article at a time", type(e).__name__, e)
            nlp = load(model)
            end = min(n, i + batch_size * max(1, workers) * 2)
            for article in articles[i:end]:
                try:
                    doc = nlp(article.text)
                except Exception as err:
                    yield article, RuntimeError(f"spaCy failed: {type(err).__name__}: {err}")
                else:
                    yield extracted(doc, article)
            i = end


def _extract(articles: list[Article], stage: ExtractionStage, *, model: str, workers: int, batch_size: int,
             max_chars: int, progress: Callable[[float], object] = lambda n: None,
             stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[Article, list | BaseException]]:
    """``(article, [(offset, DocExtraction), ...])`` or ``(article, error)`` for every article.

    Articles up to ``max_chars`` go through ``stage`` together; each longer one is split
    (:func:`split_text`) and its pieces, sub-articles with the same id, go through ``stage``
    one at a time (``batch_size`` 1: memory stays bounded by the piece size). ``progress`` is
    called with the fraction of an article done (1 per article, 1/n per piece of n); when
    ``stop()`` turns true between the pieces of a long article, that article is abandoned.
    """
    short = [a for a in articles if len(a.text) <= max_chars]
    for article, result in stage(short, model=model, workers=workers, batch_size=batch_size):
        progress(1)
        yield article, (result if isinstance(result, BaseException) else [(0, result)])
    for a in (a for a in articles if len(a.text) > max_chars):
        pieces = split_text(a.text, max_chars)
        log.info("%s: %d characters, parsed in %d pieces", a.id, len(a.text), len(pieces))
        offsets: dict[Article, list[int]] = {}
        chunks = []
        for offset, piece in pieces:
            chunk = dataclasses.replace(a, text=piece)
            offsets.setdefault(chunk, []).append(offset)
            chunks.append(chunk)
        parts: list[tuple[int, object]] = []
        error: BaseException | None = None
        for chunk, result in stage(chunks, model=model, workers=workers, batch_size=1):
            if stop():
                log.info("%s: abandoned after %d of %d pieces", a.id, len(parts), len(chunks))
                return
            progress(1 / len(chunks))
            if isinstance(result, BaseException):
                error = error or result
            else:
                parts.append((offsets[chunk].pop(0), result))
        yield a, (error if error is not None else sorted(parts, key=lambda p: p[0]))


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


# ---------------------------------------------------------------- interruption
class _Interrupts:
    """While building (main thread only): the first SIGINT/SIGTERM asks the build to stop
    after writing what is already parsed; the second raises KeyboardInterrupt at once.

    A KeyboardInterrupt raised where Python cannot propagate it (a weakref callback of the
    import machinery while spaCy loads, a destructor) is dropped without its traceback: the
    first signal has already asked the build to stop after the article at hand."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}
        self._unraisable = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                try:
                    self._previous[s] = signal.signal(s, self._handle)
                except (ValueError, OSError):  # pragma: no cover - embedded interpreters
                    pass
            self._unraisable = sys.unraisablehook
            sys.unraisablehook = self._on_unraisable
        return self

    def _on_unraisable(self, info) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt) and self.signum is not None:
            log.info("second signal arrived where it cannot stop the build; stopping after this article")
            return
        (self._unraisable or sys.__unraisablehook__)(info)

    def _handle(self, signum, frame) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        try:
            sys.stderr.write(f"\nkg: {signal.Signals(signum).name}: stopping after writing the articles already "
                             "parsed (again to stop at once; committed articles are kept either way)\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # pragma: no cover
            pass

    def __exit__(self, *exc) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        if self._unraisable is not None:
            sys.unraisablehook = self._unraisable


# ---------------------------------------------------------------- the build
def _until(items: Iterable, stop: Callable[[], bool]) -> Iterator:
    for item in items:
        if stop():
            return
        yield item


def build(store: KGStore, inputs: list[str], *, model: str, workers: int = 1, stdin=None, force: bool = False,
          progress: bool = True, batch_size: int = 16, extractions: ExtractionStage | None = None,
          strict: bool = False, any_language: bool = False, max_chars: int = MAX_CHARS,
          commit_every: int = COMMIT_EVERY, part_units: int | None = None, follow_symlinks: bool = False,
          max_article_chars: int | None = MAX_ARTICLE_CHARS) -> BuildReport:
    """Build ``inputs`` into ``store``; see the module docstring for what happens on bad input,
    long articles, kills and signals. Never raises for bad input. ``follow_symlinks``: follow
    symbolic links out of an input folder (:func:`kg.ingest.read_inputs`)."""
    from .write import ARTICLE_PART_UNITS, Writer

    report = BuildReport()
    # a bulk write a killed build left half-done is dropped first: its articles are written again
    with Writer(store, part_units=part_units or ARTICLE_PART_UNITS) as writer:
        existing = store.article_hashes()
        with _Interrupts() as interrupts:
            try:
                _build(writer, inputs, existing, report, interrupts, model=model, workers=workers, stdin=stdin,
                       force=force, progress=progress, batch_size=batch_size, stage=extractions or local_extractions,
                       strict=strict, any_language=any_language, max_chars=max_chars,
                       commit_every=max(1, commit_every), follow_symlinks=follow_symlinks,
                       max_article_chars=max_article_chars)
            except KeyboardInterrupt:
                report.interrupted = True
                report.signal = interrupts.signum or signal.SIGINT
        if interrupts.signum is not None:
            report.interrupted, report.signal = True, interrupts.signum
        writer.close(complete=not (report.stopped or report.interrupted))
    return report


def _build(writer, inputs: list[str], existing: dict[str, str], report: BuildReport,
           interrupts: _Interrupts, *, stdin, force: bool, any_language: bool, strict: bool, follow_symlinks: bool,
           max_article_chars: int | None, **kw) -> None:
    reads = _until(read_inputs(inputs, stdin=stdin, follow_symlinks=follow_symlinks),
                   lambda: interrupts.signum is not None)
    origins: dict[str, tuple[str, int | None]] = {}
    articles = select_articles(reads, existing, report, force=force, strict=strict, any_language=any_language,
                               max_article_chars=max_article_chars, origins=origins)
    if report.stopped or interrupts.signum is not None:
        return
    writer.prepare()
    if not articles:
        return

    def problem(article: Article, reason: str) -> Problem:
        source, line = origins.get(article.id, (article.path or article.id, None))
        return Problem(source, reason, line)

    _build_articles(writer, articles, existing, report, interrupts, strict=strict, problem=problem, **kw)


def _build_articles(writer, articles: list[Article], existing: dict[str, str], report: BuildReport,
                    interrupts: _Interrupts, *, model: str, workers: int, progress: bool, batch_size: int,
                    stage: ExtractionStage, strict: bool, max_chars: int, commit_every: int,
                    problem: Callable[[Article, str], Problem]) -> None:
    """Parse, extract, resolve and write ``articles``: each article is resolved on its own
    (:mod:`kg.resolve`), so it is written as soon as it is parsed, ``commit_every`` at a time.
    With ``strict`` nothing is written unless every article parses: the extractions wait in a
    spool until the last one."""
    log.info("parsing %d article(s)", len(articles))
    started = time.perf_counter()
    bar = _progress(len(articles), progress)

    def extracted() -> Iterator[tuple[Article, list]]:
        try:
            for article, result in _extract(articles, stage, model=model, workers=workers, batch_size=batch_size,
                                            max_chars=max_chars, progress=bar.update,
                                            stop=lambda: interrupts.signum is not None):
                if isinstance(result, BaseException):
                    p = problem(article, f"extraction failed: {result}")
                    report.skipped.append(p)
                    if strict:
                        report.stopped = p
                        return
                else:
                    yield article, result
                if interrupts.signum is not None:
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
                       problem=problem)
        log.info("parsed, resolved and wrote %d article(s) in %.1f s", n, time.perf_counter() - started)
    finally:
        bar.close()
        if spool is not None:
            spool.close()


def _write_all(writer, items: Iterable[tuple[Article, list]], existing: dict[str, str],
               report: BuildReport, *, strict: bool, commit_every: int,
               problem: Callable[[Article, str], Problem]) -> int:
    """Resolve the extractions ``items`` (``(article, [(offset, DocExtraction), ...])``) as they
    come and write them ``commit_every`` articles per write; the number of articles resolved."""
    from .resolve import Resolver, article_people

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
            batch = []
    if batch:
        _commit(writer, batch, existing, report, problem)
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


def remove(store: KGStore, doc_ids: list[str]) -> tuple[list[str], list[str]]:
    """Remove articles by id (each in one transaction with the summary refresh)."""
    from .write import Writer

    removed, missing = [], []
    with Writer(store) as writer:
        for d in doc_ids:
            (removed if writer.remove(d) else missing).append(d)
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
