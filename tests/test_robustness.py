"""Bad input, hostile files and hostile queries (issue 8): real files, the real model, real stores.

Every bad input gets one clear stderr line naming the file (and the line, for JSONL), the
other articles of the run are built, the last line sums up, and the exit status is 0 when
everything was built, 1 when anything was skipped; ``--strict`` stops at the first problem.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import query as kq
from kg import serve as ks
from kg import sparql_guard
from kg.cli import main
from kg.ingest import MAX_FILE_BYTES, Problem, Read, read_articles, read_inputs
from kg.nlp import DEFAULT_MODEL, MAX_CHARS
from kg.build import BuildReport, build, problem_kind, select_articles, split_text
from kg.store import KGStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "robustness"
GOOD = "Chile condemned the attack on the embassy in Lima on Tuesday."


def kg(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def build_cli(store, *inputs, extra=(), input=None):
    return kg("build", *inputs, "--store", store, "--no-progress", *extra, input=input)


def stored_ids(store) -> set[str]:
    with KGStore.open(store, read_only=True) as s:
        return set(s.article_hashes())


def all_quads(store) -> set[str]:
    with KGStore.open(store, read_only=True) as s:
        return {str(q) for q in s.ox}


def skipped_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("kg: skipped ")]


def duplicate_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("kg: duplicate ")]


def summary_line(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if " built, " in line)


def folder_with(tmp_path, name: str, content: bytes | str) -> tuple[Path, Path]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    bad = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    bad.write_bytes(content)
    return folder, bad


# ---------------------------------------------------------------- one bad file among good ones
BAD_FILES = [
    ("empty.txt", b"", "empty", "empty"),
    ("blank.md", b"  \n\t \r\n   \n", "empty", "empty"),
    ("nul.txt", b"Chile condemned\x00 the attack.", "binary file", "binary file"),
    ("photo.txt", (FIXTURES / "photo.txt").read_bytes(), "binary file", "binary file"),
    ("boilerplate.html", (FIXTURES / "boilerplate.html").read_bytes(),
     "no article text found in HTML (only navigation or boilerplate)", "no article text found in HTML"),
    ("scripts.html", b"<html><head><script>var a = 1;</script></head><body><script>go()</script>"
                     b"<style>p{}</style></body></html>", "no article text found in HTML", None),
    ("french.txt", (FIXTURES / "french.txt").read_bytes(), "does not look like English", "does not look like English"),
    ("russian.txt", (FIXTURES / "russian.txt").read_bytes(),
     "does not look like English (mostly non-Latin script)", "does not look like English"),
    ("unclosed.md", b"---\ntitle: [unclosed\n---\nBody text here.", "invalid YAML front matter", None),
]


@pytest.mark.parametrize("name, content, reason, kind", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_reported_and_the_rest_is_built(tmp_path, name, content, reason, kind):
    folder, bad = folder_with(tmp_path, name, content)
    store = tmp_path / "s"
    r = build_cli(store, folder)
    assert r.exit_code == 1, r.stderr
    lines = skipped_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"kg: skipped {bad}: {reason}")
    summary = summary_line(r.stderr)
    assert summary.startswith("kg: 1 built, 0 replaced, 0 unchanged, 1 skipped (1 ")
    if kind:
        assert f"(1 {kind})" in summary
    assert stored_ids(store) == {"good"}


def test_everything_fine_exits_0_and_says_so(tmp_path):
    folder, _ = folder_with(tmp_path, "other.txt", "Peru praised the agreement with Bolivia on water rights.")
    r = build_cli(tmp_path / "s", folder)
    assert r.exit_code == 0, r.stderr
    assert skipped_lines(r.stderr) == []
    assert "kg: 2 built, 0 replaced, 0 unchanged, 0 skipped ->" in r.stderr
    r = build_cli(tmp_path / "s", folder)  # nothing to do
    assert r.exit_code == 0 and "0 built, 0 replaced, 2 unchanged, 0 skipped" in r.stderr


def test_other_languages_are_built_with_any_language(tmp_path):
    folder, _ = folder_with(tmp_path, "french.txt", (FIXTURES / "french.txt").read_bytes())
    r = build_cli(tmp_path / "s", folder, extra=["--any-language"])
    assert r.exit_code == 0, r.stderr
    assert stored_ids(tmp_path / "s") == {"good", "french"}


def test_latin1_and_broken_utf8_are_decoded_with_a_warning(tmp_path, caplog):
    folder, latin = folder_with(tmp_path, "latin1.txt", (FIXTURES / "latin1.txt").read_bytes())
    # mostly UTF-8 with one stray Latin-1 byte: not valid UTF-8 as a whole
    broken = folder / "broken.txt"
    broken.write_bytes("Na\u00efve Bolivian officials praised the deal, the minister said.".encode() + b" Caf\xe9.")
    store = tmp_path / "s"
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):  # on stderr as "kg: WARNING: ..."
        r = build_cli(store, folder)
    assert r.exit_code == 0, r.stderr
    warnings = [rec.getMessage() for rec in caplog.records if rec.levelno == logging.WARNING]
    assert f"{broken}: not valid UTF-8, decoded as cp1252" in warnings
    assert f"{latin}: not valid UTF-8, decoded as cp1252" in warnings
    assert "3 built" in r.stderr and "2 decoded with a fallback encoding" in r.stderr
    with KGStore.open(store, read_only=True) as s:
        texts = {row["t"].value for row in s.query(
            "SELECT ?t WHERE { ?a <https://w3id.org/newskg/ontology#docId> ?d ; <https://schema.org/text> ?t }")}
    assert "Caf\u00e9 owners in S\u00e3o Paulo welcomed the new law on Monday, the mayor said." in texts
    assert any(t.startswith("Na\u00c3\u00afve") for t in texts)  # cp1252 reading of the UTF-8 bytes, said so


def test_jsonl_bad_lines_name_file_and_line(tmp_path):
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    shutil.copy(FIXTURES / "feed.jsonl", feed)
    store = tmp_path / "store"
    r = build_cli(store, feed)
    assert r.exit_code == 1, r.stderr
    got = {int(m.group(1)): m.group(2) for m in
           (re.match(rf"kg: skipped {re.escape(str(feed))}:(\d+): (.*)", line) for line in skipped_lines(r.stderr))}
    assert sorted(got) == [2, 3, 4, 5, 6, 7, 8], r.stderr
    assert got[2].startswith("invalid JSON")
    assert got[3] == "missing 'text'"
    assert got[4] == "'id' must be a string"
    assert got[5] == "'text' must be a string"
    assert got[6] == "unsafe id '../../etc/evil'"
    assert got[7].startswith("unsafe id")
    assert got[8] == "expected a JSON object"
    assert "2 built" in summary_line(r.stderr)
    assert stored_ids(store) == {"good-1", "good-2"}
    # nothing was written outside the store, whatever the ids said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "store"]
    assert not any("evil" in q for q in all_quads(store))


def test_duplicate_content_is_one_article_and_names_both_sources(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b.txt").write_text(GOOD + "\n", encoding="utf-8")  # same article once normalised
    (folder / "c.jsonl").write_text('{"id": "c", "text": "%s"}\n' % GOOD, encoding="utf-8")
    store = tmp_path / "s"
    r = build_cli(store, folder)
    assert r.exit_code == 0, r.stderr  # every input is in the store: a duplicate is not a failure
    assert skipped_lines(r.stderr) == []
    lines = duplicate_lines(r.stderr)
    assert lines == [
        f"kg: duplicate {folder / 'b.txt'}: duplicate content: same article as {folder / 'a.txt'} (id 'a'), "
        "built once from there",
        f"kg: duplicate {folder / 'c.jsonl'}:1: duplicate content: same article as {folder / 'a.txt'} (id 'a'), "
        "built once from there",
    ]
    assert "1 built, 0 replaced, 0 unchanged, 2 duplicate, 0 skipped" in summary_line(r.stderr)
    assert stored_ids(store) == {"a"}
    # a re-run that changes nothing exits 0 too (a nightly `set -e` job)
    r = build_cli(store, folder)
    assert r.exit_code == 0, r.stderr
    assert "0 built, 0 replaced, 1 unchanged, 2 duplicate, 0 skipped" in summary_line(r.stderr)
    # in a later run: the same article under another name is still a duplicate...
    later = tmp_path / "later"
    later.mkdir()
    (later / "copy.txt").write_text(GOOD, encoding="utf-8")
    r = build_cli(store, later)
    assert r.exit_code == 0
    assert duplicate_lines(r.stderr) == [
        f"kg: duplicate {later / 'copy.txt'}: duplicate content: same article as 'a', already in the store"]
    # ...unless the stored one is replaced in the same run (by a file of another folder: in/a.txt
    # moved away first, else that would be another article with id 'a', refused)
    (folder / "a.txt").unlink()
    (later / "a.txt").write_text("Peru praised the agreement with Bolivia on water rights.", encoding="utf-8")
    r = build_cli(store, later)
    assert r.exit_code == 0, r.stderr
    assert stored_ids(store) == {"a", "copy"}


def test_two_folders_with_the_same_file_names_keep_every_article(tmp_path):
    archive = tmp_path / "archive"
    for section, text in (("politics", GOOD), ("sports", "Peru beat Chile in Lima on Sunday, the coach said.")):
        (archive / section).mkdir(parents=True)
        (archive / section / "001.txt").write_text(text, encoding="utf-8")
    store = tmp_path / "s"
    r = build_cli(store, archive)
    assert r.exit_code == 0, r.stderr
    assert stored_ids(store) == {"politics/001", "sports/001"}
    # the two folders named in one run: one id for two articles is an error naming both, nothing replaced
    r = build_cli(tmp_path / "s2", archive / "politics", archive / "sports")
    assert r.exit_code == 1
    assert skipped_lines(r.stderr) == [
        f"kg: skipped {archive / 'sports' / '001.txt'}: duplicate id '001' (already read from "
        f"{archive / 'politics' / '001.txt'})"]
    assert stored_ids(tmp_path / "s2") == {"001"}
    # ... and in two runs: the second is not a replacement of the first
    r = build_cli(tmp_path / "s2", archive / "sports")
    assert r.exit_code == 1
    assert skipped_lines(r.stderr) == [
        f"kg: skipped {archive / 'sports' / '001.txt'}: duplicate id '001': the store's article '001' was read "
        f"from {archive / 'politics' / '001.txt'}; not replaced (build their common folder: ids are paths "
        "relative to it)"]
    # the same file edited is replaced, as before
    (archive / "politics" / "001.txt").write_text(GOOD + " Peru said nothing.", encoding="utf-8")
    r = build_cli(tmp_path / "s2", archive / "politics")
    assert r.exit_code == 0, r.stderr
    assert "0 built, 1 replaced" in summary_line(r.stderr)


def test_a_store_built_when_ids_were_file_names_keeps_its_ids(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(GOOD, encoding="utf-8")
    store = tmp_path / "s"
    # the old layout: id 'a' for in/sub/a.txt, no origins kept (a file named alone still gets its name)
    assert build_cli(store, folder / "sub" / "a.txt").exit_code == 0
    (store / "origins.json").unlink()
    r = build_cli(store, folder)
    assert r.exit_code == 0, r.stderr
    assert "0 built, 0 replaced, 1 unchanged, 0 skipped" in summary_line(r.stderr)
    (folder / "sub" / "a.txt").write_text(GOOD + " Peru said nothing.", encoding="utf-8")
    r = build_cli(store, folder)
    assert "0 built, 1 replaced" in summary_line(r.stderr)
    assert stored_ids(store) == {"a"}  # edited in place, not a second article 'sub/a'
    # once its origin is kept, the new layout's ids are used for new files as usual
    (folder / "sub" / "b.txt").write_text("Peru beat Chile in Lima on Sunday, the coach said.", encoding="utf-8")
    assert build_cli(store, folder).exit_code == 0
    assert stored_ids(store) == {"a", "sub/b"}


def test_directory_with_symlink_loops(tmp_path):
    root = tmp_path / "loop"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(GOOD, encoding="utf-8")
    (root / "sub" / "b.txt").write_text("Peru praised the agreement with Bolivia.", encoding="utf-8")
    os.symlink(root, root / "sub" / "back")  # sub/back -> loop/
    os.symlink(".", root / "self")  # self -> loop/
    os.symlink(root / "a.txt", root / "sub" / "alias.txt")  # the same file under another name
    os.symlink(root / "missing.txt", root / "dangling.txt")
    store = tmp_path / "s"
    r = build_cli(store, root)
    assert r.exit_code == 1, r.stderr
    assert skipped_lines(r.stderr) == [f"kg: skipped {root / 'dangling.txt'}: broken symbolic link"]
    assert duplicate_lines(r.stderr) == [
        f"kg: duplicate {root / 'sub' / 'alias.txt'}: duplicate content: same article as {root / 'a.txt'} (id 'a'), "
        "built once from there",
    ]
    assert stored_ids(store) == {"a", "sub/b"}


def test_file_deleted_between_listing_and_reading(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(f"{name.upper()} praised the agreement with Bolivia.", encoding="utf-8")
    reads = read_inputs([str(folder)])
    first = next(reads)  # the directory is listed and a.txt read; now b.txt goes away
    (folder / "b.txt").unlink()
    rest = list(reads)
    assert first.item.id == "a"
    assert [r.item.id if not isinstance(r.item, Problem) else str(r.item) for r in rest] == [
        f"{folder / 'b.txt'}: disappeared before it could be read", "c"]
    # the build treats it like any other problem
    report = BuildReport()
    reads = read_inputs([str(folder)])
    (folder / "b.txt").write_text("B is back.", encoding="utf-8")

    def deleting(items):
        for i, r in enumerate(items):
            yield r
            if i == 0:
                (folder / "b.txt").unlink()

    chosen = select_articles(deleting(reads), {}, report)
    assert [a.id for a in chosen] == ["a", "c"]
    assert [str(p) for p in report.skipped] == [f"{folder / 'b.txt'}: disappeared before it could be read"]


def test_unreadable_and_special_files(tmp_path):
    folder, _ = folder_with(tmp_path, "locked.txt", GOOD.replace("Chile", "Peru"))
    os.mkfifo(folder / "pipe.txt")  # a FIFO named like an article: reading it would block
    if os.geteuid() != 0:  # root reads anything: the permission case only applies to others
        (folder / "locked.txt").chmod(0)
    store = tmp_path / "s"
    r = build_cli(store, folder)
    lines = skipped_lines(r.stderr)
    assert f"kg: skipped {folder / 'pipe.txt'}: not a regular file" in lines
    if os.geteuid() != 0:
        assert f"kg: skipped {folder / 'locked.txt'}: cannot read file: Permission denied" in lines
    assert r.exit_code == 1
    assert "good" in stored_ids(store)


def test_too_large_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # sparse: no disk space used
        fh.truncate(MAX_FILE_BYTES + 1)
    [r] = list(read_inputs([str(big)]))
    assert isinstance(r.item, Problem) and r.item.reason.startswith("too large")


# ---------------------------------------------------------------- --strict
def test_strict_stops_at_the_first_problem_and_writes_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b.txt").write_text("", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"\x00binary")
    store = tmp_path / "s"
    r = build_cli(store, folder, extra=["--strict"])
    assert r.exit_code == 1
    assert f"kg: error: {folder / 'b.txt'}: empty (--strict: stopped at the first problem)" in r.stderr
    assert "c.txt" not in r.stderr  # never read
    assert skipped_lines(r.stderr) == []
    assert stored_ids(store) == set()
    # the same inputs without problems build normally (inputs are read once: stdin works)
    r = build_cli(store, "-", extra=["--strict"], input=GOOD)
    assert r.exit_code == 0, r.stderr
    assert stored_ids(store) == {"stdin"}


def test_strict_reads_inputs_lazily(tmp_path):
    """The build reads each input once, and --strict stops reading at the first problem."""
    seen = []

    def reads():
        for i in range(1000):
            seen.append(i)
            if i == 3:
                yield Read(Problem("x.txt", "empty"), "x.txt")
            else:
                yield from read_inputs(["-"], stdin=io.StringIO(
                    f'{{"id": "a{i}", "text": "Article {i} praised the agreement."}}'))

    report = BuildReport()
    assert select_articles(reads(), {}, report, strict=True) == []
    assert seen == [0, 1, 2, 3]
    assert str(report.stopped) == "x.txt: empty"


def test_problem_kinds():
    assert problem_kind("invalid JSON: Expecting value (column 1)") == "invalid JSON"
    assert problem_kind("unsafe id '../x'") == "unsafe id"
    assert problem_kind("missing 'text'") == "missing 'text'"
    assert problem_kind("'id' must be a string") == "'id' must be a string"
    assert problem_kind("does not look like English (only 3% ...); pass --any-language") == (
        "does not look like English")


# ---------------------------------------------------------------- long articles
def long_article(n_paragraphs: int) -> str:
    countries = ["Finland", "Sweden", "Norway", "Chile", "Peru", "Bolivia", "Kenya", "Ghana"]
    paras = []
    for i in range(n_paragraphs):
        a, b = countries[i % 8], countries[(i * 3 + 1) % 8]
        paras.append(f"On day {i}, {a} condemned the missile strike on {b}, the foreign ministry said. "
                     f"{b} called for new sanctions against {a} in report number {i}.")
    return "\n\n".join(paras)


@pytest.mark.parametrize("max_chars", [1, 7, 50, 200, 1000])
def test_split_text_pieces(max_chars):
    head = long_article(12)
    text = head + "\n\nAnd one paragraph without any break " + "x" * 300 + " at all."
    pieces = split_text(text, max_chars)
    assert all(0 < len(p) <= max_chars for _, p in pieces)
    assert all(text[o:o + len(p)] == p for o, p in pieces)
    assert all(o1 + len(p1) <= o2 for (o1, p1), (o2, _) in zip(pieces, pieces[1:]))
    # nothing but whitespace is lost
    assert "".join(p for _, p in pieces).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", "")
    if max_chars >= 200:  # paragraphs fit: every cut is at a paragraph break
        assert all(o == 0 or text[o - 2:o] == "\n\n" for o, _ in pieces if o < len(head))


def test_multi_megabyte_article_is_cut_under_spacy_limit(tmp_path):
    """A ~6 MB article: read, normalised and cut into paragraph-aligned pieces under
    spaCy's max_length quickly (parsing it takes this machine's spaCy throughput; a 50 MB
    article was measured by hand, see README "Failure modes")."""
    text = long_article(40_000)
    path = tmp_path / "giant.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    t = time.perf_counter()
    [a] = list(read_articles([str(path)]))
    pieces = split_text(a.text, MAX_CHARS)
    elapsed = time.perf_counter() - t
    assert a.text == text
    assert len(pieces) == -(-len(text) // MAX_CHARS) or len(pieces) == -(-len(text) // MAX_CHARS) + 1
    assert all(len(p) <= MAX_CHARS for _, p in pieces)
    assert all(text[o - 2:o] == "\n\n" for o, _ in pieces[1:])
    assert elapsed < 30


def test_long_article_is_parsed_in_pieces_with_exact_offsets(tmp_path):
    """The same article built whole and in pieces (a small max_chars stands for spaCy's limit),
    and also written in parts: the same quads, every evidence offset pointing into the whole
    text, entities merged, a surname in the last piece resolved to the full name of the first."""
    text = ("Trade Minister Kaisa Lindqvist visited Norway on Monday.\n\n" + long_article(16)
            + "\n\nOn day 16, Lindqvist criticised Sweden, the foreign ministry said.")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(text, encoding="utf-8")
    whole, pieces, parts = tmp_path / "whole", tmp_path / "pieces", tmp_path / "parts"
    # parts: also written in several transactions (part_units stands for a huge article's size)
    for path, max_chars, part_units in ((whole, MAX_CHARS, None), (pieces, 700, None), (parts, 700, 5)):
        with KGStore.open(path) as s:
            r = build(s, [str(folder)], model=DEFAULT_MODEL, progress=False, max_chars=max_chars,
                      part_units=part_units)
        assert r.built == ["long"], r.skipped
    assert len(split_text(text, 700)) >= 4
    q_ev = """PREFIX kg: <https://w3id.org/newskg/ontology#>
    SELECT ?text ?sentence ?start ?end WHERE {
      ?ev a kg:Evidence ; kg:article ?a ; kg:sentence ?sentence ; kg:start ?start ; kg:end ?end .
      ?a <https://schema.org/text> ?text }"""
    with KGStore.open(pieces, read_only=True) as s:
        rows = list(s.query(q_ev))
        counts = {r["l"].value: int(r["n"].value) for r in s.query(
            "PREFIX kg: <https://w3id.org/newskg/ontology#> SELECT ?l ?n WHERE { ?m a kg:Mentions ; kg:entity ?e ; "
            "kg:count ?n . ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }")}
    assert len(rows) > 16
    for row in rows:
        assert row["text"].value[int(row["start"].value):int(row["end"].value)] == row["sentence"].value
    assert counts["Finland"] == text.count("Finland")  # one entity, mentions of all pieces added up
    assert counts["Kaisa Lindqvist"] == 2 and "Lindqvist" not in counts
    assert all_quads(whole) == all_quads(pieces) == all_quads(parts)


# ---------------------------------------------------------------- hostile files
def test_xxe_in_html_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    html = (FIXTURES / "xxe.html").read_text(encoding="utf-8").replace("SECRET_PATH", str(secret))
    (folder / "xxe.html").write_text(html, encoding="utf-8")
    (folder / "xxe.xhtml.htm").write_text(html.replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">'),
                                          encoding="utf-8")
    store = tmp_path / "s"
    r = build_cli(store, folder)
    assert "TOP-SECRET" not in r.stderr and "root:" not in r.stderr
    dump = "\n".join(all_quads(store))
    assert "Chile condemned the attack" in dump  # the page itself was read
    assert "TOP-SECRET" not in dump
    assert "root:x:0:0" not in dump and "/bin/" not in dump


# ---------------------------------------------------------------- hostile queries
BYPASS = ("PREFIX ex: <http://example.org/>\n"
          "SELECT * WHERE { ?s ex:a\\# ?o . SERVICE <http://127.0.0.1:9/sparql> { ?x ?y ?z } }\n")


def test_escaped_prefixed_name_does_not_hide_service(tmp_path, handmade_store):
    """`ex:a\\#` is one prefixed name (PN_LOCAL_ESC); the '#' does not start a comment, so the
    SERVICE after it is a keyword. kg query and kg serve share one check (kg.sparql_guard)."""
    assert sparql_guard.remote_keywords(BYPASS) == ["SERVICE"]
    assert sparql_guard.parsed_remote_keywords(BYPASS) == ["SERVICE"]
    assert ks.check_sparql is sparql_guard.check
    rq = tmp_path / "bypass.rq"
    rq.write_text(BYPASS, encoding="utf-8")
    r = kg("query", rq, "--store", handmade_store, "--timeout", "0")
    assert r.exit_code == 2 and "SERVICE" in r.stderr and "--allow-service" in r.stderr
    r = kg("query", "-", "--store", handmade_store, input="LOAD <http://127.0.0.1:9/data.ttl>")
    assert r.exit_code == 2 and "syntax error" in r.stderr  # a query cannot LOAD


@pytest.mark.parametrize("text, found", [
    ("SELECT * { ?s ex:a\\#b ?o } # SERVICE in a comment", []),
    ("SELECT * { ?s ex:a\\# ?o SERVICE <x:> {} }", ["SERVICE"]),
    ("SELECT * { ?s ex:a\\~ ?o . sErViCe <x:> {} }", ["SERVICE"]),
    # decoded, \u0023 is '#', a comment; as written (Oxigraph decodes escapes only in strings and
    # IRIs) SERVICE is a keyword: the lexer reads both
    ("SELECT * { ?s ex:\\u0023 ?o . SERVICE <x:> {} }", ["SERVICE"]),
    ("SELECT * { ?s ?p '\\'' . SERVICE <x:> {} }", ["SERVICE"]),
    ("SELECT * { ?s ?p \"\"\"a\"\"b\"\"\" . LOAD <x:> }", ["LOAD"]),
])
def test_remote_keyword_lexer_edge_cases(text, found):
    assert sparql_guard.remote_keywords(text) == found


def test_query_parameter_with_sparql_syntax_stays_a_literal(handmade_store):
    """(Also tests/test_query.py::test_parameter_values_stay_literals, on the named queries.)"""
    evil = '"} ; DROP ALL ; SELECT * { ?s ?p ?o } #'
    r = kg("query", "-", "--store", handmade_store, "--param", f"v={evil}", "--format", "json",
           input="SELECT ?v WHERE { }")
    assert r.exit_code == 0, r.stderr
    [row] = json.loads(r.stdout)["results"]["bindings"]
    assert row["v"] == {"type": "literal", "value": evil}
    assert len(all_quads(handmade_store)) > 50  # DROP ALL did not run
