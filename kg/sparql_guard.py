"""Checks a SPARQL query or update before any engine sees it: size limits, and no ``SERVICE``
(nor ``LOAD`` in an update). One entry point, :func:`check`, shared by ``kg query`` and
``kg serve``; it raises :class:`QueryRefused` (``status`` 400) with a one-line message.

Why: pyoxigraph 0.5 has no parse-only API and no switch to turn federation off.
``Store.query`` fetches any URL named by ``SERVICE`` and ``Store.update`` runs ``LOAD <url>``;
and its recursive parser and optimiser crash the whole process (SIGSEGV) on queries nested a
few thousand deep or with chains of a few thousand operators or group elements.

How, in this order:

1. **Limits** (always, also with ``allow_service``): at most :data:`MAX_QUERY_CHARS`
   characters, brackets nested at most :data:`MAX_DEPTH` deep, at most :data:`MAX_CHAIN`
   operators and group elements (see :data:`CHAIN_KEYWORDS`, :data:`_CHAIN_OPERATORS`).
   Measured on pyoxigraph 0.5.13 with an 8 MB stack (``bench/bench_sparql_guard.py
   --crash``): function calls nested ~950 deep crash it, parentheses ~4,700, braces ~2,200,
   BIND or MINUS sequences ~2,600, UNION chains ~6,500, ``||`` ~9,400, ``|`` paths ~10,900;
   the guard refuses each at least 9 times below that. The named queries reach depth 6 and
   chain 61.
2. **Fast path**: SERVICE and LOAD are keywords made of letters, so a text in which the
   letters ``service`` (``load`` for an update) appear nowhere, in any case, neither as
   written nor after decoding ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes (SPARQL 1.1 section
   19.2; Oxigraph itself decodes them only inside strings and IRIs), cannot use them.
3. Otherwise two independent opinions, each on the text as written and, when it has
   escapes, as decoded; either one finding the keyword refuses (and so does a text as
   written that the parser cannot check):

   * **the parser** (:func:`parsed_remote_keywords`): rdflib's SPARQL 1.1 grammar
     (pyparsing). A ``ServiceGraphPattern`` (or ``Load``) that matches anywhere during the
     parse is recorded, wherever it sits (nested groups, sub-selects, EXISTS, UNION, OPTIONAL,
     MINUS, GRAPH, updates' WHERE), even in an alternative the parser later drops. A text that
     mentions the word but does not parse, or would take the parser more than
     :data:`_PARSE_STEPS` steps, is refused too: the checker could not verify it.
   * **the lexer** (:func:`remote_keywords`): SPARQL's tokens, read the way Oxigraph reads them
     (keywords matched case-insensitively with no word boundary, so ``SERVICE:x``,
     ``SERVICEs:x``, ``1SERVICE``, ``trueSERVICE`` and ``"x"SERVICE`` are the keyword).
     A ``<`` can start an IRI or be the less-than operator, and the two readings lex the rest
     differently (``1<'>#'``: an IRI then a comment, or less-than then a string); the lexer
     follows both, so it sees everything that either reading sees. A keyword counts only when
     followed by what makes it one (``SERVICE [SILENT] VarOrIri {``, ``LOAD [SILENT] iri``),
     which spares ``PREFIX service:`` and ``<.../service#x>``. It counts the limits of step 1
     along every reading too.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import re
import sys
import threading

#: Longest query or update text accepted, in characters.
MAX_QUERY_CHARS = 500_000
#: Deepest nesting of ``(`` ``[`` ``{`` ``<<`` accepted.
MAX_DEPTH = 100
#: Most operators and group elements accepted in one text (each becomes a node of the query
#: algebra, which the engine walks recursively).
MAX_CHAIN = 500

#: Keywords that build a node of the algebra in sequence with the previous element.
CHAIN_KEYWORDS = ("UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE", "EXISTS", "AS")
#: Operators and separators that chain: ``||`` ``&&`` ``|`` ``/`` ``^`` ``+`` ``-`` ``*`` ``!``
#: ``.`` ``;``, and each ``{`` (a group). Commas are lists - IN, function arguments, objects -
#: and are not counted.
_CHAIN_OPERATORS = frozenset(["||", "&&", "|", "/", "^", "+", "-", "*", "!", ".", ";"])

#: Recursion limit for rdflib's parser while it runs (~35 frames a bracket level, ~10 a
#: triple); pure-Python frames, which use no C stack, so raising it cannot crash the process.
_PARSE_RECURSION = 20_000
#: Most grammar rules rdflib's parser may try on one text (~50 a millisecond; a named query
#: takes 800-3,600; a FILTER of 240 ``||`` 41,000; an IN list of 1,000 strings 97,000).
_PARSE_STEPS = 50_000


REMOTE_KEYWORDS = ("SERVICE", "LOAD")


class QueryRefused(Exception):
    """The text is refused before any engine sees it. ``status`` is the HTTP status to answer
    with. ``reason`` is ``"limit"`` (too long, deep or chained), ``"remote"`` (it uses
    ``keyword``, SERVICE or LOAD) or ``"unverified"`` (it mentions one and the parser could
    not check it)."""

    def __init__(self, message: str, reason: str = "limit", keyword: str | None = None, status: int = 400):
        super().__init__(message)
        self.reason, self.keyword, self.status = reason, keyword, status


# ---------------------------------------------------------------- entry point
def check(text: str, *, update: bool = False, allow_service: bool = False) -> None:
    """Refuse (:class:`QueryRefused`) a query - or an update, with ``update`` - that is too
    long, nested too deep or chains too many elements, or that uses SERVICE (or LOAD, in an
    update). ``allow_service`` skips the SERVICE/LOAD refusal, not the limits."""
    what = "update" if update else "query"
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the {what} is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}",
                           reason="limit")
    keywords = () if allow_service else REMOTE_KEYWORDS if update else ("SERVICE",)
    variants = _variants(text)
    mentioned = tuple(k for k in keywords if any(re.search(k, v, re.IGNORECASE) for v in variants))
    for v in variants:
        maxima: list[int] = []
        found = _scan(v, mentioned, maxima)
        if maxima[0] > MAX_DEPTH:
            raise QueryRefused(f"the {what} nests brackets more than {MAX_DEPTH} deep", reason="limit")
        if maxima[1] > MAX_CHAIN:
            raise QueryRefused(f"the {what} has more than {MAX_CHAIN} operators and group elements "
                               "(UNION, OPTIONAL, MINUS, FILTER, BIND, ||, &&, /, |, ., ; ...)", reason="limit")
        if found:
            raise _uses(found[0], what)
    if mentioned:
        found = parsed_remote_keywords(text, update=update)
        if found:
            raise _uses(found[0], what)


def remote_keywords(text: str, keywords: tuple[str, ...] = REMOTE_KEYWORDS) -> list[str]:
    """The lexer's opinion: the keywords among ``keywords`` that some reading of ``text``
    (as written, or with its escapes decoded) uses, in upper case."""
    found: list[str] = []
    for v in _variants(text):
        found += [k for k in _scan(v, keywords, []) if k not in found]
    return found


def parsed_remote_keywords(text: str, *, update: bool = False) -> list[str]:
    """The parser's opinion: ``["SERVICE"]`` and/or ``["LOAD"]`` if rdflib's grammar finds them
    in ``text`` as written or with its escapes decoded. Raises :class:`QueryRefused` when it
    cannot parse the text as written (what Oxigraph reads); a decoded text that does not parse
    is one an engine decoding first would reject, and only the lexer judges it."""
    found = _parse(text, update)
    decoded = decode_codepoint_escapes(text)
    if decoded != text:
        try:
            found += [k for k in _parse(decoded, update) if k not in found]
        except QueryRefused:
            pass
    return found


def measure(text: str) -> tuple[int, int]:
    """(deepest bracket nesting, longest chain) of ``text`` over all its readings, as
    :func:`check` counts them against :data:`MAX_DEPTH` and :data:`MAX_CHAIN` (a reading is
    followed no further once past a limit)."""
    maxima: list[int] = []
    _scan(text, (), maxima)
    return maxima[0], maxima[1]


def _variants(text: str) -> list[str]:
    decoded = decode_codepoint_escapes(text)
    return [text] if decoded == text else [text, decoded]


def _uses(keyword: str, what: str) -> QueryRefused:
    does = "fetches the URL it names" if keyword == "SERVICE" else "downloads the URL it names"
    return QueryRefused(f"the {what} uses {keyword}, which {does}", reason="remote", keyword=keyword)


_CODEPOINT_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_codepoint_escapes(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` anywhere in ``text`` (SPARQL 1.1 section 19.2)."""

    def sub(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _CODEPOINT_ESCAPE_RE.sub(sub, text)


# ---------------------------------------------------------------- the parser's opinion
_grammar_lock = threading.Lock()
_grammar: dict = {}
_matched: list[str] = []
_steps = [0]


class _TooLong(Exception):
    """The parse took more than :data:`_PARSE_STEPS` steps."""


def _parse(text: str, update: bool) -> list[str]:
    """``["SERVICE"]`` / ``["LOAD"]`` if rdflib's grammar finds them in ``text``, ``[]`` if it
    parses without them; refuses a text it cannot parse (or that is too big for it)."""
    what, words = ("update", "SERVICE or LOAD") if update else ("query", "SERVICE")
    with _grammar_lock:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _PARSE_RECURSION))
        try:
            grammar = _grammar or _load_grammar()
            del _matched[:]
            _steps[0] = 0
            # rdflib ends comments at \n only; SPARQL (and Oxigraph) also at \r (a raw \r is
            # allowed only in long strings, where it stays text). And rdflib takes no \u
            # escapes: they are decoded before it runs; in a text as written, one inside a
            # string or IRI is a character for Oxigraph, any other a syntax error.
            text = _CODEPOINT_ESCAPE_RE.sub(lambda m: "_" + m.group()[1:], text.replace("\r", "\n"))
            try:
                (grammar["update"] if update else grammar["query"]).parse_string(text, parse_all=True)
            except grammar["ParseBaseException"] as e:
                raise QueryRefused(f"the {what} mentions {words} and the checker could not parse it, so it "
                                   f"cannot verify that it does not use it (line {e.lineno}, column {e.col}: "
                                   f"{e.msg})", reason="unverified") from None
            except Exception:  # RecursionError, _TooLong, anything else going wrong inside the parser
                raise QueryRefused(f"the {what} mentions {words} and is too large or too deeply nested for the "
                                   "checker to verify that it does not use it", reason="unverified") from None
            return list(dict.fromkeys(_matched))
        finally:
            sys.setrecursionlimit(limit)


