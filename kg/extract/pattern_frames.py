"""Verb frames of data/patterns.yaml matched on the clause analysis (:mod:`kg.extract.clauses`):
the slots of a clause in the active voice, whether a frame matches them (voice, particle,
complement, heads, cue), and the relations of the first frame that matches. Subjects taken over
from other verbs, negation and modality are the verb rules' own; a condition ("if X beats Y")
and an infinitive the sentence does not say happened ("failed to beat") state nothing.
"""

from __future__ import annotations

import re

from ..model import ASSERTED
from .arguments import NON_CONCEPT_ENTS
from .clauses import OBJ_DEPS, rel_phrase, verb_lemma
from .context import Context
from .params import INHERITED_SUBJECT_CONF, PASSIVE_PENALTY, VERB_CONF
from .pattern_args import head_ok, is_specific, phrase_concept, slot_arg
from .pattern_rules import ANY, NONE, PATH_STEP, PHRASE, Frame, Patterns
from .relations import emit
from .tree import conjuncts, prep_phrases

#: dependencies of a word that complements a verb ("pleaded guilty", "found him not guilty")
COMPLEMENT_DEPS = ("acomp", "oprd", "ccomp", "xcomp", "advmod", "attr")
#: a match score ("45-24", "3–1"): one to three digits on each side, not part of a longer number or date
SCORE = re.compile(r"(?<![\d.,:/])\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%])")


class _Slots:
    """The fillers of a clause's slots, in the active voice."""

    def __init__(self, ctx: Context, c, pats: Patterns, complement):
        self.ctx, self.c, self.pats, self.complement = ctx, c, pats, complement
        v = c.verb
        dobj = [x for ch in v.children if ch.dep_ in OBJ_DEPS for x in conjuncts(ch)]
        participle = v.dep_ == "acl" and v.tag_ == "VBN" and not c.subjects
        self.passive = c.passive or participle
        preps = list(c.preps)
        if participle:  # "Fath Airport, owned by the Revolutionary Guards"
            subject = [p for lemma, t, p in preps if t.dep_ == "agent"]
            preps = [x for x in preps if x[1].dep_ != "agent"]
            patients = [v.head]
        elif c.passive:
            subject = list(c.subjects)
            seen = {d.i for d in dobj}
            patients = [o for o in c.objects if o.i not in seen]
        else:
            subject, patients = list(c.subjects), []
        if c.inherited_subject and v.dep_ == "pcomp" and v.head.head.pos_ in ("NOUN", "PROPN"):
            # "announced their agreement over selling X": whose the act is, the noun does not say
            subject = []
        # a name NER ran over one of the clause's prepositions ("sold [NBC Universal to Disney]") is no argument
        glued = {self.ctx.tok2m[t.i] for _, t, _ in c.preps if t.i in self.ctx.tok2m}
        dobj = [o for o in dobj if self.ctx.tok2m.get(o.i) not in glued]
        if complement is not None and not dobj and not patients:
            # "found him not guilty": the complement's own subject
            dobj = [x for ch in complement.children if ch.dep_ == "nsubj" for x in conjuncts(ch)]
        self.base = {
            "subject": subject,
            "object": dobj if (dobj or not self.passive) else patients,
            "dative": ([p for lemma, t, p in preps if t.i == p.i] if not self.passive
                       else (patients if dobj else [])),
        }
        self.preps = [(lemma, t, p) for lemma, t, p in preps if t.i != p.i]
        self._cache: dict[str, list] = {}

    def tokens(self, slot: str) -> list:
        """The tokens filling a slot (without ``:phrase``)."""
        slot = slot.removesuffix(PHRASE)
        if slot in self._cache:
            return self._cache[slot]
        first, *path = slot.split(PATH_STEP)
        if first in self.base:
            toks = list(self.base[first])
        else:  # a preposition: on the verb, else on its objects or complement
            toks = [p for lemma, t, p in self.preps if lemma == first and t.i not in self.ctx.tok2m]
            if not toks:
                hosts = self.base["object"] + ([self.complement] if self.complement is not None else [])
                toks = [x for h in hosts for t, p in prep_phrases(h, (first,)) if t.i not in self.ctx.tok2m
                        for x in conjuncts(p)]
        for step in path:
            toks = [x for t in toks for pt, p in prep_phrases(t, (step,)) if pt.i not in self.ctx.tok2m
                    for x in conjuncts(p)]
        self._cache[slot] = toks
        return toks

    def mentions(self, slot: str, heads: dict[str, frozenset[str]], specific: frozenset[str]) -> list[int]:
        toks = self.tokens(slot)
        if not slot.endswith(PHRASE):  # amounts and times are no arguments ("dock at 1429 UTC")
            toks = [t for t in toks if t.ent_type_ not in NON_CONCEPT_ENTS]
        allowed = heads.get(slot.removesuffix(PHRASE))
        if allowed:
            toks = [t for t in toks if head_ok(self.ctx, t, allowed)]
        if slot.endswith(PHRASE):
            out = [phrase_concept(self.ctx, t) for t in toks]
        else:
            out = [slot_arg(self.ctx, self.pats, t) for t in toks]
        out = [m for m in dict.fromkeys(out) if m is not None]
        if slot in specific:
            out = [m for m in out if is_specific(self.ctx, m)]
        return out

    def trigger_words(self, slot: str) -> list[str]:
        """What a slot adds to the trigger: its preposition ("to"), with the noun of a path
        ("share in" of "object>in", "on charge of" of "on>of")."""
        parts = slot.removesuffix(PHRASE).split(PATH_STEP)
        out = [] if parts[0] in self.base else [parts[0]]
        prefix = parts[0]
        for step in parts[1:]:
            toks = self.tokens(prefix)
            if toks:
                out.append(toks[0].text)
            out.append(step)
            prefix = f"{prefix}{PATH_STEP}{step}"
        return out


