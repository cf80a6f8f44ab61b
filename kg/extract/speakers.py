"""Quotation speakers.

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
once and cached; :func:`kg.extract.quotes.finish_quotes` then writes the quotations.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from .clauses import VERBAL
from .context import Context, QuoteSpan, final
from .params import SPEAKER_PRONOUN_SENTENCES, SPEECH_SUBJECT_HOPS
from .quotemarks import ancestor_order, frame_object, frames_in
from .records import CONCEPT, DEFAULT_SPEECH_VERB, DESC, PRON

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
        for _, x in frames_in(ctx, sent.start, sent.end):
            mid = _mention_of(ctx, x, qi)
            return ("found", mid, DEFAULT_SPEECH_VERB) if mid is not None else ("unnamed", None, None)
        return "none", None, None
    for v, frame in _candidates(ctx, qi):
        if frame:  # "according to X": X
            x = frame_object(ctx, v, frame)
            if x is None:
                continue
            mid = _mention_of(ctx, x, qi)
            return ("found", mid, DEFAULT_SPEECH_VERB) if mid is not None else ("unnamed", None, None)
        got = _speaker_of_verb(ctx, v, qi)
        if got is not None:
            return got
    return "none", None, None


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
    ancestors = ancestor_order(ctx, span)
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
        subjects = sorted(subjects + [x.i for _, x in frames_in(ctx, s.start, hi)])
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
