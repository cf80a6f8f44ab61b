"""Quotations: their marks, whether they quote a statement whole or in part, and who speaks.

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

**Speakers** (:func:`quote_speaker`, while coreference runs: it needs them for "I" and "we"
inside quotations): the subject of the speech verb that governs the quotation in its own
sentence, else of the nearest speech verb there ('"...," said X'; 'X said: "..."'; '"...," X
said, "..."'), or X of a reporting frame ("according to X"); a verb without a subject
("saying", "adding") takes its clause's subject; an attribution cut off into the next paragraph
('"..."' / 'said X.') counts, and a colon after a clause names its subject. A subject that is a
named person, an organisation or a country speaks; an apposition names it ("The Vice President,
Mike Pence, said"); "he"/"she" is the subject of the nearest main clause of narration before it
(not the previous quotation's speaker when someone else came in between), "it"/"they" the
nearest organisation or country subject; a subject that is a person without a name ("a
spokeswoman", "his mother") leaves the quotation without a speaker - as does any doubt. A
quotation with no attribution of its own takes the speaker of its chain, or of the quotation
just before it when it opens a sentence with no narration between them. Speakers are found
once and cached; :func:`finish_quotes` then writes the quotations.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from .clauses import VERBAL
from .context import Context, QuoteSpan, final
from .params import (
    MIN_QUOTE_TOKENS, PARTIAL_QUOTE_HOPS, QUOTE_REPAIR_PARAGRAPHS, SPEAKER_PRONOUN_SENTENCES, SPEECH_SUBJECT_HOPS,
    TITLE_MAX_WORDS,
)
from .records import CONCEPT, DEFAULT_SPEECH_VERB, DESC, PRON, RawQuote
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
#: mention labels that may speak (the resolver keeps people, organisations and countries)
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "ORG_NOUN"})
#: mention labels a personal pronoun ("he said") may stand for
_PERSONAL = frozenset({"PERSON"})
#: mention labels "it said" / "they said" may stand for
_COLLECTIVE = frozenset({"ORG", "GPE", "ORG_NOUN"})
_SUBJECTS = ("nsubj", "nsubjpass")
_PLURAL_TAGS = ("NNS", "NNPS")
#: a speech verb without a subject takes that of the verb it hangs from by these
_INHERIT_DEPS = ("advcl", "xcomp", "conj", "pcomp", "acl")

# -------------------------------------------------------------------- marks


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
                if verb is None and not _frames_in(ctx, sent.start, sent.end):
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
               for i, hops in _ancestor_order(ctx, span).items())


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

# -------------------------------------------------------------------- speakers


def quote_speaker(ctx: Context, qi: int) -> int | None:
    """The mention id of the speaker of quotation ``qi`` (found once, then cached)."""
    q = ctx.quotes
    if qi in q.speaker:
        return q.speaker[qi]
    q.speaker[qi] = None  # guards against cycles
    found, mid, verb = _own_speaker(ctx, qi)
    if found == "none":
        for other in _chain(ctx, qi):
            found, mid, verb = _own_speaker(ctx, other)
            if found != "none":
                break
    if found == "none" and _continues_previous(ctx, qi):
        mid, verb, found = quote_speaker(ctx, qi - 1), DEFAULT_SPEECH_VERB, "previous"
    q.speaker[qi] = mid
    if verb:
        q.verb[qi] = verb
    return mid


def _chain(ctx: Context, qi: int) -> list[int]:
    """The other quotations of ``qi``'s chain (pieces of one quotation over paragraphs), nearest first."""
    spans = ctx.quotes.spans
    back, i = [], qi
    while spans[i].prev is not None:
        i = spans[i].prev
        back.append(i)
    fwd = [j for j in range(qi + 1, len(spans)) if _chain_root(spans, j) == (back[-1] if back else qi)]
    return sorted(back + fwd, key=lambda j: abs(j - qi))


def _chain_root(spans: list[QuoteSpan], j: int) -> int:
    while spans[j].prev is not None:
        j = spans[j].prev
    return j


