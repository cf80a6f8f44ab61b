#!/usr/bin/env python3
"""Build the world-knowledge gazetteer in ``data/gazetteer/`` from openly licensed sources.

Usage::

    .venv/bin/python scripts/build_gazetteer.py [--sources ../shared/sources] [--out data/gazetteer]

Sources (see ``<sources>/README.md`` for their formats and pitfalls, ``data/README.md`` for
licences):

* ``countries/countries.json`` (mledoze/countries, ODbL 1.0): names, codes, capitals, demonyms
* ``etl/regions.codes.csv`` (owid/etl, MIT): Wikidata QIDs, joined on ISO3
* ``CountryInfo-1/CountryInfo.140728.txt`` (MIT): name variants, nationality words, capitals,
  major cities, leaders and ministers with office titles and dates
* ``petrarch2/Phoenix.Countries.actors.txt`` (MIT): more name variants, dated leader codes
* ``petrarch2/Phoenix.International.actors.txt`` (MIT): intergovernmental organisations
* ``Country-Codes-and-International-Organizations/CountrycodesOrgs.csv`` (MIT): organisations

Outputs (deterministic: sorted, UTF-8, LF): ``countries.jsonl``, ``cities.jsonl``,
``organizations.jsonl``, ``persons.jsonl``; ``government_bodies.csv`` is hand-curated and
checked in: the script validates it and writes it back in canonical order.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import difflib
import io
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.gazetteer import ACRONYM_MAX as ACRONYM_MAX_CASED  # noqa: E402
from kg.gazetteer import norm_key  # noqa: E402  (the loader's key function: one definition)
from kg.gazetteer import slug  # noqa: E402  (the loader's id slug: one definition)

DEFAULT_SOURCES = ROOT.parent / "shared" / "sources"
DEFAULT_OUT = ROOT / "data" / "gazetteer"
CURATED_GOV = ROOT / "data" / "gazetteer" / "government_bodies.csv"

# source folder -> name of its licence in <out>/LICENSES/
LICENCE_FILES = {
    "countries": "countries-ODbL-1.0.txt",
    "etl": "owid-etl-MIT.txt",
    "CountryInfo-1": "CountryInfo-MIT.txt",
    "petrarch2": "petrarch2-MIT.txt",
    "Country-Codes-and-International-Organizations": "CountrycodesOrgs-MIT.txt",
}

# Kosovo carries a different code in every source (see the sources README).
ISO3_SYNONYMS = {"KSV": "UNK", "XKX": "UNK", "KOS": "UNK"}
# countries.json's common name where English-language news writes another one
NAME_OVERRIDES = {"TUR": "Turkey"}
# etl has no QID for Kosovo (OWID_KOS); Q1246 is Wikidata's item "Kosovo".
QID_OVERRIDES = {"UNK": "Q1246"}

# ISO codes that are not aliases: in capitals they are more often an English word ("IS",
# "IT", "ARE", "CAN"), a US state ("CA", "DE", "PA"), or another acronym ("AI", "PM", "MP",
# "TV", "SA"), and the key keeps their case, so only all-caps text could match them anyway.
# (Codes that are an organisation's acronym, "AU", "NAM", are dropped too; see main.)
CODE_STOP = {
    # ISO 3166-1 alpha-2
    "AD", "AI", "AL", "AM", "AR", "AS", "AT", "AZ", "BA", "BE", "BY", "CA", "CD", "CM", "CO", "CV",
    "DE", "DO", "ER", "FM", "GA", "GM", "HR", "ID", "IL", "IN", "IS", "IT", "KG", "KM", "KY", "LA",
    "MA", "MD", "ME", "MN", "MO", "MP", "MS", "MT", "MY", "NC", "NE", "NO", "PA", "PM", "PR", "PS",
    "SA", "SC", "SD", "SO", "ST", "TM", "TN", "TO", "TV", "VA", "VC",
    "CC", "MG", "ML", "MM", "PG", "PT", "RE",
    # ISO 3166-1 alpha-3
    "AGO", "AND", "ARE", "ARM", "BEN", "BRA", "CAN", "COD", "COG", "COL", "CUB", "DOM", "ESP", "EST",
    "FIN", "FRO", "GAB", "GIN", "GUM", "GUY", "HUN", "JAM", "KEN", "LIE", "MAC", "MAR", "NOR", "PAN",
    "PER", "POL", "PRY", "SEN", "TON", "TUN", "VAT",
}

# Sub-national names that CountryInfo lists among the United Kingdom's "nationality" words:
# as aliases they would merge Scotland etc. into the UK.  Also a few words too common in
# English to be safe aliases of anything.
STOP_ALIASES = {
    "england", "scotland", "wales", "northern ireland", "ulster", "west bank", "gaza", "gaza strip",
    "occupied territories", "occupied palestinian territories", "island", "mann",
    "the", "and", "of", "us", "it", "who", "may", "will", "can", "man",
}

SMALL_WORDS = {"of", "the", "and", "for", "on", "in", "at", "to", "by", "with", "a", "an",
               "de", "du", "des", "da", "do", "dos", "das", "la", "le", "les", "el", "del",
               "y", "et", "e", "von", "van", "der", "den", "ter", "al", "bin", "ibn", "bint"}
ROMAN = re.compile(r"^(?=[IVXLC]+$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
VOWELS = set("AEIOUY")

# words that make an actor-dictionary entry a role description, not a name
ROLE_WORDS = {
    "PRESIDENT", "PRIME", "MINISTER", "SECRETARY", "CHIEF", "HEAD", "DIRECTOR", "CHAIRMAN",
    "CHAIRWOMAN", "CHAIR", "SPOKESMAN", "SPOKESWOMAN", "SPOKESPERSON", "OFFICIAL", "OFFICIALS",
    "ENVOY", "REPRESENTATIVE", "MONITOR", "MONITORS", "PEACEKEEPER", "PEACEKEEPERS",
    "AMBASSADOR", "SPECIAL", "DEPUTY", "ACTING", "FORMER", "LEADER", "CHANCELLOR", "KING",
    "QUEEN", "PRINCE", "PRINCESS", "SHEIKH", "SHEIKHA", "EMIR", "GENERAL", "GEN", "LT",
    "COLONEL", "COL", "MAJOR", "ADMIRAL", "MR", "MRS", "MS", "DR", "SIR", "LORD", "LADY",
    "BARON", "BARONESS", "SENATOR", "SEN", "REP", "GOVERNOR", "MAYOR", "JUDGE", "JUSTICE",
    "SPEAKER", "KANZLER", "BUNDESKANZLER", "PREMIER", "VICE", "VICE-PRESIDENT", "STAFF",
    "EMPLOYEE", "EMPLOYEES", "MEMBER", "MEMBERS", "DELEGATION", "TROOPS", "SOLDIERS",
    "FORCES", "ARMY", "PRESIDENCY", "PRESIDENTIAL", "GOVERNMENT", "SECRETARIAT", "ADMINISTRATION",
    "ELECT", "REGIME", "CABINET", "MINISTRY", "FAMILY", "SUPPORTERS", "CAMP", "AIDE", "AIDES",
}

# words that make an organisation-dictionary entry a person or a role ("UN_SECRETARY_GENERAL")
ORG_ROLE_WORDS = {
    "PRESIDENT", "SECRETARY", "SECRETARY-GENERAL", "CHIEF", "HEAD", "DIRECTOR", "CHAIRMAN",
    "CHAIRWOMAN", "SPOKESMAN", "SPOKESWOMAN", "SPOKESPERSON", "OFFICIAL", "OFFICIALS", "ENVOY",
    "REPRESENTATIVE", "MONITOR", "MONITORS", "PEACEKEEPER", "PEACEKEEPERS", "AMBASSADOR", "DEPUTY",
    "ACTING", "FORMER", "LEADER", "MR", "MRS", "MS", "DR", "SIR", "LORD", "LADY", "STAFF",
    "EMPLOYEE", "EMPLOYEES", "MEMBER", "MEMBERS", "DELEGATION", "TROOPS", "SOLDIERS", "RAPPORTEUR",
    "INSPECTOR", "INSPECTORS", "COMMANDER", "EXPERT", "EXPERTS", "WORKER", "WORKERS", "TEAM",
}

# organisation-type words: an IGO actor entry must have one (or be a bare acronym)
ORG_WORDS = {
    "ORGANIZATION", "ORGANISATION", "UNION", "BANK", "FUND", "COUNCIL", "COMMISSION",
    "AGENCY", "ASSOCIATION", "COMMUNITY", "LEAGUE", "NATIONS", "COURT", "TRIBUNAL",
    "PROGRAM", "PROGRAMME", "FORUM", "GROUP", "OFFICE", "INSTITUTE", "COMMITTEE",
    "CONFERENCE", "MOVEMENT", "ALLIANCE", "FEDERATION", "PARLIAMENT", "ASSEMBLY",
    "AUTHORITY", "CENTRE", "CENTER", "CORPORATION", "TREATY", "PACT", "MISSION", "INITIATIVE",
    "PARTNERSHIP", "COOPERATION", "CO-OPERATION", "SYSTEM", "SECRETARIAT", "BUREAU", "BOARD",
    "PANEL", "FACILITY", "AREA", "ZONE", "MARKET", "CLUB", "ACADEMY", "REGISTRY", "CONVENTION",
}

# organisation acronyms of two letters are only kept when this common
TWO_LETTER_ACRONYMS = {"EU", "UN", "AU"}
# documented duplicates in CountrycodesOrgs.csv: dropped id -> kept id
ORG_ID_MERGES = {"AL": "LAS", "EEU": "EAEU", "CAIS": "SICA", "PA": "PACIFIC_ALLIANCE", "USAN": "UNASUR"}
# acronyms that the CSV uses but that would mislead (PA is usually the Palestinian
# Authority, AL/CAIS are not how news writes these organisations)
ORG_ACRONYM_DROP = {"AL", "PA", "CAIS", "USAN", "ENTENTE", "ICC", "ICCT", "C", "UN_SECURITY_COUNCIL", "CAN"}
# acronyms the CSV lacks or gives to another body: news writes "ICC" for the Criminal Court
ORG_EXTRA_ACRONYMS = {"ICCT": ["ICC"], "UN_SECURITY_COUNCIL": ["UNSC", "Security Council"]}
# Phoenix IGO entries whose words mark a sub-unit or a project, not an organisation
PHOENIX_ORG_JUNK = {"PROJECT", "PHILIPPINES", "NETWORK", "BOOK"}
# preferred display names (the most common English long name)
ORG_NAME_PREFERRED = {"LAS": "Arab League", "ILO": "International Labour Organization",
                      "C": "Commonwealth of Nations",
                      "CPLP": "Community of Portuguese Language Countries"}

# words that do not identify a country on their own (for matching Phoenix additions)
GENERIC_NAME_WORDS = {"republic", "state", "states", "united", "islamic", "democratic", "federal",
                      "kingdom", "people's", "peoples", "south", "north", "west", "east", "new", "city",
                      "island", "islands", "saint", "st", "federation", "union", "commonwealth",
                      "arab", "socialist", "popular", "plurinational", "bolivarian", "independent",
                      "territory", "of", "the", "and", "great", "central", "guinea", "congo", "korea",
                      "sudan", "african", "virgin", "samoa"}
# phrases with these words name an institution or a place inside a country, not the country
NOT_COUNTRY_WORDS = ORG_WORDS | {"SUPREME", "PROVINCE", "GOVERNORATE", "SQUARE", "PARK", "VALLEY",
                                 "HEIGHTS", "DISTRICT", "REGION", "AIRPORT", "BASE", "PARTY", "ARMY"}

# spelling variants of one capital ("Kyiv"/"Kiev") are at least this similar
CITY_MIN_RATIO = 0.6
# old or variant city names that are ordinary English words
CITY_STOP = {"moron", "hippo", "meshed", "bale", "canton", "angora", "gent"}


# ---------------------------------------------------------------------------------------
# small text helpers


def is_mojibake(s: str) -> bool:
    return "Ã" in s or "\ufffd" in s or "\x00" in s or "Â" in s


def is_latin(s: str) -> bool:
    for c in s:
        if c.isalpha():
            try:
                if not unicodedata.name(c).startswith("LATIN"):
                    return False
            except ValueError:
                return False
    return True


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def underscore_words(raw: str) -> str:
    """``UNITED_STATES_`` -> ``UNITED STATES`` (actor-dictionary phrase to words)."""
    s = raw.replace("\x00", "").replace("_", " ")
    return " ".join(s.split()).strip(" ,;")


def _title_word(word: str, first: bool, acronyms: set[str]) -> str:
    if not word:
        return word
    up = word.upper()
    low = word.lower()
    if not first and low in SMALL_WORDS:
        return low
    if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?", up):  # U.S., D.C., U.S.A.
        return up
    if re.fullmatch(r"[A-Z]{2}\.", up) and up not in {"ST.", "MT.", "FT.", "DR.", "MR.", "JR.", "SR.", "MS."}:
        return up  # "EE." of "EE. UU."
    if up in acronyms or (not first and ROMAN.match(up) and len(up) <= 4 and up not in {"L", "C", "LI", "DI", "VI"}):
        return up  # an acronym, or a regnal number ("Elizabeth II")
    if "." in word.strip("."):  # "S.KOREAN" -> "S.Korean"
        return ".".join(_title_word(p, first and i == 0, acronyms) for i, p in enumerate(word.split(".")))
    if "-" in word:
        parts = word.split("-")
        out = [_title_word(p, first and i == 0, acronyms) for i, p in enumerate(parts)]
        if not first and out[0].lower() in {"al", "el", "ad", "as", "ash", "an", "ar", "az", "at"} and len(out) > 1:
            out[0] = out[0].lower()
        return "-".join(out)
    m = re.fullmatch(r"([A-Za-z])'([A-Za-z].*)", word)
    if m:
        head = m.group(1).lower() if (m.group(1).lower() in "dl" and not first) else m.group(1).upper()
        return head + "'" + m.group(2).capitalize()
    if len(up) > 3 and up.startswith("MC"):
        return "Mc" + word[2:].capitalize()
    return word[:1].upper() + word[1:].lower()


def title_case(text: str, acronyms: set[str] = frozenset()) -> str:
    """``PEOPLE'S REPUBLIC OF CHINA`` -> ``People's Republic of China``.

    Tokens listed in ``acronyms``, dotted initials and Roman numerals stay upper-case; a
    multi-word phrase keeps vowel-less tokens (``PLA``-style) upper-case too.
    """
    words = text.split()
    out = []
    for i, w in enumerate(words):
        up = w.upper()
        if len(words) > 1 and len(up) >= 2 and up.isalpha() and not (set(up) & VOWELS):
            out.append(up)
        else:
            out.append(_title_word(w, i == 0, acronyms))
    return " ".join(out)


def raw_key(raw: str) -> str:
    """Lookup key of an upper-case actor-dictionary phrase (``MIAMI_`` -> ``miami``)."""
    return norm_key(title_case(underscore_words(raw)))


def initials(name: str, with_small: bool) -> str:
    words = re.split(r"[\s\-]+", name)
    return "".join(w[0].upper() for w in words if w and w[0].isalpha() and (with_small or w.lower() not in SMALL_WORDS))


# ---------------------------------------------------------------------------------------
# dates

def parse_date(raw: str | None, century_cutoff: int = 20) -> str | None:
    """YYYYMMDD or YYMMDD (YY <= cutoff -> 20YY, else 19YY) -> ISO date; junk -> None."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 9:  # "199008223": one stray digit
        digits = digits[:8]
    if len(digits) == 6:
        yy = int(digits[:2])
        digits = ("20" if yy <= century_cutoff else "19") + digits
    if len(digits) != 8:
        return None
    y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not (1800 <= y <= 2100):
        return None
    m = min(max(m, 1), 12)
    d = min(max(d, 1), calendar.monthrange(y, m)[1])
    return f"{y:04d}-{m:02d}-{d:02d}"


