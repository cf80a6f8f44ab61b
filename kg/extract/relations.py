"""Relations of verbs and event nouns, normalised through data/relations.yaml.

Verb clauses (:mod:`kg.extract.clauses`) give, in this order: a passive's stranded preposition
("was called for by X"), a symmetric verb's coordinated subjects ("Putin and Erdogan met"),
phrasal verbs ("call for X"), verb + particle ("rule out X"), a light verb with an event noun
("extend its support to Russia") and subject-verb-object with its recipient ("supplied
weapons to Russia", "provided Ukraine with weapons"). Event nouns with an agent give nominal
relations ("Xi's trip to Moscow", "talks between Armenia and Azerbaijan").

Every reading must satisfy the frame of the word that states it (:mod:`kg.extract.frames`:
what its subject and object may be, the words that mean another sense); a clause that is a
question or a condition states nothing. Every relation goes through :func:`emit`: a negated
predicate may turn into its opposite (``negated`` in data/relations.yaml), a relation inside a
quotation is attributed to its speaker, one in indirect speech ("X said that ...") or under
"according to X" is reported (by X), and the confidence is lowered for what makes the reading
less sure (:mod:`kg.extract.params`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ASSERTED, FORMER, NEGATIVE, POSITIVE
from .arguments import arg, event_agent, event_object, referred
from .clauses import OBJ_DEPS, VERBAL, is_hypothetical, rel_phrase, verb_lemma
from .context import Context, final, mention_at
from .frames import canonical, clause_fits, is_common, object_fits, recipient_fits, subject_fits
from .params import (
    CONF_DIGITS, CONF_MAX, CONF_MIN, COREF_PENALTY, INHERITED_SUBJECT_CONF, LIGHT_VERB_PENALTY, NOMINAL_CONF,
    PASSIVE_PENALTY, RECIPIENT_PENALTY, REPORTED_HOPS, SPECIFIC_CONCEPT_PENALTY, SYMMETRIC_PENALTY, VERB_CONF,
)
from .quotes import speaker_of_token
from .records import PRON, REFERRING, Clause, RawRelation
from .tree import conjuncts, objects_of, prep_phrases

#: modalities set by these rules (the others come from data/lexicon.yaml through the clause analysis)
REPORTED, PLANNED = "reported", "planned"
#: mentions that may be a speaker of indirect speech or of "according to X"
SPEAKER_LABELS = ("PERSON", "ORG", "GPE", "NORP")
#: tokens after a question mark that still end its sentence
CLOSING = frozenset({'"', "'", "\u201d", "\u2019", "''", ")", "]"})


def attribution(ctx: Context, tok, modality: str, according: bool = True) -> tuple[int | None, str]:
    """Who a fact read at ``tok`` is attributed to, and its modality: the speaker of the quotation
    holding it, else the X of "X said (that) ..." or (``according``) "according to X", which make an
    asserted fact ``reported``; a pronoun speaker is followed to its antecedent."""
    speaker = speaker_of_token(ctx, tok)
    if speaker is None:
        reported, rep = reported_by(ctx, tok)
        if not reported and according:
            reported, rep = according_to(ctx, tok)
        if reported:
            speaker = rep
            if modality == ASSERTED:
                modality = REPORTED
    if speaker is not None and ctx.mentions[speaker].label in REFERRING:
        speaker = final(ctx, speaker)
    return speaker, modality


def emit(ctx: Context, subj: int | None, pred: str, obj: int | None, tok, trigger: str, *, negated: bool,
         modality: str, rule: str, conf: float, alternatives: tuple[str, ...] = (), coref: bool = False) -> None:
    """Record ``subj -pred-> obj`` read at ``tok`` (nothing if an argument is missing).
    ``coref``: an argument was reached through a pronoun or description."""
    if subj is None or obj is None or subj == obj:
        return
    sm = ctx.mentions[subj]
    if sm.label == PRON and subj not in ctx.we_of:
        return
    p = ctx.rules.vocab.predicates[pred]
    polarity = NEGATIVE if negated else POSITIVE
    if negated and p.negated:
        pred, polarity = p.negated, POSITIVE
        alternatives = ()
    speaker, modality = attribution(ctx, tok, modality, according=not p.role)
    if coref or any(ctx.mentions[x].antecedent is not None for x in (subj, obj)):
        conf -= COREF_PENALTY
    ctx.relations.append(RawRelation(subj, pred, obj, ctx.sent_of[tok.i], trigger, polarity, modality, speaker,
                                     round(max(CONF_MIN, min(CONF_MAX, conf)), CONF_DIGITS), rule, tuple(alternatives)))


def _speaker(ctx: Context, tok) -> int | None:
    """The mention a speaker token stands for, if it is a person, organisation or country."""
    mid = mention_at(ctx, tok)
    if mid is None:
        return None
    return mid if ctx.mentions[final(ctx, mid) or mid].label in SPEAKER_LABELS or mid in ctx.we_of else None


def reported_by(ctx: Context, verb) -> tuple[bool, int | None]:
    """``X said (that) <clause>``: whether the verb is in indirect speech, and its speaker X
    when X is a person, organisation or country. Only a complement of the speech verb is
    reported: a verb coordinated with it is the narrator's ("which Red Hat maintained and
    provided")."""
    tok = verb
    for _ in range(REPORTED_HOPS):
        while tok.dep_ == "conj" and tok.head.i != tok.i and tok.head.pos_ in VERBAL:
            tok = tok.head
        if tok.dep_ != "ccomp" or tok.head.i == tok.i:
            return False, None
        head = tok.head
        if head.lemma_.lower() in ctx.rules.speech and ctx.quotes.inside.get(head.i) is None:
            subj = [c for c in head.children if c.dep_ == "nsubj"]
            return True, (_speaker(ctx, subj[0]) if subj else None)
        tok = head
    return False, None


