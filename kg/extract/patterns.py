"""Construction patterns: the relations the verb rules of data/relations.yaml cannot express,
read by the rules of data/patterns.yaml (its header gives the format; loaded and checked by
:mod:`kg.extract.pattern_rules`).

* **verb frames**, read on the clause analysis (:mod:`kg.extract.clauses`) so that subjects taken
  over from other verbs, negation and modality are the verb rules' own: a frame names the verbs,
  conditions on the heads of its arguments ("won the gold medal", not "won support"), an optional
  complement ("pleaded guilty") or sentence cue ("beat" needs a match, a race or a score), and the
  relations it yields between its slots ("X sold Y to Z": sells Y, sells to Z, Z acquires Y;
  "Y lost to X": X beats Y). A passive, or a participle modifying a noun ("X, owned by Y"), is read
  through the active slots. A frame that yields a relation claims its verb: the verb rules do not
  read it again (:func:`kg.extract.relations.verb_relations`). Matched by
  :mod:`kg.extract.pattern_frames`, their slots' mentions found by :mod:`kg.extract.pattern_args`;
* **hyphenated modifiers**: "the New York-based firm X", "the state-owned enterprise X";
* **descriptors**: "the German company X" (an organisation described with a nationality);
* **places**: "Cincinnati, Ohio", "the Kennedy Space Center in Florida".

Every relation goes through :func:`kg.extract.relations.emit` (quotation speakers, reported speech,
negated predicates, coreference penalty); the resolver checks its subject and object types.
"""

from __future__ import annotations

from ..model import ASSERTED
from .context import Context, mention_at
from .params import CONSTRUCTION_CONF
from .pattern_args import NAMED_LABELS, through
from .pattern_frames import frame_relations
from .pattern_rules import Patterns, load_patterns
from .relations import emit
from .tree import objects_of

#: NER labels of a place, of a named organisation, of a nationality or place word
PLACE_LABELS = ("GPE", "LOC")
ORG_LABELS = ("ORG",)
ORIGIN_LABELS = ("NORP", "GPE")
HYPHENS = ("-", "–")
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
                place = mention_at(ctx, through(pats, pobj))
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
            frame_relations(ctx, pats, sent, c)
    if pats.hyphenated:
        _hyphenated(ctx, pats, sent)
    _descriptors(ctx, pats, sent)
    _places(ctx, pats, sent)
