"""Entity names: the identity of an entity, and what a name and its context say about its type.

An entity's **identity** decides its node: the IRI is minted from it (:func:`kg.rdf.mint`), never
from its type, so two mentions that spaCy labels differently ("Windows" as a place and as an
organisation) are one node, whose type is then decided from the evidence (:mod:`kg.resolve`
within an article, the summary graph across articles). An identity is ``"<kind>:<value>"``:

* an entry of the gazetteer: its id (``country:usa``, ``city:amman``, ``org:european-union``,
  ``gov:white-house``, ``person:vladimir-putin``): a person whose surname is a capital never
  meets the capital, whatever the names;
* a proper name: ``entity:<name key>``, the name case-folded, without accents, punctuation or
  the legal form of a company (``eBay`` = ``Ebay``, ``George W. Bush`` = ``George W Bush``,
  ``Apple Inc.`` = ``Apple``);
* a common noun phrase (no capital letter: "ceasefire", "missile strike"): ``concept:<phrase>``.

The words are data (data/entities.yaml): legal suffixes, the words of a name and of its context
that say organisation, place, event or person, titles that are not part of a name, social
networks, the country codes news writes for countries. Nothing here needs spaCy.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import paths

ENTITY, CONCEPT = "entity", "concept"
#: the identity kind of a gazetteer entry, by its type (other types: their id's own prefix)
_GAZ_KIND = {"Country": "country"}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    """Lower case, accents removed, apostrophes and dots dropped ("U.S." -> "us", "Côte d'Ivoire"
    -> "cote divoire")."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"['’.`´]", "", s.casefold())


def words(text: str) -> list[str]:
    """The words of a name, folded (:func:`_fold`), without punctuation."""
    return _WORD.findall(_fold(text))


def _phrases(items) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(words(str(x))) for x in items or () if words(str(x)))


