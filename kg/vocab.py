"""The rule data (data/relations.yaml, roles.yaml, lexicon.yaml, quotes.yaml, concepts.yaml, openrel.yaml) as
lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from .paths import data_dir


#: ``concepts`` of a frame that accepts any specific concept (the default)
SPECIFIC = "specific"


@dataclass(frozen=True)
class Frame:
    """The sense a predicate's word must have for a fact (data/relations.yaml ``frame``/``senses``;
    checked by :mod:`kg.extract.frames`)."""

    objects: tuple[str, ...] = ()  # entity types of the object in this sense; empty: any
    concepts: frozenset[str] | None = None  # canonical concepts a Concept object may be; None: any specific one
    deny: frozenset[str] = frozenset()  # object heads that mean another sense
    deny_preps: frozenset[str] = frozenset()  # prepositions on the verb that mean another sense
    deny_deps: frozenset[str] = frozenset()  # dependency labels of the verb's children that mean another sense
    particles: frozenset[str] = frozenset()  # particles the verb may take in this sense
    subjects: tuple[str, ...] = ()  # subject types in this sense; empty: the predicate's
    recipients: tuple[str, ...] = ("Person", "Organization", "Country", "Group")
    with_thing: bool = False  # "provide X with Y": X is the recipient


@dataclass(frozen=True)
class Predicate:
    id: str
    label: str
    comment: str
    inverse: str | None = None
    symmetric: bool = False
    negated: str | None = None
    role: bool = False
    subject_types: tuple[str, ...] = ("Person", "Organization", "Country", "Group")
    object_types: tuple[str, ...] = ()  # empty: any type
    recipient: tuple[str, ...] = ()  # prepositions of a second object that is a recipient ("to Russia")
    travel: bool = False  # its verbs' objects are places
    frame: Frame = Frame()
    senses: tuple[tuple[str, Frame], ...] = ()  # verb lemma or "verb prep" -> its own frame
    noun_senses: tuple[tuple[str, Frame], ...] = ()  # event noun -> its own frame

    def frame_for(self, word: str | None, noun: bool = False) -> Frame:
        """The frame of the predicate read through ``word``: a verb lemma or "verb prep", or with
        ``noun`` an event noun ("attacks on X")."""
        for w, f in self.noun_senses if noun else self.senses:
            if w == word:
                return f
        return self.frame

    def allows(self, subject_type: str, object_type: str) -> bool:
        return subject_type in self.subject_types and (not self.object_types or object_type in self.object_types)


@dataclass(frozen=True)
class RoleSense:
    """How a role predicate reads its titles (data/roles.yaml; the fields are described there)."""

    pred: str
    objects: tuple[str, ...]  # entity types of the object
    attach: frozenset[str]  # "mod" and/or prepositions that may introduce the object
    demonyms: bool  # a nationality word may name the object (offices of a state)
    portfolio: str | None  # the predicate it becomes with a portfolio ("sales director"); None: no fact
    deputy: str | None  # the predicate it becomes after deputy/vice; None: no fact
    gazetteer: bool  # with no organisation written, the gazetteer's country of the person may be its object
    party_role: bool  # a party adjective before it is its object ("Labour leader")
    place: bool  # its object is a place (a capital stays the city)
    not_objects: frozenset[str]  # words of an object's name that mean another sense of the title
    super: str | None = None  # the broader predicate (rdfs:subPropertyOf)


#: the words of a title or qualifier are compared without hyphens ("director-general")
HYPHENS = ("-", "\u2010", "\u2011", "\u2013")


def title_words(text: str) -> tuple[str, ...]:
    """A title or qualifier as the lower-case words it is matched by ("Director-General" ->
    ("director", "general"))."""
    for h in HYPHENS:
        text = text.replace(h, " ")
    return tuple(text.lower().split())


@dataclass(frozen=True)
class ModalityCues:
    """The lexicon's ``modality`` table as word -> modality, by the word's place in the clause."""

    aux: dict[str, str]  # auxiliaries of the verb ("will")
    verbs: dict[str, str]  # verbs governing it ("plans to")
    adverbs: dict[str, str]  # its adverbs ("possibly")
    marks: dict[str, str]  # its subordinators ("whether")
    infinitive_only: frozenset[str]  # verbs that give their modality only to an infinitive (xcomp)
    adjectives: dict[str, str] = field(default_factory=dict)  # adjectives governing its infinitive ("due to")
    nouns: dict[str, str] = field(default_factory=dict)  # nouns governing its infinitive ("a bid to")


@dataclass
class Vocabulary:
    predicates: dict[str, Predicate] = field(default_factory=dict)
    verbs: dict[str, str] = field(default_factory=dict)  # lemma -> first predicate
    verb_preds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lemma -> all its predicates
    phrasal: dict[tuple[str, str], str] = field(default_factory=dict)  # (lemma, prep) -> predicate
    nouns: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)  # noun -> [(pred, preps)]
    titles: dict[tuple[str, ...], str] = field(default_factory=dict)  # title words -> role predicate
    role_titles: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # title words -> its predicates
    role_senses: dict[str, RoleSense] = field(default_factory=dict)  # role predicate -> how it reads its titles
    qualifiers: dict[tuple[str, ...], str] = field(default_factory=dict)  # qualifier words -> kind (former, deputy, ...)
    parties: dict[str, str] = field(default_factory=dict)  # party adjective (lower case) -> party name
    role_verbs: dict[str, str] = field(default_factory=dict)  # verb lemma -> be, serve, become or appoint
    lexicon: dict = field(default_factory=dict)
    concepts: dict[str, str] = field(default_factory=dict)  # surface (lower) -> canonical concept
    openrel: dict = field(default_factory=dict)  # data/openrel.yaml: the word lists of open relations
    concept_classes: dict[str, frozenset[str]] = field(default_factory=dict)  # class -> canonical concepts

    _sets: dict = field(default_factory=dict, repr=False)

    def word_set(self, key: str) -> frozenset[str]:
        """A lexicon list as a lower-case set (cached; entries must be strings)."""
        if key not in self._sets:
            words = self.lexicon.get(key, [])
            bad = [w for w in words if not isinstance(w, str)]
            if bad:
                raise ValueError(f"lexicon list {key!r} has non-string entries {bad!r} (quote them in YAML)")
            self._sets[key] = frozenset(w.lower() for w in words)
        return self._sets[key]

    def open_words(self, key: str) -> frozenset[str]:
        """A list of data/openrel.yaml as a lower-case set (cached)."""
        ck = ("openrel", key)
        if ck not in self._sets:
            words = self.openrel.get(key) or []
            bad = [w for w in words if not isinstance(w, str)]
            if bad:
                raise ValueError(f"openrel list {key!r} has non-string entries {bad!r} (quote them in YAML)")
            self._sets[ck] = frozenset(w.lower() for w in words)
        return self._sets[ck]

    @cached_property
    def open_governors(self) -> dict[str, str]:
        """data/openrel.yaml ``complement_governors`` as governing verb -> modality (or ``negative``)."""
        table = self.openrel.get("complement_governors") or {}
        return {w.lower(): m for m, words in table.items() for w in words or []}

    @cached_property
    def phrasal_verbs(self) -> frozenset[str]:
        """The verbs of the phrasal predicates ("call" of "call for")."""
        return frozenset(k for k, _ in self.phrasal)

    @cached_property
    def modality(self) -> ModalityCues:
        """The lexicon's ``modality`` table (a verb in two modalities has the last one)."""
        mod = self.lexicon.get("modality", {})
        aux, verbs, adverbs, marks, adjectives, nouns = (
            {w: m for m, d in mod.items() for w in d.get(kind, [])}
            for kind in ("aux", "verbs", "adverbs", "marks", "adjectives", "nouns"))
        only = set()
        for m, d in mod.items():
            listed = d.get("infinitive_only") or []
            if listed == "all":
                listed = [w for w, wm in verbs.items() if wm == m]
            only.update(listed)
        return ModalityCues(aux, verbs, adverbs, marks, frozenset(only), adjectives, nouns)

    @cached_property
    def event_fates(self) -> dict[str, str]:
        """The lexicon's ``event_fates``: a verb (or "verb particle") -> what it says became of the
        event its object names (a modality, ``negated`` or ``none``)."""
        return {str(w).lower(): fate for fate, words in (self.lexicon.get("event_fates") or {}).items()
                for w in words or ()}

    @cached_property
    def travel_verbs(self) -> frozenset[str]:
        """Verbs whose object is a place: those of the ``travel`` predicates and the lexicon's."""
        return frozenset(v for v, p in self.verbs.items() if self.predicates[p].travel) | self.word_set("travel_verbs")

    @cached_property
    def reporting_frames(self) -> tuple[tuple[str, ...], ...]:
        """The lexicon's ``according_to`` phrases as word tuples (lower case)."""
        return tuple(tuple(phrase.lower().split()) for phrase in self.lexicon.get("according_to", []))

    @cached_property
    def pronouns(self) -> dict[str, dict]:
        """The lexicon's ``pronouns`` table, keyed by the lower-case pronoun."""
        return {k.lower(): v for k, v in self.lexicon["pronouns"].items()}

    @cached_property
    def transparent_nouns(self) -> dict[str, str]:
        """Transparent head noun -> the preposition of what it stands for ("calls" -> "for")."""
        return {k.lower(): v for k, v in self.lexicon["transparent_nouns"].items()}

    def title_of(self, words: list[str]) -> tuple[str, int] | None:
        """Longest title at the end of ``words`` (lower-case; hyphens are skipped):
        (predicate, number of ``words`` it takes)."""
        hit = self._longest(words[::-1], reverse=True)
        return (self.titles[hit[0]], hit[1]) if hit else None

    def title_at(self, words: list[str], i: int) -> tuple[str, int] | None:
        """Longest title starting at ``words[i]`` (hyphens are skipped): (predicate, n_words)."""
        hit = self._longest(words[i:], reverse=False)
        return (self.titles[hit[0]], hit[1]) if hit else None

    def _longest(self, words: list[str], reverse: bool) -> tuple[tuple[str, ...], int] | None:
        """The longest title at the start of ``words`` (read backwards when ``reverse``): its
        words and how many of ``words`` it takes (hyphens included)."""
        seen: list[str] = []
        best = None
        for n, w in enumerate(words[: 3 * self.max_title_words], 1):
            if w in HYPHENS:
                continue
            seen.append(w)
            if len(seen) > self.max_title_words:
                break
            key = tuple(seen[::-1]) if reverse else tuple(seen)
            if key in self.titles:
                best = (key, n)
        return best

    @cached_property
    def title_word_set(self) -> frozenset[str]:
        """Every word of a title or qualifier ("astronauts" tagged a verb is still a title word)."""
        return frozenset(w for k in (*self.titles, *self.qualifiers) for w in k)

    @cached_property
    def max_title_words(self) -> int:
        return max((len(k) for k in self.titles), default=1)


