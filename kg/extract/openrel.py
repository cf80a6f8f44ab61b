"""Open relations: a verb clause between two named entities that no predicate of the vocabulary
covers ("Spain beat Italy", "Apple held talks with Nokia"), kept as a record of its own
(:class:`~kg.extract.records.RawOpenRelation`) labelled with its verb phrase, never as a
vocabulary fact.

Read from the shared clause analysis (:mod:`kg.extract.clauses`), after the vocabulary's rules
have read the same clause (:func:`open_relations` is given what they found). Three frames:

* subject - verb (+ particle) - named direct object: "praise", "take over" (a passive with its
  by-agent is read the other way round: "Italy was beaten by Spain" -> Spain beat Italy);
* subject - verb (+ particle) - preposition - named object, for a verb with no direct object:
  "play against", "merge with"; a place after "in"/"at" only for the verbs listed for it
  ("invest in", "study at"), since it is most often where something happened;
* subject - light verb - noun - preposition - named object: "hold talks with", "sign contract with".

Precision first, all from data/openrel.yaml and the lexicon: both arguments are named mentions
(people, organisations, places, groups, events), directly or through a resolved pronoun; an
unresolved pronoun, a concept or "we" is no argument. Copulas, speech verbs (quotations and
reported speech are read elsewhere), modality and control verbs, every verb of the vocabulary
(its rules decide what that verb means) and the verbs of ``skip_verbs`` make none. Polarity and
modality are the clause's (negation, conditionals, hopes, plans); a direct question is
``questioned``; a clause inside a quotation or in indirect speech is attributed to its speaker,
like the vocabulary's facts. The label is the verb's lemma with its particle, a light verb's
noun and the preposition, in lower case: stable across tenses and persons.
"""

from __future__ import annotations

import re

from ..model import ASSERTED, NEGATIVE, POSITIVE
from .clauses import INFINITIVE_TO, VERBAL
from .context import PERSON_GENDERS, Context, final
from .mentions import NER_LABELS
from .params import (
    CONF_DIGITS, CONF_MAX, CONF_MIN, COREF_PENALTY, OPEN_CONF, OPEN_INHERITED_PENALTY, OPEN_LIGHT_PENALTY,
    OPEN_PASSIVE_PENALTY, OPEN_PREP_PENALTY, PRONOUN_SENTENCES,
)
from .records import PRON, REFERRING, Clause, RawOpenRelation, RawRelation
from .relations import PLANNED, attribution

#: the modality of a clause in a direct question ("Will Spain beat Italy?"), of a clause under a verb
#: of opinion unless data/openrel.yaml says otherwise
QUESTIONED, POSSIBLE = "questioned", "possible"
#: data/openrel.yaml ``complement_governors``: the governing verbs that deny their complement
NEGATIVE_GOVERNOR = "negative"
#: the tag of a possessive ending ("'s")
POSSESSIVE_TAG = "POS"
#: a present-tense verb that does not agree with a singular proper-noun subject is a noun the
#: parser read as a verb ("Caloundra coach Geoff Ingram said")
NON_THIRD_PERSON_PRESENT, SINGULAR_PROPER = "VBP", "NNP"
#: the pronouns that may stand for an argument: "he", "him", "she", "her" (data/lexicon.yaml
#: ``pronouns``: a gendered subject or object), and "I"/"me" in a quotation (its speaker)
PERSONAL_ARGUMENT_KINDS, SPEAKER_KIND = ("subject", "object"), "speaker"
#: "which", "who": a relative pronoun stands for the noun its clause hangs on
RELATIVE_KIND = "relative"
PERSON_LABEL = "PERSON"
HYPHENS = ("-", "–")
#: characters a name never has: a mention holding one is a broken span
BROKEN_SPAN_CHARS = ("[", "]", "{", "}", "|")
#: tags of relative words ("which", "who", "whose", "where"), and the relative "that"
RELATIVE_TAGS, RELATIVE_THAT = ("WDT", "WP", "WP$", "WRB"), "that"
#: the tags of a bare infinitive ("helped Smith defeat Jones") and of a gerund or participle ("a firm
#: operating in Iraq")
BARE_INFINITIVE, GERUND = "VB", "VBG"
#: how many clauses up the tree the modality of an open relation is looked for
OPEN_MODALITY_HOPS = 4
QUESTION_MARK = "?"
#: a verb lemma or noun a label is made of: letters, inner hyphens
_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
#: a one-syllable stem ending in a single short vowel and a consonant, whose -ed/-ing forms double
#: the consonant ("rap" -> "rapped"): written with one consonant, the verb's stem ends in "e"
_SHORT_STEM = re.compile(r"^[^aeiou]*[aeiou][^aeiouwxy]$")


