"""Walks of the dependency tree the rules share: conjuncts, and a preposition's objects."""

from __future__ import annotations

from collections.abc import Collection, Iterator

#: the object of a preposition; with ``pcomp``, a clause in its place ("by allowing X")
POBJ = ("pobj",)
PREP_COMPLEMENTS = ("pobj", "pcomp")


def conjuncts(tok) -> list:
    """The token and the tokens coordinated with it after it ("China and Russia")."""
    return [tok, *[c for c in tok.conjuncts if c.i > tok.i]]


def conjunct_heads(tok) -> list:
    """The token's head and, up a chain of ``conj`` links, the heads coordinated before it."""
    seen = [tok.head]
    h = tok.head
    while h.dep_ == "conj" and h.head.i != h.i:
        h = h.head
        seen.append(h)
    return seen


def objects_of(prep, deps: Collection[str] = POBJ) -> list:
    """The objects of a preposition token (its children with a dependency in ``deps``), in order."""
    return [c for c in prep.children if c.dep_ in deps]


def prep_phrases(tok, words: Collection[str] | None = None) -> Iterator[tuple[object, object]]:
    """``(preposition, object)`` for each prepositional phrase on ``tok`` (whose preposition is one
    of ``words``, lower case, if given), in order."""
    for c in tok.children:
        if c.dep_ == "prep" and (words is None or c.lower_ in words):
            for p in c.children:
                if p.dep_ == "pobj":
                    yield c, p


def pp_chain(noun, depth: int) -> list:
    """Prepositions attached to a noun, then to those prepositions' objects (``depth`` levels)."""
    out = []
    frontier = [noun]
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for c in n.children:
                if c.dep_ == "prep":
                    out.append(c)
                    nxt.extend(objects_of(c))
        frontier = nxt
    return out
