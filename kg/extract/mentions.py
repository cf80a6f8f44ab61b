"""Named mentions: spaCy's entities (without determiners, titles and honorifics at their
edges), a person's name NER missed where it found it elsewhere in the article, and gazetteer
names NER missed ("the Kremlin", "PRC")."""

from __future__ import annotations

from .clauses import OBJ_DEPS, verb_lemma
from .context import Context, Rules
from .params import NAME_NGRAMS, PERSON_NAME_TOKENS, TITLE_LOOKBACK, TITLE_TAIL_TOKENS
from .records import Mention

NER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
#: the mention label of a gazetteer entry's type (other types: ORG; persons are not looked up)
GAZETTEER_LABELS = {"Country": "GPE", "City": "GPE"}
#: a possessive written as part of a name token ("Kirby's")
POSSESSIVE_ENDINGS = ("'s", "’s")


def add_mention(ctx: Context, start_tok: int, end_tok: int, label: str, **kw) -> Mention:
    """A new mention of tokens ``start_tok`` to ``end_tok`` (exclusive); the tokens it covers
    point to it unless an earlier mention holds them."""
    span = ctx.doc[start_tok:end_tok]
    text = span.text
    name = kw.pop("name", None) or text
    kw.setdefault("dep", span.root.dep_)
    head = span.root.head
    kw.setdefault("main_clause", head.dep_ == "ROOT" or (head.dep_ == "conj" and head.head.dep_ == "ROOT"))
    kw.setdefault("locative", is_locative(ctx.rules, span.root))
    m = Mention(len(ctx.mentions), text, name, label, span.start_char, span.end_char,
                ctx.sent_of.get(start_tok, 0), **kw)
    ctx.mentions.append(m)
    for i in range(start_tok, end_tok):
        ctx.tok2m.setdefault(i, m.id)
    return m


def is_actor(rules: Rules, tok) -> bool:
    """A grammatical agent: a subject, a possessor, a by-agent, the X of "according to X"."""
    if tok.dep_ in ("nsubj", "nsubjpass", "poss", "agent"):
        return True
    if tok.dep_ != "pobj":
        return False
    prep = tok.head
    return prep.lower_ in rules.agent_preps or any(
        prep.lower_ == f[-1] and (len(f) < 2 or prep.head.lower_ == f[-2]) for f in rules.reporting_frames)


