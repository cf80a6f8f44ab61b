"""Named mentions: spaCy's entities (without determiners, titles and honorifics at their
edges), a person's name NER missed where it found it elsewhere in the article, and gazetteer
names NER missed ("the Kremlin", "PRC").

Spans are whole names: coordinated adjectives of one name ("the British and Irish Lions"),
hyphenated words ("sci-fi shooter", never "fi shooter"; "pro-Russian" is no name), no title
("Archbishop Desmond Tutu" is "Desmond Tutu") and no determiner ("this Women's Day"). A social
network where something was said ("on Twitter", "in a Facebook post") is no mention: it is the
venue, not an actor. Each NER mention carries the type its context says (``cue``: "shares of
X", "X's chief executive", "X, a militia"), one piece of the evidence :mod:`kg.resolve` weighs.
The words are data/entities.yaml's (:mod:`kg.names`)."""

from __future__ import annotations

from ..names import entity_words
from .clauses import OBJ_DEPS, verb_lemma
from .context import Context, Rules
from .params import NAME_NGRAMS, PERSON_NAME_TOKENS, TITLE_LOOKBACK, TITLE_TAIL_TOKENS
from .records import HYPHEN, Mention

NER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
#: the mention label of a gazetteer entry's type (other types: ORG; persons are not looked up)
GAZETTEER_LABELS = {"Country": "GPE", "City": "GPE"}
#: a possessive written as part of a name token ("Kirby's")
POSSESSIVE_ENDINGS = ("'s", "’s")
#: the cue of a name its context says is no person's ("the Grayback"), none of the other types
NOT_PERSON = "-Person"


def add_mention(ctx: Context, start_tok: int, end_tok: int, label: str, **kw) -> Mention:
    """A new mention of tokens ``start_tok`` to ``end_tok`` (exclusive); the tokens it covers
    point to it unless an earlier mention holds them."""
    doc = ctx.doc
    name = kw.pop("name", None)
    same = name is None or name.lower() == doc[start_tok:end_tok].text.lower()
    while same and _hyphen_before(doc, start_tok) and start_tok - 2 not in ctx.tok2m:
        # a hyphenated word is whole: "sci-fi shooter", not "fi shooter"
        prefix = doc[start_tok - 2].text + doc[start_tok - 1].text
        name = (prefix.lower() if name and name.islower() else prefix) + (name if name else doc[start_tok:end_tok].text)
        start_tok -= 2
    span = doc[start_tok:end_tok]
    text = span.text
    name = name or text
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


def _hyphen_before(doc, i: int) -> bool:
    """Token ``i`` continues a hyphenated word ("sci-fi": "fi" after "sci" and "-", no spaces)."""
    return i >= 2 and doc[i - 1].text == HYPHEN and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_ \
        and doc[i - 2].is_alpha


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
    if any(t.lower_ in rules.org_nouns for t in span) or rules.gaz.lookup(span.text) is not None \
            or entity_words().name_type(span.text) is not None:
        return False
    if before is not None and before.lower_.rstrip(".") in rules.honorific_stems:
        return True
    root = span.root
    return root.dep_ == "nsubj" and root.head.lemma_.lower() in rules.speech


def _edges(ctx: Context, s: int, e: int) -> tuple[int, int]:
    """An entity's tokens without determiners, possessives and punctuation at its edges, without
    an amount NER ran into it ("Apple 1.8 billion euros") and without a bracket it opens and does
    not close ("World Health Organization (WHO": the acronym is a mention of its own)."""
    doc, articles, determiners = ctx.doc, ctx.rules.articles, entity_words().determiners
    while s < e and (doc[s].lower_ in articles or doc[s].lower_ in determiners or doc[s].is_punct):
        s += 1
    for j in range(s + 1, e):
        if doc[j].text == "(" and not any(t.text == ")" for t in doc[j + 1:e]):
            e = j
            break
    while e > s and (doc[e - 1].tag_ == "POS" or doc[e - 1].is_punct or doc[e - 1].lower_ in POSSESSIVE_ENDINGS):
        e -= 1
    for j in range(s + 1, e):
        if doc[j].like_num or doc[j].tag_ == "$":
            return s, j
    return s, e