def _complement(c, word: str):
    if not word:
        return None
    return next((ch for ch in c.verb.children if ch.dep_ in COMPLEMENT_DEPS and ch.lower_ == word), None)


def _has_cue(ctx: Context, sent, cue: frozenset[str]) -> bool:
    tb = ctx.table
    for i in range(sent.start, sent.end):
        if tb.pos[i] in ("NOUN", "PROPN") and (tb.lower[i] in cue or tb.lemma[i].lower() in cue):
            return True
    return SCORE.search(sent.text) is not None


def _matches(ctx: Context, sent, f: Frame, slots: _Slots, complement) -> bool:
    c = slots.c
    if f.voice and (f.voice == "passive") != slots.passive:
        return False
    if f.particle and c.particle != f.particle:
        return False
    if not f.particle and c.particle and c.particle not in f.particles:
        return False
    if f.complement:
        if complement is None:
            return False
        neg = any(ch.dep_ == "neg" for ch in complement.children)
        if f.complement_negated is not None and neg != f.complement_negated:
            return False
    for slot, words in f.heads:
        toks = slots.tokens(slot)
        if not toks:
            if NONE not in words:
                return False
        elif not any(head_ok(ctx, t, words) for t in toks):
            return False
    for slot, words in f.not_heads:
        toks = slots.tokens(slot)
        if toks and all(head_ok(ctx, t, words) for t in toks):
            return False
    if f.not_words and any(ch.lower_ in f.not_words or ch.lemma_.lower() in f.not_words for ch in c.verb.children):
        return False
    return not f.cue or _has_cue(ctx, sent, f.cue)


def _score(sent, verb) -> str:
    """A score written in the verb's clause ("defeated Maroochydore 45-24"), if any."""
    lo = min(t.idx for t in verb.subtree)
    hi = max(t.idx + len(t) for t in verb.subtree)
    m = SCORE.search(verb.doc.text, lo, hi)
    return m.group(0) if m else ""


def _conditional(v, pats: Patterns) -> bool:
    """The verb (or the first of its coordinated verbs) opens a condition: "if X beats Y", "unless
    X buys Y"."""
    while v.dep_ == "conj" and v.head.i != v.i:
        v = v.head
    return any(ch.dep_ == "mark" and ch.lower_ in pats.condition_marks for ch in v.children)


