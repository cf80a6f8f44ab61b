"""Quotation marks: the spans they enclose (paragraph-aware pairing) and whether each quotes a
statement whole or in part; who speaks is :mod:`kg.extract.speakers`.

**Marks** (:func:`find_quotes`) are read on the characters of the text, paragraph by paragraph
(ingest turns curly marks into straight ones; what stands around a straight mark tells its side):

* a double mark after white space, a paragraph start, a bracket or a dash and before a word
  opens; one after a word or punctuation and before white space or punctuation closes; one
  that could be either alternates with the previous one;
* a quotation still open at its paragraph's end is *continued* when the next paragraph opens
  with a mark (news style: no closing mark at the end of the first paragraph, a fresh opening
  mark at the next): the pieces form one chain with one speaker. A quotation left open
  otherwise ends at its paragraph's end;
* a closing mark with no opening mark before it in its paragraph ends a quotation of an earlier
  paragraph whose re-opening marks were lost (the pieces between belong to it) if one was left
  open just before; else it is a stray mark (an inch sign, a typo) and is ignored. An opening
  mark inside an open quotation that is followed by a closing mark means the open one lacked
  its closing mark: it is dropped. So one bad mark costs at most its own quotation and never
  turns the rest of the article inside out;
* single marks outside double ones pair when one opens before a word (not an elision: 'em,
  '90s) and the next one closes after or before punctuation; apostrophes inside words and
  after a plural (the players' union) are not marks. Single marks inside double ones are a
  quotation within the quotation: part of its text.

**Kinds.** Quoted words in title case ("Person of the Year", a film, an operation) are a name,
not a quotation. A quotation framed as the whole statement - it opens its sentence, follows a
colon or a comma, or a speech verb or "that" and a capital - is a full quotation; any other
span is *partial* (a few words inside the writer's sentence: 'called it "a disgrace"') and
counts only if a speech verb or a verb of calling governs it; else it is a scare quote and no
quotation of anyone.

Quotations are found before coreference runs (:mod:`kg.extract.speakers` needs their spans for
"I" and "we" inside them); the reporting frames and the tree walks above a span are shared with it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from .clauses import VERBAL
from .context import Context, QuoteSpan
from .params import MIN_QUOTE_TOKENS, PARTIAL_QUOTE_HOPS, QUOTE_REPAIR_PARAGRAPHS, TITLE_MAX_WORDS
from .table import trimmed
from .tree import objects_of

#: double quotation marks: '"' opens or closes; PTB-style `` only opens and '' only closes
_DOUBLE = re.compile(r"``|''|\"")
OPEN_ONLY, CLOSE_ONLY = "``", "''"
_SINGLE = re.compile("'")
_PARAGRAPH = re.compile(r"[^\n]+")
#: besides white space, what may stand before an opening mark / after a closing one
_BEFORE_OPEN = "([{<\u2014\u2013-/'\""
_AFTER_CLOSE = ".,;:!?)]}>\u2014\u2013-/\u2026'\""
_CLAUSE_PUNCT = ".,;:!?\u2026"
#: a colon or comma right before the opening mark frames the quotation as a whole statement
_FRAMING = ",:"


def _side(text: str, p: int, n: int, lo: int, hi: int) -> str:
    """'o' if the mark at ``p`` (``n`` characters) opens, 'c' if it closes, '?' if it could be either."""
    prev = text[p - 1] if p > lo else ""
    nxt = text[p + n] if p + n < hi else ""
    opens = (not prev or prev.isspace() or prev in _BEFORE_OPEN) and bool(nxt) and not nxt.isspace()
    closes = bool(prev) and not prev.isspace() and (not nxt or nxt.isspace() or nxt in _AFTER_CLOSE)
    if opens == closes:
        return "?"
    return "o" if opens else "c"


def _double_marks(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """The double marks of the paragraph ``lo``..``hi``: (offset, length, side)."""
    out = []
    for m in _DOUBLE.finditer(text, lo, hi):
        s = m.group()
        side = "o" if s == OPEN_ONLY else "c" if s == CLOSE_ONLY else _side(text, m.start(), 1, lo, hi)
        out.append((m.start(), len(s), side))
    return out


def _pair_doubles(text: str, paragraphs: list[tuple[int, int]]) -> list[dict]:
    """Character spans of the double-quoted quotations, paragraph by paragraph (see the module doc)."""
    spans: list[dict] = []
    pending: dict | None = None  # a quotation left open at a paragraph's end (no continuation mark)
    pending_age = 0
    between: list[tuple[int, int]] = []  # unmarked paragraphs since it
    marks_of = [_double_marks(text, lo, hi) for lo, hi in paragraphs]
    for pi, (lo, hi) in enumerate(paragraphs):
        marks = marks_of[pi]
        if pending is not None and not marks:
            pending_age += 1
            between.append((lo, hi))
            if pending_age > QUOTE_REPAIR_PARAGRAPHS:
                pending, between = None, []
            continue
        opened: tuple[int, int] | None = None
        for k, (p, n, side) in enumerate(marks):
            if opened is None:
                if side == "c":
                    if k == 0 and pending is not None:
                        # the end of a quotation whose re-opening marks were lost: it runs
                        # through the unmarked paragraphs to this mark
                        prev = pending
                        for blo, bhi in between:
                            spans.append(dict(start=blo, end=bhi, opened=False, closed=False, prev=prev))
                            prev = spans[-1]
                        spans.append(dict(start=lo, end=p, opened=False, closed=True, prev=prev))
                    continue  # else a stray closing mark
                opened = (p, n)
            elif side == "o" and k + 1 < len(marks) and marks[k + 1][2] == "c":
                opened = (p, n)  # the open quotation lacked its closing mark: dropped
            else:
                spans.append(dict(start=opened[0] + opened[1], end=p, opened=True, closed=True,
                                  prev=_continued(spans, lo)))
                opened = None
            pending = None
        pending, pending_age, between = None, 0, []
        if opened is not None:
            spans.append(dict(start=opened[0] + opened[1], end=hi, opened=True, closed=False,
                              prev=_continued(spans, lo)))
            nxt = marks_of[pi + 1] if pi + 1 < len(paragraphs) else []
            continues = bool(nxt) and nxt[0][0] == paragraphs[pi + 1][0] and nxt[0][2] != "c"
            if continues:
                spans[-1]["continues"] = True
            else:
                pending = spans[-1]
    return spans


def _continued(spans: list[dict], lo: int) -> dict | None:
    """The quotation a quotation opening at paragraph start ``lo`` continues, if the previous one
    was left open for it."""
    if spans and spans[-1].get("continues") and spans[-1]["end"] < lo:
        last = spans[-1]
        last["continues"] = False  # only the first quotation of the paragraph continues it
        return last
    return None


def _single_spans(ctx: Context, text: str, paragraphs: list[tuple[int, int]],
                  taken: list[tuple[int, int]]) -> list[dict]:
    """Quotations in single marks outside the double-quoted spans ``taken`` (start, end)."""
    elisions = ctx.rules.apostrophe_elisions
    spans = []
    for lo, hi in paragraphs:
        opened = None
        for m in _SINGLE.finditer(text, lo, hi):
            p = m.start()
            if _inside(taken, p):
                continue
            prev = text[p - 1] if p > lo else ""
            nxt = text[p + 1] if p + 1 < hi else ""
            if opened is None:
                if (not prev or prev.isspace() or prev in _BEFORE_OPEN) and nxt.isalpha():
                    word = re.match(r"[A-Za-z]+", text[p + 1:hi])
                    if word and word.group().lower() not in elisions:
                        opened = p
            elif prev and not prev.isspace() and not (prev.isalnum() and nxt.isalnum()) and (
                    prev in _CLAUSE_PUNCT or not nxt or nxt in _AFTER_CLOSE):
                spans.append(dict(start=opened + 1, end=p, opened=True, closed=True, prev=None))
                opened = None
    return spans


def _inside(spans: list[tuple[int, int]], p: int) -> bool:
    """True if offset ``p`` is inside one of ``spans`` (content offsets) or on its marks."""
    i = bisect_left(spans, (p + 2,)) - 1
    return i >= 0 and spans[i][0] - 1 <= p <= spans[i][1]


def find_quotes(ctx: Context) -> None:
    """The quotations' spans (characters and tokens inside their marks), their chains and kinds."""
    tb, q = ctx.table, ctx.quotes
    text = tb.text
    paragraphs = [m.span() for m in _PARAGRAPH.finditer(text)]
    doubles = _pair_doubles(text, paragraphs)
    taken = sorted((d["start"], d["end"]) for d in doubles)
    found = sorted(doubles + _single_spans(ctx, text, paragraphs, taken), key=lambda d: d["start"])
    index: dict[int, int] = {}  # id of a found span -> its quotation index
    for d in found:
        span = _token_span(ctx, d)
        if span is None:
            continue
        prev = index.get(id(d["prev"])) if d.get("prev") is not None else None
        span = replace(span, prev=prev)
        if prev is None and _is_title(ctx, span):
            continue
        if prev is None and d["opened"]:
            partial = not _framed(ctx, span)
            if partial:
                verb = _governing_verb(ctx, span)
                sent = ctx.sents[ctx.sent_of[span.a]]
                if verb is None and not frames_in(ctx, sent.start, sent.end):
                    continue  # scare quotes: the writer's, no one's quotation
                span = replace(span, partial=True, verb=verb)
        index[id(d)] = len(q.spans)
        for i in range(span.a, span.b + 1):
            q.inside[i] = len(q.spans)
        q.spans.append(span)


