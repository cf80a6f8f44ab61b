"""Tests for kg.ingest: real files in tmp_path, no mocks."""

from __future__ import annotations

import io
import itertools
import logging
import os
import shutil
from pathlib import Path

import pytest

from kg.ingest import Problem, doc_id_for, normalize_text, read_articles
from kg.model import Article

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "articles"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
CURLY = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb"


def read(*inputs, **kwargs) -> list[Article | Problem]:
    return list(read_articles([str(i) for i in inputs], **kwargs))


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only(items: list[Article | Problem]) -> Article | Problem:
    assert len(items) == 1, items
    return items[0]


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# ------------------------------------------------------------------------ small pieces


def test_problem_str_with_and_without_line():
    assert str(Problem("data/x.jsonl", "missing 'text'", 3)) == "data/x.jsonl:3: missing 'text'"
    assert str(Problem("data/y.txt", "empty")) == "data/y.txt: empty"


@pytest.mark.parametrize(
    "path, expected",
    [("data/articles/000_abc.txt", "000_abc"), ("x.tar.md", "x.tar"), (Path("/a/b/c.html"), "c")],
)
def test_doc_id_for(path, expected):
    assert doc_id_for(path) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\u201cHi,\u201d she said. \u2018It\u2019s\u2019 \u201elow\u201f \u00abx\u00bb \u201ay\u201b",
         "\"Hi,\" she said. 'It's' \"low\" \"x\" 'y'"),
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),
        ("one.\r\n\r\ntwo.\rthree.", "one.\n\ntwo.\n\nthree."),
        ("bell\x07 and\x1b esc\x7f del", "bell and esc del"),
        ("tab\tseparated\t\twords", "tab separated words"),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC
        ("many     spaces   here.   ", "many spaces here."),
        ("  \n\n  trailing   \n\n\n\n  ", "trailing"),
        ("", ""),
        ("First para.\n\n\n\nSecond para.", "First para.\n\nSecond para."),
        # blank-line paragraphs, hard-wrapped inside (wrap after a full stop too)
        ("The spokesman said\nthat the talks. They\nwill resume.\n\nNext paragraph\nhere.",
         "The spokesman said that the talks. They will resume.\n\nNext paragraph here."),
        # single newlines between paragraphs: each line is a paragraph, except the wrap
        ("Kirby said no.\nKirby reiterated that President\nJoe Biden plans to call.\nEnd.",
         "Kirby said no.\n\nKirby reiterated that President Joe Biden plans to call.\n\nEnd."),
        ("He said:\n\"We will not.\"\nThen (he left)\nquickly.",
         "He said:\n\n\"We will not.\"\n\nThen (he left) quickly."),
        ("\"No,\"\nshe said.\nIt ended.\nnext one.\nHe said:\nthe end.",
         "\"No,\" she said.\n\nIt ended.\n\nnext one.\n\nHe said:\n\nthe end."),
        # a repeated paragraph is dropped, the first kept (after whitespace normalisation)
        ("Alpha  beta.\n\nGamma.\n\n Alpha beta. \n\nDelta.", "Alpha beta.\n\nGamma.\n\nDelta."),
        ("Same line.\nOther line.\nSame line.", "Same line.\n\nOther line."),
        # headings and list items are not glued to their neighbours
        ("# Heading\nBody text here.\n- item one\n- item two",
         "# Heading\n\nBody text here.\n\n- item one\n\n- item two"),
        ("US Rejects Ceasefire Call\nThe United States said no.\nIt did.",
         "US Rejects Ceasefire Call\n\nThe United States said no.\n\nIt did."),
        ("BREAKING NEWS\nThe vote failed.\nMore later.", "BREAKING NEWS\n\nThe vote failed.\n\nMore later."),
        ("line\u2028break\u2029para", "line break\n\npara"),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_normalize_text_is_idempotent_on_samples(name):
    once = normalize_text((SAMPLES / name).read_text(encoding="utf-8"))
    assert once
    assert normalize_text(once) == once


# ------------------------------------------------------------------ real sample articles


