"""Roles of persons, from titles (data/roles.yaml): "Chinese President Xi Jinping", "NSC
spokesman John Kirby", "Kirby, the spokesman for the NSC", "Ukraine's foreign minister, Dmytro
Kuleba", "Tim Cook is the chief executive of Apple", "Y named X as its CEO", and an unnamed "a
White House spokesman" linked to the person later named with that title.

A title is read with its qualifiers (:func:`read_title`): "former"/"ex-" make the role a past
one (modality ``former``), "-elect"/"incoming" a planned one, "deputy"/"vice" another role
("deputy director" is ``deputyHeadOf``), "assistant"/"associate" an official's; other words
before it are a portfolio ("sales director", "director of research at Acme": an official of
the company, not its head). Its object is chosen by how it is written and what it is (the
role's ``attach``, ``objects``, ``demonyms``): a nationality names a country only for offices
of a state, a party adjective makes a member of the party ("Republican President Trump"), a
mayor's city stays a city. Every candidate predicate goes with the relation (the first, then
``alternatives``): :mod:`kg.resolve` keeps the first whose object type fits ("chief executive
of Apple" is ``ceoOf``, "chief executive of Hong Kong" ``headOf``).

A title with no organisation ("President Joe Biden") is kept in ``Context.title_only`` for
:mod:`kg.resolve`, which may find the country in the gazetteer (offices of a state only).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import ASSERTED, FORMER
from ..vocab import HYPHENS
from .context import Context
from .params import (
    APPOSITION_CONF, COPULA_CONF, DEPARTMENT_PENALTY, INDEFINITE_ROLE_CONF, INDEFINITE_ROLE_SENTENCES, TITLE_CONF,
)
from .records import Mention
from .relations import PLANNED, emit
from .tree import conjuncts, prep_phrases

#: the mentions a role may be "of"
ORG_LABELS = ("ORG", "GPE", "NORP", "FAC", "LOC")
#: mentions that name places: beside an organisation they are the scope of a title, not its object
PLACE_LABELS = ("GPE", "LOC")
#: words written before a name that may be part of a title
TITLE_POS = ("NOUN", "PROPN", "ADJ")
#: dependencies of the words of a title's noun phrase before its head ("the former deputy director")
MODIFIER_DEPS = ("compound", "amod", "nmod", "advmod", "npadvmod", "nummod", "punct", "quantmod")
#: the object of a title written as a modifier or possessive ("Apple CEO", "Apple's CEO")
MOD = "mod"
#: what a party adjective before a title that is no party office says, and what a junior post is
MEMBER_OF, OFFICIAL_OF = "memberOf", "officialOf"
#: plural nouns: a plural title before coordinated names is the title of each ("NASA astronauts A and B")
PLURAL_TAGS = ("NNS", "NNPS")
#: a relative pronoun subject stands for the noun its clause modifies ("X, who is the CEO of Y")
RELATIVE_TAGS = ("WP", "WDT")


@dataclass(frozen=True)
class Title:
    """A title as read: the predicates it may stand for (best first), the modality its qualifiers
    give, whether it is a portfolio of a larger body, and the words it was read from."""

    preds: tuple[str, ...]
    modality: str
    plural: bool
    text: str


def roles(ctx: Context) -> None:
    """Every role the article gives a person: titles, appositions, copulas, then unnamed roles."""
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
    _copular_roles(ctx)
    _indefinite_roles(ctx)


# ---------------------------------------------------------------- reading a title
def _qualifier(ctx: Context, words: list[str], i: int) -> tuple[str, int] | None:
    """The qualifier (kind, number of words) starting at ``words[i]``, if any."""
    q = ctx.rules.vocab.qualifiers
    for n in (3, 2, 1):
        kind = q.get(tuple(words[i:i + n])) if i + n <= len(words) else None
        if kind:
            return kind, n
    return None


def _is_qualifier_word(ctx: Context, tok) -> bool:
    return (tok.lower_,) in ctx.rules.vocab.qualifiers


def _title_like(ctx: Context, tok) -> bool:
    """A word that may belong to a title written before a name: a noun or adjective, a hyphen, a
    word of a title or qualifier whatever its tag ("astronauts" read as a verb, "then")."""
    words = ctx.rules.vocab.title_word_set
    return tok.pos_ in TITLE_POS or tok.text in HYPHENS or tok.lower_ in words or tok.lemma_.lower() in words


def read_title(ctx: Context, toks: list, portfolio: bool = False) -> Title | None:
    """The title that ``toks`` (the words of a noun phrase, its head last; no determiner, no
    organisation) end with, read with its qualifiers: None when they end with no title."""
    v = ctx.rules.vocab
    toks = [t for t in toks if t.text not in HYPHENS and not (t.is_punct and t.text not in HYPHENS)]
    if not toks:
        return None
    words = [t.lower_ for t in toks]
    future = False
    # a qualifier after the title: "president-elect", "CEO designate"
    while len(words) > 1 and v.qualifiers.get((words[-1],)) == "future":
        words.pop()
        toks = toks[:-1]
        future = True
    hit = _title_at_end(v, words)
    plural = toks[-1].tag_ in PLURAL_TAGS
    if hit is None:  # "Presidents", "astronauts": the title's plural
        hit = _title_at_end(v, words[:-1] + [toks[-1].lemma_.lower()])
        plural = True
    if hit is None:
        return None
    key, n = hit
    kinds = {"future"} if future else set()
    i, prefix = 0, words[:-n]
    while i < len(prefix):
        q = _qualifier(ctx, prefix, i)
        if q is not None:
            kinds.add(q[0])
            i += q[1]
            continue
        t = toks[i]
        if not (t.like_num or t.pos_ in ("ADV", "NUM", "PART", "CCONJ") or t.text in HYPHENS):
            portfolio = True  # "sales director", "health spokesman"
        i += 1
    preds: list[str] = []
    for p in v.role_titles[key]:
        sense = v.role_senses[p]
        q: str | None = p
        if "deputy" in kinds:
            q = sense.deputy
        elif "junior" in kinds:
            q = None if sense.deputy is None else (p if sense.deputy == p else OFFICIAL_OF)
        if q is not None and portfolio:
            q = v.role_senses[q].portfolio
        if q is not None and q not in preds:
            preds.append(q)
    if not preds:
        return None
    modality = FORMER if "former" in kinds else PLANNED if "future" in kinds else ASSERTED
    return Title(tuple(preds), modality, plural, " ".join(t.text for t in toks))


def _title_at_end(v, words: list[str]) -> tuple[tuple[str, ...], int] | None:
    """The longest title of ``words``' end: its key in ``role_titles`` and its length."""
    for n in range(min(len(words), v.max_title_words), 0, -1):
        key = tuple(words[-n:])
        if key in v.role_titles:
            return key, n
    return None


