"""Coreference: pronouns and descriptions ("the spokesman") get the mention they stand for.

Mentions are read in text order:
* a description stands for the last person named with its title;
* "he", "her", ... for the last person within a few sentences - in the same sentence a subject
  or object before one inside a prepositional phrase; inside a quotation never its speaker;
* "I" inside a quotation for its speaker, "we" for the speaker's side (:mod:`kg.resolve`
  turns that into the speaker's organisation or country);
* "its", "they" for the last country, organisation or group within a couple of sentences;
* a relative pronoun for the noun its clause modifies.
Quotation speakers are found on the way (:mod:`kg.extract.speakers`).
"""

from __future__ import annotations

from dataclasses import replace

from .context import PERSON_GENDERS, PERSONAL_KINDS, Context, final, mention_at
from .mentions import add_mention
from .params import NONPERSON_SENTENCES, PRONOUN_SENTENCES
from .quotes import finish_quotes
from .records import DESC, PRON, REFERRING, Mention
from .speakers import quote_speaker

#: mentions a pronoun like "its" or "they" may stand for
ORG_LABELS = ("ORG", "GPE", "NORP")
#: within its sentence, a subject or direct object binds a personal pronoun first
CORE_DEPS = ("nsubj", "nsubjpass", "dobj", "appos")


def coreference(ctx: Context) -> None:
    """Pronoun and description mentions, their antecedents, then the quotations' speakers."""
    _referring_mentions(ctx)
    last_person: list[int] = []  # mention ids of persons in text order
    for mid in sorted(range(len(ctx.mentions)), key=lambda i: ctx.mentions[i].start):
        m = ctx.mentions[mid]
        if m.label == "PERSON":
            last_person.append(mid)
        elif m.label in REFERRING and m.antecedent is None:  # a pronoun speaker may be resolved already
            ante = _antecedent(ctx, m, last_person)
            if ante is not None:
                ctx.mentions[mid] = replace(m, antecedent=final(ctx, ante))
    finish_quotes(ctx)


def _referring_mentions(ctx: Context) -> None:
    """A mention for each pronoun, and for each "the <title>" (a description of a person)."""
    doc, tb, rules = ctx.doc, ctx.table, ctx.rules
    for i in range(len(doc)):
        low = tb.lower[i]
        if i in ctx.tok2m or not (low in rules.definite or low in rules.pronouns or low in rules.possessive_dets):
            continue
        info = rules.pronouns.get(low)
        if info and tb.pos[i] == "PRON" or (low in rules.possessive_dets and tb.tag[i] == "PRP$"):
            add_mention(ctx, i, i + 1, PRON)
        elif low in rules.definite and tb.pos[tb.head[i]] == "NOUN" and tb.head[i] == i + 1 or (
                low in rules.definite and i + 2 < len(doc) and tb.head[i] == i + 2):
            t = doc[i]
            words = [x.lower_ for x in doc[t.i + 1 : t.head.i + 1]]
            hit = rules.vocab.title_of(words) if words else None
            if hit and hit[1] == len(words) and not any(c.dep_ == "prep" for c in t.head.children):
                add_mention(ctx, t.i, t.head.i + 1, DESC, title=hit[0], name=" ".join(words))


def _antecedent(ctx: Context, m: Mention, last_person: list[int]) -> int | None:
    """The mention a pronoun or description ``m`` stands for, if found."""
    rules = ctx.rules
    tok = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")[0]
    qi = ctx.quotes.inside.get(tok.i)
    low = m.text.lower()
    info = rules.pronouns.get(low, {})
    if m.label == DESC:
        for pid in reversed(last_person):
            if ctx.titles.get(pid) == m.title or ctx.mentions[pid].title == m.title:
                return pid
        return None
    if info.get("kind") in PERSONAL_KINDS and info.get("gender") in PERSON_GENDERS:
        return _person_antecedent(ctx, m, tok, qi, last_person)
    if info.get("kind") == "speaker" and qi is not None:  # "I" in a quotation
        return quote_speaker(ctx, qi)
    if info.get("kind") == "first" and qi is not None:  # "we" in a quotation
        sp = quote_speaker(ctx, qi)
        if sp is not None:
            ctx.we_of[m.id] = sp
        return None
    if low in rules.nonperson_pronouns or (low in rules.nonperson_as_possessive and tok.dep_ == "poss"):
        return _nonperson_antecedent(ctx, m)
    if info.get("kind") == "relative":
        if tok.dep_ in ("nsubj", "nsubjpass", "dobj") and tok.head.dep_ == "relcl":
            return mention_at(ctx, tok.head.head)
    return None


def _person_antecedent(ctx: Context, m: Mention, tok, qi: int | None, last_person: list[int]) -> int | None:
    # inside a quotation "he" is someone other than the speaker; the subject of
    # a speech verb after a quotation is handled with the quotation's speaker
    speaker = quote_speaker(ctx, qi) if qi is not None else None
    si = ctx.sent_of[tok.i]
    cands = []
    for pid in reversed(last_person):
        p = ctx.mentions[pid]
        if p.start > m.start or (speaker is not None and pid == speaker):
            continue
        if si - p.sent > PRONOUN_SENTENCES:
            break
        cands.append(pid)
    # within the sentence, a subject or direct object binds a possessive
    # before a person inside a prepositional phrase ("invited Xi to speak
    # with Zelensky as part of his visit" -> Xi)
    core = [p for p in cands if ctx.mentions[p].sent == si and ctx.mentions[p].dep in CORE_DEPS]
    return core[0] if core else (cands[0] if cands else None)


def _nonperson_antecedent(ctx: Context, m: Mention) -> int | None:
    """The last country, organisation or group before ``m`` (a group only for a plural)."""
    plural = ctx.rules.pronouns.get(m.text.lower(), {}).get("number") == "pl"
    best = None
    for other in ctx.mentions:
        if other.start >= m.start or (best is not None and other.start < ctx.mentions[best].start):
            continue
        if other.label in ORG_LABELS and m.sent - other.sent <= NONPERSON_SENTENCES:
            if other.label == "NORP" and not plural:
                continue
            best = other.id
    return best
