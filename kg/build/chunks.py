"""Articles too long for one parse: cut at paragraph breaks into pieces, each parsed and
extracted as a sub-document, the pieces' graphs merged back with their offsets shifted."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator

from ..model import Article, ArticleGraph, Provenance

log = logging.getLogger("kg.build")


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
    entities merged by identity (mentions added up; the type and label of the piece that
    mentions it most, the other label an alias, and the other pieces' keys renamed to its key),
    evidence offsets shifted into ``article.text``."""
    entities: dict[str, object] = {}
    renamed: dict[str, str] = {}  # an entity key of a piece -> the key of the merged entity
    relations: list = []
    quotations: list = []
    opens: list = []
    warnings: list = []
    for offset, g in graphs:
        for e in g.entities:
            old = entities.get(e.identity)
            if old is None:
                entities[e.identity] = e
                continue
            first, second = (old, e) if old.mentions >= e.mentions else (e, old)
            labels = (second.label,) if second.label != first.label else ()
            entities[e.identity] = dataclasses.replace(
                first, aliases=tuple(a for a in _union(_union(old.aliases, e.aliases), labels) if a != first.label),
                roles=_union(old.roles, e.roles), mentions=old.mentions + e.mentions, qid=old.qid or e.qid)
        relations += [dataclasses.replace(r, evidence=_shift(r.evidence, offset)) for r in g.relations]
        quotations += [dataclasses.replace(q, evidence=_shift(q.evidence, offset)) for q in g.quotations]
        opens += [dataclasses.replace(o, evidence=_shift(o.evidence, offset)) for o in g.open_relations]
        warnings += g.warnings
    for _, g in graphs:
        for e in g.entities:
            renamed[e.key] = entities[e.identity].key

    def key(k):
        return renamed.get(k, k) if k else k

    def rekeyed(facts):
        return [r if (key(r.subject), key(r.object), key(r.attributed_to)) == (r.subject, r.object, r.attributed_to)
                else dataclasses.replace(r, subject=key(r.subject), object=key(r.object), attributed_to=key(r.attributed_to))
                for r in facts]

    relations, opens = rekeyed(relations), rekeyed(opens)
    quotations = [q if key(q.speaker) == q.speaker else dataclasses.replace(q, speaker=key(q.speaker)) for q in quotations]
    return dataclasses.replace(graphs[0][1], article=article, entities=tuple(entities.values()),
                               relations=tuple(relations), quotations=tuple(quotations), warnings=tuple(warnings),
                               open_relations=tuple(opens))


def extract_articles(articles: list[Article], stage: Callable[..., Iterator[tuple[Article, object]]], *,
                     model: str, workers: int, batch_size: int, max_chars: int,
                     progress: Callable[[float], object] = lambda n: None,
                     stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[Article, list | BaseException]]:
    """``(article, [(offset, DocExtraction), ...])`` or ``(article, error)`` for every article.

    Articles up to ``max_chars`` go through ``stage`` (an extraction stage, :mod:`kg.build.stages`)
    together; each longer one is split (:func:`split_text`) and its pieces, sub-articles with the
    same id, go through ``stage`` one at a time (``batch_size`` 1: memory stays bounded by the
    piece size). ``progress`` is called with the fraction of an article done (1 per article, 1/n per piece of n); when
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