def according_to(ctx: Context, tok) -> tuple[bool, int | None]:
    """Whether "according to X" hangs on the clause of ``tok`` or, before it, on one governing it
    (outside quotations), and X when it is a person, organisation or country ("according to officials":
    reported by someone unnamed)."""
    rules = ctx.rules
    ancestors = {tok.i} | {a.i for a in tok.ancestors}
    lo, hi = tok.left_edge.i, tok.right_edge.i
    for t in ctx.sents[ctx.sent_of[tok.i]]:
        frame = rules.frame_at(t)
        # inside the clause ("China sold drones, according to AP"), or before it on a clause
        # governing it ("According to AP, China sold ..."); never one on another clause after
        # it ("He supported X and, according to CNN, was called Y")
        if frame and ctx.quotes.inside.get(t.i) is None and (lo <= t.i <= hi or (t.i < tok.i and t.head.i in ancestors)):
            last = ctx.doc[t.i + len(frame) - 1]
            for p in objects_of(last):
                return True, _speaker(ctx, p)
            return True, None
    return False, None


def asks(ctx: Context, tok) -> bool:
    """The token is in a question: a sentence, or a quotation, that ends with a question mark."""
    marks = ctx.rules.vocab.word_set("question_marks")
    sent = ctx.sents[ctx.sent_of[tok.i]]
    for t in reversed(sent):
        if t.is_space or t.text in CLOSING:
            continue
        if t.text in marks:
            return True
        break
    qi = ctx.quotes.inside.get(tok.i)
    if qi is not None:
        span = ctx.quotes.spans[qi]
        return span.b > span.a and ctx.doc[span.b].text in marks
    return False


def dedupe(relations: list[RawRelation]) -> list[RawRelation]:
    """One relation per (subject, predicate, object, sentence, polarity): the most confident."""
    seen = {}
    for r in relations:
        key = (r.subj, r.pred, r.obj, r.sent, r.polarity)
        if key not in seen or seen[key].confidence < r.confidence:
            seen[key] = r
    return list(seen.values())


