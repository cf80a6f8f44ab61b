"""Quotations' records: every quotation with its speaker (after coreference), and the speaker of
the quotation a token is in.

The spans are found by :func:`kg.extract.quotemarks.find_quotes` (marks paired paragraph by
paragraph, full or partial quotations), their speakers by :func:`kg.extract.speakers.quote_speaker`
while coreference runs; :func:`finish_quotes` then writes the quotations.
"""

from __future__ import annotations

from bisect import bisect_left

from .context import Context, final
from .records import DEFAULT_SPEECH_VERB, RawQuote
from .speakers import quote_speaker
from .table import trimmed


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