def test_sample_articles():
    items = read(SAMPLES)
    assert all(isinstance(a, Article) for a in items), items
    assert [a.id for a in items] == ["000_001970584a3e2e1a", "002_1e090d0c0214b0e6"]
    first, second = items
    for article in items:
        assert not set(article.text) & set(CURLY)
        assert "\n\n\n" not in article.text and "  " not in article.text
        assert article.text == article.text.strip()
        assert article.path and Path(article.path).is_file()
    # the first article: 11 paragraphs separated by blank lines in the source
    assert len(paragraphs(first.text)) == 11
    assert "China's call for a ceasefire" in first.text
    # the second: 14 source lines, one hard wrap joined, one repeated paragraph dropped
    assert len(paragraphs(second.text)) == 12
    assert "Kirby reiterated that President Joe Biden plans" in second.text
    lead = "\"We don't support calls for a ceasefire right now,\""
    assert second.text.count(lead) == 1
    assert paragraphs(second.text)[0].startswith(lead)


# ------------------------------------------------------------------------------ formats


def test_plain_text_without_front_matter(tmp_path):
    art = only(read(write(tmp_path / "plain.txt", "Just a body.\n")))
    assert isinstance(art, Article)
    assert (art.id, art.text, art.title, art.date, art.path) == (
        "plain", "Just a body.", None, None, str(tmp_path / "plain.txt"))


@pytest.mark.parametrize("suffix", [".txt", ".md", ".markdown"])
def test_front_matter(tmp_path, suffix):
    src = (
        "---\n"
        "title: \u201cUS rejects\u201d   ceasefire\n"
        "date: 2023-03-17\n"  # YAML turns this into a datetime.date
        "source: Wire A\n"
        "url: https://example.com/a\n"
        "tags: [ignored]\n"
        "---\n"
        "Body line one.\n\nBody line two.\n"
    )
    art = only(read(write(tmp_path / f"fm{suffix}", src)))
    assert isinstance(art, Article)
    assert art.id == "fm"
    assert art.title == '"US rejects" ceasefire'
    assert art.date == "2023-03-17"
    assert art.source == "Wire A"
    assert art.url == "https://example.com/a"
    assert art.text == "Body line one.\n\nBody line two."


def test_front_matter_crlf_and_datetime(tmp_path):
    src = "---\r\ntitle: T\r\ndate: 2023-03-17 10:30:00\r\n---\r\nBody.\r\n"
    art = only(read(write(tmp_path / "crlf.txt", src)))
    assert isinstance(art, Article)
    assert (art.title, art.date, art.text) == ("T", "2023-03-17T10:30:00", "Body.")


@pytest.mark.parametrize(
    "front, reason",
    [
        ("title: [unclosed\n", "invalid YAML front matter"),
        ("- a\n- b\n", "not a mapping"),
        ("title:\n  nested: dict\n", "'title' must be a string"),
        ("title: ok\n", "unterminated YAML front matter"),  # no closing ---
    ],
)
def test_bad_front_matter_is_a_problem_and_reading_continues(tmp_path, front, reason):
    closing = "" if "unterminated" in reason else "---\n"
    bad = write(tmp_path / "a_bad.txt", f"---\n{front}{closing}Body.\n")
    good = write(tmp_path / "b_good.txt", "Fine.\n")
    items = read(bad, good)
    assert isinstance(items[0], Problem) and reason in items[0].reason
    assert items[0].source == str(bad)
    assert isinstance(items[1], Article) and items[1].text == "Fine."


def test_front_matter_without_body_is_empty(tmp_path):
    problem = only(read(write(tmp_path / "nobody.md", "---\ntitle: x\n---\n\n  \n")))
    assert isinstance(problem, Problem) and problem.reason == "empty"


