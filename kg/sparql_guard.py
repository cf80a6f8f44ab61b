"""Which SPARQL keywords a query or update really uses - for refusing ``SERVICE`` and ``LOAD``.

pyoxigraph 0.5 has no parse-only API, and ``Store.query`` fetches any URL named by a
``SERVICE`` clause (``Store.update`` also runs ``LOAD <url>``), with no switch to turn that
off. So ``kg query`` and ``kg serve`` look for the keywords themselves, with this small lexer
of SPARQL 1.1's tokens: the letters S-E-R-V-I-C-E inside a comment, a string, an IRI, a
variable, a prefixed name or a language tag are not the keyword; any other bare word
``SERVICE`` / ``LOAD`` is, whatever its case. It errs on the side of refusing.

Details that matter (each has a regression test):

* ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes are replaced before lexing, as SPARQL does before
  parsing (section 19.2), so ``\\u0053ERVICE`` is the keyword SERVICE;
* strings come before comments (a ``#`` inside a string), IRIs before ``<`` as an operator;
* a prefixed name may contain backslash escapes (``ex:a\\#``, PN_LOCAL_ESC): the ``#`` there is
  part of the name, not the start of a comment hiding the rest of the line.
"""

from __future__ import annotations

import re

REMOTE_KEYWORDS = ("SERVICE", "LOAD")

_PN_CHARS = "A-Za-z0-9_\u00b7\u00c0-\ufffd\U00010000-\U000effff"
_TOKEN_RE = re.compile(
    r'''
      (?P<lstring>"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|\'\'\'(?:[^'\\]|\\[\s\S]|'(?!''))*\'\'\')
    | (?P<string>"(?:[^"\\\n\r]|\\[\s\S])*"|'(?:[^'\\\n\r]|\\[\s\S])*')
    | (?P<comment>\#[^\n\r]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][''' + _PN_CHARS + r''']+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>[''' + _PN_CHARS + r'''.\-]*:(?:[''' + _PN_CHARS + r'''.\-:]|%[0-9A-Fa-f]{2}|\\[\s\S])*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>[\s\S])
    ''',
    re.VERBOSE,
)
_CODEPOINT_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_codepoint_escapes(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` anywhere in ``text`` (SPARQL 1.1 section 19.2)."""

    def sub(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _CODEPOINT_ESCAPE_RE.sub(sub, text)


def remote_keywords(text: str, keywords: tuple[str, ...] = REMOTE_KEYWORDS) -> list[str]:
    """The keywords among ``keywords`` that ``text`` uses as SPARQL keywords (upper case, in
    order of first use). Any bare word outside comments, strings, IRIs, variables, prefixed
    names and language tags counts."""
    found: list[str] = []
    for m in _TOKEN_RE.finditer(decode_codepoint_escapes(text)):
        if m.lastgroup == "word":
            w = m.group("word").upper()
            if w in keywords and w not in found:
                found.append(w)
    return found