def _load_roles(v: Vocabulary, data: dict) -> None:
    """data/roles.yaml: the role predicates, how each reads its titles, the qualifiers and parties."""
    defaults = data.get("defaults") or {}
    for kind, words in (data.get("qualifiers") or {}).items():
        for w in words:
            v.qualifiers[title_words(str(w))] = kind
    v.parties = {str(k).lower(): str(name) for k, name in (data.get("parties") or {}).items()}
    v.role_verbs = {str(w).lower(): kind for kind, words in (data.get("role_verbs") or {}).items() for w in words}
    entries = [(p, True) for p in data["predicates"]] + [(p, False) for p in data.get("relation_titles") or []]
    for p, own in entries:
        f = {**defaults, **p}
        pid = f["id"]
        portfolio = pid if f.get("portfolio") == "self" else f.get("portfolio")
        deputy = pid if f.get("deputy") == "self" else f.get("deputy")
        v.role_senses[pid] = RoleSense(
            pid, tuple(f["objects"]), frozenset(f["attach"]), bool(f["demonyms"]), portfolio, deputy,
            bool(f["gazetteer"]), bool(f["party_role"]), bool(f["place"]),
            frozenset(str(w).lower() for w in f.get("not_objects") or ()), f.get("super"))
        if own:
            v.predicates[pid] = Predicate(pid, p["label"], p["comment"], role=True,
                                          subject_types=("Person",), object_types=tuple(f["objects"]))
        for title in f.get("titles") or []:
            key = title_words(str(title))
            v.titles.setdefault(key, pid)
            if pid not in v.role_titles.get(key, ()):
                v.role_titles[key] = v.role_titles.get(key, ()) + (pid,)


