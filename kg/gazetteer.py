"""World-knowledge gazetteer: countries, cities, organisations, government bodies, persons.

The data lives in ``data/gazetteer/`` (see ``data/README.md``) and is produced by
``scripts/build_gazetteer.py`` from openly licensed sources.  This module only loads it:
nothing happens at import time, and nothing here needs spaCy.

Lookup keys are built by :func:`norm_key`.  The key keeps the case of short all-caps
tokens (acronyms such as ``US``, ``WHO``, ``IT``) and case-folds everything else, so the
acronym ``US`` never matches the English word ``us``, while ``Russia``/``russia``/``RUSSIA``
all meet.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from kg import paths

__all__ = ["GazEntry", "Gazetteer", "get_gazetteer", "norm_key"]


@dataclass(frozen=True)
class GazEntry:
    id: str
    name: str
    type: str  # "Country" | "City" | "Organization" | "Person"
    qid: str | None = None
    country: str | None = None  # ISO3 of the country it belongs to
    aliases: tuple[str, ...] = ()
    seat_of_state: bool = False
    roles: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # a country's ISO 3166 codes


# ---------------------------------------------------------------------------------------
# normalisation

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",  # left single quotation mark
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2032": "'",  # prime
        "\u00b4": "'",  # acute accent
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        ".": None,  # U.S. -> US, U.S.A. -> USA, St. Louis -> St Louis
    }
)

#: longest all-caps token whose case is kept (an acronym such as "DPRK", "NATO", "OPEC")
ACRONYM_MAX = 5


def _strip_accents(s: str) -> str:
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _is_acronym(token: str) -> bool:
    """An all-caps token of 2..5 characters with at least one letter ("US", "G-7", "UK")."""
    return 2 <= len(token) <= ACRONYM_MAX and token.isupper()


def norm_key(surface: str) -> str:
    """Normalise a surface form into a lookup key.

    NFKC; curly quotes to straight; no dots; spaces collapsed; a leading "the " and a
    trailing possessive "'s"/"'" removed; accents removed; case-folded, except all-caps
    tokens of at most 5 characters, which keep their case (acronyms).

    >>> norm_key("the U.S.'s"), norm_key("us"), norm_key("Côte d’Ivoire")
    ('US', 'us', "cote d'ivoire")
    """
    s = surface if surface.isascii() else unicodedata.normalize("NFKC", surface)
    s = " ".join(s.translate(_TRANSLATE).split())
    if s[:4].lower() == "the ":
        s = s[4:].lstrip()
    if s.endswith(("'s", "'S")):
        s = s[:-2]
    elif s.endswith("'"):
        s = s[:-1]
    s = _strip_accents(s.strip())
    return " ".join([t if _is_acronym(t) else t.casefold() for t in s.split()])


def _is_code_of(surface: str, entry: GazEntry) -> bool:
    """``surface`` is one of the country's ISO codes, dotted or not ("BT", "B.T.", "BTN")."""
    plain = surface.replace(".", "")
    return plain.isupper() and plain in entry.codes