def test_jsonl_good_and_bad_lines(tmp_path):
    lines = [
        '{"id": "a1", "text": "First \u201cquoted\u201d.", "title": "T1", "date": "2023-03-17",'
        ' "source": "Wire", "url": "https://example.com/1"}',  # 1 good
        '{"id": "a2", "text": "unterminated',  # 2 malformed JSON
        '{"id": "a3"}',  # 3 missing text
        '{"id": "a4", "text": "  \\u00a0 "}',  # 4 empty text after normalisation
        '{"id": 5, "text": "numeric id"}',  # 5 wrong id type
        '[1, 2]',  # 6 not an object
        '',  # 7 blank: skipped silently
        '{"id": "a8", "text": "Second."}',  # 8 good
        '{"id": "../../x", "text": "traversal"}',  # 9 unsafe id
        '{"id": "a10", "text": "t", "title": ["list"]}',  # 10 wrong metadata type
        '{"text": "no id"}',  # 11 missing id
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    items = read(path)
    articles = [i for i in items if isinstance(i, Article)]
    problems = {p.line: p.reason for p in items if isinstance(p, Problem)}
    assert [a.id for a in articles] == ["a1", "a8"]
    a1 = articles[0]
    assert (a1.text, a1.title, a1.date, a1.source, a1.url, a1.path) == (
        'First "quoted".', "T1", "2023-03-17", "Wire", "https://example.com/1", str(path))
    assert sorted(problems) == [2, 3, 4, 5, 6, 9, 10, 11]
    assert problems[2].startswith("invalid JSON")
    assert problems[3] == "missing 'text'"
    assert problems[4] == "empty 'text'"
    assert problems[5] == "'id' must be a string"
    assert problems[6] == "expected a JSON object"
    assert problems[9].startswith("unsafe id")
    assert problems[10] == "'title' must be a string"
    assert problems[11] == "missing 'id'"
    assert all(p.source == str(path) for p in items if isinstance(p, Problem))
    assert str(next(p for p in items if isinstance(p, Problem) and p.line == 3)) == (
        f"{path}:3: missing 'text'")


@pytest.mark.parametrize(
    "bad_id", ["../../x", "a/b", "a\\b", "..", "x..y", ".hidden", "a\u0000b", "a\nb", "a\x1bb", " pad", "x" * 201, ""]
)
def test_unsafe_jsonl_ids_are_rejected_not_sanitised(tmp_path, bad_id):
    import json

    path = write(tmp_path / "ids.jsonl", json.dumps({"id": bad_id, "text": "Body."}) + "\n")
    problem = only(read(path))
    assert isinstance(problem, Problem)
    assert problem.line == 1
    assert "id" in problem.reason and ("unsafe" in problem.reason or "empty" in problem.reason)


def test_safe_unusual_ids_are_kept(tmp_path):
    path = write(tmp_path / "ok.jsonl", '{"id": "reuters:2023-03-17.a", "text": "x"}\n{"id": "caf\u00e9 1", "text": "y"}\n')
    assert [a.id for a in read(path)] == ["reuters:2023-03-17.a", "caf\u00e9 1"]


def test_html_fixture(tmp_path):
    src = shutil.copy(FIXTURES / "ceasefire.html", tmp_path / "ceasefire.html")
    art = only(read(src))
    assert isinstance(art, Article)
    assert art.id == "ceasefire"
    assert art.title == "US rejects China's ceasefire call"
    assert art.date == "2023-03-17"
    assert art.source == "Example News"
    assert art.url == "https://news.example.com/2023/03/17/us-rejects-ceasefire"
    paras = paragraphs(art.text)
    assert len(paras) == 4
    assert paras[0].startswith("The United States today denounced China's call")
    assert paras[1].startswith('"We do not support calls for a ceasefire at this time,"')
    assert not set(art.text) & set(CURLY)
    for boilerplate in ("Home", "Sport", "Copyright", "Privacy", "analytics", "font-family"):
        assert boilerplate not in art.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><body><script>var x = 1;</script><style>p {}</style></body></html>",
    ],
)
def test_html_without_text_is_a_problem(tmp_path, html):
    problem = only(read(write(tmp_path / "blank.htm", html)))
    assert isinstance(problem, Problem)
    assert problem.reason == "no article text found in HTML"


def test_html_external_entities_are_not_resolved(tmp_path):
    secret = write(tmp_path / "secret.txt", "TOP-SECRET-MARKER")
    html = (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<html><body><article><p>The value is &xxe; and this paragraph is long enough to be "
        "extracted as the main text of the page.</p><p>A second paragraph of ordinary news "
        "text follows here, also of reasonable length.</p></article></body></html>"
    )
    items = read(write(tmp_path / "xxe.html", html))
    assert len(items) == 1
    text = items[0].text if isinstance(items[0], Article) else str(items[0])
    assert "TOP-SECRET-MARKER" not in text