# ---------------------------------------------------------------- objects
def _org_mention(ctx: Context, tok) -> int | None:
    """The organisation, place or nationality mention at ``tok``, if any."""
    mid = ctx.tok2m.get(tok.i)
    if mid is None or ctx.mentions[mid].label not in ORG_LABELS:
        return None
    return mid


def _tokens_of(ctx: Context, mid: int):
    return ctx.doc.char_span(ctx.mentions[mid].start, ctx.mentions[mid].end, alignment_mode="expand")


def _party(ctx: Context, mid: int) -> str | None:
    """The party a mention names as an adjective ("Republican"), if data/roles.yaml lists it."""
    m = ctx.mentions[mid]
    return ctx.rules.vocab.parties.get(" ".join(m.text.lower().split()))


def _title_part(ctx: Context, mid: int, toks: list) -> list:
    """The last tokens of a mention written just before ``toks`` that begin their title ("US
    Treasury" + "Secretary": "Treasury Secretary" is the title)."""
    mtoks = list(_tokens_of(ctx, mid))
    if not toks or mtoks[-1].i + 1 != toks[0].i:
        return []
    own = [t.lower_ for t in toks if t.text not in HYPHENS]
    hit = _title_at_end(ctx.rules.vocab, [t.lower_ for t in mtoks] + own)
    return mtoks[len(mtoks) - (hit[1] - len(own)):] if hit is not None and hit[1] > len(own) else []


def _is_demonym(ctx: Context, m: Mention) -> bool:
    gaz = ctx.rules.gaz
    return m.label == "NORP" or (gaz.demonym(m.name) is not None and gaz.lookup(m.name) is None)


