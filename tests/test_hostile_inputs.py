"""Hostile inputs and the probe of issue 19 (items 2, 8 and 9), kept as tests: real `kg build`
subprocesses on temporary folders, real stores, real files and links, a real read-only file system.

- every hostile input is skipped with one line naming it (or built, with one warning line),
  while a good article beside it is built - never a traceback, never 0 built;
- symbolic links that lead out of an input folder are skipped unless --follow-symlinks;
- commands that write a store they cannot write say so in one line, exit 1, no traceback;
- file names and other input-controlled strings are printed with control characters escaped;
- a one-line article of megabytes is skipped with a reason (or, without the limit, cut and built).

Ingest itself is fuzzed with hypothesis (in-process, no spaCy): whatever the bytes, front
matter or JSONL line, reading yields Articles and Problems and never raises.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import Problem, read_inputs
from kg.model import Article
from kg.printable import printable
from kg.store import KGStore

KG_BIN = [sys.executable, "-m", "kg.cli"]
GOOD = "Chile condemned the attack on the embassy in Lima on Tuesday."
BODY = "Peru praised the agreement with Bolivia on water rights, the minister said."


def kg(*args: object, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG_BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          errors="surrogateescape")


def build(store: Path, *inputs: object, extra: tuple = ()) -> subprocess.CompletedProcess:
    return kg("build", *inputs, "--store", store, "--no-progress", *extra)


def stored(store: Path) -> dict[str, Article]:
    """The stored articles by id (text, title, date)."""
    q = """PREFIX kg: <https://w3id.org/newskg/ontology#> PREFIX schema: <https://schema.org/>
    SELECT ?doc ?text ?title ?date WHERE { GRAPH ?g { ?a kg:docId ?doc ; schema:text ?text
      OPTIONAL { ?a schema:headline ?title } OPTIONAL { ?a schema:datePublished ?date } } }"""
    with KGStore.open(store, read_only=True) as s:
        return {r["doc"].value: Article(r["doc"].value, r["text"].value, title=r["title"] and r["title"].value,
                                        date=r["date"] and r["date"].value) for r in s.query(q)}


def lines_about(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"/{name}" in line and not line.startswith("kg: INFO")]


def jsonl(**record) -> str:
    return json.dumps(record) + "\n"


# ---------------------------------------------------------------- item 2: one bad input, one line
def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def laughs() -> str:
    """A YAML "billion laughs": 10^9 'lol' if aliases were expanded into copies."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "---\n" + "\n".join(lines) + "\ntitle: *l8\n---\n" + BODY


