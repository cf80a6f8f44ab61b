"""data/patterns.yaml, loaded and checked: its verb frames (:class:`Frame`, what each yields) and
the word sets of the constructions without a verb, as one :class:`Patterns`.

Every predicate named must be in the vocabulary of the same folder (data/relations.yaml), every
"$name" a list of the file's ``lists``; anything else raises :class:`PatternError`. The frames are
matched by :mod:`kg.extract.pattern_frames`, the rest read by :mod:`kg.extract.patterns`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..model import MODALITIES
from ..paths import data_dir
from ..vocab import load_vocabulary

#: head conditions that are not words: a proper name, a named event, an empty slot, any filler
NAMED, EVENT, NONE, ANY = "<named>", "<event>", "<none>", "<any>"
#: a slot path step ("object>in") and the whole-phrase suffix ("to:phrase")
PATH_STEP, PHRASE = ">", ":phrase"
#: predicates whose evidence keeps the score of their clause ("defeated Y 45-24")
SCORED = ("beats",)


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