def _named(ctx: Context, tok) -> tuple[int, bool] | None:
    """The named mention ``tok`` stands for, and whether it was reached through a pronoun or
    description; None for anything else: a concept, an unresolved pronoun, "it", "they" and "we"
    (their antecedents are guesses), a reflexive ("reversed himself"), a noun owned by a name
    ("Smith's career"), a possessor, a counted name ("1429 UTC"), a name used as a common noun
    ("a France that ..."), a name modifying the next noun ("London-based Acme")."""
    mid = ctx.tok2m.get(tok.i)
    if mid is None:
        return None
    rules = ctx.rules
    if any(ch.dep_ in ("poss", "nummod") or ch.tag_ == POSSESSIVE_TAG or (ch.dep_ == "det" and ch.lower_ in rules.indefinite)
           for ch in tok.children):
        return None
    m = ctx.mentions[mid]
    if _broken_span(ctx, m.text):
        return None
    if m.label in REFERRING:
        if m.label == PRON:
            info = rules.pronouns.get(m.text.lower(), {})
            personal = info.get("gender") in PERSON_GENDERS and info.get("kind") in PERSONAL_ARGUMENT_KINDS
            if not (personal or info.get("kind") in (SPEAKER_KIND, RELATIVE_KIND)):
                return None
            if info.get("kind") == RELATIVE_KIND:
                return _relative(ctx, tok)
            if personal and _ambiguous_person(ctx, m):
                return None
        f = final(ctx, mid)
        if f is None or ctx.mentions[f].label not in NER_LABELS or (
                m.label != PRON or info.get("kind") != RELATIVE_KIND) and ctx.mentions[f].label != PERSON_LABEL:
            return None
        return f, m.label != PRON or info.get("kind") != RELATIVE_KIND
    if m.label not in NER_LABELS:
        return None
    after = _token_after(ctx, m)
    if after is not None and after.lower_.lstrip("-") in rules.vocab.open_words("name_modifiers"):
        return None
    return mid, False


def _broken_span(ctx: Context, text: str) -> bool:
    """A mention no name looks like: an editor's insertion cut into it ("[Bashir al] Assad"), a
    parenthesis opened and not closed ("Development Kit (SDK"), or a place phrase run into it
    ("Tomsk in Siberia": data/openrel.yaml ``broken_name_words``)."""
    if any(ch in text for ch in BROKEN_SPAN_CHARS) or text.count("(") != text.count(")"):
        return True
    return any(w in ctx.rules.vocab.open_words("broken_name_words") for w in text.split())


def _relative(ctx: Context, tok) -> tuple[int, bool] | None:
    """What a relative pronoun ("which", "who") stands for: the named noun its clause hangs on,
    read like any argument; none when that noun is coordinated ("the A and B Show, which
    replaced X": the parser hangs the clause on "A")."""
    verb = tok.head
    if tok.dep_ not in ("nsubj", "nsubjpass", "dobj") or verb.dep_ != "relcl" or verb.head.i == tok.i:
        return None
    if any(ch.dep_ in ("conj", "cc") for ch in verb.head.children):
        return None  # "A and B Show, which ...": which of them the clause is about is unclear
    named = _named(ctx, verb.head)
    if named is None or ctx.tok2m.get(verb.head.i) != named[0]:
        return None
    return named[0], False