def _all_caps(surface: str) -> bool:
    letters = [c for c in surface if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


# ---------------------------------------------------------------------------------------
# loading

# When two entries share a key, the lower rank wins.
_RANK = {"country": 0, "org": 1, "gov": 2, "city": 3, "person": 4}


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _tuple(value) -> tuple[str, ...]:
    return tuple(value) if value else ()


class Gazetteer:
    """In-memory indexes over the gazetteer files.  Build one with :meth:`load`.

    ``entries`` are (category, entry) pairs, category one of ``"country"``, ``"org"``,
    ``"gov"`` (hand-curated government bodies), ``"city"``, ``"person"``; when two entries
    share a lookup key the earlier category in that list wins.  ``demonyms`` maps a demonym
    to an ISO3 code; ``capitals`` holds the ids of the capital cities.
    """

    def __init__(
        self,
        entries: Iterable[tuple[str, GazEntry]] = (),
        demonyms: Mapping[str, str] | None = None,
        capitals: Iterable[str] = (),
        news_codes: Iterable[str] | None = None,
    ):
        capital_ids = frozenset(capitals)
        # ISO codes of countries that news does not write for the country ("BT", "IE", "MDA"):
        # kept apart from names (:meth:`code_country`); None keeps every code a name
        keep_codes = None if news_codes is None else frozenset(c.upper() for c in news_codes)
        self._codes: dict[str, GazEntry] = {}
        self.entries: list[GazEntry] = []
        self._by_id: dict[str, GazEntry] = {}
        self._by_key: dict[str, tuple[int, GazEntry]] = {}
        self._countries: dict[str, GazEntry] = {}
        self._capitals: dict[str, GazEntry] = {}
        self._seats: dict[str, GazEntry] = {}
        for category, entry in entries:
            rank = _RANK[category]
            self.entries.append(entry)
            self._by_id.setdefault(entry.id, entry)
            if category == "country":
                self._countries[entry.id] = entry
            for surface in (entry.name, *entry.aliases):
                key = norm_key(surface)
                if not key:
                    continue
                if keep_codes is not None and category == "country" and surface != entry.name \
                        and _is_code_of(surface, entry) and surface.replace(".", "").upper() not in keep_codes:
                    self._codes.setdefault(key, entry)
                    continue
                old = self._by_key.get(key)
                if old is None or rank < old[0]:
                    self._by_key[key] = (rank, entry)
                if category == "city" and entry.id in capital_ids:
                    self._capitals.setdefault(key, entry)
                elif category == "gov" and entry.seat_of_state:
                    self._seats.setdefault(key, entry)
        self._demonyms: dict[str, GazEntry] = {}
        for word, iso3 in (demonyms or {}).items():
            country = self._countries.get(iso3)
            key = norm_key(word)
            if country is not None and key:
                self._demonyms.setdefault(key, country)

    # -- construction ------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | None = None) -> "Gazetteer":
        """Read the gazetteer files of ``directory`` (default ``<data_dir>/gazetteer``).

        A missing file is skipped, so a partial directory still loads."""
        d = Path(directory) if directory is not None else paths.data_dir() / "gazetteer"
        entries: list[tuple[str, GazEntry]] = []
        demonyms: dict[str, str] = {}
        capitals: set[str] = set()

        for row in _read_jsonl(d / "countries.jsonl"):
            iso3 = row["id"]
            entries.append(("country", GazEntry(iso3, row["name"], "Country", row.get("qid"), iso3,
                                                _tuple(row.get("aliases")), codes=tuple(
                                                    c for c in (row.get("iso2"), row.get("iso3")) if c))))
            for word in row.get("demonyms") or ():
                demonyms.setdefault(word, iso3)

        for row in _read_jsonl(d / "organizations.jsonl"):
            entries.append(("org", GazEntry(row["id"], row["name"], "Organization", row.get("qid"),
                                            row.get("country"), _tuple(row.get("aliases")))))

        gov = d / "government_bodies.csv"
        if gov.exists():
            with gov.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    entries.append(("gov", GazEntry(
                        "gov:" + slug(row["name"]), row["name"], row.get("type") or "Organization",
                        row.get("qid") or None, row.get("country") or None,
                        tuple(a for a in (row.get("aliases") or "").split("|") if a),
                        seat_of_state=(row.get("seat_of_state") or "").strip().lower() == "true",
                    )))

        for row in _read_jsonl(d / "cities.jsonl"):
            entries.append(("city", GazEntry(row["id"], row["name"], "City", row.get("qid"),
                                             row.get("country"), _tuple(row.get("aliases")))))
            if row.get("capital"):
                capitals.add(row["id"])

        for row in _read_jsonl(d / "persons.jsonl"):
            entries.append(("person", GazEntry(
                row.get("id") or "person:" + slug(row["name"]), row["name"], "Person", row.get("qid"),
                row.get("country"), _tuple(row.get("aliases")), roles=_tuple(row.get("roles")),
            )))

        from .names import entity_words

        ew = entity_words()
        # well-known aliases and other spellings of the names (data/entities.yaml)
        entries = [(cat, dataclasses.replace(e, aliases=tuple(dict.fromkeys((*e.aliases, *extra)))))
                   if (extra := ew.other_names(e.name)) else (cat, e) for cat, e in entries]
        return cls(entries, demonyms, capitals, ew.country_codes)

    # -- queries -----------------------------------------------------------------------

    @staticmethod
    def _find(index: Mapping[str, object], surface: str):
        if not surface:
            return None
        key = norm_key(surface)
        hit = index.get(key)
        if hit is None and _all_caps(surface) and key != key.casefold():
            # a headline in capitals ("NEW YORK", "RUSSIA"): try the case-folded key too
            hit = index.get(key.casefold())
        return hit

    def lookup(self, surface: str) -> GazEntry | None:
        """Any name or alias of a country, organisation, government body, city or person.

        Countries beat organisations beat government bodies beat cities beat persons."""
        hit = self._find(self._by_key, surface)
        return hit[1] if hit else None

    def code_country(self, surface: str) -> GazEntry | None:
        """The country whose ISO code ``surface`` is ("BT" -> Bhutan), for a code that news does
        not write for the country and :meth:`lookup` therefore does not know: the resolver
        takes it only where the text means a place."""
        if not surface:
            return None
        return self._codes.get(norm_key(surface))

    def get(self, entry_id: str) -> GazEntry | None:
        """The entry with this id (``"USA"``, ``"org:united-nations"``, ``"city:moscow"``)."""
        return self._by_id.get(entry_id)

    def country(self, iso3: str) -> GazEntry | None:
        """The country with this ISO 3166-1 alpha-3 code (Kosovo: ``"UNK"``)."""
        return self._countries.get((iso3 or "").upper())

    def demonym(self, word: str) -> GazEntry | None:
        """``"Chinese"``, ``"Ukrainian"``, ``"Americans"`` -> the country."""
        return self._find(self._demonyms, word)

    def capital_of(self, city: str) -> GazEntry | None:
        """``"Beijing"`` -> China (capital cities only)."""
        hit = self._find(self._capitals, city)
        return self.country(hit.country) if hit is not None and hit.country else None

    def seat_of(self, name: str) -> GazEntry | None:
        """``"the Kremlin"`` -> Russia: bodies whose name stands for the state in news."""
        hit = self._find(self._seats, name)
        return self.country(hit.country) if hit is not None and hit.country else None

    def __len__(self) -> int:
        return len(self.entries)


def slug(text: str) -> str:
    """The slug of a gazetteer id (``"gov:white-house"``): accents removed, lower case, every run
    of other characters one dash. scripts/build_gazetteer.py makes the ids of the data files with
    it. (IRIs have their own, :func:`kg.rdf.slug`: ASCII-folded, capped in length.)"""
    s = _strip_accents(unicodedata.normalize("NFKC", text)).lower()
    out, dash = [], False
    for c in s:
        if c.isascii() and c.isalnum():
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


@functools.lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The gazetteer of the default data directory, loaded once."""
    return Gazetteer.load()
