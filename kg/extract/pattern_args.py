"""The mention a construction pattern's slot token stands for, and the conditions on slot heads
(data/patterns.yaml's ``heads``): through relative pronouns, transparent phrases ("eight counts
of murder"), groups ("a team of scientists from X"), named appositions; titles and proper names
the mentions lack become concepts; vague nouns ("the charges") stand for nothing.
"""

from __future__ import annotations

from .arguments import arg
from .context import Context
from .mentions import add_mention
from .pattern_rules import ANY, EVENT, NAMED, Patterns
from .records import CONCEPT
from .tree import prep_phrases

#: NER labels of a name
NAMED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
#: relative pronouns: a slot filled by one stands for the noun its clause modifies
RELATIVE_TAGS = ("WDT", "WP")
#: NER labels of titles and names that are no mention of their own (works, products, laws): a slot
#: filled by one of their words stands for the whole name
TITLE_ENTS = ("WORK_OF_ART", "PRODUCT", "LAW")
#: a concept is specific when its label has this many words or a capital letter or digit ("gold
#: medal", "Crew Dragon"), not a bare common noun ("phone", "film")
SPECIFIC_WORDS = 2


def _named(ctx: Context, tok) -> bool:
    mid = ctx.tok2m.get(tok.i)
    return tok.pos_ == "PROPN" or (mid is not None and ctx.mentions[mid].label in NAMED_LABELS)


def head_ok(ctx: Context, tok, words: frozenset[str]) -> bool:
    """The token heads a phrase ``words`` allow: its lemma or text, a two-word compound ("video
    game"), a proper name (``<named>``) or a named event (``<event>``)."""
    low, lemma = tok.lower_, tok.lemma_.lower()
    if low in words or lemma in words or ANY in words:
        return True
    prev = tok.doc[tok.i - 1] if tok.i > 0 else None
    if prev is not None and prev.head.i == tok.i and prev.dep_ == "compound" and f"{prev.lower_} {low}" in words:
        return True
    if NAMED in words and (_named(ctx, tok) or _named_apposition(ctx, tok) is not None):
        return True
    if EVENT in words:
        mid = ctx.tok2m.get(tok.i)
        return tok.ent_type_ == "EVENT" or (mid is not None and ctx.mentions[mid].label == "EVENT")
    return False


def _named_apposition(ctx: Context, tok):
    """The name a common noun introduces ("its South Korean chain HomePlus", "the 2018 film Black
    Panther"), if any."""
    if tok.i in ctx.tok2m or tok.pos_ != "NOUN":
        return None
    return next((ch for ch in tok.children if ch.dep_ == "appos" and _named(ctx, ch)), None)


def through(pats: Patterns, tok, depth: int = 2):
    """What a phrase stands for: "eight counts of murder" -> murder, "the town of Pandeglang" ->
    Pandeglang, "a team of scientists from University College London" -> the university."""
    for _ in range(depth):
        lemma, low = tok.lemma_.lower(), tok.lower_
        preps = pats.transparent.get(low) or pats.transparent.get(lemma)
        nxt = None
        if preps:
            nxt = next((p for _, p in prep_phrases(tok, preps)), None)
        elif (low in pats.groups or lemma in pats.groups) and tok.pos_ == "NOUN":
            nxt = next((p for _, p in prep_phrases(tok, pats.group_preps)), None)
        if nxt is None:
            return tok
        tok = nxt
    return tok


def slot_arg(ctx: Context, pats: Patterns, tok) -> int | None:
    """The mention a slot token stands for: through a relative pronoun, a transparent phrase, a
    named apposition ("the 2018 film Black Panther"), else the verb rules' :func:`arg`."""
    if tok.tag_ in RELATIVE_TAGS and tok.head.dep_ == "relcl":
        tok = tok.head.head
    tok = through(pats, tok)
    if _vague(ctx, pats, tok):
        return None
    named = _named_apposition(ctx, tok)
    if named is not None:
        return arg(ctx, named)
    if tok.ent_type_ in TITLE_ENTS and tok.i not in ctx.tok2m:
        return _proper_name(ctx, tok)
    mid = arg(ctx, tok)
    if mid is None and tok.pos_ == "PROPN" and tok.i not in ctx.tok2m:
        mid = _proper_name(ctx, tok)
    return mid


def _vague(ctx: Context, pats: Patterns, tok) -> bool:
    """A common noun that says nothing ("the charges", "criminal charges", "the matter"); a noun
    before it makes it say something ("hate crime charges")."""
    if tok.i in ctx.tok2m or (tok.lower_ not in pats.vague and tok.lemma_.lower() not in pats.vague):
        return False
    return not any(ch.dep_ == "compound" and ch.pos_ in ("NOUN", "PROPN") for ch in tok.children)


def _proper_name(ctx: Context, tok) -> int | None:
    """A name the mentions do not have, as a concept: the whole title NER found ("the Presidential
    Medal of Freedom"), else the proper nouns compounded before the token and the token ("the 2019
    Chicago Marathon", whose number makes the verb rules refuse it)."""
    if tok.i in ctx.concept_at:
        return ctx.concept_at[tok.i]
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None) if tok.ent_type_ in TITLE_ENTS else None
    if ent is not None:
        start, end = ent.start, ent.end
        while start < end and (tok.doc[start].lower_ in ctx.rules.articles or tok.doc[start].is_punct):
            start += 1
        if start < end:
            m = add_mention(ctx, start, end, CONCEPT, name=tok.doc[start:end].text)
            ctx.concept_at[tok.i] = m.id
            return m.id
    start = tok.i
    while start > 0 and tok.doc[start - 1].pos_ == "PROPN" and tok.doc[start - 1].dep_ == "compound" \
            and tok.doc[start - 1].head.i in range(start, tok.i + 1):
        start -= 1  # "Chicago" of "the 2019 Chicago Marathon", even if it names a city on its own
    m = add_mention(ctx, start, tok.i + 1, CONCEPT, name=tok.doc[start:tok.i + 1].text)
    ctx.concept_at[tok.i] = m.id
    return m.id


def is_specific(ctx: Context, mid: int) -> bool:
    m = ctx.mentions[mid]
    if m.label != CONCEPT:
        return True
    return len(m.name.split()) >= SPECIFIC_WORDS or any(ch.isupper() or ch.isdigit() for ch in m.name)


def phrase_concept(ctx: Context, tok) -> int | None:
    """A concept made of the whole phrase headed by ``tok`` and its first "in" phrase ("73 months
    in federal prison", "life in prison", "a 47 month prison term")."""
    keep = [tok]
    for ch in tok.children:
        if ch.i < tok.i and ch.dep_ not in ("det", "poss", "predet", "punct", "cc"):
            keep.extend(ch.subtree)
    pp = next((c for c in tok.children if c.dep_ == "prep" and c.i > tok.i), None)
    if pp is not None and pp.lower_ == "in":
        keep.extend(pp.subtree)
    start, end = min(t.i for t in keep), max(t.i for t in keep) + 1
    if not any(t.is_alpha for t in tok.doc[start:end]):
        return None
    m = add_mention(ctx, start, end, CONCEPT, name=tok.doc[start:end].text)
    return m.id