def _token_span(ctx: Context, d: dict) -> QuoteSpan | None:
    """The tokens inside the characters ``d['start']``..``d['end']``; None if too few words."""
    tb = ctx.table
    text = tb.text
    start, end = trimmed(text[d["start"]:d["end"]], d["start"], d["end"])
    a = bisect_left(tb.idx, start)
    b = bisect_left(tb.idx, end) - 1
    if a > b:
        return None
    words = sum(1 for i in range(a, b + 1) if not tb.is_punct[i] and not tb.orth[i].isspace())
    if words < MIN_QUOTE_TOKENS:
        return None
    return QuoteSpan(start, end, a, b, opened=d["opened"], closed=d["closed"])


def _is_title(ctx: Context, span: QuoteSpan) -> bool:
    """Quoted words in title case: a name (film, event, operation, award), not a quotation."""
    words = [w for w in ctx.table.text[span.start:span.end].split() if any(ch.isalpha() for ch in w)]
    if not words or len(words) > TITLE_MAX_WORDS or ctx.table.text[span.end - 1] in ".!?":
        return False
    small = ctx.rules.title_small_words
    for k, w in enumerate(words):
        first = next(ch for ch in w if ch.isalnum())
        if not (first.isupper() or first.isdigit()) and (k == 0 or w.lower().strip(",:;") not in small):
            return False
    # '"Welcome to Moscow," Putin said': a sentence that opens with words a speech verb frames
    return not (_starts_sentence(ctx, span) and _spoken(ctx, span))


