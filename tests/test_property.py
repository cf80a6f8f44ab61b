"""Property tests (issue 8): arbitrary Unicode - control characters, RTL text, emoji, combining
marks, very long tokens - never crashes `kg build`; the store it leaves exports to Turtle that
parses back to the same graph, and passes validation (`kg validate`'s check).

Bounded to keep the suite fast: few examples, derandomized (the same examples on every run),
the pipeline in-process with the one shared spaCy model.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import export as kx
from kg import validate as kv
from kg.ingest import Problem
from kg.nlp import DEFAULT_MODEL, MAX_CHARS
from kg.build import build, problem_kind, split_text
from kg.store import KGStore

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SPECIAL = st.sampled_from([
    "\u202e", "\u200f", "\u061c", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u05e9\u05dc\u05d5\u05dd", "\U0001f600", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1eb\U0001f1ee",
    "\x00", "\x07", "\x1b[31m", "\r", "\t", "\x0b", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffd", "\U0010ffff",
    "a\u0301\u0302\u0303", "x" * 3000, "Finland" * 400, "<", "&amp;", "&xxe;", '"', "'", "\\", "\\u0022", "#",
    " ", "\n", "\n\n", "---\n", "{", "\u3000", "\u00a0", "\u200b",
    "Finland condemned the missile strike on Kharkiv.", '"We do not support it," Petteri Orpo said.',
    "The United States opposes a ceasefire, John Kirby said.", "He", "she said.",
])
TEXTS = st.lists(st.one_of(st.text(max_size=40), SPECIAL), max_size=25).map("".join)


def check_store(path: Path, tmp: Path) -> None:
    """The store opens, its Turtle export parses back to the same graph, and it validates."""
    with KGStore.open(path, read_only=True) as s:
        nt = s.query("CONSTRUCT WHERE { ?s ?p ?o }").serialize(format=ox.RdfFormat.N_TRIPLES)
        expected = Graph().parse(data=nt.decode("utf-8"), format="nt")
        ttl = tmp / "union.ttl"
        kx.export(s, "ttl", ttl)
        assert isomorphic(Graph().parse(ttl, format="turtle"), expected)
        for row in s.query("""PREFIX kg: <https://w3id.org/newskg/ontology#>
            SELECT ?text ?sentence ?start ?end WHERE { ?ev kg:article ?a ; kg:sentence ?sentence ;
              kg:start ?start ; kg:end ?end . ?a <https://schema.org/text> ?text }"""):
            assert row["text"].value[int(row["start"].value):int(row["end"].value)] == row["sentence"].value
        res = kv.check(s)
        assert res.conforms, kv.format_report(res, 5)


@SETTINGS
@given(text=TEXTS)
def test_any_text_file_builds_or_is_skipped_never_crashes(text):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        (tmp / "in" / "x.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
        with KGStore.open(tmp / "store") as s:
            r = build(s, [str(tmp / "in")], model=DEFAULT_MODEL, progress=False, any_language=True)
        assert r.built == ["x"] or [p.reason for p in r.skipped] in (["empty"], ["binary file"]), r.skipped
        event("built" if r.built else r.skipped[0].reason)
        assert not r.interrupted
        check_store(tmp / "store", tmp)


@SETTINGS
@given(doc_id=st.one_of(st.from_regex(r"[\w:.\-]{1,20}", fullmatch=True), st.from_regex(r"[\w:.\-]{1,20}", fullmatch=True),
                        st.text(min_size=1, max_size=30), st.sampled_from(["../../x", "a/b", "..", "\u202eevil"])),
       text=TEXTS, title=st.one_of(st.none(), st.text(max_size=30)))
def test_any_jsonl_record_builds_or_is_skipped_never_crashes(doc_id, text, title):
    """Through JSONL, control characters (even NUL, as \\u0000) reach normalisation and ids are arbitrary."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        record = {"id": doc_id, "text": text, **({"title": title} if title is not None else {})}
        (tmp / "in" / "feed.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
        with KGStore.open(tmp / "store") as s:
            r = build(s, [str(tmp / "in")], model=DEFAULT_MODEL, progress=False, any_language=True)
        assert len(r.built) + len(r.skipped) == 1
        event("built" if r.built else problem_kind(r.skipped[0].reason))
        for p in r.skipped:
            assert isinstance(p, Problem) and p.line == 1
            assert p.reason.startswith(("empty", "unsafe id")), p
        check_store(tmp / "store", tmp)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(text=st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["\n\n", "\n", " ", ". ", "x" * 50])),
                     max_size=40).map("".join),
       max_chars=st.integers(1, 120))
def test_split_text_properties(text, max_chars):
    pieces = split_text(text, max_chars)
    assert all(0 < len(p) <= max_chars and text[o:o + len(p)] == p for o, p in pieces)
    assert all(o1 + len(p1) <= o2 for (o1, p1), (o2, _) in zip(pieces, pieces[1:]))
    assert "".join("".join(p.split()) for _, p in pieces) == "".join(text.split())


@pytest.mark.parametrize("n", [MAX_CHARS - 1, MAX_CHARS, MAX_CHARS + 1])
def test_split_text_at_the_limit(n):
    text = ("word " * n)[:n]
    pieces = split_text(text, MAX_CHARS)
    assert len(pieces) == (1 if len(text.rstrip()) <= MAX_CHARS else 2)
