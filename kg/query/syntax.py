"""A SPARQL syntax error told the way a person can act on it: where (line, column), the query
line with a caret under that place, and what is probably wrong - an undeclared prefix (and the
nearest declared ones), a misspelt keyword ("did you mean SELECT?") - instead of the parser's
list of grammar tokens.

Oxigraph's parser reports ``error at LINE:COLUMN: expected ...`` (column in characters, from
1) at the furthest place it could read to, which is at or just after the mistake; the excerpt
shows the line before too. Everything taken from the query is escaped
(:func:`kg.printable.printable`): a query cannot send escape sequences to a terminal through
its error message.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from ..printable import printable
from .errors import QuerySyntaxError

#: SPARQL 1.1's keywords and built-in function names: a bare word close to one of them in the
#: failing line is probably it, misspelt.
KEYWORDS = (
    "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GRAPH OPTIONAL UNION MINUS "
    "FILTER BIND VALUES SERVICE SILENT UNDEF EXISTS NOT IN GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET COUNT SUM "
    "MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL "
    "FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR "
    "MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF "
    "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE"
).split()
_KEYWORD_SET = frozenset(KEYWORDS)
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.S)
#: a bare word: not a variable (?x, $x), not part of a prefixed name (kg:x, x:), an IRI, a
#: language tag or a string (approximately: what precedes and follows it)
_WORD = re.compile(r"(?<![\w?$:<@#\"'./-])([A-Za-z_]+)(?![\w:>\"'-])")
#: the last prefixed name before the error (``sch:name``: its prefix ``sch``)
_PREFIX_BEFORE = re.compile(r"(?:^|[^\w.:-])([A-Za-z][\w.-]*)?:[^\s:]*\s*$")
#: the punctuation worth naming when the parser expected it (not RDF-star's ``{|``, ``~``)
_PUNCTUATION = (".", ",", ";", "{", "}", "(", ")", "]")
WINDOW = 100  # characters of a long line shown around the error


def explain(text: str, message: str, prefixes: dict[str, str] | None = None) -> QuerySyntaxError:
    """The :class:`QuerySyntaxError` for Oxigraph's ``message`` about ``text``; ``prefixes``:
    the prefixes the query had declared for it (named in the hint of an undeclared one)."""
    m = _POSITION.match(message.strip())
    if not m:
        return QuerySyntaxError(f"SPARQL syntax error: {printable(_short(message))}")
    line_no, col, expected = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.split("\n")
    line = lines[line_no - 1].rstrip("\r") if 0 < line_no <= len(lines) else ""
    col = max(1, min(col, len(line) + 1))
    if "Prefix not found" in expected:  # point at the prefixed name, not past it
        m = _PREFIX_BEFORE.search(line[:col - 1])
        if m:
            col = (m.start(1) if m.group(1) else m.start(0) + m.group(0).index(":")) + 1
    hint = _hint(line, col, expected, prefixes, text)
    word = _misspelt_keyword(line, col) if "Prefix not found" not in expected else None
    if word:  # the caret under the misspelt word, not where the parser gave up after it
        col = word[2] + 1
    where = f"SPARQL syntax error at line {line_no}, column {col}"
    excerpt = _excerpt(lines, line_no, col)
    return QuerySyntaxError(f"{where}: {hint}", excerpt, line=line_no, column=col)


def _hint(line: str, col: int, expected: str, prefixes: dict[str, str] | None, text: str) -> str:
    if "Prefix not found" in expected:
        m = re.match(r"([A-Za-z][\w.-]*)?:", line[col - 1:])
        name = (m.group(1) or "") if m else ""
        hint = f"unknown prefix '{printable(name)}:'"
        known = sorted((prefixes or {}).keys() | set(_declared(text)))
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6) if name else []
        if close:
            hint += f" (did you mean {' or '.join(c + ':' for c in close)}?)"
        return hint + "; declare it with PREFIX " + printable(name) + ": <...>, or use one of `kg query --prefixes`"
    if "IRI parsing failed" in expected:
        return "invalid IRI (an IRI has no spaces, quotes or braces: write <https://example.org/x>)"
    near = _near(line, col)
    word = _misspelt_keyword(line, col)
    if word:
        return f"'{printable(word[0])}' is no SPARQL keyword: did you mean {word[1]}?"
    tokens = _expected(expected)
    if tokens:
        return f"near {near}; the parser expected {' or '.join(tokens)} there"
    return f"near {near}"


def _declared(text: str) -> list[str]:
    return re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:", text)


def _near(line: str, col: int) -> str:
    """The token at column ``col`` (all of it: the parser may point into it)."""
    i = col - 1
    if i < len(line) and not line[i].isspace():
        while i > 0 and (line[i - 1].isalnum() or line[i - 1] in "_"):
            i -= 1
    rest = line[i:].strip()
    if not rest:
        return "the end of the line" if line.strip() else "an empty line"
    token = rest.split()[0]
    return f"'{printable(token[:30] + ('…' if len(token) > 30 else ''))}'"


def _misspelt_keyword(line: str, col: int) -> tuple[str, str, int] | None:
    """``(word, keyword, index)`` for the last bare word at or before the error that is no keyword but
    close to one (``SELCT`` -> ``SELECT``)."""
    found = None
    for m in _WORD.finditer(line):
        if m.start() > col + 1:  # the error is reported at or just after its cause
            break
        w = m.group(1)
        if w.upper() in _KEYWORD_SET or len(w) < 3 or w.lower() in ("a",):
            continue
        close = difflib.get_close_matches(w.upper(), KEYWORDS, n=1, cutoff=0.75)
        if close:
            found = (w, close[0], m.start(1))
    return found


def _expected(expected: str) -> list[str]:
    """The punctuation among the parser's expected tokens (a missing ``}`` or ``.``). Its
    keywords are left out: the parser names the last alternatives it tried at the furthest
    place it reached (``expected OPTIONAL`` after a stray ``)``), which mislead more than help."""
    text = re.sub(r"^expected (one of )?", "", expected.strip())
    items, depth, cur, quote = [], 0, "", None
    for ch in text:  # split at top-level commas; character classes are in [...]
        if quote:
            cur += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote, cur = ch, cur + ch
        elif ch == "[":
            depth, cur = depth + 1, cur + ch
        elif ch == "]":
            depth, cur = depth - 1, cur + ch
        elif ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    items.append(cur.strip())
    return [f"'{item[1:-1]}'" for item in items if len(item) > 2 and item[1:-1] in _PUNCTUATION]


def _width(s: str) -> int:
    """Terminal columns of ``s``: wide East Asian characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _excerpt(lines: list[str], line_no: int, col: int) -> list[str]:
    """The failing line (and the one before it), numbered, and a caret under column ``col``."""
    shown = [n for n in (line_no - 1, line_no) if 0 < n <= len(lines)]
    if not shown:
        return []
    gutter = len(str(line_no))
    out = []
    for n in shown:
        text = lines[n - 1].rstrip("\r")
        start = 0
        if n == line_no and len(text) > WINDOW:
            start = max(0, min(col - 1 - WINDOW // 2, len(text) - WINDOW))
        shown_text = text[start:start + WINDOW]
        lead = "…" if start > 0 else ""
        tail = "…" if len(text) > start + WINDOW else ""
        out.append(f"  {n:>{gutter}} | {lead}{printable(shown_text.expandtabs(4))}{tail}")
        if n == line_no:
            before = lead + printable(text[start:col - 1].expandtabs(4))
            out.append(f"  {'':>{gutter}} | {' ' * _width(before)}^")
    return out


def _short(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "the query does not parse"
    return first if len(first) <= 200 else first[:200] + "…"
