"""Quotations: their marks, their speakers and speech verbs.

A quotation's speaker is the subject of the nearest speech verb outside it in its
sentence(s), or the X of a reporting frame ("according to X"); a pronoun there ("he said") is
the person who was last the subject of a main clause, else the previous quotation's speaker.
A quotation with no speech verb that opens a sentence continues the previous speaker's words.
Speakers are found while coreference runs (:mod:`kg.extract.coref`), which needs them for
"I" and "we" inside quotations; :func:`finish_quotes` then writes the quotations.
"""

from __future__ import annotations

from dataclasses import replace

from .clauses import VERBAL
from .context import Context, final, mention_at
from .params import MIN_OPEN_QUOTE_TOKENS, MIN_QUOTE_TOKENS, PREVIOUS_QUOTES, QUOTE_CONTINUATION_SENTENCES
from .records import DEFAULT_SPEECH_VERB, DESC, PRON, REFERRING, RawQuote
from .table import trimmed
from .tree import objects_of

#: quotation marks as tokens: '"' opens or closes; PTB-style `` only opens and '' only closes
QUOTE_CHARS = {'"', "``", "''"}
OPEN_ONLY, CLOSE_ONLY = "``", "''"
#: a quotation left open at a paragraph end closes there (news style)
PARAGRAPH_BREAK = "\n\n"


def find_quotes(ctx: Context) -> None:
    """The quotations' token spans (from their opening to their closing mark)."""
    doc, tb, q = ctx.doc, ctx.table, ctx.quotes
    spans = []  # (open_tok, close_tok)
    open_i = None
    orth = tb.orth
    for i in range(len(doc)):
        text = orth[i]
        if text in QUOTE_CHARS:
            if open_i is None and text != CLOSE_ONLY:
                open_i = i
            elif open_i is not None and text != OPEN_ONLY:
                spans.append((open_i, i))
                open_i = None
        elif open_i is not None and PARAGRAPH_BREAK in tb.space_before(i) + text and i - 1 > open_i:
            spans.append((open_i, i - 1))
            open_i = None
    if open_i is not None and len(doc) - open_i > MIN_OPEN_QUOTE_TOKENS:
        spans.append((open_i, len(doc) - 1))
    for a, b in spans:
        if b - a - 1 < MIN_QUOTE_TOKENS:
            continue
        for i in range(a, b + 1):
            q.inside[i] = len(q.spans)
        q.spans.append((a, b))


def _speaker_for_quote(ctx: Context, qi: int) -> tuple[int | None, str | None]:
    """The mention id of whoever said quotation ``qi`` and the speech verb."""
    doc, rules, q = ctx.doc, ctx.rules, ctx.quotes
    a, b = q.spans[qi]
    s_first, s_last = ctx.sent_of[a], ctx.sent_of[max(a, b)]
    # the speech verb may sit in the sentence of the quote, or the next one when the
    # quotation fills a sentence of its own ('"...," he said.' splits oddly)
    cands = []  # (token, the reporting frame it starts or None)
    for si in range(s_first, min(len(ctx.sents), s_last + 1)):
        for t in ctx.sents[si]:
            if q.inside.get(t.i) == qi:
                continue
            if t.lemma_.lower() in rules.speech and t.pos_ in VERBAL:
                cands.append((t, None))
            frame = rules.frame_at(t)
            if frame:
                cands.append((t, frame))
    best = None
    for v, frame in sorted(cands, key=lambda c: min(abs(c[0].i - a), abs(c[0].i - b))):
        if frame:  # "according to X": X, else the word after the frame
            n = len(frame)
            subj = ((objects_of(v.nbor(n - 1)) or [v.nbor(n)]) if v.i + n < len(doc) else [])[:1]
        else:
            subj = [c for c in v.children if c.dep_ == "nsubj"]
        if subj and q.inside.get(subj[0].i) != qi:
            raw = ctx.tok2m.get(subj[0].i)
            if raw is not None and ctx.mentions[raw].label == PRON:
                best = (raw, v.lower_)  # resolved by the caller, preferring the last speaker
            else:
                best = (mention_at(ctx, subj[0]), DEFAULT_SPEECH_VERB if frame else v.lower_)
            if best[0] is not None:
                return best
    return best or (None, None)


