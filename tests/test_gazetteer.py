"""The gazetteer: real data files in data/gazetteer/, and the script that builds them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import paths
from kg.gazetteer import Gazetteer, get_gazetteer, norm_key

ROOT = Path(__file__).resolve().parent.parent
GAZ_DIR = paths.data_dir() / "gazetteer"
SOURCES = ROOT.parent / "shared" / "sources"
FILES = ["countries.jsonl", "cities.jsonl", "organizations.jsonl", "persons.jsonl", "government_bodies.csv"]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load(GAZ_DIR)


def _countries() -> list[dict]:
    with (GAZ_DIR / "countries.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


# ------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    "text, expected",
    [
        ("U.S.", "US"),
        ("U.S.A.", "USA"),
        ("the U.S.'s", "US"),
        ("us", "us"),
        ("Us", "us"),
        ("The Kremlin", "kremlin"),
        ("Kremlin's", "kremlin"),
        ("People’s Republic of China", "people's republic of china"),
        ("Côte d'Ivoire", "cote d'ivoire"),
        ("  United   States ", "united states"),
        ("UN Security Council", "UN security council"),
        ("UNESCO", "unesco"),  # longer than an acronym kept in capitals
    ],
)
def test_norm_key(text, expected):
    assert norm_key(text) == expected


# ------------------------------------------------------------------ countries


@pytest.mark.parametrize("text", ["US", "U.S.", "United States", "America", "USA", "the United States"])
def test_united_states(gaz, text):
    e = gaz.lookup(text)
    assert e is not None and e.id == "USA"
    assert e.name == "United States" and e.type == "Country" and e.qid == "Q30"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PRC", "China"),
        ("People's Republic of China", "China"),
        ("China", "China"),
        ("UK", "United Kingdom"),
        ("U.K.", "United Kingdom"),
        ("Britain", "United Kingdom"),
        ("Great Britain", "United Kingdom"),
        ("United Kingdom", "United Kingdom"),
        ("Russia", "Russia"),
        ("Russian Federation", "Russia"),
        ("South Korea", "South Korea"),
        ("DPRK", "North Korea"),
        ("Ukraine", "Ukraine"),
        ("RUSSIA", "Russia"),  # a headline in capitals
    ],
)
def test_country_names(gaz, text, expected):
    e = gaz.lookup(text)
    assert e is not None and e.type == "Country" and e.name == expected


@pytest.mark.parametrize("text", ["us", "The", "Who", "It", "May", "the", "", "   "])
def test_words_are_not_names(gaz, text):
    assert gaz.lookup(text) is None


@pytest.mark.parametrize("text", ["IT", "IS", "AI", "ARE", "PM", "TV"])
def test_codes_that_are_words_are_not_aliases(gaz, text):
    """In capitals these are far more often a word or another acronym than a country."""
    assert gaz.lookup(text) is None


def test_organisation_acronym_beats_country_code(gaz):
    assert gaz.lookup("AU").name == "African Union"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Chinese", "CHN"),
        ("Ukrainian", "UKR"),
        ("Ukrainians", "UKR"),
        ("Russian", "RUS"),
        ("Americans", "USA"),
        ("American", "USA"),
        ("British", "GBR"),
        ("French", "FRA"),
        ("German", "DEU"),
        ("Israelis", "ISR"),
        ("Dutch", "NLD"),
    ],
)
def test_demonyms(gaz, text, expected):
    e = gaz.demonym(text)
    assert e is not None and e.id == expected and e.type == "Country"


def test_demonym_is_not_a_name(gaz):
    assert gaz.demonym("China") is None
    assert gaz.demonym("chinese food") is None


def test_country_by_code(gaz):
    assert gaz.country("USA").name == "United States"
    assert gaz.country("rus").name == "Russia"
    assert gaz.country("XXX") is None


def test_country_lines_complete():
    rows = _countries()
    assert len(rows) >= 240
    assert sum(1 for r in rows if r["qid"]) >= 240
    for r in rows:
        assert r["iso3"] and r["id"] == r["iso3"] and len(r["iso3"]) == 3
        assert r["name"] and r["type"] == "Country"
        assert isinstance(r["aliases"], list) and isinstance(r["demonyms"], list)
    assert len({r["id"] for r in rows}) == len(rows)


def test_us_aliases_include_codes():
    us = next(r for r in _countries() if r["id"] == "USA")
    assert {"US", "USA", "U.S.", "America"} <= set(us["aliases"])
    assert "Americans" in us["demonyms"]
    assert us["capitals"] == ["Washington D.C."]


# ------------------------------------------------------------------ cities


@pytest.mark.parametrize(
    "text, expected",
    [("Beijing", "CHN"), ("Kyiv", "UKR"), ("Kiev", "UKR"), ("Washington", "USA"), ("Moscow", "RUS"),
     ("London", "GBR")],
)
def test_capital_of(gaz, text, expected):
    e = gaz.capital_of(text)
    assert e is not None and e.id == expected


def test_capital_of_only_capitals(gaz):
    assert gaz.lookup("Shanghai").type == "City"
    assert gaz.capital_of("Shanghai") is None
    assert gaz.capital_of("China") is None


def test_city_lookup(gaz):
    e = gaz.lookup("Moscow")
    assert e.type == "City" and e.country == "RUS"


def test_country_beats_city_of_same_name(gaz):
    for name in ("Singapore", "Djibouti", "Luxembourg"):
        assert gaz.lookup(name).type == "Country"


# ------------------------------------------------------------------ organisations, government bodies


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NATO", "North Atlantic Treaty Organization"),
        ("North Atlantic Treaty Organization", "North Atlantic Treaty Organization"),
        ("United Nations", "United Nations"),
        ("UN", "United Nations"),
        ("U.N.", "United Nations"),
        ("EU", "European Union"),
        ("European Union", "European Union"),
        ("IMF", "International Monetary Fund"),
        ("WHO", "World Health Organization"),
        ("OPEC", "Organization of Petroleum Exporting Countries"),
        ("WTO", "World Trade Organization"),
        ("World Bank", "World Bank"),
    ],
)
def test_organizations(gaz, text, expected):
    e = gaz.lookup(text)
    assert e is not None and e.type == "Organization" and e.name == expected
    assert e.country is None


def test_government_body(gaz):
    e = gaz.lookup("National Security Council")
    assert e.type == "Organization" and e.country == "USA"
    assert gaz.lookup("Pentagon").country == "USA"
    assert gaz.lookup("White House").seat_of_state is False


@pytest.mark.parametrize(
    "text, expected",
    [("the Kremlin", "RUS"), ("Kremlin", "RUS"), ("Downing Street", "GBR"), ("Élysée", "FRA"),
     ("Elysee", "FRA"), ("Zhongnanhai", "CHN")],
)
def test_seat_of(gaz, text, expected):
    e = gaz.seat_of(text)
    assert e is not None and e.id == expected and e.type == "Country"


def test_seat_of_not_for_white_house(gaz):
    assert gaz.seat_of("White House") is None
    assert gaz.seat_of("Moscow") is None


# ------------------------------------------------------------------ persons


def test_person(gaz):
    e = gaz.lookup("Xi Jinping")
    assert e is not None and e.type == "Person" and e.country == "CHN"
    assert gaz.lookup("Vladimir Putin").country == "RUS"


def test_persons_have_two_names():
    with (GAZ_DIR / "persons.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert rows
    for r in rows:
        assert len(r["name"].split()) >= 2, r
        assert r["to"] is None or r["to"] >= "2010-01-01", r


# ------------------------------------------------------------------ loading


def test_load_time():
    t0 = time.perf_counter()
    g = Gazetteer.load(GAZ_DIR)
    elapsed = time.perf_counter() - t0
    assert len(g) > 1000
    assert elapsed < 0.5, f"loading took {elapsed:.3f} s"


def test_default_instance_is_cached():
    assert get_gazetteer() is get_gazetteer()


def test_empty_directory_loads(tmp_path):
    g = Gazetteer.load(tmp_path)
    assert len(g) == 0 and g.lookup("US") is None


def test_files_are_utf8_lf_sorted():
    for name in FILES:
        data = (GAZ_DIR / name).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n"), name
        data.decode("utf-8")
    for name in ("countries.jsonl", "cities.jsonl", "organizations.jsonl", "persons.jsonl"):
        with (GAZ_DIR / name).open(encoding="utf-8") as fh:
            ids = [json.loads(line)["id"] for line in fh]
        assert ids == sorted(ids) and len(set(ids)) == len(ids), name


# ------------------------------------------------------------------ the build script


@pytest.mark.slow
def test_build_reproduces_committed_files(tmp_path):
    if not (SOURCES / "countries" / "countries.json").exists():
        pytest.skip(f"gazetteer sources not found in {SOURCES}")
    out = tmp_path / "gazetteer"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--sources", str(SOURCES),
         "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for name in FILES:
        assert name in proc.stdout
        assert (out / name).read_bytes() == (GAZ_DIR / name).read_bytes(), f"{name} differs from the build"