def reaches(lo: str | None, hi: str | None, open_end: bool, since: str = "2010-01-01") -> bool:
    return open_end or (hi is not None and hi >= since)


# ---------------------------------------------------------------------------------------
# source readers

@dataclass
class CIRecord:
    """One <Country> block of CountryInfo."""
    code: str = ""
    name: str = ""
    iso2: str = ""
    iso3: str = ""
    nationality: list[str] = field(default_factory=list)
    capital: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    geog: list[str] = field(default_factory=list)
    leaders: list[tuple[str, str]] = field(default_factory=list)  # (office tag, line)
    government: list[tuple[str, str]] = field(default_factory=list)  # (line, title comment)


CI_SECTIONS = {"Nationality": "nationality", "Capital": "capital", "MajorCities": "cities",
               "Regions": "regions", "GeogFeatures": "geog", "Leaders": "leaders",
               "Government": "government", "Comment": None, "Doc": None}


def read_countryinfo(path: Path) -> list[CIRecord]:
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\x00", "")
    end = text.find("-->")
    if text.lstrip().startswith("<!--") and end >= 0:
        text = text[end + 3:]
    records: list[CIRecord] = []
    cur: CIRecord | None = None
    section: str | None = None
    office = ""
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("<Country>"):
            cur, section, office = CIRecord(), None, ""
            continue
        if line.startswith("</Country>"):
            if cur is not None:
                records.append(cur)
            cur, section = None, None
            continue
        if cur is None:
            continue
        if section == "Comment" and not line.startswith("</Comment>"):
            continue
        m = re.match(r"^<([A-Za-z0-9-]+)>(.*?)</\1>", line)
        if m:
            tag, value = m.group(1), m.group(2).split("#")[0].strip()
            if tag == "CountryCode" and not cur.code:
                cur.code = value
            elif tag == "CountryName":
                cur.name = value
            elif tag == "ISO3166-alpha2":
                cur.iso2 = value
            elif tag == "ISO3166-alpha3":
                cur.iso3 = value
            continue
        m = re.match(r"^</([^>]+)>", line)
        if m:
            tag = m.group(1)
            if tag in CI_SECTIONS:
                section, office = None, ""
            elif section == "Leaders":
                office = ""
            continue
        m = re.match(r"^<([^/>][^>]*)>\s*$", line)
        if m:
            tag = m.group(1)
            if tag in CI_SECTIONS:
                section, office = tag, ""
            elif section == "Leaders":
                office = tag
            continue
        if section is None:
            continue
        attr = CI_SECTIONS.get(section)
        if attr is None:
            continue
        if attr == "government":
            body, _, comment = line.partition("#")
            cur.government.append((body.strip(), comment.strip()))
        elif attr == "leaders":
            cur.leaders.append((office, line.split("#")[0].strip()))
        else:
            value = line.split("#")[0].strip()
            if value:
                getattr(cur, attr).append(value)
    return records


