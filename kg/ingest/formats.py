"""The article formats, text in, :class:`~kg.model.Article` out: plain text or markdown with
optional YAML front matter, JSONL (one article a line), HTML (main text and metadata via
trafilatura). Every parser raises ``Reject`` with the reason an input is refused and appends
its warnings to ``notes``; it does not care where the text came from (a file, stdin, the web)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..model import Article
from .fields import META_FIELDS, check_id, meta_value, surrogate_notes
from .frontmatter import split_front_matter
from .headline import split_headline
from .normalize import clean_inline, normalize_text
from .records import Note, Problem, Reject, parsed

#: File suffixes read when walking a directory, and the reader used for each.
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
}


# ------------------------------------------------------------------------- text, markdown


def parse_text_document(text: str, doc_id: str, *, path: str | None, notes: list[Note] | None = None,
                        title_from: str = "auto") -> Article:
    """A ``.txt``/``.md`` document (optional YAML front matter) as an Article; warnings about
    what was read all the same are appended to ``notes``. Without a ``title`` in its front
    matter, its first line may be its headline (``title_from``: :mod:`.headline`)."""
    notes = [] if notes is None else notes
    meta, body = split_front_matter(text)
    fields = {key: meta_value(meta, key, notes) for key in META_FIELDS}
    notes += surrogate_notes(body, *(meta.get(key) for key in META_FIELDS))
    if fields["title"] is None:
        headline, rest = split_headline(body, title_from)
        if headline is not None and (title := clean_inline(headline)) and normalize_text(rest):
            fields["title"], body = title, rest
    body = normalize_text(body)
    if not body:
        raise Reject("empty")
    return Article(id=doc_id, text=body, path=path, **fields)


# ---------------------------------------------------------------------------------- JSONL


def parse_jsonl(text: str, source: str, *, path: str | None) -> Iterator[Article | Problem]:
    """One Article per JSONL line; a Problem (with its line number) for each bad line."""
    for item, _, _ in jsonl_items(text, source, path=path):
        yield item


def jsonl_items(text: str, source: str, *, path: str | None) -> Iterator[tuple[Article | Problem, int, list[Note]]]:
    """``(Article or Problem, line number, notes)`` for each non-blank JSONL line; whatever
    goes wrong with one line is that line's Problem."""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        notes: list[Note] = []
        yield parsed(lambda: _jsonl_article(line, path, notes), source, number), number, notes


def _json_int(digits: str) -> int:
    """A JSON integer; ``Reject`` for one too long for Python to convert (over
    ``sys.get_int_max_str_digits()`` digits, 4,300 by default)."""
    try:
        return int(digits)
    except ValueError:
        raise Reject(f"invalid JSON: a number of {len(digits.lstrip('-')):,} digits") from None


def _jsonl_article(line: str, path: str | None, notes: list[Note] | None = None) -> Article:
    """Parse one JSONL line; ``Reject`` with a reason if it is not a valid article."""
    notes = [] if notes is None else notes
    try:
        record = json.loads(line, parse_int=_json_int)
    except json.JSONDecodeError as err:
        raise Reject(f"invalid JSON: {err.msg} (column {err.colno})") from None
    except RecursionError:
        raise Reject("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise Reject("expected a JSON object")
    for key in ("id", "text"):
        if key not in record or record[key] is None:
            raise Reject(f"missing {key!r}")
        if not isinstance(record[key], str):
            raise Reject(f"{key!r} must be a string")
    doc_id = check_id(record["id"])
    for key in META_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise Reject(f"{key!r} must be a string")
    body = normalize_text(record["text"])
    if not body:
        raise Reject("empty 'text'")
    fields = {key: meta_value(record, key, notes) for key in META_FIELDS}
    notes += surrogate_notes(record["text"], *(record.get(key) for key in META_FIELDS))
    return Article(id=doc_id, text=body, path=path, **fields)


# ----------------------------------------------------------------------------------- HTML

_BOILERPLATE = re.compile(
    r"(?i)^(?:©|\(c\)\s|copyright\b)|all rights reserved|^(?:subscribe|sign (?:in|up)|log ?in|share (?:this|on)|"
    r"skip to|follow us|read more|related)\b|\bcookies?\b.*\b(?:accept|consent|policy)\b"
)


def _is_prose(paragraph: str) -> bool:
    """A paragraph of at least four words with a lower-case one, not a copyright/cookie line."""
    words = paragraph.split()
    return len(words) >= 4 and any(w[:1].islower() for w in words) and not _BOILERPLATE.search(paragraph)


def parse_html(text: str, doc_id: str, *, path: str | None, notes: list[Note] | None = None,
               url: str | None = None) -> Article:
    """Main text and metadata of an HTML page via trafilatura, as an Article; ``url``: where the
    page was fetched (trafilatura resolves relative links against it, and names the site by
    its host when the page gives no name).

    trafilatura parses with lxml's *HTML* parser, which does not load DTDs or resolve
    external entities; no XML parser is involved.
    """
    import trafilatura  # lazy: slow import, only needed for HTML

    try:
        doc = trafilatura.bare_extraction(text, url=url, with_metadata=True, include_comments=False)
    except Exception as err:  # trafilatura/lxml may raise on pathological input
        raise Reject(f"HTML extraction failed: {type(err).__name__}") from None
    if doc is None:
        raise Reject("no article text found in HTML")

    def get(key: str) -> Any:
        value = doc.get(key) if isinstance(doc, dict) else getattr(doc, key, None)
        return value if isinstance(value, str) and value.strip() else None

    title = clean_inline(get("title") or "") if get("title") else None
    # trafilatura puts one block element per line: each line is a paragraph
    body = normalize_text((get("text") or "").replace("\n", "\n\n"))
    if title and body.startswith(title + "\n\n"):
        body = body[len(title) + 2:]  # the headline repeated as first paragraph
    if not body or body == title:
        raise Reject("no article text found in HTML")
    if not any(_is_prose(p) for p in body.split("\n\n")):
        raise Reject("no article text found in HTML (only navigation or boilerplate)")
    return Article(
        id=doc_id,
        text=body,
        title=title,
        date=get("date"),
        source=get("sitename") or get("hostname"),
        url=get("url"),
        path=path,
        author=clean_inline(get("author")) if get("author") else None,
    )