def _fits(ctx: Context, pred: str, mid: int, attach: str, primary: bool = True) -> bool:
    """Whether a mention written so (``attach``) may be the object of ``pred``; a party adjective
    only for the title's own (``primary``) predicate: "Labour leader" heads the party, while
    "Republican Governor" governs no party, whatever the weaker readings of "governor" allow."""
    sense = ctx.rules.vocab.role_senses[pred]
    if attach not in sense.attach:
        return False
    m = ctx.mentions[mid]
    if _party(ctx, mid) is not None:
        return sense.party_role and primary
    if _is_demonym(ctx, m):
        if ctx.rules.gaz.demonym(m.name) is not None:
            return sense.demonyms
        # another group adjective ("Muslim leader", "Kurdish leader") names no body it heads; as
        # the object of a preposition it is one ("the leader of Roman Catholic Christianity")
        if attach == MOD:
            return False
    words = set(m.text.lower().split())
    return not (words & sense.not_objects) and not any(" " in w and w in m.text.lower() for w in sense.not_objects)


def _emit_title(ctx: Context, persons: list[int], title: Title, slots: list[tuple[int, str]], tok, rule: str,
                conf: float, dept: bool = False) -> bool:
    """Emit the roles of ``title`` for ``persons`` with the object each predicate takes among
    ``slots`` (mention, how it is written); a party adjective that is no object of the title
    makes the persons members of the party. True if a role was emitted."""
    v = ctx.rules.vocab
    slots = list(dict.fromkeys(slots))
    for mid, attach in slots:
        party = _party(ctx, mid)
        if party is None:
            continue
        m = ctx.mentions[mid]
        # the party as this article writes it ("the Republican party"), else its name in full
        party = next((x.name for x in ctx.mentions if x.label == "ORG" and x.name.lower() == party.lower()), party)
        if m.name != party:
            ctx.mentions[mid] = replace(m, name=party, label="ORG")
        if not v.role_senses[title.preds[0]].party_role:
            for pid in persons:
                emit(ctx, pid, MEMBER_OF, mid, tok, f"{m.text} {title.text}", negated=False, modality=title.modality,
                     rule=rule, conf=conf)
    chosen: dict[int, list[str]] = {}
    for p in title.preds:
        fit = [(mid, a) for mid, a in slots if _fits(ctx, p, mid, a, p == title.preds[0])]
        if not fit:
            continue
        obj, q = fit[0][0], p
        if len(fit) > 1:
            orgs = [(mid, a) for mid, a in fit if ctx.mentions[mid].label not in PLACE_LABELS]
            places = [(mid, a) for mid, a in fit if ctx.mentions[mid].label in PLACE_LABELS]
            by_prep = [(mid, a) for mid, a in fit if a != MOD]
            # "Hong Kong director of Amnesty International", "Tesco's CEO for Central Europe": the
            # place is the scope of a post in the organisation
            obj = (orgs[0] if orgs and places else by_prep[0] if by_prep else fit[0])[0]
            if orgs and places:
                q = v.role_senses[p].portfolio
        elif dept:
            q = v.role_senses[p].portfolio
        if q is not None and q not in chosen.setdefault(obj, []):
            chosen[obj].append(q)
    for obj, preds in chosen.items():
        if v.role_senses[preds[0]].place and not ctx.mentions[obj].locative:
            ctx.mentions[obj] = replace(ctx.mentions[obj], locative=True)
        m = ctx.mentions[obj]
        c = conf - (DEPARTMENT_PENALTY if dept else 0.0)
        for pid in persons:
            emit(ctx, pid, preds[0], obj, tok, f"{m.text} {title.text}", negated=False, modality=title.modality,
                 rule=rule, conf=c, alternatives=tuple(preds[1:]))
    return bool(chosen)


def _note_title(ctx: Context, pid: int, title: Title, emitted: bool) -> None:
    """Remember a person's title (for "the spokesman" later); one with no organisation for the
    gazetteer ("President Joe Biden")."""
    ctx.titles.setdefault(pid, title.preds[0])
    if not emitted:
        m = ctx.mentions[pid]
        ctx.title_only.append((pid, title.preds[0], m.sent, title.text, title.modality))