def _continues_previous(ctx: Context, qi: int) -> bool:
    """A quotation with no attribution that opens a sentence right after the previous quotation
    (no sentence of narration between them) continues its speaker's words."""
    if qi == 0:
        return False
    spans, tb = ctx.quotes.spans, ctx.table
    cur, prev = spans[qi], spans[qi - 1]
    if cur.partial:
        return False
    sent = ctx.sents[ctx.sent_of[cur.a]]
    if not all(tb.is_punct[i] or tb.orth[i].isspace() for i in range(sent.start, cur.a)):
        return False
    first, last = ctx.sent_of[prev.b], ctx.sent_of[cur.a]
    for si in range(first + 1, last):
        s = ctx.sents[si]
        if any(ctx.quotes.inside.get(i) is None and not tb.is_punct[i] and not tb.orth[i].isspace()
               for i in range(s.start, s.end)):
            return False
    return True


def _own_speaker(ctx: Context, qi: int) -> tuple[str, int | None, str | None]:
    """("found", mention, verb) from the quotation's own sentence; ("unnamed", None, verb) when its
    speaker is there but is no one named; ("none", None, None) when the sentence names no speaker."""
    span = ctx.quotes.spans[qi]
    doc = ctx.doc
    if span.partial:
        if span.verb is not None:
            return _speaker_of_verb(ctx, doc[span.verb], qi) or ("none", None, None)
        sent = ctx.sents[ctx.sent_of[span.a]]  # 'According to X, Beijing has not "ruled it out"'
        for _, x in _frames_in(ctx, sent.start, sent.end):
            mid = _mention_of(ctx, x, qi)
            return ("found", mid, DEFAULT_SPEECH_VERB) if mid is not None else ("unnamed", None, None)
        return "none", None, None
    for v, frame in _candidates(ctx, qi):
        if frame:  # "according to X": X
            x = _frame_object(ctx, v, frame)
            if x is None:
                continue
            mid = _mention_of(ctx, x, qi)
            return ("found", mid, DEFAULT_SPEECH_VERB) if mid is not None else ("unnamed", None, None)
        got = _speaker_of_verb(ctx, v, qi)
        if got is not None:
            return got
    return "none", None, None


def _frame_object(ctx: Context, v, frame: tuple[str, ...]):
    """X of a reporting frame "according to X" starting at ``v`` (the word after the frame if the
    parse gives no object); None if there is none outside quotations."""
    n = len(frame)
    if v.i + n >= len(ctx.doc):
        return None
    x = (objects_of(v.nbor(n - 1)) or [v.nbor(n)])[0]
    return None if ctx.quotes.inside.get(x.i) is not None else x


def _frames_in(ctx: Context, lo: int, hi: int) -> list[tuple[int, object]]:
    """(frame start, X) of the reporting frames among tokens ``lo``..``hi`` outside quotations."""
    rules, tb = ctx.rules, ctx.table
    starts = {f[0] for f in rules.reporting_frames}
    out = []
    for i in range(lo, hi):
        if tb.lower[i] in starts and ctx.quotes.inside.get(i) is None:
            frame = rules.frame_at(ctx.doc[i])
            x = _frame_object(ctx, ctx.doc[i], frame) if frame else None
            if x is not None:
                out.append((i, x))
    return out


def _candidates(ctx: Context, qi: int) -> list[tuple[object, tuple | None]]:
    """Speech verbs and reporting frames outside quotations around quotation ``qi``: the verbs it
    hangs from first (nearest first), then the others by distance."""
    span, rules, tb, doc = ctx.quotes.spans[qi], ctx.rules, ctx.table, ctx.doc
    s_first, s_last = ctx.sent_of[span.a], ctx.sent_of[span.b]
    if span.closed:  # the closing mark may stand in a sentence of its own
        s_last = max(s_last, ctx.sent_of.get(min(bisect_left(tb.idx, span.end), len(tb.idx) - 1), s_last))
    sents = list(range(s_first, s_last + 1))
    nxt = s_last + 1
    if nxt < len(ctx.sents) and span.closed:
        # an attribution cut off into a sentence (or paragraph) of its own: 'said X.'
        s = ctx.sents[nxt]
        first = next((i for i in range(s.start, s.end) if not tb.is_punct[i]), None)
        if first is not None and tb.lemma[first].lower() in rules.quote_speech and tb.pos[first] in VERBAL:
            sents.append(nxt)
    if s_first > 0 and span.opened:
        # 'X said:' at the end of the sentence (or paragraph) before
        s = ctx.sents[s_first - 1]
        last = s.end - 1
        while last > s.start and tb.orth[last].isspace():
            last -= 1
        if tb.orth[last] == ":":
            sents.insert(0, s_first - 1)
    ancestors = _ancestor_order(ctx, span)
    frame_starts = {f[0] for f in rules.reporting_frames}
    cands = []
    for si in sents:
        for i in range(ctx.sents[si].start, ctx.sents[si].end):
            if ctx.quotes.inside.get(i) is not None:
                continue
            t = doc[i]
            if tb.lemma[i].lower() in rules.quote_speech and tb.pos[i] in VERBAL:
                cands.append((t, None))
            elif tb.lower[i] in frame_starts:
                frame = rules.frame_at(t)
                if frame:
                    cands.append((t, frame))
    if not cands and _after_colon(ctx, span):
        # 'Bolsonaro opposed the plan: "..."': the subject of the clause the colon ends
        colon = _prev_token(ctx, bisect_left(tb.idx, span.start - 1) - 1)
        if colon is not None and tb.orth[colon] == ":":
            v = doc[tb.head[colon]]
            if tb.pos[v.i] in VERBAL and ctx.quotes.inside.get(v.i) is None:
                cands.append((v, None))

    def rank(c):
        v = c[0]
        if v.i in ancestors:
            return (0, ancestors[v.i])
        return (1, min(abs(v.i - span.a), abs(v.i - span.b)))

    return sorted(cands, key=rank)