@dataclass
class Actor:
    """One record of a PETRARCH actor dictionary."""
    primary: str
    synonyms: list[str] = field(default_factory=list)
    codes: list[tuple[str, str | None, str | None, bool]] = field(default_factory=list)  # code, from, to, open
    comment: str = ""


_CODE_RE = re.compile(r"\[([^\]]*)\]")


def _parse_code(body: str) -> tuple[str, str | None, str | None, bool] | None:
    body = body.strip()
    m = re.match(r"^([A-Za-z-]+)\s*(.*)$", body)
    if not m:
        return None
    code, rest = m.group(1).upper(), m.group(2).strip()
    if not rest:
        return code, None, None, False
    if rest.startswith(">"):
        return code, parse_date(rest[1:]), None, True
    if rest.startswith("<"):
        return code, None, parse_date(rest[1:]), False
    parts = re.split(r"\s*-\s*", rest)
    if len(parts) == 2:
        return code, parse_date(parts[0]), parse_date(parts[1]), False
    return code, None, None, False


def read_actors(path: Path) -> list[Actor]:
    actors: list[Actor] = []
    cur: Actor | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").split("\n"):
        body, _, comment = raw.partition("#")
        if not body.strip():
            continue
        codes = [c for c in (_parse_code(b) for b in _CODE_RE.findall(body)) if c]
        words = _CODE_RE.sub(" ", body)
        if raw[:1] in "\t ":
            if cur is None:
                continue
            cur.codes.extend(codes)
            if comment.strip():
                cur.comment = f"{cur.comment} {comment.strip()}".strip()
            phrase = words.strip().split("\t")[0].strip()
            if phrase:  # malformed continuation line holding a name
                cur.synonyms.append(phrase)
        elif body.startswith("+"):
            if cur is None:
                continue
            phrase = words[1:].strip().split("\t")[0].strip()
            if phrase:
                cur.synonyms.append(phrase)
            cur.codes.extend(codes)
        else:
            phrase = words.strip().split("\t")[0].strip()
            cur = Actor(phrase, [], list(codes), comment.strip())
            actors.append(cur)
    return actors


def read_csv(path: Path) -> list[dict[str, str]]:
    # csv module, not pandas: no NaN for Namibia's "NA"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------------------------------
# countries


@dataclass
class Country:
    iso3: str
    iso2: str
    name: str
    official: str
    qid: str | None
    independent: bool
    area: float
    capitals: list[str]
    primary_names: set[str] = field(default_factory=set)  # keys of name/official
    aliases: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (surface, source rank)
    demonyms: dict[str, tuple[str, int]] = field(default_factory=dict)

    def tiebreak(self) -> tuple:
        return (0 if self.independent else 1, -self.area, self.iso3)


DEMONYM_SUFFIXES = ("an", "ian", "ese", "ish", "i", "ic", "ch", "er", "ot", "iote", "ote", "ene",
                    "ss", "ais", "ois", "on", "man", "woman", "men", "women", "ek", "ik", "kh",
                    "ak", "ki", "ji", "eg", "sh")
NOT_DEMONYM_ENDINGS = ("stan", "land", "istan", "ania")


def demonym_shape(word: str) -> bool:
    """Does the last word end like a demonym ("-ian", "-ese", "-ish", "-i", plural "-ans")?"""
    low = word.lower()
    if "," in low or "(" in low:
        return False
    last = re.split(r"[\s.]+", low.strip(" ."))[-1]
    if last.endswith(NOT_DEMONYM_ENDINGS):
        return False
    if last.endswith(("ans", "is", "ers", "ots", "ons", "ches", "eks", "iks")):  # plural: "Israelis"
        last = last[:-2] if last.endswith("ches") else last[:-1]
    return last.endswith(DEMONYM_SUFFIXES)