def _object_conf(ctx: Context, mid: int) -> float:
    """What an object lowers the confidence by: a specific common noun that data/concepts.yaml
    does not know ("restructuring process") says less than a name or a known concept."""
    return SPECIFIC_CONCEPT_PENALTY if is_common(ctx, mid) and canonical(ctx, mid) is None else 0.0


def _noun_frame(p, tok):
    """The frame of predicate ``p`` read through the event noun ``tok`` (its form, else its lemma)."""
    for w in (tok.lower_, tok.lemma_.lower()):
        f = p.frame_for(w, noun=True)
        if f is not p.frame:
            return f
    return p.frame


#: fates of an event (data/lexicon.yaml ``event_fates``) that are no modality
FATE_NEGATED, FATE_NONE = "negated", "none"
#: fates that are the modality of the event's fact
MODALITY_FATES = ("planned", "hoped", "possible", "denied", "questioned")


def _fate(ctx: Context, verb) -> str | None:
    """What ``verb`` says became of the event its object names (data/lexicon.yaml
    ``event_fates``): "postponed", "called off", ...; None for any other verb."""
    fates = ctx.rules.vocab.event_fates
    lemma = verb_lemma(verb, fates)
    prt = next((c.lower_ for c in verb.children if c.dep_ == "prt"), None)
    if prt and f"{lemma} {prt}" in fates:
        return fates[f"{lemma} {prt}"]
    return fates.get(lemma)


def event_fate(ctx: Context, noun) -> str | None:
    """The fate of the event noun's event given by the verb whose object or passive subject it is
    ("Japan postponed its visit to China": planned; "the talks were called off": negated)."""
    t = noun
    while t.dep_ == "conj" and t.head.i != t.i and t.head.pos_ not in VERBAL:
        t = t.head  # "postponed the visit and the talks"
    if t.dep_ not in (*OBJ_DEPS, "nsubjpass") or t.head.i == t.i or t.head.pos_ not in VERBAL:
        return None
    return _fate(ctx, t.head)


# ---------------------------------------------------------------- verbs
@dataclass(frozen=True)
class _Verb:
    """A verb clause being read: its lemma, the relation phrase, its subjects' mentions (each
    with whether it was reached through a pronoun), the base confidence."""

    clause: Clause
    lemma: str
    trigger: str
    subjects: list[tuple[int, bool]]
    base: float


def _emit_all(ctx: Context, vb: _Verb, pred: str, obj: int | None, trigger: str, rule: str, conf: float, *,
              word: str | None = None, frame=None, negated: bool | None = None, alternatives: tuple[str, ...] = (),
              coref: bool = False, modality: str | None = None) -> None:
    """``pred`` from each subject of the verb that fits ``frame`` (default: that of ``word``, else
    of the verb) to ``obj``; ``negated``/``modality`` default to the clause's."""
    if obj is None:
        return
    c = vb.clause
    p = ctx.rules.vocab.predicates[pred]
    frame = frame or p.frame_for(word or vb.lemma)
    conf -= _object_conf(ctx, obj)
    for s, s_coref in vb.subjects:
        if subject_fits(ctx, p, frame, s):
            emit(ctx, s, pred, obj, c.verb, trigger, negated=c.negated if negated is None else negated,
                 modality=modality or c.modality, rule=rule, conf=conf, alternatives=alternatives,
                 coref=coref or s_coref)


def _arg(ctx: Context, tok) -> tuple[int | None, bool]:
    """An argument's mention and whether it was reached through a pronoun or description."""
    return arg(ctx, tok), referred(ctx, tok)