# ---------------------------------------------------------------- before the name
def _title_before_name(ctx: Context, m: Mention, span) -> None:
    """``Chinese President Xi Jinping``, ``former US Vice President Joe Biden``, ``Republican
    Senator X``, ``Secretary of State X``, ``US Ambassador to Germany X``, ``President X of Y``."""
    doc, tok2m, rules = ctx.doc, ctx.tok2m, ctx.rules
    i = span.start - 1
    toks: list = []
    while i >= 0:
        t = doc[i]
        if i in tok2m or t.lower_ in rules.articles:
            break
        if not (_title_like(ctx, t) or (t.lower_ in rules.title_joiners and toks)):
            break
        toks.insert(0, t)
        i -= 1
    slots: list[tuple[int, str]] = []
    if _own_capitalised_title(ctx, toks):
        # "former presidential candidate Senator Ted Cruz": the title is "Senator"; the words and
        # organisation before it describe the person another way
        toks = _own_capitalised_title(ctx, toks)
        i = -1
    if not toks:
        # "Ambassador to Germany Richard Grenell": the title, a preposition and an organisation
        mid = _org_mention(ctx, doc[i]) if i >= 0 else None
        if mid is None:
            return
        ms = _tokens_of(ctx, mid)
        j = ms.start - 1
        if j < 1 or doc[j].lower_ not in rules.role_preps:
            return
        slots.append((mid, doc[j].lower_))
        i = j - 1
        while i >= 0 and i not in tok2m and doc[i].lower_ not in rules.articles and _title_like(ctx, doc[i]):
            toks.insert(0, doc[i])
            i -= 1
        if not toks:
            return
    # the organisations before the title: "US" of "former US Vice President", "Texas Republican Senator"
    quals: list = []
    j = i
    for _ in range(2):
        if j >= 0 and doc[j].tag_ == "POS":
            j -= 1
        mid = _org_mention(ctx, doc[j]) if j >= 0 else None
        if mid is None:
            break
        part = [] if quals else _title_part(ctx, mid, toks)
        toks = part + toks
        if part and len(part) == len(_tokens_of(ctx, mid)):
            j = toks[0].i - 1  # "Treasury Secretary": the mention is the title's first word
            continue
        slots.append((mid, MOD))
        j = _tokens_of(ctx, mid).start - 1
        while j >= 0 and (_is_qualifier_word(ctx, doc[j]) or doc[j].text in HYPHENS):
            quals.insert(0, doc[j])
            j -= 1
        if _party(ctx, mid) is None:
            break
    title = read_title(ctx, quals + toks)
    if title is None:
        return
    root = span.root
    # "President Abdel Fattah el-Sisi of Egypt", "Presidents A of B and C of D"
    people = [root] + ([c for c in conjuncts(root)[1:] if c.i in tok2m] if title.plural else [])
    for p in people:
        pid = tok2m.get(p.i)
        if pid is None or ctx.mentions[pid].label != "PERSON":
            continue
        after = [(mid, prep.lower_) for prep, obj in prep_phrases(p, rules.role_preps)
                 if (mid := _org_mention(ctx, obj)) is not None]
        _note_title(ctx, pid, title, _emit_title(ctx, [pid], title, slots + after, p, "title", TITLE_CONF))


def _own_capitalised_title(ctx: Context, toks: list) -> list | None:
    """The capitalised title at the end of ``toks`` when a lower-case noun that is no
    qualifier comes before it ("presidential candidate Senator"), else None."""
    k = len(toks)
    while k > 0 and (toks[k - 1].is_title or toks[k - 1].is_upper or toks[k - 1].text in HYPHENS):
        k -= 1
    if k == 0 or k == len(toks):
        return None
    before = toks[k - 1]
    if before.pos_ != "NOUN" or not before.is_lower or _is_qualifier_word(ctx, before):
        return None
    return toks[k:] if read_title(ctx, toks[k:]) is not None else None


# ---------------------------------------------------------------- noun phrases
def _hyphen_joined(noun) -> set:
    """The words a hyphen joins to ``noun`` ("vice-president", "former vice-president"), with their
    own modifiers: the parser often makes them siblings of the noun instead of its modifiers."""
    doc, out, j = noun.doc, set(), noun.i
    while j >= 2 and doc[j - 1].text in HYPHENS and not doc[j - 1].whitespace_ and not doc[j - 2].whitespace_:
        first = doc[j - 2]
        out.add(doc[j - 1])
        out.add(first)
        out.update(c for c in first.lefts if c.dep_ in ("amod", "advmod", "compound"))
        j = first.i
    return out