def _starts_sentence(ctx: Context, span: QuoteSpan) -> bool:
    """True if only punctuation stands between the start of the quotation's sentence and it."""
    tb = ctx.table
    sent = ctx.sents[ctx.sent_of[span.a]]
    return all(tb.is_punct[i] or tb.orth[i].isspace() for i in range(sent.start, span.a))


def _spoken(ctx: Context, span: QuoteSpan) -> bool:
    """True if a speech verb governs the quotation directly (at most two hops up the tree)."""
    return any(hops <= 2 and ctx.table.lemma[i].lower() in ctx.rules.quote_speech
               for i, hops in ancestor_order(ctx, span).items())


def _framed(ctx: Context, span: QuoteSpan) -> bool:
    """True if the quotation is given as the whole statement (not a few words of the writer's
    sentence): it opens its sentence, follows a colon or comma, or a speech verb or "that" and a
    capital."""
    tb, text = ctx.table, ctx.table.text
    mark = span.start - 1
    before = text[:mark].rstrip()
    if not before or before[-1] in _FRAMING or before[-1] in ".!?\n":
        return True
    if _starts_sentence(ctx, span):
        return True
    first = next((ch for ch in text[span.start:span.end] if ch.isalpha()), "")
    if not first.isupper():
        return False
    prev = span.a - 1
    while prev >= 0 and (tb.is_punct[prev] or tb.orth[prev].isspace()):
        prev -= 1
    if prev < 0:
        return True
    return (tb.lemma[prev].lower() in ctx.rules.quote_speech or tb.lower[prev] == "that"
            or _spoken(ctx, span) or _sentences_inside(ctx, span))