def verb_relations(ctx: Context, c: Clause) -> None:
    """The relations one verb clause states."""
    v = c.verb
    if v.i in ctx.claimed or c.hypothetical or asks(ctx, v):  # claimed: read by a construction pattern
        return
    vocab = ctx.rules.vocab
    lemma = verb_lemma(v, vocab.verbs)
    if lemma not in vocab.verbs:
        lemma = verb_lemma(v, vocab.phrasal_verbs)
    trig = rel_phrase(c)
    subjects = [(m, r) for m, r in (_arg(ctx, s) for s in c.subjects) if m is not None]
    if not subjects:
        return
    base = VERB_CONF if not c.inherited_subject else INHERITED_SUBJECT_CONF
    if c.passive:
        base -= PASSIVE_PENALTY
    vb = _Verb(c, lemma, trig, subjects, base)
    found = _stranded_preposition(ctx, vb) if c.passive else False
    pred = vocab.verbs.get(lemma)
    if pred and vocab.predicates[pred].symmetric and not c.objects and len(subjects) > 1 and not c.inherited_subject:
        # "Putin and Erdogan met": a symmetric verb with coordinated subjects and no object
        p = vocab.predicates[pred]
        frame = p.frame_for(lemma)
        if clause_fits(frame, c):
            ids = [(m, r) for m, r in subjects if subject_fits(ctx, p, frame, m) and object_fits(ctx, p, frame, m)]
            for i, (a, ra) in enumerate(ids):
                for b, rb in ids[i + 1:]:
                    emit(ctx, a, pred, b, v, trig, negated=c.negated, modality=c.modality,
                         rule="symmetric-coordination", conf=base - SYMMETRIC_PENALTY, coref=ra or rb)
    # phrasal verbs: "call for X", "speak with X"
    for prep, ptok, pobj in c.preps:
        ppred = vocab.phrasal.get((lemma, prep))
        if ppred:
            found = _phrasal(ctx, vb, ppred, f"{lemma} {prep}", pobj, f"{trig} {ptok.text}", "verb-prep") or found
    if c.particle and (lemma, c.particle) in vocab.phrasal:  # "rule out X", "hand over X"
        ppred = vocab.phrasal[(lemma, c.particle)]
        for o in c.objects:
            _phrasal(ctx, vb, ppred, f"{lemma} {c.particle}", o, trig, "verb-particle")
        return
    handled = _light_verb(ctx, vb) if lemma in ctx.rules.light else set()
    if pred and not found:
        _svo(ctx, vb, handled)


def _phrasal(ctx: Context, vb: _Verb, pred: str, word: str, tok, trigger: str, rule: str) -> bool:
    """``verb prep X`` (or ``verb particle X``) read as ``pred`` when X fits its frame."""
    p = ctx.rules.vocab.predicates[pred]
    frame = p.frame_for(word)
    obj, coref = _arg(ctx, tok)
    if obj is None or not clause_fits(frame, vb.clause, particle_matters=False) or not object_fits(ctx, p, frame, obj, tok):
        return False
    _emit_all(ctx, vb, pred, obj, trigger, rule, vb.base, word=word, coref=coref)
    return True


def _stranded_preposition(ctx: Context, vb: _Verb) -> bool:
    """A passive's preposition with no object: "a ceasefire was called for by the Arab League"."""
    c, found = vb.clause, False
    for ch in c.verb.children:
        pred = ctx.rules.vocab.phrasal.get((vb.lemma, ch.lower_)) if ch.dep_ == "prep" else None
        if pred and not any(g.dep_ == "pobj" for g in ch.children):
            for o in c.objects:
                found = _phrasal(ctx, vb, pred, f"{vb.lemma} {ch.lower_}", o, f"{vb.trigger} {ch.text}",
                                 "passive-prep") or found
    return found


