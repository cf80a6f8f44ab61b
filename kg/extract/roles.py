"""Roles of persons (data/roles.yaml titles): "Chinese President Xi Jinping", "NSC spokesman
John Kirby", "Kirby, the NSC spokesman", "Ukraine's foreign minister, Dmytro Kuleba", and an
unnamed "a White House spokesman" linked to the person later named with that title.

A title with no organisation ("President Joe Biden") is kept in ``Context.title_only`` for
:mod:`kg.resolve`, which may find the country in the gazetteer.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import ASSERTED
from .context import Context, mention_at
from .params import APPOSITION_CONF, INDEFINITE_ROLE_CONF, INDEFINITE_ROLE_SENTENCES, TITLE_CONF
from .records import HYPHEN, Mention
from .relations import emit
from .tree import objects_of

#: the mentions a role may be "of"
ORG_LABELS = ("ORG", "GPE", "NORP")
#: modifiers of a role noun that may name its organisation ("NSC spokesman", "Ukraine's minister")
ORG_MODIFIER_DEPS = ("compound", "amod", "poss", "nmod")
#: words written before a name that may be part of a title
TITLE_POS = ("NOUN", "PROPN", "ADJ")


def roles(ctx: Context) -> None:
    """Every role the article gives a person: titles, appositions, then unnamed roles."""
    doc = ctx.doc
    for m in list(ctx.mentions):
        if m.label != "PERSON":
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        _title_before_name(ctx, m, span)
        _appositions(ctx, m, span.root)
    _title_appositions(ctx)
    _indefinite_roles(ctx)


def _emit_role(ctx: Context, person: int, role: str, org: int, tok, trigger: str, rule: str, conf: float) -> None:
    emit(ctx, person, role, org, tok, trigger, negated=False, modality=ASSERTED, rule=rule, conf=conf)


def _org_before(ctx: Context, i: int) -> Mention | None:
    """The organisation mention at token ``i`` (a demonym, a country, an organisation), if any."""
    if i < 0 or i not in ctx.tok2m:
        return None
    org = ctx.mentions[ctx.tok2m[i]]
    return org if org.label in ORG_LABELS else None


def _title_before_name(ctx: Context, m: Mention, span) -> None:
    """``... spokesman John Kirby``, ``Chinese President Xi Jinping`` (title inside the entity)."""
    doc, rules = ctx.doc, ctx.rules
    i = span.start - 1
    words = []
    while i >= 0:
        t = doc[i]
        if t.i in ctx.tok2m or t.lower_ in rules.articles or not (
                t.pos_ in TITLE_POS or t.text == HYPHEN or (t.lower_ in rules.title_joiners and words)):
            break
        words.insert(0, t.lower_)
        i -= 1
    hit = rules.vocab.title_of(words) if words else None
    title = m.title
    n_before = len(ctx.relations)
    if hit and hit[1] == len(words):
        title = hit[0]
        ctx.mentions[m.id] = replace(ctx.mentions[m.id], title=title)
        org = _org_before(ctx, i)
        if org is not None:
            _emit_role(ctx, m.id, title, org.id, span.root, f"{org.text} {' '.join(words)}", "title", TITLE_CONF)
    elif title:
        # "Xi Jinping" tagged with the title inside the entity: look for a demonym/org before it
        org = _org_before(ctx, span.start - 1)
        if org is not None:
            _emit_role(ctx, m.id, title, org.id, span.root, f"{org.text} {title}", "title", TITLE_CONF)
    if title:
        ctx.titles[m.id] = title
        if len(ctx.relations) == n_before:  # a title with no organisation ("President Joe Biden")
            ctx.title_only.append((m.id, title, m.sent, " ".join(words) or title))


def _role_org(ctx: Context, noun, *, keep: bool) -> int | None:
    """The organisation a role noun names: a modifier mention ("NSC spokesman") or the object of
    a role preposition ("spokesman for the NSC"), the last written; ``keep``: a preposition
    with no object keeps the one found before it (else it clears it)."""
    org = None
    for g in noun.children:
        if g.dep_ == "prep" and g.lower_ in ctx.rules.role_preps:
            org = next((mention_at(ctx, p) for p in objects_of(g)), org if keep else None)
        elif g.dep_ in ORG_MODIFIER_DEPS and g.i in ctx.tok2m:
            org = ctx.tok2m[g.i]
    return org


def _appositions(ctx: Context, m: Mention, root) -> None:
    """``John Kirby, the spokesman for the National Security Council``."""
    rules = ctx.rules
    for c in root.children:
        if c.dep_ != "appos":
            continue
        words = [t.lower_ for t in c.lefts if t.dep_ in ("compound", "amod")] + [c.lower_]
        hit = rules.vocab.title_of([w for w in words if w not in rules.articles])
        if not hit:
            continue
        ctx.titles[m.id] = hit[0]
        org = _role_org(ctx, c, keep=False)
        if org is not None and ctx.mentions[org].label in ORG_LABELS:
            _emit_role(ctx, m.id, hit[0], org, root, c.text, "apposition", APPOSITION_CONF)


def _title_appositions(ctx: Context) -> None:
    """``Ukraine's foreign minister, Dmytro Kuleba`` / ``the spokesman of the council, Ana Ruiz``."""
    tb, tok2m = ctx.table, ctx.tok2m
    for i in range(len(ctx.doc)):
        if tb.pos[i] != "NOUN" or i in tok2m or not any(tb.dep[c] == "appos" and c in tok2m for c in tb.children(i)):
            continue
        t = ctx.doc[i]
        people = [c for c in t.children if c.dep_ == "appos" and c.i in tok2m
                  and ctx.mentions[tok2m[c.i]].label == "PERSON"]
        if not people:
            continue
        words = [x.lower_ for x in t.lefts if x.dep_ in ("compound", "amod")] + [t.lower_]
        hit = ctx.rules.vocab.title_of(words)
        if not hit:
            continue
        org = _role_org(ctx, t, keep=True)
        person = tok2m[people[0].i]
        ctx.titles.setdefault(person, hit[0])
        if org is not None and ctx.mentions[org].label in ORG_LABELS:
            _emit_role(ctx, person, hit[0], org, t, " ".join(words), "apposition", APPOSITION_CONF)