def _load_grammar() -> dict:
    """A private copy of rdflib's grammar whose SERVICE and LOAD elements record that they
    matched, and whose named rules count the steps of a parse. (rdflib's own
    ServiceGraphPattern also searches the whole text again for its source string, ignoring
    ``#`` comments everywhere, strings included: it fails on ``BIND('#' AS ?z) SERVICE <x> {}``.
    The copy does not.)"""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser as rp
    from rdflib.plugins.sparql.parserutils import CompValue

    memo: dict = {}
    query, update = copy.deepcopy((rp.Query, rp.UpdateUnit), memo)
    for original, keyword in ((rp.ServiceGraphPattern, "SERVICE"), (rp.Load, "LOAD")):
        element = memo[id(original)]

        def post_parse(instring, loc, tokens, keyword=keyword, name=element.name):
            _matched.append(keyword)
            return CompValue(name)

        element.postParse = post_parse
    for element in _elements((query, update)):
        if element.customName:  # counted on each try; no action on match or failure
            element.debugActions = type(element.debugActions)(_step, None, None)
            element.debug = True
    _grammar.update(query=query, update=update, ParseBaseException=ParseBaseException)
    return _grammar


def _elements(roots) -> list:
    """Every parser element reachable from ``roots``."""
    seen: dict[int, object] = {}
    todo = list(roots)
    while todo:
        e = todo.pop()
        if id(e) not in seen:
            seen[id(e)] = e
            sub = getattr(e, "exprs", None) or []
            todo.extend([*sub, getattr(e, "expr", None)] if getattr(e, "expr", None) is not None else sub)
    return list(seen.values())


