"""A Doc's token attributes as plain lists, read at once: what the rules that scan every token
test first (each access to a spaCy Token makes a new Python object)."""

from __future__ import annotations


class DocTable:
    """The token attributes of one Doc (``Doc.to_array``), its text, and its tokens' children."""

    ATTRS = ("ORTH", "LOWER", "LEMMA", "POS", "TAG", "DEP", "HEAD", "IDX", "IS_PUNCT", "IS_TITLE", "IS_UPPER",
             "SPACY")

    def __init__(self, doc, strings: dict[int, str]):
        """``strings``: spaCy string hash -> string, shared by the tables of many docs."""
        cols = doc.to_array(list(self.ATTRS)).T.tolist() if len(doc) else [[] for _ in self.ATTRS]
        store = doc.vocab.strings
        for col in cols[:6]:
            for h in set(col).difference(strings):
                strings[h] = store[h]
        self.orth, self.lower, self.lemma, self.pos, self.tag, self.dep = (
            [strings[h] for h in col] for col in cols[:6])
        # HEAD is the head's offset from the token, stored unsigned
        self.head = [i + (h - (1 << 64) if h >= 1 << 63 else h) for i, h in enumerate(cols[6])]
        self.idx = cols[7]
        self.is_punct, self.is_title, self.is_upper = cols[8:11]  # 0/1
        # Doc.text, without making every Token: each token's text and a space if it has one
        self.text = "".join([t + " " if sp else t for t, sp in zip(self.orth, cols[11])])
        self._children: list[list[int]] | None = None

    def children(self, i: int) -> list[int]:
        """Indices of token ``i``'s syntactic children, in order."""
        if self._children is None:
            self._children = [[] for _ in self.head]
            for j, h in enumerate(self.head):
                if h != j:
                    self._children[h].append(j)
        return self._children[i]

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start`` to ``end`` (exclusive), as ``doc[start:end].text``."""
        return self.text[self.idx[start]:self.idx[end - 1] + len(self.orth[end - 1])]

    def space_before(self, i: int) -> str:
        """The white space after token ``i - 1`` (its ``whitespace_``)."""
        return self.text[self.idx[i - 1] + len(self.orth[i - 1]):self.idx[i]]


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of ``text`` (at ``start``..``end``) without the white space spaCy keeps at its edges."""
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    return start + lead, max(start + lead, end - trail)