HOSTILE = {
    # name: (file content, what happens: "skipped: REASON" or "built" / "warning: TEXT")
    "baddate.md": ("---\ntitle: Water\ndate: 2024-13-45\n---\n" + BODY,
                   "warning: 'date' '2024-13-45' is not a valid date (month must be in 1..12): left out"),
    "deepyaml.md": ("---\ntitle: " + nested(1000) + "\n---\n" + BODY,
                    "skipped: invalid YAML front matter: nested too deeply"),
    "surrogate.jsonl": (jsonl(id="surrogate", text=BODY + " \ud800 end."),
                        "warning: invalid Unicode (lone surrogate code points) replaced with U+FFFD"),
    "bignumber.jsonl": ('{"id": "bignumber", "text": "%s", "n": %s}\n' % (BODY, "7" * 5000),
                        "skipped: invalid JSON: a number of 5,000 digits"),
    "deeparray.jsonl": ('{"id": "deeparray", "text": "%s", "x": %s}\n' % (BODY, nested(100_000)),
                        "skipped: invalid JSON: nested too deeply"),
    "laughs.md": (laughs(), "skipped: 'title' must be a string"),
    "pythontag.md": ("---\ntitle: !!python/object/apply:os.system ['touch /tmp/kg-pwned']\n---\n" + BODY,
                     "skipped: invalid YAML front matter (front matter line 1): could not determine a constructor"),
    "hugeyaml.md": ("---\n" + "".join(f"key{i}: value {i}\n" for i in range(8000)) + "---\n" + BODY,
                    "skipped: YAML front matter too long (over 65,536 characters)"),
    "bigyamlint.md": ("---\ntitle: " + "9" * 5000 + "\n---\n" + BODY, "built"),  # kept as the text written
    "hexyamlint.md": ("---\ntitle: 0x" + "f" * 5000 + "\n---\n" + BODY,
                      "skipped: 'title' is a number too long to write out"),
    "listtitle.md": ("---\ntitle: [a, b]\ndate: {day: 1}\n---\n" + BODY, "skipped: 'title' must be a string"),
    "yamlbool.md": ("---\ntitle: !!bool maybe\ndate: !!timestamp soon\n---\n" + BODY, "built"),
    "bomcrlf.md": ("\ufeff---\r\ntitle: Water deal\r\ndate: 2024-03-01\r\n---\r\n" + BODY + "\r\n", "built"),
    "nul.jsonl": (jsonl(id="nul", text=BODY.replace("agreement", "agree\u0000ment"), title="a\u0000b"), "built"),
    "badjsondate.jsonl": (jsonl(id="badjsondate", text=BODY, date="2023-02-29"),
                          "warning: 'date' '2023-02-29' is not a valid date (day is out of range for month): left out"),
    "idna.html": (b'<html><head><meta charset="idna"><title>Water</title></head><body><p>' + BODY.encode()
                  + b' \xe9t\xe9.</p></body></html>', "warning: not valid UTF-8, decoded as cp1252"),
    "binary.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "skipped: binary file"),
    "longline.jsonl": (jsonl(id="longline", text="word " * 240_000),
                       "skipped: too long (1,199,999 characters; the limit is 1,000,000"),
}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """One real `kg build` of a folder holding every hostile file and one good article."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, (content, _) in HOSTILE.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
        (folder / name).write_bytes(data)
    r = build(root / "store", folder)
    return r, stored(root / "store")


def test_hostile_folder_builds_the_rest(hostile_build):
    r, articles = hostile_build
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr  # something was skipped
    skipped = [n for n, (_, outcome) in HOSTILE.items() if outcome.startswith("skipped")]
    built = {Path(n).stem for n in HOSTILE} - {Path(n).stem for n in skipped}
    assert set(articles) == built | {"good"}
    summary = r.stderr.splitlines()[-1]
    assert summary.startswith(f"kg: {len(built) + 1} built, 0 replaced, 0 unchanged, {len(skipped)} skipped (")
    assert "2 invalid date left out" in summary and "1 invalid Unicode replaced" in summary


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_input_gives_one_line(hostile_build, name):
    r, articles = hostile_build
    outcome = HOSTILE[name][1]
    lines = lines_about(r.stderr, name)
    if outcome == "built":
        assert lines == []
    else:
        assert len(lines) == 1, lines
        verb, _, reason = outcome.partition(": ")
        prefix = "kg: skipped " if verb == "skipped" else "kg: WARNING: "
        assert lines[0].startswith(prefix) and f"/{name}" in lines[0] and f": {reason}" in lines[0], lines[0]


def test_hostile_values_are_read_as_a_user_expects(hostile_build):
    _, articles = hostile_build
    assert articles["baddate"].date is None and articles["baddate"].title == "Water"  # kept, date left out
    assert articles["badjsondate"].date is None
    assert "\ufffd" in articles["surrogate"].text and "\ud800" not in articles["surrogate"].text
    assert articles["bigyamlint"].title == "9" * 5000
    assert (articles["yamlbool"].title, articles["yamlbool"].date) == ("maybe", "soon")
    assert (articles["bomcrlf"].title, articles["bomcrlf"].date) == ("Water deal", "2024-03-01")
    assert articles["nul"].title == "ab" and "\x00" not in articles["nul"].text
    assert not Path("/tmp/kg-pwned").exists()


# ---------------------------------------------------------------- item 2: fuzzing ingest
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
ODD = st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b[2J", "\r\n", "\r", "\ufeff", "\u2028", "\u202e", "---",
                       "...", "&a ", "*a", "!!python/object:os.system", "!!binary", "!!timestamp", "!!int",
                       "2024-13-45", "2024-02-30 25:61:00", "9" * 4400, "0x" + "f" * 4000, "[" * 1200, "{a: " * 400,
                       "? ", ": ", "- ", "|", ">", "%YAML 1.1\n", "\t", "'", '"', "\\", "#", "\n"])
YAML_TEXT = st.lists(st.one_of(st.text(max_size=20), ODD), max_size=30).map("".join)
FRONT_MATTER = st.lists(st.one_of(
    st.tuples(st.sampled_from(["title", "date", "source", "url", "x", "<<", "? title"]), st.one_of(ODD, YAML_TEXT))
    .map(": ".join),
    YAML_TEXT), max_size=8).map("\n".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | ODD,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


def check_reads(reads) -> list:
    out = []
    for r in reads:
        assert isinstance(r.item, (Article, Problem))
        if isinstance(r.item, Article):
            r.item.sha256  # hashable: valid Unicode
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in r.item.text + (r.item.title or ""))
        else:
            assert "\n" not in str(r.item) and str(r.item).isprintable()
        out.append(r)
    return out


@FUZZ
@given(front=FRONT_MATTER, body=st.one_of(st.just(BODY), YAML_TEXT))
def test_fuzz_front_matter_never_raises(tmp_path, front, body):
    path = tmp_path / "fuzz.md"
    path.write_bytes(f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))
    assert len(check_reads(read_inputs([str(path)]))) == 1


@FUZZ
@given(records=st.lists(st.one_of(
    st.fixed_dictionaries({"id": st.one_of(st.just("a"), st.text(max_size=10), ODD), "text": JSON_VALUES},
                          optional={"title": JSON_VALUES, "date": JSON_VALUES, "x": JSON_VALUES}),
    JSON_VALUES), max_size=5), garbage=st.one_of(st.just(""), st.sampled_from(
        ["{", '{"id": "z", "text": 1e999999}', '{"id": "z", "text": "a", "n": -' + "1" * 5000 + "}",
         '{"id": "z", "text": "\\ud800\\udfff\\udc00"}', "[" * 50_000, '"\\u0000"', "\x00\x01"])))
def test_fuzz_jsonl_never_raises(tmp_path, records, garbage):
    lines = [json.dumps(r) for r in records] + [garbage]
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    check_reads(read_inputs([str(path)]))


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl"]),
       prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"---\n", b'<meta charset="utf-7">',
                               b'<meta charset="idna">', b'<meta charset="unicode_escape">', b'<meta charset="rot13">']))
def test_fuzz_bytes_never_raise(tmp_path, data, suffix, prefix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(prefix + data)
    check_reads(read_inputs([str(path)]))


# ---------------------------------------------------------------- item 8: symbolic links
@pytest.fixture()
def linked(tmp_path):
    """An input folder with links out of it (to a folder, to a file) and links inside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Norway praised the secret agreement with Sweden, the minister said.")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD)
    (folder / "sub" / "inner.txt").write_text(BODY)
    os.symlink(outside, folder / "away")  # a folder outside
    os.symlink(outside / "secret.txt", folder / "leak.txt")  # a file outside
    os.symlink("sub", folder / "alias")  # inside: followed
    os.symlink(Path("sub") / "inner.txt", folder / "inner-link.txt")  # inside (the same article twice)
    return folder, outside