def _ancestor_order(ctx: Context, span: QuoteSpan) -> dict[int, int]:
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


def _after_colon(ctx: Context, span: QuoteSpan) -> bool:
    before = ctx.table.text[:span.start - 1].rstrip()
    return bool(before) and before[-1] == ":"


def _prev_token(ctx: Context, i: int) -> int | None:
    tb = ctx.table
    while i >= 0 and tb.orth[i].isspace():
        i -= 1
    return i if i >= 0 else None


def _speaker_of_verb(ctx: Context, v, qi: int) -> tuple[str, int | None, str] | None:
    """The speaker a speech verb names: its subject (or the agent of a passive, the noun a relative
    clause hangs from, the object of "quoted X as saying"), else the subject of the verb it hangs
    from ("saying", "adding"); None if it names no one."""
    word = v.lower_
    verb, via_as = v, False
    for _ in range(SPEECH_SUBJECT_HOPS + 1):
        subjects = _speaker_tokens(ctx, verb, via_as)
        if subjects:
            mids = [_mention_of(ctx, s, qi) for s in subjects]
            mid = next((m for m in mids if m is not None), None)
            return ("found", mid, word) if mid is not None else ("unnamed", None, word)
        if verb.dep_ not in _INHERIT_DEPS or verb.head.i == verb.i:
            return None
        verb = verb.head
        via_as = verb.dep_ == "prep" and verb.head.i != verb.i
        if via_as:  # "quoted X as saying": through "as"
            verb = verb.head
    return None


