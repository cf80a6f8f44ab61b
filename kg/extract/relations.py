"""Relations of verbs and event nouns, normalised through data/relations.yaml.

Verb clauses (:mod:`kg.extract.clauses`) give, in this order: a passive's stranded preposition
("was called for by X"), a symmetric verb's coordinated subjects ("Putin and Erdogan met"),
phrasal verbs ("call for X"), verb + particle ("rule out X"), a light verb with an event noun
("extend its support to Russia") and subject-verb-object with its recipient ("supplied
weapons to Russia"). Event nouns with an agent give nominal relations ("Xi's trip to Moscow",
"talks between Armenia and Azerbaijan").

Every relation goes through :func:`emit`: a negated predicate may turn into its opposite
(``negated`` in data/relations.yaml), a relation inside a quotation or in indirect speech is
attributed to its speaker, and the confidence is lowered for arguments found by coreference.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ASSERTED, NEGATIVE, POSITIVE
from .arguments import arg, event_agent, event_object
from .clauses import OBJ_DEPS, rel_phrase, verb_lemma
from .context import Context, final, mention_at
from .params import (
    CONF_DIGITS, CONF_MAX, CONF_MIN, COREF_PENALTY, INHERITED_SUBJECT_CONF, LIGHT_VERB_PENALTY, NOMINAL_CONF,
    PASSIVE_PENALTY, RECIPIENT_PENALTY, REPORTED_HOPS, SYMMETRIC_PENALTY, VERB_CONF,
)
from .quotes import speaker_of_token
from .records import PRON, REFERRING, Clause, RawRelation
from .tree import conjuncts, objects_of, prep_phrases

#: modalities set by these rules (the others come from data/lexicon.yaml through the clause analysis)
REPORTED, PLANNED = "reported", "planned"


def emit(ctx: Context, subj: int | None, pred: str, obj: int | None, tok, trigger: str, *, negated: bool,
         modality: str, rule: str, conf: float, alternatives: tuple[str, ...] = ()) -> None:
    """Record ``subj -pred-> obj`` read at ``tok`` (nothing if an argument is missing)."""
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
    speaker = speaker_of_token(ctx, tok)
    if speaker is None:
        rep = reported_by(ctx, tok)
        if rep is not None:
            speaker = rep
            if modality == ASSERTED:
                modality = REPORTED
    if speaker is not None and ctx.mentions[speaker].label in REFERRING:
        speaker = final(ctx, speaker)
    if any(ctx.mentions[x].antecedent is not None for x in (subj, obj)):
        conf -= COREF_PENALTY
    ctx.relations.append(RawRelation(subj, pred, obj, ctx.sent_of[tok.i], trigger, polarity, modality, speaker,
                                     round(max(CONF_MIN, min(CONF_MAX, conf)), CONF_DIGITS), rule, tuple(alternatives)))


def reported_by(ctx: Context, verb) -> int | None:
    """``X said (that) <clause>``: the speaker X of indirect speech, if any."""
    tok = verb
    for _ in range(REPORTED_HOPS):
        if tok.dep_ in ("ccomp", "conj") and tok.head.i != tok.i:
            head = tok.head
            if head.lemma_.lower() in ctx.rules.speech and ctx.quotes.inside.get(head.i) is None:
                subj = [c for c in head.children if c.dep_ == "nsubj"]
                if subj:
                    return mention_at(ctx, subj[0])
                return None
            tok = head
        else:
            return None
    return None


def dedupe(relations: list[RawRelation]) -> list[RawRelation]:
    """One relation per (subject, predicate, object, sentence, polarity): the most confident."""
    seen = {}
    for r in relations:
        key = (r.subj, r.pred, r.obj, r.sent, r.polarity)
        if key not in seen or seen[key].confidence < r.confidence:
            seen[key] = r
    return list(seen.values())


# ---------------------------------------------------------------- verbs
@dataclass(frozen=True)
class _Verb:
    """A verb clause being read: its lemma, the relation phrase, its subjects' mentions, the base confidence."""

    clause: Clause
    lemma: str
    trigger: str
    subjects: list[int]
    base: float


def _emit_all(ctx: Context, vb: _Verb, pred: str, obj: int | None, trigger: str, rule: str, conf: float, *,
              negated: bool | None = None, alternatives: tuple[str, ...] = ()) -> None:
    """``pred`` from each subject of the verb to ``obj``."""
    c = vb.clause
    for s in vb.subjects:
        emit(ctx, s, pred, obj, c.verb, trigger, negated=c.negated if negated is None else negated,
             modality=c.modality, rule=rule, conf=conf, alternatives=alternatives)


