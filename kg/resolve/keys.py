"""The entity keys of one article: :class:`Key` (an entity as the resolver sees it) and
:class:`_ArticleKeys` (the keys of an article's mentions, through coreference and the "we" of a
quotation)."""

from __future__ import annotations

from typing import NamedTuple

from ..extract import Mention, final_mention
from ..names import gazetteer_identity


class Key(NamedTuple):
    """An entity as the resolver sees it in one article: type, label and Wikidata QID; its
    identity (:mod:`kg.names`: a gazetteer entry's, else None until the article's mentions are
    unified); whether the mention's surface is an alias of it (a capital standing for its
    country is not)."""

    type: str
    label: str
    qid: str | None = None
    ident: str | None = None
    alias: bool = True


class _ArticleKeys:
    """The entity keys of one article's mentions, through coreference."""

    def __init__(self, gaz, mentions: tuple[Mention, ...], keys: dict[int, Key]):
        self.gaz = gaz
        self.mentions = mentions
        self.keys = keys  # named and concept mentions -> key
        self.affiliation: dict[tuple, Key] = {}  # person (type, label) -> the key of their organisation
        self.we_of: dict[int, int] = {}  # "we" mention -> the speaker of its quotation

    def of(self, mid: int | None) -> Key | None:
        """The key of the entity a mention stands for (through a pronoun's antecedent)."""
        f = final_mention(self.mentions, mid)
        return None if f is None else self.keys.get(f)

    def arg(self, mid: int) -> Key | None:
        """The key of a relation's argument: "we" in a quotation is the speaker's side."""
        if self.mentions[mid].label == "PRON" and mid in self.we_of:
            return self._we(self.we_of[mid])
        return self.of(mid)

    def _we(self, speaker_mid: int) -> Key | None:
        """The speaker's organisation, or its country when the gazetteer says it is a government body."""
        sk = self.of(speaker_mid)
        if sk is None:
            return None
        org = self.affiliation.get(sk[:2])
        if org is None:
            return None
        if org[0] == "Organization":
            e = self.gaz.lookup(org[1])
            if e is not None and e.country:
                c = self.gaz.country(e.country)
                if c is not None:
                    return Key("Country", c.name, c.qid, gazetteer_identity(c))
        return org