def _sentences_inside(ctx: Context, span: QuoteSpan) -> bool:
    """True if the quoted text holds a sentence end followed by more words."""
    return re.search(r"[.!?]\s+\S", ctx.table.text[span.start:span.end]) is not None


def _roots(ctx: Context, span: QuoteSpan) -> list[int]:
    """Word tokens inside the span whose head is outside it (a comma or full stop before the
    closing mark hangs from the writer's verb, which says nothing of what governs the words)."""
    head, punct = ctx.table.head, ctx.table.is_punct
    return [i for i in range(span.a, span.b + 1) if not span.a <= head[i] <= span.b and not punct[i]]


def ancestor_order(ctx: Context, span: QuoteSpan) -> dict[int, int]:
    """Tokens above the quotation's roots in the tree: token -> hops."""
    tb = ctx.table
    out: dict[int, int] = {}
    for r in _roots(ctx, span):
        i, hops = r, 0
        while tb.head[i] != i and hops < 8:
            i, hops = tb.head[i], hops + 1
            if i not in out or out[i] > hops:
                out[i] = hops
    return out


def _governing_verb(ctx: Context, span: QuoteSpan) -> int | None:
    """The speech or calling verb that governs a partial quotation (a few hops up the tree). A
    verb the quotation's clause is coordinated with ('praised the team, and fans remembered the
    motto "..."') is a clause of its own, with its own subject: it does not govern the words."""
    tb, rules = ctx.table, ctx.rules
    for r in _roots(ctx, span):
        i = r
        for _ in range(PARTIAL_QUOTE_HOPS):
            h = tb.head[i]
            if h == i:
                break
            coordinated = tb.dep[i] == "conj" and tb.pos[i] in VERBAL
            i = h
            if ctx.sent_of[i] != ctx.sent_of[span.a]:
                break
            lemma = tb.lemma[i].lower()
            if tb.pos[i] in VERBAL and not coordinated and (lemma in rules.quote_speech or lemma in rules.characterising):
                return i
    return None


def frame_object(ctx: Context, v, frame: tuple[str, ...]):
    """X of a reporting frame "according to X" starting at ``v`` (the word after the frame if the
    parse gives no object); None if there is none outside quotations."""
    n = len(frame)
    if v.i + n >= len(ctx.doc):
        return None
    x = (objects_of(v.nbor(n - 1)) or [v.nbor(n)])[0]
    return None if ctx.quotes.inside.get(x.i) is not None else x


def frames_in(ctx: Context, lo: int, hi: int) -> list[tuple[int, object]]:
    """(frame start, X) of the reporting frames among tokens ``lo``..``hi`` outside quotations."""
    rules, tb = ctx.rules, ctx.table
    starts = {f[0] for f in rules.reporting_frames}
    out = []
    for i in range(lo, hi):
        if tb.lower[i] in starts and ctx.quotes.inside.get(i) is None:
            frame = rules.frame_at(ctx.doc[i])
            x = frame_object(ctx, ctx.doc[i], frame) if frame else None
            if x is not None:
                out.append((i, x))
    return out