DEMONYM_QUALIFIERS = {"north", "south", "east", "west", "new", "s", "n"}


def plural_demonyms(word: str) -> list[str]:
    low = word.lower()
    if low.endswith("man") and len(low) > 7 and not low.endswith(("german", "ottoman")):
        return [word[:-2] + "en"]  # Englishman -> Englishmen
    if low.endswith(("an", "i", "er", "ot", "on", "ino", "ine")):
        return [word + "s"]  # Americans, Israelis, Filipinos, Argentines
    if " " not in low and len(low) <= 6 and low[-1].isalpha() and not low.endswith(("s", "sh", "ch", "x", "z", "o", "u", "a")):
        return [word + "s"]  # Poles, Swedes, Turks, Greeks, Uzbeks
    return []


def ci_iso3(rec: CIRecord, iso3s: set[str], name_index: dict[str, str]) -> str | None:
    """CountryInfo's own ISO fields are unreliable (Guatemala GLP, Japan JON, Israel IL):
    match the name first, then the current CAMEO code, then the ISO field."""
    field_iso = ISO3_SYNONYMS.get(rec.iso3, rec.iso3)
    if rec.iso3 in ("", "---"):
        return None  # entities without an ISO code: Gaza, Republika Srpska, ...
    key = raw_key(rec.name) if rec.name else ""
    if key in name_index:
        return name_index[key]
    brackets = re.findall(r"\[([A-Z]+)\s*([<>]?)[^\]]*\]", rec.code)
    code = ""
    if brackets:
        current = [c for c, op in brackets if op == ">"] or [brackets[-1][0]]
        code = current[-1]
    else:
        m = re.match(r"[A-Z]+", rec.code.strip())
        code = m.group(0) if m else ""
    code = ISO3_SYNONYMS.get(code, code)
    if len(code) == 3 and code in iso3s and code == field_iso:
        return code
    if len(code) == 6 and code[3:] in iso3s and code[:3] in iso3s:
        return code[3:]
    if field_iso in iso3s:
        return field_iso
    return None