def _ambiguous_person(ctx: Context, m) -> bool:
    """More than one person was named in the pronoun's sentence (before it) and the
    ``PRONOUN_SENTENCES`` sentences before: whom "he" or "she" means is a guess (the resolver
    takes the last one), and an open relation is made only from what the text makes clear."""
    people = set()
    for other in ctx.mentions:
        if other.start >= m.start or m.sent - other.sent > PRONOUN_SENTENCES or other.label != PERSON_LABEL:
            continue
        words = (other.name or other.text).split()
        if words:
            people.add(words[-1].lower())  # "Steve Jobs" and "Jobs" are one person
    return len(people) > 1


def _token_after(ctx: Context, m):
    """The token just after a mention's last word (skipping a hyphen), if any."""
    span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is None or span.end >= len(ctx.doc):
        return None
    t = ctx.doc[span.end]
    if t.text in HYPHENS and span.end + 1 < len(ctx.doc):
        t = ctx.doc[span.end + 1]
    return t


def verb_lemma(tok) -> str:
    """The verb's lemma in lower case, mended where spaCy's lemmatizer cuts a silent "e" after a
    short vowel ("raped" -> "rap", "taped" -> "tap": the verbs it means would be written "rapped",
    "tapped")."""
    lemma, low = tok.lemma_.lower(), tok.lower_
    for ending in ("ed", "ing"):
        if low == lemma + ending and _SHORT_STEM.match(lemma):
            return lemma + "e"
    return lemma


def _verb_kind(ctx: Context, lemma: str, particle: str) -> str | None:
    """What the verb may make: ``"any"``, ``"light"`` (only with a noun object: "held talks with"),
    or None (nothing: see the module's docstring)."""
    vocab, rules = ctx.rules.vocab, ctx.rules
    if not _WORD.match(lemma) or lemma in rules.speech:
        return None
    light = "light" if not particle and lemma in vocab.open_words("light_verbs") else None
    if lemma in vocab.verbs or lemma in vocab.modality.verbs:
        return light
    if particle:
        return None if (lemma, particle) in vocab.phrasal or f"{lemma} {particle}" in vocab.open_words("skip_verbs") else "any"
    return light if lemma in vocab.open_words("skip_verbs") else "any"


def _own_modality(tok, vocab) -> str | None:
    """The modality a verb's own auxiliaries, adverbs and subordinators give it (data/lexicon.yaml
    ``modality``), if any: "could", "possibly", "whether"."""
    cues = vocab.modality
    for ch in tok.children:
        if ch.dep_ == "aux" and ch.lower_ in cues.aux:
            return cues.aux[ch.lower_]
        if ch.dep_ == "advmod" and ch.lower_ in cues.adverbs:
            return cues.adverbs[ch.lower_]
        if ch.dep_ == "mark" and ch.lower_ in cues.marks:
            return cues.marks[ch.lower_]
    return None


def _complement(v) -> bool:
    """A clause the parser hung on a noun as a relative clause that is the noun's complement ("the
    accusation he hit Smith"): no relative word, and both its subject and its object filled."""
    kids = list(v.children)
    near = kids + [g for ch in kids if ch.dep_ == "prep" for g in ch.children]  # "from which he graduated"
    if any(t.tag_ in RELATIVE_TAGS or t.lower_ == RELATIVE_THAT for t in near):
        return False
    return any(ch.dep_ in ("nsubj", "nsubjpass") for ch in kids) and any(ch.dep_ in ("dobj", "obj", "prep") for ch in kids)