def _indefinite_roles(ctx: Context) -> None:
    """News leads name a source by role first and by name later: "..., a White House
    spokesman said." then "National Security Council spokesman John Kirby said ...".
    The unnamed "<org> <title>" is linked to the first person named with the same
    title within a few sentences after, else the closest one before (low confidence)."""
    doc, tb, tok2m, rules = ctx.doc, ctx.table, ctx.tok2m, ctx.rules
    persons = sorted((m for m in ctx.mentions if m.label == "PERSON" and m.id in ctx.titles), key=lambda m: m.start)
    for i in range(len(doc)):
        if tb.pos[i] != "NOUN" or i in tok2m:
            continue
        hit = rules.vocab.title_of([tb.lower[i]])
        if not hit or not any(tb.dep[c] == "det" and tb.lower[c] in rules.indefinite for c in tb.children(i)):
            continue
        t = doc[i]
        org = next((tok2m[c.i] for c in t.children if c.dep_ in ("compound", "amod", "nmod")
                    and c.i in tok2m and ctx.mentions[tok2m[c.i]].label in ORG_LABELS), None)
        if org is None:
            continue
        si = ctx.sent_of[t.i]
        near = [p for p in persons if abs(p.sent - si) <= INDEFINITE_ROLE_SENTENCES and ctx.titles.get(p.id) == hit[0]]
        # prefer the first person named after the description, else the closest before it
        after = [p for p in near if p.start > t.idx]
        for p in after[:1] or sorted(near, key=lambda p: -p.start)[:1]:
            org_m = ctx.mentions[org]
            _emit_role(ctx, p.id, hit[0], org, t, f"{org_m.text} {t.text}", "indefinite-role", INDEFINITE_ROLE_CONF)