def test_html_declared_latin1_charset_decodes_without_warning(tmp_path, caplog):
    html = (
        '<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body><article>'
        "<p>Le caf\xe9 de la gare a ferm\xe9 ses portes apr\xe8s quarante ans de service, "
        "a annonc\xe9 le propri\xe9taire.</p><p>Les habitants du quartier regrettent "
        "d\xe9j\xe0 cet endroit tr\xe8s appr\xe9ci\xe9.</p></article></body></html>"
    ).encode("latin-1")
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        art = only(read(write(tmp_path / "fr.html", html)))
    assert isinstance(art, Article)
    assert "Le caf\u00e9 de la gare a ferm\u00e9" in art.text
    assert not caplog.records


# ----------------------------------------------------------------------- bad content


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\t\r\n  \n", "empty"),
        ("bom_only.txt", b"\xef\xbb\xbf\n", "empty"),
        ("nbsp_only.txt", "\u00a0\u2009\n".encode(), "empty"),
        ("empty.jsonl", b"\n\n", "empty"),
        ("nul.txt", b"Some text\x00with a NUL byte", "binary file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)), "binary file"),
        ("controls.md", bytes([1, 2, 3, 4, 5, 6, 14, 15, 16]) * 20 + b"text", "binary file"),
        ("page.html", b"", "empty"),
    ],
)
def test_empty_and_binary_files(tmp_path, name, content, reason):
    path = write(tmp_path / name, content)
    problem = only(read(path))
    assert isinstance(problem, Problem)
    assert (problem.source, problem.reason, problem.line) == (str(path), reason, None)


def test_utf8_bom_is_stripped(tmp_path):
    art = only(read(write(tmp_path / "bom.txt", b"\xef\xbb\xbfHello world.\n")))
    assert isinstance(art, Article) and art.text == "Hello world."


def test_utf16_with_bom(tmp_path):
    art = only(read(write(tmp_path / "wide.txt", "Wide \u201ctext\u201d.".encode("utf-16"))))
    assert isinstance(art, Article) and art.text == 'Wide "text".'