def _clause_modality(ctx: Context, c: Clause) -> tuple[str, bool] | None:
    """The clause's modality and whether a governing verb denies the event ("failed to beat X");
    None when what the clause says happened is unknown. The clause analysis's modality first
    ("plans to", "could", "whether"); then, up the tree (:data:`OPEN_MODALITY_HOPS` clauses): a
    complement takes its governing verb's modality (data/openrel.yaml ``complement_governors``;
    a verb listed nowhere: unknown), a purpose ("flew to Berlin to meet Merkel") is planned, a
    clause under a verb of opinion possible, a noun's complement ("the accusation that he ...")
    or a gerund after a preposition not listed as factual ("without meeting X") unknown, and the
    cues of every governing verb count ("whether X was running to help Y defeat Z")."""
    if c.modality != ASSERTED:
        return c.modality, False
    vocab = ctx.rules.vocab
    denied = False
    v = c.verb
    for _ in range(OPEN_MODALITY_HOPS):
        while v.dep_ == "conj" and v.head.i != v.i and v.head.pos_ in VERBAL:
            v = v.head  # "tried to buy X and sell Y": the first conjunct's place in the sentence
        head, dep = v.head, v.dep_
        if head.i == v.i:
            break
        infinitive = any(ch.dep_ == "aux" and ch.lower_ == INFINITIVE_TO for ch in v.children)
        if dep == "xcomp" or (dep == "ccomp" and v.tag_ == BARE_INFINITIVE):  # "tried to buy", "helped X defeat Y"
            lemma = head.lemma_.lower()
            g = vocab.open_governors.get(lemma) or vocab.modality.verbs.get(lemma)
            if g is None:
                return None
            if g == NEGATIVE_GOVERNOR:
                denied = True
            elif g != ASSERTED:
                return g, denied
        elif dep in ("advcl", "acl") and infinitive:
            return PLANNED, denied
        elif (dep == "acl" and v.tag_ != GERUND) or (dep == "ccomp" and head.pos_ not in VERBAL) or (
                dep == "relcl" and _complement(v)):
            return None  # "the accusation (that) he ...": a claim about the event, not the event
        elif dep == "pcomp":
            if head.lower_ not in vocab.open_words("factual_gerund_prepositions"):
                return None
            head = head.head
        elif dep == "ccomp":
            if head.lemma_.lower() in vocab.open_words("opinion_verbs"):
                return vocab.openrel.get("opinion_modality", POSSIBLE), denied
        else:
            break
        if head.pos_ not in VERBAL:
            break
        own = _own_modality(head, vocab)
        if own is not None and own != ASSERTED:
            return own, denied
        v = head
    return ASSERTED, denied


def open_relations(ctx: Context, c: Clause, found: list[RawRelation]) -> None:
    """The open relations of one verb clause; ``found``: the vocabulary relations its rules read
    from it (an open relation never repeats one of their argument pairs)."""
    v = c.verb
    if v.pos_ != "VERB" or v.dep_ == "prep":
        return
    if v.tag_ == NON_THIRD_PERSON_PRESENT and any(s.tag_ == SINGULAR_PROPER for s in c.subjects):
        return
    if _misparsed(v):
        return
    vocab = ctx.rules.vocab
    lemma = verb_lemma(v)
    kind = _verb_kind(ctx, lemma, c.particle)
    if kind is None:
        return
    subjects = [s for s in (_named(ctx, t) for t in c.subjects) if s is not None]
    if not subjects:
        return
    verb = f"{lemma} {c.particle}" if c.particle else lemma
    base = OPEN_CONF - (OPEN_INHERITED_PENALTY if c.inherited_subject else 0.0) - (
        OPEN_PASSIVE_PENALTY if c.passive else 0.0)
    words = _verb_words(c)
    # (label, object token, trigger, confidence, rule, negated by its noun: "held no talks with X")
    targets: list[tuple[str, object, str, float, str, bool]] = []
    if c.objects:
        for o in c.objects:
            if _named(ctx, o) is not None:
                if kind == "any":
                    targets.append((verb, o, words, base, "open-passive" if c.passive else "open-svo", False))
            elif not c.passive:
                targets.extend(_light(ctx, c, lemma, o, verb, words, base))
    elif not c.passive and kind == "any":
        preps, places = vocab.open_words("prepositions"), vocab.open_words("place_prepositions")
        for prep, ptok, pobj in c.preps:
            if ptok.dep_ != "prep" or prep not in preps or (lemma, prep) in vocab.phrasal:
                continue
            if prep in places and lemma not in vocab.open_words("locative_verbs"):
                continue
            targets.append((f"{verb} {prep}", pobj, f"{words} {ptok.text}", base - OPEN_PREP_PENALTY, "open-prep",
                            False))
    if not targets:
        return
    if _late_negation(ctx, v):
        return  # "listens to Kyiv, not just Moscow": a negation after the verb negates a part, not the clause
    read = _clause_modality(ctx, c)
    if read is None:
        return
    modality, denied = read
    if _question(ctx, v):
        modality = QUESTIONED
    speaker, modality = attribution(ctx, v, modality)
    covered = {(r.subj, r.obj) for r in found} | {(r.obj, r.subj) for r in found}
    sent = ctx.sent_of[v.i]
    for label, otok, trigger, conf, rule, no_event in targets:
        named = _named(ctx, otok)
        if named is None:
            continue
        obj, o_ref = named
        negated = c.negated or denied or no_event
        for subj, s_ref in subjects:
            if subj == obj or (subj, obj) in covered:
                continue
            c_ = conf - (COREF_PENALTY if s_ref or o_ref else 0.0)
            ctx.open_relations.append(RawOpenRelation(
                subj, label, obj, sent, trigger, NEGATIVE if negated else POSITIVE, modality, speaker,
                round(max(CONF_MIN, min(CONF_MAX, c_)), CONF_DIGITS), rule))