def _step(*_args) -> None:
    _steps[0] += 1
    if _steps[0] > _PARSE_STEPS:
        raise _TooLong


# ---------------------------------------------------------------- the lexer's opinion and the limits
_PN = "A-Za-z0-9_\u00b7\u00c0-\ufffd\U00010000-\U000effff"
_TOKEN_RE = re.compile(
    r"(?P<ws>[\x20\t\r\n]+)"
    r"|(?P<name>[" + _PN + r":](?:[" + _PN + r".\-:]|%[0-9A-Fa-f]{2}|\\[\s\S])*)"
    r"|(?P<var>[?$][" + _PN + r"]+)"
    r"|(?P<op>\|\||&&|!=|<=|>=|\^\^|<<|>>|[\s\S])"
)
_IRI_RE = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
_CHAIN_KEYWORDS_RE = re.compile("|".join(CHAIN_KEYWORDS), re.IGNORECASE)
_OPEN = frozenset("([{") | {"<<"}
_CLOSE = frozenset(")]}") | {">>"}
_SKIP = r"(?:\s|#[^\n\r]*)*"
#: What must follow the keyword for Oxigraph to read it as one: SERVICE [SILENT] VarOrIri '{',
#: LOAD [SILENT] iri (written loosely: more texts match than SPARQL allows).
_FOLLOW = {
    "SERVICE": re.compile(_SKIP + r"(?:SILENT" + _SKIP + r")?(?:<[^>]*>|(?:[^\s{#<\\]|\\[\s\S])*)" + _SKIP + r"\{",
                          re.IGNORECASE),
    "LOAD": re.compile(_SKIP + r"(?:SILENT" + _SKIP + r")?(?:<|(?:[^\s{#<\\]|\\[\s\S])*:)", re.IGNORECASE),
}