#: libyaml's safe loader when PyYAML was built with it (several times faster than the pure
#: Python one; the vocabulary loads in every build).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


_FRAME_LISTS = ("objects", "subjects", "recipients")
_FRAME_SETS = ("deny", "deny_preps", "deny_deps", "particles")


def _frame(raw: dict, concepts: dict[str, str], classes: dict[str, frozenset[str]], where: str) -> Frame:
    """A :class:`Frame` of a ``frame`` mapping; ``concepts`` names canonical concepts and classes."""
    unknown = set(raw) - set(_FRAME_LISTS) - set(_FRAME_SETS) - {"concepts", "with_thing"}
    if unknown:
        raise ValueError(f"{where}: unknown frame fields {sorted(unknown)}")
    kw: dict = {k: tuple(raw[k]) for k in _FRAME_LISTS if raw.get(k) is not None}
    kw.update({k: frozenset(str(w).lower() for w in raw[k]) for k in _FRAME_SETS if raw.get(k) is not None})
    allowed = raw.get("concepts", SPECIFIC)
    if allowed != SPECIFIC:
        names: set[str] = set()
        for name in allowed or ():
            if name in classes:
                names |= classes[name]
            elif name.lower() in concepts:
                names.add(concepts[name.lower()])
            else:
                raise ValueError(f"{where}: {name!r} is neither a concept nor a class of data/concepts.yaml")
        kw["concepts"] = frozenset(names)
    if raw.get("with_thing"):
        kw["with_thing"] = True
    return Frame(**kw)