def build_countries(src: Path, ci_records: list[CIRecord], phoenix: list[Actor], log,
                    stop_codes: set[str] = frozenset()
                    ) -> tuple[dict[str, Country], dict[str, CIRecord], set[str]]:
    """Countries from countries.json, with QIDs, CountryInfo and Phoenix variants.
    ``stop_codes``: upper-case codes that must not become aliases (besides CODE_STOP)."""
    stop_codes = CODE_STOP | set(stop_codes)
    data = json.loads((src / "countries" / "countries.json").read_text(encoding="utf-8"))
    qids = {}
    for row in read_csv(src / "etl" / "regions.codes.csv"):
        if row.get("wikidata_code") and row.get("iso_alpha3"):
            qids[row["iso_alpha3"]] = row["wikidata_code"]
    countries: dict[str, Country] = {}
    for item in data:
        iso3 = item["cca3"]
        c = Country(
            iso3=iso3, iso2=item["cca2"], name=NAME_OVERRIDES.get(iso3, item["name"]["common"]),
            official=item["name"]["official"],
            qid=QID_OVERRIDES.get(iso3) or qids.get(iso3),
            independent=bool(item.get("independent")), area=float(item.get("area") or 0),
            capitals=[x for x in item.get("capital", []) if x],
        )
        c.primary_names = {norm_key(c.name), norm_key(c.official)}
        countries[iso3] = c

        def add(surface: str, rank: int, c=c) -> None:
            surface = " ".join(surface.split())
            if surface and norm_key(surface) not in c.aliases:
                c.aliases[norm_key(surface)] = (surface, rank)

        add(c.official, 0)
        if c.name != item["name"]["common"]:
            add(item["name"]["common"], 0)
        for alt in item.get("altSpellings", []):
            if len(alt) >= 2 and is_latin(alt) and not is_mojibake(alt):
                add(alt, 0)
        for code in (c.iso2, c.iso3):
            if code not in stop_codes:
                add(code, 0)
        for dem in (item.get("demonyms") or {}).get("eng", {}).values():
            if dem:
                c.demonyms.setdefault(norm_key(dem), (dem, 0))

    iso3s = set(countries)
    # Kosovo's other codes as aliases
    for other, iso in ISO3_SYNONYMS.items():
        if iso in countries:
            countries[iso].aliases.setdefault(other, (other, 0))

    name_index: dict[str, str] = {}
    for c in countries.values():
        for key in c.primary_names:
            name_index.setdefault(key, c.iso3)
    for c in countries.values():
        for key, (surface, _) in c.aliases.items():
            if len(surface) > 3:
                name_index.setdefault(key, c.iso3)

    # CountryInfo
    ci_by_iso: dict[str, CIRecord] = {}
    places: set[str] = set()  # keys of every city/region/feature: never country aliases
    for rec in ci_records:
        for v in (*rec.capital, *rec.cities, *rec.regions, *rec.geog):
            places.add(raw_key(v))
        iso = ci_iso3(rec, iso3s, name_index)
        if iso is None:
            continue
        if iso in ci_by_iso:
            log(f"  CountryInfo: second record for {iso} ({rec.name}) ignored")
            continue
        ci_by_iso[iso] = rec

    all_name_keys = set(name_index)

    def acronyms_for(c: Country) -> set[str]:
        acr = {c.iso2, c.iso3}
        for surface, _ in c.aliases.values():
            if len(surface.split()) > 1:
                acr.add(initials(surface, True))
                acr.add(initials(surface, False))
        acr.add(initials(c.name, True))
        acr.add(initials(c.name, False))
        return {a for a in acr if len(a) >= 2}

    def name_words(c: Country) -> set[str]:
        return {w for w in re.split(r"[\s.\-]+", strip_accents(c.name).lower()) if len(w) > 3}

    def stems(c: Country) -> set[str]:
        words = set()
        for s in (c.name, c.official, *(s for s, r in c.aliases.values() if r <= 1), *(s for s, r in c.demonyms.values() if r == 0)):
            words |= set(re.split(r"[\s.\-]+", strip_accents(s).lower()))
        return {w[:4] for w in words if len(w) >= 4 and w not in GENERIC_NAME_WORDS}

    def variant(c: Country, raw: str, rank: int, demonym_ok: bool, alias_ok: bool = True,
                first: bool = False) -> None:
        """Add one CountryInfo/Phoenix phrase as an alias or a demonym of ``c``."""
        if is_mojibake(raw):
            return
        words = underscore_words(raw)
        m = re.search(r"\(([A-Za-z]{2,5})\)", words)
        if m:  # "CHINA_(PRC)": the acronym in brackets, if it is one
            inner = m.group(1).upper()
            if m.group(1).isupper() and (not set(inner) & VOWELS or inner in acronyms_for(c)):
                c.aliases.setdefault(norm_key(inner), (inner, rank))
        if "(" in words or ")" in words or len(words.replace(" ", "")) < 2 or re.search(r",\S", words):
            return
        if not re.search(r"[A-Za-z]", words):
            return
        acr = acronyms_for(c)
        single = " " not in words and "." not in words
        if single and len(words) <= 5 and (not (set(words.upper()) & VOWELS) or words.upper() in acr):
            surface = words.upper()
        elif all(len(w.strip(".")) == 1 for w in words.split()):
            surface = words.upper()  # "U S A"
        else:
            surface = title_case(words, acr)
        key = norm_key(surface)
        low = surface.lower()
        # a truncated name is a demonym noun: "Pole" (Poland), "Swede", "Turk", "Serb"
        short_noun = (demonym_ok and " " not in low and 4 <= len(low) <= 6 and low.isalpha()
                      and any(t.startswith(low[:-1]) and len(low) < len(t) for t in name_words(c)))
        if short_noun and key not in all_name_keys:
            c.demonyms.setdefault(key, (surface, rank))
            return
        if key in all_name_keys or key in c.aliases or not demonym_ok or not demonym_shape(surface):
            if alias_ok:
                c.aliases.setdefault(key, (surface, rank))
            return
        # demonym-shaped: keep only "<qualifier> <stem of a country name>ian"-like words;
        # drop the rest ("Royaume Uni", "Great Britian", "Scotsman", provinces ending in -i)
        toks = re.split(r"[\s.]+", surface.lower().strip(" ."))
        stem_ok = toks[-1][:4] in stems(c) and all(t in DEMONYM_QUALIFIERS for t in toks[:-1])
        if first or stem_ok:
            c.demonyms.setdefault(key, (surface, rank))

    for iso, rec in sorted(ci_by_iso.items()):
        c = countries[iso]
        if rec.name:
            variant(c, rec.name, 1, demonym_ok=False)
        for i, v in enumerate(rec.nationality):
            variant(c, v, 1, demonym_ok=True, first=(i == 0 and demonym_shape(underscore_words(v))))

    # Phoenix country blocks (primary phrase coded with the bare ISO3 or parent+ISO3).  They
    # repeat CountryInfo and add hand-made entries, mostly provinces and towns ("HELMAND",
    # "RAQQA"): keep only demonyms, acronyms of the country, and phrases that contain a word
    # of the country's own names ("AMERICA", "STATE_OF_ISRAEL").
    def name_tokens(c: Country) -> set[str]:
        toks = set()
        for s in (c.name, c.official, *(s for s, r in c.aliases.values() if r <= 1)):
            toks |= set(norm_key(s).replace("-", " ").split())
        return {t for t in toks if len(t) > 2} - GENERIC_NAME_WORDS

    for actor in phoenix:
        iso = None
        for code, lo, hi, open_end in actor.codes:
            code = ISO3_SYNONYMS.get(code, code)
            if len(code) == 3 and code in iso3s:
                iso = code
            elif len(code) == 6 and code[:3] in iso3s and code[3:] in iso3s:
                iso = code[3:]
        if iso is None:
            continue
        c = countries[iso]
        own = name_tokens(c)
        for v in (actor.primary, *actor.synonyms):
            key = raw_key(v)
            if key in places or key in c.aliases or key in c.demonyms or is_mojibake(v):
                continue
            tokens = {t.upper() for t in key.replace("-", " ").split()}
            alias_ok = (v.upper().strip("_") in acronyms_for(c)
                        or bool({t.lower() for t in tokens} & own and not tokens & NOT_COUNTRY_WORDS))
            variant(c, v, 2, demonym_ok=True, alias_ok=alias_ok)

    # --- clean-up across countries -----------------------------------------------------
    # demonyms: one country per demonym (countries.json first, then independence, size)
    owner: dict[str, Country] = {}
    for c in countries.values():
        for key, (surface, rank) in c.demonyms.items():
            best = owner.get(key)
            if best is None or (rank, c.tiebreak()) < (best.demonyms[key][1], best.tiebreak()):
                owner[key] = c
    for c in countries.values():
        for key in list(c.demonyms):
            if owner[key] is not c or (key in all_name_keys and c.demonyms[key][1] > 0):
                del c.demonyms[key]
        for key, (surface, rank) in list(c.demonyms.items()):
            for p in plural_demonyms(surface):
                pk = norm_key(p)
                if pk not in owner and pk not in all_name_keys:
                    c.demonyms.setdefault(pk, (p, rank))
    demonym_keys = {k: c.iso3 for c in countries.values() for k in c.demonyms}

    # aliases: drop junk, demonyms of another country, and names shared by countries
    claims: dict[str, dict[str, int]] = defaultdict(dict)  # key -> iso3 -> rank (-1: its own name)
    for c in countries.values():
        for key, (_, rank) in c.aliases.items():
            claims[key][c.iso3] = rank
        for key in c.primary_names:
            claims[key][c.iso3] = -1
    winner: dict[str, str | None] = {}
    for key, by_iso in claims.items():
        best = min(by_iso.items(), key=lambda kv: (kv[1], countries[kv[0]].tiebreak()))
        tied = [iso for iso, r in by_iso.items() if r == best[1]]
        # equally good claims: a shared name ("Korea", "Congo") names neither country
        winner[key] = best[0] if len(tied) == 1 or best[1] == -1 else None
    def short_noun_of_other(key: str, c: Country) -> bool:
        """"Serb" among Montenegro's variants: a demonym noun of another country."""
        if " " in key or not (4 <= len(key) <= 6) or not key.isalpha():
            return False
        return any(t.startswith(key[:-1]) and len(key) < len(t)
                   for o in countries.values() if o is not c for t in name_words(o))

    dropped = 0
    for c in countries.values():
        for key, (surface, rank) in list(c.aliases.items()):
            bad = (
                len(key) <= 1
                or not surface[0].isalnum()
                or (rank > 0 and short_noun_of_other(key, c))
                or key in STOP_ALIASES
                or key in stop_codes
                or is_mojibake(surface)
                or (key in demonym_keys and demonym_keys[key] != c.iso3)
                or (key in places and key not in c.primary_names and rank > 0)
                or winner.get(key) != c.iso3
            )
            if bad or key in c.demonyms:
                del c.aliases[key]
                dropped += 1
        c.aliases.pop(norm_key(c.name), None)
    log(f"  countries: {dropped} alias candidates dropped (junk, ambiguous or another country's demonym)")
    return countries, ci_by_iso, places


def country_rows(countries: dict[str, Country]) -> list[dict]:
    rows = []
    for iso3 in sorted(countries):
        c = countries[iso3]
        surfaces = {s for s, _ in c.aliases.values()}
        if c.iso2 in c.aliases:
            surfaces.add(".".join(c.iso2) + ".")  # "U.S.", "U.K."-style dotted code
        aliases = sorted(surfaces, key=lambda s: (s.casefold(), s))
        demonyms = sorted({s for s, _ in c.demonyms.values()}, key=lambda s: (s.casefold(), s))
        rows.append({
            "id": c.iso3, "name": c.name, "type": "Country", "official": c.official,
            "aliases": aliases, "demonyms": demonyms, "capitals": c.capitals,
            "iso2": c.iso2, "iso3": c.iso3, "qid": c.qid,
        })
    return rows


# ---------------------------------------------------------------------------------------
# cities