class _Text:
    """Where strings and comments end, for a lexer that may start at any position."""

    def __init__(self, text: str):
        self.text = text
        self.eols = [m.start() for m in re.finditer(r"[\r\n]", text)]
        self.quotes = {q: [m.start() for m in re.finditer(q, text) if not self._escaped(m.start())] for q in "'\""}
        self.triples = {q: [m.start() for m in re.finditer(f"(?={q * 3})", text) if not self._escaped(m.start())]
                        for q in "'\""}

    def _escaped(self, i: int) -> bool:
        n = 0
        while i - n - 1 >= 0 and self.text[i - n - 1] == "\\":
            n += 1
        return n % 2 == 1

    def eol(self, p: int) -> int:
        i = bisect.bisect_left(self.eols, p)
        return self.eols[i] if i < len(self.eols) else len(self.text)

    def string_end(self, p: int) -> int | None:
        """End of the string literal that starts at ``p`` (a quote), or None if unterminated."""
        q = self.text[p]
        if self.text.startswith(q * 3, p):
            ends = self.triples[q]
            i = bisect.bisect_left(ends, p + 3)
            if i < len(ends):
                return ends[i] + 3
        ends = self.quotes[q]
        i = bisect.bisect_left(ends, p + 1)
        if i < len(ends) and self.eol(p) > ends[i]:
            return ends[i] + 1
        return None


def _scan(text: str, keywords: tuple[str, ...], maxima: list[int]) -> list[str]:
    """The keywords among ``keywords`` that some reading of ``text`` uses; ``maxima`` receives
    the deepest nesting and the longest chain of any reading. Stops early once past a limit.

    The readings differ only at a ``<`` that starts an IRI: the lexer goes on both after the
    IRI and after the ``<``. Lexing is position by position in increasing order, keeping per
    position the deepest nesting and the longest chain of any reading that reaches it, so
    each position is lexed once. Two ``/`` in a row end a reading: no SPARQL text has them
    outside strings, IRIs and comments (this drops the less-than reading of ``<http://...>``).
    """
    t = _Text(text)
    n = len(text)
    state: dict[int, tuple[int, int]] = {0: (0, 0)}
    todo = [0]
    found: list[str] = []
    maxima[:] = [0, 0]

    def reach(pos: int, depth: int, chain: int) -> None:
        maxima[0], maxima[1] = max(maxima[0], depth), max(maxima[1], chain)
        old = state.get(pos)
        if old is None:
            state[pos] = (depth, chain)
            heapq.heappush(todo, pos)
        elif depth > old[0] or chain > old[1]:
            state[pos] = (max(depth, old[0]), max(chain, old[1]))

    while todo:
        p = heapq.heappop(todo)
        depth, chain = state.pop(p)
        if p >= n or depth > MAX_DEPTH or chain > MAX_CHAIN:
            continue
        c = text[p]
        if c == "#":
            reach(t.eol(p), depth, chain)
            continue
        if c in "'\"":
            end = t.string_end(p)
            reach(end if end is not None else p + 1, depth, chain)
            continue
        if c == "<":
            m = _IRI_RE.match(text, p)
            if m:
                reach(m.end(), depth, chain)  # an IRI; and, below, the less-than operator
            elif text.startswith("<<", p):
                reach(p + 1, depth, chain)  # less-than then an IRI; and, below, '<<'
        m = _TOKEN_RE.match(text, p)
        kind, tok = m.lastgroup, m.group()
        if kind == "name":
            while len(tok) > 1 and tok.endswith("."):  # a name does not end with '.'
                tok = tok[:-1]
            bare = tok.split(":", 1)[0]  # Oxigraph never splits a local name
            chain += len(_CHAIN_KEYWORDS_RE.findall(bare))
            for kw in keywords:
                for k in re.finditer(kw, bare, re.IGNORECASE):
                    if kw not in found and _FOLLOW[kw].match(text, p + k.end()):
                        found.append(kw)
        elif kind == "op":
            if tok in _OPEN:
                depth += 1
                chain += tok == "{"  # a group: one more element of the pattern it sits in
            elif tok in _CLOSE:
                depth = max(0, depth - 1)
            elif tok in _CHAIN_OPERATORS:
                chain += 1
                if tok == "/" and text.startswith("/", p + 1):
                    continue
        reach(p + len(tok), depth, chain)
    return found
