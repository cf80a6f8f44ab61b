"""Extraction: a parsed spaCy ``Doc`` -> mentions, relations and quotations of one article.

One module per kind of rule, each a stage function over a :class:`~kg.extract.context.Context`
(the article's working state), run in this order by :func:`extract`:

* :mod:`~kg.extract.mentions` - named mentions (NER, names seen elsewhere, gazetteer names);
* :mod:`~kg.extract.quotemarks` - quotation marks (speakers come with coreference);
* :mod:`~kg.extract.roles` - titles, appositions, unnamed roles;
* :mod:`~kg.extract.coref` - pronouns and descriptions, quotation speakers;
* :mod:`~kg.extract.patterns` - per sentence, the constructions of data/patterns.yaml (verb
  frames such as "X sold Y to Z", "the New York-based firm X"); the verbs they read are not
  read again by the verb rules;
* :mod:`~kg.extract.relations` - per sentence, the relations of its verb clauses
  (:mod:`~kg.extract.clauses`, shared with :mod:`kg.openie`) and of its event nouns, with
  their arguments (:mod:`~kg.extract.arguments`);
* :mod:`~kg.extract.openrel` - the open relations of the same clauses: two named entities
  linked by a verb the vocabulary does not cover, labelled with the verb phrase.

Every rule reads its words from data/ (:mod:`kg.vocab`); its numbers are in
:mod:`~kg.extract.params`. Turning mentions into entities is :mod:`kg.resolve`'s job.
"""

from __future__ import annotations

from ..model import Article
from ..vocab import Vocabulary
from .clauses import OBJ_DEPS, SUBJ_DEPS, clauses, rel_phrase, verb_lemma
from .context import Context, Rules, default_rules
from .coref import coreference
from .mentions import named_mentions
from .openrel import dedupe_open, open_relations
from .patterns import constructions
from .quotemarks import find_quotes
from .records import Clause, DocExtraction, Mention, RawOpenRelation, RawQuote, RawRelation, final_mention
from .relations import dedupe, nominal_relations, verb_relations
from .roles import roles
from .table import DocTable, trimmed

__all__ = [
    "OBJ_DEPS", "SUBJ_DEPS", "Clause", "DocExtraction", "DocTable", "Extractor", "Mention", "RawOpenRelation", "RawQuote",
    "RawRelation",
    "Rules", "clauses", "extract", "final_mention", "rel_phrase", "verb_lemma",
]


def extract(doc, article: Article, rules: Rules | None = None, strings: dict[int, str] | None = None) -> DocExtraction:
    """The mentions, relations and quotations of one parsed article. ``rules``: default those of
    data/; ``strings``: a spaCy string-hash cache shared across docs (see :class:`Extractor`)."""
    ctx = Context.of(doc, rules or default_rules(), strings)
    named_mentions(ctx)
    find_quotes(ctx)
    roles(ctx)
    coreference(ctx)
    for sent in ctx.sents:
        sent_clauses = clauses(sent, ctx.rules.vocab, ctx.table)
        constructions(ctx, sent, sent_clauses)
        for c in sent_clauses:
            n = len(ctx.relations)
            verb_relations(ctx, c)
            if c.verb.i not in ctx.claimed:  # a construction pattern's verb is no open relation
                open_relations(ctx, c, ctx.relations[n:])
        nominal_relations(ctx, sent)
    text = ctx.table.text
    return DocExtraction(
        article,
        tuple(trimmed(text[s.start_char:s.end_char], s.start_char, s.end_char) for s in ctx.sents),
        tuple(ctx.mentions),
        tuple(dedupe(ctx.relations)),
        tuple(ctx.quotes.out),
        tuple(ctx.title_only),
        tuple(dedupe_open(ctx)),
    )


class Extractor:
    """:func:`extract` with the rules of one vocabulary and gazetteer, made once, and a string
    cache shared by the articles it reads (a worker process keeps one)."""

    def __init__(self, vocab: Vocabulary | None = None, gazetteer=None):
        self.rules = Rules.load(vocab, gazetteer) if vocab is not None or gazetteer is not None else default_rules()
        self._strings: dict[int, str] = {}

    @property
    def vocab(self) -> Vocabulary:
        return self.rules.vocab

    def extract(self, doc, article: Article) -> DocExtraction:
        return extract(doc, article, self.rules, self._strings)