def build_cities(countries: dict[str, Country], ci_by_iso: dict[str, CIRecord], person_first_names: set[str],
                 log) -> list[dict]:
    blocked = set()  # keys of every country name/alias/demonym
    for c in countries.values():
        blocked |= c.primary_names | set(c.aliases) | set(c.demonyms)
        blocked.add(norm_key(c.name))

    # capitals: countries.json names, CountryInfo spellings merged when similar
    cities: dict[str, dict] = {}  # key -> row
    claims: dict[str, set[str]] = defaultdict(set)  # key -> countries naming a major city so
    capital_rows: list[dict] = []
    for iso3 in sorted(countries):
        c = countries[iso3]
        rec = ci_by_iso.get(iso3)
        ci_caps = [title_case(underscore_words(v)) for v in (rec.capital if rec else []) if not is_mojibake(v)]
        for cap in c.capitals:
            row = {"id": "", "name": cap, "type": "City", "country": iso3, "capital": True, "qid": None,
                   "aliases": []}
            for v in ci_caps:
                a, b = strip_accents(v).lower(), strip_accents(cap).lower()
                if norm_key(v) != norm_key(cap) and (difflib.SequenceMatcher(None, a, b).ratio() >= CITY_MIN_RATIO
                                                    or a.startswith(b) or b.startswith(a)):
                    row["aliases"].append(v)
            capital_rows.append(row)
        # CountryInfo capitals unlike every countries.json capital are left out: a former
        # name ("Leopoldville"), a nickname ("City of Light") or a second seat ("La Paz")
    major_rows: list[dict] = []
    for iso3, rec in sorted(ci_by_iso.items()):
        for v in rec.cities:
            if is_mojibake(v):
                continue
            name = title_case(underscore_words(v))
            key = norm_key(name)
            claims[key].add(iso3)
            major_rows.append({"id": "", "name": name, "type": "City", "country": iso3, "capital": False,
                               "qid": None, "aliases": []})

    skipped = defaultdict(int)
    for row in capital_rows:
        keys = [norm_key(row["name"]), *(norm_key(a) for a in row["aliases"])]
        if keys[0] in blocked:
            skipped["same name as a country"] += 1
            continue
        row["aliases"] = [a for a, k in zip(row["aliases"], keys[1:]) if k not in blocked and k not in cities]
        if keys[0] in cities:
            skipped["two capitals of one name"] += 1
            continue
        if " " not in row["name"] and keys[0] in person_first_names and not countries[row["country"]].independent:
            skipped["single word that is also a given name"] += 1
            continue
        for k in keys:
            if k not in blocked:
                cities.setdefault(k, row)
    for row in major_rows:
        key = norm_key(row["name"])
        if key in cities:
            continue  # a capital, or already listed
        if key in CITY_STOP:
            skipped["ordinary English word"] += 1
            continue
        if key in blocked:
            skipped["same name as a country"] += 1
            continue
        if len(claims[key]) > 1:
            skipped["major city named in several countries"] += 1
            continue
        if " " not in row["name"] and key in person_first_names:
            skipped["single word that is also a given name"] += 1
            continue
        cities[key] = row
    rows = {id(r): r for r in cities.values()}.values()
    out, used = [], set()
    for row in sorted(rows, key=lambda r: (slug(r["name"]), r["country"])):
        cid = "city:" + slug(row["name"])
        if cid in used:
            cid += "-" + row["country"].lower()
        used.add(cid)
        row["id"] = cid
        row["aliases"] = sorted(set(row["aliases"]), key=str.casefold)
        out.append({k: row[k] for k in ("id", "name", "type", "country", "capital", "aliases", "qid")})
    for why, n in sorted(skipped.items()):
        log(f"  cities: skipped {n} ({why})")
    return sorted(out, key=lambda r: r["id"])


# ---------------------------------------------------------------------------------------
# organisations


def real_acronym(acr: str, name: str) -> bool:
    """Is ``acr`` made of the initials of ``name`` (a subsequence of them)?  "OPEC" for
    "Organization of Petroleum Exporting Countries" yes, "UNSCR" for "UN Security Council" no."""
    letters = [c for c in acr.upper() if c.isalpha()]
    inits = initials(name, True)
    it = iter(inits)
    return len(letters) >= 2 and letters[0] == inits[:1] and all(ch in it for ch in letters)


_NUMBER_WORDS = {"three": "3", "five": "5", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
                 "eleven": "11", "fifteen": "15", "twenty": "20", "seventy seven": "77",
                 "seventy-seven": "77", "twenty four": "24", "twenty-four": "24"}
_SPELLING = {"organisation": "organization", "programme": "program", "labour": "labor",
             "centre": "center", "defence": "defense", "co-operation": "cooperation",
             "telecommunications": "telecommunication", "inter governmental": "intergovernmental",
             "inter-governmental": "intergovernmental", "un ": "united nations ", "south east": "southeast",
             "non aligned": "nonaligned", "non-aligned": "nonaligned", "conferences": "conference"}


def loose_key(name: str) -> str:
    """Spelling-insensitive key for merging organisation names (British/US spelling,
    hyphens, "UN" for "United Nations", number words)."""
    s = strip_accents(name).lower().replace("–", "-")
    s = re.sub(r"^the ", "", s)
    for a, b in {**_SPELLING, **_NUMBER_WORDS}.items():
        s = re.sub(r"(?<![a-z])" + re.escape(a.strip()) + r"(?![a-z])", b.strip(), s) if a.strip() else s
    return re.sub(r"[^a-z0-9]+", "", s)


