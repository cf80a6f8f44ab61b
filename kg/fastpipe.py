"""Faster stand-ins for two stock spaCy components, with the same annotations.

* **The attribute ruler's matcher.** The ``attribute_ruler`` of spaCy's English pipelines
  (TAG -> POS and morphology, lemma and POS exceptions) holds about 180 rules, nearly all of
  them one-token patterns such as ``{"TAG": "NN"}`` or ``{"TAG": "RB", "LOWER": {"IN": ["not",
  "n't"]}}``. spaCy's ``Matcher`` tries every pattern at every token: on news text that was
  16 ms an article, 17 % of the whole pipeline and more than all of kg's extraction.
  :class:`TokenPatternIndex` indexes the patterns by a value their first token must have (its
  TAG, its LOWER, ...), so a token is tested only against the patterns it may start, and
  remembers what a token with given attribute values starts: news text has a few thousand
  distinct (TAG, LOWER, DEP, IS_SPACE) rows, so most tokens cost one dictionary lookup.
  Patterns of fixed length whose tokens test attribute values (equality, ``IN``, ``NOT_IN``,
  ``REGEX``) are compiled; anything else (operators, extension attributes, comparisons,
  callbacks) is left to a ``Matcher`` of its own. It returns the ``(match_id, start, end)``
  triples spaCy's ``Matcher`` returns, and the ruler itself sorts them and sets the
  attributes as before.
* **The lemmatizer.** spaCy's rule lemmatizer visits every token in Python and recomputes
  the lemma of many of them (its cache skips the base forms, such as every singular noun),
  and a form it has not seen is tested against word lists of up to 57,000 entries with
  ``in``, a linear scan: 15 ms an article over the first 100 articles, 4 ms once its cache
  is warm. A lemma is a function of the token's text, POS and morphology (rule mode; its
  text alone in lookup mode), so :class:`MemoLemmatizer` reads those columns with one
  ``Doc.to_array``, asks the stock lemmatizer once per distinct triple and writes the column
  back with ``Doc.from_array``; the word lists answer ``in`` from a set (:class:`_WordList`).
  0.8 ms an article over the first 100, 0.6 ms warm.

:func:`install` puts them in place in a loaded pipeline; ``kg.nlp.load`` does it for every
pipeline kg loads. ``tests/test_fastpipe.py`` compares every token attribute with the stock
pipeline's on varied text. Loading a ruler's patterns again (``from_disk``, ``clear``) brings
back a stock ``Matcher``: slower, still correct.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict

log = logging.getLogger("kg.fastpipe")

#: Token attributes a compiled pattern may test: those whose value ``Doc.to_array`` reads
#: as the ``Matcher`` does (``get_token_attr``). Anything else goes to the fallback Matcher.
ATTRS = ("TAG", "LOWER", "ORTH", "POS", "DEP", "LEMMA", "NORM", "SHAPE", "ENT_TYPE",
         "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_PUNCT", "IS_SPACE", "IS_TITLE", "IS_UPPER",
         "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL")
#: the attributes whose values are strings (a REGEX pattern searches their text)
TEXT_ATTRS = frozenset({"TAG", "LOWER", "ORTH", "DEP", "LEMMA", "NORM", "SHAPE", "ENT_TYPE"})
MEMO_MAX = 200_000  # distinct token rows (or lemma keys) remembered: a few tens of MB at most
# which attribute indexes a pattern, when it tests several: the most selective first
_INDEX_ORDER = ("LOWER", "ORTH", "NORM", "LEMMA", "TAG", "DEP", "POS", "ENT_TYPE", "SHAPE")


class TokenPatternIndex:
    """Stands in for the ``Matcher`` of an ``AttributeRuler`` (see the module doc)."""

    def __init__(self, matcher, keys) -> None:
        from spacy.matcher import Matcher

        self.vocab = matcher.vocab
        self._full = matcher  # every pattern: what ``get`` and the ruler's serialisation read
        self._fallback = Matcher(self.vocab)
        self._attrs: list[str] = []  # columns of Doc.to_array
        # column -> value -> [(match id, checks of the first token, checks of the next tokens)]
        self._tables: dict[int, dict[int, list]] = {}
        self._anywhere: list = []  # patterns whose first token has no value to index by
        self._memo: dict[tuple, tuple] = {}  # attribute values -> the patterns a token starts
        self.compiled = self.left = 0  # patterns compiled / left to the fallback Matcher
        for key in keys:
            on_match, patterns = matcher.get(key)
            if on_match is None:
                self._compile(key, patterns)
            else:
                self._fallback.add(key, patterns, on_match=on_match)
                self.left += len(patterns)

    # ---------------------------------------------------------------- the Matcher API the ruler uses
    def __call__(self, doc, *, allow_missing: bool = False, as_spans: bool = False, with_alignments: bool = False):
        if as_spans or with_alignments or not allow_missing:  # not what the ruler asks: the stock answer
            return self._full(doc, allow_missing=allow_missing, as_spans=as_spans, with_alignments=with_alignments)
        matches = []
        n = len(doc)
        if self.compiled and n:
            from spacy.attrs import IDS

            if not self._attrs:  # only patterns like [{}]
                rows = [[]] * n
            else:
                rows = doc.to_array([IDS[a] for a in self._attrs]).tolist()
                if len(self._attrs) == 1:
                    rows = [[v] for v in rows]
            memo = self._memo
            if len(memo) > MEMO_MAX:
                memo.clear()
            ok = self._ok
            for i, row in enumerate(rows):
                row = tuple(row)
                started = memo.get(row)
                if started is None:
                    started = memo[row] = self._started(row)
                for key, rest in started:
                    if not rest:
                        matches.append((key, i, i + 1))
                    elif i + len(rest) < n and all(ok(rows[i + 1 + k], checks) for k, checks in enumerate(rest)):
                        matches.append((key, i, i + 1 + len(rest)))
        if len(self._fallback):
            matches.extend(self._fallback(doc, allow_missing=allow_missing))
        return matches

    def add(self, key, patterns, *, on_match=None, greedy=None) -> None:
        self._full.add(key, patterns, on_match=on_match, greedy=greedy)
        if on_match is not None or greedy is not None:
            self._fallback.add(key, patterns, on_match=on_match, greedy=greedy)
            self.left += len(patterns)
        else:
            self._compile(key, patterns)
        self._memo.clear()

    def get(self, key, default=None):
        return self._full.get(key, default)

    def __len__(self) -> int:
        return len(self._full)

    def __contains__(self, key) -> bool:
        return key in self._full

    # ---------------------------------------------------------------- matching one token
    def _started(self, row: tuple) -> tuple:
        """``(match id, checks of the next tokens)`` of every pattern whose first token
        matches a token with these attribute values."""
        found = []
        for col, table in self._tables.items():
            for key, checks, rest in table.get(row[col], ()):
                if self._ok(row, checks):
                    found.append((key, rest))
        for key, checks, rest in self._anywhere:
            if self._ok(row, checks):
                found.append((key, rest))
        return tuple(found)

    def _ok(self, row, checks) -> bool:
        for col, kind, values in checks:
            value = row[col]
            if kind == IN:
                if value not in values:
                    return False
            elif kind == NOT_IN:
                if value in values:
                    return False
            elif not values.search(self.vocab.strings[value]):  # REGEX, on the attribute's text
                return False
        return True

    # ---------------------------------------------------------------- compiling
    def _compile(self, key, patterns) -> None:
        key = self.vocab.strings.add(key) if isinstance(key, str) else key
        for pattern in patterns:
            tokens = [_tests(spec, self.vocab) for spec in pattern] if pattern else [None]
            if any(t is None for t in tokens):
                self._fallback.add(key, [pattern])
                self.left += 1
                continue
            self.compiled += 1
            first, *rest = [[(self._column(attr), kind, values) for attr, kind, values in t] for t in tokens]
            rest = tuple(tuple(checks) for checks in rest)
            indexable = [c for c in first if c[1] == IN]
            if indexable:
                index = min(indexable, key=lambda c: (_rank(self._attrs[c[0]]), len(c[2])))
                first.remove(index)
                table = self._tables.setdefault(index[0], defaultdict(list))
                for value in index[2]:
                    table[value].append((key, tuple(first), rest))
            else:
                self._anywhere.append((key, tuple(first), rest))

    def _column(self, attr: str) -> int:
        if attr not in self._attrs:
            self._attrs.append(attr)
        return self._attrs.index(attr)


IN, NOT_IN, REGEX = "IN", "NOT_IN", "REGEX"


def _rank(attr: str) -> int:
    return _INDEX_ORDER.index(attr) if attr in _INDEX_ORDER else len(_INDEX_ORDER)


def _tests(spec, vocab):
    """One token of a pattern as ``[(attr, IN | NOT_IN | REGEX, values or compiled regex)]``,
    values as the Matcher compares them (string hashes, symbols' IDs, booleans as 0/1);
    None if it uses anything else."""
    from spacy.strings import get_string_id

    if not isinstance(spec, dict):
        return None
    tests = []
    for attr, value in spec.items():
        if not isinstance(attr, str):
            return None
        attr = attr.upper()
        attr = "ORTH" if attr == "TEXT" else attr
        if attr not in ATTRS:  # OP, "_", SENT_START, LENGTH, MORPH, ...
            return None
        if isinstance(value, bool):
            tests.append((attr, IN, frozenset({int(value)})))
        elif isinstance(value, str):
            tests.append((attr, IN, frozenset({vocab.strings.add(value)})))
        elif isinstance(value, int):
            tests.append((attr, IN, frozenset({value})))
        elif isinstance(value, dict) and value and set(value) <= {IN, NOT_IN, REGEX}:
            for op, items in value.items():
                if op == REGEX:
                    if not isinstance(items, str) or attr not in TEXT_ATTRS:
                        return None
                    tests.append((attr, REGEX, re.compile(items)))
                elif isinstance(items, (list, tuple)) and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                              for v in items):
                    tests.append((attr, op, frozenset(get_string_id(v) for v in items)))
                else:
                    return None
        else:  # FUZZY, comparisons, ...
            return None
    return tests


class MemoLemmatizer:
    """Stands in for spaCy's rule or lookup ``Lemmatizer`` (see the module doc); the stock
    component, kept as ``stock``, lemmatizes each distinct (text, POS, morphology) once."""

    def __init__(self, stock=None) -> None:
        self.stock = stock  # set by install()
        self._memo: dict[tuple, int] = {}  # (ORTH, POS, MORPH) -> LEMMA, as string hashes

    def __call__(self, doc):
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        memo, stock = self._memo, self.stock
        if not len(doc) or not getattr(stock, "_validated", True):
            return stock(doc)  # the stock path checks its tables first (and says which are missing)
        if len(memo) > MEMO_MAX:
            memo.clear()
        strings = doc.vocab.strings
        columns = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = columns[:, 3].copy()
        overwrite = stock.overwrite
        for i, (orth, pos, morph, lemma) in enumerate(columns.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                value = strings.add(stock.lemmatize(doc[i])[0])
                if pos:  # no POS: spaCy warns (W108) each time; keep asking it
                    memo[key] = value
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)

    def __getattr__(self, name):  # everything else (mode, lookups, initialize, to_disk, ...)
        if name in ("stock", "_memo"):  # not set yet (copy, unpickling)
            raise AttributeError(name)
        return getattr(self.stock, name)


class _WordList(list):
    """A word list of a lemmatizer's ``lemma_index`` table whose ``in`` is a set lookup.

    spaCy's rule lemmatizer tests each candidate form with ``form in index``, and the English
    tables are lists of up to 57,000 words: 250 us a lemma the memo has not seen yet (5,000
    of them in the first 100 articles, over half the lemmatizer's time). A list still (same
    items, order, length, serialisation); the set is rebuilt if the length changes."""

    def __init__(self, words=()) -> None:
        super().__init__(words)
        self._set, self._n = frozenset(self), len(self)

    def __contains__(self, word) -> bool:
        if self._n != len(self):
            self._set, self._n = frozenset(self), len(self)
        return word in self._set


def _index_word_lists(lemmatizer) -> None:
    if "lemma_index" not in lemmatizer.lookups.tables:
        return
    table = lemmatizer.lookups.get_table("lemma_index")
    for key, words in list(table.items()):
        if type(words) is list:
            table[key] = _WordList(words)


#: The lemmatizers whose lemma depends on the token's text, POS and morphology only.
MEMO_LEMMATIZERS = ("spacy.pipeline.lemmatizer.Lemmatizer", "spacy.lang.en.lemmatizer.EnglishLemmatizer")


def install(nlp) -> int:
    """Put the faster stand-ins in place in ``nlp``: an index for every ``AttributeRuler``'s
    matcher, a :class:`MemoLemmatizer` around a rule or lookup lemmatizer; how many."""
    done = 0
    for name, component in list(nlp.pipeline):
        if install_on(component):
            done += 1
            continue
        cls = type(component)
        if f"{cls.__module__}.{cls.__qualname__}" in MEMO_LEMMATIZERS and component.mode in ("rule", "lookup"):
            _index_word_lists(component)
            _register_memo_lemmatizer()
            nlp.replace_pipe(name, "kg_memo_lemmatizer")
            nlp.get_pipe(name).stock = component
            done += 1
    return done


def _register_memo_lemmatizer() -> None:
    from spacy.language import Language

    if not Language.has_factory("kg_memo_lemmatizer"):
        Language.factory("kg_memo_lemmatizer")(lambda nlp, name: MemoLemmatizer())


def install_on(component) -> bool:
    """Put a :class:`TokenPatternIndex` in place of an ``AttributeRuler``'s stock ``Matcher``."""
    from spacy.matcher import Matcher
    from spacy.pipeline import AttributeRuler

    if not (isinstance(component, AttributeRuler) and isinstance(component.matcher, Matcher)):
        return False
    index = TokenPatternIndex(component.matcher, [str(i) for i in range(len(component.attrs))])
    component.matcher = index
    log.debug("attribute ruler: %d patterns compiled, %d left to a Matcher", index.compiled, index.left)
    return True