def _infinitive(v, pats: Patterns) -> str | None:
    """What an infinitive's governor makes of it when the clause analysis found no modality:
    ``None`` when it is no infinitive or happened ("managed to beat", "continued to own"); the
    modality of data/patterns.yaml's infinitive_modality ("tried to buy" hoped, "its deal to buy"
    planned); "" when the sentence does not say it happened ("failed to beat", "refused to sell",
    "did not try to buy", "was allowed to buy")."""
    if not any(ch.dep_ == "aux" and ch.tag_ == "TO" for ch in v.children):
        return None
    gov = v.head
    if gov.i == v.i or any(ch.dep_ == "neg" for ch in gov.children):
        return ""
    lemma = gov.lemma_.lower()
    if v.dep_ == "xcomp" and gov.pos_ in ("VERB", "AUX") and lemma in pats.implicative:
        return None
    return pats.infinitive_modality.get(lemma, "")


def frame_relations(ctx: Context, pats: Patterns, sent, c) -> None:
    """The relations of the first of the verb's frames that matches the clause and yields one.
    A verb one of its frames matches is claimed even when no argument could be resolved: the
    frame says which sense the verb has, and the verb rules would read another."""
    v = c.verb
    frames = pats.frames.get(verb_lemma(v, pats.frames))
    if not frames:
        return
    vocab = ctx.rules.vocab
    built: dict[int, _Slots] = {}  # the slots of the clause, by complement (frames of one verb share them)
    for f in frames:
        complement = _complement(c, f.complement)
        key = complement.i if complement is not None else -1
        slots = built.get(key) or built.setdefault(key, _Slots(ctx, c, pats, complement))
        if not _matches(ctx, sent, f, slots, complement):
            continue
        ctx.claimed.add(v.i)
        if _conditional(v, pats):
            return  # a condition: whether it happens, the sentence does not say
        modality = c.modality
        if modality == ASSERTED:
            inf = _infinitive(v, pats)
            if inf == "":
                return  # the frame tells the sense; the sentence does not say it happened
            modality = inf or modality
        heads = {k: w for k, w in f.heads if NONE not in w and ANY not in w}
        negated = c.negated
        if complement is not None and f.complement_negated is None and any(
                ch.dep_ == "neg" for ch in complement.children):
            negated = not negated  # "pleaded not guilty"
        base = VERB_CONF if not c.inherited_subject else INHERITED_SUBJECT_CONF
        if slots.passive:
            base -= PASSIVE_PENALTY
        verb_words = rel_phrase(c)
        if complement is not None:
            verb_words += " " + " ".join(t.text for t in complement.children if t.dep_ == "neg") + " " + complement.text
            verb_words = " ".join(verb_words.split())
        score = _score(sent, v) if f.keep_score else ""
        used = {s.removesuffix(PHRASE).split(PATH_STEP)[0] for y in f.yields for s in (y.subject, y.object)}
        for slot, words in f.heads:  # "hit with fine": a preposition the frame requires
            toks = slots.tokens(slot)
            if toks and slot not in slots.base and PATH_STEP not in slot and slot not in used:
                verb_words += f" {slot} {toks[0].text}"
        emitted = False
        for y in f.yields:
            subjects = slots.mentions(y.subject, heads, f.specific)
            objects = slots.mentions(y.object, heads, f.specific)
            pairs = [(s, o) for s in subjects for o in objects]
            if not objects and vocab.predicates[y.pred].symmetric and not slots.tokens(y.object):
                # "Disney and Pixar merged": a symmetric frame with coordinated subjects
                pairs = [(a, b) for i, a in enumerate(subjects) for b in subjects[i + 1:]]
            extra = slots.trigger_words(y.subject) + slots.trigger_words(y.object)
            trigger = " ".join([verb_words, *extra, score]).strip()
            for s, o in pairs:
                if s != o:
                    emit(ctx, s, y.pred, o, v, trigger, negated=negated, modality=modality,
                         rule=f"pattern:{f.id}", conf=base, alternatives=y.alternatives)
                    emitted = True
        if emitted:
            return