def build_organizations(src: Path, intl: list[Actor], log) -> list[dict]:
    orgs: dict[str, dict] = {}  # org id -> {"name", "aliases": set, "ids": set}
    for row in read_csv(src / "Country-Codes-and-International-Organizations" / "CountrycodesOrgs.csv"):
        raw_id = row["org_id"].strip()
        oid = ORG_ID_MERGES.get(raw_id, raw_id)
        name = " ".join(row["org_name"].split())
        if not oid or not name:
            continue
        o = orgs.setdefault(oid, {"name": ORG_NAME_PREFERRED.get(oid, name), "aliases": set(), "ids": set()})
        o["ids"].add(raw_id)
        if name != o["name"]:
            o["aliases"].add(name)
    for oid, o in orgs.items():
        for extra in ORG_EXTRA_ACRONYMS.get(oid, ()):
            o["aliases"].add(extra)
        for raw in sorted(o["ids"]):
            if raw in ORG_ACRONYM_DROP or raw.upper() == o["name"].upper():
                continue
            if re.fullmatch(r"[GD]-[0-9]+", raw):
                o["aliases"] |= {raw, raw.replace("-", "")}  # G-20, G20
            elif re.fullmatch(r"[A-Z]{2,}", raw) and (len(raw) >= 3 or raw in TWO_LETTER_ACRONYMS):
                # the CIA Factbook abbreviations are the organisations' own acronyms
                o["aliases"].add(raw)
                if len(raw) == 2:
                    o["aliases"].add(".".join(raw) + ".")  # U.N., E.U.
                if len(raw) > ACRONYM_MAX_CASED:
                    o["aliases"].add(raw.capitalize())  # Interpol, Mercosur, Unesco
    index: dict[str, str] = {}  # norm_key -> org id
    loose: dict[str, str] = {}  # loose_key -> org id
    for oid, o in sorted(orgs.items()):
        for s_ in (o["name"], *sorted(o["aliases"])):
            index.setdefault(norm_key(s_), oid)
            if " " in s_:
                loose.setdefault(loose_key(s_), oid)

    def find(names: list[str]) -> str | None:
        for n in names:
            if norm_key(n) in index:
                return index[norm_key(n)]
        for n in names:
            if " " not in n:
                continue
            lk = loose_key(n)
            if lk in loose:
                return loose[lk]
            close = difflib.get_close_matches(lk, sorted(loose), n=1, cutoff=0.92)
            if close:
                return loose[close[0]]
        return None

    # Phoenix IGOs: every code starts with IGO and none is dated (a dated code is a
    # person's term of office); names must look like organisations, not roles or people
    acronyms = {a for o in orgs.values() for a in o["aliases"] if a.isupper()}
    added = merged = 0
    bare_acronyms: list[str] = []
    for actor in intl:
        if not actor.codes or not all(code.startswith("IGO") for code, *_ in actor.codes):
            continue
        if any(lo or hi or op for _, lo, hi, op in actor.codes) or "IGOrulers" in actor.comment:
            continue
        names = []
        for raw in (actor.primary, *actor.synonyms):
            words = underscore_words(raw)
            if not words or is_mojibake(words) or "/" in words or "-BASED" in words.upper():
                continue
            tokens = set(re.split(r"[\s,]+", words.upper())) - {"THE"}
            if tokens & ORG_ROLE_WORDS:
                continue
            bare = re.sub(r"^THE ", "", words.upper()).replace(".", "")
            if " " not in bare and 2 <= len(bare) <= 7 and bare.isalpha():
                names.append(re.sub(r"^THE ", "", words.upper()))
            elif (tokens & ORG_WORDS and len(tokens) >= 2 and not tokens & PHOENIX_ORG_JUNK
                  and not tokens - {"UN", "U.N.", "UNITED", "NATIONS", "OF"} <= ORG_WORDS):  # "UN Mission"
                names.append(re.sub(r"^The ", "", title_case(words, acronyms)))
        long_names = [n for n in names if " " in n]
        if not names:
            continue
        if not long_names:
            bare_acronyms.extend(names)
            continue
        hit = find(names)
        if hit is None:
            hit = "phx:" + slug(long_names[0])
            orgs[hit] = {"name": long_names[0], "aliases": set(), "ids": set()}
            added += 1
        else:
            merged += 1
        o = orgs[hit]
        for n in names:
            k = norm_key(n)
            if " " not in n:  # an acronym: keep it only if it is the initials of a name
                if len(n.replace(".", "")) < 3 and n.replace(".", "") not in TWO_LETTER_ACRONYMS:
                    continue
                if not any(real_acronym(n.replace(".", ""), a) for a in (o["name"], *o["aliases"], *long_names) if " " in a):
                    continue
            if index.setdefault(k, hit) == hit:
                o["aliases"].add(n)
                if " " in n:
                    loose.setdefault(loose_key(n), hit)
    # entries that are only an acronym ("ICJ_"): attach to the one organisation it abbreviates
    for acr in bare_acronyms:
        bare = acr.replace(".", "")
        if len(bare) < 3 or norm_key(acr) in index:
            continue
        owners = {oid for oid, o in orgs.items() for n in (o["name"], *o["aliases"])
                  if " " in n and bare in (initials(n, False), initials(n, True))}
        if len(owners) == 1:
            oid = owners.pop()
            orgs[oid]["aliases"].add(acr)
            index[norm_key(acr)] = oid
            merged += 1
    log(f"  organizations: {added} added from Phoenix IGOs, {merged} Phoenix entries merged into known ones")

    rows, used = [], set()
    for oid in sorted(orgs, key=lambda i: (slug(orgs[i]["name"]), i)):
        o = orgs[oid]
        key = norm_key(o["name"])
        aliases = sorted({a for a in o["aliases"] if norm_key(a) != key and index.get(norm_key(a)) == oid},
                         key=lambda s_: (s_.casefold(), s_))
        rid = "org:" + slug(o["name"])
        if rid in used:
            rid += "-" + slug(oid)
        used.add(rid)
        rows.append({"id": rid, "name": o["name"], "type": "Organization", "aliases": aliases,
                     "country": None, "qid": None})
    return sorted(rows, key=lambda r: r["id"])


# ---------------------------------------------------------------------------------------
# persons

def person_name(raw: str) -> str | None:
    words = underscore_words(raw).replace(",", " ")
    if not words or is_mojibake(words) or re.search(r"[0-9/&(]", words):
        return None
    tokens = words.split()
    if len(tokens) < 2 or len(tokens) > 5:
        return None
    parts = {p.rstrip(".") for t in tokens for p in t.upper().split("-")}
    if parts & (ROLE_WORDS | ORG_WORDS) or tokens[0].upper() == "THE":
        return None
    if sum(1 for t in tokens if len(t.rstrip(".")) >= 2) < 2:
        return None  # need a first and a last name, not just initials
    return title_case(words)


def office_role(tag: str) -> str:
    """``Prime ministers`` -> ``prime minister``; ``Kings/QUEENS`` -> ``king``."""
    t = tag.replace("_", " ").lower().strip()
    t = re.sub(r"\s*\(.*$", "", t)
    t = t.split("/")[0].split(",")[0].strip().replace("governors-general", "governor-general")
    words = t.split()
    if words:
        w = words[0] if len(words) == 1 or words[1] in ("of", "for") else words[-1]
        idx = words.index(w)
        if w.endswith("ies"):
            words[idx] = w[:-3] + "y"
        elif w.endswith("men"):
            words[idx] = w[:-3] + "man"
        elif w.endswith("s") and not w.endswith("ss"):
            words[idx] = w[:-1]
    return " ".join(words)


# offices of CountryInfo's <Government> lists that are kept: heads of state and government
# and the ministers most often named in international news
KEY_OFFICE = re.compile(
    r"^(president|vice president|prime minister|premier|first deputy premier|chancellor|king|queen|"
    r"emir|amir|sultan|supreme leader|head of state|head of government|"
    r"minister of (foreign affairs|external affairs|defen[cs]e|finance|interior|internal affairs)|"
    r"(foreign|defen[cs]e|finance|interior) minister|secretary of state)( and [a-z ,]+)?$")


def title_role(comment: str) -> list[str]:
    """``Deputy Premier & Minister of Agriculture "Acting"`` -> two lower-case roles."""
    comment = re.sub(r'"[^"]*"', "", comment)
    out = []
    for part in re.split(r"\s*&\s*", comment):
        words = [w if (w.isupper() and len(w) > 1) else w.lower() for w in part.split()]
        role = " ".join(words).strip(" ,;")
        if role and len(role) <= 80:
            out.append(role)
    return out