def _noun_title(ctx: Context, noun) -> tuple[Title | None, list[tuple[int, str]], bool]:
    """The title a noun phrase headed by ``noun`` states ("the former chief executive of Apple",
    "Apple's chief executive", "director of research at Acme"), the organisations it names
    (mention, how written) and whether it is a post in a department of the last ones."""
    tok2m, rules = ctx.tok2m, ctx.rules
    toks, slots, dept = [], [], False
    for c in noun.lefts:
        if c.dep_ == "poss":
            mid = _org_mention(ctx, c)
            if mid is not None:
                slots.append((mid, MOD))
            continue
        if c.dep_ not in MODIFIER_DEPS:
            continue
        for t in c.subtree:
            if t.i in tok2m:
                mid = tok2m[t.i]
                if ctx.mentions[mid].label in ORG_LABELS:
                    slots.append((mid, MOD))
            elif t.dep_ != "poss" and t.tag_ != "POS":
                toks.append(t)
    toks = sorted(set(toks) | _hyphen_joined(noun), key=lambda t: t.i) + [noun]
    # "the Treasury Secretary": a mention that begins the title is part of it ("US Treasury
    # Secretary": the title's first word, and its organisation)
    for mid, a in list(slots):
        part = _title_part(ctx, mid, toks) if a == MOD else []
        toks = part + toks
        if part and len(part) == len(_tokens_of(ctx, mid)):
            slots.remove((mid, a))
    for prep, obj in prep_phrases(noun, rules.role_preps):
        mid = _org_mention(ctx, obj)
        if mid is not None:
            slots.append((mid, prep.lower_))
            continue
        if obj.pos_ not in ("NOUN", "PROPN"):
            continue
        # "lead guitarist of the band Van Halen": the named organisation apposed to the noun
        named = [x for c in obj.children if c.dep_ in ("appos", "compound") and (x := _org_mention(ctx, c)) is not None
                 and ctx.mentions[x].label not in PLACE_LABELS and c.i > obj.i]
        if named:
            slots.append((named[0], prep.lower_))
            continue
        # "director of research at Acme": a department of the organisation
        for prep2, obj2 in prep_phrases(obj, rules.role_preps):
            mid2 = _org_mention(ctx, obj2)
            if mid2 is not None:
                slots.append((mid2, prep2.lower_))
                dept = True
        if prep.lower_ == "of":
            dept = True
    return read_title(ctx, toks), slots, dept


def _appositions(ctx: Context, m: Mention, root) -> None:
    """``John Kirby, the spokesman for the National Security Council``, ``Tim Cook, Apple's chief
    executive``, ``George Pipas, director of sales analysis at Ford``."""
    for c in root.children:
        if c.dep_ != "appos" or c.i in ctx.tok2m or c.pos_ not in ("NOUN", "PROPN"):
            continue
        title, slots, dept = _noun_title(ctx, c)
        if title is None:
            continue
        ctx.titles.setdefault(m.id, title.preds[0])
        _emit_title(ctx, [m.id], title, slots, root, "apposition", APPOSITION_CONF, dept and bool(slots))


def _title_appositions(ctx: Context) -> None:
    """``Ukraine's foreign minister, Dmytro Kuleba`` / ``the spokesman of the council, Ana Ruiz``."""
    tb, tok2m = ctx.table, ctx.tok2m
    for i in range(len(ctx.doc)):
        if tb.pos[i] != "NOUN" or i in tok2m:
            continue
        t = ctx.doc[i]
        # "the leader of Roman Catholic Christianity, Pope Francis": a person apposed to the
        # organisation of a title is apposed to the title
        heads = [t] + [o for _, o in prep_phrases(t, ("of",)) if _org_mention(ctx, o) is not None]
        people = [c for h in heads for c in h.children if c.dep_ == "appos" and c.i in tok2m
                  and ctx.mentions[tok2m[c.i]].label == "PERSON"]
        if not people:
            continue
        title, slots, dept = _noun_title(ctx, t)
        if title is None:
            continue
        person = tok2m[people[0].i]
        ctx.titles.setdefault(person, title.preds[0])
        _emit_title(ctx, [person], title, slots, t, "apposition", APPOSITION_CONF, dept and bool(slots))