def _leading_title(ctx: Context, s: int, e: int, label: str = "") -> tuple[str | None, int]:
    """Titles and honorifics written inside an entity ("President Xi"): the first title's role
    predicate and the number of tokens they take. In a person's name also the titles of
    data/entities.yaml that are no role ("Archbishop", "Lieutenant Colonel"), unless what is
    left is a known place or organisation ("Captain America")."""
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
        elif label == "PERSON" and (n := entity_words().title_length(words, i) or _job_word(words, i)) \
                and i + n < len(words):
            known = rules.gaz.lookup(ctx.doc[s + i + n:e].text)
            if known is not None and known.type != "Person":
                break
            i += n
        else:
            break
    return title, i


def _job_word(words: list[str], i: int) -> int:
    """1 when a person's name starts with a noun that says what the person is and two words
    follow ("Lawyer Ahmed Amman" at the start of a sentence, where NER takes the capital in)."""
    return int(i == 0 and len(words) >= 3 and entity_words().apposition_type(words[0]) == "Person")


def _ner_spans(ctx: Context) -> list[tuple[int, int, str]]:
    """NER's entities of the labels kg uses, as ``(start, end, label)``; an adjective coordinated
    into a name joins it ("the British and Irish Lions": one organisation, not "British" and
    "Irish Lions")."""
    doc, articles = ctx.doc, ctx.rules.articles
    ents = [(ent.start, ent.end, ent.label_) for ent in doc.ents if ent.label_ in NER_LABELS]
    out = []
    i = 0
    while i < len(ents):
        s, e, label = ents[i]
        if i + 1 < len(ents):
            s2, e2, label2 = ents[i + 1]
            if (e - s == 1 and (label == "NORP" or doc[s].pos_ == "ADJ") and label2 == "ORG" and s2 == e + 1
                    and doc[e].lower_ in ("and", "&") and s > 0 and doc[s - 1].lower_ in articles):
                out.append((s, e2, label2))
                i += 2
                continue
        out.append((s, e, label))
        i += 1
    return out


def _is_venue(ctx: Context, s: int, e: int) -> bool:
    """A social network as the place something was said: "on Twitter", "via Facebook", "took to
    Instagram", "in a Facebook post"."""
    words = entity_words()
    span = ctx.doc[s:e]
    if not words.is_social_network(span.text):
        return False
    root = span.root
    head = root.head
    if root.dep_ == "pobj":
        return head.lower_ in words.venue_prepositions or (head.lower_ == "to" and head.head.lemma_.lower() == "take")
    return root.dep_ in ("compound", "amod", "nmod") and head.lemma_.lower() in words.venue_nouns


def _cue(ctx: Context, s: int, e: int, titled: bool = False) -> str:
    """The entity type the words around a name say ("shares of X", "X's chief executive", "the
    band X", "X, a company ..."), or ""."""
    doc, words = ctx.doc, entity_words()
    sent = ctx.sents[ctx.sent_of.get(s, 0)]
    before = [t.lower_ for t in doc[max(sent.start, s - 3):s]]
    j = e
    possessive = j < sent.end and (doc[j].tag_ == "POS" or doc[j].lower_ in POSSESSIVE_ENDINGS)
    if possessive:
        j += 1
    after = [t.lower_ for t in doc[j:min(sent.end, j + 3)]]
    t = words.context_type(before, after, possessive)
    if t:
        return t
    if s > sent.start and ctx.table.pos[s - 1] == "NOUN" and doc[s - 1].is_lower:
        t = words.apposition_type(doc[s - 1].lemma_)  # "Iranian airline Mahan Air", "entrepreneur Elon Musk"
        if t:
            return t
    root = doc[s:e].root
    for c in root.children:
        if c.dep_ == "appos" and not s <= c.i < e:
            t = words.apposition_type(c.lemma_)
            if t:
                return t
    if not titled and s > sent.start and doc[s - 1].lower_ in ctx.rules.definite and root.dep_ != "compound":
        return NOT_PERSON  # "the Grayback", "the Lions": no person's name has an article ("the Biden administration" aside)
    return ""


def _ner_mentions(ctx: Context) -> None:
    doc, rules = ctx.doc, ctx.rules
    for s0, e0, label in _ner_spans(ctx):
        s, e = _edges(ctx, s0, e0)
        if s >= e or _hyphen_before(doc, s) and doc[s - 2].is_lower:
            continue  # "pro-Russian", "anti-American": a word, not a name
        title, n_title = _leading_title(ctx, s, e, label)
        s += n_title
        if s >= e or _is_venue(ctx, s, e):
            continue
        name = doc[s:e].text
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
                    surname=doc[e - 1].text if label == "PERSON" else "", cue=_cue(ctx, s, e, n_title > 0))


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