def verb_relations(ctx: Context, c: Clause) -> None:
    """The relations one verb clause states."""
    v = c.verb
    if v.i in ctx.claimed:  # read by a construction pattern (kg.extract.patterns)
        return
    vocab = ctx.rules.vocab
    lemma = verb_lemma(v, vocab.verbs)
    if lemma not in vocab.verbs:
        lemma = verb_lemma(v, vocab.phrasal_verbs)
    trig = rel_phrase(c)
    subjects = [s for s in (arg(ctx, s) for s in c.subjects) if s is not None]
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
        for i, a in enumerate(subjects):
            for b in subjects[i + 1:]:
                emit(ctx, a, pred, b, v, trig, negated=c.negated, modality=c.modality,
                     rule="symmetric-coordination", conf=base - SYMMETRIC_PENALTY)
    # phrasal verbs: "call for X", "speak with X"
    for prep, ptok, pobj in c.preps:
        ppred = vocab.phrasal.get((lemma, prep))
        if ppred:
            obj = arg(ctx, pobj)
            _emit_all(ctx, vb, ppred, obj, f"{trig} {ptok.text}", "verb-prep", base)
            found = found or obj is not None
    if c.particle and (lemma, c.particle) in vocab.phrasal:  # "rule out X"
        ppred = vocab.phrasal[(lemma, c.particle)]
        for o in c.objects:
            _emit_all(ctx, vb, ppred, arg(ctx, o), trig, "verb-particle", base)
        return
    handled = _light_verb(ctx, vb) if lemma in ctx.rules.light or not pred else set()
    if pred and not found:
        _svo(ctx, vb, pred, handled)


def _stranded_preposition(ctx: Context, vb: _Verb) -> bool:
    """A passive's preposition with no object: "a ceasefire was called for by the Arab League"."""
    c, found = vb.clause, False
    for ch in c.verb.children:
        pred = ctx.rules.vocab.phrasal.get((vb.lemma, ch.lower_)) if ch.dep_ == "prep" else None
        if pred and not any(g.dep_ == "pobj" for g in ch.children):
            for o in c.objects:
                obj = arg(ctx, o)
                _emit_all(ctx, vb, pred, obj, f"{vb.trigger} {ch.text}", "passive-prep", vb.base)
                found = found or obj is not None
    return found


def _light_verb(ctx: Context, vb: _Verb) -> set[int]:
    """A light verb + event noun: "extend its support to Russia", "impose sanctions on Iran";
    the objects it read."""
    c, rules = vb.clause, ctx.rules
    nouns = rules.vocab.nouns
    handled = set()
    for o in c.objects:
        entries = nouns.get(o.lower_) or nouns.get(o.lemma_.lower())
        for npred, preps in entries or ():
            target = event_object(ctx, o, set(preps))
            if target is None:
                target = next(((p, pobj) for p, _, pobj in c.preps if p in preps), None)
            if target is None:
                continue
            obj = arg(ctx, target[1])
            neg = c.negated or any(ch.dep_ == "det" and ch.lower_ in rules.negative_event_dets for ch in o.children)
            _emit_all(ctx, vb, npred, obj, f"{vb.trigger} {o.text} {target[0]}", "light-verb",
                      vb.base - LIGHT_VERB_PENALTY, negated=neg)
            handled.add(o.i)
            break
    return handled


def _svo(ctx: Context, vb: _Verb, pred: str, handled: set[int]) -> None:
    """Subject - verb - object, and the recipient of a verb of giving ("supplied weapons to Russia")."""
    c, vocab = vb.clause, ctx.rules.vocab
    alternatives = vocab.verb_preds.get(vb.lemma, (pred,))[1:]
    for o in c.objects:
        if o.i in handled:
            continue
        _emit_all(ctx, vb, pred, arg(ctx, o), vb.trigger, "passive" if c.passive else "svo", vb.base,
                  alternatives=alternatives)
    recipient = vocab.predicates[pred].recipient
    if recipient:
        for prep, ptok, pobj in c.preps:
            if prep in recipient:
                _emit_all(ctx, vb, pred, arg(ctx, pobj), f"{vb.trigger} {ptok.text}", "svo-recipient",
                          vb.base - RECIPIENT_PENALTY)


# ---------------------------------------------------------------- event nouns
def _between(ctx: Context, tok, entries) -> bool:
    """``talks between Armenia and Azerbaijan``: a symmetric event between coordinated parties."""
    rules = ctx.rules
    pred = next((p for p, _ in entries if rules.vocab.predicates[p].symmetric), None)
    if pred is None:
        return False
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in rules.between_preps:
            parties = [p for x in objects_of(c) for p in conjuncts(x)]
            ids = [m for m in (arg(ctx, p) for p in parties) if m is not None]
            negated = any(d.dep_ == "det" and d.lower_ in rules.negative_event_dets for d in tok.children)
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    emit(ctx, a, pred, b, tok, f"{tok.text} {c.lower_}", negated=negated,
                         modality=ASSERTED, rule="nominal-between", conf=NOMINAL_CONF)
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
        if _between(ctx, tok, entries):
            continue
        agent = event_agent(ctx, tok)
        if agent is None:
            continue
        negated = any(c.dep_ == "det" and c.lower_ in rules.negative_dets for c in tok.children)
        future = any(g.lower_ in rules.future for c in tok.children if c.dep_ != "prep" for g in c.subtree)
        for pred, preps in entries:
            target = event_object(ctx, tok, set(preps))
            if target is None and tok.dep_ in OBJ_DEPS:
                # PP attached to the verb: "support its defense against X"
                hit = next(prep_phrases(tok.head, preps), None)
                target = (hit[0].lower_, hit[1]) if hit is not None else None
            if target is None:
                continue
            obj = arg(ctx, target[1])
            emit(ctx, agent, pred, obj, tok, f"{tok.text} {target[0]}", negated=negated,
                 modality=PLANNED if future else ASSERTED, rule="nominal", conf=NOMINAL_CONF)
            break