def _light_verb(ctx: Context, vb: _Verb) -> set[int]:
    """A light verb + event noun: "extend its support to Russia", "impose sanctions on Iran";
    the objects it read. The noun's own agent, when it is someone else ("had the support of the
    union", "praised Warren's endorsement"), makes it no light-verb reading."""
    c, rules = vb.clause, ctx.rules
    nouns = rules.vocab.nouns
    handled = set()
    subjects = {s for s, _ in vb.subjects}
    for o in c.objects:
        entries = nouns.get(o.lower_) or nouns.get(o.lemma_.lower())
        if not entries:
            continue
        agent = event_agent(ctx, o)
        if agent is not None and final(ctx, agent) not in subjects:
            continue
        fate = _fate(ctx, c.verb)  # "ended its support for X": no fact
        if fate == FATE_NONE:
            continue
        for npred, preps in entries:
            target = event_object(ctx, o, set(preps))
            if target is None:
                target = next(((p, pobj) for p, _, pobj in c.preps if p in preps), None)
            if target is None:
                continue
            p = rules.vocab.predicates[npred]
            frame = _noun_frame(p, o)
            obj, coref = _arg(ctx, target[1])
            if obj is None or not object_fits(ctx, p, frame, obj, target[1]):
                continue
            neg = c.negated or fate == FATE_NEGATED \
                or any(ch.dep_ == "det" and ch.lower_ in rules.negative_event_dets for ch in o.children)
            mod = fate if fate in MODALITY_FATES and c.modality == ASSERTED else None
            _emit_all(ctx, vb, npred, obj, f"{vb.trigger} {o.text} {target[0]}", "light-verb",
                      vb.base - LIGHT_VERB_PENALTY, frame=frame, negated=neg, coref=coref, modality=mod)
            handled.add(o.i)
            break
    return handled


def _with_thing(clause: Clause):
    """The object of "with" in "provided Ukraine with weapons"."""
    return next((pobj for prep, _, pobj in clause.preps if prep == "with"), None)


def _svo(ctx: Context, vb: _Verb, handled: set[int]) -> None:
    """Subject - verb - object, read as each predicate of the verb whose frame the object fits
    (the first is stated, the others are alternatives resolution may prefer by type); and the
    recipient of a verb of giving, when the thing given fits ("supplied weapons to Russia",
    "gave Ukraine weapons", "provided Ukraine with weapons")."""
    c, vocab = vb.clause, ctx.rules.vocab
    preds = vocab.verb_preds.get(vb.lemma, ())
    given: dict[str, bool] = {}  # predicate -> a thing given was stated
    for o in c.objects:
        if o.i in handled:
            continue
        obj, coref = _arg(ctx, o)
        if obj is None:
            continue
        fits = [p for p in preds if clause_fits(vocab.predicates[p].frame_for(vb.lemma), c)
                and object_fits(ctx, vocab.predicates[p], vocab.predicates[p].frame_for(vb.lemma), obj, o)]
        if fits:
            _emit_all(ctx, vb, fits[0], obj, vb.trigger, "passive" if c.passive else "svo", vb.base,
                      alternatives=tuple(fits[1:]), coref=coref)
            given[fits[0]] = True
            continue
        # "provided Ukraine with weapons": the object is the recipient, the thing comes with "with"
        thing_tok = _with_thing(c)
        for p in preds:
            pr = vocab.predicates[p]
            frame = pr.frame_for(vb.lemma)
            if not (frame.with_thing and thing_tok is not None and clause_fits(frame, c)):
                continue
            thing, t_coref = _arg(ctx, thing_tok)
            if thing is not None and object_fits(ctx, pr, frame, thing, thing_tok) and recipient_fits(ctx, frame, obj):
                _emit_all(ctx, vb, p, thing, f"{vb.trigger} with", "svo-with", vb.base, coref=t_coref)
                _emit_all(ctx, vb, p, obj, vb.trigger, "svo-recipient", vb.base - RECIPIENT_PENALTY, coref=coref)
                break
    for p in given:
        pr = vocab.predicates[p]
        if not pr.recipient:
            continue
        frame = pr.frame_for(vb.lemma)
        for prep, ptok, pobj in c.preps:
            if prep in pr.recipient:
                rec, coref = _arg(ctx, pobj)
                if rec is not None and recipient_fits(ctx, frame, rec):
                    _emit_all(ctx, vb, p, rec, f"{vb.trigger} {ptok.text}", "svo-recipient",
                              vb.base - RECIPIENT_PENALTY, coref=coref)