def _light(ctx: Context, c: Clause, lemma: str, noun, verb: str, words: str, base: float):
    """``held talks with X``: a light verb, its noun object and a named object of a preposition
    on the noun or on the verb."""
    vocab = ctx.rules.vocab
    if lemma not in vocab.open_words("light_verbs") or c.particle or noun.pos_ != "NOUN":
        return
    low, nlemma = noun.lower_, noun.lemma_.lower()
    skip = vocab.open_words("skip_nouns")
    if not _WORD.match(low) or low in skip or nlemma in skip or low in vocab.nouns or nlemma in vocab.nouns:
        return
    preps, places = vocab.open_words("prepositions"), vocab.open_words("place_prepositions")
    on_noun = [(ch.lower_, ch, p) for ch in noun.children if ch.dep_ == "prep" for p in ch.children if p.dep_ == "pobj"]
    on_verb = [(p, t, o) for p, t, o in c.preps if t.dep_ == "prep"]
    no_event = any(ch.dep_ == "det" and ch.lower_ in ctx.rules.negative_event_dets for ch in noun.children)
    for prep, ptok, pobj in on_noun + on_verb:
        if prep in preps and prep not in places:
            yield (f"{verb} {low} {prep}", pobj, f"{words} {noun.text} {ptok.text}", base - OPEN_LIGHT_PENALTY,
                   "open-light", no_event)


def _misparsed(verb) -> bool:
    """The parser gave the verb two subjects or two direct objects of its own ("X's victories in
    A, B and C left him with ... delegates"): a reading no clause has, so none of them is sure."""
    deps = [ch.dep_ for ch in verb.children]
    return sum(d in ("nsubj", "nsubjpass") for d in deps) > 1 or deps.count("dobj") > 1


def _late_negation(ctx: Context, verb) -> bool:
    """The verb's own negation comes after it ("..., not just X"): it negates a phrase."""
    neg_words = ctx.rules.vocab.word_set("negation_words")
    negs = [ch for ch in verb.children if ch.dep_ == "neg" or (ch.dep_ == "advmod" and ch.lower_ in neg_words)]
    return bool(negs) and all(n.i > verb.i for n in negs)


def _verb_words(c: Clause) -> str:
    """The verb group as written: auxiliaries and negation before the verb, the verb, its particle."""
    v = c.verb
    toks = [t for t in c.aux if t.i < v.i] + [v] + [t for t in v.children if t.dep_ == "prt"]
    return " ".join(t.text for t in sorted(toks, key=lambda t: t.i))


def _question(ctx: Context, verb) -> bool:
    """The verb's sentence is a direct question (ends with a question mark)."""
    sent = ctx.sents[ctx.sent_of[verb.i]]
    last = sent[-1]
    while last.is_punct and last.text in ('"', "'", "”", "’") and last.i > sent.start:
        last = ctx.doc[last.i - 1]
    return last.text == QUESTION_MARK


def dedupe_open(ctx: Context) -> list[RawOpenRelation]:
    """One open relation per (subject, label, object, sentence, polarity): the most confident."""
    seen: dict[tuple, RawOpenRelation] = {}
    for r in ctx.open_relations:
        key = (r.subj, r.label, r.obj, r.sent, r.polarity)
        if key not in seen or seen[key].confidence < r.confidence:
            seen[key] = r
    return list(seen.values())