@pytest.mark.parametrize(
    "raw, expected_text, encoding",
    [
        (b"Caf\xe9 \x93quoted\x94 \x85 na\xefve.", 'Caf\u00e9 "quoted" \u2026 na\u00efve.', "cp1252"),
        (b"Caf\xe9 \x81 control.", "Caf\u00e9 control.", "latin-1"),  # 0x81 is undefined in cp1252
    ],
)
def test_non_utf8_file_is_decoded_with_a_warning(tmp_path, caplog, raw, expected_text, encoding):
    path = write(tmp_path / "legacy.txt", raw)
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        art = only(read(path))
    assert isinstance(art, Article)
    assert art.text == expected_text
    warnings = [r for r in caplog.records if r.name == "kg.ingest" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    assert encoding in warnings[0].getMessage()


def test_utf8_file_logs_no_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        art = only(read(write(tmp_path / "ok.txt", "Caf\u00e9.")))
    assert isinstance(art, Article) and art.text == "Caf\u00e9."
    assert not [r for r in caplog.records if r.name == "kg.ingest"]


# ---------------------------------------------------------------------- paths and walking


def test_directory_walk_order_and_suffix_filter(tmp_path):
    root = tmp_path / "corpus"
    for rel in [
        "b.txt", "a.md", "c.jsonl", "d.markdown", "e.TXT", "skip.pdf", "skip.json", "noext",
        ".hidden.txt", ".hiddendir/x.txt", "sub/z.txt", "sub/a.txt", "sub/deeper/m.md", "a-c.txt",
    ]:
        content = '{"id": "j1", "text": "From jsonl."}\n' if rel.endswith(".jsonl") else f"Text of {rel}."
        write(root / rel, content)
    got = [(a.id, Path(a.path).relative_to(root).as_posix()) for a in read(root)]
    assert got == [
        ("a-c", "a-c.txt"),
        ("a", "a.md"),
        ("b", "b.txt"),
        ("j1", "c.jsonl"),
        ("d", "d.markdown"),
        ("e", "e.TXT"),
        ("sub/a", "sub/a.txt"),  # ids from the path relative to the folder named: never the same
        ("sub/deeper/m", "sub/deeper/m.md"),
        ("sub/z", "sub/z.txt"),
    ]
    flat = [Path(a.path).name for a in read(root, recursive=False)]
    assert flat == ["a-c.txt", "a.md", "b.txt", "c.jsonl", "d.markdown", "e.TXT"]


def test_symlink_loop_terminates(tmp_path):
    root = tmp_path / "loop"
    write(root / "a.txt", "Only once.")
    write(root / "sub" / "b.txt", "Also once.")
    os.symlink(root, root / "sub" / "back")  # sub/back -> loop/
    os.symlink(".", root / "self")  # self -> loop/
    os.symlink(root / "missing", root / "dangling.txt")
    items = list(itertools.islice(read_articles([str(root)]), 50))
    assert len(items) < 50, "walk did not terminate"
    assert sorted(a.text for a in items if isinstance(a, Article)) == ["Also once.", "Only once."]
    problems = [p for p in items if isinstance(p, Problem)]
    assert [(Path(p.source).name, p.reason) for p in problems] == [("dangling.txt", "broken symbolic link")]


def test_missing_path_and_reading_continues(tmp_path):
    good = write(tmp_path / "good.txt", "Fine.")
    missing = tmp_path / "nope.txt"
    items = read(missing, good, tmp_path / "nodir")
    assert isinstance(items[0], Problem)
    assert (items[0].source, items[0].reason) == (str(missing), "no such file or directory")
    assert isinstance(items[1], Article) and items[1].id == "good"
    assert isinstance(items[2], Problem) and items[2].reason == "no such file or directory"


def test_explicit_unsupported_file_type(tmp_path):
    problem = only(read(write(tmp_path / "report.pdf", b"%PDF-1.7")))
    assert isinstance(problem, Problem) and "unsupported file type" in problem.reason


def test_explicit_hidden_file_is_read(tmp_path):
    art = only(read(write(tmp_path / "visible" / "_x.txt", "Shown.")))
    assert isinstance(art, Article) and art.id == "_x"


def test_same_content_in_two_files_both_yield(tmp_path):
    write(tmp_path / "one.txt", "Identical body.")
    write(tmp_path / "two.txt", "Identical body.")
    items = read(tmp_path)
    assert [a.id for a in items] == ["one", "two"]
    assert items[0].sha256 == items[1].sha256


# ---------------------------------------------------------------------------------- stdin


def test_stdin_plain_text():
    stream = io.StringIO("\ufeff\u201cHello,\u201d she said.\nWrapped line\ncontinues here.\n")
    art = only(read("-", stdin=stream))
    assert isinstance(art, Article)
    assert (art.id, art.path) == ("stdin", None)
    assert art.text == '"Hello," she said.\n\nWrapped line continues here.'


def test_stdin_jsonl_with_bad_line():
    stream = io.StringIO('\n  {"id": "s1", "text": "One."}\nnot json\n{"id": "s2", "text": "Two."}\n')
    items = read("-", stdin=stream)
    assert [a.id for a in items if isinstance(a, Article)] == ["s1", "s2"]
    problems = [p for p in items if isinstance(p, Problem)]
    assert [(p.source, p.line) for p in problems] == [("<stdin>", 3)]
    assert str(problems[0]).startswith("<stdin>:3: invalid JSON")


@pytest.mark.parametrize("content, reason", [("", "empty"), (" \n\t\n", "empty"), ("a\x00b", "binary file")])
def test_stdin_bad_content(content, reason):
    problem = only(read("-", stdin=io.StringIO(content)))
    assert isinstance(problem, Problem) and problem.reason == reason


def test_stdin_mixed_with_files(tmp_path):
    f = write(tmp_path / "f.txt", "From file.")
    items = read(f, "-", stdin=io.StringIO("From stdin."))
    assert [(a.id, a.text) for a in items] == [("f", "From file."), ("stdin", "From stdin.")]


def test_import_is_light():
    import subprocess
    import sys

    code = "import sys, kg.ingest; print(sorted(m for m in ('spacy', 'trafilatura', 'yaml', 'feedparser', 'kg.ingest.fetch', 'urllib.request') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------- ids, headlines, _meta.yaml


def test_same_file_names_in_two_folders_get_two_ids(tmp_path):
    root = tmp_path / "archive"
    write(root / "politics" / "001.txt", "Peru praised Bolivia.")
    write(root / "sports" / "001.txt", "Chile beat Peru.")
    write(root / "top.txt", "A top story.")
    assert [a.id for a in read(root)] == ["politics/001", "sports/001", "top"]
    # a folder named itself: ids relative to it (a store built from it keeps its ids)
    assert [a.id for a in read(root / "sports")] == ["001"]
    assert doc_id_for(root / "sports" / "001.txt", root) == "sports/001"


def test_two_articles_with_one_id_in_a_run_are_both_named(tmp_path):
    from kg.ingest import read_inputs

    write(tmp_path / "a" / "001.txt", "Peru praised Bolivia.")
    write(tmp_path / "b" / "001.txt", "Chile beat Peru.")
    ids = [(r.item.id, r.source) for r in read_inputs([str(tmp_path / "a"), str(tmp_path / "b")])]
    assert ids == [("001", str(tmp_path / "a" / "001.txt")), ("001", str(tmp_path / "b" / "001.txt"))]


@pytest.mark.parametrize(("text", "mode", "title", "body"), [
    ("Peru and Bolivia sign water deal\n\nPeru signed a deal with Bolivia.", "auto",
     "Peru and Bolivia sign water deal", "Peru signed a deal with Bolivia."),
    ("# Peru signs deal #\n\nPeru signed a deal.", "auto", "Peru signs deal", "Peru signed a deal."),
    ("\n\nPeru signs deal\r\n\r\nPeru signed a deal.", "auto", "Peru signs deal", "Peru signed a deal."),
    # a first sentence, a hard-wrapped paragraph, a long line: no headline
    ("Peru signed a deal.\n\nBolivia agreed.", "auto", None, "Peru signed a deal.\n\nBolivia agreed."),
    ("Peru signed a deal with\nBolivia on Monday.", "auto", None, "Peru signed a deal with Bolivia on Monday."),
    (" ".join(["word"] * 30) + "\n\nPeru signed.", "auto", None, None),
    # first-line: whatever it ends with; none: never
    ("Peru signed a deal.\nBolivia agreed.", "first-line", "Peru signed a deal.", "Bolivia agreed."),
    ("Peru signs deal\n\nPeru signed a deal.", "none", None, "Peru signs deal\n\nPeru signed a deal."),
    # one line is the article itself
    ("Peru signs deal", "first-line", None, "Peru signs deal"),
])
def test_headline_conventions(tmp_path, text, mode, title, body):
    art = only(read(write(tmp_path / "a.txt", text), title_from=mode))
    assert isinstance(art, Article), art
    assert art.title == title
    if body is not None:
        assert art.text == body


def test_front_matter_title_wins_over_the_first_line(tmp_path):
    art = only(read(write(tmp_path / "a.txt", "---\ntitle: Given\n---\nShort line\n\nPeru signed."),
                    title_from="first-line"))
    assert art.title == "Given" and art.text == "Short line\n\nPeru signed."


def test_folder_meta_gives_source_date_and_title_from(tmp_path, caplog):
    root = tmp_path / "feed"
    write(root / "_meta.yaml", "source: Reuters\ndate: 2024-03-05\ntitle_from: none\n")
    write(root / "a.txt", "Peru signs deal\n\nPeru signed a deal.")
    write(root / "b.txt", "---\nsource: AP\n---\nChile won.")
    write(root / "sub" / "_meta.yaml", "date: 2024-04-01\ntitle_from: auto\nbogus: 1\n")
    write(root / "sub" / "c.txt", "Chile wins\n\nChile won.")
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        arts = {a.id: a for a in read(root)}
    assert (arts["a"].source, arts["a"].date, arts["a"].title) == ("Reuters", "2024-03-05", None)
    assert arts["b"].source == "AP"  # the article's own value wins
    assert (arts["sub/c"].source, arts["sub/c"].date, arts["sub/c"].title) == ("Reuters", "2024-04-01", "Chile wins")
    assert any("unknown keys bogus" in r.getMessage() for r in caplog.records)


def test_bad_folder_meta_is_one_problem_and_the_folder_is_still_read(tmp_path):
    root = tmp_path / "feed"
    write(root / "_meta.yaml", "source: [unclosed\n")
    write(root / "a.txt", "Peru signed a deal.")
    write(root / "b.txt", "Chile won.")
    items = read(root)
    problems = [i for i in items if isinstance(i, Problem)]
    assert [p.source for p in problems] == [str(root / "_meta.yaml")]
    assert "invalid _meta.yaml" in problems[0].reason and "read without it" in problems[0].reason
    assert [a.id for a in items if isinstance(a, Article)] == ["a", "b"]