def quote_speaker(ctx: Context, qi: int) -> int | None:
    """The speaker of quotation ``qi`` (found once; a pronoun speaker gets its antecedent)."""
    cache, rules = ctx.quotes.speaker, ctx.rules
    if qi in cache:
        return cache[qi]
    cache[qi] = None
    mid, verb = _speaker_for_quote(ctx, qi)
    if mid is not None:
        m = ctx.mentions[mid]
        recent = _subject_person_since_last_quote(ctx, qi, m) if m.label == PRON else None
        if recent is not None:
            ctx.mentions[mid] = replace(m, antecedent=recent)
            mid = recent
        elif m.label == PRON and m.text.lower() in rules.gendered_subjects:
            # "he added": the speaker of the previous quotation
            prev = None
            for back in range(qi - 1, max(-1, qi - 1 - PREVIOUS_QUOTES), -1):
                prev = quote_speaker(ctx, back)
                if prev is not None:
                    break
            if prev is not None:
                ctx.mentions[mid] = replace(m, antecedent=prev)
                mid = prev
            else:
                mid = final(ctx, mid) if m.antecedent is not None else None
        elif m.label in REFERRING:
            mid = final(ctx, mid)
    elif qi > 0 and _starts_sentence(ctx, qi):
        # a quotation with no speech verb continues the previous speaker's words
        # when it opens a sentence shortly after the previous quotation
        _, pb = ctx.quotes.spans[qi - 1]
        a, _ = ctx.quotes.spans[qi]
        if ctx.sent_of[a] - ctx.sent_of[pb] <= QUOTE_CONTINUATION_SENTENCES:
            mid = quote_speaker(ctx, qi - 1)
            verb = DEFAULT_SPEECH_VERB
    cache[qi] = mid
    if verb:
        ctx.quotes.verb[qi] = verb
    return mid


def _subject_person_since_last_quote(ctx: Context, qi: int, pron) -> int | None:
    """'Tusk said he was disappointed. "...," he said.' -> Tusk: a person who was the subject
    of a clause between the previous quotation and this pronoun beats the previous speaker."""
    start = ctx.doc[ctx.quotes.spans[qi - 1][1]].idx if qi > 0 else 0
    best = None
    for m in ctx.mentions:
        if not (start < m.start < pron.start and m.dep in ("nsubj", "nsubjpass") and m.main_clause):
            continue
        if m.label == "PERSON" or (m.label == DESC and m.antecedent is not None):
            if best is None or m.start > ctx.mentions[best].start:
                best = m.id
    return final(ctx, best) if best is not None else None


def _starts_sentence(ctx: Context, qi: int) -> bool:
    a, _ = ctx.quotes.spans[qi]
    s = ctx.sents[ctx.sent_of[a]]
    return a == s.start or all(t.is_punct or t.is_space for t in ctx.doc[s.start:a])


def finish_quotes(ctx: Context) -> None:
    """Every quotation's speaker (after coreference) and its record."""
    q, doc = ctx.quotes, ctx.doc
    for qi in range(len(q.spans)):
        quote_speaker(ctx, qi)
    for qi, (a, b) in enumerate(q.spans):
        sp = q.speaker.get(qi)
        text = doc[a + 1 : b].text.strip()
        first, last = ctx.sents[ctx.sent_of[a]], ctx.sents[ctx.sent_of[b]]
        sent_start, sent_end = trimmed(ctx.table.text[first.start_char:last.end_char], first.start_char, last.end_char)
        verb = q.verb.get(qi) or DEFAULT_SPEECH_VERB
        if sp is not None:
            sp = final(ctx, sp)
        q.out.append(RawQuote(text, doc[a].idx, doc[b].idx + len(doc[b]), sent_start, sent_end, sp, verb))
        q.final_speaker[qi] = sp


def speaker_of_token(ctx: Context, tok) -> int | None:
    """The speaker of the quotation holding ``tok`` (once quotations are finished), else None."""
    qi = ctx.quotes.inside.get(tok.i)
    if qi is None:
        return None
    return ctx.quotes.final_speaker.get(qi)
