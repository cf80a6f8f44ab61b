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
import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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
    return (
        2 <= len(token) <= ACRONYM_MAX
        and token.upper() == token
        and any(c.isalpha() for c in token)
    )


def norm_key(surface: str) -> str:
    """Normalise a surface form into a lookup key.

    NFKC; curly quotes to straight; no dots; spaces collapsed; a leading "the " and a
    trailing possessive "'s"/"'" removed; accents removed; case-folded, except all-caps
    tokens of at most 5 characters, which keep their case (acronyms).

    >>> norm_key("the U.S.'s"), norm_key("us"), norm_key("Côte d’Ivoire")
    ('US', 'us', "cote d'ivoire")
    """
    s = unicodedata.normalize("NFKC", surface).translate(_TRANSLATE)
    s = " ".join(s.split())
    if s[:4].lower() == "the ":
        s = s[4:].lstrip()
    if s.endswith(("'s", "'S")):
        s = s[:-2]
    elif s.endswith("'"):
        s = s[:-1]
    s = _strip_accents(s.strip())
    return " ".join(t if _is_acronym(t) else t.casefold() for t in s.split())


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
    """In-memory indexes over the gazetteer files.  Build with :meth:`load`."""

    def __init__(self, entries: list[tuple[str, GazEntry]], demonyms: dict[str, str]):
        """``entries``: (category, entry) pairs, category one of ``_RANK``'s keys;
        ``demonyms``: demonym -> ISO3."""
        self.entries: list[GazEntry] = [e for _, e in entries]
        self._by_key: dict[str, tuple[int, GazEntry]] = {}
        self._countries: dict[str, GazEntry] = {}
        self._cities: dict[str, GazEntry] = {}  # capital cities only
        self._seats: dict[str, GazEntry] = {}  # seat_of_state government bodies
        for category, entry in entries:
            rank = _RANK[category]
            if category == "country":
                self._countries[entry.id] = entry
            for surface in (entry.name, *entry.aliases):
                key = norm_key(surface)
                if not key:
                    continue
                old = self._by_key.get(key)
                if old is None or rank < old[0]:
                    self._by_key[key] = (rank, entry)
                if category == "city" and entry.id in self._capital_ids:
                    self._cities.setdefault(key, entry)
                if category == "gov" and entry.seat_of_state:
                    self._seats.setdefault(key, entry)
        self._demonyms: dict[str, GazEntry] = {}
        for word, iso3 in demonyms.items():
            entry = self._countries.get(iso3)
            key = norm_key(word)
            if entry is not None and key:
                self._demonyms.setdefault(key, entry)

    _capital_ids: frozenset[str] = frozenset()

    # -- construction ------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | None = None) -> "Gazetteer":
        """Read every gazetteer file in ``directory`` (default ``<data_dir>/gazetteer``)."""
        d = Path(directory) if directory is not None else paths.data_dir() / "gazetteer"
        entries: list[tuple[str, GazEntry]] = []
        demonyms: dict[str, str] = {}
        capital_ids: set[str] = set()

        for row in _read_jsonl(d / "countries.jsonl"):
            aliases = [*row.get("aliases", ())]
            entries.append(
                ("country", GazEntry(row["id"], row["name"], "Country", row.get("qid"), row["id"],
                                     _tuple(aliases)))
            )
            for dem in row.get("demonyms", ()):
                demonyms.setdefault(dem, row["id"])

        for row in _read_jsonl(d / "organizations.jsonl"):
            entries.append(
                ("org", GazEntry(row["id"], row["name"], "Organization", row.get("qid"),
                                 row.get("country"), _tuple(row.get("aliases"))))
            )

        gov_path = d / "government_bodies.csv"
        if gov_path.exists():
            with gov_path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    aliases = tuple(a for a in (row.get("aliases") or "").split("|") if a)
                    entries.append(
                        ("gov", GazEntry(
                            "gov:" + _slug(row["name"]) + (("-" + row["country"].lower()) if row.get("country") else ""),
                            row["name"], row.get("type") or "Organization", row.get("qid") or None,
                            row.get("country") or None, aliases,
                            (row.get("seat_of_state") or "").strip().lower() == "true"))
                    )

        for row in _read_jsonl(d / "cities.jsonl"):
            entry = GazEntry(row["id"], row["name"], "City", row.get("qid"), row.get("country"),
                             _tuple(row.get("aliases")))
            if row.get("capital"):
                capital_ids.add(entry.id)
            entries.append(("city", entry))

        for row in _read_jsonl(d / "persons.jsonl"):
            entries.append(
                ("person", GazEntry(row.get("id") or "person:" + _slug(row["name"]), row["name"], "Person",
                                    row.get("qid"), row.get("country"), _tuple(row.get("aliases")),
                                    roles=_tuple(row.get("roles"))))
            )

        self = cls.__new__(cls)
        self._capital_ids = frozenset(capital_ids)
        cls.__init__(self, entries, demonyms)
        return self

    # -- queries -----------------------------------------------------------------------

    def _get(self, index: dict[str, object], surface: str):
        if not surface:
            return None
        key = norm_key(surface)
        hit = index.get(key)
        if hit is None and _all_caps(surface) and key != key.casefold():
            # a headline in capitals ("NEW YORK", "RUSSIA"): try the case-folded key
            hit = index.get(key.casefold())
        return hit

    def lookup(self, surface: str) -> GazEntry | None:
        """Any name or alias of a country, organisation, government body, city or person."""
        hit = self._get(self._by_key, surface)
        return hit[1] if hit else None

    def country(self, iso3: str) -> GazEntry | None:
        return self._countries.get((iso3 or "").upper())

    def demonym(self, word: str) -> GazEntry | None:
        """"Chinese", "Ukrainian", "Americans" -> the country."""
        return self._get(self._demonyms, word)

    def capital_of(self, city: str) -> GazEntry | None:
        """"Beijing" -> China (capital cities only)."""
        hit = self._get(self._cities, city)
        return self.country(hit.country) if hit and hit.country else None

    def seat_of(self, name: str) -> GazEntry | None:
        """"the Kremlin" -> Russia: bodies whose name stands for the state in news."""
        hit = self._get(self._seats, name)
        return self.country(hit.country) if hit and hit.country else None

    def __len__(self) -> int:
        return len(self.entries)


def _slug(text: str) -> str:
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