def is_locative(rules: Rules, tok) -> bool:
    """A place reading: object of a locative preposition, or of a travel verb."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ == "pobj":
        return tok.head.lower_ in rules.locative_preps
    if tok.dep_ in OBJ_DEPS:
        return verb_lemma(tok.head, rules.vocab.verbs) in rules.travel_verbs
    return tok.dep_ in ("npadvmod",)


def _looks_like_person(rules: Rules, span, before) -> bool:
    """An ORG-tagged "Firstname Lastname" that speaks or bears an honorific is a person."""
    lo, hi = PERSON_NAME_TOKENS
    if not lo <= len(span) <= hi or not all(t.pos_ == "PROPN" and t.is_title for t in span):
        return False
    if any(t.lower_ in rules.org_nouns for t in span) or rules.gaz.lookup(span.text) is not None:
        return False
    if before is not None and before.lower_.rstrip(".") in rules.honorific_stems:
        return True
    root = span.root
    return root.dep_ == "nsubj" and root.head.lemma_.lower() in rules.speech


def _edges(ctx: Context, s: int, e: int) -> tuple[int, int]:
    """An entity's tokens without determiners, possessives and punctuation at its edges, and
    without an amount NER ran into it ("Apple 1.8 billion euros")."""
    doc, articles = ctx.doc, ctx.rules.articles
    while s < e and (doc[s].lower_ in articles or doc[s].is_punct):
        s += 1
    while e > s and (doc[e - 1].tag_ == "POS" or doc[e - 1].is_punct or doc[e - 1].lower_ in POSSESSIVE_ENDINGS):
        e -= 1
    for j in range(s + 1, e):
        if doc[j].like_num or doc[j].tag_ == "$":
            return s, j
    return s, e


def _leading_title(ctx: Context, s: int, e: int) -> tuple[str | None, int]:
    """Titles and honorifics written inside an entity ("President Xi"): the first title's role
    predicate and the number of tokens they take."""
    rules = ctx.rules
    title = None
    words = [t.lower_ for t in ctx.doc[s:e]]
    i = 0
    while i < len(words) - 1:
        hit = rules.vocab.title_at(words, i)
        if hit:
            title = title or hit[0]
            i += hit[1]
        elif words[i] in rules.honorifics or words[i].rstrip(".") in rules.honorifics:
            i += 1
        else:
            break
    return title, i


def _ner_mentions(ctx: Context) -> None:
    doc, rules = ctx.doc, ctx.rules
    for ent in doc.ents:
        if ent.label_ not in NER_LABELS:
            continue
        s, e = _edges(ctx, ent.start, ent.end)
        title, n_title = _leading_title(ctx, s, e)
        s += n_title
        if s >= e:
            continue
        name = doc[s:e].text
        label = ent.label_
        if label in ("ORG", "GPE") and e - s <= TITLE_TAIL_TOKENS and s >= TITLE_TAIL_TOKENS:
            # "Secretary of State" is a title, not the organisation "State"
            words = [t.lower_ for t in doc[max(0, s - TITLE_LOOKBACK) : e]]
            hit = rules.vocab.title_of(words)
            if hit and hit[1] > e - s:
                continue
        if label == "ORG" and _looks_like_person(rules, doc[s:e], doc[s - 1] if s > 0 else None):
            label = "PERSON"
        if label == "PERSON" and doc[e - 1].text.endswith(POSSESSIVE_ENDINGS):
            name = name[:-2]
        add_mention(ctx, s, e, label, name=name, title=title, actor=is_actor(rules, doc[s:e].root),
                    surname=doc[e - 1].text if label == "PERSON" else "")


def _names_seen_elsewhere(ctx: Context) -> None:
    """A person's name NER missed where it found it elsewhere in the article (or its last word)."""
    names = {}
    for m in ctx.mentions:
        if m.label == "PERSON":
            ws = tuple(m.name.split())
            names[ws] = True
            if len(ws) >= 2:
                names[ws[-1:]] = True
    if not names:
        return
    doc, tb, tok2m = ctx.doc, ctx.table, ctx.tok2m
    n_tok = len(doc)
    for i in range(n_tok):
        if i in tok2m or tb.pos[i] != "PROPN":
            continue
        for n in NAME_NGRAMS:
            if i + n <= n_tok and not any(j in tok2m for j in range(i, i + n)) \
                    and tuple(tb.orth[i:i + n]) in names:
                span = doc[i:i + n]
                add_mention(ctx, i, i + n, "PERSON", actor=is_actor(ctx.rules, span.root), surname=tb.orth[i + n - 1])
                break


def _gazetteer_mentions(ctx: Context) -> None:
    """Capitalised words the gazetteer knows (not as a person) and NER missed ("the Kremlin", "PRC")."""
    doc, tb, tok2m, rules = ctx.doc, ctx.table, ctx.tok2m, ctx.rules
    n_tok = len(doc)
    sent_starts = {s.start for s in ctx.sents}
    for i in range(n_tok):
        if i in tok2m or not (tb.is_title[i] or tb.is_upper[i]) or tb.is_punct[i]:
            continue
        for n in NAME_NGRAMS:
            if i + n > n_tok or any(j in tok2m for j in range(i, i + n)):
                continue
            if n == 1 and i in sent_starts and tb.is_title[i] and tb.pos[i] != "PROPN":
                continue
            if tb.pos[i] not in ("PROPN", "NOUN") and not tb.is_upper[i]:
                continue
            hit = rules.gaz.lookup(tb.span_text(i, i + n))
            if hit is not None and hit.type != "Person":
                label = GAZETTEER_LABELS.get(hit.type, "ORG")
                add_mention(ctx, i, i + n, label, actor=is_actor(rules, doc[i:i + n].root))
                break


def named_mentions(ctx: Context) -> None:
    """Every named mention of the article, in this order: NER's, names seen elsewhere, gazetteer names."""
    _ner_mentions(ctx)
    _names_seen_elsewhere(ctx)
    _gazetteer_mentions(ctx)
