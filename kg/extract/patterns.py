"""Construction patterns: the relations the verb rules of data/relations.yaml cannot express,
read by the rules of data/patterns.yaml (its header gives the format).

* **verb frames**, read on the clause analysis (:mod:`kg.extract.clauses`) so that subjects taken
  over from other verbs, negation and modality are the verb rules' own: a frame names the verbs,
  conditions on the heads of its arguments ("won the gold medal", not "won support"), an optional
  complement ("pleaded guilty") or sentence cue ("beat" needs a match, a race or a score), and the
  relations it yields between its slots ("X sold Y to Z": sells Y, sells to Z, Z acquires Y;
  "Y lost to X": X beats Y). A passive, or a participle modifying a noun ("X, owned by Y"), is read
  through the active slots. A frame that yields a relation claims its verb: the verb rules do not
  read it again (:func:`kg.extract.relations.verb_relations`);
* **hyphenated modifiers**: "the New York-based firm X", "the state-owned enterprise X";
* **descriptors**: "the German company X" (an organisation described with a nationality);
* **places**: "Cincinnati, Ohio", "the Kennedy Space Center in Florida".

Every relation goes through :func:`kg.extract.relations.emit` (quotation speakers, reported speech,
negated predicates, coreference penalty); the resolver checks its subject and object types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..model import ASSERTED, MODALITIES
from ..paths import data_dir
from ..vocab import load_vocabulary
from .arguments import NON_CONCEPT_ENTS, arg
from .clauses import OBJ_DEPS, rel_phrase, verb_lemma
from .context import Context, mention_at
from .mentions import add_mention
from .params import CONSTRUCTION_CONF, INHERITED_SUBJECT_CONF, PASSIVE_PENALTY, VERB_CONF
from .records import CONCEPT
from .relations import emit
from .tree import conjuncts, objects_of, prep_phrases

#: head conditions that are not words: a proper name, a named event, an empty slot, any filler
NAMED, EVENT, NONE, ANY = "<named>", "<event>", "<none>", "<any>"
#: a slot path step ("object>in") and the whole-phrase suffix ("to:phrase")
PATH_STEP, PHRASE = ">", ":phrase"
#: dependencies of a word that complements a verb ("pleaded guilty", "found him not guilty")
COMPLEMENT_DEPS = ("acomp", "oprd", "ccomp", "xcomp", "advmod", "attr")
#: NER labels of a place, of a named organisation, of a nationality or place word
PLACE_LABELS = ("GPE", "LOC")
ORG_LABELS = ("ORG",)
ORIGIN_LABELS = ("NORP", "GPE")
NAMED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
HYPHENS = ("-", "–")
#: a match score ("45-24", "3–1"): one to three digits on each side, not part of a longer number or date
SCORE = re.compile(r"(?<![\d.,:/])\d{1,3} ?[-–] ?\d{1,3}(?![\d.,:/%])")
#: relative pronouns: a slot filled by one stands for the noun its clause modifies
RELATIVE_TAGS = ("WDT", "WP")
#: NER labels of titles and names that are no mention of their own (works, products, laws): a slot
#: filled by one of their words stands for the whole name
TITLE_ENTS = ("WORK_OF_ART", "PRODUCT", "LAW")
#: predicates whose evidence keeps the score of their clause ("defeated Y 45-24")
SCORED = ("beats",)
#: a concept is specific when its label has this many words or a capital letter or digit ("gold
#: medal", "Crew Dragon"), not a bare common noun ("phone", "film")
SPECIFIC_WORDS = 2


@dataclass(frozen=True)
class Yield:
    pred: str
    subject: str
    object: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Frame:
    id: str
    yields: tuple[Yield, ...]
    particles: frozenset[str] = frozenset()  # allowed
    particle: str = ""  # required
    voice: str = ""  # "", "active" or "passive"
    heads: tuple[tuple[str, frozenset[str]], ...] = ()
    not_heads: tuple[tuple[str, frozenset[str]], ...] = ()
    complement: str = ""
    complement_negated: bool | None = None
    cue: frozenset[str] = frozenset()
    keep_score: bool = False
    specific: frozenset[str] = frozenset()  # slots whose argument must be a name or a concept of several words
    not_words: frozenset[str] = frozenset()  # words that must not modify the verb ("owned 55 percent by")


@dataclass(frozen=True)
class Patterns:
    """data/patterns.yaml, ready to match."""

    frames: dict[str, tuple[Frame, ...]]  # verb lemma -> its frames, in order
    hyphenated: dict[str, tuple[str, str]]  # "based" -> (predicate, part the noun phrase plays)
    state_words: frozenset[str]
    descriptor_pred: str | None
    descriptor_nouns: frozenset[str]
    place_pred: str | None
    place_apposition: bool
    place_preps: frozenset[str]
    facilities: frozenset[str]
    place_nouns: frozenset[str]
    transparent: dict[str, frozenset[str]]  # "counts" -> {"of"}: the phrase stands for its object
    groups: frozenset[str]  # "team", "researchers": a group stands for its institution
    group_preps: frozenset[str]
    vague: frozenset[str] = frozenset()  # concept names that say nothing ("charges", "the matter")
    implicative: frozenset[str] = frozenset()  # "managed to win" states the win; "tried to win" does not
    infinitive_modality: dict[str, str] = field(default_factory=dict)  # "try" -> hoped, "deal" -> planned
    condition_marks: frozenset[str] = frozenset()  # "if X beats Y, ...": a condition states nothing

    def predicates(self) -> set[str]:
        """Every predicate the patterns can state."""
        out = {y.pred for fs in self.frames.values() for f in fs for y in f.yields}
        out |= {a for fs in self.frames.values() for f in fs for y in f.yields for a in y.alternatives}
        out |= {p for p, _ in self.hyphenated.values()}
        return out | {p for p in (self.descriptor_pred, self.place_pred) if p}


class PatternError(ValueError):
    """data/patterns.yaml is malformed or names a predicate the vocabulary does not have."""


def _words(value, lists: dict[str, list[str]], where: str) -> frozenset[str]:
    """A list of words and "$name" references to named lists, as a lower-case set."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    out = set()
    for w in value:
        if not isinstance(w, str):
            raise PatternError(f"data/patterns.yaml: {where}: {w!r} is not a string (quote it)")
        if w.startswith("$"):
            if w[1:] not in lists:
                raise PatternError(f"data/patterns.yaml: {where}: no list named {w[1:]!r}")
            out.update(x.lower() for x in lists[w[1:]])
        else:
            out.add(w.lower())
    return frozenset(out)