def build_persons(ci_by_iso: dict[str, CIRecord], phoenix: list[Actor], countries: dict[str, Country],
                  log) -> tuple[list[dict], set[str]]:
    people: dict[tuple[str, str], dict] = {}  # (iso3, key) -> row
    first_names: set[str] = set()

    def add(iso3: str, names: list[str], roles: list[str], lo: str | None, hi: str | None, open_end: bool,
            alias_ok: bool = True) -> None:
        clean = [n for n in (person_name(x) for x in names) if n]
        if not clean:
            return
        keys = [norm_key(n) for n in clean]
        row = next((people[(iso3, k)] for k in keys if (iso3, k) in people), None)
        if row is None:
            row = {"name": clean[0], "aliases": set(), "country": iso3, "roles": [], "from": lo,
                   "to": None if open_end else hi, "_open": open_end}
        else:
            if lo and (row["from"] is None or lo < row["from"]):
                row["from"] = lo
            row["_open"] = row["_open"] or open_end
            row["to"] = None if row["_open"] else max(filter(None, [row["to"], hi]), default=None)
        for r in roles:
            if r and r not in row["roles"]:
                row["roles"].append(r)
        for n, k in zip(clean, keys):
            if norm_key(n) != norm_key(row["name"]):
                row["aliases"].add(n)
            people[(iso3, k)] = row

    for iso3, rec in ci_by_iso.items():
        for office, line in rec.leaders:
            names, _, rest = line.partition("[")
            rest = "[" + rest if rest else ""
            variants = re.findall(r"\{([^}]*)\}", names) or [names.strip()]
            for tok in _CODE_RE.findall(rest):
                tok = tok.strip()
                if tok[:2] in ("B:", "D:"):
                    continue
                if tok.startswith(">"):
                    lo, hi, op = parse_date(tok[1:]), None, True
                elif "-" in tok:
                    a, _, b = tok.partition("-")
                    lo, hi, op = parse_date(a), parse_date(b), False
                else:
                    continue
                if reaches(lo, hi, op):
                    add(iso3, variants, [office_role(office)] if office else [], lo, hi, op)
        for body, comment in rec.government:
            roles = [r for r in title_role(comment) if KEY_OFFICE.match(r)]
            if not roles:
                continue  # keep the list small: other ministers and officials are left out
            names, _, rest = body.partition("[")
            rest = "[" + rest if rest else ""
            variants = re.findall(r"\{([^}]*)\}", names) or [names.strip()]
            for tok in _CODE_RE.findall(rest):
                code = _parse_code(tok)
                if code and "GOV" in code[0][3:] and reaches(code[1], code[2], code[3]):
                    add(iso3, variants, roles, code[1], code[2], code[3])

    # Phoenix hand additions (records not copied from CountryInfo): leaders and officials
    # with a GOV code reaching 2010 or later ("XI_JINPING [CHNGOV >20121115]")
    for actor in phoenix:
        if "CountryInfo" in actor.comment:
            continue
        for code, lo, hi, open_end in actor.codes:
            iso = ISO3_SYNONYMS.get(code[:3], code[:3])
            if iso in countries and code[3:6] == "GOV" and (lo or hi) and reaches(lo, hi, open_end):
                alias_raw = [s for s in actor.synonyms]
                add(iso, [actor.primary, *alias_raw], [], lo, hi, open_end)

    # a key shared by two persons identifies neither
    key_rows: dict[str, set[int]] = defaultdict(set)
    rows = {id(r): r for r in people.values()}
    for r in rows.values():
        for s in (r["name"], *r["aliases"]):
            key_rows[norm_key(s)].add(id(r))
    out = []
    for r in rows.values():
        if len(key_rows[norm_key(r["name"])]) > 1:
            continue
        aliases = sorted({a for a in r["aliases"] if len(key_rows[norm_key(a)]) == 1}, key=str.casefold)
        out.append({"id": "", "name": r["name"], "type": "Person", "aliases": aliases, "country": r["country"],
                    "roles": r["roles"], "from": r["from"], "to": r["to"], "qid": None})
        first_names.add(norm_key(r["name"].split()[0]))
    used: set[str] = set()
    for r in sorted(out, key=lambda r: (slug(r["name"]), r["country"])):
        pid = "person:" + slug(r["name"])
        if pid in used:
            pid += "-" + r["country"].lower()
        used.add(pid)
        r["id"] = pid
    log(f"  persons: {len(rows) - len(out)} dropped (same name as another person)")
    return sorted(out, key=lambda r: r["id"]), first_names


# ---------------------------------------------------------------------------------------
# government bodies (hand-curated)

GOV_COLUMNS = ["name", "aliases", "country", "type", "qid", "seat_of_state"]
GOV_TYPES = {"Organization"}


def check_government_bodies(path: Path, countries: dict[str, Country], taken: dict[str, str]
                            ) -> tuple[str, int]:
    """Validate the hand-curated file; return it in canonical order.  ``taken``: keys of
    country and organisation names, which would shadow a government body's name."""
    rows = read_csv(path)
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    problems = []
    if header != GOV_COLUMNS:
        problems.append(f"header {header} != {GOV_COLUMNS}")
    seen: dict[str, str] = {}
    for i, r in enumerate(rows, 2):
        where = f"government_bodies.csv:{i} ({r.get('name')})"
        if not r["name"].strip():
            problems.append(f"{where}: empty name")
        if r["country"] and r["country"] not in countries:
            problems.append(f"{where}: unknown country {r['country']!r}")
        if r["type"] not in GOV_TYPES:
            problems.append(f"{where}: type {r['type']!r} not in {sorted(GOV_TYPES)}")
        if r["qid"] and not re.fullmatch(r"Q[1-9][0-9]*", r["qid"]):
            problems.append(f"{where}: bad qid {r['qid']!r}")
        if r["seat_of_state"] not in ("true", "false"):
            problems.append(f"{where}: seat_of_state must be true or false")
        if r["seat_of_state"] == "true" and not r["country"]:
            problems.append(f"{where}: seat_of_state needs a country")
        for s in [r["name"], *[a for a in r["aliases"].split("|") if a]]:
            if s != s.strip() or not s:
                problems.append(f"{where}: blank or padded alias {s!r}")
            k = norm_key(s)
            if k in taken:
                problems.append(f"{where}: {s!r} is already the name of {taken[k]!r}")
            if k in seen and seen[k] != r["name"]:
                problems.append(f"{where}: {s!r} also names {seen[k]!r}")
            seen[k] = r["name"]
    if problems:
        raise SystemExit("government_bodies.csv is invalid:\n  " + "\n  ".join(problems))
    rows.sort(key=lambda r: (r["country"], r["name"].casefold()))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=GOV_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue(), len(rows)


# ---------------------------------------------------------------------------------------
# main


def write_jsonl(path: Path, rows: list[dict]) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)
    path.write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="folder of the source data")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    ap.add_argument("--government-bodies", type=Path, default=CURATED_GOV,
                    help="the hand-curated government_bodies.csv to validate and copy")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    src: Path = args.sources
    if not (src / "countries" / "countries.json").exists():
        raise SystemExit(f"no sources in {src} (expected countries/countries.json); see --sources")
    gov_text = None
    if args.government_bodies.exists():
        gov_text = args.government_bodies.read_bytes()  # read before --out may overwrite it

    ci = read_countryinfo(src / "CountryInfo-1" / "CountryInfo.140728.txt")
    phoenix = read_actors(src / "petrarch2" / "Phoenix.Countries.actors.txt")
    intl = read_actors(src / "petrarch2" / "Phoenix.International.actors.txt")

    orgs = build_organizations(src, intl, log)
    org_acronyms = {a.replace(".", "") for r in orgs for a in r["aliases"] if a.replace(".", "").isupper()}
    countries, ci_by_iso, _places = build_countries(src, ci, phoenix, log, stop_codes=org_acronyms)
    persons, first_names = build_persons(ci_by_iso, phoenix, countries, log)
    cities = build_cities(countries, ci_by_iso, first_names, log)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    crow = country_rows(countries)
    write_jsonl(out / "countries.jsonl", crow)
    counts["countries.jsonl"] = len(crow)
    write_jsonl(out / "cities.jsonl", cities)
    counts["cities.jsonl"] = len(cities)
    write_jsonl(out / "organizations.jsonl", orgs)
    counts["organizations.jsonl"] = len(orgs)
    write_jsonl(out / "persons.jsonl", persons)
    counts["persons.jsonl"] = len(persons)
    if gov_text is not None:
        tmp = out / ".government_bodies.csv.in"
        tmp.write_bytes(gov_text)
        try:
            taken = {}
            for r in crow:
                for s_ in (r["name"], *r["aliases"]):
                    taken.setdefault(norm_key(s_), r["name"])
            for r in orgs:
                for s_ in (r["name"], *r["aliases"]):
                    taken.setdefault(norm_key(s_), r["name"])
            canonical, n = check_government_bodies(tmp, countries, taken)
        finally:
            tmp.unlink()
        (out / "government_bodies.csv").write_bytes(canonical.encode("utf-8"))
        counts["government_bodies.csv"] = n
    else:
        log(f"  no {args.government_bodies}: government_bodies.csv not written")
    # the sources' licences travel with the data derived from them
    lic = out / "LICENSES"
    lic.mkdir(exist_ok=True)
    for folder, target in LICENCE_FILES.items():
        (lic / target).write_bytes((src / folder / "LICENSE").read_bytes())
    for name, n in counts.items():
        print(f"{name}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