# ---------------------------------------------------------------- event nouns
def _governing_verb(tok):
    """The verb the noun's phrase hangs from (for questions and conditions), or None."""
    t = tok
    while t.head.i != t.i:
        t = t.head
        if t.pos_ in VERBAL:
            return t
    return None


def _between(ctx: Context, tok, entries) -> bool:
    """``talks between Armenia and Azerbaijan``: a symmetric event between coordinated parties."""
    rules = ctx.rules
    pred = next((p for p, _ in entries if rules.vocab.predicates[p].symmetric), None)
    if pred is None:
        return False
    p = rules.vocab.predicates[pred]
    frame = _noun_frame(p, tok)
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in rules.between_preps:
            parties = [x for y in objects_of(c) for x in conjuncts(y)]
            ids = [(m, r) for m, r in (_arg(ctx, x) for x in parties) if m is not None
                   and subject_fits(ctx, p, frame, m) and object_fits(ctx, p, frame, m)]
            fate = event_fate(ctx, tok)
            if fate == FATE_NONE:
                return True
            negated = fate == FATE_NEGATED or any(d.dep_ == "det" and d.lower_ in rules.negative_event_dets
                                                  for d in tok.children)
            for i, (a, ra) in enumerate(ids):
                for b, rb in ids[i + 1:]:
                    emit(ctx, a, pred, b, tok, f"{tok.text} {c.lower_}", negated=negated,
                         modality=fate if fate in MODALITY_FATES else ASSERTED, rule="nominal-between",
                         conf=NOMINAL_CONF, coref=ra or rb)
            return bool(ids)
    return False


def nominal_relations(ctx: Context, sent) -> None:
    """The relations of the event nouns of a sentence that have an agent."""
    tb, rules = ctx.table, ctx.rules
    nouns = rules.vocab.nouns
    for i in range(sent.start, sent.end):
        if tb.pos[i] not in ("NOUN", "PROPN"):
            continue
        entries = nouns.get(tb.lower[i]) or nouns.get(tb.lemma[i].lower())
        if not entries:
            continue
        tok = ctx.doc[i]
        gov = _governing_verb(tok)
        if asks(ctx, tok) or (gov is not None and is_hypothetical(gov, rules.vocab)):
            continue
        if _between(ctx, tok, entries):
            continue
        agent = event_agent(ctx, tok)
        if agent is None:
            continue
        fate = event_fate(ctx, tok)
        if fate == FATE_NONE:
            continue
        negated = fate == FATE_NEGATED or any(c.dep_ == "det" and c.lower_ in rules.negative_dets
                                              for c in tok.children)
        future = any(g.lower_ in rules.future for c in tok.children if c.dep_ != "prep" for g in c.subtree)
        past = any(c.dep_ == "amod" and c.lower_ in rules.vocab.word_set("past_event_words") for c in tok.children)
        modality = fate if fate in MODALITY_FATES else FORMER if past else PLANNED if future else ASSERTED
        for pred, preps in entries:
            target = event_object(ctx, tok, set(preps))
            if target is None and tok.dep_ in OBJ_DEPS:
                # PP attached to the verb: "support its defense against X"
                hit = next(prep_phrases(tok.head, preps), None)
                target = (hit[0].lower_, hit[1]) if hit is not None else None
            if target is None:
                continue
            p = rules.vocab.predicates[pred]
            frame = _noun_frame(p, tok)
            obj, coref = _arg(ctx, target[1])
            if obj is None or not object_fits(ctx, p, frame, obj, target[1]) or not subject_fits(ctx, p, frame, agent):
                continue
            emit(ctx, agent, pred, obj, tok, f"{tok.text} {target[0]}", negated=negated,
                 modality=modality, rule="nominal",
                 conf=NOMINAL_CONF - _object_conf(ctx, obj), coref=coref)
            break