def _frame(f: dict, lists: dict, predicates) -> tuple[list[str], Frame]:
    fid = f.get("id") or "?"
    yields = []
    for y in f.get("yields") or []:
        for p in (y["pred"], *(y.get("alternatives") or [])):
            if p not in predicates:
                raise PatternError(f"data/patterns.yaml: frame {fid}: unknown predicate {p!r} "
                                   "(add it to data/relations.yaml and run scripts/build_ontology.py)")
        yields.append(Yield(y["pred"], str(y["subject"]), str(y["object"]), tuple(y.get("alternatives") or ())))
    if not yields:
        raise PatternError(f"data/patterns.yaml: frame {fid} yields nothing")
    if f.get("voice", "") not in ("", "active", "passive"):
        raise PatternError(f"data/patterns.yaml: frame {fid}: voice must be active or passive")
    frame = Frame(
        fid, tuple(yields), _words(f.get("particles"), lists, fid), str(f.get("particle") or ""),
        str(f.get("voice") or ""),
        tuple((str(k), _words(v, lists, fid)) for k, v in (f.get("heads") or {}).items()),
        tuple((str(k), _words(v, lists, fid)) for k, v in (f.get("not_heads") or {}).items()),
        str(f.get("complement") or ""), f.get("complement_negated"), _words(f.get("cue"), lists, fid),
        any(y.pred in SCORED for y in yields), frozenset(str(s) for s in f.get("specific") or ()),
        _words(f.get("not_words"), lists, fid),
    )
    verbs = [str(v).lower() for v in f.get("verbs") or []]
    if not verbs:
        raise PatternError(f"data/patterns.yaml: frame {fid} names no verb")
    return verbs, frame


def _infinitive_modality(spec: dict, lists: dict) -> dict[str, str]:
    out = {}
    for modality, words in spec.items():
        if modality not in MODALITIES:
            raise PatternError(f"data/patterns.yaml: infinitive_modality: unknown modality {modality!r}")
        for w in _words(words, lists, "infinitive_modality"):
            out[w] = modality
    return out