def test_symbolic_links_out_of_the_folder_are_not_followed(linked, tmp_path):
    folder, outside = linked
    r = build(tmp_path / "s", folder)
    assert "Traceback" not in r.stderr
    skipped = [line for line in r.stderr.splitlines() if line.startswith("kg: skipped")]
    assert f"kg: skipped {folder / 'away'}: symbolic link leads outside '{folder}' (to '{outside}'); " \
           "pass --follow-symlinks to follow it" in skipped
    assert f"kg: skipped {folder / 'leak.txt'}: symbolic link leads outside '{folder}' " \
           f"(to '{outside / 'secret.txt'}'); pass --follow-symlinks to follow it" in skipped
    # links inside the folder still read (sub/ is first met as alias/: its id follows that path)
    assert set(stored(tmp_path / "s")) == {"good", "alias/inner"}
    assert "1 duplicate, 2 skipped (2 symbolic link leads outside)" in r.stderr.splitlines()[-1]

    r = build(tmp_path / "s2", folder, extra=("--follow-symlinks",))
    assert set(stored(tmp_path / "s2")) == {"good", "alias/inner", "away/secret"}  # followed (leak.txt: the same article)
    assert "symbolic link leads outside" not in r.stderr

    # a file named on the command line is read, wherever its link leads: the user named it
    r = build(tmp_path / "s3", folder / "leak.txt")
    assert r.returncode == 0, r.stderr
    assert set(stored(tmp_path / "s3")) == {"leak"}


def test_etc_passwd_behind_a_link_never_reaches_the_store(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink("/etc", folder / "etc")
    r = build(tmp_path / "s", folder, extra=("--any-language",))
    assert set(stored(tmp_path / "s")) == {"good"}
    skipped = [line for line in r.stderr.splitlines() if line.startswith("kg: skipped")]
    assert len(skipped) == 2 and all(": symbolic link leads outside " in line for line in skipped), skipped
    with KGStore.open(tmp_path / "s", read_only=True) as s:
        assert not any("root:" in str(q.object) for q in s.ox)


# ---------------------------------------------------------------- item 9: read-only stores
def run_on_read_only(store: Path, *args: object) -> subprocess.CompletedProcess:
    """``kg ARGS`` with ``store`` on a read-only file system: a read-only bind mount in a mount
    namespace of its own when root (root writes through permissions), else without write
    permission."""
    cmd = [*KG_BIN, *map(str, args)]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [store, *store.rglob("*")]}
        for p, mode in modes.items():
            p.chmod(mode & ~0o222)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
    if not shutil.which("unshare"):
        pytest.skip("root without unshare: no way to make a read-only store")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    r = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(store), *cmd], capture_output=True,
                       text=True, timeout=300)
    if "mount:" in r.stderr or "unshare:" in r.stderr:
        pytest.skip(f"cannot mount read-only here: {r.stderr.strip()}")
    return r