# ---------------------------------------------------------------- clauses
def _copular_roles(ctx: Context) -> None:
    """``X is the chief executive of Y``, ``X, who served as president of Y``, ``X became CEO of
    Y``, ``X was named CEO of Y``, ``Y named X (as) its chief executive``."""
    doc, tb, verbs = ctx.doc, ctx.table, ctx.rules.vocab.role_verbs
    for i in range(len(doc)):
        kind = verbs.get(tb.lemma[i]) if tb.pos[i] in ("VERB", "AUX") else None
        if kind is None:
            continue
        v = doc[i]
        if any(c.dep_ == "neg" for c in v.children):
            continue
        subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        dobj = next((c for c in v.children if c.dep_ in ("dobj", "oprd") and c.i in ctx.tok2m), None)
        if subj is not None and subj.tag_ in RELATIVE_TAGS and v.dep_ == "relcl":
            subj = v.head
        person_tok, org_tok = subj, None
        if kind == "appoint" and dobj is not None and subj is not None:
            person_tok, org_tok = dobj, subj  # "General Motors named Mary Barra its chief executive"
        if person_tok is None:
            continue
        pid = ctx.tok2m.get(person_tok.i)
        if pid is None or ctx.mentions[pid].label != "PERSON":
            continue
        nouns = [c for c in v.children if c.dep_ in ("attr", "oprd") and c.pos_ in ("NOUN", "PROPN")]
        nouns += [o for prep, o in prep_phrases(v, ("as",)) if o.pos_ in ("NOUN", "PROPN")]
        if person_tok is dobj:
            nouns += [c for c in dobj.children if c.dep_ in ("appos", "oprd") and c.pos_ in ("NOUN", "PROPN")]
        for noun in nouns:
            if noun.i in ctx.tok2m:
                continue
            title, slots, dept = _noun_title(ctx, noun)
            if title is None:
                continue
            if org_tok is not None and any(c.dep_ == "poss" and c.i not in ctx.tok2m for c in noun.children):
                org = _org_mention(ctx, org_tok)  # "its chief executive": the company that named them
                if org is not None:
                    slots.append((org, MOD))
            modality = _clause_modality(ctx, v, kind, title.modality)
            if modality is None:
                continue
            title = replace(title, modality=modality)
            ctx.titles.setdefault(pid, title.preds[0])
            _emit_title(ctx, [pid], title, slots, v, "copula", COPULA_CONF, dept and bool(slots))


def _clause_modality(ctx: Context, v, kind: str, modality: str) -> str | None:
    """The modality of a role stated by a clause: a past "was"/"served as" is a former role, a
    future one planned ("will become"), a possible one ("could be named") none; None also for
    a clause of a condition or question ("if X becomes CEO", "whether X is named")."""
    cues = ctx.rules.vocab.modality
    if any(c.dep_ == "mark" and c.lower_ in cues.marks for c in v.children):
        return None
    aux = [c.lower_ for c in v.children if c.dep_ in ("aux", "auxpass")]
    aux_modality = next((cues.aux[a] for a in aux if a in cues.aux), None)
    if aux_modality is not None:
        return PLANNED if aux_modality == PLANNED else None
    if v.dep_ == "xcomp":
        governor = cues.verbs.get(v.head.lemma_.lower())
        return PLANNED if governor == PLANNED else None  # "is expected to become"; "hopes to become": none
    past = v.tag_ == "VBD" or (kind != "appoint" and any(a in ("was", "were") for a in aux))
    if kind in ("be", "serve") and past and not any(a in ("has", "have", "had") for a in aux):
        return FORMER
    return modality


# ---------------------------------------------------------------- unnamed roles
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
        title, slots, dept = _noun_title(ctx, t)
        slots = [(mid, a) for mid, a in slots if a == MOD]
        if title is None or not slots or dept:
            continue
        si = ctx.sent_of[t.i]
        near = [p for p in persons if abs(p.sent - si) <= INDEFINITE_ROLE_SENTENCES and ctx.titles.get(p.id) == hit[0]]
        # prefer the first person named after the description, else the closest before it
        after = [p for p in near if p.start > t.idx]
        for p in after[:1] or sorted(near, key=lambda p: -p.start)[:1]:
            _emit_title(ctx, [p.id], title, slots, t, "indefinite-role", INDEFINITE_ROLE_CONF)