@lru_cache(maxsize=4)
def load_patterns(directory: str | None = None) -> Patterns:
    """data/patterns.yaml (or ``directory``'s), checked against the vocabulary of the same folder."""
    d = Path(directory) if directory else data_dir()
    path = d / "patterns.yaml"
    if not path.exists():
        return Patterns({}, {}, frozenset(), None, frozenset(), None, False, frozenset(), frozenset(), frozenset(),
                        {}, frozenset(), frozenset())  # no patterns: the verb rules alone
    with path.open(encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506 - a safe loader
    predicates = load_vocabulary(directory).predicates
    lists = raw.get("lists") or {}
    frames: dict[str, list[Frame]] = {}
    for f in raw.get("frames") or []:
        verbs, frame = _frame(f, lists, predicates)
        for v in verbs:
            frames.setdefault(v, []).append(frame)
    hyph = {}
    for word, spec in (raw.get("hyphenated") or {}).items():
        if spec["pred"] not in predicates or spec.get("noun") not in ("subject", "object"):
            raise PatternError(f"data/patterns.yaml: hyphenated {word!r}: unknown predicate or noun part")
        hyph[str(word).lower()] = (spec["pred"], spec["noun"])
    desc = raw.get("descriptors") or {}
    places = raw.get("places") or {}
    for p in (desc.get("pred"), places.get("pred")):
        if p and p not in predicates:
            raise PatternError(f"data/patterns.yaml: unknown predicate {p!r}")
    transparent = {}
    for t in raw.get("transparent") or []:
        preps = _words(t.get("prepositions"), lists, "transparent")
        for noun in _words(t.get("nouns"), lists, "transparent"):
            transparent[noun] = preps
    groups = raw.get("groups") or {}
    return Patterns(
        {k: tuple(v) for k, v in frames.items()}, hyph, _words(raw.get("state_words"), lists, "state_words"),
        desc.get("pred"), _words(desc.get("nouns"), lists, "descriptors"),
        places.get("pred"), bool(places.get("apposition")), _words(places.get("in_prepositions"), lists, "places"),
        _words(places.get("facilities"), lists, "places"), _words(places.get("place_nouns"), lists, "places"),
        transparent, _words(groups.get("nouns"), lists, "groups"), _words(groups.get("prepositions"), lists, "groups"),
        _words(lists.get("vague"), lists, "vague"), _words(raw.get("implicative_verbs"), lists, "implicative_verbs"),
        _infinitive_modality(raw.get("infinitive_modality") or {}, lists),
        _words(raw.get("condition_marks"), lists, "condition_marks"),
    )


# ---------------------------------------------------------------- arguments
def _named(ctx: Context, tok) -> bool:
    mid = ctx.tok2m.get(tok.i)
    return tok.pos_ == "PROPN" or (mid is not None and ctx.mentions[mid].label in NAMED_LABELS)


def _head_ok(ctx: Context, tok, words: frozenset[str]) -> bool:
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


def _through(pats: Patterns, tok, depth: int = 2):
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


def _arg(ctx: Context, pats: Patterns, tok) -> int | None:
    """The mention a slot token stands for: through a relative pronoun, a transparent phrase, a
    named apposition ("the 2018 film Black Panther"), else the verb rules' :func:`arg`."""
    if tok.tag_ in RELATIVE_TAGS and tok.head.dep_ == "relcl":
        tok = tok.head.head
    tok = _through(pats, tok)
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


def _specific(ctx: Context, mid: int) -> bool:
    m = ctx.mentions[mid]
    if m.label != CONCEPT:
        return True
    return len(m.name.split()) >= SPECIFIC_WORDS or any(ch.isupper() or ch.isdigit() for ch in m.name)


def _phrase(ctx: Context, tok) -> int | None:
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


# ---------------------------------------------------------------- verb frames
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
            toks = [t for t in toks if _head_ok(self.ctx, t, allowed)]
        if slot.endswith(PHRASE):
            out = [_phrase(self.ctx, t) for t in toks]
        else:
            out = [_arg(self.ctx, self.pats, t) for t in toks]
        out = [m for m in dict.fromkeys(out) if m is not None]
        if slot in specific:
            out = [m for m in out if _specific(self.ctx, m)]
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
        elif not any(_head_ok(ctx, t, words) for t in toks):
            return False
    for slot, words in f.not_heads:
        toks = slots.tokens(slot)
        if toks and all(_head_ok(ctx, t, words) for t in toks):
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


def _frame_relations(ctx: Context, pats: Patterns, sent, c) -> None:
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


# ---------------------------------------------------------------- phrases without a verb
#: words that may stand between a describing word and the name it describes ("UK-based
#: [supermarket] retailer Tesco", "Irish [national] airline Aer Lingus")
DESCRIBING_POS = ("NOUN", "ADJ")
#: at most this many such words
DESCRIBING_WORDS = 3


def _name_after(ctx: Context, i: int, end: int) -> tuple[int | None, list[int]]:
    """The named mention that starts after token ``i`` once a few common nouns and adjectives
    are passed ("-based retailer Tesco"), and the indices of the words passed."""
    tb, passed = ctx.table, []
    j = i + 1
    while j < end and len(passed) <= DESCRIBING_WORDS:
        mid = ctx.tok2m.get(j)
        if mid is not None and ctx.mentions[mid].label in NAMED_LABELS:
            return mid, passed
        if tb.pos[j] not in DESCRIBING_POS:
            return None, passed
        passed.append(j)
        j += 1
    return None, passed


def _described(ctx: Context, noun) -> int | None:
    """The name a noun phrase describes when no name follows it: "Tesco, a UK-based retailer";
    "Cerberus is a New York-based firm"."""
    if noun.dep_ == "appos":
        return mention_at(ctx, noun.head)
    if noun.dep_ == "attr" and noun.head.lemma_ == "be":
        subj = next((ch for ch in noun.head.children if ch.dep_ == "nsubj"), None)
        return mention_at(ctx, subj) if subj is not None else None
    return None


def _np_entity(ctx: Context, tok) -> int | None:
    m = mention_at(ctx, tok)
    return m if m is not None else _described(ctx, tok)


def _label(ctx: Context, mid: int | None) -> str:
    return ctx.mentions[mid].label if mid is not None else ""


def _hyphenated(ctx: Context, pats: Patterns, sent) -> None:
    """"the New York-based firm X" -> X basedIn New York; "the state-owned enterprise X" of a
    nationality -> that country owns X."""
    doc, tb = ctx.doc, ctx.table
    for i in range(max(sent.start, 2), sent.end):
        spec = pats.hyphenated.get(tb.lower[i])
        if spec is None or tb.orth[i - 1] not in HYPHENS or tb.space_before(i) or tb.space_before(i - 1):
            continue
        named, passed = _name_after(ctx, i, sent.end)
        if named is None and passed:
            named = _described(ctx, doc[passed[-1]])
        if named is None:
            continue
        name = mention_at(ctx, doc[i - 2])
        if name is None and tb.lower[i - 2] in pats.state_words:
            # "Hungarian state-owned enterprise X": the state of the nationality word before it
            k = i - 3
            while k >= sent.start and ctx.tok2m.get(k) is None and tb.pos[k] in DESCRIBING_POS:
                k -= 1
            name = ctx.tok2m.get(k) if k >= sent.start else None
            if _label(ctx, name) not in ORIGIN_LABELS:
                name = None
        if name is None or name == named:
            continue
        pred, part = spec
        s, o = (named, name) if part == "subject" else (name, named)
        emit(ctx, s, pred, o, doc[i], tb.span_text(i - 2, i + 1), negated=False, modality=ASSERTED,
             rule="pattern:hyphenated", conf=CONSTRUCTION_CONF)


def _descriptors(ctx: Context, pats: Patterns, sent) -> None:
    """"the German company DaimlerChrysler", "Irish national airline Aer Lingus" -> the
    organisation basedIn the country or place of the word before the describing noun."""
    if not pats.descriptor_pred:
        return
    doc, tb = ctx.doc, ctx.table
    for i in range(sent.start + 1, sent.end):
        if tb.pos[i] != "NOUN" or (tb.lower[i] not in pats.descriptor_nouns
                                   and tb.lemma[i].lower() not in pats.descriptor_nouns):
            continue
        org, _ = _name_after(ctx, i, sent.end)
        if org is None:
            org = _described(ctx, doc[i])
        if _label(ctx, org) not in ORG_LABELS:
            continue
        k = i - 1  # back over "national", "supermarket" to the nationality or place word
        while k > sent.start and ctx.tok2m.get(k) is None and tb.pos[k] in DESCRIBING_POS and i - k <= DESCRIBING_WORDS:
            k -= 1
        place = ctx.tok2m.get(k)
        if place is None or place == org or _label(ctx, place) not in ORIGIN_LABELS:
            continue
        if k > sent.start and (tb.tag[k - 1] == "POS" or tb.lower[k - 1] in ctx.rules.possessive_dets):
            continue  # "the company's German unit", "its German subsidiary": whose place is unclear
        emit(ctx, org, pats.descriptor_pred, place, doc[i], tb.span_text(k, i + 1), negated=False,
             modality=ASSERTED, rule="pattern:descriptor", conf=CONSTRUCTION_CONF)


def _gaz_type(ctx: Context, mid: int) -> str:
    e = ctx.rules.gaz.lookup(ctx.mentions[mid].name)
    return e.type if e is not None else ""


def _part_of_name(ctx: Context, inner: int, outer: int) -> bool:
    """The gazetteer's name of ``inner`` already holds ``outer`` ("Washington" -> "Washington D.C.")."""
    e = ctx.rules.gaz.lookup(ctx.mentions[inner].name)
    if e is None:
        return False
    letters = lambda x: "".join(ch for ch in x.lower() if ch.isalnum())  # noqa: E731
    return letters(ctx.mentions[outer].name) in letters(e.name.replace(ctx.mentions[inner].name, "", 1))


def _places(ctx: Context, pats: Patterns, sent) -> None:
    """"Cincinnati, Ohio" and "the Kennedy Space Center in Florida" -> locatedIn."""
    if not pats.place_pred:
        return
    doc, tb = ctx.doc, ctx.table
    for i in range(sent.start, sent.end):
        dep = tb.dep[i]
        if dep == "appos" and pats.place_apposition and i > 0 and tb.orth[i - 1] == ",":
            tok = doc[i]
            head = tok.head
            inner, outer = mention_at(ctx, head), mention_at(ctx, tok)
            if inner is None or outer is None or inner == outer:
                continue
            if _label(ctx, inner) not in PLACE_LABELS or _label(ctx, outer) not in PLACE_LABELS:
                continue
            if any(ch.dep_ == "conj" for ch in tok.children) or head.dep_ == "conj" or any(
                    ch.dep_ in ("conj", "appos") and ch.i != tok.i for ch in head.children):
                continue  # a list of places, not a place and its region
            if _gaz_type(ctx, inner) == "Country" or _gaz_type(ctx, outer) == "City":
                continue
            if _part_of_name(ctx, inner, outer):
                continue  # "Washington, D.C.": the second part belongs to the first's name
            emit(ctx, inner, pats.place_pred, outer, tok, ",", negated=False, modality=ASSERTED,
                 rule="pattern:place-apposition", conf=CONSTRUCTION_CONF)
        elif tb.lower[i] in pats.place_preps and dep == "prep":
            prep = doc[i]
            host = prep.head
            named = mention_at(ctx, host)
            if named is None and host.dep_ == "attr" and host.lemma_.lower() in pats.place_nouns:
                # "Pandeglang is a town in the province of Banten"
                named = _np_entity(ctx, host)
                if _label(ctx, named) not in PLACE_LABELS + ORG_LABELS:
                    continue
            elif named is None:
                continue
            elif not (ctx.mentions[named].label == "FAC" or (ctx.mentions[named].label in ORG_LABELS
                                                            and host.lemma_.lower() in pats.facilities)):
                continue
            for pobj in objects_of(prep):
                place = mention_at(ctx, _through(pats, pobj))
                if place is not None and place != named and _label(ctx, place) in PLACE_LABELS:
                    emit(ctx, named, pats.place_pred, place, prep, prep.text, negated=False, modality=ASSERTED,
                         rule="pattern:place-in", conf=CONSTRUCTION_CONF)


#: what may close a sentence after its last word: quote marks, a bracket, spaces
CLOSERS = frozenset({'"', "'", "”", "’", ")", ""})


def _question(ctx: Context, sent) -> bool:
    """A question asserts nothing ("did your brother decide not to play for Iran?")."""
    orth = ctx.table.orth
    for i in range(sent.end - 1, sent.start - 1, -1):
        text = orth[i].strip()
        if text not in CLOSERS:
            return text == "?"
    return False


def constructions(ctx: Context, sent, sent_clauses) -> None:
    """The relations the patterns read in one sentence; the verbs they claim go to ``ctx.claimed``."""
    pats = load_patterns()
    if pats.frames and not _question(ctx, sent):
        for c in sent_clauses:
            _frame_relations(ctx, pats, sent, c)
    if pats.hyphenated:
        _hyphenated(ctx, pats, sent)
    _descriptors(ctx, pats, sent)
    _places(ctx, pats, sent)