class CountingEndpoint:
    """A Graph Store endpoint on 127.0.0.1 that answers 204 and counts the requests."""

    def __init__(self):
        self.requests = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                endpoint.requests += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_DELETE = do_POST = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/store"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_commands_that_write_a_read_only_store_say_so(handmade_store, tmp_path):
    before = stored(handmade_store)
    r = run_on_read_only(handmade_store, "remove", "doc1", "--store", handmade_store)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1
    assert r.stderr.startswith(f"kg: error: cannot write the store {handmade_store}: ") and len(
        r.stderr.splitlines()) == 1, r.stderr

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    r = run_on_read_only(handmade_store, "build", folder, "--store", handmade_store, "--no-progress")
    assert "Traceback" not in r.stderr and r.returncode == 1
    assert "kg: error: cannot write the store" in r.stderr

    endpoint = CountingEndpoint()
    try:
        r = run_on_read_only(handmade_store, "push", "--endpoint", endpoint.url, "--store", handmade_store)
    finally:
        endpoint.close()
    assert "Traceback" not in r.stderr and r.returncode == 1, r.stderr
    assert f"kg: error: cannot write {handmade_store / 'push-state.json'}: " in r.stderr
    assert endpoint.requests == 0  # said before anything was sent

    r = run_on_read_only(handmade_store, "export", "--format", "ttl", "-o", handmade_store / "x.ttl",
                         "--store", handmade_store)
    assert "Traceback" not in r.stderr and r.returncode == 1
    assert stored(handmade_store) == before


# ---------------------------------------------------------------- item 9: escaped messages
def test_file_names_with_escape_sequences_are_printed_escaped(tmp_path):
    folder = tmp_path / "in"
    evil_dir = folder / "news\x1b]0;pwned\x07"
    evil_dir.mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD)
    (evil_dir / "empty.txt").write_text("")  # skipped: its message names the folder
    (folder / "red\x1b[31mtitle.txt").write_text(BODY)  # an id with a control character: unsafe
    (folder / "two\nlines.txt").write_text(BODY)
    (folder / "rtl\u202etxt.md").write_text(BODY.replace("Peru", "Chile"))  # built; its name escaped in logs
    (folder / "bad.jsonl").write_text(jsonl(id="x\x1b[2Jy", text=BODY)
                                      + jsonl(id="ok", text="Ghana welcomed the trade deal with Kenya.", date="\x1b[5m"))
    r = kg("-v", "build", folder, "--store", tmp_path / "s", "--no-progress")
    assert r.returncode == 1, r.stderr
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in r.stderr
    lines = r.stderr.splitlines()
    assert f"kg: skipped {folder}/news\\x1b]0;pwned\\x07/empty.txt: empty" in lines
    assert f"kg: skipped {folder}/red\\x1b[31mtitle.txt: unsafe id 'red\\x1b[31mtitle'" in lines
    assert f"kg: skipped {folder}/two\\nlines.txt: unsafe id 'two\\nlines'" in lines
    assert f"kg: skipped {folder}/bad.jsonl:1: unsafe id 'x\\x1b[2Jy'" in lines
    assert any("rtl\\u202etxt" in line for line in lines)  # the INFO log lines name it escaped
    assert "Traceback" not in r.stderr
    assert stored(tmp_path / "s")["ok"].date == "[5m"
    assert printable("a\x1b[31mb\nc\udce9") == "a\\x1b[31mb\\nc\\xe9"


# ---------------------------------------------------------------- item 9: a one-line article of megabytes
def test_long_one_line_article_is_skipped_with_a_reason(tmp_path):
    """A 3 MB article on one line (no paragraph, no line break): skipped with its length and
    the limit, the good article beside it built (the 50 MB case is measured by
    bench/bench_long_article.py)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    sentence = "Chile condemned the missile strike on Peru, the foreign ministry said. "
    (folder / "oneline.txt").write_text((sentence * 45_000)[:3_000_000])
    r = build(tmp_path / "s", folder)
    assert r.returncode == 1, r.stderr
    assert f"kg: skipped {folder / 'oneline.txt'}: too long (3,000,000 characters; the limit is 1,000,000: " \
           "--max-article-chars N, 0 for none)" in r.stderr.splitlines()
    assert set(stored(tmp_path / "s")) == {"good"}


def test_long_one_line_article_without_spaces_is_cut_anywhere_when_allowed(tmp_path):
    """With --max-article-chars 0 a 2 MB run of letters (no break, no space) is cut where it
    must be and built - one token per piece, quickly."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "letters.txt").write_text("Kenya" * 400_000)
    r = build(tmp_path / "s", folder, extra=("--max-article-chars", "0", "--any-language"))
    assert r.returncode == 0, r.stderr
    assert stored(tmp_path / "s")["letters"].text == "Kenya" * 400_000