@lru_cache(maxsize=4)
def load_vocabulary(directory: str | None = None) -> Vocabulary:
    d = Path(directory) if directory else data_dir()
    v = Vocabulary()
    concepts = d / "concepts.yaml"
    cdata = (_load_yaml(concepts) or {}) if concepts.exists() else {}
    for canon, names in (cdata.get("concepts") or {}).items():
        v.concepts[canon.lower()] = canon
        for n in names or []:
            v.concepts[n.lower()] = canon
    for cls, names in (cdata.get("classes") or {}).items():
        missing = [n for n in names or () if n.lower() not in v.concepts]
        if missing:
            raise ValueError(f"concepts.yaml: class {cls!r} names unknown concepts {missing}")
        v.concept_classes[cls] = frozenset(v.concepts[n.lower()] for n in names or ())
    for p in _load_yaml(d / "relations.yaml")["predicates"]:
        kw = {k: tuple(p[k]) for k in ("subject_types", "object_types", "recipient") if p.get(k)}
        base = p.get("frame") or {}
        frame = _frame(base, v.concepts, v.concept_classes, p["id"])
        senses = tuple((w.lower(), _frame({**base, **(raw or {})}, v.concepts, v.concept_classes, f"{p['id']} {w}"))
                       for w, raw in (p.get("senses") or {}).items())
        noun_senses = tuple(
            (n.lower(), _frame({**base, **{k: x for k, x in entry.items() if k != "preps"}}, v.concepts,
                               v.concept_classes, f"{p['id']} {n}"))
            for n, entry in (p.get("nouns") or {}).items() if isinstance(entry, dict))
        v.predicates[p["id"]] = Predicate(
            p["id"], p["label"], p["comment"], p.get("inverse"), bool(p.get("symmetric")), p.get("negated"),
            travel=bool(p.get("travel")), frame=frame, senses=senses, noun_senses=noun_senses, **kw
        )
        for lemma in p.get("verbs") or []:
            v.verbs.setdefault(lemma.lower(), p["id"])
            v.verb_preds[lemma.lower()] = v.verb_preds.get(lemma.lower(), ()) + (p["id"],)
        for phrase in p.get("phrasal") or []:
            verb, _, prep = phrase.lower().rpartition(" ")
            v.phrasal.setdefault((verb, prep), p["id"])
        for noun, entry in (p.get("nouns") or {}).items():
            preps = entry.get("preps", ()) if isinstance(entry, dict) else entry
            v.nouns.setdefault(noun.lower(), []).append((p["id"], tuple(preps)))
    _load_roles(v, _load_yaml(d / "roles.yaml"))
    v.lexicon = _load_yaml(d / "lexicon.yaml")
    quotes = d / "quotes.yaml"  # the quotation rules' words, kept apart from the lexicon
    if quotes.exists():
        v.lexicon = {**v.lexicon, **(_load_yaml(quotes) or {})}
    openrel = d / "openrel.yaml"
    if openrel.exists():
        v.openrel = _load_yaml(openrel) or {}
    return v
