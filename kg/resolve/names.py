"""Name matching within one article: a mention's name as a label, the one full name a surname
stands for, a name's acronym, a middle initial's variant; the full person names of an article."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..extract import DocExtraction
from ..extract.mentions import POSSESSIVE_ENDINGS

#: mention labels of names (the candidates of a short form: "NBA", "Saha", "the Commission")
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"})
#: generational suffixes after a surname ("Robert Downey Jr")
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
#: words an acronym leaves out ("RIAA": Recording Industry Association of America)
ACRONYM_SKIPS = frozenset({"of", "and", "the", "for", "de", "du", "des", "la", "le", "del", "van", "von", "&", "in",
                           "on", "at", "to"})


def _clean(text: str) -> str:
    """A mention's name as a label: white space collapsed; no possessive, leading "the", edge
    punctuation or sentence-final period. (:func:`kg.gazetteer.norm_key` is the lookup key of a
    name: it also folds case and accents, and keeps punctuation.)"""
    t = " ".join(text.split())
    for suffix in POSSESSIVE_ENDINGS:
        if t.endswith(suffix):
            t = t[: -len(suffix)]
    if t.lower().startswith("the "):
        t = t[4:]
    t = t.strip(" ,;:-\"'")
    # a final period ends a sentence, not an acronym ("U.S." keeps its dots)
    if t.endswith(".") and "." not in t[:-1]:
        t = t[:-1]
    return t.strip()


def _core(words: list[str]) -> list[str]:
    """A person's name words without a generational suffix ("Robert Downey Jr" -> Robert Downey)."""
    while len(words) > 1 and words[-1].lower() in NAME_SUFFIXES:
        words = words[:-1]
    return words


def _initials(name: str) -> str:
    """The acronym of a name: the initials of its words but small ones ("RIAA")."""
    return "".join(w[0].upper() for w in name.replace("-", " ").split() if w.lower() not in ACRONYM_SKIPS and w[0].isalpha())


def _is_initial(word: str) -> bool:
    return len(word.rstrip(".")) == 1 and word[:1].isupper()


class _NameIndex:
    """Full names by their first and by their last word: the only candidates
    :func:`full_name` can accept for a name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_last: dict[str, list[str]] = defaultdict(list)
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for full in names:
            words = _core(full.split())
            if words:
                self.by_last[words[-1]].append(full)
                self.by_first[words[0]].append(full)

    def candidates(self, name: str, first_name_too: bool = True) -> list[str]:
        words = name.split()
        if not words:
            return []
        found = self.by_last.get(words[-1], [])
        if first_name_too and len(words) == 1:
            found = found + self.by_first.get(words[0], [])
        return found


def article_people(docs: Iterable[DocExtraction]) -> frozenset[str]:
    """The full person names (two words or more) of the extractions of one article (of all its
    pieces, for a long article cut into several): the names its surnames may resolve to. A name
    NER labelled otherwise counts when its context says person ("X, the government commissioner")."""
    return frozenset(name for d in docs for m in d.mentions
                     if (m.label == "PERSON" or (m.cue == "Person" and m.label in ("ORG", "GPE", "NORP", "LOC")))
                     and len((name := _clean(m.name)).split()) >= 2)


def _middle_initial_variants(people: Iterable[str]) -> dict[str, str]:
    """``First Last`` -> ``First X. Last`` when the article writes exactly one such longer name
    whose extra words are initials ("John Bolton" -> "John R. Bolton")."""
    full = [p.split() for p in people]
    out = {}
    for ws in full:
        if len(ws) != 2:
            continue
        hits = {" ".join(f) for f in full if len(f) > 2 and f[0] == ws[0] and f[-1] == ws[-1]
                and all(_is_initial(w) for w in f[1:-1])}
        if len(hits) == 1:
            out[" ".join(ws)] = hits.pop()
    return out


def full_name(name: str, candidates: Iterable[str], first_name_too: bool = True) -> str | None:
    """The one longer name that ends with ``name`` (or, for people, starts with a one-word name);
    a generational suffix of the longer name aside ("Downey": "Robert Downey Jr")."""
    words = name.split()
    hits = set()
    for full in candidates:
        fw = full.split()
        if len(fw) <= len(words):
            continue
        core = _core(fw)
        if fw[-len(words):] == words or (len(core) > len(words) and core[-len(words):] == words) \
                or (first_name_too and len(words) == 1 and fw[0] == words[0]):
            hits.add(full)
    if len(hits) == 1:
        return hits.pop()
    return None