def _speaker_tokens(ctx: Context, verb, via_as: bool = False) -> list:
    """Who a verb says speaks: the object of "quote" ("quoted X as saying"), the agent of a passive,
    else its subjects (a relative pronoun: the noun its clause hangs from)."""
    kids = [c for c in verb.children if ctx.quotes.inside.get(c.i) is None]
    if via_as and ctx.table.lemma[verb.i].lower() in ctx.rules.quote_object_verbs:
        objs = [c for c in kids if c.dep_ == "dobj"]
        if objs:
            return objs
    agent = [p for c in kids if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
    if agent:
        return agent
    subjects = [c for c in kids if c.dep_ in _SUBJECTS]
    if verb.dep_ == "relcl":
        subjects = [verb.head if ctx.rules.pronouns.get(c.lower_, {}).get("kind") == "relative" else c
                    for c in subjects]
    return subjects


def _mention_of(ctx: Context, tok, qi: int | None) -> int | None:
    """The mention a speaker's subject token stands for: a named person, organisation or country
    (through an apposition, a pronoun or a description); None for an unnamed or unknown one."""
    tb = ctx.table
    for c in tok.children:  # "The Vice President, Mike Pence, said": the name in apposition
        if c.dep_ == "appos":
            m = ctx.tok2m.get(c.i)
            if m is not None and ctx.mentions[m].label == "PERSON":
                return m
    mid = ctx.tok2m.get(tok.i)
    if mid is None or ctx.mentions[mid].label == CONCEPT:
        # a name after its title in the same noun phrase ("leader Xi"), never a modifier before
        # the head ("the Wooster professor")
        for c in tok.children:
            if c.dep_ == "compound" and c.i > tok.i and c.i in ctx.tok2m and \
                    ctx.mentions[ctx.tok2m[c.i]].label == "PERSON":
                return ctx.tok2m[c.i]
        return _titled_person(ctx, tok)
    m = ctx.mentions[mid]
    if m.label == PRON:
        low = tb.lower[tok.i]
        info = ctx.rules.pronouns.get(low, {})
        if low in ctx.rules.gendered_subjects:
            ante = _pronoun_speaker(ctx, tok, _PERSONAL)
        elif _collective_pronoun(ctx.rules, low):
            ante = _pronoun_speaker(ctx, tok, _COLLECTIVE)  # "it said", "they said"
        else:
            return None  # "I", "we", "you", "this": no one named
        if ante is not None:
            ctx.mentions[mid] = replace(m, antecedent=ante)
        return ante
    if m.label == DESC:
        return final(ctx, mid) if m.antecedent is not None else None
    if m.label == "PERSON" and tok.dep_ in _SUBJECTS:
        # "Longtime Imus in the Morning writer Rob Bartlett tweeted" parsed with "Imus" as the
        # subject: the name right before the verb, inside the subject's phrase, is the speaker
        before = ctx.doc[tok.head.i - 1] if tok.head.i > 0 else None
        adj = ctx.tok2m.get(before.i) if before is not None else None
        if adj is not None and adj != mid and ctx.mentions[adj].label == "PERSON" and \
                tok.left_edge.i <= before.i <= tok.right_edge.i and not (before.dep_ == "conj" and before.head.i == tok.i):
            return adj
    return mid if m.label in SPEAKER_LABELS else None


def _titled_person(ctx: Context, tok) -> int | None:
    """"a White House spokesman said": the one person named before with that title noun in the
    article ("National Security Council spokesman John Kirby", "John Kirby, the spokesman for
    ..."); None if none, or several."""
    tb = ctx.table
    if tb.tag[tok.i] in _PLURAL_TAGS or not ctx.rules.vocab.title_of([tb.lower[tok.i]]):
        return None
    noun = tb.lemma[tok.i].lower()
    people = set()
    for m in ctx.mentions:
        if m.label != "PERSON" or m.start >= tok.idx:
            continue
        span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        words = {tb.lemma[i].lower() for i in range(root.left_edge.i, span.start)}
        words |= {tb.lemma[c.i].lower() for c in root.children if c.dep_ == "appos"}
        if noun in words:
            people.add(final(ctx, m.id))
    people.discard(None)
    names = {ctx.mentions[p].name.split()[-1].lower() for p in people}
    return min(people) if len(names) == 1 else None


def _pronoun_speaker(ctx: Context, tok, labels: frozenset[str]) -> int | None:
    """Whom the pronoun subject ``tok`` of a speech verb stands for: the subject of the nearest main
    clause of narration before it (quotations skipped) that can be it; None if that is someone
    without a name, or no one is found within a few sentences."""
    memo = ctx.quotes.pronouns
    if tok.i not in memo:
        memo[tok.i] = None  # guards against cycles
        memo[tok.i] = _walk_back(ctx, tok, labels)
    return memo[tok.i]


def _walk_back(ctx: Context, tok, labels: frozenset[str]) -> int | None:
    tb = ctx.table
    si = ctx.sent_of[tok.i]
    narration = 0
    while si >= 0 and narration <= SPEAKER_PRONOUN_SENTENCES:
        s = ctx.sents[si]
        hi = min(s.end, tok.i)
        subjects = [i for i in range(s.start, hi) if tb.dep[i] in _SUBJECTS
                    and ctx.quotes.inside.get(i) is None and _main_clause(ctx, i)]
        # "According to Kirby, ...": the frame's X speaks in that sentence like a subject
        subjects = sorted(subjects + [x.i for _, x in _frames_in(ctx, s.start, hi)])
        for i in reversed(subjects):
            verdict = _subject_verdict(ctx, i, labels)
            if verdict != "skip":
                return verdict
        if any(ctx.quotes.inside.get(i) is None and not tb.is_punct[i] for i in range(s.start, s.end)):
            narration += 1
        si -= 1
    return None


def _collective_pronoun(rules, low: str) -> bool:
    """"it", "they": a subject pronoun that may stand for an organisation or a country."""
    info = rules.pronouns.get(low, {})
    return info.get("kind") == "subject" and info.get("gender") in ("n", "any")


def _main_clause(ctx: Context, i: int) -> bool:
    """True if token ``i`` is the subject of its sentence's main verb (or one coordinated with
    it) or of a speech verb."""
    tb = ctx.table
    h = tb.head[i]
    if tb.dep[h] == "ROOT" or (tb.dep[h] == "conj" and tb.dep[tb.head[h]] == "ROOT"):
        return True
    return tb.lemma[h].lower() in ctx.rules.quote_speech and tb.pos[h] in VERBAL


def _subject_verdict(ctx: Context, i: int, labels: frozenset[str]):
    """What a subject before a pronoun speaker says about it: the mention it stands for, None
    (an unnamed person: the pronoun's speaker is unknown), or "skip" (it cannot be the pronoun)."""
    tb, rules = ctx.table, ctx.rules
    tok = ctx.doc[i]
    mid = ctx.tok2m.get(i)
    personal = labels is _PERSONAL
    if mid is not None:
        m = ctx.mentions[mid]
        if m.label == PRON:
            low = tb.lower[i]
            if personal and low in rules.gendered_subjects:
                return _pronoun_speaker(ctx, tok, labels)  # "he ... . He added": the same rule, once
            if not personal and _collective_pronoun(rules, low):
                return _pronoun_speaker(ctx, tok, labels)
            return "skip"  # "I", "we", "you": the writer or an interviewee, not the one meant
        if m.label == DESC:
            return (final(ctx, mid) if m.antecedent is not None else None) if personal else None
    named = _mention_of(ctx, tok, None)
    if named is not None and ctx.mentions[named].label in labels:
        return named
    if not personal:
        return None  # "it said", "they said" stand for the nearest subject, here nothing named
    if mid is None and tb.pos[i] == "PROPN":
        return None  # a name the entity recognizer missed: someone, but not one we can name
    if mid is None and _unnamed_person(ctx, i):
        return None  # "his mother said ...; she added": someone without a name
    return "skip"


def _unnamed_person(ctx: Context, i: int) -> bool:
    """True if subject token ``i`` is one person without a name: "his mother", "a spokeswoman",
    "one of the victims" (not "officials": a plural is not "he" or "she")."""
    tb, rules = ctx.table, ctx.rules
    if tb.pos[i] in ("NUM", "PRON", "DET", "ADJ"):  # "one of the victims"
        of = next((c for c in tb.children(i) if tb.dep[c] == "prep" and tb.lower[c] == "of"), None)
        obj = next((c for c in tb.children(of) if tb.dep[c] == "pobj"), None) if of is not None else None
        return obj is not None and tb.lemma[obj].lower() in rules.person_nouns
    if tb.tag[i] in _PLURAL_TAGS:
        return False
    return tb.lemma[i].lower() in rules.person_nouns or bool(rules.vocab.title_of([tb.lower[i]]))

# -------------------------------------------------------------------- output


def finish_quotes(ctx: Context) -> None:
    """Every quotation's speaker (after coreference) and its record."""
    q = ctx.quotes
    text = ctx.table.text
    for qi in range(len(q.spans)):
        quote_speaker(ctx, qi)
    last_tok = len(ctx.table.idx) - 1
    for qi, span in enumerate(q.spans):
        sp = q.speaker.get(qi)
        # the evidence: the sentences from the opening mark to the closing one (which spaCy may
        # leave in a sentence of its own)
        a = max(0, bisect_left(ctx.table.idx, span.start - 1)) if span.opened else span.a
        b = min(last_tok, bisect_left(ctx.table.idx, span.end)) if span.closed else span.b
        first = ctx.sents[min(ctx.sent_of[a], ctx.sent_of[span.a])]
        last = ctx.sents[max(ctx.sent_of[b], ctx.sent_of[span.b])]
        sent_start, sent_end = trimmed(text[first.start_char:last.end_char], first.start_char, last.end_char)
        verb = q.verb.get(qi) or DEFAULT_SPEECH_VERB
        if sp is not None:
            sp = final(ctx, sp)
        q.out.append(RawQuote(text[span.start:span.end], span.start - (1 if span.opened else 0),
                              span.end + (1 if span.closed else 0), sent_start, sent_end, sp, verb, span.partial))
        q.final_speaker[qi] = sp


def speaker_of_token(ctx: Context, tok) -> int | None:
    """The speaker of the quotation holding ``tok`` (once quotations are finished), else None."""
    qi = ctx.quotes.inside.get(tok.i)
    if qi is None:
        return None
    return ctx.quotes.final_speaker.get(qi)