@dataclass(frozen=True)
class EntityWords:
    """The word lists of data/entities.yaml, as sets of word tuples."""

    legal_suffixes: frozenset[str]
    name_last: dict[str, frozenset[tuple[str, ...]]]  # type -> phrases ending a name
    name_first: dict[str, frozenset[tuple[str, ...]]]  # type -> phrases starting a name
    designators: frozenset[str]  # of organisations
    place_designators: frozenset[str]
    state_words: frozenset[str]
    context_before: dict[str, frozenset[tuple[str, ...]]]
    context_after: dict[str, frozenset[tuple[str, ...]]]
    context_after_possessive: dict[str, frozenset[tuple[str, ...]]]
    apposition: dict[str, frozenset[str]]
    name_titles: frozenset[tuple[str, ...]]
    social_networks: frozenset[tuple[str, ...]]
    country_codes: frozenset[str]  # upper case, as written
    venue_prepositions: frozenset[str]
    venue_nouns: frozenset[str]
    determiners: frozenset[str]
    surname_prefixes: frozenset[str]
    spellings: dict[str, str] = None  # a word's other spelling -> the one of identities
    aliases: dict[str, str] = None  # the key of a well-known alias -> the key of its entity's name
    alias_names: dict[str, tuple[str, ...]] = None  # an entity's name -> its well-known aliases

    @classmethod
    def load(cls, path: Path | None = None) -> EntityWords:
        path = path or paths.data_dir() / "entities.yaml"
        with open(path, encoding="utf-8") as f:
            d = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader (libyaml)

        def by_type(section: dict, part: str) -> dict[str, frozenset[tuple[str, ...]]]:
            return {t: _phrases((v or {}).get(part)) for t, v in (section or {}).items()}

        return cls(
            legal_suffixes=frozenset(w for p in _phrases(d.get("legal_suffixes")) for w in p),
            name_last=by_type(d.get("name_words"), "last"),
            name_first=by_type(d.get("name_words"), "first"),
            designators=frozenset(w for p in _phrases((d.get("short_form_designators") or {}).get("organization"))
                                  for w in p),
            place_designators=frozenset(w for p in _phrases((d.get("short_form_designators") or {}).get("place"))
                                        for w in p),
            state_words=frozenset(str(w).lower() for w in d.get("state_words") or ()),
            context_before=by_type(d.get("context"), "before"),
            context_after=by_type(d.get("context"), "after"),
            context_after_possessive=by_type(d.get("context"), "after_possessive"),
            apposition={t: frozenset(" ".join(p) for p in _phrases(v)) for t, v in (d.get("apposition") or {}).items()},
            name_titles=_phrases(d.get("name_titles")),
            social_networks=_phrases(d.get("social_networks")),
            country_codes=frozenset(str(c).upper() for c in d.get("country_codes_in_news") or ()),
            venue_prepositions=frozenset(str(w).lower() for w in d.get("venue_prepositions") or ()),
            venue_nouns=frozenset(str(w).lower() for w in d.get("venue_nouns") or ()),
            determiners=frozenset(str(w).lower() for w in d.get("name_determiners") or ()),
            surname_prefixes=frozenset(str(w).lower() for w in d.get("surname_prefixes") or ()),
            spellings={str(k).lower(): str(v).lower() for k, v in (d.get("spelling_variants") or {}).items()},
            alias_names={str(k): tuple(str(a) for a in v or ()) for k, v in (d.get("aliases") or {}).items()},
        )._with_alias_keys()

    def _with_alias_keys(self) -> EntityWords:
        """The alias index, from ``alias_names`` (keys need the other lists)."""
        keys = {}
        for name, aliases in self.alias_names.items():
            for a in aliases:
                keys.setdefault(self._plain_key(a), self._plain_key(name))
        object.__setattr__(self, "aliases", keys)
        return self

    # ---------------------------------------------------------------- names
    def name_type(self, name: str) -> str | None:
        """The type the words of a name give it ("Saha Airlines" -> Organization, "Typhoon
        Phanfone" -> Event), from its last words first, then its first words; None if they say
        nothing. A one-word name says nothing (a company called "Group" is rare, a surname
        "Post" is not)."""
        ws = words(name)
        if len(ws) < 2:
            return None
        for n in (2, 1):
            tail = tuple(ws[-n:])
            for t, phrases in self.name_last.items():
                if tail in phrases:
                    return t
        for n in (2, 1):
            head = tuple(ws[:n])
            for t, phrases in self.name_first.items():
                if head in phrases:
                    return t
        return None

    def no_person_shape(self, name: str) -> bool:
        """A one-word name with a capital inside that no surname has ("SpaceX", "eBay"; not
        "McCain", "DiCaprio")."""
        if " " in name or not name.isalpha():
            return False
        inner = [i for i, c in enumerate(name) if c.isupper() and i > 0]
        if not inner:
            return False
        return name[:inner[0]].lower() not in self.surname_prefixes

    def _plain_key(self, name: str) -> str:
        ws = [self.spellings.get(w, w) for w in words(name)]
        while len(ws) > 1 and ws[-1] in self.legal_suffixes:
            ws.pop()
        if ws and ws[0] == "the" and len(ws) > 1:
            ws = ws[1:]
        return " ".join(ws)

    def key(self, name: str) -> str:
        """The key of a proper name: folded words in one spelling, without the legal form at its
        end ("Apple Inc." -> "apple", "Chrysler Holding LLC" -> "chrysler", "World Health
        Organisation" -> "world health organization"); a well-known alias has its entity's key
        ("EU Commission" -> "european commission")."""
        k = self._plain_key(name)
        return self.aliases.get(k, k)

    def other_names(self, name: str) -> tuple[str, ...]:
        """The names a gazetteer entry called ``name`` is also written as: its well-known aliases
        and its words in their other spellings ("World Health Organisation")."""
        out = list(self.alias_names.get(name, ()))
        back: dict[str, list[str]] = {}
        for variant, canon in self.spellings.items():
            back.setdefault(canon, []).append(variant)
        ws = name.split()
        for i, w in enumerate(ws):
            low = w.lower()
            for other in [*back.get(low, ()), *([self.spellings[low]] if low in self.spellings else ())]:
                out.append(" ".join([*ws[:i], other.capitalize() if w[:1].isupper() else other, *ws[i + 1:]]))
        return tuple(dict.fromkeys(a for a in out if a != name))

    def is_social_network(self, name: str) -> bool:
        return tuple(words(name)) in self.social_networks

    def title_length(self, lowered: list[str], i: int) -> int:
        """The number of words of a name title ("archbishop", "lieutenant colonel") at ``i``."""
        for n in (2, 1):
            if tuple(w.rstrip(".") for w in lowered[i:i + n]) in self.name_titles and i + n <= len(lowered):
                return n
        return 0

    def context_type(self, before: list[str], after: list[str], possessive: bool = False) -> str | None:
        """The type the words around a name give it: ``before`` the (lower-cased) words before
        it, nearest last; ``after`` the words after it, nearest first (after its "'s" when
        ``possessive``)."""
        for t, phrases in (self.context_after_possessive if possessive else self.context_after).items():
            for n in (3, 2, 1):
                if len(after) >= n and tuple(after[:n]) in phrases:
                    return t
        for t, phrases in self.context_before.items():
            for n in (3, 2, 1):
                if len(before) >= n and tuple(before[-n:]) in phrases:
                    return t
        return None

    def apposition_type(self, noun: str) -> str | None:
        """The type of a name whose apposition has this head noun ("a company" -> Organization)."""
        low = noun.lower()
        for t, nouns in self.apposition.items():
            if low in nouns:
                return t
        return None

    def only_designators(self, extra: list[str], place: bool = True) -> bool:
        """Whether the words a short form leaves out are all designators ("Airlines", "Capital
        Management"; "International Airport" too when ``place``)."""
        allowed = self.designators | self.place_designators if place else self.designators
        return bool(extra) and all(w in allowed for w in extra)


@functools.lru_cache(maxsize=1)
def entity_words() -> EntityWords:
    """The word lists of the default data directory, loaded once."""
    return EntityWords.load()


# ---------------------------------------------------------------- identities
def gazetteer_identity(entry) -> str:
    """The identity of a gazetteer entry (``country:usa``, ``city:amman``, ``org:nato``...)."""
    if ":" in entry.id:
        return entry.id
    return f"{_GAZ_KIND.get(entry.type, entry.type.lower())}:{entry.id.lower()}"


def is_common_noun(label: str) -> bool:
    """A label without a capital letter ("ceasefire", "missile strike"): a concept's."""
    return not any(c.isupper() for c in label)


def name_identity(label: str) -> str:
    """The identity of an entity known only by its name (:meth:`EntityWords.key`)."""
    if is_common_noun(label):
        return f"{CONCEPT}:{' '.join(words(label)) or label.strip().lower()}"
    return f"{ENTITY}:{entity_words().key(label) or label.strip()}"
